//! Searching: a facet narrows the results and the URL, a query highlights
//! its words, a result opens its report with similar incidents; the
//! technology pages and the 404 page; and the search page on a phone.

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::helpers::submission;
use crate::{demo_app, wait_indexed};

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
fn the_year_facet_finds_reports_whose_month_was_withheld() {
    let app = demo_app();
    // A report from a year the demo data does not cover: no cohort reaches
    // k, so it is published with its year but without its month.
    let mut body = submission();
    body["incident"]["started_at"] = json!("2018-11-03T02:14:00+01:00");
    body["timeline"][0]["at"] = json!("2018-11-03T02:14:00+01:00");
    let (id, _) = app.submit_ok(&body);
    let token = app.login();
    assert_eq!(app.approve(&token, &id).status(), 200);
    wait_indexed(&app, 501);
    let report: Value = app
        .get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(report["incident"]["month"].is_null(), "{report}");
    assert_eq!(report["incident"]["year"], "2018");

    let b = Browser::start(&app.base);
    b.open("/");
    b.wait_for(
        "the year facet",
        "document.querySelectorAll(\"#facets a.facet[data-facet='year']\").length > 0",
    );
    // The oldest year is folded away with the rest; unfold it and pick it.
    let year = "#facets a.facet[data-facet='year'][data-value='2018']";
    if b.js(&format!(
        "return document.querySelector(\"{year}\").offsetParent === null"
    )) == json!(true)
    {
        b.click("#facet-year ~ button.more");
    }
    assert_eq!(b.text(&format!("{year} .facet-count")), "1");
    b.click(year);
    b.wait_for(
        "the URL to carry the year",
        "location.search === '?year=2018'",
    );
    b.wait_for(
        "the one report",
        &format!(
            "document.querySelectorAll('#results > li').length === 1 && \
             document.querySelector(\"#results a[href='/reports/{id}']\")"
        ),
    );
    assert_eq!(shown_total(&b), 1);
    assert!(
        b.text("#results .meta").contains("2018 (month withheld)"),
        "{}",
        b.text("#results .meta")
    );
    assert!(
        b.count(&format!("{year}.on")) == 1,
        "the year shows as active"
    );
    assert!(
        b.text("#active").contains("2018"),
        "the active filter is listed: {}",
        b.text("#active")
    );
    b.screenshot("search-year");

    // A second year widens the search (OR within the facet) ...
    b.click("#facets a.facet[data-facet='year'][data-value='2019']");
    b.wait_for(
        "both years in the URL",
        "location.search === '?year=2018&year=2019'",
    );
    let api: Value = app
        .get("/api/v1/search?per_page=1&year=2018,2019")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let both = api["total"].as_u64().unwrap();
    assert!(both > 1);
    b.wait_for(
        "the wider total",
        &format!("document.querySelector('#summary').textContent.startsWith('{both} ')"),
    );
    // ... and clicking an active year removes it again.
    b.click(year);
    b.wait_for("one year left", "location.search === '?year=2019'");
    b.wait_for(
        "the report gone",
        &format!("!document.querySelector(\"#results a[href='/reports/{id}']\")"),
    );

    // A month range covering the whole year misses the report.
    b.open("/?from=2018-01&to=2018-12");
    b.wait_for(
        "the empty state",
        "document.querySelector('#message').textContent.includes('Nothing matches')",
    );
    assert!(b.text("#active").contains("Months: 2018-01 to 2018-12"));

    // Statistics take the same filter from the URL.
    b.open("/stats?year=2018");
    b.wait_for(
        "the statistics",
        "document.querySelector('#summary').textContent.startsWith('1 report')",
    );
    assert!(b.count(&format!("{year}.on")) == 1);

    // Pages and sorting keep the filter and live in the URL too.
    b.open("/?year=2019");
    b.wait_for(
        "results",
        "document.querySelectorAll('#results > li').length === 20",
    );
    let first = b.text("#results > li h3 a");
    b.click("#pages a[rel=next]");
    b.wait_for("page 2", "location.search === '?year=2019&page=2'");
    b.wait_for(
        "the second page",
        "document.querySelector('#pages .current').textContent === 'Page 2'",
    );
    b.wait_for(
        "other results",
        &format!(
            "document.querySelector('#results > li h3 a').textContent !== {}",
            json!(first)
        ),
    );
    b.click("#sort option[value=newest]");
    b.wait_for(
        "the sort in the URL, back on page 1",
        "location.search === '?year=2019&sort=newest'",
    );
    b.wait_for(
        "the first page",
        "document.querySelector('#pages .current').textContent === 'Page 1'",
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

    // A report and a technology profile fit a phone too.
    let hit: Value = app
        .get("/api/v1/search?per_page=1&tech=postgresql")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = hit["hits"][0]["id"].as_str().unwrap().to_string();
    b.open(&format!("/reports/{id}"));
    b.wait_for(
        "the report",
        "!document.querySelector('#report').hasAttribute('aria-busy')",
    );
    assert!(
        b.sideways_scroll() <= 0,
        "a report scrolls sideways by {}px",
        b.sideways_scroll()
    );
    b.screenshot_viewport("report-phone");
    b.open("/technologies/postgresql");
    b.wait_for(
        "shares",
        "document.querySelectorAll('#profile meter').length > 3",
    );
    assert!(
        b.sideways_scroll() <= 0,
        "a profile scrolls sideways by {}px",
        b.sideways_scroll()
    );
    b.screenshot_viewport("technology-phone");
}
