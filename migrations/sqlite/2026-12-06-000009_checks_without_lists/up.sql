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

-- The triggers that count cohorts name `cohort_sizes`; they are made again
-- below, unchanged.
DROP TRIGGER cohort_sizes_published;
DROP TRIGGER cohort_sizes_deleted;
DROP TRIGGER cohort_sizes_changed;

CREATE TABLE cohort_sizes_new (
    level TEXT NOT NULL
        CHECK (level = 'exact' OR level = 'no_size' OR level = 'no_month' OR level = 'coarse'),
    cohort TEXT NOT NULL,
    published BIGINT NOT NULL,
    PRIMARY KEY (level, cohort)
) WITHOUT ROWID;
INSERT INTO cohort_sizes_new (level, cohort, published)
SELECT level, cohort, published FROM cohort_sizes;
DROP TABLE cohort_sizes;
ALTER TABLE cohort_sizes_new RENAME TO cohort_sizes;

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

CREATE TRIGGER cohort_sizes_published AFTER INSERT ON reports
WHEN NEW.status = 'published' AND NEW.cohort IS NOT NULL
BEGIN
    INSERT INTO cohort_sizes (level, cohort, published) VALUES ('exact', NEW.cohort, 1)
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
    INSERT INTO cohort_sizes (level, cohort, published) VALUES ('no_size', NEW.cohort_no_size, 1)
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
    INSERT INTO cohort_sizes (level, cohort, published) VALUES ('no_month', NEW.cohort_no_month, 1)
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
    INSERT INTO cohort_sizes (level, cohort, published) VALUES ('coarse', NEW.cohort_coarse, 1)
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
END;

CREATE TRIGGER cohort_sizes_deleted AFTER DELETE ON reports
WHEN OLD.status = 'published' AND OLD.cohort IS NOT NULL
BEGIN
    UPDATE cohort_sizes SET published = published - 1
    WHERE (level = 'exact' AND cohort = OLD.cohort)
       OR (level = 'no_size' AND cohort = OLD.cohort_no_size)
       OR (level = 'no_month' AND cohort = OLD.cohort_no_month)
       OR (level = 'coarse' AND cohort = OLD.cohort_coarse);
END;

CREATE TRIGGER cohort_sizes_changed
AFTER UPDATE OF status, cohort, cohort_no_size, cohort_no_month, cohort_coarse ON reports
WHEN OLD.status = 'published' OR NEW.status = 'published'
BEGIN
    UPDATE cohort_sizes SET published = published - 1
    WHERE OLD.status = 'published' AND OLD.cohort IS NOT NULL
      AND ((level = 'exact' AND cohort = OLD.cohort)
        OR (level = 'no_size' AND cohort = OLD.cohort_no_size)
        OR (level = 'no_month' AND cohort = OLD.cohort_no_month)
        OR (level = 'coarse' AND cohort = OLD.cohort_coarse));
    INSERT INTO cohort_sizes (level, cohort, published)
    SELECT 'exact', NEW.cohort, 1 WHERE NEW.status = 'published' AND NEW.cohort IS NOT NULL
    UNION ALL
    SELECT 'no_size', NEW.cohort_no_size, 1 WHERE NEW.status = 'published' AND NEW.cohort IS NOT NULL
    UNION ALL
    SELECT 'no_month', NEW.cohort_no_month, 1 WHERE NEW.status = 'published' AND NEW.cohort IS NOT NULL
    UNION ALL
    SELECT 'coarse', NEW.cohort_coarse, 1 WHERE NEW.status = 'published' AND NEW.cohort IS NOT NULL
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
END;
