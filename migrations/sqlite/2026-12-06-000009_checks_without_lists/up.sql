-- A CHECK written `x IN ('a', 'b', 'c', 'd')` makes SQLite build a
-- temporary B-tree of the list each time the statement runs (from three
-- values up; two or fewer it compares one by one), and a trigger's
-- statements run once per row. Publishing a report checked four such
-- lists in the cohort triggers and one in `index_events`: five B-trees
-- opened, filled and closed per report, a tenth of a bulk import's writer.
-- The same checks as comparisons cost nothing of the kind. SQLite cannot
-- alter a CHECK, so both tables are rebuilt; neither is large, and no
-- foreign key names them.
--
-- (`reports` keeps its `status IN (…)`: rebuilding it would rewrite every
-- report's content, for one B-tree per report.)

-- The cohort triggers on `reports` name `cohort_sizes`: the table is made
-- again under its own name, so they stay as they are (renaming a copy
-- into place would need them dropped and written out again).
CREATE TEMP TABLE cohort_sizes_kept AS SELECT level, cohort, published FROM cohort_sizes;
DROP TABLE cohort_sizes;
CREATE TABLE cohort_sizes (
    level TEXT NOT NULL
        CHECK (level = 'exact' OR level = 'no_size' OR level = 'no_month' OR level = 'coarse'),
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
    kind TEXT NOT NULL
        CHECK (kind = 'publish' OR kind = 'amend' OR kind = 'withdraw' OR kind = 'redact'),
    recorded_on TEXT NOT NULL
);
INSERT INTO index_events_new (id, report_id, kind, recorded_on)
SELECT id, report_id, kind, recorded_on FROM index_events;
-- Event ids are never reused: the search index records the last one it
-- applied, and a new event numbered at or below it would never be
-- indexed. The copy only knows the highest id still in the log, so the
-- log's own high-water mark comes along (withdrawals delete events).
DELETE FROM sqlite_sequence WHERE name = 'index_events_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'index_events_new', seq FROM sqlite_sequence WHERE name = 'index_events';
DROP TABLE index_events;
ALTER TABLE index_events_new RENAME TO index_events;
CREATE INDEX index_events_report ON index_events (report_id);
