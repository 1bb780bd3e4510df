DROP INDEX reports_cohort_coarse;
DROP INDEX reports_cohort;
ALTER TABLE reports DROP COLUMN cohort_coarse;
ALTER TABLE reports DROP COLUMN cohort;
