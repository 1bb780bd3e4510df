//! Reading the `index_events` log: the search indexer's only input besides
//! the published reports themselves.

use diesel::prelude::*;

use super::schema::index_events;
use super::{Connection, StoreError};

#[derive(Debug, Clone, Queryable)]
pub struct IndexEvent {
    pub id: i64,
    pub report_id: String,
    pub kind: String,
}

/// Up to `limit` events after event `after`, in order.
pub fn events_after(
    conn: &mut Connection,
    after: i64,
    limit: i64,
) -> Result<Vec<IndexEvent>, StoreError> {
    Ok(index_events::table
        .filter(index_events::id.gt(after))
        .order(index_events::id.asc())
        .limit(limit)
        .select((
            index_events::id,
            index_events::report_id,
            index_events::kind,
        ))
        .load(conn)?)
}

/// The newest event's id; 0 when the log is empty.
pub fn last_event_id(conn: &mut Connection) -> Result<i64, StoreError> {
    Ok(index_events::table
        .select(diesel::dsl::max(index_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}
