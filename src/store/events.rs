//! Reading the `index_events` log: the search indexer's only input besides
//! the published reports themselves.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use diesel::prelude::*;

use super::lifecycle::group_by_report;
use super::models::{published_view, AmendmentRow, PublishedRow, Status};
use super::schema::{amendments, index_events, reports};
use super::{Connection, StoreError};
use crate::report::PublishedReport;

#[derive(Debug, Clone, Queryable)]
pub struct IndexEvent {
    pub id: i64,
    pub report_id: String,
    pub kind: String,
}

/// A batch of the log: its events in order, and the reports they name that
/// are published now, by key. A named report missing from `published` is
/// not published (any more).
#[derive(Debug, Default)]
pub struct EventBatch {
    pub events: Vec<IndexEvent>,
    pub published: HashMap<String, PublishedReport>,
}

/// Up to `limit` events after event `after`, in order, with the reports
/// they name as published now.
///
/// Two queries per batch, whatever its size: the events joined to their
/// reports, then the batch's amendments joined through the same events.
/// Reading report by report cost two queries each, and was most of the
/// indexer's own thread during a bulk import.
pub fn events_with_reports_after(
    conn: &mut Connection,
    after: i64,
    limit: i64,
) -> Result<EventBatch, StoreError> {
    let rows: Vec<(IndexEvent, Option<PublishedRow>)> = index_events::table
        .left_join(
            reports::table.on(reports::id
                .eq(index_events::report_id)
                .and(reports::status.eq(Status::Published.as_str()))),
        )
        .filter(index_events::id.gt(after))
        .order(index_events::id.asc())
        .limit(limit)
        .select((
            (
                index_events::id,
                index_events::report_id,
                index_events::kind,
            ),
            // Same columns as `PublishedRow`'s fields, in order: diesel
            // cannot make a `Selectable` nullable inside a tuple.
            (
                reports::id,
                reports::content,
                reports::completeness,
                reports::synopsis,
                reports::published_on,
                reports::modified_on,
            )
                .nullable(),
        ))
        .load(conn)?;
    let Some(newest) = rows.last().map(|(event, _)| event.id) else {
        return Ok(EventBatch::default());
    };
    // A report with several events in the batch joins once per event.
    let mut amended: Vec<AmendmentRow> = amendments::table
        .inner_join(index_events::table.on(index_events::report_id.eq(amendments::report_id)))
        .filter(index_events::id.gt(after))
        .filter(index_events::id.le(newest))
        .select(AmendmentRow::as_select())
        .load(conn)?;
    amended.sort_by(|a, b| (&a.report_id, a.position).cmp(&(&b.report_id, b.position)));
    amended.dedup_by(|a, b| a.id == b.id);
    let by_report = group_by_report(amended);
    let mut batch = EventBatch {
        events: Vec::with_capacity(rows.len()),
        published: HashMap::new(),
    };
    for (event, row) in rows {
        if let Some(row) = row {
            if let Entry::Vacant(slot) = batch.published.entry(row.id.clone()) {
                let amendments = by_report.get(&row.id).map_or(&[][..], Vec::as_slice);
                slot.insert(published_view(&row, amendments)?);
            }
        }
        batch.events.push(event);
    }
    Ok(batch)
}

/// The newest event's id; 0 when the log is empty.
pub fn last_event_id(conn: &mut Connection) -> Result<i64, StoreError> {
    Ok(index_events::table
        .select(diesel::dsl::max(index_events::id))
        .get_result::<Option<i64>>(conn)?
        .unwrap_or(0))
}
