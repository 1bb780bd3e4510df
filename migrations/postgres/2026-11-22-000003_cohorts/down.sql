DROP INDEX reports_status_id;
DROP INDEX reports_cohort_coarse;
DROP INDEX reports_cohort_no_month;
DROP INDEX reports_cohort_no_size;
DROP INDEX reports_cohort;
ALTER TABLE reports DROP COLUMN cohort_coarse;
ALTER TABLE reports DROP COLUMN cohort_no_month;
ALTER TABLE reports DROP COLUMN cohort_no_size;
ALTER TABLE reports DROP COLUMN cohort;
