//! The config file: `$XDG_CONFIG_HOME/vaultkit/config.toml` (default `~/.config/vaultkit/config.toml`).
//!
//! ```toml
//! default_profile = "dev"
//!
//! [profiles.dev]
//! address = "http://127.0.0.1:8200"
//!
//! [profiles.prod]
//! address = "https://vault.example.com:8200"
//! namespace = "data"
//! ca_cert = "/etc/ssl/vault-ca.pem"
//! format = "json"
//! auth = { method = "approle", role_id = "…", secret_id_file = "/run/secrets/vault-secret-id" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{CliError, CliResult};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// Profile used when neither --profile nor VAULTKIT_PROFILE names one.
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One Vault target.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub address: Option<String>,
    pub namespace: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub skip_verify: Option<bool>,
    /// Default output format (`table`, `json`, `yaml`).
    pub format: Option<String>,
    pub auth: Option<ProfileAuth>,
}

/// How a profile logs in. Secrets are never stored in the file itself, only where to find them.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum ProfileAuth {
    /// A token kept in a file (mode 0600), e.g. one written by `vaultkit login --store`.
    Token { token_file: PathBuf },
    /// AppRole with the secret id in a file or an environment variable.
    Approle {
        role_id: String,
        secret_id_file: Option<PathBuf>,
        secret_id_env: Option<String>,
        mount: Option<String>,
    },
    /// Kubernetes service-account login.
    Kubernetes {
        role: String,
        jwt_path: Option<PathBuf>,
        mount: Option<String>,
    },
}

impl ConfigFile {
    /// Parse the file's text; errors name the file and what to fix.
    pub(crate) fn parse(text: &str, path: &Path) -> CliResult<ConfigFile> {
        toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
            CliError::usage(format!(
                "invalid config file `{}`{at}: {msg}",
                path.display()
            ))
            .with_hint("fix the file or point --config / VAULTKIT_CONFIG at another one")
        })
    }

    /// Read `path`; a missing file is an empty config unless `required`.
    pub(crate) fn load(path: &Path, required: bool) -> CliResult<ConfigFile> {
        match std::fs::read_to_string(path) {
            Ok(text) => ConfigFile::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(ConfigFile::default())
            }
            Err(e) => Err(CliError::io("read config file", path, &e)
                .with_hint("create it or point --config / VAULTKIT_CONFIG at another file")),
        }
    }

    /// The profile to use: `requested` (from --profile) or the file's `default_profile`.
    pub(crate) fn profile(
        &self,
        requested: Option<&str>,
        path: &Path,
    ) -> CliResult<Option<(String, Profile)>> {
        let Some(name) = requested.or(self.default_profile.as_deref()) else {
            return Ok(None);
        };
        match self.profiles.get(name) {
            Some(p) => Ok(Some((name.to_string(), p.clone()))),
            None => {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                let known = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                Err(CliError::usage(format!(
                    "no profile `{name}` in `{}` (profiles: {known})",
                    path.display()
                ))
                .with_hint(format!(
                    "add a [profiles.{name}] table or pick another --profile"
                )))
            }
        }
    }
}

/// `$XDG_CONFIG_HOME/vaultkit/config.toml`, else `$HOME/.config/vaultkit/config.toml`.
pub(crate) fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".config")))?;
    Some(base.join("vaultkit").join("config.toml"))
}

/// `$HOME` (tests point it at a temp dir).
pub(crate) fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_profiles_and_auth() {
        let text = r#"
default_profile = "dev"
[profiles.dev]
address = "http://127.0.0.1:8200"
[profiles.prod]
address = "https://vault:8200"
format = "json"
auth = { method = "approle", role_id = "r", secret_id_env = "SID" }
"#;
        let cfg = ConfigFile::parse(text, Path::new("c.toml")).expect("valid");
        let (name, dev) = cfg
            .profile(None, Path::new("c.toml"))
            .expect("ok")
            .expect("default");
        assert_eq!(name, "dev");
        assert_eq!(dev.address.as_deref(), Some("http://127.0.0.1:8200"));
        let (_, prod) = cfg
            .profile(Some("prod"), Path::new("c.toml"))
            .expect("ok")
            .expect("prod");
        assert!(matches!(prod.auth, Some(ProfileAuth::Approle { .. })));
    }

    #[test]
    fn unknown_profile_and_bad_keys_are_usage_errors_naming_the_file() {
        let cfg = ConfigFile::parse("[profiles.a]\naddress = \"x\"\n", Path::new("c.toml"))
            .expect("valid");
        let err = cfg
            .profile(Some("zz"), Path::new("c.toml"))
            .expect_err("unknown");
        assert!(
            err.to_string()
                .contains("no profile `zz` in `c.toml` (profiles: a)"),
            "{err}"
        );
        let err = ConfigFile::parse("[profiles.a]\nadress = \"x\"\n", Path::new("c.toml"))
            .expect_err("typo");
        assert!(err.to_string().contains("c.toml` line 2"), "{err}");
        assert_eq!(err.kind().code(), 2);
    }
}
