//! Configuration, from flags or environment variables (the table in the README).

use std::time::Duration;

use cchc_domain::ReportingCalendar;
use cchc_persistence::connection::PoolOptions;

#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// `postgres://…` for PostgreSQL; `sqlite://path`, or a plain path, for SQLite.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://cchc.db", hide_env_values = true)]
    pub database_url: String,
    /// Connections per instance.
    #[arg(long, env = "CCHC_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,
}

impl DatabaseArgs {
    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions { max_size: self.db_pool_size.max(1), connection_timeout: Duration::from_secs(10) }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct AuthArgs {
    /// Secret for signing tokens (HS256). When unset, one is generated on first start and kept
    /// in the database, so restarts and several instances agree.
    #[arg(long, env = "CCHC_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// When set, tokens must carry this `iss`, and issued tokens carry it.
    #[arg(long, env = "CCHC_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// When set, tokens must carry this `aud`, and issued tokens carry it.
    #[arg(long, env = "CCHC_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Lifetime of tokens issued by `POST /api/v1/auth/token`, in seconds (a working day).
    #[arg(long, env = "CCHC_TOKEN_TTL", default_value_t = 8 * 3600)]
    pub token_ttl: i64,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CalendarArgs {
    /// First day of a month's data window, in the previous month (1 = calendar months).
    #[arg(long, env = "CCHC_WINDOW_START_DAY", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=28))]
    pub window_start_day: u32,
    /// Day of the report month on which a monthly report is due.
    #[arg(long, env = "CCHC_DUE_DAY", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=31))]
    pub due_day: u32,
    /// Day of the last month on which a quarterly, half-yearly or annual report is due.
    #[arg(long, env = "CCHC_LONG_PERIOD_DUE_DAY", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=31))]
    pub long_period_due_day: u32,
}

/// Review and validation rules.
#[derive(clap::Args, Debug, Clone)]
pub struct RulesArgs {
    /// Days after the due date after which an approved report locks.
    #[arg(long, env = "CCHC_LOCK_AFTER_DAYS", default_value_t = 30)]
    pub lock_after_days: i64,
    /// How a carry-over that differs from last month's pending is reported: `warning` or `error`.
    #[arg(long, env = "CCHC_CARRY_OVER_CHECK", default_value = "warning", value_parser = ["warning", "error"])]
    pub carry_over_check: String,
    /// Failed sign-ins allowed per username in 15 minutes, across all instances.
    #[arg(long, env = "CCHC_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i32,
    /// Failed sign-ins allowed per client address in 15 minutes.
    #[arg(long, env = "CCHC_LOGIN_MAX_FAILURES_PER_ADDRESS", default_value_t = 30)]
    pub login_max_failures_per_address: i32,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you trust).
    #[arg(long, env = "CCHC_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Memory for computed rankings kept until the next write, in MiB (0: compute every time).
    #[arg(long, env = "CCHC_RANKING_CACHE_MB", default_value_t = 64)]
    pub ranking_cache_mb: usize,
    /// The address clients reach the API at (e.g. `https://cchc.bacgiang.gov.vn`), written
    /// into the OpenAPI document's `servers`; relative to the document when unset.
    #[arg(long, env = "CCHC_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl Default for RulesArgs {
    fn default() -> Self {
        RulesArgs {
            lock_after_days: 30,
            carry_over_check: "warning".into(),
            login_max_failures: 5,
            login_max_failures_per_address: 30,
            trust_proxy: false,
            ranking_cache_mb: 64,
            public_url: None,
        }
    }
}

impl RulesArgs {
    pub fn rules(&self) -> crate::state::Rules {
        crate::state::Rules {
            lock_after_days: self.lock_after_days,
            carry_over: if self.carry_over_check == "error" {
                cchc_domain::history::CarryOverRule::Error
            } else {
                cchc_domain::history::CarryOverRule::Warning
            },
            login_max_failures: self.login_max_failures.max(1),
            login_max_failures_per_address: self.login_max_failures_per_address.max(1),
            trust_proxy: self.trust_proxy,
            ranking_cache_bytes: self.ranking_cache_mb.saturating_mul(1 << 20),
            public_url: self.public_url.clone(),
        }
    }
}

impl CalendarArgs {
    pub fn calendar(&self) -> ReportingCalendar {
        ReportingCalendar {
            window_start_day: self.window_start_day,
            due_day: self.due_day,
            long_period_due_day: self.long_period_due_day,
        }
    }
}

impl Default for CalendarArgs {
    fn default() -> Self {
        let c = ReportingCalendar::default();
        CalendarArgs {
            window_start_day: c.window_start_day,
            due_day: c.due_day,
            long_period_due_day: c.long_period_due_day,
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub calendar: CalendarArgs,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Address to listen on.
    #[arg(long, env = "CCHC_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "CCHC_WORKERS")]
    pub workers: Option<usize>,
    /// Load a demonstration province and print ready-to-use tokens.
    #[arg(long)]
    pub demo: bool,
}
