//! The rotators vaultkit ships and [`RotatorSpec`], their serializable settings in a policy.
//!
//! - [`RandomRotator`] (`type = "random"`): a fresh random string for each listed key; the
//!   secret lives only in Vault, so set, test and rollback have no target to talk to.
//! - [`PostgresRotator`](postgres::PostgresRotator) (`type = "postgres"`, feature `postgres`): a
//!   PostgreSQL role's password, one role or two alternating ones.
//! - [`CommandRotator`](command::CommandRotator) (`type = "command"`): a user program per step.
//!
//! `redact.rs` keeps secret values out of the text rotators quote from their targets.

pub(crate) mod command;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod random;
pub(crate) mod redact;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use random::{CharClass, RandomRotator};

use vault_core::VaultClient;

use crate::{CommandRotator, CommandRotatorConfig, RotationError, Rotator};
#[cfg(feature = "postgres")]
use crate::{PostgresRotator, PostgresRotatorConfig};

/// Which rotator a policy uses, with its settings (`rotator = { type = "random", … }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RotatorSpec {
    /// A random string per key ([`RandomRotator`]).
    Random {
        /// Characters per value (default 32).
        #[serde(default = "random::default_length")]
        length: usize,
        /// The character classes to draw from; each appears at least once (default: all four).
        #[serde(default = "random::default_classes")]
        classes: Vec<CharClass>,
        /// The keys that get new values (default `["password"]`); other keys are kept.
        #[serde(default = "random::default_keys")]
        keys: Vec<String>,
    },
    /// A PostgreSQL role's password ([`PostgresRotator`]).
    #[cfg(feature = "postgres")]
    Postgres(Box<PostgresRotatorConfig>),
    /// A user program run for each step ([`CommandRotator`]).
    Command(CommandRotatorConfig),
}

impl Default for RotatorSpec {
    /// A random 32-character `password` from all four classes.
    fn default() -> Self {
        RotatorSpec::Random {
            length: random::default_length(),
            classes: random::default_classes(),
            keys: random::default_keys(),
        }
    }
}

impl RotatorSpec {
    /// Checks the settings without building anything.
    pub fn validate(&self) -> Result<(), RotationError> {
        build_rotator(self).map(|_| ())
    }
}

/// The rotator a spec describes.
///
/// It has no Vault client: a `postgres` rotator whose admin credentials are in KV reports that
/// at its first step. The orchestrator builds its rotators with its own client.
pub fn build_rotator(spec: &RotatorSpec) -> Result<Arc<dyn Rotator>, RotationError> {
    build(spec, None)
}

/// The rotator a spec describes, reading what it needs from Vault through `client`.
pub(crate) fn build_rotator_for(
    spec: &RotatorSpec,
    client: &VaultClient,
) -> Result<Arc<dyn Rotator>, RotationError> {
    build(spec, Some(client))
}

fn build(
    spec: &RotatorSpec,
    client: Option<&VaultClient>,
) -> Result<Arc<dyn Rotator>, RotationError> {
    match spec {
        RotatorSpec::Random {
            length,
            classes,
            keys,
        } => Ok(Arc::new(RandomRotator::new(*length, classes, keys)?)),
        #[cfg(feature = "postgres")]
        RotatorSpec::Postgres(config) => {
            let rotator = PostgresRotator::new(config.as_ref().clone())?;
            Ok(Arc::new(match client {
                Some(client) => rotator.with_vault_client(client.clone()),
                None => rotator,
            }))
        }
        RotatorSpec::Command(config) => {
            let _ = client;
            Ok(Arc::new(CommandRotator::new(config.clone())?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_files_name_the_postgres_and_command_rotators() {
        let policies = crate::parse_policies(
            r#"
[[policy]]
name = "db"
path = "app/db"
rotator = { type = "postgres", host = "db.internal", admin = { source = "kv", path = "db/admin" }, strategy = { mode = "alternating", roles = ["app_a", "app_b"] } }

[[policy]]
name = "legacy"
path = "legacy/app"
rotator = { type = "command", program = "/opt/rotate-legacy", args = ["--env", "prod"], timeout_secs = 20 }
"#,
            "policies.toml",
        )
        .expect("parses");
        let RotatorSpec::Postgres(pg) = &policies[0].rotator else {
            panic!("{:?}", policies[0].rotator);
        };
        assert_eq!(pg.host, "db.internal");
        assert_eq!(pg.port, 5432);
        let RotatorSpec::Command(cmd) = &policies[1].rotator else {
            panic!("{:?}", policies[1].rotator);
        };
        assert_eq!(cmd.args, ["--env", "prod"]);
        assert_eq!(cmd.timeout_secs, 20);
        for p in &policies {
            let rotator = build_rotator(&p.rotator).expect("builds");
            let kind = serde_json::to_value(&p.rotator).expect("serializes")["type"].clone();
            assert_eq!(kind, rotator.kind());
        }
    }

    #[test]
    fn an_inline_password_or_unknown_setting_is_refused() {
        let err = crate::parse_policies(
            r#"
[[policy]]
name = "db"
path = "app/db"
rotator = { type = "postgres", host = "db", password = "hunter2", admin = { source = "dsn_env", var = "X" } }
"#,
            "policies.toml",
        )
        .expect_err("unknown field");
        assert!(err.to_string().contains("password"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
