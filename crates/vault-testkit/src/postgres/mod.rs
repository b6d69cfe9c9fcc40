//! A throwaway PostgreSQL cluster for integration tests.
//!
//! [`Postgres::start`] runs `initdb` into a temp dir and starts `postgres` on a free loopback
//! port with its Unix socket inside that dir, password (SCRAM-SHA-256) authentication for every
//! connection and a random superuser password. When the tests run as root the server runs as
//! `nobody` (PostgreSQL refuses root). The server runs under the same watchdog as OpenBao, so it
//! dies with the test even when the test process is killed; a drop shuts it down at once
//! (`SIGQUIT`, PostgreSQL's immediate shutdown) and removes the directory.
//!
//! Files: `binaries.rs` finds `initdb`/`postgres` and the user, `start.rs` creates and starts
//! the cluster, `quote.rs` quotes identifiers and literals for the helpers' SQL.

mod binaries;
mod quote;
mod start;

use std::time::{Duration, Instant};

use tokio_postgres::NoTls;

use crate::server::process::{ServerProcess, tail};

pub use binaries::{PG_BIN_ENV, postgres_bin_dir};

/// The superuser `initdb` creates.
const SUPERUSER: &str = "postgres";
/// How long a drop waits for the immediate shutdown before the watchdog kills the server.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running PostgreSQL server, shut down and deleted when dropped.
///
/// Helpers are test support: they panic with PostgreSQL's error and the tail of the server log
/// when something goes wrong.
pub struct Postgres {
    // Declared first so the server stops before its directory is removed.
    process: Option<ServerProcess>,
    port: u16,
    superuser_password: String,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("addr", &self.addr())
            .field("dir", &self.dir.path())
            .field("superuser_password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Postgres {
    /// The host to connect to: always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host(), self.port)
    }

    /// The superuser's name (`postgres`).
    pub fn superuser(&self) -> &'static str {
        SUPERUSER
    }

    /// The superuser's password (random per server).
    pub fn superuser_password(&self) -> String {
        self.superuser_password.clone()
    }

    /// A connection URL for the superuser and the `postgres` database,
    /// `postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres`.
    pub fn superuser_dsn(&self) -> String {
        self.dsn(SUPERUSER, &self.superuser_password, "postgres")
    }

    /// A connection URL for `user` with `password` on `dbname`; both are percent-encoded.
    pub fn dsn(&self, user: &str, password: &str, dbname: &str) -> String {
        format!(
            "postgresql://{}:{}@{}/{}",
            quote::url_component(user),
            quote::url_component(password),
            self.addr(),
            quote::url_component(dbname)
        )
    }

    /// Everything the server logged so far (its own log never holds a password: the helpers
    /// send none in SQL text that is logged; `log_statement` is off).
    pub fn log(&self) -> String {
        self.process
            .as_ref()
            .map(ServerProcess::log)
            .unwrap_or_default()
    }

    /// Runs SQL statements as the superuser on the `postgres` database.
    ///
    /// # Panics
    /// When a statement fails; the message carries PostgreSQL's error (the SQL is not echoed).
    pub async fn execute(&self, sql: &str) {
        let client = self.superuser_client().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!(
                "PostgreSQL at {} refused a statement: {}",
                self.addr(),
                describe(&e)
            );
        }
    }

    /// Creates a role that can log in with `password`. `name` is quoted as an identifier, so
    /// any string works (quotes, semicolons, spaces).
    ///
    /// # Panics
    /// When PostgreSQL refuses (for example, the role exists).
    pub async fn create_role(&self, name: &str, password: &str) {
        let sql = format!(
            "CREATE ROLE {} LOGIN PASSWORD {}",
            quote::ident(name),
            quote::literal(password)
        );
        let client = self.superuser_client().await;
        if let Err(e) = client.batch_execute(&sql).await {
            panic!("create role {name:?} on {}: {}", self.addr(), describe(&e));
        }
    }

    /// Connects as `user` with `password` to the `postgres` database and runs `SELECT 1`.
    /// `Err` carries PostgreSQL's answer (for example, password authentication failed).
    pub async fn try_login(&self, user: &str, password: &str) -> Result<(), String> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(self.host())
            .port(self.port)
            .user(user)
            .password(password)
            .dbname("postgres")
            .connect_timeout(Duration::from_secs(10));
        let (client, connection) = config.connect(NoTls).await.map_err(|e| describe(&e))?;
        let task = tokio::spawn(connection);
        let result = client
            .simple_query("SELECT 1")
            .await
            .map(drop)
            .map_err(|e| describe(&e));
        drop(client);
        let _ = task.await;
        result
    }

    /// A connection as the superuser (its driver runs on a spawned task).
    async fn superuser_client(&self) -> tokio_postgres::Client {
        match tokio_postgres::connect(&self.superuser_dsn(), NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(connection);
                client
            }
            Err(e) => panic!(
                "connect to PostgreSQL at {} as the superuser: {}\nserver log:\n{}",
                self.addr(),
                describe(&e),
                tail(&self.log(), 20)
            ),
        }
    }

    /// The postmaster's process id, from the first line of `postmaster.pid`.
    fn postmaster_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }
}

/// A tokio-postgres error with PostgreSQL's own message (its `Display` alone says "db error").
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        ),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let Some(mut process) = self.process.take() else {
            return;
        };
        // Immediate shutdown: the postmaster stops its backends and frees shared memory, which
        // a plain SIGKILL from the watchdog would leave behind.
        let pid = self
            .postmaster_pid()
            .and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::QUIT);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline && process.exited().is_none() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // Dropping the process closes the watchdog's lifeline: it kills what is left and exits.
        drop(process);
    }
}
