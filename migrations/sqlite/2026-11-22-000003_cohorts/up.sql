-- k-anonymity at publication: the cohort a report belongs to before any
-- generalisation, "industry|size|YYYY-Qn" and the coarser "industry|YYYY".
-- Never published or exported; counted to decide whether a new report's
-- industry, size and quarter would single its submitter out.
ALTER TABLE reports ADD COLUMN cohort TEXT;
ALTER TABLE reports ADD COLUMN cohort_coarse TEXT;
CREATE INDEX reports_cohort ON reports (cohort, status);
CREATE INDEX reports_cohort_coarse ON reports (cohort_coarse, status);
