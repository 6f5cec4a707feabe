//! The cchc REST API: actix-web handlers (thin: parse, authorize, call the domain, store),
//! authentication, problem details, OpenAPI, and the `cchc` command line.

pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod export;
pub mod filing;
pub mod generate;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod ranking;
pub mod routes;
pub mod scope;
pub mod scoring;
pub mod startup;
pub mod state;
