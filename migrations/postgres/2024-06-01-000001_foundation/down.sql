DROP TABLE settings;
DROP TABLE users;
DROP TABLE report_revisions;
DROP TABLE reports;
DROP TABLE indicators;
DROP TABLE unit_merges;
DROP TABLE unit_versions;
DROP TABLE units;
