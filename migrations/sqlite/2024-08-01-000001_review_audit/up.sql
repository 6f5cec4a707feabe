-- Review: the reason of the last return or reopening, and who reviewed when.
ALTER TABLE reports ADD COLUMN review_note TEXT;
ALTER TABLE reports ADD COLUMN reviewed_by TEXT;
ALTER TABLE reports ADD COLUMN reviewed_at TIMESTAMP;
ALTER TABLE report_revisions ADD COLUMN reason TEXT;
ALTER TABLE report_revisions ADD COLUMN request_id TEXT;

-- Every write: who (subject, role, unit), what (action, target), when, and the request id.
-- province_code is the province of the target, so province staff can query their own.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_unit TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target TEXT NOT NULL,
    province_code TEXT,
    details_json TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_target ON audit_log (target);
CREATE INDEX audit_log_province ON audit_log (province_code);

-- Failed sign-ins per key (a username or a client address) in a fixed window; shared by
-- every instance, so the limit holds behind a load balancer.
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL
);
