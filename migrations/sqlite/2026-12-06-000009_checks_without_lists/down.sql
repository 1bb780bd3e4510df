-- The checks as lists again (see up.sql), the same rebuild.
DROP TRIGGER cohort_sizes_published;
DROP TRIGGER cohort_sizes_deleted;
DROP TRIGGER cohort_sizes_changed;

CREATE TABLE cohort_sizes_new (
    level TEXT NOT NULL CHECK (level IN ('exact', 'no_size', 'no_month', 'coarse')),
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
