//! What the registry keeps: nothing identifying in the database, its WAL or
//! the logs; nothing about the client that sent a request.

use std::net::{IpAddr, Ipv4Addr};

use serde_json::json;

use crate::helpers::*;

#[test]
fn identifying_strings_never_reach_the_data_directory_or_the_logs() {
    let mut app = spawn_app();
    let secrets = [
        "Quillfeather",
        "Priya Nandakumar",
        "Nandakumar",
        "priya.n@quillfeather.example",
        "10.20.30.40",
        "grafana.quillfeather.example",
        "Jonas Berg",
    ];
    let (id, receipt) = app.submit_ok(&submission());
    // A preview, a rejected submission and an amendment all carry them too.
    app.post("/api/v1/redact")
        .json(&submission())
        .send()
        .unwrap();
    let mut bad = submission();
    bad["industry"] = json!("Quillfeather");
    assert_eq!(app.submit(&bad).status(), 422);
    let token = app.login();
    assert_eq!(app.approve(&token, &id).status(), 200);
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "Jonas Berg of Quillfeather adds: 10.20.30.40 was the PKI.", "declared_terms": {"people": ["Jonas Berg"], "organization": ["Quillfeather"]}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    // Kill: whatever is in the WAL stays in the WAL.
    app.kill();
    if !postgres() {
        let wal = app.data_dir().join("nearmiss.db-wal");
        assert!(wal.exists(), "expected a WAL file after an unclean stop");
    }
    for s in secrets {
        let hits = stored_containing(app.dir.path(), s);
        assert!(hits.is_empty(), "{s} found in {hits:?}");
    }
    // The redacted report is there, so the scan did look at real data.
    assert!(!stored_containing(&app.data_dir(), "[PERSON-1]").is_empty());
    assert!(!stored_containing(&app.data_dir(), "certificate has expired").is_empty());
}

#[test]
fn the_client_address_and_user_agent_leave_no_trace() {
    let marker_ua = "nearmiss-test-agent/7f3c9e";
    let client = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 77));
    let mut app = spawn_app_with(Options {
        client_addr: Some(client),
        user_agent: Some(marker_ua.into()),
        ..Default::default()
    });
    let (id, receipt) = app.submit_ok(&submission());
    app.receipt(&id, &receipt);
    app.post("/api/v1/redact")
        .json(&submission())
        .send()
        .unwrap();
    let token = app.login();
    app.approve(&token, &id);
    app.get(&format!("/api/v1/reports/{id}"))
        .header("Referer", "https://referrer.example/secret-page")
        .send()
        .unwrap();
    app.get("/api/v1/reports/not-a-uuid").send().unwrap();
    app.kill();
    assert!(app.logs().contains("listening"), "logs were captured");
    for needle in [marker_ua, "127.0.0.77", "referrer.example"] {
        let hits = stored_containing(app.dir.path(), needle);
        assert!(hits.is_empty(), "{needle} found in {hits:?}");
    }
}
