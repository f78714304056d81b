//! Test support shared by the store, app and server tests.
//!
//! Every test gets its own database: a temporary data directory (SQLite),
//! or a fresh schema in the PostgreSQL database named by
//! `MESA_TEST_POSTGRES_URL`, so tests run in parallel without seeing each
//! other's rows.

#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sqlx::Connection;

pub mod dns;
pub mod mail_servers;
pub mod token_endpoint;

pub const POSTGRES_ENV: &str = "MESA_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The databases to run every store test on: SQLite always, PostgreSQL
/// when `MESA_TEST_POSTGRES_URL` is set.
///
/// When it is not set the skip is never silent: the first call in a test
/// process says so on stderr, and under `CI=true` it panics, so a CI run
/// that lost its PostgreSQL fails instead of passing on SQLite alone.
pub fn databases() -> Vec<Db> {
    let postgres_url = std::env::var(POSTGRES_ENV).ok();
    let ci = std::env::var("CI").ok();
    match database_choice(postgres_url.as_deref(), ci.as_deref()) {
        Ok(dbs) => {
            if !dbs.contains(&Db::Postgres) {
                static SAID: std::sync::Once = std::sync::Once::new();
                SAID.call_once(|| eprintln!("{POSTGRES_SKIPPED}"));
            }
            dbs
        }
        Err(message) => panic!("{message}"),
    }
}

/// What a test process says when PostgreSQL is left out.
pub const POSTGRES_SKIPPED: &str =
    "NOTE: PostgreSQL SKIPPED: MESA_TEST_POSTGRES_URL is unset, database tests run on SQLite only";

/// The databases for a PostgreSQL URL (if any) and the `CI` variable: CI
/// (`CI=true` or `CI=1`) refuses to leave PostgreSQL out.
pub fn database_choice(postgres_url: Option<&str>, ci: Option<&str>) -> Result<Vec<Db>, String> {
    match postgres_url.filter(|u| !u.trim().is_empty()) {
        Some(_) => Ok(vec![Db::Sqlite, Db::Postgres]),
        None if ci.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")) => Err(
            format!("{POSTGRES_SKIPPED}, and CI=true requires both databases: set {POSTGRES_ENV} (scripts/test does)"),
        ),
        None => Ok(vec![Db::Sqlite]),
    }
}

/// A fresh, empty database and data directory; the schema is dropped when
/// this is dropped.
pub struct TestDb {
    pub kind: Db,
    pub data_dir: tempfile::TempDir,
    /// `None` for SQLite (the file inside `data_dir`).
    pub database_url: Option<String>,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(kind: Db) -> TestDb {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        match kind {
            Db::Sqlite => TestDb { kind, data_dir, database_url: None, schema: None },
            Db::Postgres => {
                let base = std::env::var(POSTGRES_ENV).expect("MESA_TEST_POSTGRES_URL");
                let schema = unique_name("mesa_t");
                let mut conn = sqlx::PgConnection::connect(&base).await.expect("connecting to MESA_TEST_POSTGRES_URL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("creating a test schema");
                conn.close().await.ok();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                TestDb { kind, data_dir, database_url: Some(url), schema: Some((base, schema)) }
            }
        }
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.path()
    }

    /// Runs `sql` (one or more statements) in this PostgreSQL test schema,
    /// for tests that set up what the store's own API cannot write, such as
    /// an older schema's rows.
    pub async fn execute_postgres(&self, sql: &str) {
        let url = self.database_url.as_deref().expect("a PostgreSQL test database");
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connecting to the test schema");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.expect("running test SQL");
        conn.close().await.ok();
    }

    /// Runs `sql` (one or more statements) on this database, SQLite or
    /// PostgreSQL, for fixtures the store's API cannot write (e.g. tickets
    /// opened and solved on given past dates, issue 17's reports).
    pub async fn execute_sql(&self, sql: &str) {
        match self.kind {
            Db::Postgres => self.execute_postgres(sql).await,
            Db::Sqlite => {
                let file = self.data_path().join("mesa.db");
                let url = format!("sqlite://{}", file.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("opening the test database");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.expect("running test SQL");
                conn.close().await.ok();
            }
        }
    }

    /// `--data-dir DIR [--database-url URL]` for the `mesa` command line.
    pub fn cli_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data_path().display().to_string()];
        if let Some(url) = &self.database_url {
            args.push("--database-url".into());
            args.push(url.clone());
        }
        args
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, schema)) = self.schema.take() else { return };
        // Drop runs outside any runtime guarantee: use a thread of our own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&base).await.ok()?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
    }
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

/// Runs `mesa ARGS…` to completion, feeding `stdin`.
pub fn run_cli(bin: &Path, args: &[String], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin)
        .args(args)
        .env("MESA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting mesa");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("writing stdin");
    }
    drop(input);
    child.wait_with_output().expect("waiting for mesa")
}

/// A `mesa serve` process on a free port, killed when dropped.
pub struct TestServer {
    pub base_url: String,
    child: Child,
}

impl TestServer {
    /// Starts `mesa serve --listen 127.0.0.1:0` and waits for its address.
    pub fn start(bin: &Path, db: &TestDb, extra: &[&str]) -> TestServer {
        TestServer::start_with_env(bin, db, extra, &[])
    }

    /// As [`TestServer::start`], with extra environment variables.
    pub fn start_with_env(bin: &Path, db: &TestDb, extra: &[&str], env: &[(&str, &str)]) -> TestServer {
        let mut args = vec!["serve".to_owned(), "--listen".into(), "127.0.0.1:0".into()];
        args.extend(db.cli_args());
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = Command::new(bin)
            .args(&args)
            .env("MESA_LOG", std::env::var("MESA_TEST_LOG").unwrap_or_else(|_| "warn".into()))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting mesa serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let line = rx.recv_timeout(deadline - Instant::now()).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("mesa serve did not announce its address");
        });
        let base_url = line.strip_prefix("listening on ").expect("the announce line").trim().to_owned();
        TestServer { base_url, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the server to exit by itself; `true` if it did.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_adds_postgres_to_sqlite() {
        let url = Some("postgres://postgres@127.0.0.1/test");
        assert_eq!(database_choice(url, None), Ok(vec![Db::Sqlite, Db::Postgres]));
        assert_eq!(database_choice(url, Some("true")), Ok(vec![Db::Sqlite, Db::Postgres]));
    }

    #[test]
    fn without_a_postgres_url_a_developer_runs_on_sqlite_only() {
        assert_eq!(database_choice(None, None), Ok(vec![Db::Sqlite]));
        assert_eq!(database_choice(Some("  "), Some("false")), Ok(vec![Db::Sqlite]));
    }

    #[test]
    fn ci_fails_when_postgres_would_be_skipped() {
        for ci in ["true", "TRUE", "1"] {
            let err = database_choice(None, Some(ci)).unwrap_err();
            assert!(err.contains("PostgreSQL SKIPPED") && err.contains(POSTGRES_ENV), "{err}");
        }
        assert!(database_choice(Some(""), Some("true")).is_err());
    }
}
