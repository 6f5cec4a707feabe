DROP TABLE login_attempts;
DROP TABLE audit_log;
ALTER TABLE report_revisions DROP COLUMN request_id;
ALTER TABLE report_revisions DROP COLUMN reason;
ALTER TABLE reports DROP COLUMN reviewed_at;
ALTER TABLE reports DROP COLUMN reviewed_by;
ALTER TABLE reports DROP COLUMN review_note;
