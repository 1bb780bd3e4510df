-- Withdrawing a report deletes every event and audit row that names it;
-- without these the delete reads both logs whole.
CREATE INDEX index_events_report ON index_events (report_id);
CREATE INDEX review_audit_report ON review_audit (report_id);
