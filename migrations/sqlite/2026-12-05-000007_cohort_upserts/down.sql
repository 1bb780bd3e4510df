DROP TRIGGER cohort_sizes_published;

CREATE TRIGGER cohort_sizes_published AFTER INSERT ON reports
WHEN NEW.status = 'published' AND NEW.cohort IS NOT NULL
BEGIN
    INSERT INTO cohort_sizes (level, cohort, published)
    VALUES ('exact', NEW.cohort, 1), ('no_size', NEW.cohort_no_size, 1),
           ('no_month', NEW.cohort_no_month, 1), ('coarse', NEW.cohort_coarse, 1)
    ON CONFLICT (level, cohort) DO UPDATE SET published = published + 1;
END;
