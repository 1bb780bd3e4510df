//! Report text is text: `<img onerror>` and `<script>` in a report show as
//! written on every page that displays them, and nothing runs. Checked in
//! the browser: the flag the payload would set stays unset, no alert opens,
//! and no element from the payload exists in the page.

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::helpers::{spawn_app, PASSWORD, REVIEWER};
use crate::wait_indexed;

fn hostile(title_word: &str) -> Value {
    json!({
        "title": format!("{title_word} deploy <img src=x onerror=\"window.__xss=1;alert(1)\"> broke <script>window.__xss=2</script> checkout"),
        "summary": "The <script>window.__xss=3</script> summary with <img src=x onerror=\"window.__xss=4\"> inside, after a deploy.",
        "narrative": "## What happened\n\nA <b>bold</b> <img src=x onerror=\"window.__xss=5\"> tag and <script>window.__xss=6</script> in the body.\n\n- <iframe src=\"javascript:window.__xss=7\"></iframe>",
        "technologies": ["postgres"],
        "timeline": [{"at": "T+0", "event": "<img src=x onerror=\"window.__xss=8\"> started"}],
        "lessons_learned": ["<script>window.__xss=9</script>"],
        "declared_terms": {}
    })
}

/// Nothing from the payload ran or became an element.
fn assert_inert(b: &Browser, page: &str) {
    assert_eq!(
        b.js("return typeof window.__xss"),
        json!("undefined"),
        "{page}: a payload ran"
    );
    assert_eq!(b.alert(), None, "{page}: an alert opened");
    let injected = b.count("main img[src='x'], main script, main iframe, main b");
    assert_eq!(injected, 0, "{page}: payload markup became elements");
}

#[test]
fn report_text_with_markup_renders_inert_everywhere() {
    let app = spawn_app();
    let token = app.login();
    let (published, _) = app.submit_ok(&hostile("Zebrafish"));
    assert_eq!(app.approve(&token, &published).status(), 200);
    let (pending, receipt) = app.submit_ok(&hostile("Quagga"));
    let r = app
        .post(&format!("/api/v1/review/{pending}/reject"))
        .bearer_auth(&token)
        .json(&json!({"reason": "Please explain <img src=x onerror=\"window.__xss=10\"> and <script>window.__xss=11</script>"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    wait_indexed(&app, 1);
    let b = Browser::start(&app.base);

    // The report page shows the markup as text.
    b.open(&format!("/reports/{published}"));
    b.wait_for(
        "the report",
        "document.querySelector('#report h1').textContent.includes('deploy')",
    );
    b.wait_for(
        "similar incidents to settle",
        "!document.querySelector('#similar-section').hidden",
    );
    assert_inert(&b, "report");
    let title = b.text("#report h1");
    assert!(
        title.contains("<img src=x onerror=") && title.contains("<script>window.__xss=2</script>"),
        "{title}"
    );
    assert!(b.text("#report").contains("<iframe src="));
    b.screenshot("report-inert");

    // Search: titles as text, snippets with only <mark> as markup.
    b.open("/?q=summary+deploy");
    b.wait_for(
        "the hit",
        "document.querySelectorAll('#results > li').length === 1",
    );
    assert!(
        b.text("#results")
            .contains("<script>window.__xss=2</script>"),
        "{}",
        b.text("#results")
    );
    assert!(b.count("#results .snippet mark") > 0);
    assert_inert(&b, "search");

    // The review console, for a report in the queue.
    let (queued, _) = app.submit_ok(&hostile("Okapi"));
    b.open("/review");
    b.wait_for(
        "the sign-in form",
        "!document.querySelector('#login').hidden",
    );
    b.type_into("#l-name", REVIEWER);
    b.type_into("#l-password", PASSWORD);
    b.click("#login button[type=submit]");
    b.wait_for(
        "the queue",
        &format!("document.querySelector(\".queue a[data-id='{queued}']\")"),
    );
    b.click(&format!(".queue a[data-id='{queued}']"));
    b.wait_for("the report", "document.querySelector('#review-text')");
    assert!(b
        .text("#review-text")
        .contains("<script>window.__xss=6</script>"));
    assert_inert(&b, "review");

    // The receipt page, with a reviewer's reason holding markup.
    b.open(&format!("/receipt?id={pending}"));
    b.wait_for(
        "the receipt field",
        "document.activeElement.id === 'r-secret'",
    );
    b.type_into("#r-secret", &receipt);
    b.click("#lookup button[type=submit]");
    b.wait_for("the status", "document.querySelector('#status-title')");
    assert!(
        b.text("#status")
            .contains("<script>window.__xss=11</script>"),
        "{}",
        b.text("#status")
    );
    assert_inert(&b, "receipt");

    // The submit preview of the same text.
    b.open("/submit");
    b.wait_for("the form", "document.querySelector('#markdown')");
    b.paste_into(
        "#markdown",
        "# Outage <img src=x onerror=\"window.__xss=12\">\n\n## Summary\n\n<script>window.__xss=13</script> happened.\n",
    );
    b.wait_for("the preview", "document.querySelector('#preview-text')");
    assert!(b
        .text("#preview-text")
        .contains("<script>window.__xss=13</script>"));
    assert_inert(&b, "submit preview");
}
