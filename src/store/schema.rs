//! Diesel table definitions, matching `migrations/`.

diesel::table! {
    reports (id) {
        id -> Text,
        status -> Text,
        content -> Text,
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
        flags -> Text,
        findings -> Text,
        placeholder_map -> Text,
        synopsis -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
        received_on -> Text,
        published_on -> Nullable<Text>,
        modified_on -> Text,
        cohort -> Nullable<Text>,
        cohort_no_size -> Nullable<Text>,
        cohort_no_month -> Nullable<Text>,
        cohort_coarse -> Nullable<Text>,
    }
}

diesel::table! {
    report_technologies (report_id, technology) {
        report_id -> Text,
        technology -> Text,
    }
}

diesel::table! {
    report_factors (report_id, kind, factor) {
        report_id -> Text,
        kind -> Text,
        factor -> Text,
    }
}

diesel::table! {
    receipts (report_id) {
        report_id -> Text,
        secret_hash -> Text,
    }
}

diesel::table! {
    amendments (id) {
        id -> Text,
        report_id -> Text,
        position -> Integer,
        text -> Text,
        findings -> Text,
        received_on -> Text,
    }
}

diesel::table! {
    questions (id) {
        id -> Text,
        report_id -> Text,
        position -> Integer,
        question -> Text,
        asked_on -> Text,
    }
}

diesel::table! {
    reviewers (id) {
        id -> Text,
        name -> Text,
        password_hash -> Text,
        created_on -> Text,
    }
}

diesel::table! {
    reviewer_sessions (id) {
        id -> Text,
        reviewer_id -> Text,
        token_hash -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    index_events (id) {
        id -> BigInt,
        report_id -> Text,
        kind -> Text,
        recorded_on -> Text,
    }
}

diesel::table! {
    tombstones (report_id) {
        report_id -> Text,
        withdrawn_on -> Text,
    }
}

diesel::table! {
    review_audit (id) {
        id -> BigInt,
        reviewer -> Text,
        action -> Text,
        report_id -> Text,
        day -> Text,
    }
}

diesel::joinable!(report_technologies -> reports (report_id));
diesel::joinable!(report_factors -> reports (report_id));
diesel::joinable!(receipts -> reports (report_id));
diesel::joinable!(amendments -> reports (report_id));
diesel::joinable!(questions -> reports (report_id));
diesel::joinable!(reviewer_sessions -> reviewers (reviewer_id));

diesel::allow_tables_to_appear_in_same_query!(
    reports,
    report_technologies,
    report_factors,
    receipts,
    amendments,
    questions,
    reviewers,
    reviewer_sessions,
    index_events,
    review_audit,
    tombstones,
);
