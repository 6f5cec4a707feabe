//! The `cchc` command line.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cchc_domain::accounts::{Password, Username};
use cchc_domain::{Principal, Role, UnitCode};
use cchc_persistence::users;

use crate::auth::hash_password;
use crate::config::{AuthArgs, DatabaseArgs, ServeArgs};
use crate::demo;
use crate::startup;

#[derive(Parser)]
#[command(name = "cchc", version, about = "Commune administrative-reform (CCHC) reporting service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API.
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage stored users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The working calendar: published days off and make-up working days.
    Holidays {
        #[command(subcommand)]
        command: HolidaysCommand,
    },
    /// Mint a token for an integration (e.g. the provincial portal) and print it.
    Token(TokenArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Copy the database to a new file while the server runs: SQLite's consistent online copy
    /// (checked before it is kept), or `pg_dump --format=custom` for PostgreSQL.
    Backup(BackupArgs),
    /// Put a backup in place of the database, with the server stopped: checked first (SQLite),
    /// or `pg_restore --clean` for PostgreSQL.
    Restore(BackupArgs),
    /// Load synthetic provinces, districts, communes and months of reports (for trials and benchmarks).
    Generate(crate::generate::GenerateArgs),
}

#[derive(clap::Args)]
struct BackupArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup file.
    path: std::path::PathBuf,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from the first line of standard input, or from
    /// CCHC_USER_PASSWORD.
    Add(UserAddArgs),
}

#[derive(Subcommand)]
enum HolidaysCommand {
    /// Publish a day off (or, with --working-day, a weekend day worked for a swap); replaces
    /// what was published for the date. Due dates follow at once.
    Add(HolidayAddArgs),
    /// Withdraw a published day.
    Remove(HolidayDateArgs),
    /// Print the published days (of one year with --year).
    List(HolidayListArgs),
}

#[derive(clap::Args)]
struct HolidayAddArgs {
    /// The day, YYYY-MM-DD.
    date: String,
    /// Its name as published (default "Ngày nghỉ", or "Ngày làm bù").
    name: Option<String>,
    /// A make-up working day on a Saturday or Sunday, rather than a day off.
    #[arg(long)]
    working_day: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Args)]
struct HolidayDateArgs {
    /// The day, YYYY-MM-DD.
    date: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Args)]
struct HolidayListArgs {
    #[arg(long)]
    year: Option<i32>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Args)]
struct UserAddArgs {
    username: String,
    #[arg(long)]
    role: Role,
    /// The unit the user works for (every role but admin).
    #[arg(long)]
    unit: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(clap::Args)]
struct TokenArgs {
    /// The token's subject, e.g. `portal-bac-ninh`.
    #[arg(long)]
    sub: String,
    #[arg(long)]
    role: Role,
    #[arg(long)]
    unit: Option<String>,
    /// Lifetime in seconds (default 30 days).
    #[arg(long, default_value_t = 30 * 24 * 3600)]
    ttl: i64,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    auth: AuthArgs,
}

impl std::str::FromStr for Box<ServeArgs> {
    type Err = String;
    fn from_str(_: &str) -> Result<Self, Self::Err> {
        Err("not parsed from a string".into())
    }
}

pub fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Migrate(args) => startup::open_database(&args).map(|_| ()).map_err(|e| e.to_string()),
        Command::User { command: UserCommand::Add(args) } => add_user(args),
        Command::Holidays { command } => holidays(command),
        Command::Token(args) => token(args),
        Command::Generate(args) => crate::generate::run(&args).map(|s| {
            println!(
                "generated {} provinces, {} districts, {} communes and {} reports in {:.1} s",
                s.provinces, s.districts, s.communes, s.reports, s.seconds
            )
        }),
        Command::Openapi => {
            print!("{}", crate::openapi::document());
            Ok(())
        }
        Command::Backup(a) => cchc_persistence::backup::backup(&a.database.database_url, &a.path)
            .map(|done| println!("{done}"))
            .map_err(|e| e.to_string()),
        Command::Restore(a) => cchc_persistence::backup::restore(&a.database.database_url, &a.path)
            .map(|done| println!("{done}"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cchc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_unit(role: Role, unit: Option<&str>) -> Result<Option<UnitCode>, String> {
    let unit = unit.map(UnitCode::parse).transpose().map_err(|e| e.to_string())?;
    Principal::new("cli".into(), role, unit.clone()).map_err(|e| e.to_string())?;
    Ok(unit)
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let db = startup::open_database(&args.database).map_err(|e| e.to_string())?;
    let state = startup::build_state(db, &args.auth, args.calendar.calendar(), args.rules.rules())
        .map_err(|e| e.to_string())?;
    if args.demo {
        match demo::load(&state) {
            Ok(true) => log::info!("loaded the demonstration province"),
            Ok(false) => log::info!("the demonstration province is already in the database"),
            Err(e) => return Err(format!("loading the demo data failed: {}", e.detail)),
        }
    }
    let listener = TcpListener::bind(&args.bind).map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if args.demo {
        print_demo(&state, &addr.to_string())?;
    }
    log::info!("serving on http://{addr} ({} database); API docs at http://{addr}/docs/", state.db.backend());
    actix_web::rt::System::new().block_on(async move {
        let server = startup::run(listener, state, args.workers).map_err(|e| e.to_string())?;
        server.await.map_err(|e| e.to_string())
    })
}

fn print_demo(state: &crate::state::AppState, addr: &str) -> Result<(), String> {
    println!(
        "\ncchc demo — Tỉnh Bắc Giang (24), Huyện Yên Thế (215) and Huyện Tân Yên (216), 20 communes, {} to {}",
        demo::FIRST_MONTH,
        demo::LAST_MONTH
    );
    println!("API docs:  http://{addr}/docs/");
    println!("Dashboard: http://{addr}/app/ (sign in with a user below)");
    println!("Users (POST /api/v1/auth/token):");
    for u in demo::USERS {
        println!("  {:<9} / {:<14} {} {}", u.username, u.password, u.role, u.unit.unwrap_or(""));
    }
    println!("Tokens valid for {} hours:", state.token_ttl / 3600);
    for u in demo::USERS.iter().filter(|u| matches!(u.role, Role::Admin | Role::District | Role::Commune)) {
        let unit = u.unit.map(UnitCode::parse).transpose().map_err(|e| e.to_string())?;
        let token = state.keys.issue(u.username, u.role, unit.as_ref(), state.token_ttl).map_err(|e| e.detail)?;
        println!("  export {}_TOKEN={token}", u.role.as_str().to_uppercase());
    }
    println!(
        "Try:  curl -H \"Authorization: Bearer $DISTRICT_TOKEN\" 'http://{addr}/api/v1/units/215/aggregates?period=2024-06'\n"
    );
    Ok(())
}

fn read_password() -> Result<Password, String> {
    if let Ok(p) = std::env::var("CCHC_USER_PASSWORD") {
        return Password::parse(p).map_err(|e| e.to_string());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Password::parse(line.trim_end_matches(['\r', '\n']).to_owned()).map_err(|e| e.to_string())
}

fn add_user(args: UserAddArgs) -> Result<(), String> {
    let username = Username::parse(&args.username).map_err(|e| e.to_string())?;
    let unit = parse_unit(args.role, args.unit.as_deref())?;
    let password = read_password()?;
    let db = startup::open_database(&args.database).map_err(|e| e.to_string())?;
    let hash = hash_password(password.expose())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    if let Some(u) = &unit
        && !cchc_persistence::units::exists(&mut conn, u).map_err(|e| e.to_string())?
    {
        return Err(format!("there is no unit {u}"));
    }
    let new = users::NewUser { username: &username, password_hash: &hash, role: args.role, unit_code: unit.as_ref() };
    users::create(&mut conn, &new, chrono::Utc::now()).map_err(|e| match e {
        cchc_persistence::DbError::Duplicate(_) => format!("there is already a user {username}"),
        other => other.to_string(),
    })?;
    println!("created user {username} ({} {})", args.role, args.unit.unwrap_or_default());
    Ok(())
}

fn holidays(command: HolidaysCommand) -> Result<(), String> {
    use cchc_domain::calendar::{CalendarDay, DayKind};
    use cchc_persistence::calendar_days;
    let date = |s: &str| crate::params::date(s).map_err(|e| e.detail);
    let open = |args: &DatabaseArgs| -> Result<_, String> {
        let db = startup::open_database(args).map_err(|e| e.to_string())?;
        db.conn().map_err(|e| e.to_string())
    };
    match command {
        HolidaysCommand::Add(a) => {
            let kind = if a.working_day { DayKind::WorkingDay } else { DayKind::DayOff };
            let day = CalendarDay::new(date(&a.date)?, kind, a.name.as_deref()).map_err(|e| e.to_string())?;
            let replaced = calendar_days::put(&mut *open(&a.database)?, &day).map_err(|e| e.to_string())?;
            let verb = if replaced.is_some() { "replaced" } else { "published" };
            println!("{verb} {} ({}): {}", day.date, day.kind, day.name);
        }
        HolidaysCommand::Remove(a) => {
            let day = date(&a.date)?;
            match calendar_days::delete(&mut *open(&a.database)?, day).map_err(|e| e.to_string())? {
                Some(d) => println!("withdrew {} ({}): {}", d.date, d.kind, d.name),
                None => return Err(format!("{day} is not a published day")),
            }
        }
        HolidaysCommand::List(a) => {
            let view = crate::app::calendar::list(&mut *open(&a.database)?, a.year).map_err(|e| e.detail)?;
            for d in view.days {
                println!("{}\t{}\t{}", d.date, d.kind, d.name);
            }
        }
    }
    Ok(())
}

fn token(args: TokenArgs) -> Result<(), String> {
    let unit = parse_unit(args.role, args.unit.as_deref())?;
    let db = startup::open_database(&args.database).map_err(|e| e.to_string())?;
    let secret = startup::signing_secret(&db, args.auth.jwt_secret.as_deref()).map_err(|e| e.to_string())?;
    let keys = crate::auth::JwtKeys::new(secret.as_bytes(), args.auth.jwt_issuer, args.auth.jwt_audience);
    println!("{}", keys.issue(&args.sub, args.role, unit.as_ref(), args.ttl).map_err(|e| e.detail)?);
    Ok(())
}
