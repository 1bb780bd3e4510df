DROP INDEX review_audit_report;
DROP INDEX index_events_report;
