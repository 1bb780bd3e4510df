//! `GET /api/v1/search` and `GET /api/v1/reports/{id}/similar`.
//!
//! Searches are answered from the index alone (no database round trip), on
//! the blocking pool because scoring and facet counting are CPU work.

use actix_web::{get, web, HttpResponse};
use search_index::{Filters, Hit, SearchError, SearchQuery, SearchResults, Sort};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::{body, AppState};
use crate::report::taxonomy::{normalise, taxonomy, Resolved, Vocabulary};
use crate::store;

/// Longest query text accepted.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Values one filter may list.
const MAX_FILTER_VALUES: usize = 25;
const MAX_VALUE_CHARS: usize = 100;
const DEFAULT_PER_PAGE: usize = 20;
const DEFAULT_SIMILAR: usize = 10;
const MAX_SIMILAR: usize = 50;

/// The query string as `key=value` pairs, repeated keys kept in order.
pub type Pairs = web::Query<Vec<(String, String)>>;

/// Parses the search parameters shared by search, the feed and statistics.
/// `extra` names parameters the caller handles itself; anything else
/// unknown is an error, so a typo (`industy=`) never silently widens a query.
pub fn parse_query(pairs: &[(String, String)], extra: &[&str]) -> Result<SearchQuery, ApiError> {
    let mut q = SearchQuery {
        text: String::new(),
        filters: Filters::default(),
        sort: Sort::Relevance,
        page: 1,
        per_page: DEFAULT_PER_PAGE,
    };
    for (key, value) in pairs {
        let value = value.trim();
        match key.as_str() {
            "q" => {
                if value.chars().count() > MAX_QUERY_CHARS {
                    return Err(invalid(
                        "q",
                        format!("is longer than {MAX_QUERY_CHARS} characters"),
                    ));
                }
                q.text = value.to_string();
            }
            "tech" => push(&mut q.filters.tech, "tech", technology(value)?)?,
            "trigger" => push(
                &mut q.filters.trigger,
                "trigger",
                term(Vocabulary::Trigger, "trigger", value)?,
            )?,
            "factor" => push(
                &mut q.filters.factor,
                "factor",
                term(Vocabulary::ContributingFactor, "factor", value)?,
            )?,
            "mitigation" => push(
                &mut q.filters.mitigation,
                "mitigation",
                term(Vocabulary::Mitigation, "mitigation", value)?,
            )?,
            "industry" => push(
                &mut q.filters.industry,
                "industry",
                term(Vocabulary::Industry, "industry", value)?,
            )?,
            "severity" => push(
                &mut q.filters.severity,
                "severity",
                term(Vocabulary::Severity, "severity", value)?,
            )?,
            "detection" => push(
                &mut q.filters.detection,
                "detection",
                term(Vocabulary::Detection, "detection", value)?,
            )?,
            "year" => {
                for year in value.split(',') {
                    push(&mut q.filters.year, "year", incident_year(year.trim())?)?;
                }
            }
            "from" => q.filters.from_month = Some(value.to_string()),
            "to" => q.filters.to_month = Some(value.to_string()),
            "min_ttr" => q.filters.min_ttr = Some(number("min_ttr", value)?),
            "max_ttr" => q.filters.max_ttr = Some(number("max_ttr", value)?),
            "sort" => {
                q.sort = match value {
                    "relevance" => Sort::Relevance,
                    "newest" => Sort::Newest,
                    "longest" => Sort::Longest,
                    "published" => Sort::Published,
                    _ => {
                        return Err(invalid(
                            "sort",
                            "is one of relevance, newest, longest, published".into(),
                        ))
                    }
                }
            }
            "page" => q.page = number("page", value)? as usize,
            "per_page" => q.per_page = number("per_page", value)? as usize,
            other if extra.contains(&other) => {}
            other => {
                return Err(ApiError::BadRequest(
                    "unknown_parameter",
                    format!("unknown parameter {:?}", truncate(other)),
                ))
            }
        }
    }
    Ok(q)
}

fn invalid(name: &str, message: String) -> ApiError {
    ApiError::BadRequest("invalid_parameter", format!("{name} {message}"))
}

fn number(name: &str, value: &str) -> Result<u32, ApiError> {
    value
        .parse()
        .map_err(|_| invalid(name, "must be a whole number".into()))
}

fn push(list: &mut Vec<String>, name: &str, value: String) -> Result<(), ApiError> {
    if list.len() == MAX_FILTER_VALUES {
        return Err(invalid(
            name,
            format!("takes at most {MAX_FILTER_VALUES} values"),
        ));
    }
    if !list.contains(&value) {
        list.push(value);
    }
    Ok(())
}

fn checked(name: &str, value: &str) -> Result<(), ApiError> {
    if value.is_empty() || value.chars().count() > MAX_VALUE_CHARS {
        return Err(invalid(
            name,
            format!("values are 1 to {MAX_VALUE_CHARS} characters"),
        ));
    }
    Ok(())
}

/// An incident year, four digits.
fn incident_year(value: &str) -> Result<String, ApiError> {
    if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_string())
    } else {
        Err(invalid(
            "year",
            format!("{:?} is not a four-digit year (YYYY)", truncate(value)),
        ))
    }
}

/// A technology by id, name or alias (`postgres` → `postgresql`). Unknown
/// names are kept, normalised: reports may carry technologies the taxonomy
/// does not list yet.
fn technology(value: &str) -> Result<String, ApiError> {
    checked("tech", value)?;
    Ok(match taxonomy().resolve_technology(value) {
        Resolved::Known(id) => id,
        Resolved::Unknown(_) => normalise(value),
    })
}

/// A vocabulary term by id or alias. Closed vocabularies (industry,
/// severity) reject values they do not list, naming the valid ones.
fn term(vocabulary: Vocabulary, name: &str, value: &str) -> Result<String, ApiError> {
    checked(name, value)?;
    match taxonomy().resolve(vocabulary, value) {
        Resolved::Known(id) => Ok(id),
        Resolved::Unknown(id) if vocabulary.is_open() => Ok(id),
        Resolved::Unknown(_) => {
            let valid: Vec<&str> = taxonomy()
                .terms(vocabulary)
                .iter()
                .map(|t| t.id.as_str())
                .collect();
            Err(invalid(name, format!("is one of {}", valid.join(", "))))
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Syntax {
                position,
                message,
                hint,
            } => ApiError::QuerySyntax {
                message,
                position,
                hint,
            },
            SearchError::TooDeep { .. } => ApiError::BadRequest("too_deep", e.to_string()),
            SearchError::InvalidParameter { .. } => {
                ApiError::BadRequest("invalid_parameter", e.to_string())
            }
            SearchError::Index(cause) => ApiError::Internal(format!("search index: {cause}")),
        }
    }
}

/// Runs `query` on the serving index off the async executor.
pub async fn run_search(state: &AppState, query: SearchQuery) -> Result<SearchResults, ApiError> {
    let index = state.search.index();
    tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|_| ApiError::Internal("search task failed".into()))?
        .map_err(ApiError::from)
}

/// Search published reports. `q` is full text, AND by default, with
/// `"phrases"`, `field:value` (title, summary, narrative, root_causes,
/// lessons, timeline, amendments), `-exclusion`, `OR` and parentheses;
/// technology aliases expand (`postgres` finds `postgresql`). A query that
/// does not parse is refused with 400 `query_syntax`, its position and a
/// hint. Filters repeat (OR within one, AND across). Facet counts for each
/// facet apply every filter but that facet's own.
#[utoipa::path(
    params(
        ("q" = Option<String>, Query, description = "full-text query"),
        ("tech" = Option<Vec<String>>, Query, description = "technology id or alias; repeatable"),
        ("trigger" = Option<Vec<String>>, Query, description = "repeatable"),
        ("factor" = Option<Vec<String>>, Query, description = "contributing factor; repeatable"),
        ("mitigation" = Option<Vec<String>>, Query, description = "repeatable"),
        ("industry" = Option<Vec<String>>, Query, description = "repeatable"),
        ("severity" = Option<Vec<String>>, Query, description = "repeatable"),
        ("detection" = Option<Vec<String>>, Query, description = "repeatable"),
        ("year" = Option<Vec<String>>, Query, description = "incident year, YYYY; repeatable or comma-separated; unlike from/to, also finds reports whose month was withheld"),
        ("from" = Option<String>, Query, description = "first incident month, YYYY-MM; reports whose month was withheld never match"),
        ("to" = Option<String>, Query, description = "last incident month, YYYY-MM; reports whose month was withheld never match"),
        ("min_ttr" = Option<u32>, Query, description = "minimum minutes to resolve"),
        ("max_ttr" = Option<u32>, Query, description = "maximum minutes to resolve"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest, longest, published"),
        ("page" = Option<u32>, Query, description = "from 1"),
        ("per_page" = Option<u32>, Query, description = "1 to 100; page × per_page ≤ 10,000"),
    ),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody))
)]
#[get("/search")]
pub async fn search(state: web::Data<AppState>, pairs: Pairs) -> Result<HttpResponse, ApiError> {
    let query = parse_query(&pairs, &[])?;
    let results = run_search(&state, query).await?;
    Ok(HttpResponse::Ok().json(results))
}

/// Documentation shape of a search response.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    /// id, title, month, year, technologies, trigger, severity, score and an HTML
    /// snippet (matched words in `<mark>`, everything else escaped).
    pub hits: Vec<serde_json::Value>,
    /// facet → value → count, for tech, trigger, factor, mitigation,
    /// industry, severity, detection and year.
    pub facets: serde_json::Value,
}

#[derive(Serialize)]
struct SimilarResponse {
    hits: Vec<Hit>,
}

/// Published reports most like this one: shared wording, then shared
/// technologies and trigger. Never the report itself.
#[utoipa::path(
    params(
        ("id" = String, Path, description = "report id (UUID)"),
        ("limit" = Option<u32>, Query, description = "1 to 50, default 10"),
    ),
    responses((status = 200, body = SearchResponse), (status = 404, body = ErrorBody))
)]
#[get("/reports/{id}/similar")]
pub async fn similar(
    state: web::Data<AppState>,
    path: web::Path<String>,
    pairs: Pairs,
) -> Result<HttpResponse, ApiError> {
    let id = body::report_id(&path)?;
    let mut limit = DEFAULT_SIMILAR;
    for (key, value) in pairs.iter() {
        match key.as_str() {
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_SIMILAR).contains(n))
                    .ok_or_else(|| invalid("limit", format!("is 1 to {MAX_SIMILAR}")))?;
            }
            other => {
                return Err(ApiError::BadRequest(
                    "unknown_parameter",
                    format!("unknown parameter {:?}", truncate(other)),
                ))
            }
        }
    }
    // The database decides what exists; the index may lag it by a moment.
    state
        .store
        .run(move |conn| store::published(conn, &id).map(|_| ()))
        .await?;
    let index = state.search.index();
    let key = id.to_string();
    let hits = tokio::task::spawn_blocking(move || index.similar(&key, limit))
        .await
        .map_err(|_| ApiError::Internal("search task failed".into()))??;
    Ok(HttpResponse::Ok().json(SimilarResponse { hits }))
}
