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
            files_containing(&app.data_dir(), needle).is_empty(),
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
