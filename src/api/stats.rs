//! `GET /api/v1/stats` (JSON or CSV), its SVG charts, and technology
//! profiles: statistics over published reports, computed from the search
//! index in one pass per request, every cell under k reports suppressed.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use search_index::{Filters, Hit, SearchQuery, Sort};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::search::{parse_query, run_search, Pairs};
use super::AppState;
use crate::report::taxonomy::{normalise, taxonomy, Resolved};
use crate::stats::charts::{self, CHARTS};
use crate::stats::phrases::{common_phrases, Phrase};
use crate::stats::tables::{is_table, write_csv, TABLES};
use crate::stats::{DurationCell, Statistics};

/// Search parameters that mean nothing for statistics.
const NOT_FOR_STATS: [&str; 3] = ["sort", "page", "per_page"];
/// Reports whose lessons are mined for a technology profile.
const LESSON_SAMPLE: usize = 2_000;
const PROFILE_TOP: usize = 10;
const PROFILE_RECENT: usize = 5;

fn refuse_paging(pairs: &[(String, String)]) -> Result<(), ApiError> {
    match pairs
        .iter()
        .find(|(k, _)| NOT_FOR_STATS.contains(&k.as_str()))
    {
        Some((k, _)) => Err(ApiError::BadRequest(
            "unknown_parameter",
            format!("{k} does not apply to statistics"),
        )),
        None => Ok(()),
    }
}

async fn compute(state: &AppState, text: String, filters: Filters) -> Result<Statistics, ApiError> {
    let index = state.search.index();
    let k = state.stats_k;
    // The whole registry's statistics only change when the index does:
    // answer repeats from the cache, keyed by the index version.
    let whole = text.trim().is_empty() && filters == Filters::default();
    let version = index.version();
    if whole {
        if let Some((v, cached)) = state.stats_cache.lock().await.as_ref() {
            if *v == version {
                return Ok(cached.clone());
            }
        }
    }
    let raw = tokio::task::spawn_blocking(move || index.stats(&text, &filters))
        .await
        .map_err(|_| ApiError::Internal("statistics task failed".into()))??;
    let stats = Statistics::from_raw(raw, k);
    if whole {
        *state.stats_cache.lock().await = Some((version, stats.clone()));
    }
    Ok(stats)
}

/// Statistics over the published reports matching `q` and the search
/// filters: counts per technology, category, trigger, contributing factor,
/// mitigation, detection, industry and severity; reports per quarter;
/// durations (count, mean, p50, p90, p99, log-scale histogram) overall, per
/// trigger and per technology category; technology × trigger, technology ×
/// contributing factor, and technologies failing together. A cell counting
/// fewer than k reports has `count: null, suppressed: true`.
/// `format=csv&table=…` gives one table as CSV (`counts`, `trend`,
/// `durations`, `histogram`, `technology_trigger`, `technology_factor`,
/// `technology_pairs`).
#[utoipa::path(
    params(
        ("q" = Option<String>, Query, description = "and every filter of /search"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
        ("table" = Option<String>, Query, description = "for csv: which table (default counts)"),
    ),
    responses((status = 200, body = Statistics), (status = 400, body = ErrorBody))
)]
#[get("/stats")]
pub async fn statistics(
    state: web::Data<AppState>,
    pairs: Pairs,
) -> Result<HttpResponse, ApiError> {
    refuse_paging(&pairs)?;
    let query = parse_query(&pairs, &["format", "table"])?;
    let param = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let csv = match param("format").unwrap_or("json") {
        "json" => false,
        "csv" => true,
        _ => {
            return Err(ApiError::BadRequest(
                "invalid_parameter",
                "format is json or csv".into(),
            ))
        }
    };
    let table = param("table").unwrap_or("counts");
    if !is_table(table) {
        let names: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
        return Err(ApiError::BadRequest(
            "invalid_parameter",
            format!("table is one of {}", names.join(", ")),
        ));
    }
    let stats = compute(&state, query.text, query.filters).await?;
    if csv {
        let body = write_csv(&stats, table)
            .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"nearmiss-{table}.csv\""),
            ))
            .body(body));
    }
    Ok(HttpResponse::Ok().json(stats))
}

/// A chart of the same statistics as SVG: `trend`, `durations` or
/// `failure-modes`; takes `q` and every search filter.
#[utoipa::path(
    params(("name" = String, Path, description = "trend, durations or failure-modes")),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = ErrorBody))
)]
#[get("/stats/charts/{name}.svg")]
pub async fn chart(
    state: web::Data<AppState>,
    path: web::Path<String>,
    pairs: Pairs,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    if !CHARTS.contains(&name.as_str()) {
        return Err(ApiError::NotFound);
    }
    refuse_paging(&pairs)?;
    let query = parse_query(&pairs, &[])?;
    let stats = compute(&state, query.text, query.filters).await?;
    let svg = tokio::task::spawn_blocking(move || charts::render(&name, &stats))
        .await
        .map_err(|_| ApiError::Internal("chart task failed".into()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

#[derive(Serialize, ToSchema)]
pub struct Share {
    pub value: String,
    pub count: Option<u64>,
    /// Fraction of this technology's reports; `null` when suppressed.
    pub share: Option<f64>,
    pub suppressed: bool,
}

/// What the evidence says about one technology.
#[derive(Serialize, ToSchema)]
pub struct TechnologyProfile {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub aliases: Vec<String>,
    /// Published reports naming it.
    pub reports: u64,
    pub k: u64,
    pub triggers: Vec<Share>,
    pub contributing_factors: Vec<Share>,
    pub mitigations: Vec<Share>,
    /// Technologies named in the same incidents.
    pub fails_with: Vec<Share>,
    /// time_to_detect, time_to_mitigate, time_to_resolve.
    pub durations: BTreeMap<String, DurationCell>,
    /// Phrases recurring in the lessons learned of at least k reports.
    pub lessons: Vec<Phrase>,
    /// The newest incidents.
    #[schema(value_type = Vec<Object>)]
    pub recent: Vec<Hit>,
}

fn shares(stats: &Statistics, dimension: &str, skip: Option<&str>) -> Vec<Share> {
    stats
        .counts
        .get(dimension)
        .into_iter()
        .flatten()
        .filter(|c| Some(c.value.as_str()) != skip)
        .take(PROFILE_TOP)
        .map(|c| Share {
            value: c.value.clone(),
            count: c.count,
            share: c
                .count
                .filter(|_| stats.total > 0)
                .map(|n| n as f64 / stats.total as f64),
            suppressed: c.suppressed,
        })
        .collect()
}

/// A technology's profile: how often it is in reports, its most common
/// triggers, contributing factors and mitigations with their shares,
/// durations, the technologies it fails together with, recurring lessons
/// and the newest reports. Names and aliases resolve (`postgres`).
#[utoipa::path(
    params(("name" = String, Path, description = "technology id, name or alias")),
    responses((status = 200, body = TechnologyProfile), (status = 404, body = ErrorBody))
)]
#[get("/technologies/{name}")]
pub async fn technology(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::NotFound);
    }
    let known = taxonomy().technology(&name).cloned();
    let id = match taxonomy().resolve_technology(&name) {
        Resolved::Known(id) => id,
        Resolved::Unknown(_) => normalise(&name),
    };
    let filters = Filters {
        tech: vec![id.clone()],
        ..Filters::default()
    };
    let stats = compute(&state, String::new(), filters.clone()).await?;
    if known.is_none() && stats.total == 0 {
        return Err(ApiError::NotFound);
    }
    let index = state.search.index();
    let lesson_filters = filters.clone();
    let lessons =
        tokio::task::spawn_blocking(move || index.lessons(&lesson_filters, LESSON_SAMPLE))
            .await
            .map_err(|_| ApiError::Internal("statistics task failed".into()))??;
    let lessons = common_phrases(&lessons, state.stats_k, PROFILE_TOP);
    let recent = run_search(
        &state,
        SearchQuery {
            text: String::new(),
            filters,
            sort: Sort::Newest,
            page: 1,
            per_page: PROFILE_RECENT,
        },
    )
    .await?
    .hits;
    let durations = stats
        .durations
        .iter()
        .map(|(m, d)| (m.clone(), d.overall.clone()))
        .collect();
    Ok(HttpResponse::Ok().json(TechnologyProfile {
        name: known
            .as_ref()
            .map_or_else(|| id.clone(), |t| t.name.clone()),
        category: known.as_ref().map(|t| t.category.clone()),
        aliases: known
            .as_ref()
            .map(|t| t.aliases.clone())
            .unwrap_or_default(),
        reports: stats.total,
        k: stats.k,
        triggers: shares(&stats, "trigger", None),
        contributing_factors: shares(&stats, "contributing_factor", None),
        mitigations: shares(&stats, "mitigation", None),
        fails_with: shares(&stats, "technology", Some(&id)),
        durations,
        lessons,
        recent,
        id,
    }))
}
