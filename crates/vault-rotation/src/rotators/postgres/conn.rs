//! Connections to the target server and the errors they produce.
//!
//! Every message names the host, port, role and step, carries PostgreSQL's own reason with any
//! secret masked and control characters escaped, and says what to try. The driver's error is
//! not kept as a source: its text is what the message already holds, before masking.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use vault_core::escape_text;

use super::PostgresRotatorConfig;
use crate::RotationError;
use crate::rotators::redact::mask;

/// One open connection; its driver task stops when this is dropped.
pub(crate) struct Session {
    client: tokio_postgres::Client,
    driver: JoinHandle<()>,
    timeout: Duration,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// What a message says about where a failure happened: the step and the server.
pub(crate) struct Scene<'a> {
    /// e.g. `set: change the password of`.
    pub(crate) step: &'a str,
    pub(crate) config: &'a PostgresRotatorConfig,
    /// Texts to mask in PostgreSQL's messages.
    pub(crate) secrets: &'a [String],
}

impl Scene<'_> {
    fn server(&self) -> String {
        format!("{}:{}", self.config.host, self.config.port)
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }
}

/// Logs in as `user` with `password` on the configured database.
pub(crate) async fn connect(
    scene: &Scene<'_>,
    user: &str,
    password: &str,
) -> Result<Session, RotationError> {
    let mut pg = tokio_postgres::Config::new();
    pg.host(&scene.config.host)
        .port(scene.config.port)
        .dbname(&scene.config.dbname)
        .user(user)
        .password(password)
        .application_name("vaultkit-rotation")
        .connect_timeout(scene.timeout());
    let attempt = tokio::time::timeout(scene.timeout(), pg.connect(NoTls)).await;
    let failure = match attempt {
        Ok(Ok((client, connection))) => {
            let driver = tokio::spawn(async move {
                let _ = connection.await;
            });
            return Ok(Session {
                client,
                driver,
                timeout: scene.timeout(),
            });
        }
        Ok(Err(e)) => e,
        Err(_) => {
            return Err(RotationError::rotator(format!(
                "{} `{}`: no answer from PostgreSQL at {} within {} s",
                scene.step,
                role_text(user),
                scene.server(),
                scene.config.timeout_secs
            ))
            .with_hint("check that the server is up and reachable from this machine"));
        }
    };
    let hint = match failure.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD => {
            "the server refused the password: check the credentials"
        }
        Some(code) if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "the role may not exist or may not log in (LOGIN), or pg_hba.conf refuses it"
        }
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => {
            "the database does not exist: fix `dbname` in the policy"
        }
        Some(_) => "see PostgreSQL's message",
        None => "check that PostgreSQL listens on this host and port and accepts TCP connections",
    };
    Err(RotationError::rotator(format!(
        "{} `{}`: login to PostgreSQL at {} failed: {}",
        scene.step,
        role_text(user),
        scene.server(),
        describe(&failure, scene.secrets)
    ))
    .with_hint(hint))
}

impl Session {
    /// Runs one statement. `sql` may hold a credential's hash: it never reaches the error.
    pub(crate) async fn execute(
        &self,
        scene: &Scene<'_>,
        role: &str,
        sql: &str,
    ) -> Result<(), RotationError> {
        let result = tokio::time::timeout(self.timeout, self.client.batch_execute(sql)).await;
        let failure = match result {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => e,
            Err(_) => {
                return Err(RotationError::rotator(format!(
                    "{} `{}` on {}: no answer within {} s",
                    scene.step,
                    role_text(role),
                    scene.server(),
                    scene.config.timeout_secs
                )));
            }
        };
        let hint = match failure.code() {
            Some(code) if *code == SqlState::UNDEFINED_OBJECT => {
                "the role does not exist: create it, or fix the role in the policy or secret"
            }
            Some(code) if *code == SqlState::INSUFFICIENT_PRIVILEGE => {
                "the admin role needs CREATEROLE (or to be a superuser) to change passwords"
            }
            _ => "see PostgreSQL's message",
        };
        Err(RotationError::rotator(format!(
            "{} `{}` on {}: {}",
            scene.step,
            role_text(role),
            scene.server(),
            describe(&failure, scene.secrets)
        ))
        .with_hint(hint))
    }

    /// `SELECT 1`: proves the login works for queries.
    pub(crate) async fn ping(&self, scene: &Scene<'_>, role: &str) -> Result<(), RotationError> {
        self.execute(scene, role, "SELECT 1").await
    }
}

/// A role name for a message: control characters escaped.
pub(crate) fn role_text(role: &str) -> String {
    escape_text(role).into_owned()
}

/// PostgreSQL's reason (severity, message, SQLSTATE) or the driver's, with `secrets` masked
/// and control characters escaped.
fn describe(e: &tokio_postgres::Error, secrets: &[String]) -> String {
    let text = match e.as_db_error() {
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
    };
    escape_text(&mask(&text, secrets)).into_owned()
}
