-- A withdrawn report's content is deleted, but a mirror of the registry
-- must learn that it went: the id and the day, nothing else. Only reports
-- that had been published leave one (a pending report was never public).
CREATE TABLE tombstones (
    report_id uuid PRIMARY KEY,
    withdrawn_on date NOT NULL
);
CREATE INDEX tombstones_day ON tombstones (withdrawn_on);
