-- The registry's tables. Privacy shapes the schema:
--  * no column holds a client address, user agent or exact submission time;
--    registry dates (received, published, modified) are days;
--  * tables keyed by a report id are WITHOUT ROWID, so no hidden sequential
--    rowid records the order in which submitters arrived;
--  * receipts and reviewer secrets are argon2id hashes only.

CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
    content TEXT NOT NULL,
    title TEXT NOT NULL,
    industry TEXT,
    organization_size TEXT,
    severity TEXT,
    trigger TEXT,
    detection TEXT,
    incident_month TEXT,
    incident_time_of_day TEXT,
    time_to_detect_minutes INTEGER,
    time_to_mitigate_minutes INTEGER,
    time_to_resolve_minutes INTEGER,
    completeness INTEGER NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',
    findings TEXT NOT NULL DEFAULT '[]',
    -- value → placeholder, as HMACs under a key derived from the receipt
    placeholder_map TEXT NOT NULL DEFAULT '{}',
    synopsis TEXT,
    rejection_reason TEXT,
    received_on TEXT NOT NULL,
    published_on TEXT,
    modified_on TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX reports_status ON reports (status, received_on);

CREATE TABLE report_technologies (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    technology TEXT NOT NULL,
    PRIMARY KEY (report_id, technology)
) WITHOUT ROWID;
CREATE INDEX report_technologies_technology ON report_technologies (technology);

-- contributing factors, mitigations and human factors, so SQL can count them
CREATE TABLE report_factors (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('contributing', 'mitigation', 'human')),
    factor TEXT NOT NULL,
    PRIMARY KEY (report_id, kind, factor)
) WITHOUT ROWID;
CREATE INDEX report_factors_factor ON report_factors (kind, factor);

CREATE TABLE receipts (
    report_id TEXT PRIMARY KEY NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE amendments (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '[]',
    received_on TEXT NOT NULL,
    UNIQUE (report_id, position)
) WITHOUT ROWID;

-- the ASRS "callback": a reviewer's question, answered by an amendment
CREATE TABLE questions (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    asked_on TEXT NOT NULL,
    UNIQUE (report_id, position)
) WITHOUT ROWID;

CREATE TABLE reviewers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_on TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE reviewer_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    reviewer_id TEXT NOT NULL REFERENCES reviewers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL
) WITHOUT ROWID;

-- Append-only: every publish, amendment of a published report, withdrawal
-- and reviewer redaction, written in the same transaction as the change.
-- The search indexer consumes it in id order.
CREATE TABLE index_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    report_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publish', 'amend', 'withdraw', 'redact')),
    recorded_on TEXT NOT NULL
);

-- Who on the registry's staff did what to which report, on which day.
-- Nothing about the submitter.
CREATE TABLE review_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,
    report_id TEXT NOT NULL,
    day TEXT NOT NULL
);
