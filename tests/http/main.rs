//! HTTP-level tests: every test runs against SQLite and PostgreSQL, each on a fresh database.

mod aggregates;
mod auth;
mod backup;
mod cached_rankings;
mod calendar;
mod dashboard;
mod documents;
mod entry;
mod exports;
mod imports;
mod judging;
mod matrix;
mod merges;
mod portal;
mod problems;
mod rankings;
mod recheck;
mod reports;
mod schemes;
mod security;
mod smoke;
mod tables;
mod terms;
mod units;
mod users;
mod workflow;
