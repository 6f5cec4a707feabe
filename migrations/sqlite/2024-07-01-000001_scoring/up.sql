-- Scoring schemes are versioned data: a version is never changed once stored. owner_code is
-- the province that owns a scheme (NULL: national).
CREATE TABLE scoring_schemes (
    id INTEGER PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    owner_code TEXT REFERENCES units (code),
    definition_json TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (code, version)
);

-- A report revision's score under one scheme version, computed when the report is stored and
-- in bulk when a scheme version is added.
CREATE TABLE report_scores (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    revision INTEGER NOT NULL,
    scheme_id INTEGER NOT NULL REFERENCES scoring_schemes (id),
    unit_code TEXT NOT NULL,
    period TEXT NOT NULL,
    total DOUBLE NOT NULL,
    band TEXT,
    card_json TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (report_id, revision, scheme_id)
);
CREATE INDEX report_scores_scheme_period ON report_scores (scheme_id, period);
