//! Where vaultkit finds its settings, and in which order.
//!
//! - [`file`] — the TOML config file with named profiles.
//! - [`token_file`] — `~/.vault-token`.
//! - [`source`] — where one value came from ([`Source`]), and which place supplies the
//!   connection ([`ConnectionSource`]).
//! - [`credentials`] — which credentials to use, read only when a command needs a token.
//! - this file — [`resolve`], which builds [`Settings`], and the clients.
//!
//! The rule (docs/cli.md, "Where settings come from"): the connection — address, namespace, TLS
//! files, skip-verify and credentials — comes from ONE place: a profile named with `--profile` /
//! `VAULTKIT_PROFILE`; else the environment when it sets `VAULT_ADDR`; else the config file's
//! `default_profile`; else the environment and Vault's defaults. Flags override single settings
//! on top. Settings that have no profile key (`VAULT_CAPATH`, `VAULT_TLS_SERVER_NAME`,
//! `VAULT_CLIENT_TIMEOUT`, …) always come from the environment. The output format is flag >
//! `VAULT_FORMAT` > the profile's `format` > table.
//!
//! Secrets are never read from the config file itself, only from files or variables it names,
//! and only by commands that need them.

use std::path::PathBuf;

use vault_core::{
    AuthMethodKind, RetryPolicy, SETTINGS, SecretString, Setting, TokenAuth, VaultClient,
    VaultConnectionConfig, VaultError, VaultErrorKind,
};

use crate::args::{GlobalArgs, OutputFormat};
use crate::error::{CliError, CliResult};

pub(crate) mod credentials;
pub(crate) mod file;
pub(crate) mod source;
pub(crate) mod token_file;

use credentials::Credentials;
pub(crate) use credentials::read_secret_file;
use file::{ConfigFile, Profile};
use source::{ConnectionSource, Source};

/// Everything a command needs to know about where and how to talk to Vault.
#[derive(Debug)]
pub(crate) struct Settings {
    /// Address, namespace and TLS; credentials only when they came from the environment
    /// ([`Settings::client`] adds the others).
    pub connection: VaultConnectionConfig,
    /// Output format after flags, VAULT_FORMAT and the profile.
    pub format: OutputFormat,
    /// The profile that supplies the connection, if any.
    pub profile: Option<String>,
    /// Where the credentials come from (for `status`), never the credential itself.
    pub credential_source: String,
    credentials: Credentials,
    /// Where each connection setting's value came from.
    sources: Vec<(Setting, Source)>,
    /// A note for stderr about environment variables a profile overrides.
    note: Option<String>,
    quiet: bool,
}

impl Settings {
    /// Build the client, reading the credentials first. Fails with exit code 4 and a hint when
    /// there are none.
    pub(crate) fn client(&self) -> CliResult<VaultClient> {
        let mut c = self.connection.clone();
        self.credentials.apply(&mut c)?;
        c.validate().map_err(|e| self.explain(e))?;
        self.announce(&c);
        VaultClient::from_config(&c).map_err(|e| self.explain(e))
    }

    /// A client for unauthenticated endpoints (`sys/health`, `sys/seal-status`, logins): the
    /// configured address, TLS and namespace, and no token (no credential is read).
    pub(crate) fn unauthenticated_client(&self) -> CliResult<VaultClient> {
        let c = &self.connection;
        let mut b = VaultClient::builder()
            .with_address(&c.vault_addr)
            .with_auth(std::sync::Arc::new(TokenAuth::new(SecretString::new(
                String::new(),
            ))))
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
        c.validate_tls().map_err(|e| self.explain(e))?;
        self.announce(c);
        b.with_tls_from(c).build().map_err(|e| self.explain(e))
    }

    /// Where `setting`'s value came from, if it has one.
    pub(crate) fn source(&self, setting: Setting) -> Option<&Source> {
        self.sources
            .iter()
            .find(|(s, _)| *s == setting)
            .map(|(_, src)| src)
    }

    /// A configuration error about a TLS file names the flag, variable or profile key that
    /// gave the file (vault-core's own hint can only name the environment variable).
    fn explain(&self, err: VaultError) -> CliError {
        if err.kind() != VaultErrorKind::Config {
            return err.into();
        }
        let message = err.message().unwrap_or_default().to_string();
        let c = &self.connection;
        let files = [
            (Setting::CaCert, &c.ca_cert),
            (Setting::ClientCert, &c.client_cert),
            (Setting::ClientKey, &c.client_key),
        ];
        let named: Vec<String> = files
            .iter()
            .filter_map(|(setting, path)| {
                let shown = path.as_ref()?.display().to_string();
                message
                    .contains(&format!("`{shown}`"))
                    .then(|| self.source(*setting).map(ToString::to_string))
                    .flatten()
            })
            .collect();
        let half_pair = (c.client_cert.is_some() != c.client_key.is_some())
            .then(|| {
                [Setting::ClientCert, Setting::ClientKey]
                    .iter()
                    .find_map(|s| self.source(*s).map(ToString::to_string))
            })
            .flatten();
        match (named.is_empty(), half_pair) {
            (false, _) => err
                .with_hint(format!("check the file given by {}", named.join(" and ")))
                .into(),
            (true, Some(given)) => err
                .with_hint(format!(
                    "{given} gives only one of client_cert / client_key: give both, or neither"
                ))
                .into(),
            _ => err.into(),
        }
    }

    /// Print, once per process, the note about overridden environment variables (unless `-q`)
    /// and the connection's warnings (TLS verification off, remote plain http).
    fn announce(&self, c: &VaultConnectionConfig) {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if let Some(note) = self.note.as_ref().filter(|_| !self.quiet) {
                eprintln!("note: {note}");
            }
            c.warnings().iter().for_each(|w| eprintln!("warning: {w}"));
        });
    }
}

/// A non-empty, trimmed environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Resolve the settings of this invocation (see the module docs for the rule).
///
/// `own_formats`: the command reads `--format` itself (`env`, `kv export`), so the flag does not
/// choose the table/JSON/YAML printer.
pub(crate) fn resolve(global: &GlobalArgs, own_formats: bool) -> CliResult<Settings> {
    let (config_path, required) = match global
        .config
        .clone()
        .or_else(|| env_var("VAULTKIT_CONFIG").map(PathBuf::from))
    {
        Some(p) => (Some(p), true),
        None => (file::default_path(), false),
    };
    let (requested, named_by) = match (&global.profile, env_var("VAULTKIT_PROFILE")) {
        (Some(p), _) => (Some(p.clone()), "--profile"),
        (None, Some(p)) => (Some(p), "VAULTKIT_PROFILE"),
        (None, None) => (None, ""),
    };
    let profile = match &config_path {
        Some(path) => ConfigFile::load(path, required)?
            .profile(requested.as_deref(), path)?
            .map(|(name, p)| (name, p, path.clone())),
        None if requested.is_some() => {
            return Err(CliError::usage(
                "--profile needs a config file, but neither HOME nor XDG_CONFIG_HOME is set",
            )
            .with_hint("pass --config FILE"));
        }
        None => None,
    };
    let (p, chosen) = match profile {
        Some((name, p, path)) => (p, Some((name, path))),
        None => (Profile::default(), None),
    };
    let origin = ConnectionSource::choose(
        chosen,
        requested.is_some(),
        Setting::Address.read(env_var).is_some(),
    );
    let from_profile = matches!(origin, ConnectionSource::Profile { .. });

    // The connection settings that have a flag or a profile key: flag, else the chosen source.
    let mut sources = Vec::new();
    let mut values: Vec<(Setting, String)> = Vec::new();
    for spec in SETTINGS.iter().filter(|s| s.profile_key.is_some()) {
        let flag = flag_value(global, spec.setting)
            .zip(spec.flag)
            .map(|(v, f)| (v, Source::Flag(f)));
        let chosen = flag.or_else(|| match (&origin, spec.profile_key) {
            (ConnectionSource::Profile { .. }, Some(key)) => {
                profile_value(&p, spec.setting).zip(origin.profile_key(key))
            }
            _ => spec
                .setting
                .read(env_var)
                .map(|v| (v, Source::Env(spec.env))),
        });
        if let Some((value, source)) = chosen {
            values.push((spec.setting, value));
            sources.push((spec.setting, source));
        }
    }
    let connection = VaultConnectionConfig::from_env_with(|name| {
        match Setting::from_env_name(name) {
            Some(s) if s.profile_key().is_some() => values
                .iter()
                .find(|(v, _)| *v == s)
                .map(|(_, value)| value.clone()),
            // A profile's credentials come from its `auth`, never from the environment.
            Some(s) if from_profile && is_credential(s) => None,
            _ => env_var(name),
        }
    })?;
    let credentials = match &origin {
        ConnectionSource::Profile { name, file, .. } => match &p.auth {
            Some(auth) => Credentials::Profile {
                name: name.clone(),
                file: file.clone(),
                auth: auth.clone(),
            },
            None => Credentials::DefaultTokenFile(token_file::default_path()),
        },
        ConnectionSource::Environment => {
            let method = connection.auth_method;
            if method != AuthMethodKind::Token || connection.token.is_some() {
                Credentials::Environment(method)
            } else {
                Credentials::DefaultTokenFile(token_file::default_path())
            }
        }
    };
    let note = override_note(&origin, named_by);

    let flag = if own_formats {
        None
    } else {
        global.format.clone()
    };
    let format = match flag
        .or_else(|| env_var("VAULT_FORMAT"))
        .or(p.format.clone())
    {
        Some(f) if !f.is_empty() => f.parse()?,
        _ => OutputFormat::Table,
    };
    Ok(Settings {
        connection,
        format,
        profile: match &origin {
            ConnectionSource::Profile { name, .. } => Some(name.clone()),
            ConnectionSource::Environment => None,
        },
        credential_source: credentials.describe(),
        credentials,
        sources,
        note,
        quiet: global.quiet,
    })
}

/// The credential settings (no flag, no profile key): a profile replaces all of them.
fn is_credential(s: Setting) -> bool {
    matches!(
        s,
        Setting::Token | Setting::RoleId | Setting::SecretId | Setting::AuthMethod
    )
}

/// The flag's value for a setting of the SETTINGS table.
fn flag_value(global: &GlobalArgs, setting: Setting) -> Option<String> {
    let path = |v: &Option<PathBuf>| v.as_ref().map(|p| p.display().to_string());
    match setting {
        Setting::Address => global.address.clone(),
        Setting::Namespace => global.namespace.clone(),
        Setting::CaCert => path(&global.ca_cert),
        Setting::ClientCert => path(&global.client_cert),
        Setting::ClientKey => path(&global.client_key),
        Setting::SkipVerify => global.tls_skip_verify.map(|b| b.to_string()),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

/// The profile's value for a setting of the SETTINGS table.
fn profile_value(p: &Profile, setting: Setting) -> Option<String> {
    let path = |v: &Option<PathBuf>| v.as_ref().map(|p| p.display().to_string());
    match setting {
        Setting::Address => p.address.clone(),
        Setting::Namespace => p.namespace.clone(),
        Setting::CaCert => path(&p.ca_cert),
        Setting::ClientCert => path(&p.client_cert),
        Setting::ClientKey => path(&p.client_key),
        Setting::SkipVerify => p.skip_verify.map(|b| b.to_string()),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

/// When a profile supplies the connection, the connection and credential variables set in the
/// environment are ignored: say so, and how to use them instead.
fn override_note(origin: &ConnectionSource, named_by: &str) -> Option<String> {
    let ConnectionSource::Profile { name, file, named } = origin else {
        return None;
    };
    let ignored: Vec<&str> = SETTINGS
        .iter()
        .filter(|s| s.profile_key.is_some() || is_credential(s.setting))
        .filter(|s| s.setting.read(env_var).is_some())
        .map(|s| s.env)
        .collect();
    if ignored.is_empty() {
        return None;
    }
    let why = if *named {
        format!("profile `{name}` (chosen by {named_by}) sets the connection")
    } else {
        format!(
            "profile `{name}` (default_profile in `{}`) sets the connection because VAULT_ADDR is not set",
            file.display()
        )
    };
    Some(format!(
        "{why}; ignoring {} from the environment",
        ignored.join(", ")
    ))
}

#[cfg(test)]
mod settings_table_tests {
    use clap::CommandFactory;
    use vault_core::SETTINGS;

    use super::file::ConfigFile;

    /// Every flag and profile key of vault-core's SETTINGS table exists in the CLI, and the
    /// flag's help names the table's environment variable.
    #[test]
    fn the_cli_uses_the_one_settings_table() {
        let cli = crate::args::Cli::command();
        for spec in SETTINGS {
            if let Some(flag) = spec.flag {
                let arg = cli
                    .get_arguments()
                    .find(|a| a.get_long() == Some(flag))
                    .unwrap_or_else(|| panic!("no --{flag} flag"));
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(
                    help.contains(&format!("(env {})", spec.env)),
                    "--{flag}: {help}"
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
