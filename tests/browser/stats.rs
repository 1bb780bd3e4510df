//! The statistics page: the server's SVG charts load, the tables render with
//! suppressed cells as "< k", and the same filters as search apply.

use crate::demo_app;
use crate::driver::Browser;

const CHARTS_LOADED: &str = "document.querySelectorAll('img.chart').length === 3 && \
     [...document.querySelectorAll('img.chart')].every(i => i.complete && i.naturalWidth > 0)";

#[test]
fn statistics_page_renders_charts_tables_and_filters() {
    let app = demo_app();
    let b = Browser::start(&app.base);

    b.open("/stats");
    b.wait_for("the charts", CHARTS_LOADED);
    assert!(
        b.text("#summary").starts_with("500 reports"),
        "{}",
        b.text("#summary")
    );
    assert!(b.count("#stats table") >= 10, "the tables");
    b.wait_for("a suppressed cell", "[...document.querySelectorAll('#stats td .suppressed')].some(e => e.textContent === '< 5')");
    assert!(b.count("#stats a[href*='format=csv']") >= 7, "CSV links");
    assert!(
        b.count("#stats a[href='/api/v1/stats']") == 1,
        "the JSON link"
    );
    b.screenshot("stats");

    // A facet narrows the statistics and its charts.
    let value = b
        .js("return document.querySelector(\"#facets a.facet[data-facet='tech']\").dataset.value")
        .as_str()
        .unwrap()
        .to_string();
    b.click(&format!(
        "#facets a.facet[data-facet='tech'][data-value='{value}']"
    ));
    b.wait_for("the URL", &format!("location.search === '?tech={value}'"));
    b.wait_for(
        "filtered charts",
        &format!("[...document.querySelectorAll('img.chart')].every(i => i.getAttribute('src').endsWith('?tech={value}'))"),
    );
    b.wait_for("the charts", CHARTS_LOADED);
    b.wait_for(
        "a smaller total",
        "!document.querySelector('#summary').textContent.startsWith('500 ')",
    );
    assert!(
        b.count(&format!(
            "#stats a[href*='format=csv'][href$='tech={value}']"
        )) >= 7,
        "downloads keep the filter"
    );

    // On a phone: one column, nothing wider than the screen.
    b.resize(390, 844);
    b.open("/stats");
    b.wait_for("the charts", CHARTS_LOADED);
    b.wait_for(
        "the tables",
        "document.querySelectorAll('#stats table').length >= 10",
    );
    assert!(
        b.sideways_scroll() <= 0,
        "statistics scroll sideways by {}px",
        b.sideways_scroll()
    );
    b.screenshot_viewport("stats-phone");
    b.js("document.querySelector('#stats h2:nth-of-type(3)').scrollIntoView()");
    b.screenshot_viewport("stats-phone-tables");
}
