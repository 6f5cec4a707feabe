//! HTTP-level tests: every test runs against SQLite and PostgreSQL, each on a fresh database.

mod aggregates;
mod auth;
mod reports;
mod smoke;
mod units;
