//! Searching: a facet narrows the results and the URL, a query highlights
//! its words, a result opens its report with similar incidents; the
//! technology pages and the 404 page; and the search page on a phone.

use serde_json::{json, Value};

use crate::demo_app;
use crate::driver::Browser;

fn shown_total(b: &Browser) -> u64 {
    b.text("#summary")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .replace(',', "")
        .parse()
        .unwrap_or(0)
}

#[test]
fn search_narrow_by_facet_open_report_and_follow_similar() {
    let app = demo_app();
    let b = Browser::start(&app.base);

    b.open("/");
    b.wait_for(
        "results",
        "document.querySelectorAll('#results > li').length === 20",
    );
    let before = shown_total(&b);
    assert_eq!(
        before,
        500,
        "every demo report is listed: {}",
        b.text("#summary")
    );
    assert!(b.count("#facets a.facet[data-facet='tech']") > 10);
    assert!(
        b.count("#facets details.group summary") >= 3,
        "technologies are grouped by category"
    );
    b.screenshot("search");

    // Narrow by the first trigger in the sidebar.
    let value = b
        .js("return document.querySelector(\"#facets a.facet[data-facet='trigger']\").dataset.value")
        .as_str()
        .unwrap()
        .to_string();
    b.click(&format!(
        "#facets a.facet[data-facet='trigger'][data-value='{value}']"
    ));
    b.wait_for(
        "the URL to carry the trigger",
        &format!("location.search.includes('trigger={value}')"),
    );
    b.wait_for(
        "the facet to show as active",
        &format!("document.querySelector(\"a.facet.on[data-value='{value}']\")"),
    );
    b.wait_for(
        "the count to change",
        &format!("!document.querySelector('#summary').textContent.startsWith('{before} ')"),
    );
    let after = shown_total(&b);
    let api: Value = app
        .get(&format!("/api/v1/search?per_page=1&trigger={value}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(after > 0 && after < before, "{after} of {before}");
    assert_eq!(
        after,
        api["total"].as_u64().unwrap(),
        "the page shows the API's total"
    );
    assert!(
        b.count("#active a.chip-active") == 1,
        "the active filter is listed"
    );

    // A query on top: matched words are highlighted, and the URL holds both.
    b.type_into("#q", "failed");
    b.click("#search button[type=submit]");
    b.wait_for(
        "the query in the URL",
        "location.search.includes('q=failed')",
    );
    b.wait_for(
        "highlighted snippets",
        "document.querySelector('#results .snippet mark')",
    );
    assert!(b.url().contains(&format!("trigger={value}")), "{}", b.url());
    b.screenshot("search-narrowed");

    // Back to the facet-only search, then open the first result.
    b.js("history.back()");
    b.wait_for("the query to go", "!location.search.includes('q=failed')");
    b.wait_for("results", "document.querySelectorAll('#results > li').length > 0 && !document.body.classList.contains('loading')");
    let title = b.text("#results > li h3 a");
    b.click("#results > li h3 a");
    b.wait_for(
        "the report page",
        "location.pathname.startsWith('/reports/')",
    );
    b.wait_for(
        "the report",
        "!document.querySelector('#report').hasAttribute('aria-busy')",
    );
    assert_eq!(b.text("#report h1"), title);
    assert!(
        b.count("#report a.chip[href^='/technologies/']") > 0,
        "technologies link to their profiles"
    );
    let offset = b.text(".timeline .offset");
    assert!(offset.starts_with("T+"), "timeline as offsets: {offset:?}");
    assert!(b.count(".checklist li") == 10, "the completeness checklist");
    b.wait_for(
        "similar incidents",
        "document.querySelectorAll('#similar .hit').length > 0",
    );
    b.screenshot("report");

    let first = b.url();
    let similar = b.text("#similar .hit h3 a");
    b.click("#similar .hit h3 a");
    b.wait_for(
        "another report",
        &format!("location.href !== {}", json!(first)),
    );
    b.wait_for(
        "its title",
        &format!(
            "document.querySelector('#report h1').textContent === {}",
            json!(similar)
        ),
    );
}

#[test]
fn technologies_index_profile_not_found_and_phone_layout() {
    let app = demo_app();
    let b = Browser::start(&app.base);

    b.open("/technologies");
    b.wait_for(
        "the index",
        "document.querySelectorAll('#list li').length > 10",
    );
    assert!(b.text("#list").contains("PostgreSQL"));
    b.screenshot("technologies");
    b.type_into("#filter", "postg");
    b.wait_for(
        "the filtered index",
        "document.querySelectorAll('#list li').length === 1",
    );
    b.click("#list a[href='/technologies/postgresql']");
    b.wait_for(
        "the profile",
        "document.querySelector('#profile h1').textContent === 'PostgreSQL'",
    );
    b.wait_for(
        "shares",
        "document.querySelectorAll('#profile meter').length > 3",
    );
    b.screenshot("technology");

    // An alias resolves to the same profile.
    b.open("/technologies/postgres");
    b.wait_for(
        "the alias's profile",
        "document.querySelector('#profile h1').textContent === 'PostgreSQL'",
    );

    // Empty and error states say what to do.
    b.open("/?q=zzqqxxj");
    b.wait_for(
        "the empty state",
        "document.querySelector('#message').textContent.includes('Nothing matches')",
    );
    assert!(b.text("#message").contains("fewer or more general words"));
    b.screenshot("search-empty");
    b.open("/?q=%22unclosed");
    b.wait_for(
        "the error state",
        "document.querySelector('#message').textContent.includes('Check the query')",
    );
    assert!(
        b.text("#message").contains("close the phrase"),
        "{}",
        b.text("#message")
    );
    b.screenshot("search-error");

    b.open("/no/such/page");
    assert_eq!(b.text("h1"), "Page not found");
    b.screenshot("not-found");

    b.open("/reports/00000000-0000-4000-8000-000000000000");
    b.wait_for(
        "the not-found state",
        "document.querySelector('#report h1').textContent === 'Report not found'",
    );

    // A phone: one column, nothing wider than the screen.
    b.resize(390, 844);
    b.open("/?tech=postgresql");
    b.wait_for(
        "results",
        "document.querySelectorAll('#results > li').length > 0",
    );
    let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth");
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page scrolls sideways by {overflow}px"
    );
    b.screenshot_viewport("search-phone");
    b.js("document.querySelector('#facets').scrollIntoView()");
    b.screenshot_viewport("search-phone-filters");
    b.open("/submit");
    b.wait_for("the form", "document.querySelector('#markdown')");
    let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth");
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "submit scrolls sideways by {overflow}px"
    );
    b.screenshot_viewport("submit-phone");
}
