//! The mirrorable dataset: `GET /api/v1/export` streams every published,
//! de-identified report (and a tombstone per withdrawn one) as JSON Lines
//! or CSV, `since=DAY` for what changed; `GET /api/v1/export/dictionary`
//! describes the columns; `GET /api/v1/schema/report.json` is the JSON
//! Schema every exported line validates against.

use std::io::Write;

use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use serde_json::{json, Value};
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use super::openapi::ApiDoc;
use super::search::Pairs;
use super::AppState;
use crate::cli::parse_day;
use crate::transfer::{self, Format, CSV_DICTIONARY, EXPORT_VERSION};

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight: the database walk waits when a slow client lags.
const IN_FLIGHT: usize = 8;

const DESCRIBED_BY: &str =
    "</api/v1/schema/report.json>; rel=\"describedby\", </api/v1/export/dictionary>; rel=\"describedby\"";

/// Sends what is written to the response in chunks; fails once the client
/// has gone, which stops the export.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The published dataset, streamed: JSON Lines (default; one report per
/// line exactly as `GET /reports/{id}` gives it, then one
/// `{"id", "withdrawn": true, "modified"}` tombstone per withdrawn report)
/// or CSV (`format=csv`; the columns of `/export/dictionary`). Reports come
/// in id order, then tombstones in id order. `since=YYYY-MM-DD` keeps what
/// changed on or after that day.
#[utoipa::path(
    params(
        ("format" = Option<String>, Query, description = "jsonl (default) or csv"),
        ("since" = Option<String>, Query, description = "YYYY-MM-DD: only what changed on or after"),
    ),
    responses((status = 200, content_type = "application/x-ndjson"), (status = 400, body = ErrorBody))
)]
#[get("/export")]
pub async fn dataset(state: web::Data<AppState>, pairs: Pairs) -> Result<HttpResponse, ApiError> {
    let mut format = Format::Jsonl;
    let mut since = None;
    for (key, value) in pairs.iter() {
        match key.as_str() {
            "format" => {
                format = match value.as_str() {
                    "jsonl" => Format::Jsonl,
                    "csv" => Format::Csv,
                    _ => {
                        return Err(ApiError::BadRequest(
                            "invalid_parameter",
                            "format is jsonl or csv".into(),
                        ))
                    }
                }
            }
            "since" => {
                since = Some(
                    parse_day(value).map_err(|m| ApiError::BadRequest("invalid_parameter", m))?,
                )
            }
            other => {
                return Err(ApiError::BadRequest(
                    "unknown_parameter",
                    format!(
                        "unknown parameter {:?}",
                        other.chars().take(40).collect::<String>()
                    ),
                ))
            }
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(IN_FLIGHT);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        // The status line is gone by now; a failure can only end the body
        // early (a client sees a truncated export, never a wrong one).
        if let Err(e) = transfer::export(&store, format, since.as_deref(), &mut out) {
            if !e.to_string().contains("client gone") {
                tracing::error!(error = %e, "export stopped");
            }
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
            .map(|chunk| chunk.map(Ok::<_, actix_web::Error>))
    });
    let content_type = match format {
        Format::Jsonl => "application/x-ndjson",
        Format::Csv => "text/csv; charset=utf-8",
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("X-Nearmiss-Export-Version", EXPORT_VERSION.to_string()))
        .insert_header(("Link", DESCRIBED_BY))
        .streaming(body))
}

/// The data dictionary: every CSV column and JSON Lines record kind, with
/// types and meaning.
#[utoipa::path(responses((status = 200, description = "the data dictionary")))]
#[get("/export/dictionary")]
pub async fn dictionary() -> HttpResponse {
    let columns: Vec<Value> = CSV_DICTIONARY
        .iter()
        .map(|(name, kind, description)| json!({"name": name, "type": kind, "description": description}))
        .collect();
    HttpResponse::Ok().json(json!({
        "version": EXPORT_VERSION,
        "order": "published reports by id, then tombstones by id",
        "since": "YYYY-MM-DD: reports modified and tombstones withdrawn on or after that day",
        "jsonl": {
            "report": "a published report, exactly as GET /api/v1/reports/{id} returns it",
            "tombstone": "{\"id\", \"withdrawn\": true, \"modified\"}: delete the report with this id",
            "schema": "/api/v1/schema/report.json",
        },
        "csv": {
            "columns": columns,
            "lists": "`;`-separated taxonomy ids",
            "empty": "an empty cell is an absent value",
        },
        "taxonomy": "ids come from the registry's taxonomy (aliases resolve to one id)",
    }))
}

/// JSON Schema (draft 2020-12) of one exported JSON Lines record: a
/// published report or a tombstone. Generated from the same type
/// definitions as the OpenAPI document, so it cannot drift from the API.
#[utoipa::path(responses((status = 200, description = "a JSON Schema")))]
#[get("/schema/report.json")]
pub async fn report_schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/schema+json")
        .json(report_json_schema())
}

pub fn report_json_schema() -> Value {
    let openapi = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let mut defs = openapi["components"]["schemas"].clone();
    rewrite_refs(&mut defs);
    if let Value::Object(map) = &mut defs {
        // Closed objects: a misspelt or stray field is an error, not noise.
        // `PublishedReport` is an `allOf` (its content is flattened in), so
        // it closes with `unevaluatedProperties`; the plain objects inside
        // it with `additionalProperties`.
        if let Some(Value::Object(report)) = map.get_mut("PublishedReport") {
            report.insert("unevaluatedProperties".into(), Value::Bool(false));
        }
        for name in [
            "IncidentFacts",
            "Impact",
            "TimelineOffset",
            "ActionItem",
            "PublishedAmendment",
        ] {
            if let Some(Value::Object(def)) = map.get_mut(name) {
                def.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
        map.insert(
            "Tombstone".into(),
            json!({
                "type": "object",
                "required": ["id", "withdrawn", "modified"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "withdrawn": {"const": true},
                    "modified": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
                },
                "additionalProperties": false
            }),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/v1/schema/report.json",
        "title": "nearmiss export record",
        "oneOf": [{"$ref": "#/$defs/PublishedReport"}, {"$ref": "#/$defs/Tombstone"}],
        "$defs": defs,
    })
}

/// OpenAPI points at `#/components/schemas/X`; here they live in `$defs`.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        *r = r.replace("#/components/schemas/", "#/$defs/");
                    }
                    (_, value) => rewrite_refs(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}
