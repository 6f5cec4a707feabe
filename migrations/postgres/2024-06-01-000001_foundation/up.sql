-- Units are effective-dated: a code names one unit over time; each row of unit_versions is one
-- state of it (name, level, parent) valid from/to a month ('YYYY-MM', inclusive; NULL = open).
CREATE TABLE units (
    code TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE unit_versions (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL REFERENCES units (code),
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_code TEXT REFERENCES units (code),
    valid_from TEXT,
    valid_to TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX unit_versions_code ON unit_versions (code);
CREATE INDEX unit_versions_parent ON unit_versions (parent_code);

-- absorbed → successor from a month on (QĐ 19/2025: Đông Sơn 07273 → Bố Hạ 07294 from 2025-07).
CREATE TABLE unit_merges (
    absorbed_code TEXT PRIMARY KEY NOT NULL REFERENCES units (code),
    successor_code TEXT NOT NULL REFERENCES units (code),
    effective_from TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE indicators (
    code TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    label_vi TEXT NOT NULL,
    label_en TEXT NOT NULL,
    domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_aggregation TEXT NOT NULL,
    time_aggregation TEXT NOT NULL,
    source TEXT
);

-- The current state of each commune's monthly report. values_json and narrative_json are
-- kept apart so that aggregation reads only the figures.
CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units (code),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    values_json TEXT NOT NULL,
    narrative_json TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    updated_by TEXT NOT NULL,
    UNIQUE (unit_code, period)
);
CREATE INDEX reports_period ON reports (period, status);

-- Every revision, as stored.
CREATE TABLE report_revisions (
    report_id BIGINT NOT NULL REFERENCES reports (id),
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    values_json TEXT NOT NULL,
    narrative_json TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (report_id, revision)
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_code TEXT REFERENCES units (code),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

-- Instance-wide settings shared by every API instance (e.g. the generated JWT secret).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
