//! HTTP-level tests: every test runs against SQLite and PostgreSQL, each on a fresh database.

mod smoke;
