//! The PostgreSQL rotator's settings, as they appear in a policy (`[policy.rotator]` with
//! `kind = "postgres"`).
//!
//! The admin password is never inline: it comes from a KV secret or from an environment
//! variable holding a connection string.

use serde::{Deserialize, Serialize};

use crate::RotationError;

/// How the rotator logs in to change passwords: an admin role with `CREATEROLE` (or a
/// superuser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AdminCredentials {
    /// A KV v2 secret holding the admin's user name and password.
    Kv {
        /// The KV v2 mount (default `secret`).
        #[serde(default = "default_mount")]
        mount: String,
        /// The secret's path inside the mount.
        path: String,
        /// The key holding the user name (default `username`).
        #[serde(default = "default_username_key")]
        username_key: String,
        /// The key holding the password (default `password`).
        #[serde(default = "default_password_key")]
        password_key: String,
    },
    /// An environment variable holding a connection string (`postgresql://user:pw@…` or
    /// `user=… password=…`); only its user and password are used.
    DsnEnv {
        /// The variable's name.
        var: String,
    },
}

impl AdminCredentials {
    /// Where the credentials come from, for messages (no value).
    pub fn describe(&self) -> String {
        match self {
            AdminCredentials::Kv { mount, path, .. } => format!("KV secret `{mount}/{path}`"),
            AdminCredentials::DsnEnv { var } => format!("environment variable `{var}`"),
        }
    }
}

/// Which role's password a rotation changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum PostgresStrategy {
    /// One role whose password changes in place. The role is `role`, or else the secret's
    /// user-name key. The old password stops working when the new one is set.
    SingleRole {
        /// The role; `None` takes it from the secret.
        #[serde(default)]
        role: Option<String>,
    },
    /// Two roles with the same grants, used in turn: each rotation gives the role that is not
    /// current a fresh password and makes it current. The other role keeps working until the
    /// next rotation: a real grace period for clients that still hold the old credential.
    Alternating {
        /// The two roles.
        roles: [String; 2],
    },
}

impl Default for PostgresStrategy {
    fn default() -> Self {
        PostgresStrategy::SingleRole { role: None }
    }
}

/// Settings of [`PostgresRotator`](super::PostgresRotator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PostgresRotatorConfig {
    /// The server's host name or address.
    pub host: String,
    /// The server's port (default 5432).
    #[serde(default = "default_port")]
    pub port: u16,
    /// The database used to log in (default `postgres`).
    #[serde(default = "default_dbname")]
    pub dbname: String,
    /// Where the admin's credentials come from.
    pub admin: AdminCredentials,
    /// Single role or two alternating roles (default: single role).
    #[serde(default)]
    pub strategy: PostgresStrategy,
    /// The rotated secret's key for the role name (default `username`).
    #[serde(default = "default_username_key")]
    pub username_key: String,
    /// The rotated secret's key for the password (default `password`).
    #[serde(default = "default_password_key")]
    pub password_key: String,
    /// Length of generated passwords (default 32, at least 16; letters and digits).
    #[serde(default = "default_password_length")]
    pub password_length: usize,
    /// Seconds to wait for a connection or a statement (default 10).
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

impl PostgresRotatorConfig {
    /// Settings for `host:port` with the given admin credentials and every default.
    pub fn new(host: impl Into<String>, port: u16, admin: AdminCredentials) -> Self {
        PostgresRotatorConfig {
            host: host.into(),
            port,
            dbname: default_dbname(),
            admin,
            strategy: PostgresStrategy::default(),
            username_key: default_username_key(),
            password_key: default_password_key(),
            password_length: default_password_length(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The same with another strategy.
    pub fn with_strategy(mut self, strategy: PostgresStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The same with another login database.
    pub fn with_dbname(mut self, dbname: impl Into<String>) -> Self {
        self.dbname = dbname.into();
        self
    }

    /// Checks the settings: host, keys and roles present, roles valid and distinct, length
    /// within 16..=1024.
    pub fn validate(&self) -> Result<(), RotationError> {
        let bad = |what: String| Err(RotationError::config(format!("postgres rotator: {what}")));
        if self.host.trim().is_empty() {
            return bad("`host` is empty".into());
        }
        if self.username_key.is_empty() || self.password_key.is_empty() {
            return bad("`username_key` and `password_key` must not be empty".into());
        }
        if self.username_key == self.password_key {
            return bad("`username_key` and `password_key` must differ".into());
        }
        if !(16..=1024).contains(&self.password_length) {
            return bad(format!(
                "`password_length` is {}; use 16 to 1024",
                self.password_length
            ));
        }
        if self.timeout_secs == 0 {
            return bad("`timeout_secs` must be at least 1".into());
        }
        match &self.admin {
            AdminCredentials::Kv { path, .. } if path.trim().is_empty() => {
                return bad("`admin.path` is empty".into());
            }
            AdminCredentials::DsnEnv { var } if var.is_empty() || var.contains(['=', '\0']) => {
                return bad("`admin.var` must name an environment variable".into());
            }
            _ => {}
        }
        match &self.strategy {
            PostgresStrategy::SingleRole { role: Some(role) } => {
                super::sql::check_role_name(role)?;
            }
            PostgresStrategy::SingleRole { role: None } => {}
            PostgresStrategy::Alternating { roles } => {
                for role in roles {
                    super::sql::check_role_name(role)?;
                }
                if roles[0] == roles[1] {
                    return bad(format!(
                        "the two alternating roles are both `{}`; name two different roles",
                        super::conn::role_text(&roles[0])
                    ));
                }
            }
        }
        Ok(())
    }
}

fn default_mount() -> String {
    "secret".to_string()
}
fn default_port() -> u16 {
    5432
}
fn default_dbname() -> String {
    "postgres".to_string()
}
fn default_username_key() -> String {
    "username".to_string()
}
fn default_password_key() -> String {
    "password".to_string()
}
fn default_password_length() -> usize {
    32
}
fn default_timeout_secs() -> u64 {
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_with_defaults_and_alternating_roles() {
        let config: PostgresRotatorConfig = toml::from_str(
            r#"
            host = "db.internal"
            admin = { source = "dsn_env", var = "PG_ADMIN_DSN" }
            strategy = { mode = "alternating", roles = ["app_a", "app_b"] }
            "#,
        )
        .expect("parses");
        assert_eq!(config.port, 5432);
        assert_eq!(config.password_key, "password");
        assert_eq!(
            config.strategy,
            PostgresStrategy::Alternating {
                roles: ["app_a".into(), "app_b".into()]
            }
        );
        config.validate().expect("valid");
    }

    #[test]
    fn an_inline_admin_password_is_rejected() {
        let err = toml::from_str::<PostgresRotatorConfig>(
            r#"
            host = "db"
            admin = { source = "kv", path = "db/admin", password = "hunter2" }
            "#,
        )
        .expect_err("unknown field");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn validation_names_the_bad_setting() {
        let admin = AdminCredentials::DsnEnv { var: "X".into() };
        let mut config = PostgresRotatorConfig::new("db", 5432, admin);
        config.password_length = 8;
        let err = config.validate().expect_err("too short");
        assert!(err.to_string().contains("password_length"), "{err}");
        let config =
            PostgresRotatorConfig::new("db", 5432, AdminCredentials::DsnEnv { var: "X".into() })
                .with_strategy(PostgresStrategy::Alternating {
                    roles: ["a".into(), "a".into()],
                });
        let err = config.validate().expect_err("same roles");
        assert!(err.to_string().contains("two different roles"), "{err}");
    }
}
