-- k-anonymity at publication: the cohort a report belongs to before any
-- generalisation, at each level the check may fall back to. Never published
-- or exported; counted (by indexed equality, at most k rows) to decide
-- whether a new report's industry, size and quarter would single its
-- submitter out.
ALTER TABLE reports ADD COLUMN cohort text;              -- industry|size|YYYY-Qn
ALTER TABLE reports ADD COLUMN cohort_no_size text;      -- industry|YYYY-Qn
ALTER TABLE reports ADD COLUMN cohort_no_month text;     -- industry|size|YYYY
ALTER TABLE reports ADD COLUMN cohort_coarse text;       -- industry|YYYY
CREATE INDEX reports_cohort ON reports (cohort, status);
CREATE INDEX reports_cohort_no_size ON reports (cohort_no_size, status);
CREATE INDEX reports_cohort_no_month ON reports (cohort_no_month, status);
CREATE INDEX reports_cohort_coarse ON reports (cohort_coarse, status);

-- Walking the published reports in id order (reindex, export) pages by
-- `status = 'published' AND id > ?`.
CREATE INDEX reports_status_id ON reports (status, id);
