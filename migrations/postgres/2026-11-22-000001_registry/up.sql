-- The registry's tables, as migrations/sqlite has them, in PostgreSQL's
-- own types: ids are uuid, registry days are date, documents jsonb, the
-- two logs take bigint identity ids. Privacy shapes the schema:
--  * no column holds a client address, user agent or exact submission
--    time; registry dates (received, published, modified) are days;
--  * receipts and reviewer secrets are argon2id hashes only.
-- PostgreSQL keeps a row's creating transaction id (xmin) beside it, which
-- orders rows by when they were written; it is no clock, and the ids of
-- reports are random, but the deployment notes in the README say to keep
-- `track_commit_timestamp` off so that no commit time is ever recorded.

CREATE TABLE reports (
    id uuid PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
    content jsonb NOT NULL,
    title text NOT NULL,
    industry text,
    organization_size text,
    severity text,
    trigger text,
    detection text,
    incident_month text,
    incident_time_of_day text,
    time_to_detect_minutes integer,
    time_to_mitigate_minutes integer,
    time_to_resolve_minutes integer,
    completeness integer NOT NULL,
    flags jsonb NOT NULL DEFAULT '[]',
    findings jsonb NOT NULL DEFAULT '[]',
    -- value → placeholder, as HMACs under a key derived from the receipt
    placeholder_map jsonb NOT NULL DEFAULT '{}',
    synopsis text,
    rejection_reason text,
    received_on date NOT NULL,
    published_on date,
    modified_on date NOT NULL
);
CREATE INDEX reports_status ON reports (status, received_on);

CREATE TABLE report_technologies (
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    technology text NOT NULL,
    PRIMARY KEY (report_id, technology)
);
CREATE INDEX report_technologies_technology ON report_technologies (technology);

-- contributing factors, mitigations and human factors, so SQL can count them
CREATE TABLE report_factors (
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contributing', 'mitigation', 'human')),
    factor text NOT NULL,
    PRIMARY KEY (report_id, kind, factor)
);
CREATE INDEX report_factors_factor ON report_factors (kind, factor);

CREATE TABLE receipts (
    report_id uuid PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    secret_hash text NOT NULL
);

CREATE TABLE amendments (
    id uuid PRIMARY KEY,
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position integer NOT NULL,
    text text NOT NULL,
    findings jsonb NOT NULL DEFAULT '[]',
    received_on date NOT NULL,
    UNIQUE (report_id, position)
);

-- the ASRS "callback": a reviewer's question, answered by an amendment
CREATE TABLE questions (
    id uuid PRIMARY KEY,
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position integer NOT NULL,
    question text NOT NULL,
    asked_on date NOT NULL,
    UNIQUE (report_id, position)
);

CREATE TABLE reviewers (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_on date NOT NULL
);

CREATE TABLE reviewer_sessions (
    id uuid PRIMARY KEY,
    reviewer_id uuid NOT NULL REFERENCES reviewers (id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL
);

-- Append-only: every publish, amendment of a published report, withdrawal
-- and reviewer redaction, written in the same transaction as the change.
-- Every instance's search indexer consumes it in id order; writers take
-- one lock (see store::backend), so ids commit in order.
CREATE TABLE index_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('publish', 'amend', 'withdraw', 'redact')),
    recorded_on date NOT NULL
);

-- Who on the registry's staff did what to which report, on which day.
-- Nothing about the submitter.
CREATE TABLE review_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reviewer text NOT NULL,
    action text NOT NULL,
    report_id uuid NOT NULL,
    day date NOT NULL
);
