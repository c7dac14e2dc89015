//! The database: SQLite by default (one file, nothing to install), PostgreSQL for several intake
//! processes behind one address. One schema and one set of migrations for both: the few words
//! the two dialects spell differently are filled in from [`Dialect`]. Every query is
//! parameterised (`$1`, which both take); no text from a request is ever put into SQL.

use std::str::FromStr as _;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _, Row as _};

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The pool and its dialect.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
}

/// Migrations in order; each runs once, in a transaction, recorded in `schema_migrations`.
/// `{serial}` is an auto-numbered primary key, `{blob}` a byte string. Never edit one that has
/// shipped: add the next.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE reports (
  seq {serial},
  id TEXT NOT NULL UNIQUE,
  body_sha256 TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  helpline TEXT NOT NULL,
  situation TEXT,
  minor BIGINT NOT NULL,
  priority BIGINT NOT NULL,
  country TEXT,
  page_url TEXT NOT NULL,
  page_url_norm TEXT NOT NULL,
  page_title TEXT,
  evidence_manifest_sha256 TEXT,
  evidence_key_fingerprint TEXT,
  status TEXT NOT NULL,
  hosting_country TEXT,
  site_type TEXT,
  receipt TEXT NOT NULL
);
CREATE INDEX reports_queue ON reports (priority, received_at);
CREATE INDEX reports_status ON reports (status);
CREATE TABLE report_keys (report_seq BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX report_keys_value ON report_keys (kind, value);
CREATE INDEX report_keys_report ON report_keys (report_seq);
CREATE TABLE evidence (
  report_seq BIGINT PRIMARY KEY,
  received_at BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  problems TEXT NOT NULL,
  size BIGINT NOT NULL,
  bundle {blob}
);
CREATE TABLE status_history (
  seq {serial},
  report_seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  status TEXT NOT NULL,
  note TEXT,
  actor TEXT NOT NULL
);
CREATE INDEX status_history_report ON status_history (report_seq);
CREATE TABLE hashlists (seq {serial}, name TEXT NOT NULL UNIQUE, imported_at BIGINT NOT NULL, entries BIGINT NOT NULL);
CREATE TABLE pdq_hashes (
  seq {serial},
  pdq TEXT NOT NULL,
  report_seq BIGINT,
  list_seq BIGINT,
  quality BIGINT,
  label TEXT
);
CREATE INDEX pdq_hashes_report ON pdq_hashes (report_seq);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  disabled BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
  seq {serial},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  report_id TEXT,
  detail TEXT
);
"#,
    r#"
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
"#,
];

/// How many migrations this version knows (a database it made records each once).
pub fn migrations() -> usize {
    MIGRATIONS.len()
}

impl Dialect {
    fn fill(self, sql: &str) -> String {
        let (serial, blob) = match self {
            Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
            Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BYTEA"),
        };
        sql.replace("{serial}", serial).replace("{blob}", blob)
    }
}

/// Why the database could not be opened.
#[derive(Debug)]
pub struct OpenError(pub String);

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<sqlx::Error> for OpenError {
    fn from(e: sqlx::Error) -> Self {
        OpenError(e.to_string())
    }
}

/// Opens (creating a SQLite file if needed) and migrates the database at `url`:
/// `sqlite://FILE` or `postgres://user@host:port/db`.
pub async fn open(url: &str) -> Result<Db, OpenError> {
    sqlx::any::install_default_drivers();
    let (dialect, url) = if let Some(rest) = url.strip_prefix("sqlite://") {
        if rest.is_empty() {
            return Err(OpenError("sqlite:// needs a file name".into()));
        }
        let url = if url.contains('?') {
            url.to_owned()
        } else {
            format!("{url}?mode=rwc")
        };
        (Dialect::Sqlite, url)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Dialect::Postgres, url.to_owned())
    } else {
        return Err(OpenError(format!(
            "the database URL must start with sqlite:// or postgres:// (got {url:?})"
        )));
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        // SQLite takes one writer at a time anyway; more connections only wait on its lock.
        .max_connections(if dialect == Dialect::Sqlite { 4 } else { 16 })
        // A database that does not answer is an error a person sees in seconds, not minutes.
        .acquire_timeout(std::time::Duration::from_secs(8))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if dialect == Dialect::Sqlite {
                    // WAL: readers do not block the writer. synchronous=NORMAL in WAL mode
                    // loses nothing when the process is killed (only on a power cut).
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
                         PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    let db = Db { pool, dialect };
    migrate(&db).await?;
    Ok(db)
}

async fn migrate(db: &Db) -> Result<(), OpenError> {
    let mut tx = db.pool.begin().await?;
    if db.dialect == Dialect::Postgres {
        // Two processes starting at once: one migrates, the other waits and then finds it done.
        tx.execute("SELECT pg_advisory_xact_lock(8720001)").await?;
    } else {
        // Takes SQLite's write lock now, so two processes cannot both read version 0.
        tx.execute("CREATE TABLE IF NOT EXISTS schema_lock (x BIGINT)")
            .await?;
        tx.execute("DELETE FROM schema_lock").await?;
    }
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let done: i64 = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    for (version, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(done).unwrap_or(0))
    {
        for statement in db.dialect.fill(sql).split(';') {
            if !statement.trim().is_empty() {
                tx.execute(statement).await?;
            }
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(i64::try_from(version + 1).unwrap_or(i64::MAX))
            .bind(crate::clock::now_ms())
            .execute(&mut *tx)
            .await?;
    }
    if usize::try_from(done).unwrap_or(usize::MAX) > MIGRATIONS.len() {
        return Err(OpenError(
            "this database was made by a newer sentinelle-intake; run that version".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// `($1, $2, $3), ($4, $5, $6), …`: `rows` rows of `columns` numbered parameters.
pub fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Makes a new, empty database `name` (letters, digits, `_`) on the PostgreSQL server at
/// `server` (a URL to any database there) and returns its URL. For tests and benchmarks, which
/// each want a database of their own.
pub async fn create_postgres_database(server: &str, name: &str) -> Result<String, OpenError> {
    use sqlx::Connection as _;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(OpenError(format!("{name:?} is not a plain database name")));
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(server).await?;
    // A name cannot be a bound parameter; it was checked to be letters, digits and `_` above.
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// A secret the intake makes once and every process shares (the receipt key's seed, the
/// evidence tokens' key): the first process to start stores it, the others read it.
pub async fn secret(db: &Db, name: &str) -> Result<[u8; 32], OpenError> {
    use base64::engine::general_purpose::STANDARD as BASE64;
    use base64::Engine as _;
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| OpenError(format!("no randomness: {e}")))?;
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(BASE64.encode(fresh))
        .execute(&db.pool)
        .await?;
    let stored: String = sqlx::query("SELECT value FROM settings WHERE name = $1")
        .bind(name)
        .fetch_one(&db.pool)
        .await?
        .try_get("value")?;
    BASE64
        .decode(stored)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| OpenError(format!("the stored {name} is damaged")))
}
