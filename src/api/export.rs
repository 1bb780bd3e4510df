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
use crate::report::taxonomy::{taxonomy, Vocabulary};
use crate::transfer::{
    self, Format, CSV_DICTIONARY, EXPORT_VERSION, JSONL_DICTIONARY, TOMBSTONE_FIELD,
};

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight: the database walk waits when a slow client lags.
const IN_FLIGHT: usize = 8;

const DESCRIBED_BY: &str =
    "</api/v1/schema/report.json>; rel=\"describedby\", </api/v1/export/dictionary>; rel=\"describedby\"";

type Chunk = Result<Bytes, std::io::Error>;

/// Sends what is written to the response in chunks; fails once the client
/// has gone, which stops the export.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
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
/// changed on or after that day. The response carries
/// `X-Nearmiss-Export-Version` and a `Link` to the schema and dictionary.
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
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(IN_FLIGHT);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        // The status line is gone by now. A failure must not look like the
        // end of the dataset (a mirror would take a partial export for the
        // whole), so the body ends with an error: the connection is cut
        // before the last chunk and the client sees an incomplete response.
        if let Err(e) = transfer::export(&store, format, since.as_deref(), &mut out) {
            if !tx.is_closed() {
                tracing::error!(error = %e, "export stopped");
                let _ = tx.blocking_send(Err(std::io::Error::other("export stopped")));
            }
        }
    });
    // Until the first chunk the status line can still tell the truth: an
    // export that fails before it has sent anything is a 500, not a 200
    // with a cut-off body.
    let first = match rx.recv().await {
        Some(Err(e)) => return Err(ApiError::Internal(e.to_string())),
        first => first,
    };
    let mut first = first;
    let body = futures_util::stream::poll_fn(move |cx| match first.take() {
        Some(chunk) => std::task::Poll::Ready(Some(chunk)),
        None => rx.poll_recv(cx),
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

/// The data dictionary: every CSV column and JSON Lines field with its
/// type, meaning and where its allowed values come from, and the
/// taxonomy's vocabularies those sources name.
#[utoipa::path(responses((status = 200, description = "the data dictionary")))]
#[get("/export/dictionary")]
pub async fn dictionary() -> HttpResponse {
    HttpResponse::Ok().json(data_dictionary())
}

fn data_dictionary() -> Value {
    let taxonomy = taxonomy();
    let mut vocabularies = serde_json::Map::new();
    for vocabulary in Vocabulary::ALL {
        let ids: Vec<&str> = taxonomy
            .terms(vocabulary)
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        vocabularies.insert(
            vocabulary.table().into(),
            json!({"closed": !vocabulary.is_open(), "ids": ids}),
        );
    }
    let technologies: Vec<&str> = taxonomy
        .technologies
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    vocabularies.insert(
        "technologies".into(),
        json!({"closed": false, "ids": technologies}),
    );
    let mut jsonl: Vec<&transfer::Field> = JSONL_DICTIONARY.iter().collect();
    jsonl.push(&TOMBSTONE_FIELD);
    json!({
        "version": EXPORT_VERSION,
        "order": ORDER,
        "since": "YYYY-MM-DD: reports modified and tombstones withdrawn on or after that day",
        "jsonl": {
            "content_type": "application/x-ndjson",
            "report": "a published report, exactly as GET /api/v1/reports/{id} returns it",
            "tombstone": "{\"id\", \"withdrawn\": true, \"modified\"}: the report was withdrawn; delete it",
            "schema": "/api/v1/schema/report.json",
            "fields": jsonl,
        },
        "csv": {
            "content_type": "text/csv; charset=utf-8",
            "columns": CSV_DICTIONARY,
            "lists": "`;`-separated taxonomy ids",
            "empty": "an empty cell is an absent value",
        },
        "vocabularies": vocabularies,
        "taxonomy": "closed vocabularies hold only the ids listed; open ones may hold other values (lowercase, hyphenated, flagged to the reviewer); aliases resolve to one id",
    })
}

/// Export order, as the dictionary and README state it: reports before
/// tombstones, so a report withdrawn while an export runs is deleted by a
/// mirror that applies the lines in order.
const ORDER: &str = "published reports by id, then tombstones by id";

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

/// A day, a month, an id and a timeline offset as the registry writes them.
const DAY: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
const UUID: &str = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
const OFFSET: &str = r"^T(\?|\+0|[+-]([0-9]+d([0-9]+h)?([0-9]+m)?|[0-9]+h([0-9]+m)?|[0-9]+m))$";

pub fn report_json_schema() -> Value {
    let openapi = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    let mut all = openapi["components"]["schemas"].clone();
    rewrite_refs(&mut all);
    let Value::Object(mut all) = all else {
        return Value::Null;
    };
    all.insert(
        "Tombstone".into(),
        json!({
            "description": "A withdrawn report: delete the report with this id.",
            "type": "object",
            "required": ["id", "withdrawn", "modified"],
            "properties": {
                "id": {"type": "string", "format": "uuid", "pattern": UUID},
                "withdrawn": {"const": true},
                "modified": {"type": "string", "pattern": DAY}
            },
            "additionalProperties": false
        }),
    );
    // Only what an exported line can reach; the rest of the API's types
    // would be noise to a mirror.
    let mut defs = serde_json::Map::new();
    let mut pending = vec!["PublishedReport".to_string(), "Tombstone".to_string()];
    while let Some(name) = pending.pop() {
        if defs.contains_key(&name) {
            continue;
        }
        if let Some(def) = all.get(&name) {
            collect_refs(def, &mut pending);
            defs.insert(name, def.clone());
        }
    }
    tighten(&mut defs);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/api/v1/schema/report.json",
        "title": "nearmiss export record",
        "description": "One line of GET /api/v1/export?format=jsonl: a published report or a tombstone.",
        "oneOf": [{"$ref": "#/$defs/PublishedReport"}, {"$ref": "#/$defs/Tombstone"}],
        "$defs": defs,
    })
}

/// What the OpenAPI types cannot say but an exported record must meet: the
/// objects are closed (a stray field is an error, not noise), every field
/// the exporter always writes is required, and closed vocabularies, times
/// of day and timeline offsets take only their values, so an exact time or
/// a free-text value leaking into one is caught.
fn tighten(defs: &mut serde_json::Map<String, Value>) {
    let taxonomy = taxonomy();
    let ids = |v: Vocabulary| -> Vec<Value> {
        taxonomy
            .terms(v)
            .iter()
            .map(|t| Value::String(t.id.clone()))
            .collect()
    };
    let nullable = |mut values: Vec<Value>| {
        values.push(Value::Null);
        Value::Array(values)
    };
    let strings = |values: &[&str]| -> Vec<Value> { values.iter().map(|&v| json!(v)).collect() };

    // `PublishedReport` is an `allOf` (its content is flattened in), so it
    // closes with `unevaluatedProperties`; plain objects with
    // `additionalProperties`.
    if let Some(Value::Object(report)) = defs.get_mut("PublishedReport") {
        report.insert("unevaluatedProperties".into(), Value::Bool(false));
        if let Some(Value::Array(parts)) = report.get_mut("allOf") {
            for part in parts.iter_mut().filter(|p| p.get("properties").is_some()) {
                require_all(part, &[]);
                set(part, "id", "pattern", json!(UUID));
                set(part, "published", "pattern", json!(DAY));
                set(part, "modified", "pattern", json!(DAY));
                set(part, "completeness", "maximum", json!(100));
            }
        }
    }
    for name in [
        "ReportContent",
        "IncidentFacts",
        "Impact",
        "TimelineOffset",
        "ActionItem",
        "PublishedAmendment",
    ] {
        let Some(def) = defs.get_mut(name) else {
            continue;
        };
        // `year` is written only when the month was withheld.
        require_all(def, &["year"]);
        if name != "ReportContent" {
            if let Value::Object(map) = def {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
        match name {
            "ReportContent" => {
                set(def, "industry", "enum", nullable(ids(Vocabulary::Industry)));
                set(
                    def,
                    "organization_size",
                    "enum",
                    nullable(ids(Vocabulary::OrganizationSize)),
                );
            }
            "IncidentFacts" => {
                set(def, "severity", "enum", nullable(ids(Vocabulary::Severity)));
                set(
                    def,
                    "time_of_day",
                    "enum",
                    nullable(strings(&["00-06", "06-12", "12-18", "18-24"])),
                );
            }
            "Impact" => {
                set(
                    def,
                    "users_affected",
                    "enum",
                    nullable(strings(&["none", "few", "some", "most", "all"])),
                );
                if let Some(items) = def.pointer_mut("/properties/categories/items") {
                    items["enum"] = Value::Array(ids(Vocabulary::ImpactCategory));
                }
            }
            "TimelineOffset" => set(def, "offset", "pattern", json!(OFFSET)),
            "ActionItem" => set(
                def,
                "status",
                "enum",
                nullable(strings(&["open", "in-progress", "done", "wont-do"])),
            ),
            _ => {}
        }
    }
}

/// Every property of an object schema is required, but `except`.
fn require_all(def: &mut Value, except: &[&str]) {
    let Some(Value::Object(properties)) = def.get("properties") else {
        return;
    };
    let required: Vec<Value> = properties
        .keys()
        .filter(|k| !except.contains(&k.as_str()))
        .map(|k| Value::String(k.clone()))
        .collect();
    def["required"] = Value::Array(required);
}

/// Sets `keyword` on one property of an object schema.
fn set(def: &mut Value, property: &str, keyword: &str, value: Value) {
    if let Some(Value::Object(p)) = def.pointer_mut(&format!("/properties/{property}")) {
        p.insert(keyword.into(), value);
    }
}

/// The names of the definitions a schema refers to.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/$defs/") {
                            out.push(name.to_string());
                        }
                    }
                    (_, value) => collect_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Dotted paths of every field a schema allows (`[]` for the elements
    /// of a list of objects, whose own path is left out).
    fn paths(defs: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(Value::String(r)) = schema.get("$ref") {
            let name = r.trim_start_matches("#/$defs/");
            return paths(defs, &defs[name], prefix, out);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = schema.get(key) {
                for part in parts {
                    paths(defs, part, prefix, out);
                }
            }
        }
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                let path = format!("{prefix}{name}");
                let items = property
                    .get("items")
                    .filter(|i| i.get("$ref").is_some() || i.get("properties").is_some());
                match items {
                    Some(items) => paths(defs, items, &format!("{path}[]."), out),
                    None => {
                        out.push(path.clone());
                        paths(defs, property, &format!("{path}."), out);
                    }
                }
            }
        }
    }

    #[test]
    fn the_dictionary_names_every_field_the_schema_allows() {
        let schema = report_json_schema();
        let defs = &schema["$defs"];
        let mut report = Vec::new();
        paths(defs, &defs["PublishedReport"], "", &mut report);
        report.sort();
        let mut listed: Vec<String> = JSONL_DICTIONARY
            .iter()
            .map(|f| f.name.to_string())
            .collect();
        listed.sort();
        assert_eq!(report, listed);

        let mut tombstone = Vec::new();
        paths(defs, &defs["Tombstone"], "", &mut tombstone);
        tombstone.sort();
        assert_eq!(tombstone, ["id", "modified", TOMBSTONE_FIELD.name]);
    }

    #[test]
    fn the_schema_holds_only_what_an_exported_line_can_reach() {
        let schema = report_json_schema();
        let mut names: Vec<&str> = schema["$defs"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "ActionItem",
                "Impact",
                "IncidentFacts",
                "PublishedAmendment",
                "PublishedReport",
                "ReportContent",
                "TimelineOffset",
                "Tombstone"
            ]
        );
    }

    #[test]
    fn offsets_match_what_de_identification_writes() {
        let offset = regex::Regex::new(OFFSET).unwrap();
        for ok in [
            "T+0",
            "T?",
            "T+14m",
            "T-2h",
            "T+1d",
            "T+1d3h20m",
            "T+2h5m",
            "T-1d5m",
        ] {
            assert!(offset.is_match(ok), "{ok}");
        }
        for bad in [
            "T+",
            "02:14",
            "T+14",
            "2024-01-01T02:14:00Z",
            "T+1h2d",
            "t+5m",
        ] {
            assert!(!offset.is_match(bad), "{bad}");
        }
        for minutes in [0, 1, 59, 60, 61, 1439, 1440, 1441, -5, -1500, 100_000] {
            let written = crate::report::moment::format_offset(minutes);
            assert!(offset.is_match(&written), "{written}");
        }
    }
}
