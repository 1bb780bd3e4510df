//! The review console: sign in (the session in an HttpOnly, SameSite=Strict
//! cookie), see the report with its placeholders and warnings, redact more,
//! approve, and find the report by search; and CSRF: a change with the
//! cookie but without the token is refused, in the browser and over HTTP.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::helpers::{spawn_app, submission, TestApp, PASSWORD, REVIEWER};

fn sign_in(b: &Browser) {
    b.open("/review");
    b.wait_for(
        "the sign-in form",
        "!document.querySelector('#login').hidden",
    );
    b.screenshot("review-sign-in");
    b.type_into("#l-name", REVIEWER);
    b.type_into("#l-password", PASSWORD);
    b.click("#login button[type=submit]");
    b.wait_for("the console", "!document.querySelector('#console').hidden");
}

#[test]
fn reviewer_signs_in_redacts_approves_and_search_finds_it() {
    let app = spawn_app();
    let (id, _) = app.submit_ok(&submission());
    let mut thin = submission();
    thin["title"] = json!("Short note about a cache outage");
    let (other, other_receipt) = app.submit_ok(&thin);
    let b = Browser::start(&app.base);

    sign_in(&b);
    assert!(b.text("#who").contains(REVIEWER));
    // The cookie belongs to the API's path; look at it from there.
    b.open("/api/v1/auth/session");
    let (http_only, same_site) = b.cookie("nearmiss_session").expect("a session cookie");
    assert!(http_only, "the session cookie is HttpOnly");
    assert_eq!(same_site, "Strict");
    assert_eq!(
        b.js("return document.cookie.includes('nearmiss_session')"),
        json!(false),
        "scripts cannot read the session"
    );
    b.open("/review");
    b.wait_for(
        "the queue",
        &format!("document.querySelector(\".queue a[data-id='{id}']\")"),
    );
    assert!(b.text(".queue").contains("completeness"));
    assert!(b.text(".queue").contains("received today"), "the age");

    // Ask the submitter a question, then reject with a reason.
    b.click(&format!(".queue a[data-id='{other}']"));
    b.wait_for("the report", "document.querySelector('#form-question')");
    b.type_into("#d-question", "Which cache was it?");
    b.click("#form-question button[type=submit]");
    b.wait_for(
        "the question to be listed",
        "document.querySelector('#item').textContent.includes('Which cache was it?') && \
         document.querySelector('#message').textContent.includes('Question sent')",
    );
    b.click("#form-reason button[type=submit]");
    assert_eq!(b.active_id(), "d-reason", "a reason is required");
    b.type_into("#d-reason", "Too little detail to help anyone.");
    b.click("#form-reason button[type=submit]");
    b.wait_for(
        "the rejection",
        "document.querySelector('#message').textContent.includes('Rejected')",
    );
    assert_eq!(
        b.count(&format!(".queue a[data-id='{other}']")),
        0,
        "a decided report leaves the queue"
    );
    let status: Value = app.receipt(&other, &other_receipt).json().unwrap();
    assert_eq!(status["status"], "rejected", "{status}");
    assert_eq!(
        status["rejection_reason"], "Too little detail to help anyone.",
        "{status}"
    );
    assert!(
        status.to_string().contains("Which cache was it?"),
        "{status}"
    );

    b.click(&format!(".queue a[data-id='{id}']"));
    b.wait_for("the report", "document.querySelector('#review-text')");
    assert_eq!(
        b.js("return document.querySelector('#message').hidden"),
        json!(true),
        "the notice about the rejected report is gone"
    );
    assert!(
        b.url().ends_with(&format!("/review?id={id}")),
        "{}",
        b.url()
    );
    assert!(
        b.count("#review-text mark.ph") >= 3,
        "placeholders highlighted"
    );
    assert!(b.text("#review-text").contains("[PERSON-1]"));
    assert!(b.count("#anonymity") == 1, "the anonymity check is shown");
    b.screenshot("review");
    b.resize(390, 844);
    assert!(
        b.sideways_scroll() <= 0,
        "the console scrolls sideways by {}px on a phone",
        b.sideways_scroll()
    );
    b.js("document.querySelector('#item').scrollIntoView()");
    b.screenshot_viewport("review-phone");
    b.resize(1280, 900);

    // Redact a typed term everywhere.
    assert!(b.text("#review-text").contains("sidecars"));
    b.type_into("#x-term", "sidecars");
    b.click("#extra button[type=submit]");
    b.wait_for(
        "the redaction",
        "!document.querySelector('#review-text').textContent.includes('sidecars')",
    );

    // Redact a selection: select a word in the report, then the button.
    b.js(
        "const walker = document.createTreeWalker(document.querySelector('#review-text'), NodeFilter.SHOW_TEXT); \
         let n; while ((n = walker.nextNode())) { const i = n.textContent.indexOf('Dashboards'); \
           if (i >= 0) { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 10); \
             const s = getSelection(); s.removeAllRanges(); s.addRange(r); break; } }",
    );
    b.wait_for(
        "the selection",
        "getSelection().toString() === 'Dashboards'",
    );
    b.click("#extra button[type=button]");
    b.wait_for(
        "the term from the selection",
        "document.querySelector('#x-term').value === 'Dashboards'",
    );
    b.click("#extra button[type=submit]");
    b.wait_for(
        "the second redaction",
        "!document.querySelector('#review-text').textContent.includes('Dashboards')",
    );

    b.type_into(
        "#d-synopsis",
        "An expired intermediate certificate stopped mTLS across the mesh.",
    );
    b.click("#form-synopsis button[type=submit]");
    b.wait_for(
        "the approval",
        "document.querySelector('#message').textContent.includes('Approved and published')",
    );
    assert!(b.text("#queue").contains("Nothing is waiting"));
    b.screenshot("review-approved");

    // Published and searchable.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        b.open("/?q=intermediate+certificate");
        b.wait_for(
            "the search to answer",
            "!document.querySelector('#summary').textContent.startsWith('Loading')",
        );
        if b.count(&format!("#results a[href='/reports/{id}']")) == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the approved report never became searchable"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    b.click(&format!("#results a[href='/reports/{id}']"));
    b.wait_for("the synopsis", "document.querySelector('.synopsis')");
    let page = b.text("#report");
    assert!(
        !page.contains("sidecars") && !page.contains("Dashboards"),
        "{page}"
    );

    // Signing out ends the session and removes the cookie.
    b.open("/review");
    b.wait_for("the console", "!document.querySelector('#console').hidden");
    b.click("#logout");
    b.wait_for(
        "the sign-in form",
        "!document.querySelector('#login').hidden",
    );
    b.open("/api/v1/auth/session");
    assert!(b.cookie("nearmiss_session").is_none());
}

/// `fetch` from the page, with the session cookie; (status, error code).
fn page_fetch(b: &Browser, method: &str, path: &str, csrf: Option<&str>) -> (u64, String) {
    let v = b.js_with(
        "const [method, path, csrf] = arguments; \
         return fetch(path, { method, headers: csrf === null ? {} : { 'x-csrf-token': csrf } })
           .then(async r => [r.status, ((await r.json().catch(() => null)) || { error: {} }).error?.code || '']);",
        vec![json!(method), json!(path), json!(csrf)],
    );
    (
        v[0].as_u64().unwrap(),
        v[1].as_str().unwrap_or("").to_string(),
    )
}

fn status_of(app: &TestApp, token: &str, id: &str) -> String {
    let v: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["status"].as_str().unwrap().to_string()
}

#[test]
fn a_change_with_the_session_cookie_but_no_csrf_token_is_refused() {
    let app = spawn_app();
    let (id, _) = app.submit_ok(&submission());
    let token = app.login();
    let b = Browser::start(&app.base);
    sign_in(&b);

    // In the browser: the cookie alone reads, but cannot change anything.
    assert_eq!(page_fetch(&b, "GET", "/api/v1/review/queue", None).0, 200);
    let approve = format!("/api/v1/review/{id}/approve");
    assert_eq!(
        page_fetch(&b, "POST", &approve, None),
        (403, "csrf_token_invalid".to_string())
    );
    assert_eq!(
        page_fetch(&b, "POST", &approve, Some("forged")),
        (403, "csrf_token_invalid".to_string())
    );
    assert_eq!(
        page_fetch(&b, "DELETE", "/api/v1/auth/session", None).0,
        403
    );
    assert_eq!(status_of(&app, &token, &id), "pending", "nothing changed");
    let csrf =
        b.js("return fetch('/api/v1/auth/session').then(r => r.json()).then(s => s.csrf_token);");
    let csrf = csrf.as_str().unwrap().to_string();
    assert_eq!(page_fetch(&b, "POST", &approve, Some(&csrf)).0, 200);
    assert_eq!(status_of(&app, &token, &id), "published");

    // Over plain HTTP: the cookie's attributes, and the same refusal.
    let r = app
        .post("/api/v1/auth/session")
        .json(&json!({"name": REVIEWER, "password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/api/v1;", "Max-Age="] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "no Secure flag over plain HTTP: {set_cookie}"
    );
    let session: Value = r.json().unwrap();
    assert!(
        session.get("token").is_none(),
        "the page never sees the session token"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let (id2, _) = app.submit_ok(&submission());
    let reject = format!("/api/v1/review/{id2}/reject");
    let r = app
        .post(&reject)
        .header("cookie", &cookie)
        .json(&json!({"reason": "too thin"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(status_of(&app, &token, &id2), "pending");
    let r = app
        .post(&reject)
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
        .json(&json!({"reason": "too thin"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // Behind a TLS-terminating proxy the cookie is Secure.
    let r = app
        .post("/api/v1/auth/session")
        .header("x-forwarded-proto", "https")
        .json(&json!({"name": REVIEWER, "password": PASSWORD}))
        .send()
        .unwrap();
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));

    // Bearer tokens keep working without any CSRF token.
    let (id3, _) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &id3).status(), 200);
}
