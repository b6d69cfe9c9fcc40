//! Where vaultkit finds its settings, and in which order: flags > environment > config file.
//!
//! - [`file`] — the TOML config file with named profiles.
//! - [`token_file`] — `~/.vault-token`.
//! - this file — [`resolve`], layering the three sources into a [`Settings`] and building the
//!   [`VaultClient`].
//!
//! Credentials: `VAULT_TOKEN` > `VAULT_ROLE_ID` + `VAULT_SECRET_ID` > the profile's `auth` >
//! `~/.vault-token`. Secrets are never read from the config file itself, only from files or
//! variables it names.

use std::path::PathBuf;

use vault_core::RetryPolicy;
use vault_core::TokenAuth;
use vault_core::{AuthMethodKind, SecretString, Setting, VaultClient, VaultConnectionConfig};

use crate::args::{GlobalArgs, OutputFormat};
use crate::error::{CliError, CliResult, ExitKind};

pub(crate) mod file;
pub(crate) mod token_file;

use file::{ConfigFile, Profile, ProfileAuth};

/// Everything a command needs to know about where and how to talk to Vault.
#[derive(Debug)]
pub(crate) struct Settings {
    pub connection: VaultConnectionConfig,
    /// Output format after flags, VAULT_FORMAT and the profile.
    pub format: OutputFormat,
    /// The profile in use, if any.
    pub profile: Option<String>,
    /// Where the credentials came from (for `status` and error hints), never the credential itself.
    pub credential_source: String,
}

impl Settings {
    /// Build the client. Fails with exit code 4 and a hint when there are no credentials at all.
    pub(crate) fn client(&self) -> CliResult<VaultClient> {
        let c = &self.connection;
        if c.auth_method == AuthMethodKind::Token && c.token.is_none() {
            return Err(CliError::new(
                ExitKind::Permission,
                "no Vault token found (VAULT_TOKEN, ~/.vault-token, profile)",
            )
            .with_hint(
                "set VAULT_TOKEN, run `vaultkit login --store`, or add `auth` to a profile",
            ));
        }
        c.validate()?;
        warn_once(c);
        Ok(VaultClient::from_config(c)?)
    }

    /// A client for unauthenticated endpoints (`sys/health`, `sys/seal-status`, logins): the
    /// configured address, TLS and namespace, and the configured token when there is one.
    pub(crate) fn unauthenticated_client(&self) -> CliResult<VaultClient> {
        let c = &self.connection;
        let token = c
            .token
            .clone()
            .unwrap_or_else(|| SecretString::new(String::new()));
        let mut b = VaultClient::builder()
            .with_address(&c.vault_addr)
            .with_auth(std::sync::Arc::new(TokenAuth::new(token)))
            .with_timeout(c.timeout)
            .with_skip_verify(!c.verify)
            .with_retry(RetryPolicy::none());
        if let Some(ns) = &c.namespace {
            b = b.with_namespace(ns);
        }
        if let Some(ca) = &c.ca_cert {
            b = b.with_ca_cert_file(ca);
        }
        if let (Some(cert), Some(key)) = (&c.client_cert, &c.client_key) {
            b = b.with_client_cert(cert, key);
        }
        c.validate_tls()?;
        warn_once(c);
        Ok(b.with_tls_from(c).build()?)
    }
}

/// Print the connection's warnings (TLS verification off, remote plain http) on stderr, once
/// per process, when the first client is built.
fn warn_once(c: &VaultConnectionConfig) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| c.warnings().iter().for_each(|w| eprintln!("warning: {w}")));
}

/// Layer flags (which clap already merged with their environment variables), the remaining
/// environment variables and the config file's profile.
///
/// `own_formats`: the command reads `--format` itself (`env`, `kv export`), so the flag does not
/// choose the table/JSON/YAML printer.
pub(crate) fn resolve(global: &GlobalArgs, own_formats: bool) -> CliResult<Settings> {
    let (config_path, required) = match &global.config {
        Some(p) => (Some(p.clone()), true),
        None => (file::default_path(), false),
    };
    let profile = match &config_path {
        Some(path) => ConfigFile::load(path, required)?.profile(global.profile.as_deref(), path)?,
        None if global.profile.is_some() => {
            return Err(CliError::usage(
                "--profile needs a config file, but neither HOME nor XDG_CONFIG_HOME is set",
            )
            .with_hint("pass --config FILE"));
        }
        None => None,
    };
    let (profile_name, p) = match profile {
        Some((name, p)) => (Some(name), p),
        None => (None, Profile::default()),
    };

    let path_str = |v: &Option<PathBuf>| v.as_ref().map(|p| p.display().to_string());
    // Flag, then environment, then profile, for every setting of vault-core's SETTINGS table
    // that has a flag or a profile key; the rest come from the environment only (credentials:
    // the profile's are applied below).
    let layered = |name: &str| -> Option<String> {
        let (flag, from_profile) = match Setting::from_env_name(name) {
            Some(Setting::Address) => (global.address.clone(), p.address.clone()),
            Some(Setting::Namespace) => (global.namespace.clone(), p.namespace.clone()),
            Some(Setting::CaCert) => (path_str(&global.ca_cert), path_str(&p.ca_cert)),
            Some(Setting::ClientCert) => (path_str(&global.client_cert), path_str(&p.client_cert)),
            Some(Setting::ClientKey) => (path_str(&global.client_key), path_str(&p.client_key)),
            Some(Setting::SkipVerify) => (
                global.tls_skip_verify.map(|b| b.to_string()),
                p.skip_verify.map(|b| b.to_string()),
            ),
            _ => (std::env::var(name).ok(), None),
        };
        flag.filter(|v| !v.is_empty()).or(from_profile)
    };
    let mut connection = VaultConnectionConfig::from_env_with(layered)?;
    let credential_source = apply_credentials(&mut connection, p.auth.as_ref())?;

    let flag = if own_formats {
        None
    } else {
        global.format.clone()
    };
    let format = match flag
        .or_else(|| std::env::var("VAULT_FORMAT").ok())
        .or(p.format.clone())
    {
        Some(f) if !f.is_empty() => f.parse()?,
        _ => OutputFormat::Table,
    };
    Ok(Settings {
        connection,
        format,
        profile: profile_name,
        credential_source,
    })
}

/// Fill in credentials the environment did not give: the profile's `auth`, then `~/.vault-token`.
fn apply_credentials(
    c: &mut VaultConnectionConfig,
    auth: Option<&ProfileAuth>,
) -> CliResult<String> {
    if c.token.is_some() && c.auth_method == AuthMethodKind::Token {
        return Ok("VAULT_TOKEN".into());
    }
    if c.auth_method == AuthMethodKind::AppRole {
        return Ok("VAULT_ROLE_ID/VAULT_SECRET_ID".into());
    }
    match auth {
        Some(ProfileAuth::Token { token_file: path }) => {
            c.token = token_file::read(path)?;
            if c.token.is_none() {
                return Err(CliError::new(
                    ExitKind::Permission,
                    format!("token file `{}` is empty or missing", path.display()),
                )
                .with_hint("run `vaultkit login --store` or fix the profile's token_file"));
            }
            Ok(format!("token file {}", path.display()))
        }
        Some(ProfileAuth::Approle {
            role_id,
            secret_id_file,
            secret_id_env,
            mount,
        }) => {
            let secret = match (secret_id_file, secret_id_env) {
                (Some(path), _) => read_secret_file(path)?,
                (None, Some(var)) => std::env::var(var)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(SecretString::from)
                    .ok_or_else(|| {
                        CliError::new(
                            ExitKind::Permission,
                            format!("the profile's secret_id_env `{var}` is not set"),
                        )
                        .with_hint(format!("export {var}=… or use secret_id_file"))
                    })?,
                (None, None) => {
                    return Err(CliError::usage(
                        "AppRole profile has neither secret_id_file nor secret_id_env",
                    )
                    .with_hint("add one of them to the profile's auth table"));
                }
            };
            c.auth_method = AuthMethodKind::AppRole;
            c.role_id = Some(role_id.clone());
            c.secret_id = Some(secret);
            c.auth_mount = mount.clone();
            Ok("profile (approle)".into())
        }
        Some(ProfileAuth::Kubernetes {
            role,
            jwt_path,
            mount,
        }) => {
            c.auth_method = AuthMethodKind::Kubernetes;
            c.kubernetes_role = Some(role.clone());
            c.kubernetes_jwt_path = jwt_path.clone();
            c.auth_mount = mount.clone();
            Ok("profile (kubernetes)".into())
        }
        None => match token_file::default_path() {
            Some(path) => {
                c.token = token_file::read(&path)?;
                Ok(if c.token.is_some() {
                    "~/.vault-token".into()
                } else {
                    "none".into()
                })
            }
            None => Ok("none".into()),
        },
    }
}

/// Read a one-line secret (secret id, token) from a file, trimmed.
pub(crate) fn read_secret_file(path: &std::path::Path) -> CliResult<SecretString> {
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

#[cfg(test)]
mod settings_table_tests {
    use clap::CommandFactory;
    use vault_core::SETTINGS;

    use super::file::ConfigFile;

    /// Every flag and profile key of vault-core's SETTINGS table exists in the CLI, with the
    /// table's environment variable.
    #[test]
    fn the_cli_uses_the_one_settings_table() {
        let cli = crate::args::Cli::command();
        for spec in SETTINGS {
            if let Some(flag) = spec.flag {
                let arg = cli
                    .get_arguments()
                    .find(|a| a.get_long() == Some(flag))
                    .unwrap_or_else(|| panic!("no --{flag} flag"));
                assert_eq!(
                    arg.get_env().and_then(|e| e.to_str()),
                    Some(spec.env),
                    "--{flag}"
                );
            }
            if let Some(key) = spec.profile_key {
                let value = if key == "skip_verify" {
                    "true"
                } else {
                    "\"x\""
                };
                let text = format!("[profiles.p]\n{key} = {value}\n");
                ConfigFile::parse(&text, std::path::Path::new("c.toml"))
                    .unwrap_or_else(|e| panic!("profile key `{key}` rejected: {e}"));
            }
        }
    }
}
