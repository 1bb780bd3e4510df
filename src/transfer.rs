//! Moving reports in and out in bulk: JSON Lines import (submissions, or
//! published reports exported by a registry) and JSONL / CSV export of the
//! published, de-identified dataset.

use std::io::{BufRead, Write};

use crate::redact::{deidentify, Deidentified, Redactor};
use crate::report::completeness::assess;
use crate::report::parse::parse_json;
use crate::report::submission::DeclaredTerms;
use crate::report::{validate, PublishedReport, Submission};
use crate::store::{self, Store, StoreError};

/// Reports per transaction during import.
const BATCH: usize = 500;

#[derive(Debug, Default)]
pub struct ImportSummary {
    pub imported: usize,
    /// Tombstones applied (a mirror deleting what its source withdrew).
    pub withdrawn: usize,
    /// Line number (1-based) and why it was skipped.
    pub skipped: Vec<(usize, String)>,
}

/// A published report from elsewhere is already de-identified; its texts go
/// through the detectors once more all the same (a mirror is not trusted).
fn deidentify_published(report: &PublishedReport) -> Deidentified {
    let mut content = report.content.clone();
    let mut redactor = Redactor::new(&DeclaredTerms::default());
    for (field, text) in content.texts_mut() {
        *text = redactor.redact(&field, text);
    }
    let mut completeness = assess(&content);
    // The score describes what the submitter gave, before publication
    // withheld anything (k-anonymity); recomputing it from the published
    // content would lower it, so a mirror keeps the source's score.
    completeness.score = report.completeness;
    Deidentified {
        content,
        findings: redactor.findings(),
        flags: Vec::new(),
        completeness,
    }
}

enum Line {
    Submission(Box<Deidentified>),
    Published(Box<PublishedReport>, Box<Deidentified>),
    Tombstone(Tombstone),
}

fn parse_line(text: &str) -> Result<Line, String> {
    let value: serde_json::Value = parse_json(text).map_err(|e| e.to_string())?;
    if value.get("withdrawn").is_some() {
        let t: Tombstone = parse_json(text).map_err(|e| e.to_string())?;
        if !t.withdrawn || chrono::NaiveDate::parse_from_str(&t.modified, "%Y-%m-%d").is_err() {
            return Err("a tombstone has withdrawn: true and a YYYY-MM-DD day".into());
        }
        return Ok(Line::Tombstone(t));
    }
    if value.get("id").is_some() {
        let report: PublishedReport = parse_json(text).map_err(|e| e.to_string())?;
        let d = deidentify_published(&report);
        return Ok(Line::Published(Box::new(report), Box::new(d)));
    }
    let submission: Submission = parse_json(text).map_err(|e| e.to_string())?;
    let valid = validate(submission).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok(Line::Submission(Box::new(deidentify(valid))))
}

/// Import JSON Lines: one submission (or exported published report) per
/// line. A bad line is skipped and reported with its line number; the rest
/// go in. `progress` is called with the bytes consumed so far.
pub fn import(
    store: &Store,
    input: impl BufRead,
    publish: bool,
    k: u64,
    mut progress: impl FnMut(u64),
) -> Result<ImportSummary, StoreError> {
    let mut conn = store.conn()?;
    let mut summary = ImportSummary::default();
    let mut batch: Vec<Deidentified> = Vec::with_capacity(BATCH);
    let publish_as = publish.then_some("import");
    let mut consumed = 0u64;
    for (i, line) in input.split(b'\n').enumerate() {
        let number = i + 1;
        let bytes = line.map_err(|e| StoreError::Migration(format!("reading input: {e}")))?;
        consumed += bytes.len() as u64 + 1;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            summary.skipped.push((number, "not valid UTF-8".into()));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse_line(text) {
            Ok(Line::Submission(d)) => batch.push(*d),
            Ok(Line::Published(report, d)) => match store::import_published(&mut conn, &report, &d)
            {
                Ok(()) => summary.imported += 1,
                Err(StoreError::Conflict(m)) => summary.skipped.push((number, m)),
                Err(e) => return Err(e),
            },
            Ok(Line::Tombstone(t)) => {
                store::apply_tombstone(&mut conn, &t.id, &t.modified)?;
                summary.withdrawn += 1;
            }
            Err(message) => summary.skipped.push((number, message)),
        }
        if batch.len() >= BATCH {
            summary.imported += store::import_batch_with_k(&mut conn, &batch, publish_as, k)?.len();
            batch.clear();
            progress(consumed);
        }
    }
    if !batch.is_empty() {
        summary.imported += store::import_batch_with_k(&mut conn, &batch, publish_as, k)?.len();
    }
    progress(consumed);
    Ok(summary)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Version of the export format; bumped only for changes a mirror must
/// know about (columns are only ever added at the end).
pub const EXPORT_VERSION: u32 = 1;

/// CSV columns, in order, with their type and meaning: the data
/// dictionary. A public contract: researchers' scripts use them.
pub const CSV_DICTIONARY: [(&str, &str, &str); 25] = [
    ("id", "uuid", "report id, stable across exports and mirrors"),
    ("title", "text", "de-identified title"),
    ("summary", "text", "de-identified summary"),
    ("synopsis", "text", "the reviewer's synopsis, if any"),
    (
        "industry",
        "taxonomy id",
        "industry (vocabulary `industry`)",
    ),
    (
        "organization_size",
        "taxonomy id",
        "size bucket, or `undisclosed` when withheld for k-anonymity",
    ),
    (
        "incident_month",
        "YYYY-MM",
        "month the incident started; empty when withheld for k-anonymity",
    ),
    (
        "incident_time_of_day",
        "00-06|06-12|12-18|18-24",
        "six-hour block of the incident start",
    ),
    ("severity", "taxonomy id", "sev1 … sev4 or near-miss"),
    ("trigger", "taxonomy id", "what set the incident off"),
    ("detection", "taxonomy id", "how it was noticed"),
    ("time_to_detect_minutes", "integer", "start to detection"),
    ("time_to_mitigate_minutes", "integer", "start to mitigation"),
    ("time_to_resolve_minutes", "integer", "start to resolution"),
    (
        "users_affected",
        "text",
        "share of users affected, as submitted",
    ),
    ("data_loss", "true|false", "whether data was lost"),
    (
        "impact_categories",
        "list",
        "`;`-separated impact category ids",
    ),
    ("technologies", "list", "`;`-separated technology ids"),
    (
        "contributing_factors",
        "list",
        "`;`-separated contributing factor ids",
    ),
    ("mitigations", "list", "`;`-separated mitigation ids"),
    ("human_factors", "list", "`;`-separated human factor ids"),
    (
        "completeness",
        "integer 0-100",
        "how complete the submission was",
    ),
    ("published", "YYYY-MM-DD", "registry day of publication"),
    (
        "modified",
        "YYYY-MM-DD",
        "registry day of the last change (or of the withdrawal)",
    ),
    (
        "withdrawn",
        "true|false",
        "a tombstone: the report was withdrawn; every other column but id and modified is empty",
    ),
];

/// The CSV header.
pub fn csv_columns() -> Vec<&'static str> {
    CSV_DICTIONARY.iter().map(|(name, _, _)| *name).collect()
}

fn csv_record(r: &PublishedReport) -> Vec<String> {
    let c = &r.content;
    let i = &c.incident;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<u32>| v.map(|m| m.to_string()).unwrap_or_default();
    // Lists are `;`-separated: taxonomy ids never contain `;`.
    let list = |v: &[String]| v.join(";");
    let impact = i.impact.clone().unwrap_or_default();
    vec![
        r.id.to_string(),
        c.title.clone(),
        c.summary.clone(),
        opt(&r.synopsis),
        opt(&c.industry),
        opt(&c.organization_size),
        opt(&i.month),
        opt(&i.time_of_day),
        opt(&i.severity),
        opt(&c.trigger),
        opt(&i.detection),
        num(i.time_to_detect_minutes),
        num(i.time_to_mitigate_minutes),
        num(i.time_to_resolve_minutes),
        opt(&impact.users_affected),
        impact.data_loss.map(|b| b.to_string()).unwrap_or_default(),
        list(&impact.categories),
        list(&c.technologies),
        list(&c.contributing_factors),
        list(&c.mitigations),
        list(&c.human_factors),
        r.completeness.to_string(),
        r.published.clone(),
        r.modified.clone(),
        "false".into(),
    ]
}

fn tombstone_record(id: &str, day: &str) -> Vec<String> {
    let mut row = vec![String::new(); CSV_DICTIONARY.len()];
    row[0] = id.to_string();
    row[CSV_DICTIONARY.len() - 2] = day.to_string();
    row[CSV_DICTIONARY.len() - 1] = "true".into();
    row
}

/// A withdrawn report in a JSON Lines export.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tombstone {
    pub id: uuid::Uuid,
    /// Always true.
    pub withdrawn: bool,
    /// The day it was withdrawn.
    pub modified: String,
}

/// Call `each` on every published report modified on or after `since`, in
/// id order, a page at a time, so the dataset is never held in memory.
pub fn for_each_published(
    store: &Store,
    since: Option<&str>,
    mut each: impl FnMut(&PublishedReport) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let page = store::published_page_since(&mut conn, after.as_deref(), since, 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.to_string());
        for report in &page {
            each(report)?;
            seen += 1;
        }
    }
    Ok(seen)
}

/// Call `each` with `(id, day)` of every tombstone on or after `since`.
pub fn for_each_tombstone(
    store: &Store,
    since: Option<&str>,
    mut each: impl FnMut(&str, &str) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let page = store::tombstones_page(&mut conn, after.as_deref(), since, 1_000)?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        for (id, day) in &page {
            each(id, day)?;
            seen += 1;
        }
    }
    Ok(seen)
}

fn write_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Migration(format!("writing export: {e}"))
}

/// Write the published dataset as JSON Lines or CSV: every published report
/// (changed on or after `since`, a day) in id order, then every tombstone
/// (withdrawn on or after `since`) in id order. Returns the records written.
pub fn export(
    store: &Store,
    format: Format,
    since: Option<&str>,
    mut out: impl Write,
) -> Result<usize, StoreError> {
    let n = match format {
        Format::Jsonl => {
            let reports = for_each_published(store, since, |report| {
                serde_json::to_writer(&mut out, report)?;
                out.write_all(b"\n").map_err(write_error)
            })?;
            let tombstones = for_each_tombstone(store, since, |id, day| {
                let line = serde_json::json!({"id": id, "withdrawn": true, "modified": day});
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n").map_err(write_error)
            })?;
            reports + tombstones
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(csv_columns()).map_err(write_error)?;
            let reports = for_each_published(store, since, |report| {
                w.write_record(csv_record(report)).map_err(write_error)
            })?;
            let tombstones = for_each_tombstone(store, since, |id, day| {
                w.write_record(tombstone_record(id, day))
                    .map_err(write_error)
            })?;
            w.flush().map_err(write_error)?;
            reports + tombstones
        }
    };
    out.flush().map_err(write_error)?;
    Ok(n)
}
