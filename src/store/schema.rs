//! Diesel table definitions, matching `migrations/sqlite` and
//! `migrations/postgres`. `Key`, `Day`, `Document` and `Instant` are text (or
//! an integer) on SQLite and uuid, date, jsonb and timestamptz on
//! PostgreSQL: see `store::types`.

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    reports (id) {
        // SQLite's row key: random, drawn at insert, never read. See
        // migrations/sqlite/…_report_slots.
        slot -> BigInt,
        id -> Key,
        status -> Text,
        content -> Document,
        title -> Text,
        industry -> Nullable<Text>,
        organization_size -> Nullable<Text>,
        severity -> Nullable<Text>,
        trigger -> Nullable<Text>,
        detection -> Nullable<Text>,
        incident_month -> Nullable<Text>,
        incident_time_of_day -> Nullable<Text>,
        time_to_detect_minutes -> Nullable<Integer>,
        time_to_mitigate_minutes -> Nullable<Integer>,
        time_to_resolve_minutes -> Nullable<Integer>,
        completeness -> Integer,
        flags -> Document,
        findings -> Document,
        placeholder_map -> Document,
        synopsis -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
        received_on -> Day,
        published_on -> Nullable<Day>,
        modified_on -> Day,
        cohort -> Nullable<Text>,
        cohort_no_size -> Nullable<Text>,
        cohort_no_month -> Nullable<Text>,
        cohort_coarse -> Nullable<Text>,
    }
}

diesel::table! {
    cohort_sizes (level, cohort) {
        level -> Text,
        cohort -> Text,
        published -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    receipts (report_id) {
        report_id -> Key,
        secret_hash -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    amendments (id) {
        id -> Key,
        report_id -> Key,
        position -> Integer,
        text -> Text,
        findings -> Document,
        received_on -> Day,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    questions (id) {
        id -> Key,
        report_id -> Key,
        position -> Integer,
        question -> Text,
        asked_on -> Day,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    reviewers (id) {
        id -> Key,
        name -> Text,
        password_hash -> Text,
        created_on -> Day,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    reviewer_sessions (id) {
        id -> Key,
        reviewer_id -> Key,
        token_hash -> Text,
        expires_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    index_events (id) {
        id -> BigInt,
        report_id -> Key,
        kind -> Text,
        recorded_on -> Day,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    tombstones (report_id) {
        report_id -> Key,
        withdrawn_on -> Day,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::store::types::{Day, Document, Instant, Key};

    review_audit (id) {
        id -> BigInt,
        reviewer -> Text,
        action -> Text,
        report_id -> Key,
        day -> Day,
    }
}

diesel::joinable!(receipts -> reports (report_id));
diesel::joinable!(amendments -> reports (report_id));
diesel::joinable!(questions -> reports (report_id));
diesel::joinable!(reviewer_sessions -> reviewers (reviewer_id));

diesel::allow_tables_to_appear_in_same_query!(
    reports,
    cohort_sizes,
    receipts,
    amendments,
    questions,
    reviewers,
    reviewer_sessions,
    index_events,
    review_audit,
    tombstones,
);
