//! `GET /feeds/reports.atom`: published reports as an Atom feed, most
//! recently published first, narrowed by the search parameters, so an
//! engineer can subscribe to "new PostgreSQL incidents" in a feed reader.

use actix_web::{get, web, HttpRequest, HttpResponse};
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{NaiveDate, TimeZone, Utc};
use search_index::Sort;

use super::error::ApiError;
use super::search::{parse_query, run_search, Pairs};
use super::AppState;
use crate::report::PublishedReport;
use crate::store;

/// Entries in a feed unless `per_page` asks for fewer or more (≤ 100).
const DEFAULT_ENTRIES: usize = 50;

/// Atom feed of published reports. Takes every search parameter; `sort` is
/// always by publication, newest first.
#[utoipa::path(
    params(("q" = Option<String>, Query, description = "and every other /api/v1/search parameter")),
    responses((status = 200, content_type = "application/atom+xml"), (status = 400))
)]
#[get("/feeds/reports.atom")]
pub async fn reports(
    req: HttpRequest,
    state: web::Data<AppState>,
    pairs: Pairs,
) -> Result<HttpResponse, ApiError> {
    let mut query = parse_query(&pairs, &[])?;
    query.sort = Sort::Published;
    if !pairs.iter().any(|(k, _)| k == "per_page") {
        query.per_page = DEFAULT_ENTRIES;
    }
    let results = run_search(&state, query).await?;
    let ids: Vec<String> = results.hits.into_iter().map(|h| h.id).collect();
    // Entries carry registry dates and summaries, which the database holds.
    let found = state
        .store
        .run(move |conn| {
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(report) = store::published_by_key(conn, id)? {
                    out.push(report);
                }
            }
            Ok(out)
        })
        .await?;

    let info = req.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let self_url = match req.query_string() {
        "" => format!("{base}{}", req.path()),
        qs => format!("{base}{}?{qs}", req.path()),
    };
    let feed = build(&base, &self_url, &found);
    let mut xml = Vec::new();
    feed.write_to(&mut xml)
        .map_err(|e| ApiError::Internal(format!("writing the feed: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(xml))
}

fn build(base: &str, self_url: &str, published: &[PublishedReport]) -> Feed {
    let entries: Vec<Entry> = published.iter().map(|r| entry(base, r)).collect();
    let updated = entries
        .iter()
        .map(|e| *e.updated())
        .max()
        .unwrap_or_else(|| Utc::now().fixed_offset());
    let mut feed = Feed::default();
    // The query is part of the id: each filtered feed is its own feed.
    feed.set_id(self_url.to_string());
    feed.set_title(Text::plain("nearmiss: published incident reports"));
    feed.set_subtitle(Text::plain(
        "De-identified software postmortems, newest first",
    ));
    feed.set_updated(updated);
    let mut author = Person::default();
    author.set_name("nearmiss");
    feed.set_authors(vec![author]);
    feed.set_links(vec![
        link(self_url, "self"),
        link(&format!("{base}/"), "alternate"),
    ]);
    feed.set_entries(entries);
    feed
}

fn entry(base: &str, r: &PublishedReport) -> Entry {
    let c = &r.content;
    let mut e = Entry::default();
    e.set_id(format!("urn:uuid:{}", r.id));
    e.set_title(Text::plain(c.title.clone()));
    e.set_updated(day(&r.modified));
    e.set_published(Some(day(&r.published)));
    e.set_summary(Some(Text::plain(c.summary.clone())));
    e.set_links(vec![link(
        &format!("{base}/api/v1/reports/{}", r.id),
        "alternate",
    )]);
    let mut categories: Vec<Category> = c
        .technologies
        .iter()
        .map(|t| category(t, "technology"))
        .collect();
    categories.extend(c.trigger.iter().map(|t| category(t, "trigger")));
    e.set_categories(categories);
    e
}

fn link(href: &str, rel: &str) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l
}

fn category(term: &str, label: &str) -> Category {
    let mut c = Category::default();
    c.set_term(term);
    c.set_label(Some(label.to_string()));
    c
}

/// A registry day at midnight UTC (registry dates carry no time of day).
fn day(value: &str) -> FixedDateTime {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t).fixed_offset())
        .unwrap_or_else(|| Utc::now().fixed_offset())
}
