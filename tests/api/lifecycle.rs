//! submit → pending (404 publicly) → approve → public → amendment →
//! withdraw → 404, with receipt checks at every step.

use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn a_report_goes_from_submission_to_publication_to_withdrawal() {
    let app = spawn_app();
    let (id, receipt) = app.submit_ok(&submission());
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    // ≥ 128 bits: 32 random bytes in unpadded base64.
    assert!(receipt.len() >= 43, "receipt too short: {}", receipt.len());

    // Pending: not public, visible to the receipt holder.
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}"))
            .send()
            .unwrap()
            .status(),
        404
    );
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["status"], "pending");

    // A wrong or missing receipt gets nothing and changes nothing.
    let (code, _) = error_code(app.receipt(&id, "not-the-receipt"));
    assert_eq!(code, 401);
    let (code, _) = error_code(app.get(&format!("/api/v1/receipts/{id}")).send().unwrap());
    assert_eq!(code, 401);
    let r = app
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", "Receipt wrong")
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 401);

    // The reviewer sees it and approves with a synopsis.
    let token = app.login();
    let queue: Value = app
        .get("/api/v1/review/queue")
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(queue["reports"][0]["id"], id.as_str());
    let item: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(item["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["placeholder"] == "[ORG]"));
    let r = app
        .post(&format!("/api/v1/review/{id}/approve"))
        .bearer_auth(&token)
        .json(&json!({"synopsis": "A hand-renewed intermediate CA expired; every mTLS handshake failed."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // Approving twice is a conflict, not a second publication.
    assert_eq!(error_code(app.approve(&token, &id)).0, 409);

    // Public, de-identified, coarsened.
    let report: Value = app
        .get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(report["id"], id.as_str());
    // The only published report of its industry, size and quarter: with
    // k = 5 both its size and its month are withheld (k-anonymity).
    assert!(report["incident"]["month"].is_null());
    assert_eq!(report["incident"]["year"], "2023");
    assert_eq!(report["organization_size"], "undisclosed");
    assert_eq!(report["incident"]["time_of_day"], "00-06");
    assert!(report["incident"].get("started_at").is_none());
    assert_eq!(
        report["technologies"],
        json!(["envoy", "vault", "kubernetes", "grpc"])
    );
    let offsets: Vec<&str> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["offset"].as_str().unwrap())
        .collect();
    assert_eq!(offsets, ["T+0", "T+22m", "T+48m"]);
    assert!(report["synopsis"]
        .as_str()
        .unwrap()
        .contains("intermediate CA"));
    let text = report.to_string();
    for leaked in [
        "Quillfeather",
        "Priya",
        "Nandakumar",
        "priya.n@",
        "10.20.30.40",
        "grafana.quillfeather",
        "declared_terms",
    ] {
        assert!(
            !text.contains(leaked),
            "{leaked} leaked into the published report"
        );
    }
    assert!(
        text.contains("[ORG]")
            && text.contains("[PERSON-1]")
            && text.contains("[EMAIL-1]")
            && text.contains("[IP-1]")
    );
    assert!(
        text.contains("x509: certificate has expired"),
        "technical detail must survive"
    );

    // An amendment from the receipt holder, redacted with its own terms.
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "Follow-up: Jonas Berg found the same chain on the staging cluster.", "declared_terms": {"people": ["Jonas Berg"]}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let report: Value = app
        .get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let amendment = report["amendments"][0]["text"].as_str().unwrap();
    assert_eq!(
        amendment,
        "Follow-up: [PERSON-2] found the same chain on the staging cluster."
    );
    assert_eq!(
        report["amendments"][0]["month"].as_str().unwrap().len(),
        7,
        "amendments carry a month only"
    );

    // Withdraw: gone from the public and from the receipt holder.
    let r = app
        .delete(&format!("/api/v1/receipts/{id}"))
        .header("Authorization", format!("Receipt {receipt}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        error_code(app.get(&format!("/api/v1/reports/{id}")).send().unwrap()).0,
        404
    );
    assert_eq!(error_code(app.receipt(&id, &receipt)).0, 401);
}

#[test]
fn reviewers_ask_questions_and_reject_and_the_submitter_answers() {
    let app = spawn_app();
    let (id, receipt) = app.submit_ok(&submission());
    let token = app.login();

    let r = app
        .post(&format!("/api/v1/review/{id}/questions"))
        .bearer_auth(&token)
        .json(&json!({"question": "Which vault version issued the intermediate?"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(
        status["questions"][0]["question"],
        "Which vault version issued the intermediate?"
    );

    let r = app
        .post(&format!("/api/v1/review/{id}/reject"))
        .bearer_auth(&token)
        .json(&json!({"reason": "Please describe the impact in more detail."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["status"], "rejected");
    assert_eq!(
        status["rejection_reason"],
        "Please describe the impact in more detail."
    );
    assert_eq!(
        error_code(app.approve(&token, &id)).0,
        409,
        "a rejected report cannot be approved"
    );

    // Answering a rejection sends the report back to the queue.
    let r = app
        .post(&format!("/api/v1/receipts/{id}/amendments"))
        .header("Authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "Vault 1.13.2; roughly 40% of card payments failed."}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["status"], "pending");
    assert_eq!(status["amendments"], 1);
    assert_eq!(app.approve(&token, &id).status(), 200);
    assert_eq!(
        app.get(&format!("/api/v1/reports/{id}"))
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn the_preview_stores_nothing_and_shows_the_redaction() {
    let app = spawn_app();
    let r = app
        .post("/api/v1/redact")
        .json(&submission())
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    let text = v["submission"].to_string();
    assert!(text.contains("[ORG]") && !text.contains("Quillfeather"));
    assert!(v["submission"].get("declared_terms").is_none());
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for k in ["organization", "person", "email", "url", "ip"] {
        assert!(kinds.contains(&k), "no {k} finding in {kinds:?}");
    }
    assert!(
        !v["findings"].to_string().contains("Priya"),
        "findings never carry the original value"
    );
    assert!(v["completeness"]["score"].as_u64().unwrap() >= 90);
    let token = app.login();
    assert_eq!(app.queue_len(&token), 0);
}

#[test]
fn health_metrics_openapi_and_headers() {
    let app = spawn_app();
    let r = app.get("/healthz").send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    app.submit_ok(&submission());
    let r = app.submit(&submission());
    assert!(
        r.headers().get("set-cookie").is_none(),
        "anonymous users get no cookies"
    );
    let metrics = app.get("/metrics").send().unwrap().text().unwrap();
    assert!(
        metrics.contains(
            r#"nearmiss_http_requests_total{method="POST",route="/api/v1/reports",status="201"} 2"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"nearmiss_reports{status="pending"} 2"#),
        "{metrics}"
    );
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    for path in [
        "/reports",
        "/redact",
        "/receipts/{id}",
        "/review/queue",
        "/review/{id}/approve",
        "/auth/login",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"].get("Submission").is_some());
}
