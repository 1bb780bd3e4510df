//! Submitting: a Markdown postmortem previews its redactions live, a
//! leftover word is declared with one click, the receipt is shown once and
//! works on the receipt page; and the whole submission by keyboard alone.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::driver::Browser;
use crate::helpers::spawn_app;

const POSTMORTEM: &str = "# Checkout outage after a Bluebird deploy

## Summary

Maria Lopez at Acme saw checkout fail after the Bluebird deploy. Mail ops@acme.example; the primary db1.acme.internal at 10.0.0.7 refused connections.

## Timeline

- 14:02 deploy of Bluebird started
- 14:10 alerts fired and Maria Lopez was paged
- 14:40 rolled back

## Root cause

A configuration flag turned off the PostgreSQL connection pool.

## Lessons learned

- Canary every deploy, even configuration-only ones.
";

fn preview_text(b: &Browser) -> String {
    b.text("#preview-text")
}

#[test]
fn markdown_submission_previews_declares_and_shows_the_receipt_once() {
    let app = spawn_app();
    let b = Browser::start(&app.base);

    b.open("/submit");
    b.wait_for("the form", "document.querySelector('#markdown')");
    // An uploaded file fills the text box and is previewed at once.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("postmortem.md");
    std::fs::write(
        &file,
        "# Queue backlog after a Heronsgate cut-over\n\n## Summary\n\nWorkers stalled.\n",
    )
    .unwrap();
    b.upload("#md-file", &file);
    b.wait_for(
        "the uploaded text",
        "document.querySelector('#markdown').value.startsWith('# Queue backlog')",
    );
    b.wait_for(
        "its preview",
        "document.querySelector('#preview-text') && document.querySelector('#preview-text').textContent.includes('Queue backlog')",
    );
    b.type_into("#t-organization", "Acme");
    b.paste_into("#markdown", POSTMORTEM);
    b.wait_for(
        "the preview with placeholders",
        "[...document.querySelectorAll('#preview-text mark.ph')].some(m => m.textContent === '[PERSON-1]')",
    );
    let text = preview_text(&b);
    for gone in [
        "Maria Lopez",
        "Acme",
        "ops@acme.example",
        "10.0.0.7",
        "db1.acme.internal",
    ] {
        assert!(!text.contains(gone), "{gone} survives the preview: {text}");
    }
    assert!(
        b.text("#preview-body table").contains("People"),
        "findings per kind"
    );
    assert!(
        b.count("#preview-body .checklist li") == 10,
        "the completeness checklist"
    );
    assert!(
        b.text("#preview-body .checklist")
            .contains("List the technologies"),
        "hints"
    );
    b.wait_for(
        "the leftover warning",
        "document.querySelector(\"#preview-body button[data-term='Bluebird']\")",
    );
    assert!(text.contains("Bluebird"));
    b.screenshot("submit-preview");

    // One click declares it; the preview follows.
    b.click("#preview-body button[data-term='Bluebird']");
    b.wait_for(
        "Bluebird declared",
        "document.querySelector('#t-other').value === 'Bluebird'",
    );
    b.wait_for(
        "Bluebird redacted",
        "document.querySelector('#preview-text') && !document.querySelector('#preview-text').textContent.includes('Bluebird') \
         && !document.querySelector(\"#preview-body button[data-term='Bluebird']\")",
    );

    b.click("#send");
    b.wait_for("the receipt", "document.querySelector('#receipt-secret')");
    let id = b.text("#receipt-id");
    let receipt = b.text("#receipt-secret");
    assert_eq!(receipt.len(), 43, "{receipt:?}");
    assert!(b.text("#done").contains("cannot be recovered"));
    assert!(b.count("#done button") == 2, "copy buttons");
    assert_eq!(b.active_id(), "done", "focus moves to the receipt");
    assert!(
        b.js("return document.querySelector('#submission').hidden")
            .as_bool()
            == Some(true),
        "the form and what was typed are gone"
    );
    b.screenshot("submit-receipt");

    // What was stored: de-identified, the declared word too.
    let token = app.login();
    let item: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let stored = item["content"].to_string();
    for gone in ["Maria", "Acme", "Bluebird", "10.0.0.7"] {
        assert!(!stored.contains(gone), "{gone} was stored: {stored}");
    }

    // The receipt page.
    b.open(&format!("/receipt?id={id}"));
    b.wait_for(
        "the receipt field",
        "document.activeElement.id === 'r-secret'",
    );
    b.type_into("#r-secret", &receipt);
    b.click("#lookup button[type=submit]");
    b.wait_for("the status", "document.querySelector('#status-title')");
    assert_eq!(b.text("#status-title"), "Status: Waiting for review");

    // A reviewer's question reaches it; an amendment answers it.
    let r = app
        .post(&format!("/api/v1/review/{id}/questions"))
        .bearer_auth(&token)
        .json(&json!({"question": "Which database version was this?"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    b.click("#lookup button[type=submit]");
    b.wait_for(
        "the question",
        "document.querySelector('#status').textContent.includes('Which database version')",
    );
    b.type_into("#a-text", "PostgreSQL 15.4; Maria Lopez confirmed it.");
    b.click("#amend button[type=submit]");
    b.wait_for(
        "the amendment",
        "document.querySelector('#message').textContent.includes('Amendment received')",
    );
    b.screenshot("receipt");
    b.resize(390, 844);
    assert!(
        b.sideways_scroll() <= 0,
        "the receipt page scrolls sideways by {}px on a phone",
        b.sideways_scroll()
    );
    b.screenshot_viewport("receipt-phone");
    b.resize(1280, 900);
    let status: Value = app.receipt(&id, &receipt).json().unwrap();
    assert_eq!(status["amendments"], 1);

    // Withdraw, with the confirmation ticked.
    b.click("#w-confirm");
    b.click("#withdraw button[type=submit]");
    b.wait_for(
        "withdrawn",
        "document.querySelector('#status-title').textContent === 'Status: Withdrawn'",
    );
    assert_eq!(app.receipt(&id, &receipt).status(), 401);
}

#[test]
fn a_postmortem_can_be_submitted_by_keyboard_alone() {
    let app = spawn_app();
    let b = Browser::start(&app.base);

    b.open("/submit");
    b.wait_for("the form", "document.querySelector('#markdown')");
    // The first Tab reaches the skip link, which is visible when focused.
    b.keys(&[Key::Tab.into()]);
    assert_eq!(
        b.js("return document.activeElement.className"),
        json!("skip")
    );
    let outline = b.js("return getComputedStyle(document.activeElement).outlineStyle");
    assert_ne!(outline, json!("none"), "focus is visible");

    b.tab_to("markdown", 20);
    b.type_keys("# Cache stampede after a TTL change\n\n## Summary\n\nEvery key expired at once and the database fell over.\n\n## Lessons learned\n\n- Jitter the TTLs.\n");
    b.wait_for(
        "the preview",
        "document.querySelector('#preview-text') && document.querySelector('#preview-text').textContent.includes('Cache stampede')",
    );
    b.tab_to("send", 20);
    let outline = b.js("return getComputedStyle(document.activeElement).outlineStyle");
    assert_ne!(outline, json!("none"), "the focused button shows it");
    b.keys(&[Key::Enter.into()]);
    b.wait_for("the receipt", "document.querySelector('#receipt-secret')");
    assert_eq!(b.active_id(), "done", "focus moves to the receipt");
    let id = b.text("#receipt-id");
    let receipt = b.text("#receipt-secret");
    assert_eq!(app.receipt(&id, &receipt).status(), 200);

    // The copy buttons work from the keyboard too.
    b.keys(&[Key::Tab.into()]);
    b.keys(&[Key::Tab.into()]);
    let label = b.js("return document.activeElement.textContent");
    assert_eq!(label, json!("Copy receipt"));
    b.keys(&[Key::Enter.into()]);
    b.wait_for(
        "the copy to answer",
        "document.activeElement.textContent !== 'Copy receipt'",
    );
    b.screenshot("submit-keyboard");
}

#[test]
fn the_form_follows_the_schema() {
    let app = spawn_app();
    let b = Browser::start(&app.base);

    b.open("/submit");
    b.wait_for(
        "the vocabularies",
        "document.querySelectorAll('#f-trigger option').length > 10",
    );
    b.click("input[name=mode][value=form]");
    b.wait_for("the form", "!document.querySelector('#form-mode').hidden");
    b.type_into(
        "#f-title",
        "Replica resync loop after a network blip at Fernhill",
    );
    b.type_into(
        "#f-summary",
        "Redis replicas kept requesting full resyncs for two hours.",
    );
    b.type_into("#f-narrative", "The backlog was too small, so every reconnect asked for a full sync. Ana Costa raised repl-backlog-size.");
    b.js("const s = document.querySelector('#f-industry'); s.value = 'e-commerce'; s.dispatchEvent(new Event('change', { bubbles: true }));");
    b.js("const s = document.querySelector('#f-severity'); s.value = 'sev2'; s.dispatchEvent(new Event('change', { bubbles: true }));");
    b.js("const s = document.querySelector('#f-trigger'); s.value = 'network-partition'; s.dispatchEvent(new Event('change', { bubbles: true }));");
    b.type_into("#f-started", "03112023");
    b.type_into("#f-ttr", "130");
    b.type_into("#f-tech", "redis, k8s");
    b.click("fieldset[data-name=contributing_factors] input[value=missing-monitoring]");
    b.type_into(
        "#f-timeline",
        "10:02 replicas disconnect\n10:40 backlog raised",
    );
    b.type_into("#f-lessons", "Size the backlog for the longest blip.");
    b.type_into(
        "#f-actions",
        "[x] Alert on full resyncs\nDocument the backlog size",
    );
    b.type_into("#t-organization", "Fernhill");
    b.wait_for(
        "the preview",
        "document.querySelector('#preview-text') && document.querySelector('#preview-text').textContent.includes('[ORG]') \
         && document.querySelector('#preview-text').textContent.includes('T+38m')",
    );
    let text = b.text("#preview-text");
    assert!(
        !text.contains("Fernhill") && !text.contains("Ana Costa"),
        "{text}"
    );
    assert!(
        text.contains("Redis") && text.contains("Kubernetes"),
        "aliases resolve: {text}"
    );
    b.screenshot("submit-form");
    b.click("#send");
    b.wait_for("the receipt", "document.querySelector('#receipt-secret')");
    let id = b.text("#receipt-id");
    let token = app.login();
    let item: Value = app
        .get(&format!("/api/v1/review/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let c = &item["content"];
    assert_eq!(c["industry"], "e-commerce");
    assert_eq!(c["incident"]["severity"], "sev2");
    assert_eq!(c["trigger"], "network-partition");
    assert_eq!(c["technologies"], json!(["redis", "kubernetes"]));
    assert_eq!(c["action_items"][0]["status"], "done");
    assert_eq!(c["incident"]["time_to_resolve_minutes"], 130);
}
