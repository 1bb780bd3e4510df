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

/// Declared terms: used for redaction, then dropped.
const DECLARED: [&str; 8] = [
    "Veridian Dynamo",
    "VeriDyn",
    "Ledgerline",
    "Marta Kowalczyk",
    "Tomasz Wrobel",
    "Gdansk West",
    "Project Halberd",
    "Ingrid Solberg",
];

/// Identifiers nobody declared, which the redactor must find on its own,
/// and the parts of declared names that appear alone.
const RAW: [&str; 17] = [
    "Kowalczyk",
    "Wrobel",
    "Solberg",
    "marta.k@veridian-dynamo.example",
    "ingrid@solberg-consulting.example",
    "172.31.44.210",
    "fd12:3456:789a::17",
    "db-7.halcyon-ops.net",
    "https://status.veridian-dynamo.example/incidents/8841",
    "veridian-dynamo.example",
    "3c:22:fb:91:0e:7d",
    "+44 20 7946 0958",
    "arn:aws:iam::482913775120:role/deployer",
    "482913775120",
    "#inc-ledger-outage",
    "AKIAQ3EGV7XMR2ZKT9PL",
    "5f0c6d1e-8a2b-4c3d-9e7f-0a1b2c3d4e5f",
];

/// A codename nobody declared: stored until a reviewer redacts it, and
/// gone from every file afterwards.
const CODENAME: &str = "bluefjord";

/// What identifies the client rather than the report.
const CLIENT: [&str; 6] = [
    "127.0.0.77",
    "nearmiss-privacy-probe/41c7d2",
    "nearmiss-reviewer-console/9b1e07",
    "203.0.113.9",
    "198.51.100.23",
    "intranet.veridian-dynamo.example",
];

/// A realistic submission carrying every identifier above (the codename
/// only when asked: a rejected report keeps its text).
fn identifying_submission(title: &str, codename: bool) -> serde_json::Value {
    let codename = if codename { CODENAME } else { "standby" };
    json!({
        "title": title,
        "summary": "Veridian Dynamo's Ledgerline ledger stopped accepting writes for 41 minutes after a failover to the Gdansk West replica.",
        "narrative": format!(
            "At 09:12 Marta Kowalczyk (marta.k@veridian-dynamo.example) was paged by #inc-ledger-outage. \
             The primary db-7.halcyon-ops.net at 172.31.44.210 (fd12:3456:789a::17, MAC 3c:22:fb:91:0e:7d) \
             stopped answering; Tomasz Wrobel called +44 20 7946 0958 to reach VeriDyn's DBA. \
             The {codename} cluster kept serving stale reads. Kowalczyk found the deployer role \
             arn:aws:iam::482913775120:role/deployer had key AKIAQ3EGV7XMR2ZKT9PL pasted into the runbook; \
             request 5f0c6d1e-8a2b-4c3d-9e7f-0a1b2c3d4e5f shows the first failure. \
             Status page: https://status.veridian-dynamo.example/incidents/8841. The zeppelin graph recovered at 09:53."
        ),
        "industry": "fintech",
        "organization_size": "201-1000",
        "incident": {
            "started_at": "2024-03-14T09:12:00+01:00",
            "severity": "sev1",
            "detection": "alert",
            "time_to_detect_minutes": 4,
            "time_to_mitigate_minutes": 41,
            "time_to_resolve_minutes": 130,
            "impact": {"users_affected": "most", "data_loss": false, "description": "Ledgerline writes failed for Veridian Dynamo customers."}
        },
        "technologies": ["postgresql", "patroni", "aws"],
        "trigger": "failover",
        "contributing_factors": ["missing-monitoring"],
        "mitigations": ["failover"],
        "timeline": [
            {"at": "2024-03-14T09:12:00+01:00", "event": "Marta Kowalczyk paged about db-7.halcyon-ops.net"},
            {"at": "09:53", "event": "Tomasz Wrobel confirmed writes on 172.31.44.210"}
        ],
        "root_causes": ["Project Halberd moved the primary to Gdansk West without a fencing check."],
        "five_whys": ["Writes failed because VeriDyn's replica was read-only."],
        "lessons_learned": ["Fence the old primary before promoting; Wrobel owns the runbook."],
        "action_items": [{"description": "Rotate the key Kowalczyk found", "status": "done"}],
        "human_factors": ["handoff"],
        "declared_terms": {
            "organization": ["Veridian Dynamo", "VeriDyn"],
            "products": ["Ledgerline"],
            "people": ["Marta Kowalczyk", "Tomasz Wrobel"],
            "locations": ["Gdansk West"],
            "other": ["Project Halberd"]
        }
    })
}

#[test]
fn a_whole_session_leaves_no_identifier_address_or_agent_on_disk() {
    let [addr, agent, console_agent, forwarded, forwarded_too, referrer] = CLIENT;
    let mut app = spawn_app_with(Options {
        client_addr: Some(addr.parse().unwrap()),
        user_agent: Some(agent.into()),
        ..Default::default()
    });
    let headers = |r: reqwest::blocking::RequestBuilder| {
        r.header("X-Forwarded-For", format!("{forwarded}, {forwarded_too}"))
            .header("Forwarded", format!("for={forwarded};proto=https"))
            .header("X-Real-IP", forwarded)
            .header("Referer", format!("https://{referrer}/postmortems/42"))
    };
    let status = |r: reqwest::blocking::Response| r.status().as_u16();

    // Previews: JSON and a Markdown postmortem.
    let body = identifying_submission(
        "Ledgerline failover at Veridian Dynamo stalled writes",
        true,
    );
    assert_eq!(
        status(
            headers(app.post("/api/v1/redact"))
                .json(&body)
                .send()
                .unwrap()
        ),
        200
    );
    let markdown = format!(
        "# Veridian Dynamo: Ledgerline outage\n\n## Summary\n\nMarta Kowalczyk saw 172.31.44.210 fail.\n\n## Timeline\n\n- 09:12 paged #inc-ledger-outage\n\n## Lessons learned\n\n- Ask Tomasz Wrobel ({}) before a failover.\n",
        "+44 20 7946 0958"
    );
    let md = json!({"markdown": markdown, "declared_terms": body["declared_terms"].clone()});
    assert_eq!(
        status(
            headers(app.post("/api/v1/redact"))
                .json(&md)
                .send()
                .unwrap()
        ),
        200
    );

    // Submissions: kept, Markdown, rejected, withdrawn, and one refused.
    let submit = |b: &serde_json::Value| {
        let r = headers(app.post("/api/v1/reports")).json(b).send().unwrap();
        assert_eq!(r.status(), 201);
        let v: serde_json::Value = r.json().unwrap();
        (
            v["id"].as_str().unwrap().to_string(),
            v["receipt"].as_str().unwrap().to_string(),
        )
    };
    let (kept, receipt) = submit(&body);
    let (from_markdown, _) = submit(&md);
    let (rejected, _) = submit(&identifying_submission(
        "Second Ledgerline failover at VeriDyn",
        false,
    ));
    let (withdrawn, withdrawn_receipt) = submit(&identifying_submission(
        "Gdansk West replica lag at Veridian Dynamo",
        false,
    ));
    let mut invalid = body.clone();
    invalid["severity_of_Kowalczyk"] = json!("Project Halberd");
    assert_eq!(
        status(
            headers(app.post("/api/v1/reports"))
                .json(&invalid)
                .send()
                .unwrap()
        ),
        400
    );
    let mut unknown = body.clone();
    unknown["industry"] = json!("Veridian Dynamo");
    assert_eq!(
        status(
            headers(app.post("/api/v1/reports"))
                .json(&unknown)
                .send()
                .unwrap()
        ),
        422
    );
    assert_eq!(app.receipt(&kept, &receipt).status(), 200);
    assert_eq!(app.receipt(&kept, "Kowalczyk-forged").status(), 401);

    // The reviewer: a failed and a good login, the queue, a question,
    // approval, a rejection, and an extra redaction after publication.
    let console =
        |r: reqwest::blocking::RequestBuilder| headers(r).header("User-Agent", console_agent);
    let bad = console(app.post("/api/v1/auth/login"))
        .json(&json!({"name": REVIEWER, "password": "Marta Kowalczyk"}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 401);
    let token = console(app.post("/api/v1/auth/login"))
        .json(&json!({"name": REVIEWER, "password": PASSWORD}))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let review = |method: reqwest::Method, path: &str, b: Option<serde_json::Value>| {
        let r = if method == reqwest::Method::GET {
            app.get(path)
        } else {
            app.post(path)
        };
        let mut r = console(r).bearer_auth(&token);
        if let Some(b) = b {
            r = r.json(&b);
        }
        r.send().unwrap().status().as_u16()
    };
    assert_eq!(
        review(reqwest::Method::GET, "/api/v1/review/queue", None),
        200
    );
    assert_eq!(
        review(
            reqwest::Method::GET,
            &format!("/api/v1/review/{kept}"),
            None
        ),
        200
    );
    assert_eq!(
        review(
            reqwest::Method::POST,
            &format!("/api/v1/review/{kept}/questions"),
            Some(json!({"question": "Which replica was promoted first?"}))
        ),
        201
    );
    let amendment = json!({
        "text": "Ingrid Solberg (ingrid@solberg-consulting.example) promoted the Gdansk West replica; Kowalczyk agreed. The bluefjord cluster was not involved.",
        "declared_terms": {"people": ["Ingrid Solberg"], "locations": ["Gdansk West"]}
    });
    let r = headers(app.post(&format!("/api/v1/receipts/{kept}/amendments")))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&amendment)
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    for id in [&kept, &from_markdown] {
        assert_eq!(
            review(
                reqwest::Method::POST,
                &format!("/api/v1/review/{id}/approve"),
                None
            ),
            200
        );
    }
    assert_eq!(
        review(
            reqwest::Method::POST,
            &format!("/api/v1/review/{rejected}/reject"),
            Some(json!({"reason": "A duplicate of an earlier report."}))
        ),
        200
    );
    crate::search::eventually("the approved report is searchable", || {
        crate::search::search(&app, &[("q", "zeppelin")])["total"] == 1
    });
    let r = headers(app.delete(&format!("/api/v1/receipts/{withdrawn}")))
        .header("Authorization", format!("Receipt {withdrawn_receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // The extra redaction comes last: nothing after it cleans up for it.
    assert_eq!(
        review(
            reqwest::Method::POST,
            &format!("/api/v1/review/{kept}/redact"),
            Some(json!({"terms": {"other": [CODENAME]}}))
        ),
        200
    );

    crate::search::eventually("the extra redaction reached the index", || {
        crate::search::search(&app, &[("q", CODENAME)])["total"] == 0
    });

    // Searchers, feeds and statistics, asking for the identifiers.
    let needles: Vec<&str> = DECLARED
        .iter()
        .chain(RAW.iter())
        .chain([CODENAME].iter())
        .copied()
        .collect();
    for needle in &needles {
        let r = headers(app.get("/api/v1/search"))
            .query(&[("q", format!("\"{needle}\""))])
            .send()
            .unwrap();
        let code = r.status().as_u16();
        if code == 200 {
            let v: serde_json::Value = r.json().unwrap();
            assert_eq!(v["total"], 0, "{needle} is searchable");
        } else {
            assert_eq!(code, 400, "{needle}");
        }
    }
    for path in [
        "/api/v1/search?q=Kowalczyk+AND+(Ledgerline",
        "/api/v1/stats?q=Veridian+Dynamo",
        "/feeds/reports.atom?q=Project+Halberd",
        "/api/v1/technologies/postgresql",
        &format!("/api/v1/reports/{kept}"),
        &format!("/api/v1/reports/{kept}/similar"),
        "/api/v1/reports/Marta-Kowalczyk",
        "/api/v1/export?format=jsonl",
        "/Gdansk-West/../../etc/passwd",
    ] {
        let code = status(headers(app.get(path)).send().unwrap());
        assert!(code < 500, "{path}: {code}");
    }
    let published: serde_json::Value = app
        .get(&format!("/api/v1/reports/{kept}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(!published.to_string().to_lowercase().contains(CODENAME));
    app.kill();

    // Every byte the registry left behind: logs, the database (file, WAL
    // and shared memory; a dump on PostgreSQL) and the index directory.
    let everything = stored(app.dir.path());
    let bytes: usize = everything.iter().map(|(_, b)| b.len()).sum();
    let mut hits = Vec::new();
    for needle in needles.iter().chain(CLIENT.iter()) {
        let lower = needle.to_ascii_lowercase().into_bytes();
        for (name, b) in &everything {
            if contains_ignoring_case(b, &lower) {
                hits.push(format!("{needle} in {name}"));
            }
        }
    }
    let files = everything.len();
    let index_bytes: usize = everything
        .iter()
        .filter(|(n, _)| n.contains("/index/"))
        .map(|(_, b)| b.len())
        .sum();
    eprintln!(
        "privacy scan: {} needles over {files} files ({bytes} bytes, {index_bytes} of them in the index): {} hits",
        needles.len() + CLIENT.len(),
        hits.len()
    );
    assert!(hits.is_empty(), "{hits:#?}");
    // The scan read real data: the redacted report and the logs are there.
    assert!(index_bytes > 0);
    assert!(everything
        .iter()
        .any(|(_, b)| contains_ignoring_case(b, b"zeppelin graph")));
    assert!(logs(app.dir.path()).contains("listening"));
}
