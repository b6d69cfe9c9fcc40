//! Which credentials a command would use, decided when settings are resolved but read only when
//! a command builds an authenticated client ([`Credentials::apply`]). Commands that need no token
//! (`status`, `dev`, `completions`, `migrate scan|plan`, `audit` over files…) therefore never
//! open a token file or a secret-id file, and a broken one cannot fail them.
//!
//! With the environment as the connection source: `VAULT_TOKEN` > `VAULT_ROLE_ID` +
//! `VAULT_SECRET_ID` > `~/.vault-token`. With a profile: its `auth` table, else `~/.vault-token`
//! (never the environment's credentials, which belong to the environment's server).

use std::path::{Path, PathBuf};

use vault_core::{AuthMethodKind, SecretString, VaultConnectionConfig};

use super::file::ProfileAuth;
use super::token_file;
use crate::error::{CliError, CliResult, ExitKind};

/// The credentials plan of one invocation. Holds file *names*, never their contents.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// `VAULT_TOKEN`, or AppRole / Kubernetes from `VAULT_ROLE_ID` + `VAULT_SECRET_ID` /
    /// `VAULT_AUTH_METHOD` (already in the connection config).
    Environment(AuthMethodKind),
    /// A profile's `auth` table.
    Profile {
        name: String,
        file: PathBuf,
        auth: ProfileAuth,
    },
    /// `~/.vault-token` (when it exists), or nothing at all.
    DefaultTokenFile(Option<PathBuf>),
}

impl Credentials {
    /// What `status` shows as `Credentials`: the source, never the credential. Looks at whether
    /// `~/.vault-token` exists, not at what it holds.
    pub(crate) fn describe(&self) -> String {
        match self {
            Credentials::Environment(AuthMethodKind::AppRole) => {
                "VAULT_ROLE_ID/VAULT_SECRET_ID".into()
            }
            Credentials::Environment(AuthMethodKind::Kubernetes) => {
                "VAULT_AUTH_METHOD (kubernetes)".into()
            }
            Credentials::Environment(_) => "VAULT_TOKEN".into(),
            Credentials::Profile { name, auth, .. } => {
                let method = match auth {
                    ProfileAuth::Token { .. } => "token file",
                    ProfileAuth::Approle { .. } => "approle",
                    ProfileAuth::Kubernetes { .. } => "kubernetes",
                };
                format!("profile `{name}` ({method})")
            }
            Credentials::DefaultTokenFile(Some(p)) if p.is_file() => "~/.vault-token".into(),
            Credentials::DefaultTokenFile(_) => "none".into(),
        }
    }

    /// Read the credentials into `c`: the token file, the secret-id file or variable. Errors
    /// name the profile key and file that pointed there.
    pub(crate) fn apply(&self, c: &mut VaultConnectionConfig) -> CliResult<()> {
        match self {
            Credentials::Environment(_) => Ok(()),
            Credentials::DefaultTokenFile(path) => {
                c.token = match path {
                    Some(p) => token_file::read(p)?,
                    None => None,
                };
                if c.token.is_none() {
                    return Err(CliError::new(
                        ExitKind::Permission,
                        "no Vault token found (VAULT_TOKEN, VAULT_ROLE_ID + VAULT_SECRET_ID, ~/.vault-token)",
                    )
                    .with_hint(
                        "set VAULT_TOKEN, run `vaultkit login --store`, or use a profile with `auth`",
                    ));
                }
                Ok(())
            }
            Credentials::Profile { name, file, auth } => {
                let at = |key: &str| {
                    format!("profile `{name}` key `auth.{key}` in `{}`", file.display())
                };
                match auth {
                    ProfileAuth::Token { token_file: path } => {
                        c.token = token_file::read(path)
                            .map_err(|e| e.with_hint(format!("fix {}", at("token_file"))))?;
                        if c.token.is_none() {
                            return Err(CliError::new(
                                ExitKind::Permission,
                                format!(
                                    "token file `{}` ({}) is empty or missing",
                                    path.display(),
                                    at("token_file")
                                ),
                            )
                            .with_hint(
                                "write the token there (`printf '%s' \"$TOKEN\" > FILE`, mode 0600) or fix the profile",
                            ));
                        }
                    }
                    ProfileAuth::Approle {
                        role_id,
                        secret_id_file,
                        secret_id_env,
                        mount,
                    } => {
                        let secret = match (secret_id_file, secret_id_env) {
                            (Some(path), _) => read_secret_file(path).map_err(|e| {
                                e.with_hint(format!("fix the file or {}", at("secret_id_file")))
                            })?,
                            (None, Some(var)) => std::env::var(var)
                                .ok()
                                .filter(|v| !v.is_empty())
                                .map(SecretString::from)
                                .ok_or_else(|| {
                                    CliError::new(
                                        ExitKind::Permission,
                                        format!(
                                            "environment variable `{var}` ({}) is not set",
                                            at("secret_id_env")
                                        ),
                                    )
                                    .with_hint(format!("export {var}=… or use secret_id_file"))
                                })?,
                            (None, None) => {
                                return Err(CliError::usage(format!(
                                    "the AppRole auth of profile `{name}` in `{}` has neither secret_id_file nor secret_id_env",
                                    file.display()
                                ))
                                .with_hint("add one of them to the profile's auth table"));
                            }
                        };
                        c.auth_method = AuthMethodKind::AppRole;
                        c.role_id = Some(role_id.clone());
                        c.secret_id = Some(secret);
                        c.auth_mount = mount.clone();
                    }
                    ProfileAuth::Kubernetes {
                        role,
                        jwt_path,
                        mount,
                    } => {
                        c.auth_method = AuthMethodKind::Kubernetes;
                        c.kubernetes_role = Some(role.clone());
                        c.kubernetes_jwt_path = jwt_path.clone();
                        c.auth_mount = mount.clone();
                    }
                }
                Ok(())
            }
        }
    }
}

/// Read a one-line secret (secret id, token) from a file, trimmed.
pub(crate) fn read_secret_file(path: &Path) -> CliResult<SecretString> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::io("read secret file", path, &e))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(CliError::validation(format!(
            "secret file `{}` is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(value.to_string()))
}
