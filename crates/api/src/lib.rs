//! The cchc REST API and the `cchc` binary. Layers (see `docs/architecture.md`): `routes` (HTTP
//! in and out) and `dashboard` (pages for people) call `app` (one module per use case), which
//! calls `cchc_domain` (the field's rules) and `cchc_persistence` (storage).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod docs;
pub mod documents;
pub mod error;
pub mod export;
pub mod generate;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod routes;
pub mod startup;
pub mod state;
