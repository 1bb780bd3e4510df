-- `reports` becomes a rowid table keyed by a random 64-bit integer, with
-- the report id a UNIQUE column beside it.
--
-- As a WITHOUT ROWID table, every cell of its B-tree held a whole row, the
-- content of several kilobytes included, interior cells too. A cell that
-- large overflows its page, and SQLite cannot compare a key it has not
-- read whole: each step down the tree read a row and its overflow pages.
-- Such cells fit a few to a page, so the tree was deep as well. At a
-- million reports these descents took 14 % of a bulk import's CPU (the
-- uniqueness check and the insert of each report, and the indexer's read
-- of it). A rowid table's interior cells hold only integers, and the
-- UNIQUE index on id holds only ids.
--
-- Privacy is as before: the key is random, drawn by the registry for each
-- new report (`store::lifecycle`), so no key and no hidden rowid records
-- the order in which submitters arrived. Never exposed; nothing reads it.
--
-- The rebuild is SQLite's own recipe for changing a table: create the
-- new, copy, drop the old, rename. Foreign keys are off meanwhile: with
-- them on, DROP TABLE first deletes every row, and the receipts,
-- amendments and questions would cascade away with them. Running this
-- again, had the registry stopped after COMMIT but before diesel recorded
-- it, rebuilds the table once more and loses nothing. Two of a registry's
-- reports drawing the same key from random() would fail the copy, which
-- rolls back; the next start draws again.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE reports_new (
    slot INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
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
    modified_on TEXT NOT NULL,
    cohort TEXT,
    cohort_no_size TEXT,
    cohort_no_month TEXT,
    cohort_coarse TEXT
);
INSERT INTO reports_new (
    slot,
    id, status, content, title, industry, organization_size, severity,
    trigger, detection, incident_month, incident_time_of_day,
    time_to_detect_minutes, time_to_mitigate_minutes,
    time_to_resolve_minutes, completeness, flags, findings, placeholder_map,
    synopsis, rejection_reason, received_on, published_on, modified_on,
    cohort, cohort_no_size, cohort_no_month, cohort_coarse
)
SELECT random(),
    id, status, content, title, industry, organization_size, severity,
    trigger, detection, incident_month, incident_time_of_day,
    time_to_detect_minutes, time_to_mitigate_minutes,
    time_to_resolve_minutes, completeness, flags, findings, placeholder_map,
    synopsis, rejection_reason, received_on, published_on, modified_on,
    cohort, cohort_no_size, cohort_no_month, cohort_coarse
FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;

CREATE INDEX reports_status_id ON reports (status, id);
CREATE INDEX reports_pending ON reports (status, received_on, id) WHERE status = 'pending';

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

COMMIT;
PRAGMA foreign_keys = ON;
