-- Fewer B-trees written per report. Report ids are random (so that no key
-- records the order in which submitters arrived), so every index that
-- holds one takes each new report at a random page; at a million reports
-- nearly every such entry costs a page read and a page write. Publishing a
-- report wrote about 25 of them; now it writes 4.

-- k-anonymity counts published reports per cohort; the counts are kept
-- here, in a few thousand rows that stay in memory, in place of four
-- indexes holding one entry per report. Triggers keep them, so every path
-- that publishes, changes or deletes a report counts alike.
CREATE TABLE cohort_sizes (
    level TEXT NOT NULL CHECK (level IN ('exact', 'no_size', 'no_month', 'coarse')),
    cohort TEXT NOT NULL,
    published BIGINT NOT NULL,
    PRIMARY KEY (level, cohort)
) WITHOUT ROWID;

INSERT INTO cohort_sizes (level, cohort, published)
SELECT 'exact', cohort, count(*) FROM reports
WHERE status = 'published' AND cohort IS NOT NULL GROUP BY cohort;
INSERT INTO cohort_sizes (level, cohort, published)
SELECT 'no_size', cohort_no_size, count(*) FROM reports
WHERE status = 'published' AND cohort_no_size IS NOT NULL GROUP BY cohort_no_size;
INSERT INTO cohort_sizes (level, cohort, published)
SELECT 'no_month', cohort_no_month, count(*) FROM reports
WHERE status = 'published' AND cohort_no_month IS NOT NULL GROUP BY cohort_no_month;
INSERT INTO cohort_sizes (level, cohort, published)
SELECT 'coarse', cohort_coarse, count(*) FROM reports
WHERE status = 'published' AND cohort_coarse IS NOT NULL GROUP BY cohort_coarse;

CREATE TRIGGER cohort_sizes_published AFTER INSERT ON reports
WHEN NEW.status = 'published' AND NEW.cohort IS NOT NULL
BEGIN
    INSERT INTO cohort_sizes (level, cohort, published)
    VALUES ('exact', NEW.cohort, 1), ('no_size', NEW.cohort_no_size, 1),
           ('no_month', NEW.cohort_no_month, 1), ('coarse', NEW.cohort_coarse, 1)
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

DROP INDEX reports_cohort;
DROP INDEX reports_cohort_no_size;
DROP INDEX reports_cohort_no_month;
DROP INDEX reports_cohort_coarse;

-- The review queue lists pending reports oldest first; only they need an
-- index by day, and a published report no longer enters one. (The queue's
-- query names 'pending' as a literal: a bound parameter does not let the
-- planner use a partial index.)
DROP INDEX reports_status;
CREATE INDEX reports_pending ON reports (status, received_on, id) WHERE status = 'pending';

-- Technologies and factors were also written as rows of their own, two
-- index entries each, "so SQL can count them"; nothing in the registry
-- reads them (search facets and statistics come from the search index, and
-- each report's content holds its lists), so they go.
DROP TABLE report_technologies;
DROP TABLE report_factors;
