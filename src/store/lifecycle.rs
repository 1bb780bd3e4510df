//! The report lifecycle. Every change is one transaction; publishing,
//! amending a published report and withdrawing also append an
//! `index_events` row in that same transaction, so the search index can be
//! rebuilt from the database alone.

use diesel::prelude::*;
use uuid::Uuid;

use super::cohort::{self, cohorts_of, Anonymity};
use super::models::*;
use super::schema::*;
use super::types::{as_day, as_document, as_key, DayValue};
use super::{today, Connection, StoreError};
use crate::redact::consistency::PlaceholderMap;
use crate::redact::{Deidentified, Finding};
use crate::report::{PublishedReport, ReportContent};

/// What kind of change an index event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexEventKind {
    Publish,
    Amend,
    Withdraw,
    Redact,
}

impl IndexEventKind {
    fn as_str(self) -> &'static str {
        match self {
            IndexEventKind::Publish => "publish",
            IndexEventKind::Amend => "amend",
            IndexEventKind::Withdraw => "withdraw",
            IndexEventKind::Redact => "redact",
        }
    }
}

fn record_index_event(
    conn: &mut Connection,
    id: &str,
    kind: IndexEventKind,
) -> Result<(), StoreError> {
    conn.execute_native(diesel::insert_into(index_events::table).values((
        index_events::report_id.eq(as_key(id)),
        index_events::kind.eq(kind.as_str()),
        index_events::recorded_on.eq(as_day(today())),
    )))?;
    Ok(())
}

fn audit(conn: &mut Connection, reviewer: &str, action: &str, id: &str) -> Result<(), StoreError> {
    conn.execute_native(diesel::insert_into(review_audit::table).values((
        review_audit::reviewer.eq(reviewer),
        review_audit::action.eq(action),
        review_audit::report_id.eq(as_key(id)),
        review_audit::day.eq(as_day(today())),
    )))?;
    Ok(())
}

fn minutes(v: Option<u32>) -> Option<i32> {
    v.map(|m| m.min(i32::MAX as u32) as i32)
}

fn row_for(id: &str, status: Status, d: &Deidentified, day: &str) -> Result<ReportRow, StoreError> {
    let c = &d.content;
    let (cohort, cohort_no_size, cohort_no_month, cohort_coarse) = match cohorts_of(c) {
        Some(x) => (
            Some(x.exact),
            Some(x.no_size),
            Some(x.no_month),
            Some(x.coarse),
        ),
        None => (None, None, None, None),
    };
    Ok(ReportRow {
        id: id.to_string(),
        status: status.as_str().to_string(),
        content: serde_json::to_string(c)?,
        title: c.title.clone(),
        industry: c.industry.clone(),
        organization_size: c.organization_size.clone(),
        severity: c.incident.severity.clone(),
        trigger: c.trigger.clone(),
        detection: c.incident.detection.clone(),
        incident_month: c.incident.month.clone(),
        incident_time_of_day: c.incident.time_of_day.clone(),
        time_to_detect_minutes: minutes(c.incident.time_to_detect_minutes),
        time_to_mitigate_minutes: minutes(c.incident.time_to_mitigate_minutes),
        time_to_resolve_minutes: minutes(c.incident.time_to_resolve_minutes),
        completeness: d.completeness.score as i32,
        flags: serde_json::to_string(&d.flags)?,
        findings: serde_json::to_string(&d.findings)?,
        placeholder_map: "{}".into(),
        synopsis: None,
        rejection_reason: None,
        received_on: day.to_string(),
        published_on: None,
        modified_on: day.to_string(),
        cohort,
        cohort_no_size,
        cohort_no_month,
        cohort_coarse,
    })
}

/// Slots drawn for one new report before its insert gives up.
const SLOT_DRAWS: usize = 4;

/// Inserts `row` with a slot from `draw`. The slot is SQLite's row key, and
/// random so that no key records the order in which reports arrived (see
/// `migrations/sqlite/…_report_slots`). Two reports drawing the same one of
/// 2^64 is all but impossible, but it would fail the insert, so the report
/// draws again.
fn insert_row_drawing(
    conn: &mut Connection,
    row: &ReportRow,
    mut draw: impl FnMut() -> i64,
) -> Result<(), StoreError> {
    let mut drawn = 1;
    loop {
        match insert_row_at(conn, row, draw()) {
            Err(StoreError::Database(e)) if drawn < SLOT_DRAWS && slot_taken(&e) => drawn += 1,
            done => return done,
        }
    }
}

/// The insert failed only because another report holds its slot.
fn slot_taken(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(e, Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
        if info.message().contains("reports.slot"))
}

fn insert_row_at(conn: &mut Connection, row: &ReportRow, slot: i64) -> Result<(), StoreError> {
    conn.execute_native(diesel::insert_into(reports::table).values((
        reports::slot.eq(slot),
        reports::id.eq(as_key(&row.id)),
        reports::status.eq(&row.status),
        reports::content.eq(as_document(&row.content)),
        reports::title.eq(&row.title),
        reports::industry.eq(&row.industry),
        reports::organization_size.eq(&row.organization_size),
        reports::severity.eq(&row.severity),
        reports::trigger.eq(&row.trigger),
        reports::detection.eq(&row.detection),
        reports::incident_month.eq(&row.incident_month),
        reports::incident_time_of_day.eq(&row.incident_time_of_day),
        reports::time_to_detect_minutes.eq(row.time_to_detect_minutes),
        reports::time_to_mitigate_minutes.eq(row.time_to_mitigate_minutes),
        reports::time_to_resolve_minutes.eq(row.time_to_resolve_minutes),
        reports::completeness.eq(row.completeness),
        reports::flags.eq(as_document(&row.flags)),
        reports::findings.eq(as_document(&row.findings)),
        reports::placeholder_map.eq(as_document(&row.placeholder_map)),
        reports::synopsis.eq(&row.synopsis),
        reports::rejection_reason.eq(&row.rejection_reason),
        reports::received_on.eq(as_day(&row.received_on)),
        reports::published_on.eq(row.published_on.clone().map(DayValue)),
        reports::modified_on.eq(as_day(&row.modified_on)),
        (
            reports::cohort.eq(&row.cohort),
            reports::cohort_no_size.eq(&row.cohort_no_size),
            reports::cohort_no_month.eq(&row.cohort_no_month),
            reports::cohort_coarse.eq(&row.cohort_coarse),
        ),
    )))?;
    Ok(())
}

/// Turns `row` (pending, in memory or in the database) into its published
/// form: the k-anonymity check, then status and dates. The row's content is
/// rewritten only when something was generalised.
fn prepare_publication(
    conn: &mut Connection,
    row: &mut ReportRow,
    content: &ReportContent,
    synopsis: Option<&str>,
    k: u64,
) -> Result<Anonymity, StoreError> {
    let anonymity = cohort::check(conn, content, row.cohorts().as_ref(), k)?;
    if !anonymity.generalised.is_empty() {
        let mut generalised = content.clone();
        cohort::generalise(&mut generalised, &anonymity.generalised);
        row.content = serde_json::to_string(&generalised)?;
        row.organization_size = generalised.organization_size;
        row.incident_month = generalised.incident.month;
    }
    let day = today();
    row.status = Status::Published.as_str().to_string();
    row.synopsis = synopsis.map(str::to_string);
    row.rejection_reason = None;
    row.published_on = Some(day.clone());
    row.modified_on = day;
    Ok(anonymity)
}

/// Inserts a new report, pending or (with `publish` = reviewer name and k)
/// published at once in the same statement.
fn insert_report(
    conn: &mut Connection,
    d: &Deidentified,
    receipt_hash: Option<&str>,
    map: &PlaceholderMap,
    publish: Option<(&str, u64)>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    insert_report_as(conn, id, None, d, receipt_hash, map, publish)?;
    Ok(id)
}

/// `insert_report` under a given id. `slot` is the next of a bulk batch's
/// run (see `import_batch_with_k`); without one, or should another report
/// hold it, the report draws its slot at random.
fn insert_report_as(
    conn: &mut Connection,
    id: Uuid,
    mut slot: Option<i64>,
    d: &Deidentified,
    receipt_hash: Option<&str>,
    map: &PlaceholderMap,
    publish: Option<(&str, u64)>,
) -> Result<(), StoreError> {
    let key = id.to_string();
    let mut row = row_for(&key, Status::Pending, d, &today())?;
    row.placeholder_map = serde_json::to_string(map)?;
    if let Some((_, k)) = publish {
        prepare_publication(conn, &mut row, &d.content, None, k)?;
    }
    insert_row_drawing(conn, &row, || slot.take().unwrap_or_else(rand::random))?;
    if let Some(hash) = receipt_hash {
        diesel::insert_into(receipts::table)
            .values((
                receipts::report_id.eq(as_key(&key)),
                receipts::secret_hash.eq(hash),
            ))
            .execute(conn)?;
    }
    if let Some((reviewer, _)) = publish {
        record_index_event(conn, &key, IndexEventKind::Publish)?;
        audit(conn, reviewer, "approve", &key)?;
    }
    Ok(())
}

/// Store a de-identified submission as pending, with its receipt hash.
pub fn submit(
    conn: &mut Connection,
    d: &Deidentified,
    receipt_hash: &str,
    map: &PlaceholderMap,
) -> Result<Uuid, StoreError> {
    conn.write(|conn| insert_report(conn, d, Some(receipt_hash), map, None))
}

/// Bulk import: many submissions in one transaction, without receipts (a
/// bulk import has no submitter to hold one). With `publish_as`, each is
/// published at once, recorded in the audit log under that name.
pub fn import_batch(
    conn: &mut Connection,
    batch: &[Deidentified],
    publish_as: Option<&str>,
) -> Result<Vec<Uuid>, StoreError> {
    import_batch_with_k(conn, batch, publish_as, cohort::DEFAULT_K)
}

/// `import_batch` with publication under a configured k. Returns the new
/// ids in the order of `batch`.
///
/// The batch is stored in the order of its (random) ids, not its own, under
/// a run of consecutive slots from a random start: `base`, `base + 1`, ….
/// - Nothing stored records the batch's order: not the slots, not the
///   order of the index events and audit lines, whose ids grow as they
///   are written (in the batch's order, they recorded it).
/// - Each report lands next to the one before it. Under a slot of its own
///   drawn at random, each landed on a random leaf of the reports table,
///   and a leaf holds one report or two, so every insert split a full leaf
///   and rewrote its neighbours, each a page for the write-ahead log and
///   then the checkpoint: late in a million-report import, the commits
///   were 15 % of the import's CPU, and the writer spent 149-155 µs a
///   report against 87-90 now. In id order, the reports also reach each
///   index on their id in order, so a transaction visits each of those
///   leaves once, in turn.
///
/// The k-anonymity check runs on each report in that same order, against
/// the reports published before it, as for reports published one by one.
pub fn import_batch_with_k(
    conn: &mut Connection,
    batch: &[Deidentified],
    publish_as: Option<&str>,
    k: u64,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Uuid> = batch.iter().map(|_| Uuid::new_v4()).collect();
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_unstable_by_key(|&i| ids[i]);
    let base: i64 = rand::random();
    let publish = publish_as.map(|reviewer| (reviewer, k));
    let map = PlaceholderMap::default();
    conn.write(|conn| {
        for (n, &i) in order.iter().enumerate() {
            let slot = Some(base.wrapping_add(n as i64));
            insert_report_as(conn, ids[i], slot, &batch[i], None, &map, publish)?;
        }
        Ok(ids)
    })
}

fn load(conn: &mut Connection, id: &Uuid) -> Result<ReportRow, StoreError> {
    reports::table
        .find(as_key(id.to_string()))
        .select(ReportRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn load_amendments(conn: &mut Connection, id: &str) -> Result<Vec<AmendmentRow>, StoreError> {
    Ok(amendments::table
        .filter(amendments::report_id.eq(as_key(id)))
        .order(amendments::position.asc())
        .select(AmendmentRow::as_select())
        .load(conn)?)
}

fn load_questions(conn: &mut Connection, id: &str) -> Result<Vec<ReviewerQuestion>, StoreError> {
    Ok(questions::table
        .filter(questions::report_id.eq(as_key(id)))
        .order(questions::position.asc())
        .select(QuestionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|q| ReviewerQuestion {
            question: q.question,
            asked: q.asked_on,
        })
        .collect())
}

fn require_status(row: &ReportRow, allowed: &[Status], action: &str) -> Result<(), StoreError> {
    if allowed.contains(&row.status()) {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "a {} report cannot be {action}",
            row.status
        )))
    }
}

/// Publishes a pending report already in the database.
fn publish_pending(
    conn: &mut Connection,
    reviewer: &str,
    mut row: ReportRow,
    synopsis: Option<&str>,
    k: u64,
) -> Result<Anonymity, StoreError> {
    let content = row.content()?;
    let anonymity = prepare_publication(conn, &mut row, &content, synopsis, k)?;
    diesel::update(reports::table.find(as_key(&row.id)))
        .set((
            reports::status.eq(&row.status),
            reports::content.eq(as_document(&row.content)),
            reports::organization_size.eq(&row.organization_size),
            reports::incident_month.eq(&row.incident_month),
            reports::synopsis.eq(&row.synopsis),
            reports::rejection_reason.eq(None::<String>),
            reports::published_on.eq(row.published_on.clone().map(DayValue)),
            reports::modified_on.eq(as_day(&row.modified_on)),
        ))
        .execute(conn)?;
    record_index_event(conn, &row.id, IndexEventKind::Publish)?;
    audit(conn, reviewer, "approve", &row.id)?;
    Ok(anonymity)
}

/// Publish a pending report, with an optional reviewer-written synopsis.
/// Returns what the k-anonymity check found and generalised.
pub fn approve(
    conn: &mut Connection,
    reviewer: &str,
    id: &Uuid,
    synopsis: Option<&str>,
    k: u64,
) -> Result<Anonymity, StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        require_status(&row, &[Status::Pending], "approved")?;
        publish_pending(conn, reviewer, row, synopsis, k)
    })
}

pub fn reject(
    conn: &mut Connection,
    reviewer: &str,
    id: &Uuid,
    reason: &str,
) -> Result<(), StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        require_status(&row, &[Status::Pending], "rejected")?;
        diesel::update(reports::table.find(as_key(&row.id)))
            .set((
                reports::status.eq(Status::Rejected.as_str()),
                reports::rejection_reason.eq(reason),
                reports::modified_on.eq(as_day(today())),
            ))
            .execute(conn)?;
        audit(conn, reviewer, "reject", &row.id)
    })
}

/// Ask the submitter a question (the ASRS callback, done anonymously: the
/// receipt holder sees it and answers with an amendment).
pub fn ask(
    conn: &mut Connection,
    reviewer: &str,
    id: &Uuid,
    question: &str,
) -> Result<(), StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        require_status(
            &row,
            &[Status::Pending, Status::Rejected, Status::Published],
            "questioned",
        )?;
        let position: Option<i32> = questions::table
            .filter(questions::report_id.eq(as_key(&row.id)))
            .select(diesel::dsl::max(questions::position))
            .get_result(conn)?;
        diesel::insert_into(questions::table)
            .values(QuestionRow {
                id: Uuid::new_v4().to_string(),
                report_id: row.id.clone(),
                position: position.unwrap_or(0) + 1,
                question: question.to_string(),
                asked_on: today(),
            })
            .execute(conn)?;
        audit(conn, reviewer, "question", &row.id)
    })
}

/// The keyed placeholder map of a report.
pub fn placeholder_map(conn: &mut Connection, id: &Uuid) -> Result<PlaceholderMap, StoreError> {
    Ok(serde_json::from_str(&load(conn, id)?.placeholder_map)?)
}

/// A follow-up from the receipt holder, already de-identified, with the
/// placeholder map grown by what it introduced. On a published report it is
/// re-indexed; on a rejected one it sends the report back to the queue (the
/// answer to a rejection reason).
pub fn amend(
    conn: &mut Connection,
    id: &Uuid,
    text: &str,
    findings: &[Finding],
    map: &PlaceholderMap,
) -> Result<(), StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        let mut merged: PlaceholderMap = serde_json::from_str(&row.placeholder_map)?;
        merged.merge(map.clone());
        let position: Option<i32> = amendments::table
            .filter(amendments::report_id.eq(as_key(&row.id)))
            .select(diesel::dsl::max(amendments::position))
            .get_result(conn)?;
        let day = today();
        diesel::insert_into(amendments::table)
            .values(AmendmentRow {
                id: Uuid::new_v4().to_string(),
                report_id: row.id.clone(),
                position: position.unwrap_or(0) + 1,
                text: text.to_string(),
                findings: serde_json::to_string(findings)?,
                received_on: day.clone(),
            })
            .execute(conn)?;
        let status = match row.status() {
            Status::Rejected => Status::Pending,
            s => s,
        };
        diesel::update(reports::table.find(as_key(&row.id)))
            .set((
                reports::status.eq(status.as_str()),
                reports::modified_on.eq(as_day(&day)),
                reports::placeholder_map.eq(as_document(serde_json::to_string(&merged)?)),
            ))
            .execute(conn)?;
        if status == Status::Published {
            record_index_event(conn, &row.id, IndexEventKind::Amend)?;
        }
        Ok(())
    })
}

/// Withdraw: the report, its receipt, amendments and questions are deleted.
/// A published one leaves only a `withdraw` index event and a tombstone
/// (its id and the day, no content) so the index and mirrors remove it too;
/// a pending one leaves nothing.
pub fn withdraw(conn: &mut Connection, id: &Uuid) -> Result<(), StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        erase(conn, &row.id)?;
        if row.status() == Status::Published {
            record_index_event(conn, &row.id, IndexEventKind::Withdraw)?;
            bury(conn, &row.id, &today())?;
        }
        Ok(())
    })
}

/// Deletes a report and every row that names it: its dependants (by
/// cascade), its earlier index events (the days it was published and
/// changed) and the reviewers' audit entries about it. The submitter asked
/// for it to go; what stays is decided by the caller (a tombstone and a
/// `withdraw` event, for a report that was public). Earlier events may go:
/// the indexer looks the report up for the newest event naming it, and the
/// `withdraw` one written after this finds it gone.
fn erase(conn: &mut Connection, key: &str) -> Result<bool, StoreError> {
    diesel::delete(index_events::table.filter(index_events::report_id.eq(as_key(key))))
        .execute(conn)?;
    diesel::delete(review_audit::table.filter(review_audit::report_id.eq(as_key(key))))
        .execute(conn)?;
    Ok(diesel::delete(reports::table.find(as_key(key))).execute(conn)? > 0)
}

/// Leaves the tombstone mirrors read: the id and the day, nothing else.
fn bury(conn: &mut Connection, id: &str, day: &str) -> Result<(), StoreError> {
    diesel::delete(tombstones::table.find(as_key(id))).execute(conn)?;
    diesel::insert_into(tombstones::table)
        .values((
            tombstones::report_id.eq(as_key(id)),
            tombstones::withdrawn_on.eq(as_day(day)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A tombstone from another registry's export: delete the report here if
/// it is, and keep the tombstone so this registry's mirrors learn it too.
/// Returns whether a report was deleted. Runs inside the caller's write.
fn apply_tombstone(conn: &mut Connection, id: &Uuid, day: &str) -> Result<bool, StoreError> {
    let key = id.to_string();
    let deleted = erase(conn, &key)?;
    if deleted {
        record_index_event(conn, &key, IndexEventKind::Withdraw)?;
    }
    bury(conn, &key, day)?;
    Ok(deleted)
}

/// Tombstones in id order, `limit` at a time after `after`, withdrawn on or
/// after `since` when given: `(id, day)`.
pub fn tombstones_page(
    conn: &mut Connection,
    after: Option<&str>,
    since: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut q = tombstones::table
        .order(tombstones::report_id.asc())
        .limit(limit)
        .select((tombstones::report_id, tombstones::withdrawn_on))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(tombstones::report_id.gt(as_key(a.to_string())));
    }
    if let Some(s) = since {
        q = q.filter(tombstones::withdrawn_on.ge(as_day(s.to_string())));
    }
    Ok(q.load(conn)?)
}

/// A reviewer's extra redaction: `apply` rewrites the stored content and
/// amendment texts (with placeholders consistent with those already there)
/// and returns its findings, all inside one transaction.
pub fn redact_more(
    conn: &mut Connection,
    reviewer: &str,
    id: &Uuid,
    apply: impl FnOnce(&mut ReportContent, &mut [String]) -> Vec<Finding>,
) -> Result<Vec<Finding>, StoreError> {
    conn.write(|conn| {
        let row = load(conn, id)?;
        require_status(
            &row,
            &[Status::Pending, Status::Published, Status::Rejected],
            "redacted",
        )?;
        let mut content = row.content()?;
        let stored = load_amendments(conn, &row.id)?;
        let mut texts: Vec<String> = stored.iter().map(|a| a.text.clone()).collect();
        let added = apply(&mut content, &mut texts);
        let mut findings: Vec<Finding> = serde_json::from_str(&row.findings)?;
        for f in &added {
            match findings.iter_mut().find(|x| x.placeholder == f.placeholder) {
                Some(x) => x.count += f.count,
                None => findings.push(f.clone()),
            }
        }
        diesel::update(reports::table.find(as_key(&row.id)))
            .set((
                reports::content.eq(as_document(serde_json::to_string(&content)?)),
                reports::title.eq(&content.title),
                reports::findings.eq(as_document(serde_json::to_string(&findings)?)),
                reports::modified_on.eq(as_day(today())),
            ))
            .execute(conn)?;
        for (a, text) in stored.iter().zip(texts) {
            diesel::update(amendments::table.find(as_key(&a.id)))
                .set(amendments::text.eq(text))
                .execute(conn)?;
        }
        if row.status() == Status::Published {
            record_index_event(conn, &row.id, IndexEventKind::Redact)?;
        }
        audit(conn, reviewer, "redact", &row.id)?;
        Ok(added)
    })
}

pub fn receipt_hash(conn: &mut Connection, id: &Uuid) -> Result<Option<String>, StoreError> {
    Ok(receipts::table
        .find(as_key(id.to_string()))
        .select(receipts::secret_hash)
        .get_result(conn)
        .optional()?)
}

pub fn receipt_status(conn: &mut Connection, id: &Uuid) -> Result<ReceiptStatus, StoreError> {
    let row = load(conn, id)?;
    let amendments = load_amendments(conn, &row.id)?.len();
    Ok(ReceiptStatus {
        id: *id,
        status: row.status(),
        questions: load_questions(conn, &row.id)?,
        rejection_reason: row.rejection_reason.clone(),
        amendments,
        received: row.received_on.clone(),
        published: row.published_on.clone(),
    })
}

/// A published report; anything else is not found.
pub fn published(conn: &mut Connection, id: &Uuid) -> Result<PublishedReport, StoreError> {
    published_by_key(conn, &id.to_string())?.ok_or(StoreError::NotFound)
}

/// The published report with this key, `None` if it is not published (any
/// more): what the indexer asks when an event names a report.
pub fn published_by_key(
    conn: &mut Connection,
    key: &str,
) -> Result<Option<PublishedReport>, StoreError> {
    let row: Option<PublishedRow> = reports::table
        .find(as_key(key))
        .filter(reports::status.eq(Status::Published.as_str()))
        .select(PublishedRow::as_select())
        .get_result(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some(row) => {
            let amendments = load_amendments(conn, &row.id)?;
            Ok(Some(published_view(&row, &amendments)?))
        }
    }
}

/// How many reports are published.
pub fn count_published(conn: &mut Connection) -> Result<i64, StoreError> {
    Ok(reports::table
        .filter(reports::status.eq(Status::Published.as_str()))
        .count()
        .get_result(conn)?)
}

/// Published reports in id order, `limit` at a time after `after`: the
/// export walks the whole dataset this way without holding it in memory.
pub fn published_page(
    conn: &mut Connection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<PublishedReport>, StoreError> {
    published_page_since(conn, after, None, limit)
}

/// `published_page`, only reports modified on or after `since` (a day).
pub fn published_page_since(
    conn: &mut Connection,
    after: Option<&str>,
    since: Option<&str>,
    limit: i64,
) -> Result<Vec<PublishedReport>, StoreError> {
    let mut q = reports::table
        .filter(reports::status.eq(Status::Published.as_str()))
        .order(reports::id.asc())
        .limit(limit)
        .select(PublishedRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(reports::id.gt(as_key(a.to_string())));
    }
    if let Some(s) = since {
        q = q.filter(reports::modified_on.ge(as_day(s.to_string())));
    }
    let rows: Vec<PublishedRow> = q.load(conn)?;
    let Some(last) = rows.last() else {
        return Ok(Vec::new());
    };
    // One range read for the page's amendments instead of one query per
    // report: the page is a key range, and amendments are indexed by key.
    let mut q = amendments::table
        .filter(amendments::report_id.le(as_key(last.id.clone())))
        .order((amendments::report_id.asc(), amendments::position.asc()))
        .select(AmendmentRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(amendments::report_id.gt(as_key(a.to_string())));
    }
    let mut by_report = group_by_report(q.load(conn)?);
    rows.iter()
        .map(|row| {
            let amendments = by_report.remove(&row.id).unwrap_or_default();
            Ok(published_view(row, &amendments)?)
        })
        .collect()
}

/// Amendments grouped by their report, each group in order.
pub(crate) fn group_by_report(
    rows: Vec<AmendmentRow>,
) -> std::collections::HashMap<String, Vec<AmendmentRow>> {
    let mut by_report: std::collections::HashMap<String, Vec<AmendmentRow>> =
        std::collections::HashMap::new();
    for row in rows {
        by_report
            .entry(row.report_id.clone())
            .or_default()
            .push(row);
    }
    by_report
}

/// One line of another registry's export, to apply here.
pub enum Mirrored<'a> {
    /// A published report, its texts de-identified again by the caller.
    Report(&'a PublishedReport, &'a Deidentified),
    /// A report withdrawn there, and the day.
    Tombstone(&'a Uuid, &'a str),
}

impl Mirrored<'_> {
    fn id(&self) -> &Uuid {
        match self {
            Mirrored::Report(report, _) => &report.id,
            Mirrored::Tombstone(id, _) => id,
        }
    }
}

/// What applying one `Mirrored` line did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MirrorOutcome {
    Imported,
    /// A tombstone kept; whether it deleted a report here.
    Withdrawn {
        deleted: bool,
    },
    /// The line changed nothing, and why (a report withdrawn here, one
    /// submitted here, a copy no newer than this one).
    Skipped(String),
}

/// Applies an export's lines (a mirror's sync, or a registry restoring its
/// own export) in one transaction. Returns each line's outcome in the order
/// of `lines`.
///
/// As for a bulk import of submissions (`import_batch_with_k`), the lines
/// are applied in the order of their ids, and the reports stored under
/// consecutive slots from a random start: one at a time, each under a
/// random slot and in a transaction of its own, 20,000 reports of an
/// export took 15 s to import. Lines naming the same id keep their order
/// (the sort is stable), so a tombstone after a report still wins.
pub fn import_mirrored(
    conn: &mut Connection,
    lines: &[Mirrored],
) -> Result<Vec<MirrorOutcome>, StoreError> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| lines[i].id());
    let base: i64 = rand::random();
    let mut stored = 0i64;
    conn.write(|conn| {
        let mut outcomes = vec![MirrorOutcome::Imported; lines.len()];
        for i in order {
            outcomes[i] = match lines[i] {
                Mirrored::Report(report, d) => {
                    let slot = base.wrapping_add(stored);
                    match import_published(conn, report, d, Some(slot)) {
                        Ok(()) => {
                            stored += 1;
                            MirrorOutcome::Imported
                        }
                        Err(StoreError::Conflict(why)) => MirrorOutcome::Skipped(why),
                        Err(e) => return Err(e),
                    }
                }
                Mirrored::Tombstone(id, day) => MirrorOutcome::Withdrawn {
                    deleted: apply_tombstone(conn, id, day)?,
                },
            };
        }
        Ok(outcomes)
    })
}

/// Stores a report that is already published elsewhere (an export of this
/// registry or a mirror), keeping its id, under `slot` unless another
/// report holds it. A newer version (`modified` on or after the copy here)
/// of a report imported before replaces it, so a mirror follows amendments
/// and reviewer redactions; a report submitted here (it has a receipt) or
/// withdrawn here (it has a tombstone) is never replaced or brought back:
/// those are a `Conflict`, returned before anything is written. Runs
/// inside the caller's write.
fn import_published(
    conn: &mut Connection,
    report: &PublishedReport,
    d: &Deidentified,
    mut slot: Option<i64>,
) -> Result<(), StoreError> {
    let key = report.id.to_string();
    let mut row = row_for(&key, Status::Published, d, &report.modified)?;
    row.synopsis = report.synopsis.clone();
    row.published_on = Some(report.published.clone());
    if tombstones::table
        .find(as_key(&key))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        return Err(StoreError::Conflict(format!("report {key} was withdrawn")));
    }
    let here: Option<(String, String)> = reports::table
        .find(as_key(&key))
        .select((reports::status, reports::modified_on))
        .get_result(conn)
        .optional()?;
    if let Some((status, modified)) = here {
        let submitted_here = receipts::table
            .find(as_key(&key))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if submitted_here || status != Status::Published.as_str() {
            return Err(StoreError::Conflict(format!("report {key} already exists")));
        }
        let incoming = PublishedReport {
            content: d.content.clone(),
            ..report.clone()
        };
        if published_by_key(conn, &key)?.as_ref() == Some(&incoming) {
            return Err(StoreError::Conflict(format!(
                "report {key} already exists, unchanged"
            )));
        }
        // Registry days order the versions; within one day the later
        // import wins, so a mirror applies exports in the order they
        // were made (and `since=` the day of its last sync heals it).
        if modified > report.modified {
            return Err(StoreError::Conflict(format!(
                "report {key} is newer here ({modified})"
            )));
        }
        // Its amendments go with it (cascade); the insert below
        // writes the new version and its `publish` event re-indexes it.
        diesel::delete(reports::table.find(as_key(&key))).execute(conn)?;
    }
    insert_row_drawing(conn, &row, || slot.take().unwrap_or_else(rand::random))?;
    for (i, a) in report.amendments.iter().enumerate() {
        diesel::insert_into(amendments::table)
            .values(AmendmentRow {
                id: Uuid::new_v4().to_string(),
                report_id: key.clone(),
                position: i as i32 + 1,
                text: a.text.clone(),
                findings: "[]".into(),
                received_on: format!("{}-01", a.month),
            })
            .execute(conn)?;
    }
    record_index_event(conn, &key, IndexEventKind::Publish)
}

pub fn queue(conn: &mut Connection) -> Result<Vec<QueueEntry>, StoreError> {
    // 'pending' as a literal: only then may the planner use the partial
    // index of pending reports by day (a bound value could be any status).
    let rows: Vec<ReportRow> = reports::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "status = 'pending'",
        ))
        .order((reports::received_on.asc(), reports::id.asc()))
        .limit(500)
        .select(ReportRow::as_select())
        .load(conn)?;
    let today = chrono::Utc::now().date_naive();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let received =
            chrono::NaiveDate::parse_from_str(&row.received_on, "%Y-%m-%d").unwrap_or(today);
        let flags: Vec<serde_json::Value> = serde_json::from_str(&row.flags)?;
        out.push(QueueEntry {
            id: Uuid::parse_str(&row.id).unwrap_or_default(),
            title: row.title.clone(),
            received: row.received_on.clone(),
            age_days: (today - received).num_days(),
            completeness: row.completeness.clamp(0, 100) as u8,
            flags: flags.len(),
            amendments: load_amendments(conn, &row.id)?.len(),
        });
    }
    Ok(out)
}

/// A report as the reviewer sees it, with what publishing it now would
/// generalise under `k`.
pub fn review_item(conn: &mut Connection, id: &Uuid, k: u64) -> Result<ReviewItem, StoreError> {
    let row = load(conn, id)?;
    let amendments = load_amendments(conn, &row.id)?;
    let view = published_view(&PublishedRow::from(&row), &amendments)?;
    let anonymity = match row.status() {
        Status::Pending => Some(cohort::check(
            conn,
            &view.content,
            row.cohorts().as_ref(),
            k,
        )?),
        _ => None,
    };
    Ok(ReviewItem {
        anonymity,
        id: *id,
        status: row.status(),
        warnings: crate::redact::leftovers::leftovers(&view.content),
        content: view.content,
        findings: serde_json::from_str(&row.findings)?,
        flags: serde_json::from_str(&row.flags)?,
        completeness: view.completeness,
        synopsis: row.synopsis.clone(),
        rejection_reason: row.rejection_reason.clone(),
        questions: load_questions(conn, &row.id)?,
        amendments: view.amendments,
        received: row.received_on.clone(),
    })
}

/// Report counts per status, for `/metrics`.
pub fn count_by_status(conn: &mut Connection) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(reports::table
        .group_by(reports::status)
        .select((reports::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Whether any report exists: one index probe, not a count (the health
/// check asks it every few seconds, and a count reads the whole table on
/// PostgreSQL).
pub fn has_reports(conn: &mut Connection) -> Result<bool, StoreError> {
    Ok(!reports::table
        .select(reports::status)
        .limit(1)
        .load::<String>(conn)?
        .is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A registry of its own in a temporary directory, dropped with it.
    fn registry() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("r.db").to_str().unwrap(), 1).unwrap();
        (dir, store)
    }

    fn pending(id: &str) -> ReportRow {
        ReportRow {
            id: id.to_string(),
            status: Status::Pending.as_str().to_string(),
            content: "{}".into(),
            title: "a title".into(),
            industry: None,
            organization_size: None,
            severity: None,
            trigger: None,
            detection: None,
            incident_month: None,
            incident_time_of_day: None,
            time_to_detect_minutes: None,
            time_to_mitigate_minutes: None,
            time_to_resolve_minutes: None,
            completeness: 0,
            flags: "[]".into(),
            findings: "[]".into(),
            placeholder_map: "{}".into(),
            synopsis: None,
            rejection_reason: None,
            received_on: "2026-01-01".into(),
            published_on: None,
            modified_on: "2026-01-01".into(),
            cohort: None,
            cohort_no_size: None,
            cohort_no_month: None,
            cohort_coarse: None,
        }
    }

    #[test]
    fn a_report_drawing_a_taken_slot_draws_again() {
        let (_dir, store) = registry();
        let mut conn = store.conn().unwrap();
        let (first, second) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
        insert_row_at(&mut conn, &pending(&first), 7).unwrap();

        // The slot alone is what clashes, and it is told apart from others.
        let clash = insert_row_at(&mut conn, &pending(&second), 7).unwrap_err();
        assert!(
            matches!(&clash, StoreError::Database(e) if slot_taken(e)),
            "{clash}"
        );
        let same_id = insert_row_at(&mut conn, &pending(&first), 8).unwrap_err();
        assert!(
            !matches!(&same_id, StoreError::Database(e) if slot_taken(e)),
            "{same_id}"
        );

        let mut draws = [7, 7, 9].into_iter();
        insert_row_drawing(&mut conn, &pending(&second), || draws.next().unwrap()).unwrap();
        assert_eq!(draws.next(), None, "drew once more than the clashes needed");
        let slots: Vec<(i64, String)> = reports::table
            .select((reports::slot, reports::id))
            .order(reports::slot)
            .load(&mut conn)
            .unwrap();
        assert_eq!(slots, vec![(7, first), (9, second)]);

        // A clash on every draw ends in an error, not a loop.
        let third = Uuid::new_v4().to_string();
        let err = insert_row_drawing(&mut conn, &pending(&third), || 7).unwrap_err();
        assert!(
            matches!(&err, StoreError::Database(e) if slot_taken(e)),
            "{err}"
        );
    }

    fn generated(n: usize) -> Vec<Deidentified> {
        crate::demo::generate(n, 7)
            .into_iter()
            .filter_map(|s| crate::report::validate(s).ok())
            .map(crate::redact::deidentify)
            .collect()
    }

    #[test]
    fn a_bulk_batch_is_stored_in_id_order_under_consecutive_slots() {
        let (_dir, store) = registry();
        let mut conn = store.conn().unwrap();
        let batch = generated(40);
        assert!(batch.len() > 30, "the generator's reports validate");

        let ids = import_batch_with_k(&mut conn, &batch, Some("import"), 1).unwrap();

        // The ids come back in the batch's order.
        assert_eq!(ids.len(), batch.len());
        for (id, d) in ids.iter().zip(&batch) {
            let title: String = reports::table
                .find(as_key(id.to_string()))
                .select(reports::title)
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(title, d.content.title);
        }
        // Stored in id order: slots one after another, and the index events
        // and audit lines written in that order, so none records the batch's.
        let mut by_id: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        by_id.sort();
        let slots: Vec<(i64, String)> = reports::table
            .select((reports::slot, reports::id))
            .order(reports::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            slots.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
            by_id
        );
        for pair in slots.windows(2) {
            assert_eq!(pair[1].0, pair[0].0.wrapping_add(1), "{pair:?}");
        }
        let events: Vec<String> = index_events::table
            .order(index_events::id)
            .select(index_events::report_id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(events, by_id);
        let audited: Vec<String> = review_audit::table
            .order(review_audit::id)
            .select(review_audit::report_id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(audited, by_id);
        let in_batch_order: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        assert_ne!(events, in_batch_order, "40 random ids came out sorted");
    }

    #[test]
    fn a_bulk_report_whose_slot_is_taken_draws_another() {
        let (_dir, store) = registry();
        let mut conn = store.conn().unwrap();
        let holder = Uuid::new_v4().to_string();
        insert_row_at(&mut conn, &pending(&holder), 42).unwrap();
        let d = generated(1).remove(0);
        let id = Uuid::new_v4();
        let map = PlaceholderMap::default();
        insert_report_as(&mut conn, id, Some(42), &d, None, &map, None).unwrap();
        let slot: i64 = reports::table
            .find(as_key(id.to_string()))
            .select(reports::slot)
            .get_result(&mut conn)
            .unwrap();
        assert_ne!(slot, 42);
        let held: String = reports::table
            .filter(reports::slot.eq(42))
            .select(reports::id)
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(held, holder);
    }

    /// Published copies of `batch`'s reports, as another registry exports
    /// them.
    fn exported(batch: &[Deidentified]) -> Vec<PublishedReport> {
        batch
            .iter()
            .map(|d| PublishedReport {
                id: Uuid::new_v4(),
                content: d.content.clone(),
                synopsis: None,
                amendments: Vec::new(),
                completeness: d.completeness.score,
                published: "2026-03-01".into(),
                modified: "2026-03-02".into(),
            })
            .collect()
    }

    #[test]
    fn an_export_is_applied_in_id_order_and_each_line_has_its_outcome() {
        let (_dir, store) = registry();
        let mut conn = store.conn().unwrap();
        let batch = generated(30);
        let reports = exported(&batch);
        let mut lines: Vec<Mirrored> = reports
            .iter()
            .zip(&batch)
            .map(|(r, d)| Mirrored::Report(r, d))
            .collect();
        // The same report again, after its first copy: unchanged, skipped.
        lines.push(Mirrored::Report(&reports[3], &batch[3]));
        // A report withdrawn after it came, in the same file: the tombstone
        // follows the report, whatever the sort does to other lines.
        lines.push(Mirrored::Tombstone(&reports[5].id, "2026-03-04"));
        // A tombstone before a report: the report is not brought back.
        let gone = &reports[7].id;
        lines.insert(0, Mirrored::Tombstone(gone, "2026-03-03"));
        let outcomes = import_mirrored(&mut conn, &lines).unwrap();

        assert_eq!(outcomes.len(), lines.len());
        assert_eq!(outcomes[0], MirrorOutcome::Withdrawn { deleted: false });
        let n = lines.len();
        assert_eq!(
            outcomes[n - 2],
            MirrorOutcome::Skipped(format!(
                "report {} already exists, unchanged",
                reports[3].id
            ))
        );
        assert_eq!(outcomes[n - 1], MirrorOutcome::Withdrawn { deleted: true });
        assert_eq!(
            outcomes[8],
            MirrorOutcome::Skipped(format!("report {gone} was withdrawn"))
        );
        let imported = outcomes
            .iter()
            .filter(|o| **o == MirrorOutcome::Imported)
            .count();
        assert_eq!(imported, reports.len() - 1);

        // What stays: every report but the two withdrawn, in consecutive
        // slots in id order. A skipped line takes no slot; the report
        // withdrawn later in the file leaves its own empty.
        let stored: Vec<(i64, String)> = reports::table
            .select((reports::slot, reports::id))
            .order(reports::id)
            .load(&mut conn)
            .unwrap();
        let mut expected: Vec<String> = reports
            .iter()
            .filter(|r| r.id != *gone && r.id != reports[5].id)
            .map(|r| r.id.to_string())
            .collect();
        expected.sort();
        assert_eq!(
            stored.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
            expected
        );
        let steps: Vec<i64> = stored
            .windows(2)
            .map(|pair| pair[1].0.wrapping_sub(pair[0].0))
            .collect();
        let mut gaps = steps.iter().filter(|&&step| step != 1);
        assert!(
            gaps.next().is_none_or(|&step| step == 2) && gaps.next().is_none(),
            "only the report withdrawn after it came leaves a gap: {steps:?}"
        );
        let events: Vec<(String, String)> = index_events::table
            .order(index_events::id)
            .select((index_events::report_id, index_events::kind))
            .load(&mut conn)
            .unwrap();
        let publishes: Vec<&String> = events
            .iter()
            .filter(|(_, kind)| kind == "publish")
            .map(|(id, _)| id)
            .collect();
        assert!(publishes.windows(2).all(|p| p[0] < p[1]), "{publishes:?}");
        let tombstones: Vec<String> = tombstones::table
            .select(tombstones::report_id)
            .order(tombstones::report_id)
            .load(&mut conn)
            .unwrap();
        let mut withdrawn = vec![gone.to_string(), reports[5].id.to_string()];
        withdrawn.sort();
        assert_eq!(tombstones, withdrawn);
    }

    #[test]
    fn a_failing_line_rolls_back_its_whole_transaction() {
        let (_dir, store) = registry();
        let mut conn = store.conn().unwrap();
        let batch = generated(6);
        let reports = exported(&batch);
        // A database error part way (a table every report's insert writes
        // is gone) fails the whole transaction.
        let lines: Vec<Mirrored> = reports
            .iter()
            .zip(&batch)
            .map(|(r, d)| Mirrored::Report(r, d))
            .collect();
        diesel::sql_query("DROP TABLE index_events")
            .execute(&mut conn)
            .unwrap();
        assert!(import_mirrored(&mut conn, &lines).is_err());
        let count: i64 = reports::table.count().get_result(&mut conn).unwrap();
        assert_eq!(count, 0, "no report of the failed transaction stays");
    }
}
