//! Accessibility checked in the browser on every page, in the states a user
//! sees them: every control has a label, images have alternative text,
//! each page has one main heading and a language, and every piece of text
//! meets WCAG AA contrast against what is actually behind it.

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::helpers::submission;
use crate::{demo_app, wait_indexed};

/// Problems on the current page, as readable lines.
const AUDIT: &str = r#"
const problems = [];
const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');

if (!document.documentElement.lang) problems.push('no lang on <html>');
const h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) problems.push(`${h1} <h1> elements`);

for (const e of document.querySelectorAll('input, select, textarea')) {
  if (e.type === 'hidden' || !visible(e)) continue;
  const named = e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
  if (!named) problems.push(`unlabelled ${describe(e)}`);
}
for (const e of document.querySelectorAll('button, a[href]')) {
  if (!visible(e)) continue;
  const name = (e.textContent || '').trim() || e.getAttribute('aria-label') ||
    [...e.querySelectorAll('img[alt]')].map((i) => i.alt).join('');
  if (!name) problems.push(`nameless ${describe(e)}`);
}
for (const e of document.querySelectorAll('img')) {
  if (!e.hasAttribute('alt')) problems.push(`no alt on ${describe(e)} ${e.getAttribute('src')}`);
}

// Contrast: the text colour over the backgrounds actually behind it.
const rgba = (s) => {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, below) => {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
};
const background = (e) => {
  const layers = [];
  for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const l of layers.reverse()) bg = over(l, bg);
  return bg;
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let node;
while ((node = walker.nextNode())) {
  if (!node.textContent.trim()) continue;
  const e = node.parentElement;
  if (!e || seen.has(e) || !visible(e) || e.closest('.vh, [hidden], option, script, style')) continue;
  if (e.closest(':disabled')) continue; // inactive controls are exempt
  seen.add(e);
  const style = getComputedStyle(e);
  const bg = background(e);
  const fg = over(rgba(style.color), bg);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  const need = large ? 3 : 4.5;
  const r = ratio(fg, bg);
  if (r < need) {
    problems.push(`contrast ${r.toFixed(2)} < ${need} for ${describe(e)}: ${JSON.stringify(node.textContent.trim().slice(0, 40))} (${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
  }
}
return problems;
"#;

fn audit(b: &Browser, page: &str, failures: &mut Vec<String>) {
    // Nothing half-faded while a request is in flight.
    b.wait_for(
        "the page to settle",
        "!document.body.classList.contains('loading')",
    );
    if let Value::Array(problems) = b.js(AUDIT) {
        for p in problems {
            failures.push(format!("{page}: {}", p.as_str().unwrap_or_default()));
        }
    }
}

#[test]
fn every_page_has_labels_alternatives_headings_and_aa_contrast() {
    let app = demo_app();
    let token = app.login();
    let (pending, _) = app.submit_ok(&submission());
    let (published, _) = app.submit_ok(&submission());
    assert_eq!(app.approve(&token, &published).status(), 200);
    wait_indexed(&app, 501);
    let b = Browser::start(&app.base);
    let mut failures = Vec::new();

    // The search by keyboard: Tab to a facet, Enter narrows, and focus
    // stays on that facet, now selected.
    b.open("/");
    b.wait_for(
        "results",
        "document.querySelectorAll('#results > li').length === 20",
    );
    b.tab_until("#facets a.facet[data-facet='trigger']", 60);
    let value = b.js("return document.activeElement.dataset.value");
    let value = value.as_str().unwrap().to_string();
    let outline = b.js("return getComputedStyle(document.activeElement).outlineStyle");
    assert_ne!(outline, json!("none"), "focus is visible");
    b.keys(&[fantoccini::key::Key::Enter.into()]);
    b.wait_for(
        "the facet in the URL",
        &format!("location.search === '?trigger={value}'"),
    );
    b.wait_for(
        "focus back on the selected facet",
        &format!("document.activeElement.matches(\"a.facet.on[data-value='{value}']\")"),
    );

    b.open("/?tech=postgresql&sort=newest");
    b.wait_for(
        "results",
        "document.querySelectorAll('#results > li').length > 0",
    );
    audit(&b, "search", &mut failures);
    b.open("/?q=%22unclosed");
    b.wait_for(
        "the error state",
        "document.querySelector('#message.notice-error')",
    );
    audit(&b, "search error", &mut failures);
    b.open("/?q=zzqqxxj");
    b.wait_for(
        "the empty state",
        "document.querySelector('#message.notice-info')",
    );
    audit(&b, "search empty", &mut failures);

    b.open(&format!("/reports/{published}"));
    b.wait_for(
        "the report and its similar incidents",
        "!document.querySelector('#report').hasAttribute('aria-busy') && !document.querySelector('#similar-section').hidden",
    );
    audit(&b, "report", &mut failures);

    b.open("/submit");
    b.wait_for(
        "the form",
        "document.querySelectorAll('#f-trigger option').length > 10",
    );
    b.paste_into(
        "#markdown",
        "# Outage at Bluebird\n\n## Summary\n\nMaria Lopez saw 10.0.0.7 fail after the Bluebird deploy.\n",
    );
    b.wait_for(
        "the preview",
        "document.querySelector('#preview-body button[data-term]')",
    );
    audit(&b, "submit preview", &mut failures);
    b.click("input[name=mode][value=form]");
    b.wait_for("the form", "!document.querySelector('#form-mode').hidden");
    audit(&b, "submit form", &mut failures);

    b.open("/receipt");
    b.wait_for("the form", "document.querySelector('#r-secret')");
    audit(&b, "receipt", &mut failures);

    b.open("/stats");
    b.wait_for(
        "the tables",
        "document.querySelectorAll('#stats table').length >= 10",
    );
    audit(&b, "statistics", &mut failures);

    b.open("/technologies");
    b.wait_for(
        "the index",
        "document.querySelectorAll('#list li').length > 10",
    );
    audit(&b, "technologies", &mut failures);
    b.open("/technologies/postgresql");
    b.wait_for(
        "the profile",
        "document.querySelectorAll('#profile meter').length > 3",
    );
    audit(&b, "technology", &mut failures);

    b.open("/review");
    b.wait_for(
        "the sign-in form",
        "!document.querySelector('#login').hidden",
    );
    audit(&b, "review sign-in", &mut failures);
    b.type_into("#l-name", crate::helpers::REVIEWER);
    b.type_into("#l-password", crate::helpers::PASSWORD);
    b.click("#login button[type=submit]");
    b.wait_for("the console", "!document.querySelector('#console').hidden");
    b.click(&format!(".queue a[data-id='{pending}']"));
    b.wait_for("the report", "document.querySelector('#review-text')");
    audit(&b, "review", &mut failures);

    b.open("/no/such/page");
    audit(&b, "not found", &mut failures);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The audit itself finds what it looks for.
    b.js("document.querySelector('main').append(Object.assign(document.createElement('input'), { id: 'bare' }), \
          Object.assign(document.createElement('p'), { textContent: 'faint', style: 'color: #bbb' }))");
    let found = b.js(AUDIT);
    let found = found.as_array().unwrap();
    assert!(found.contains(&json!("unlabelled input#bare")), "{found:?}");
    assert!(
        found
            .iter()
            .any(|p| p.as_str().unwrap().contains("\"faint\"")),
        "{found:?}"
    );
}
