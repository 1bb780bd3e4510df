//! Moving reports in and out in bulk: JSON Lines import (submissions, or
//! published reports exported by a registry) and JSONL / CSV export of the
//! published, de-identified dataset.

use std::io::{BufRead, Write};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::redact::{deidentify, Deidentified, Redactor};
use crate::report::completeness::assess;
use crate::report::parse::parse_json;
use crate::report::submission::DeclaredTerms;
use crate::report::{validate, PublishedReport, Submission};
use crate::store::{self, Store, StoreError};

/// Lines parsed and de-identified together, on every core.
pub const BATCH: usize = 2_000;

/// Reports stored per transaction by default. Report ids are random, so
/// each report lands on a random leaf of every index keyed by its id (a
/// transaction's reports reach them in id order, see
/// `store::import_batch_with_k`); a transaction writes each page it
/// dirtied to the write-ahead log once, and the more reports share a
/// transaction, the more of them share those leaves. At a million reports, 20,000 per transaction instead of 2,000
/// took a quarter off the writer's CPU per report. The cost is memory: a
/// transaction's de-identified reports are held until it commits, about
/// 5 KB each (importing 60,000 generated reports peaked at 552 MB, against
/// 460 MB at 2,000 per transaction).
pub const PER_TRANSACTION: usize = 20_000;

/// The most reports one import transaction may hold.
pub const MAX_PER_TRANSACTION: usize = 100_000;

#[derive(Debug, Default)]
pub struct ImportSummary {
    /// Submissions stored (pending review, or published with `--publish`).
    pub imported: usize,
    /// Published reports from an export stored as they were published.
    pub mirrored: usize,
    /// Tombstones applied (a mirror deleting what its source withdrew).
    pub withdrawn: usize,
    /// Line number (1-based) and why it was skipped.
    pub skipped: Vec<(usize, String)>,
}

/// A published report from elsewhere is already de-identified; its texts go
/// through the detectors once more all the same (a mirror is not trusted):
/// the content here, and its amendments and synopsis in place.
fn deidentify_published(report: &mut PublishedReport) -> Deidentified {
    let mut content = report.content.clone();
    let mut redactor = Redactor::new(&DeclaredTerms::default());
    for (field, text) in content.texts_mut() {
        *text = redactor.redact(&field, text);
    }
    for (i, amendment) in report.amendments.iter_mut().enumerate() {
        amendment.text = redactor.redact(&format!("amendments[{i}]"), &amendment.text);
    }
    if let Some(synopsis) = report.synopsis.as_mut() {
        *synopsis = redactor.redact("synopsis", synopsis);
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
    Exported(Exported),
}

/// A line of another registry's export (or this one's).
enum Exported {
    Report(Box<PublishedReport>, Box<Deidentified>),
    Tombstone(Tombstone),
}

/// What kind of line this is, told by its top-level keys. serde checks the
/// whole line's syntax but builds none of it: parsing every line once into
/// a `serde_json::Value` first cost as much again as parsing it into the
/// submission.
#[derive(serde::Deserialize)]
struct LineKind {
    withdrawn: Option<serde::de::IgnoredAny>,
    id: Option<serde::de::IgnoredAny>,
}

fn parse_line(text: &str) -> Result<Line, String> {
    // A line that is not even that (not JSON, not an object) fails below,
    // as a submission, with the message a submission gets.
    let kind = parse_json::<LineKind>(text).unwrap_or(LineKind {
        withdrawn: None,
        id: None,
    });
    if kind.withdrawn.is_some() {
        let t: Tombstone = parse_json(text).map_err(|e| e.to_string())?;
        if !t.withdrawn || chrono::NaiveDate::parse_from_str(&t.modified, "%Y-%m-%d").is_err() {
            return Err("a tombstone has withdrawn: true and a YYYY-MM-DD day".into());
        }
        return Ok(Line::Exported(Exported::Tombstone(t)));
    }
    if kind.id.is_some() {
        let mut report: PublishedReport = parse_json(text).map_err(|e| e.to_string())?;
        let d = deidentify_published(&mut report);
        return Ok(Line::Exported(Exported::Report(
            Box::new(report),
            Box::new(d),
        )));
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

/// One input line, parsed and de-identified.
struct Parsed {
    number: usize,
    /// Input bytes consumed up to and including this line.
    consumed: u64,
    /// `None` for a blank line.
    line: Result<Option<Line>, String>,
}

/// Import JSON Lines: one submission (or exported published report) per
/// line. A bad line is skipped and reported with its line number; the rest
/// go in. `progress` is called with the bytes consumed so far.
///
/// De-identification is most of an import's work, so lines are parsed and
/// de-identified `BATCH` at a time on every core (rayon), on a thread of
/// their own, while this one writes the previous batch. Transactions
/// commit in file order, each of `per_transaction` submissions (clamped to
/// 1..=`MAX_PER_TRANSACTION`), or as many lines of an export, which go in
/// transactions of their own (see `store::import_mirrored`).
pub fn import(
    store: &Store,
    input: impl BufRead + Send,
    publish: bool,
    k: u64,
    per_transaction: usize,
    mut progress: impl FnMut(u64),
) -> Result<ImportSummary, StoreError> {
    let per_transaction = per_transaction.clamp(1, MAX_PER_TRANSACTION);
    let mut conn = store.conn()?;
    let publish_as = publish.then_some("import");
    // One parsed batch waits while the next is parsed and one is written.
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::scope(|s| {
        s.spawn(move || parse_batches(input, tx));
        conn.bulk(|conn| {
            let mut summary = ImportSummary::default();
            let mut batch: Vec<Deidentified> = Vec::with_capacity(per_transaction);
            let mut exported: Vec<(usize, Exported)> = Vec::new();
            for parsed in rx {
                let parsed: Vec<Parsed> = parsed?;
                let consumed = parsed.last().map(|p| p.consumed);
                for p in parsed {
                    match p.line {
                        Ok(None) => {}
                        Ok(Some(Line::Submission(d))) => batch.push(*d),
                        Ok(Some(Line::Exported(e))) => exported.push((p.number, e)),
                        Err(message) => summary.skipped.push((p.number, message)),
                    }
                    if batch.len() >= per_transaction {
                        summary.imported +=
                            store::import_batch_with_k(conn, &batch, publish_as, k)?.len();
                        batch.clear();
                    }
                    if exported.len() >= per_transaction {
                        apply_exported(conn, &exported, &mut summary)?;
                        exported.clear();
                    }
                }
                if let Some(consumed) = consumed {
                    progress(consumed);
                }
            }
            if !batch.is_empty() {
                summary.imported += store::import_batch_with_k(conn, &batch, publish_as, k)?.len();
            }
            if !exported.is_empty() {
                apply_exported(conn, &exported, &mut summary)?;
            }
            // Lines of an export are skipped as their transaction ends:
            // listed in file order, as a reader of the summary expects.
            summary.skipped.sort_by_key(|(number, _)| *number);
            Ok(summary)
        })?
    })
}

/// Applies exported lines (published reports and tombstones, with their
/// line numbers) in one transaction, counting what they did in `summary`.
fn apply_exported(
    conn: &mut store::Connection,
    lines: &[(usize, Exported)],
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let mirrored: Vec<store::Mirrored> = lines
        .iter()
        .map(|(_, line)| match line {
            Exported::Report(report, d) => store::Mirrored::Report(report, d),
            Exported::Tombstone(t) => store::Mirrored::Tombstone(&t.id, &t.modified),
        })
        .collect();
    let outcomes = store::import_mirrored(conn, &mirrored)?;
    for ((number, _), outcome) in lines.iter().zip(outcomes) {
        match outcome {
            store::MirrorOutcome::Imported => summary.mirrored += 1,
            store::MirrorOutcome::Withdrawn { .. } => summary.withdrawn += 1,
            store::MirrorOutcome::Skipped(why) => summary.skipped.push((*number, why)),
        }
    }
    Ok(())
}

/// Reads `input` `BATCH` lines at a time, parses and de-identifies each
/// batch on every core, and sends it on in order. Stops at the end of the
/// input, at a read error (sent on), or when the writer has stopped.
fn parse_batches(mut input: impl BufRead, tx: mpsc::SyncSender<Result<Vec<Parsed>, StoreError>>) {
    let mut number = 0;
    let mut consumed = 0u64;
    loop {
        let mut lines = Vec::with_capacity(BATCH);
        while lines.len() < BATCH {
            let mut bytes = Vec::new();
            match input.read_until(b'\n', &mut bytes) {
                Ok(0) => break,
                Ok(n) => {
                    number += 1;
                    consumed += n as u64;
                    if bytes.last() == Some(&b'\n') {
                        bytes.pop();
                    }
                    lines.push((number, consumed, bytes));
                }
                Err(e) => {
                    let _ = tx.send(Err(StoreError::Migration(format!("reading input: {e}"))));
                    return;
                }
            }
        }
        if lines.is_empty() {
            return;
        }
        let parsed = lines
            .into_par_iter()
            .map(|(number, consumed, bytes)| Parsed {
                number,
                consumed,
                line: match std::str::from_utf8(&bytes) {
                    Err(_) => Err("not valid UTF-8".into()),
                    Ok(text) if text.trim().is_empty() => Ok(None),
                    Ok(text) => parse_line(text).map(Some),
                },
            })
            .collect();
        if tx.send(Ok(parsed)).is_err() {
            return;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Version of the export format; bumped only for changes a mirror must
/// know about (columns are only ever added at the end).
pub const EXPORT_VERSION: u32 = 1;

/// One entry of the data dictionary: a CSV column or a JSON Lines field.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Field {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: &'static str,
    /// Where the allowed values come from (a taxonomy vocabulary listed in
    /// the dictionary's `vocabularies`, a fixed list, or free text).
    pub values: &'static str,
}

const fn field(
    name: &'static str,
    kind: &'static str,
    description: &'static str,
    values: &'static str,
) -> Field {
    Field {
        name,
        kind,
        description,
        values,
    }
}

const FREE_TEXT: &str = "free text, de-identified ([ORG], [PERSON-1], … placeholders)";
const DAY: &str = "a registry day, never an incident time";

/// CSV columns, in order: the data dictionary of the CSV export. A public
/// contract (researchers' scripts use the names), so columns are only ever
/// added at the end, and a change a mirror must know about bumps
/// `EXPORT_VERSION`.
pub const CSV_DICTIONARY: [Field; 26] = [
    field("id", "uuid", "report id, stable across exports and mirrors", "random UUID v4"),
    field("title", "text", "de-identified title", FREE_TEXT),
    field("summary", "text", "de-identified summary", FREE_TEXT),
    field("synopsis", "text", "the reviewer's synopsis; empty if none", FREE_TEXT),
    field("industry", "taxonomy id", "industry of the organisation", "vocabulary `industry` (closed)"),
    field(
        "organization_size",
        "taxonomy id",
        "size bucket (people); `undisclosed` when withheld for k-anonymity",
        "vocabulary `organization_size` (closed)",
    ),
    field(
        "incident_month",
        "YYYY-MM",
        "month the incident started; empty when unknown or withheld for k-anonymity",
        "a month",
    ),
    field(
        "incident_time_of_day",
        "text",
        "six-hour block of the day the incident started in (local time as written)",
        "`00-06`, `06-12`, `12-18`, `18-24`",
    ),
    field("severity", "taxonomy id", "severity as the submitter rated it", "vocabulary `severity` (closed)"),
    field("trigger", "taxonomy id", "what set the incident off", "vocabulary `trigger` (open)"),
    field("detection", "taxonomy id", "how it was noticed", "vocabulary `detection` (open)"),
    field("time_to_detect_minutes", "integer", "minutes from start to detection", "≥ 0"),
    field("time_to_mitigate_minutes", "integer", "minutes from start to mitigation", "≥ 0"),
    field("time_to_resolve_minutes", "integer", "minutes from start to resolution", "≥ 0"),
    field(
        "users_affected",
        "text",
        "share of users affected",
        "`none`, `few`, `some`, `most`, `all`",
    ),
    field("data_loss", "boolean", "whether data was lost; empty if not said", "`true`, `false`"),
    field(
        "impact_categories",
        "list",
        "`;`-separated impact categories",
        "vocabulary `impact_category` (closed)",
    ),
    field("technologies", "list", "`;`-separated technologies involved", "`technologies` (open)"),
    field(
        "contributing_factors",
        "list",
        "`;`-separated contributing factors",
        "vocabulary `contributing_factor` (open)",
    ),
    field("mitigations", "list", "`;`-separated mitigations used", "vocabulary `mitigation` (open)"),
    field(
        "human_factors",
        "list",
        "`;`-separated human factors",
        "vocabulary `human_factor` (open)",
    ),
    field("completeness", "integer", "how complete the submission was", "0–100"),
    field("published", "YYYY-MM-DD", "day the report was published", DAY),
    field(
        "modified",
        "YYYY-MM-DD",
        "day of the last change (amendment, reviewer redaction) or of the withdrawal",
        DAY,
    ),
    field(
        "withdrawn",
        "boolean",
        "`true` for a tombstone: the report was withdrawn, delete it; only `id` and `modified` are filled",
        "`true`, `false`",
    ),
    field(
        "incident_year",
        "YYYY",
        "year the incident started, also when its month was withheld for k-anonymity",
        "a year",
    ),
];

/// The fields of a JSON Lines record (dotted paths; `[]` is every element
/// of a list). A report line is exactly `GET /api/v1/reports/{id}`; a
/// tombstone has `id`, `withdrawn` and `modified` only. The served JSON
/// Schema is the formal version; a test keeps the two in step.
pub const JSONL_DICTIONARY: [Field; 38] = [
    field(
        "id",
        "uuid",
        "report id, stable across exports and mirrors",
        "random UUID v4",
    ),
    field("title", "string", "de-identified title", FREE_TEXT),
    field("summary", "string", "de-identified summary", FREE_TEXT),
    field(
        "narrative",
        "string",
        "the de-identified postmortem body (Markdown)",
        FREE_TEXT,
    ),
    field(
        "industry",
        "string | null",
        "industry of the organisation",
        "vocabulary `industry` (closed)",
    ),
    field(
        "organization_size",
        "string | null",
        "size bucket (people); `undisclosed` when withheld for k-anonymity",
        "vocabulary `organization_size` (closed)",
    ),
    field(
        "incident",
        "object",
        "facts about the incident",
        "the `incident.` fields below",
    ),
    field(
        "incident.month",
        "string | null",
        "`YYYY-MM`, the month the incident started; null when unknown or withheld",
        "a month",
    ),
    field(
        "incident.year",
        "string",
        "`YYYY`; present only when the month was withheld for k-anonymity",
        "a year",
    ),
    field(
        "incident.time_of_day",
        "string | null",
        "six-hour block of the day the incident started in (local time as written)",
        "`00-06`, `06-12`, `12-18`, `18-24`",
    ),
    field(
        "incident.severity",
        "string | null",
        "severity as the submitter rated it",
        "vocabulary `severity` (closed)",
    ),
    field(
        "incident.detection",
        "string | null",
        "how it was noticed",
        "vocabulary `detection` (open)",
    ),
    field(
        "incident.time_to_detect_minutes",
        "integer | null",
        "minutes from start to detection",
        "≥ 0",
    ),
    field(
        "incident.time_to_mitigate_minutes",
        "integer | null",
        "minutes from start to mitigation",
        "≥ 0",
    ),
    field(
        "incident.time_to_resolve_minutes",
        "integer | null",
        "minutes from start to resolution",
        "≥ 0",
    ),
    field(
        "incident.impact",
        "object | null",
        "the impact, when given",
        "the four fields below",
    ),
    field(
        "incident.impact.users_affected",
        "string | null",
        "share of users affected",
        "`none`, `few`, `some`, `most`, `all`",
    ),
    field(
        "incident.impact.data_loss",
        "boolean | null",
        "whether data was lost",
        "`true`, `false`",
    ),
    field(
        "incident.impact.description",
        "string | null",
        "the impact in words",
        FREE_TEXT,
    ),
    field(
        "incident.impact.categories",
        "array of string",
        "impact categories",
        "vocabulary `impact_category` (closed)",
    ),
    field(
        "technologies",
        "array of string",
        "technologies involved",
        "`technologies` (open)",
    ),
    field(
        "trigger",
        "string | null",
        "what set the incident off",
        "vocabulary `trigger` (open)",
    ),
    field(
        "contributing_factors",
        "array of string",
        "contributing factors",
        "vocabulary `contributing_factor` (open)",
    ),
    field(
        "mitigations",
        "array of string",
        "mitigations used",
        "vocabulary `mitigation` (open)",
    ),
    field(
        "human_factors",
        "array of string",
        "human factors",
        "vocabulary `human_factor` (open)",
    ),
    field(
        "timeline[].offset",
        "string",
        "time since the incident start: `T+0`, `T+14m`, `T-2h`, `T+1d3h`; `T?` when unknown",
        "an offset, never a clock time",
    ),
    field("timeline[].event", "string", "what happened", FREE_TEXT),
    field("root_causes", "array of string", "root causes", FREE_TEXT),
    field("five_whys", "array of string", "the five whys", FREE_TEXT),
    field(
        "lessons_learned",
        "array of string",
        "lessons learned",
        FREE_TEXT,
    ),
    field(
        "action_items[].description",
        "string",
        "an action item",
        FREE_TEXT,
    ),
    field(
        "action_items[].status",
        "string | null",
        "its status",
        "`open`, `in-progress`, `done`, `wont-do`",
    ),
    field(
        "synopsis",
        "string | null",
        "the reviewer's synopsis",
        FREE_TEXT,
    ),
    field(
        "amendments[].month",
        "string",
        "`YYYY-MM`, the month a follow-up arrived",
        "a month",
    ),
    field(
        "amendments[].text",
        "string",
        "the de-identified follow-up",
        FREE_TEXT,
    ),
    field(
        "completeness",
        "integer",
        "how complete the submission was",
        "0–100",
    ),
    field(
        "published",
        "string",
        "`YYYY-MM-DD`, the day the report was published",
        DAY,
    ),
    field(
        "modified",
        "string",
        "`YYYY-MM-DD`, the day of the last change, or (tombstone) of the withdrawal",
        DAY,
    ),
];

/// The field only a tombstone line has.
pub const TOMBSTONE_FIELD: Field = field(
    "withdrawn",
    "boolean",
    "tombstone only: always `true`; the report was withdrawn, delete it",
    "`true`",
);

/// The CSV header.
pub fn csv_columns() -> Vec<&'static str> {
    CSV_DICTIONARY.iter().map(|f| f.name).collect()
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
        // The year stands alone when the month was withheld (k-anonymity).
        i.year
            .clone()
            .or_else(|| {
                i.month
                    .as_ref()
                    .and_then(|m| m.get(..4))
                    .map(str::to_string)
            })
            .unwrap_or_default(),
    ]
}

fn tombstone_record(id: &str, day: &str) -> Vec<String> {
    CSV_DICTIONARY
        .iter()
        .map(|f| match f.name {
            "id" => id.to_string(),
            "modified" => day.to_string(),
            "withdrawn" => "true".to_string(),
            _ => String::new(),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::taxonomy::{taxonomy, Vocabulary};
    use crate::report::{IncidentFacts, ReportContent};

    /// A Markdown table of dictionary entries, as `docs/data-dictionary.md`
    /// shows them.
    fn table(fields: &[Field]) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut out =
            String::from("| name | type | meaning | values |\n| --- | --- | --- | --- |\n");
        for f in fields {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                f.name,
                cell(f.kind),
                cell(f.description),
                cell(f.values)
            ));
        }
        out
    }

    fn closed_vocabularies() -> String {
        let mut out = String::from("| vocabulary | ids |\n| --- | --- |\n");
        for v in Vocabulary::ALL.into_iter().filter(|v| !v.is_open()) {
            let ids: Vec<String> = taxonomy()
                .terms(v)
                .iter()
                .map(|t| format!("`{}`", t.id))
                .collect();
            out.push_str(&format!("| `{}` | {} |\n", v.table(), ids.join(", ")));
        }
        out
    }

    #[test]
    fn the_documented_data_dictionary_is_the_served_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/data-dictionary.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let mut jsonl = JSONL_DICTIONARY.to_vec();
        jsonl.push(TOMBSTONE_FIELD);
        for (what, want) in [
            ("CSV columns", table(&CSV_DICTIONARY)),
            ("JSON Lines fields", table(&jsonl)),
            ("closed vocabularies", closed_vocabularies()),
        ] {
            assert!(
                doc.contains(&want),
                "docs/data-dictionary.md: the table of {what} differs from the code; it should read\n{want}"
            );
        }
        assert!(doc.contains(&format!("version {EXPORT_VERSION}")));
    }

    fn report() -> PublishedReport {
        PublishedReport {
            id: uuid::Uuid::new_v4(),
            content: ReportContent {
                title: "Disk filled".into(),
                incident: IncidentFacts {
                    year: Some("2024".into()),
                    ..Default::default()
                },
                technologies: vec!["postgresql".into(), "kubernetes".into()],
                ..Default::default()
            },
            synopsis: None,
            amendments: Vec::new(),
            completeness: 70,
            published: "2026-01-02".into(),
            modified: "2026-01-03".into(),
        }
    }

    #[test]
    fn every_csv_row_has_every_column_in_order() {
        let r = report();
        let row = csv_record(&r);
        assert_eq!(row.len(), CSV_DICTIONARY.len());
        let cell = |name: &str| {
            let i = csv_columns().iter().position(|c| *c == name).unwrap();
            row[i].clone()
        };
        assert_eq!(cell("id"), r.id.to_string());
        assert_eq!(cell("technologies"), "postgresql;kubernetes");
        assert_eq!(cell("incident_month"), "");
        assert_eq!(cell("incident_year"), "2024");
        assert_eq!(cell("modified"), "2026-01-03");
        assert_eq!(cell("withdrawn"), "false");

        let tomb = tombstone_record("some-id", "2026-02-01");
        assert_eq!(tomb.len(), CSV_DICTIONARY.len());
        let filled: Vec<(&str, &str)> = csv_columns()
            .into_iter()
            .zip(tomb.iter().map(String::as_str))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        assert_eq!(
            filled,
            [
                ("id", "some-id"),
                ("modified", "2026-02-01"),
                ("withdrawn", "true")
            ]
        );
    }
}
