//! Every review route is closed without a live reviewer session.

use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

fn review_routes(id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GET", "/api/v1/review/queue".to_string()),
        ("GET", format!("/api/v1/review/{id}")),
        ("POST", format!("/api/v1/review/{id}/approve")),
        ("POST", format!("/api/v1/review/{id}/reject")),
        ("POST", format!("/api/v1/review/{id}/questions")),
        ("POST", "/api/v1/auth/logout".to_string()),
    ]
}

fn assert_all_closed(app: &TestApp, id: &str, token: Option<&str>) {
    for (method, path) in review_routes(id) {
        let mut req = match method {
            "GET" => app.get(&path),
            _ => app
                .post(&path)
                .json(&json!({"reason": "x", "question": "x"})),
        };
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let (status, code) = error_code(req.send().unwrap());
        assert_eq!(
            (status, code.as_str()),
            (401, "unauthenticated"),
            "{method} {path} with {token:?}"
        );
    }
}

#[test]
fn review_routes_need_a_live_session() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_SESSION_TTL_SECONDS", "2".into())],
        ..Default::default()
    });
    let (id, receipt) = app.submit_ok(&submission());
    assert_all_closed(&app, &id, None);
    assert_all_closed(&app, &id, Some("garbage"));
    assert_all_closed(&app, &id, Some("00000000-0000-4000-8000-000000000000.AAAA"));

    // A real token works, then expires.
    let token = app.login();
    assert_eq!(app.queue_len(&token), 1);
    std::thread::sleep(Duration::from_millis(2500));
    assert_all_closed(&app, &id, Some(&token));

    // Logout ends a session at once.
    let token = app.login();
    let r = app
        .post("/api/v1/auth/logout")
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_all_closed(&app, &id, Some(&token));

    // Nothing changed: still pending, as its submitter sees it.
    let status: serde_json::Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["status"], "pending");
}

#[test]
fn login_rejects_wrong_credentials_and_is_rate_limited() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_LOGIN_PER_MINUTE", "4".into())],
        ..Default::default()
    });
    for (name, password) in [(REVIEWER, "wrong password!"), ("nobody", PASSWORD)] {
        let r = app
            .post("/api/v1/auth/login")
            .json(&json!({"name": name, "password": password}))
            .send()
            .unwrap();
        assert_eq!(error_code(r), (401, "invalid_credentials".to_string()));
    }
    let mut limited = false;
    for _ in 0..6 {
        let r = app
            .post("/api/v1/auth/login")
            .json(&json!({"name": REVIEWER, "password": "wrong password!"}))
            .send()
            .unwrap();
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
            assert_eq!(error_code(r).1, "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "repeated logins were never rate limited");
}

#[test]
fn stored_secrets_are_argon2id_hashes() {
    let mut app = spawn_app();
    let (_, receipt) = app.submit_ok(&submission());
    let token = app.login();
    let secret = token.split_once('.').unwrap().1.to_string();
    app.kill();
    let data = app.data_dir();
    for needle in [receipt.as_str(), secret.as_str(), PASSWORD] {
        assert!(
            stored_containing(&data, needle).is_empty(),
            "a secret is stored in clear"
        );
    }
    assert!(!stored_containing(&data, "$argon2id$v=19$m=19456,t=2,p=1$").is_empty());
}

#[test]
fn receipt_guessing_is_rate_limited() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_RECEIPT_PER_MINUTE", "5".into())],
        ..Default::default()
    });
    let (id, receipt) = app.submit_ok(&submission());
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(app.receipt(&id, &format!("guess-{i}")).status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    // The limit counts the client, so even the right receipt waits now.
    assert_eq!(app.receipt(&id, &receipt).status(), 429);
}
