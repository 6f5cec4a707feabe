//! Scratch PostgreSQL databases: one per test, cloned from a template migrated once per set of
//! migrations. When no server is reachable the tests fail with a hint — they never skip.

use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server's administrative URL: `CCHC_TEST_POSTGRES_URL`, or the local default.
pub fn admin_url() -> String {
    std::env::var("CCHC_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_URL.to_owned())
}

fn connect_admin() -> PgConnection {
    let url = admin_url();
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server, and none answered at {} ({e}).\n\
             Start the local one (`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), \
             run `scripts/test-postgres.sh` to get a throwaway one under target/, \
             or point CCHC_TEST_POSTGRES_URL at a server where this user may create databases.",
            cchc_persistence::connection::redact(&url)
        )
    })
}

/// The URL of database `name` on the same server.
fn url_for(name: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => base[..scheme_end + i].to_owned(),
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// A fingerprint of the PostgreSQL migrations, so that a changed schema gets a new template.
fn fingerprint() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    // FNV-1a: stable across Rust versions, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for path in entries {
        for file in ["up.sql", "down.sql"] {
            let bytes = std::fs::read(path.join(file)).unwrap_or_default();
            for b in
                path.file_name().map(|n| n.as_encoded_bytes().to_vec()).unwrap_or_default().iter().chain(bytes.iter())
            {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    format!("{h:016x}")
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Exists>(conn)
        .map(|e| e.n > 0)
        .unwrap_or(false)
}

/// The migrated template, created once per schema; an advisory lock serialises test
/// processes that start at once.
fn template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = format!("cchc_tpl_{}", fingerprint());
        let mut admin = connect_admin();
        admin.batch_execute("SELECT pg_advisory_lock(4242017)").expect("the template lock");
        if !database_exists(&mut admin, &name) {
            let building = format!("{name}_building");
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).expect("drop a stale build");
            admin.batch_execute(&format!("CREATE DATABASE {building}")).expect("create the template");
            {
                let db = cchc_persistence::Database::connect(&url_for(&building), Default::default())
                    .expect("connect to the template");
                db.migrate().expect("migrate the template");
            }
            // Renaming makes the template appear only once it is complete.
            admin
                .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .or_else(|_| {
                    admin.batch_execute(&format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}'; ALTER DATABASE {building} RENAME TO {name}"
                    ))
                })
                .expect("publish the template");
        }
        admin.batch_execute("SELECT pg_advisory_unlock(4242017)").expect("release the template lock");
        name
    })
}

/// A database of one test's own, dropped with it.
pub struct Scratch {
    name: String,
    url: String,
}

impl Scratch {
    pub fn create() -> Scratch {
        let template = template();
        let name = format!("cchc_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect_admin();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")) {
                Ok(()) => break,
                // Another session may be copying the same template this instant.
                Err(e) if attempt < 50 && e.to_string().contains("being accessed by other users") => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => panic!("creating the test database {name}: {e}"),
            }
        }
        Scratch { url: url_for(&name), name }
    }

    /// An empty database, not cloned from the migrated template: for tests of migration itself.
    pub fn create_empty() -> Scratch {
        let name = format!("cchc_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect_admin();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("creating {name}: {e}"));
        Scratch { url: url_for(&name), name }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&admin_url()) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
