//! The PostgreSQL rotator: changes a role's password with `ALTER ROLE`, proves the new one by
//! logging in with it, and restores the old one when a rotation fails.
//!
//! Two strategies ([`PostgresStrategy`]): one role changed in place, or two roles used in turn
//! so that the previous credential keeps working until the next rotation.
//!
//! Files: `config.rs` holds the settings, `sql.rs` quotes and builds the statement (with a
//! SCRAM-SHA-256 verifier instead of the password), `conn.rs` connects and words the errors.

mod config;
mod conn;
mod sql;

use std::fmt;

use async_trait::async_trait;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::Value;
use vault_core::{SecretString, VaultClient};
use vault_kv::{KvExt, SecretData};
use zeroize::Zeroizing;

pub use config::{AdminCredentials, PostgresRotatorConfig, PostgresStrategy};
use conn::{Scene, Session, connect, role_text};

use crate::rotators::redact::secret_texts;
use crate::{RotationContext, RotationError, Rotator};

/// Rotates the password of a PostgreSQL role: changes it with `ALTER ROLE`, proves the new one
/// by logging in with it, and restores the old one when a rotation fails. [`PostgresStrategy`]
/// says whether one role changes in place or two roles are used in turn.
///
/// The admin credentials are read for each step (from KV through the Vault client given with
/// [`PostgresRotator::with_vault_client`], or from an environment variable), so a changed
/// admin password is picked up without a restart. Connections use no TLS.
#[derive(Clone)]
pub struct PostgresRotator {
    config: PostgresRotatorConfig,
    vault: Option<VaultClient>,
}

impl fmt::Debug for PostgresRotator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresRotator")
            .field("config", &self.config)
            .field("vault_client", &self.vault.is_some())
            .finish()
    }
}

impl PostgresRotator {
    /// A rotator with checked settings.
    pub fn new(config: PostgresRotatorConfig) -> Result<Self, RotationError> {
        config.validate()?;
        Ok(PostgresRotator {
            config,
            vault: None,
        })
    }

    /// The Vault client that reads the admin credentials of [`AdminCredentials::Kv`].
    pub fn with_vault_client(mut self, client: VaultClient) -> Self {
        self.vault = Some(client);
        self
    }

    /// The settings.
    pub fn config(&self) -> &PostgresRotatorConfig {
        &self.config
    }

    /// The admin's user name and password, from KV or the environment.
    async fn admin(&self) -> Result<(String, SecretString), RotationError> {
        match &self.config.admin {
            AdminCredentials::Kv {
                mount,
                path,
                username_key,
                password_key,
            } => {
                let Some(client) = &self.vault else {
                    return Err(RotationError::config(format!(
                        "postgres rotator: the admin credentials come from KV secret \
                         `{mount}/{path}`, but the rotator has no Vault client"
                    ))
                    .with_hint("build it with `PostgresRotator::with_vault_client`"));
                };
                let secret = client.kv2(mount).read(path).await?;
                let field = |key: &str| {
                    secret.data.get_str(key).map(str::to_string).ok_or_else(|| {
                        RotationError::config(format!(
                            "postgres rotator: admin KV secret `{mount}/{path}` has no string \
                             key `{key}`"
                        ))
                        .with_hint("store the admin's user name and password there")
                    })
                };
                Ok((
                    field(username_key)?,
                    SecretString::new(field(password_key)?),
                ))
            }
            AdminCredentials::DsnEnv { var } => {
                let missing = || {
                    RotationError::config(format!(
                        "postgres rotator: environment variable `{var}` must hold the admin's \
                         connection string with a user and a password"
                    ))
                    .with_hint("e.g. postgresql://admin:PASSWORD@host/postgres")
                };
                let dsn = Zeroizing::new(std::env::var(var).map_err(|_| missing())?);
                dsn_credentials(&dsn).ok_or_else(missing)
            }
        }
    }

    /// The role a value of the secret belongs to. A configured role wins over the secret's
    /// user name; with two roles, the secret must name one of them.
    fn role_of(&self, ctx: &RotationContext, data: &SecretData) -> Result<String, RotationError> {
        let named = data.get_str(&self.config.username_key);
        let role = match (&self.config.strategy, named) {
            (PostgresStrategy::SingleRole { role: Some(role) }, _) => role.clone(),
            (PostgresStrategy::SingleRole { role: None }, Some(name)) => name.to_string(),
            (PostgresStrategy::Alternating { roles }, Some(name))
                if roles.iter().any(|r| r == name) =>
            {
                name.to_string()
            }
            (PostgresStrategy::Alternating { roles }, _) => {
                return Err(RotationError::rotator(format!(
                    "policy `{}`: secret `{}/{}` key `{}` names neither of the alternating roles \
                     `{}` and `{}`",
                    ctx.policy,
                    ctx.mount,
                    ctx.path,
                    self.config.username_key,
                    role_text(&roles[0]),
                    role_text(&roles[1])
                ))
                .with_hint("the rotator only ever changes the two roles of the policy"));
            }
            (PostgresStrategy::SingleRole { role: None }, None) => {
                return Err(RotationError::config(format!(
                    "policy `{}`: secret `{}/{}` has no `{}` key and the postgres rotator names \
                     no role",
                    ctx.policy, ctx.mount, ctx.path, self.config.username_key
                ))
                .with_hint("set `strategy = { mode = \"single_role\", role = \"…\" }`"));
            }
        };
        sql::check_role_name(&role)?;
        Ok(role)
    }

    /// The password in a value of the secret.
    fn password_of<'d>(
        &self,
        ctx: &RotationContext,
        data: &'d SecretData,
        which: &str,
    ) -> Result<&'d str, RotationError> {
        data.get_str(&self.config.password_key).ok_or_else(|| {
            RotationError::rotator(format!(
                "policy `{}`: the {which} value of `{}/{}` has no string key `{}`",
                ctx.policy, ctx.mount, ctx.path, self.config.password_key
            ))
        })
    }

    /// Logs in as the admin and changes `role`'s password.
    async fn change_password(
        &self,
        scene: &Scene<'_>,
        role: &str,
        password: &str,
    ) -> Result<(), RotationError> {
        let (admin, admin_password) = self.admin().await?;
        let mut secrets = scene.secrets.to_vec();
        secrets.push(admin_password.expose().to_string());
        let scene = Scene {
            secrets: &secrets,
            ..*scene
        };
        let session: Session = connect(&scene, &admin, admin_password.expose()).await?;
        session
            .execute(&scene, role, &sql::alter_password(role, password)?)
            .await
    }

    fn random_password(&self) -> String {
        rand::rng()
            .sample_iter(Alphanumeric)
            .take(self.config.password_length)
            .map(char::from)
            .collect()
    }
}

/// The user and password of a connection string (URL or `key=value` form); `None` when it
/// does not parse or lacks either. The parser's message may quote the string, so it is dropped.
fn dsn_credentials(dsn: &str) -> Option<(String, SecretString)> {
    let parsed: tokio_postgres::Config = dsn.parse().ok()?;
    let user = parsed.get_user()?.to_string();
    let password = std::str::from_utf8(parsed.get_password()?).ok()?;
    Some((user, SecretString::new(password)))
}

#[async_trait]
impl Rotator for PostgresRotator {
    fn kind(&self) -> &str {
        "postgres"
    }

    async fn generate(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
    ) -> Result<SecretData, RotationError> {
        let role = match &self.config.strategy {
            PostgresStrategy::SingleRole { .. } => self.role_of(ctx, current)?,
            PostgresStrategy::Alternating { roles } => {
                let current_role = current.get_str(&self.config.username_key);
                // The role that is not current; the first one before the first rotation.
                if current_role == Some(roles[0].as_str()) {
                    roles[1].clone()
                } else {
                    roles[0].clone()
                }
            }
        };
        let mut data = current.expose().clone();
        data.insert(self.config.username_key.clone(), Value::String(role));
        data.insert(
            self.config.password_key.clone(),
            Value::String(self.random_password()),
        );
        Ok(SecretData::new(data))
    }

    async fn set(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        new: &SecretData,
    ) -> Result<(), RotationError> {
        let role = self.role_of(ctx, new)?;
        let password = self.password_of(ctx, new, "new")?;
        let secrets = secret_texts(&[current, new]);
        let step = format!("policy `{}` set: change the password of role", ctx.policy);
        let scene = Scene {
            step: &step,
            config: &self.config,
            secrets: &secrets,
        };
        self.change_password(&scene, &role, password).await
    }

    async fn test(&self, ctx: &RotationContext, new: &SecretData) -> Result<(), RotationError> {
        let role = self.role_of(ctx, new)?;
        let password = self.password_of(ctx, new, "new")?;
        let secrets = secret_texts(&[new]);
        let step = format!(
            "policy `{}` test: log in with the new password as role",
            ctx.policy
        );
        let scene = Scene {
            step: &step,
            config: &self.config,
            secrets: &secrets,
        };
        connect(&scene, &role, password)
            .await?
            .ping(&scene, &role)
            .await
    }

    async fn rollback(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        failed: &SecretData,
    ) -> Result<(), RotationError> {
        if let PostgresStrategy::Alternating { .. } = self.config.strategy {
            // Only the role that is not current was touched: the current one still works.
            return Ok(());
        }
        let role = self
            .role_of(ctx, current)
            .or_else(|_| self.role_of(ctx, failed))?;
        let Some(password) = current.get_str(&self.config.password_key) else {
            return Err(RotationError::rotator(format!(
                "policy `{}` rollback: secret `{}/{}` held no `{}` before this rotation, so role \
                 `{}` cannot get its old password back and keeps the one of the failed attempt",
                ctx.policy,
                ctx.mount,
                ctx.path,
                self.config.password_key,
                role_text(&role)
            ))
            .with_hint(
                "set the role's password by hand, store it in the secret, and rotate again",
            ));
        };
        let secrets = secret_texts(&[current, failed]);
        let step = format!(
            "policy `{}` rollback: restore the password of role",
            ctx.policy
        );
        let scene = Scene {
            step: &step,
            config: &self.config,
            secrets: &secrets,
        };
        self.change_password(&scene, &role, password).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_credentials_from_url_and_key_value_forms() {
        let (user, password) =
            dsn_credentials("postgresql://admin:p%40ss@db:5432/postgres").expect("url");
        assert_eq!((user.as_str(), password.expose()), ("admin", "p@ss"));
        let (user, password) =
            dsn_credentials("host=db user=admin password='it\\'s'").expect("key=value");
        assert_eq!(user, "admin");
        assert_eq!(password.expose(), "it's");
        assert!(dsn_credentials("postgresql://admin@db/postgres").is_none());
        assert!(dsn_credentials("host=db password=x").is_none());
        assert!(dsn_credentials("not a dsn ='").is_none());
    }
}
