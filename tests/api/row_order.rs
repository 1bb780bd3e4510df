//! SQLite keeps rows in key order, so a sequential key (or SQLite's own
//! rowid, handed out as the largest so far plus one) would record the order
//! in which submitters arrived, for anyone holding the database file.
//! `reports` is keyed by a random slot instead, and the tables keyed by a
//! report's id by that id, random too. (PostgreSQL keeps rows in a heap;
//! see its first migration.)

use diesel::{Connection, RunQueryDsl};

use crate::helpers::*;

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    row_key: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    slot: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

#[test]
fn no_row_key_records_the_order_in_which_reports_arrived() {
    let app = spawn_app();
    let arrived: Vec<String> = (0..16).map(|_| app.submit_ok(&submission()).0).collect();

    let db = app.data_dir().join("nearmiss.db");
    let mut conn = diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    let rows: Vec<Row> = diesel::sql_query("SELECT rowid AS row_key, slot, id FROM reports")
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), arrived.len());
    // The slot is the rowid itself: no hidden sequential one beside it.
    assert!(rows.iter().all(|r| r.row_key == r.slot));
    let slot_of = |id: &String| rows.iter().find(|r| &r.id == id).unwrap().slot;
    let slots: Vec<i64> = arrived.iter().map(slot_of).collect();
    // Random keys: in arrival order they rise (or fall) all the way with
    // odds of 1 in 16!, and span far more than a counter would.
    assert!(
        !slots.windows(2).all(|w| w[0] < w[1]) && !slots.windows(2).all(|w| w[0] > w[1]),
        "slots follow the order of arrival: {slots:?}"
    );
    let (lowest, highest) = (slots.iter().min().unwrap(), slots.iter().max().unwrap());
    assert!(
        highest.abs_diff(*lowest) > 1 << 40,
        "slots look counted, not drawn: {slots:?}"
    );
}
