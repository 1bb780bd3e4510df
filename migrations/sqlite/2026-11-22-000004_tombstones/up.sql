-- A withdrawn report's content is deleted, but a mirror of the registry
-- must learn that it went: the id and the day, nothing else. Only reports
-- that had been published leave one (a pending report was never public).
CREATE TABLE tombstones (
    report_id TEXT PRIMARY KEY NOT NULL,
    withdrawn_on TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX tombstones_day ON tombstones (withdrawn_on);
