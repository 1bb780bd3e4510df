-- Fewer index entries written per report; see the SQLite migration of the
-- same name for why. k-anonymity counts published reports per cohort; the
-- counts are kept here, by a trigger, in place of four indexes holding one
-- entry per report.
CREATE TABLE cohort_sizes (
    level text NOT NULL CHECK (level IN ('exact', 'no_size', 'no_month', 'coarse')),
    cohort text NOT NULL,
    published bigint NOT NULL,
    PRIMARY KEY (level, cohort)
);

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

CREATE FUNCTION cohort_sizes_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status = 'published' AND OLD.cohort IS NOT NULL THEN
            UPDATE cohort_sizes SET published = published - 1
            WHERE (level, cohort) IN (('exact', OLD.cohort), ('no_size', OLD.cohort_no_size),
                                      ('no_month', OLD.cohort_no_month), ('coarse', OLD.cohort_coarse));
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status = 'published' AND NEW.cohort IS NOT NULL THEN
            INSERT INTO cohort_sizes (level, cohort, published)
            VALUES ('exact', NEW.cohort, 1), ('no_size', NEW.cohort_no_size, 1),
                   ('no_month', NEW.cohort_no_month, 1), ('coarse', NEW.cohort_coarse, 1)
            ON CONFLICT (level, cohort) DO UPDATE SET published = cohort_sizes.published + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cohort_sizes_published AFTER INSERT OR DELETE ON reports
FOR EACH ROW EXECUTE FUNCTION cohort_sizes_follow();
CREATE TRIGGER cohort_sizes_changed
AFTER UPDATE OF status, cohort, cohort_no_size, cohort_no_month, cohort_coarse ON reports
FOR EACH ROW EXECUTE FUNCTION cohort_sizes_follow();

DROP INDEX reports_cohort;
DROP INDEX reports_cohort_no_size;
DROP INDEX reports_cohort_no_month;
DROP INDEX reports_cohort_coarse;

-- Only pending reports need an index by day (the review queue).
DROP INDEX reports_status;
CREATE INDEX reports_pending ON reports (status, received_on, id) WHERE status = 'pending';

-- Never read by the registry: each report's content holds its lists.
DROP TABLE report_technologies;
DROP TABLE report_factors;
