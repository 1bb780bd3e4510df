//! Every bad input gets a 4xx JSON error and changes nothing.

use reqwest::blocking::RequestBuilder;
use serde_json::{json, Value};

use crate::helpers::*;

/// A named request, the status and error code it must get.
type Case<'a> = (&'a str, Box<dyn Fn() -> RequestBuilder + 'a>, u16, &'a str);

fn with_field(field: &str, value: Value) -> Value {
    let mut s = submission();
    s[field] = value;
    s
}

#[test]
fn bad_submissions_are_refused_with_a_clear_error_and_nothing_is_stored() {
    let app = spawn_app();
    let token = app.login();
    let missing_title = {
        let mut s = submission();
        s.as_object_mut().unwrap().remove("title");
        s
    };
    let big = "x".repeat(1024 * 1024 + 10);
    let long_narrative = "y".repeat(256 * 1024 + 1);
    let app = &app;
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .header("content-type", "application/json")
                    .body("{\"title\": ")
            }),
            400,
            "malformed_json",
        ),
        (
            "unknown field",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .json(&with_field("colour", json!("red")))
            }),
            400,
            "invalid_field",
        ),
        (
            "wrong type",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .json(&with_field("technologies", json!("redis")))
            }),
            400,
            "invalid_field",
        ),
        (
            "missing required field",
            Box::new(move || app.post("/api/v1/reports").json(&missing_title)),
            400,
            "invalid_field",
        ),
        (
            "over-size body",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .header("content-type", "application/json")
                    .body(format!("{{\"title\":\"{big}\"}}"))
            }),
            413,
            "payload_too_large",
        ),
        (
            "over-long field",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .json(&with_field("narrative", json!(long_narrative)))
            }),
            422,
            "validation_failed",
        ),
        (
            "closed vocabulary",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .json(&with_field("industry", json!("piracy")))
            }),
            422,
            "validation_failed",
        ),
        (
            "invalid UTF-8",
            Box::new(|| {
                app.post("/api/v1/reports")
                    .header("content-type", "application/json")
                    .body(
                        b"{\"title\": \"\xff\xfe\", \"summary\": \"s\", \"narrative\": \"n\"}"
                            .to_vec(),
                    )
            }),
            400,
            "invalid_utf8",
        ),
        (
            "wrong content type",
            Box::new(move || {
                app.post("/api/v1/reports")
                    .header("content-type", "text/plain")
                    .body(submission().to_string())
            }),
            415,
            "unsupported_media_type",
        ),
        (
            "too many timeline entries",
            Box::new(|| {
                let entries: Vec<Value> = (0..201)
                    .map(|i| json!({"at": format!("T+{i}m"), "event": "e"}))
                    .collect();
                app.post("/api/v1/reports")
                    .json(&with_field("timeline", json!(entries)))
            }),
            422,
            "validation_failed",
        ),
        (
            "unparseable timeline time",
            Box::new(move || {
                app.post("/api/v1/reports").json(&with_field(
                    "timeline",
                    json!([{"at": "teatime", "event": "e"}]),
                ))
            }),
            422,
            "validation_failed",
        ),
        (
            "preview with malformed JSON",
            Box::new(move || {
                app.post("/api/v1/redact")
                    .header("content-type", "application/json")
                    .body("{\"title\": \"x\",")
            }),
            400,
            "malformed_json",
        ),
    ];
    for (name, request, status, code) in cases {
        let (got_status, got_code) = error_code(request().send().unwrap());
        assert_eq!((got_status, got_code.as_str()), (status, code), "{name}");
        assert_eq!(app.queue_len(&token), 0, "{name} stored something");
    }

    // Field-level messages say which field and why.
    let r = app
        .post("/api/v1/reports")
        .json(&with_field("industry", json!("piracy")))
        .send()
        .unwrap();
    let v: Value = r.json().unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "industry");
    assert!(v["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("fintech"));
    let r = app
        .post("/api/v1/reports")
        .json(&with_field("colour", json!("red")))
        .send()
        .unwrap();
    let v: Value = r.json().unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("colour"),
        "{v}"
    );

    // Unknown report ids and ids that are not UUIDs.
    let unknown = "3f2b8c1e-5a4d-4e2f-9b1a-7c6d5e4f3a2b";
    assert_eq!(
        error_code(
            app.get(&format!("/api/v1/reports/{unknown}"))
                .send()
                .unwrap()
        ),
        (404, "not_found".into())
    );
    assert_eq!(
        error_code(app.get("/api/v1/reports/1").send().unwrap()),
        (400, "invalid_id".into())
    );
    assert_eq!(
        error_code(
            app.get("/api/v1/reports/..%2F..%2Fetc%2Fpasswd")
                .send()
                .unwrap()
        )
        .0,
        400
    );
    assert_eq!(
        error_code(app.approve(&token, unknown)),
        (404, "not_found".into())
    );
    assert_eq!(
        error_code(app.receipt(unknown, "whatever")),
        (401, "invalid_receipt".into())
    );
    assert_eq!(
        error_code(app.get("/api/v1/no-such-route").send().unwrap()),
        (404, "not_found".into())
    );
    assert_eq!(app.queue_len(&token), 0);
}

#[test]
fn bad_amendments_and_reviewer_notes_change_nothing() {
    let app = spawn_app();
    let (id, receipt) = app.submit_ok(&submission());
    let token = app.login();
    let amend = |body: Value| {
        app.post(&format!("/api/v1/receipts/{id}/amendments"))
            .header("Authorization", format!("Receipt {receipt}"))
            .json(&body)
            .send()
            .unwrap()
    };
    assert_eq!(error_code(amend(json!({"text": ""}))).0, 422);
    assert_eq!(error_code(amend(json!({"text": "ok", "extra": 1}))).0, 400);
    let r = app
        .post(&format!("/api/v1/review/{id}/reject"))
        .bearer_auth(&token)
        .json(&json!({"reason": ""}))
        .send()
        .unwrap();
    assert_eq!(error_code(r).0, 422);
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["status"], "pending");
    assert_eq!(status["amendments"], 0);
}
