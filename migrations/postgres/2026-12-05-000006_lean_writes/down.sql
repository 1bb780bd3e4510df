CREATE TABLE report_technologies (
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    technology text NOT NULL,
    PRIMARY KEY (report_id, technology)
);
CREATE INDEX report_technologies_technology ON report_technologies (technology);
INSERT INTO report_technologies (report_id, technology)
SELECT DISTINCT r.id, t FROM reports r, jsonb_array_elements_text(r.content -> 'technologies') t;

CREATE TABLE report_factors (
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contributing', 'mitigation', 'human')),
    factor text NOT NULL,
    PRIMARY KEY (report_id, kind, factor)
);
CREATE INDEX report_factors_factor ON report_factors (kind, factor);
INSERT INTO report_factors (report_id, kind, factor)
SELECT DISTINCT r.id, 'contributing', f FROM reports r, jsonb_array_elements_text(r.content -> 'contributing_factors') f;
INSERT INTO report_factors (report_id, kind, factor)
SELECT DISTINCT r.id, 'mitigation', f FROM reports r, jsonb_array_elements_text(r.content -> 'mitigations') f;
INSERT INTO report_factors (report_id, kind, factor)
SELECT DISTINCT r.id, 'human', f FROM reports r, jsonb_array_elements_text(r.content -> 'human_factors') f;

DROP INDEX reports_pending;
CREATE INDEX reports_status ON reports (status, received_on);

CREATE INDEX reports_cohort ON reports (cohort, status);
CREATE INDEX reports_cohort_no_size ON reports (cohort_no_size, status);
CREATE INDEX reports_cohort_no_month ON reports (cohort_no_month, status);
CREATE INDEX reports_cohort_coarse ON reports (cohort_coarse, status);

DROP TRIGGER cohort_sizes_changed ON reports;
DROP TRIGGER cohort_sizes_published ON reports;
DROP FUNCTION cohort_sizes_follow();
DROP TABLE cohort_sizes;
