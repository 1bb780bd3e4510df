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
}

fn parse_line(text: &str) -> Result<Line, String> {
    let value: serde_json::Value = parse_json(text).map_err(|e| e.to_string())?;
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

/// CSV columns, in order. A public contract: researchers' scripts use them.
pub const CSV_COLUMNS: [&str; 24] = [
    "id",
    "title",
    "summary",
    "synopsis",
    "industry",
    "organization_size",
    "incident_month",
    "incident_time_of_day",
    "severity",
    "trigger",
    "detection",
    "time_to_detect_minutes",
    "time_to_mitigate_minutes",
    "time_to_resolve_minutes",
    "users_affected",
    "data_loss",
    "impact_categories",
    "technologies",
    "contributing_factors",
    "mitigations",
    "human_factors",
    "completeness",
    "published",
    "modified",
];

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
    ]
}

/// Call `each` on every published report, in id order, a page at a time,
/// so the dataset is never held in memory.
pub fn for_each_published(
    store: &Store,
    mut each: impl FnMut(&PublishedReport) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let page = store::published_page(&mut conn, after.as_deref(), 500)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.to_string());
        for report in &page {
            each(report)?;
            seen += 1;
        }
    }
    Ok(seen)
}

fn write_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Migration(format!("writing export: {e}"))
}

/// Write every published report as JSON Lines or CSV.
pub fn export(store: &Store, format: Format, mut out: impl Write) -> Result<usize, StoreError> {
    let n = match format {
        Format::Jsonl => for_each_published(store, |report| {
            serde_json::to_writer(&mut out, report)?;
            out.write_all(b"\n").map_err(write_error)
        })?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS).map_err(write_error)?;
            let n = for_each_published(store, |report| {
                w.write_record(csv_record(report)).map_err(write_error)
            })?;
            w.flush().map_err(write_error)?;
            n
        }
    };
    out.flush().map_err(write_error)?;
    Ok(n)
}
