//! De-identification through the API: consistency across amendments through
//! the receipt-keyed map, leftover warnings, and reviewer redactions.

use serde_json::{json, Value};

use crate::helpers::*;

fn amend(app: &TestApp, id: &str, receipt: &str, body: Value) -> Value {
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().unwrap()
}

#[test]
fn amendments_reuse_the_submissions_placeholders_without_storing_values() {
    let mut app = spawn_app();
    let (id, receipt) = app.submit_ok(&submission());
    let token = app.login();
    assert_eq!(app.approve(&token, &id).status(), 200);
    // Nothing declared this time: the receipt-keyed map remembers.
    amend(
        &app,
        &id,
        &receipt,
        json!({"text": "QUILLFEATHER's PKI team and Nandakumar agreed; see priya.n@quillfeather.example and 10.20.30.40."}),
    );
    let report: Value = app
        .get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let original = report["narrative"].as_str().unwrap();
    let email = if original.contains("[EMAIL-1]") {
        "[EMAIL-1]"
    } else {
        panic!("{original}")
    };
    assert_eq!(
        report["amendments"][0]["text"],
        format!("[ORG]'s PKI team and [PERSON-1] agreed; see {email} and [IP-1].")
    );
    // A second amendment with a new name continues the numbering.
    amend(
        &app,
        &id,
        &receipt,
        json!({"text": "Later Jonas Berg joined.", "declared_terms": {"people": ["Jonas Berg"]}}),
    );
    let report: Value = app
        .get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(report["amendments"][1]["text"], "Later [PERSON-2] joined.");
    // A wrong receipt cannot open the map (nor amend at all).
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", "Receipt forged")
        .json(&json!({"text": "Quillfeather"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    app.kill();
    for needle in ["quillfeather", "nandakumar", "jonas"] {
        assert!(
            stored_containing(&app.data_dir(), needle).is_empty(),
            "{needle} stored"
        );
    }
}

#[test]
fn leftovers_are_warned_about_and_reviewers_can_redact_them() {
    let app = spawn_app();
    let mut s = submission();
    s["narrative"] = json!("The Bluebird scheduler and the PAYGW gateway on Kubernetes both returned HTTP 503. PAYGW retried.");
    let preview: Value = app
        .post("/api/v1/redact")
        .json(&s)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let warned: Vec<&str> = preview["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["term"].as_str().unwrap())
        .collect();
    assert_eq!(warned, ["PAYGW", "Bluebird"], "{preview}");
    assert_eq!(preview["warnings"][0]["count"], 2);

    let (id, _) = app.submit_ok(&s);
    let token = app.login();
    let item: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(item["warnings"].to_string().contains("PAYGW"));

    let r = app
        .post(&format!("/api/v1/review/{id}/redact"))
        .bearer_auth(&token)
        .json(&json!({"terms": {"products": ["PAYGW", "Bluebird"]}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let item: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let narrative = item["content"]["narrative"].as_str().unwrap();
    assert_eq!(
        narrative,
        "The [PRODUCT-1] scheduler and the [PRODUCT-2] gateway on Kubernetes both returned HTTP 503. [PRODUCT-2] retried."
    );
    assert_eq!(item["warnings"], json!([]));
    // The earlier placeholders are untouched.
    assert!(item["content"]["title"].as_str().unwrap().contains("[ORG]"));
    // Empty or malformed requests change nothing.
    let r = app
        .post(&format!("/api/v1/review/{id}/redact"))
        .bearer_auth(&token)
        .json(&json!({"terms": {}}))
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 422);
    let r = app
        .post(&format!("/api/v1/review/{id}/redact"))
        .json(&json!({"terms": {"products": ["x"]}}))
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 401);
}

const POSTMORTEM: &str = "---\nauthor: someone\n---\n# Checkout outage at Brightwave\n\n<!-- internal draft, do not share -->\n\n## Summary\n\nBrightwave checkout returned 502s for 38 minutes after a Redis failover.\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 2024-03-14 02:14 | Alerts fired for checkout 5xx |\n| 2024-03-14 02:31 | Oluwaseun Adeyemi promoted the replica |\n| 2024-03-14 02:52 | Error rate back to normal |\n\n## Root Cause\n\n- Sentinel promoted a replica that was still resyncing.\n\n## Lessons Learned\n\n- Check replication offset before promotion.\n\n## Action Items\n\n- [x] Add a replication-offset check to the failover script\n- [ ] Page on resync loops\n\n## Attendees\n\n- OA\n- kmensah\n";

#[test]
fn markdown_postmortems_are_mapped_and_redacted() {
    let app = spawn_app();
    let preview: Value = app
        .post("/api/v1/redact")
        .json(&json!({"markdown": POSTMORTEM, "declared_terms": {"organization": ["Brightwave"]}}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let s = &preview["submission"];
    assert_eq!(s["title"], "Checkout outage at [ORG]");
    assert_eq!(
        s["summary"],
        "[ORG] checkout returned 502s for 38 minutes after a Redis failover."
    );
    let offsets: Vec<&str> = s["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["offset"].as_str().unwrap())
        .collect();
    assert_eq!(offsets, ["T+0", "T+17m", "T+38m"]);
    assert_eq!(s["timeline"][1]["event"], "[PERSON-1] promoted the replica");
    assert_eq!(
        s["root_causes"][0],
        "Sentinel promoted a replica that was still resyncing."
    );
    assert_eq!(s["action_items"][0]["status"], "done");
    assert_eq!(s["action_items"][1]["status"], "open");
    let all = s.to_string();
    for gone in [
        "Brightwave",
        "internal draft",
        "author",
        "kmensah",
        "Attendees",
        "Oluwaseun",
    ] {
        assert!(!all.contains(gone), "{gone} survived: {all}");
    }

    // A bare text/markdown body is a submission too.
    let r = app
        .post("/api/v1/reports")
        .header("content-type", "text/markdown; charset=utf-8")
        .body(POSTMORTEM)
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = app
        .post("/api/v1/reports")
        .json(&json!({"markdown": POSTMORTEM, "colour": "red"}))
        .send()
        .unwrap();
    assert_eq!(error_code(r), (400, "invalid_field".to_string()));
}
