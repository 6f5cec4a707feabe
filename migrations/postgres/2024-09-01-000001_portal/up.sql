-- Dossier records pushed by the provincial portal, keyed by MaHoSo. Times are Vietnam local
-- time, as the portal sends them; applicant data is never stored.
CREATE TABLE dossiers (
    code TEXT PRIMARY KEY NOT NULL,
    procedure_code TEXT,
    channel INTEGER NOT NULL,
    status INTEGER NOT NULL,
    unit_code TEXT NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    finished_at TIMESTAMP,
    returned_at TIMESTAMP,
    digitized BOOLEAN,
    paid_online BOOLEAN,
    supplements_json TEXT NOT NULL,
    latest_event_at TIMESTAMP,
    content_hash BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX dossiers_unit_received ON dossiers (unit_code, received_at);

-- The outbound change feed. Items are read in (seq, id) order; seq is the writing
-- transaction's id on PostgreSQL, read only once every older transaction has finished, so an
-- item that commits late is never skipped. SQLite writes one transaction at a time: seq 0, id order.
CREATE TABLE feed_events (
    id BIGSERIAL PRIMARY KEY,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    province_code TEXT,
    payload_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX feed_events_order ON feed_events (seq, id);
CREATE INDEX feed_events_province ON feed_events (province_code, seq, id);
