-- The checks as lists again (see up.sql), the same rebuild.
CREATE TEMP TABLE cohort_sizes_kept AS SELECT level, cohort, published FROM cohort_sizes;
DROP TABLE cohort_sizes;
CREATE TABLE cohort_sizes (
    level TEXT NOT NULL CHECK (level IN ('exact', 'no_size', 'no_month', 'coarse')),
    cohort TEXT NOT NULL,
    published BIGINT NOT NULL,
    PRIMARY KEY (level, cohort)
) WITHOUT ROWID;
INSERT INTO cohort_sizes (level, cohort, published)
SELECT level, cohort, published FROM cohort_sizes_kept;
DROP TABLE cohort_sizes_kept;

CREATE TABLE index_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    report_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publish', 'amend', 'withdraw', 'redact')),
    recorded_on TEXT NOT NULL
);
INSERT INTO index_events_new (id, report_id, kind, recorded_on)
SELECT id, report_id, kind, recorded_on FROM index_events;
DELETE FROM sqlite_sequence WHERE name = 'index_events_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'index_events_new', seq FROM sqlite_sequence WHERE name = 'index_events';
DROP TABLE index_events;
ALTER TABLE index_events_new RENAME TO index_events;
CREATE INDEX index_events_report ON index_events (report_id);
