//! [`VaultConnectionConfig`]: everything needed to connect and log in, from code or from
//! Vault's own environment variables.
//!
//! | field | env var | default |
//! | --- | --- | --- |
//! | `vault_addr` | `VAULT_ADDR` | `https://127.0.0.1:8200` |
//! | `token` | `VAULT_TOKEN` | — |
//! | `namespace` | `VAULT_NAMESPACE` | — |
//! | `ca_cert` | `VAULT_CACERT` | — |
//! | `ca_path` | `VAULT_CAPATH` (a folder of PEM files) | — |
//! | `tls_server_name` | `VAULT_TLS_SERVER_NAME` | the address's host |
//! | `client_cert`, `client_key` | `VAULT_CLIENT_CERT`, `VAULT_CLIENT_KEY` | — |
//! | `verify` | `VAULT_SKIP_VERIFY` (inverted) | `true` |
//! | `role_id`, `secret_id` | `VAULT_ROLE_ID`, `VAULT_SECRET_ID` | — |
//! | `auth_method` | `VAULT_AUTH_METHOD` (`token`, `approle`, `kubernetes`) | see below |
//!
//! The names come from [`crate::settings::SETTINGS`], the one table the CLI and vault-kv use too.
//!
//! Credential precedence, as in Vault's own CLI: `VAULT_AUTH_METHOD` when set; otherwise
//! `VAULT_TOKEN` wins whenever it is set; otherwise AppRole when both `VAULT_ROLE_ID` and
//! `VAULT_SECRET_ID` are set; otherwise token auth (which then needs a token).
//!
//! Architecture Invariant: `Debug` of the config never shows a secret (`secret_id` and `token`
//! are [`SecretString`]s).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::SecretString;
use crate::error::{VaultError, VaultErrorKind};
use crate::retry::RetryPolicy;
use crate::settings::Setting;

/// Which auth method a configuration uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethodKind {
    /// A static token (`VAULT_TOKEN`).
    #[default]
    Token,
    /// AppRole: `role_id` + `secret_id`.
    AppRole,
    /// Kubernetes: the pod's service-account JWT.
    Kubernetes,
}

impl AuthMethodKind {
    /// The name used in `VAULT_AUTH_METHOD` and profiles (`token`, `approle`, `kubernetes`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethodKind::Token => "token",
            AuthMethodKind::AppRole => "approle",
            AuthMethodKind::Kubernetes => "kubernetes",
        }
    }
}

impl std::fmt::Display for AuthMethodKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMethodKind {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self, VaultError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "token" => Ok(AuthMethodKind::Token),
            "approle" => Ok(AuthMethodKind::AppRole),
            "kubernetes" | "k8s" => Ok(AuthMethodKind::Kubernetes),
            other => Err(VaultError::msg(
                VaultErrorKind::Config,
                format!("unknown auth method `{other}`"),
            )
            .with_hint("use token, approle or kubernetes")),
        }
    }
}

/// Connection settings (the Python module's `VaultConnectionConfig`, plus TLS and Kubernetes).
#[derive(Debug, Clone)]
pub struct VaultConnectionConfig {
    /// Server address (`VAULT_ADDR`, default `https://127.0.0.1:8200`).
    pub vault_addr: String,
    /// How to log in (`VAULT_AUTH_METHOD`, default `token`).
    pub auth_method: AuthMethodKind,
    /// AppRole role id (`VAULT_ROLE_ID`).
    pub role_id: Option<String>,
    /// AppRole secret id (`VAULT_SECRET_ID`).
    pub secret_id: Option<SecretString>,
    /// Static token (`VAULT_TOKEN`).
    pub token: Option<SecretString>,
    /// Enterprise/OpenBao namespace (`VAULT_NAMESPACE`); `None` for the root namespace.
    pub namespace: Option<String>,
    /// How long feature crates may cache secrets (default 300 s).
    pub cache_ttl: Duration,
    /// Per-request timeout (default 30 s).
    pub timeout: Duration,
    /// Verify the server's TLS certificate (default true).
    pub verify: bool,
    /// Retries of failed requests (default: 3 attempts, 1 s base delay, 30 s cap).
    pub retry: RetryPolicy,
    /// CA certificate file, PEM (`VAULT_CACERT`).
    pub ca_cert: Option<PathBuf>,
    /// Client certificate file for TLS client auth, PEM (`VAULT_CLIENT_CERT`).
    pub client_cert: Option<PathBuf>,
    /// Client private key file, PEM (`VAULT_CLIENT_KEY`).
    pub client_key: Option<PathBuf>,
    /// A folder of PEM CA certificates (`VAULT_CAPATH`).
    pub ca_path: Option<PathBuf>,
    /// Name to verify the server certificate for, and send as SNI (`VAULT_TLS_SERVER_NAME`).
    pub tls_server_name: Option<String>,
    /// Vault role for Kubernetes login.
    pub kubernetes_role: Option<String>,
    /// Service-account JWT file for Kubernetes login (default
    /// [`KubernetesAuth::DEFAULT_JWT_PATH`](crate::KubernetesAuth::DEFAULT_JWT_PATH)).
    pub kubernetes_jwt_path: Option<PathBuf>,
    /// Mount path of the auth method (default: the method's name).
    pub auth_mount: Option<String>,
}

impl Default for VaultConnectionConfig {
    fn default() -> Self {
        VaultConnectionConfig {
            vault_addr: "https://127.0.0.1:8200".into(),
            auth_method: AuthMethodKind::Token,
            role_id: None,
            secret_id: None,
            token: None,
            namespace: None,
            cache_ttl: Duration::from_secs(300),
            timeout: Duration::from_secs(30),
            verify: true,
            retry: RetryPolicy::default(),
            ca_cert: None,
            client_cert: None,
            client_key: None,
            ca_path: None,
            tls_server_name: None,
            kubernetes_role: None,
            kubernetes_jwt_path: None,
            auth_mount: None,
        }
    }
}

impl VaultConnectionConfig {
    /// Read Vault's environment variables (see the module table).
    pub fn from_env() -> Result<Self, VaultError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`VaultConnectionConfig::from_env`], reading variables through `get` (for tests and
    /// for layering other sources). Empty values count as unset.
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Self, VaultError> {
        let var = |setting: Setting| setting.read(&get);
        let mut c = VaultConnectionConfig::default();
        if let Some(addr) = var(Setting::Address) {
            c.vault_addr = addr;
        }
        c.token = var(Setting::Token).map(SecretString::from);
        c.namespace = var(Setting::Namespace);
        c.ca_cert = var(Setting::CaCert).map(PathBuf::from);
        c.client_cert = var(Setting::ClientCert).map(PathBuf::from);
        c.client_key = var(Setting::ClientKey).map(PathBuf::from);
        // Environment only (no flag or profile key yet), so not in `SETTINGS`.
        let env_only = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        c.ca_path = env_only("VAULT_CAPATH").map(PathBuf::from);
        c.tls_server_name = env_only("VAULT_TLS_SERVER_NAME");
        if let Some(v) = var(Setting::SkipVerify) {
            c.verify = !parse_bool(&v).ok_or_else(|| {
                VaultError::msg(
                    VaultErrorKind::Config,
                    format!("{}=`{v}` is not a boolean", Setting::SkipVerify.env()),
                )
                .with_hint("use true/false, 1/0 or yes/no")
            })?;
        }
        c.role_id = var(Setting::RoleId);
        c.secret_id = var(Setting::SecretId).map(SecretString::from);
        c.auth_method = match var(Setting::AuthMethod) {
            Some(m) => m.parse()?,
            None => infer_auth_method(
                c.token.is_some(),
                c.role_id.is_some() && c.secret_id.is_some(),
            ),
        };
        Ok(c)
    }

    /// Check that the fields the chosen auth method needs are present.
    pub fn validate(&self) -> Result<(), VaultError> {
        let missing = |what: &str, hint: &str| {
            Err(VaultError::msg(
                VaultErrorKind::Config,
                format!("{what} is required for {} auth", self.auth_method),
            )
            .with_hint(hint.to_string()))
        };
        if self.vault_addr.trim().is_empty() {
            return Err(
                VaultError::msg(VaultErrorKind::Config, "vault_addr is empty")
                    .with_hint("set VAULT_ADDR"),
            );
        }
        self.validate_tls()?;
        if self.retry.max_attempts == 0 {
            return Err(VaultError::msg(
                VaultErrorKind::Config,
                "retry.max_attempts must be at least 1",
            ));
        }
        match self.auth_method {
            AuthMethodKind::Token if self.token.as_ref().is_none_or(|t| t.is_empty()) => {
                missing("a token", "set VAULT_TOKEN")
            }
            AuthMethodKind::AppRole if self.role_id.as_ref().is_none_or(|r| r.is_empty()) => {
                missing("role_id", "set VAULT_ROLE_ID")
            }
            AuthMethodKind::AppRole if self.secret_id.as_ref().is_none_or(|s| s.is_empty()) => {
                missing("secret_id", "set VAULT_SECRET_ID")
            }
            AuthMethodKind::Kubernetes
                if self.kubernetes_role.as_ref().is_none_or(|r| r.is_empty()) =>
            {
                missing(
                    "kubernetes_role",
                    "set kubernetes_role to the Vault role bound to this service account",
                )
            }
            _ => Ok(()),
        }
    }
}

/// `VAULT_TOKEN` wins over `VAULT_ROLE_ID` + `VAULT_SECRET_ID`, as in Vault's CLI.
pub(crate) fn infer_auth_method(has_token: bool, has_approle: bool) -> AuthMethodKind {
    if !has_token && has_approle {
        AuthMethodKind::AppRole
    } else {
        AuthMethodKind::Token
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::env_from as env;

    #[test]
    fn defaults_match_the_python_module() {
        let c = VaultConnectionConfig::default();
        assert_eq!(c.cache_ttl, Duration::from_secs(300));
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert!(c.verify);
        assert_eq!(c.retry.max_attempts, 3);
    }

    #[test]
    fn approle_is_inferred_from_role_and_secret_ids() {
        let c = VaultConnectionConfig::from_env_with(env(&[
            ("VAULT_ADDR", "http://10.0.0.1:8200"),
            ("VAULT_ROLE_ID", "role-1"),
            ("VAULT_SECRET_ID", "planted-secret-id-123"),
            ("VAULT_NAMESPACE", "team-a"),
            ("VAULT_SKIP_VERIFY", "true"),
            ("VAULT_CACERT", "/etc/ca.pem"),
        ]))
        .expect("valid env");
        assert_eq!(c.auth_method, AuthMethodKind::AppRole);
        assert_eq!(c.vault_addr, "http://10.0.0.1:8200");
        assert_eq!(c.namespace.as_deref(), Some("team-a"));
        assert!(!c.verify);
        assert_eq!(c.ca_cert, Some(PathBuf::from("/etc/ca.pem")));
        c.validate().expect("complete");
        assert!(!format!("{c:?}").contains("planted-secret-id-123"));
    }

    /// Every combination of VAULT_TOKEN, VAULT_ROLE_ID and VAULT_SECRET_ID.
    #[test]
    fn vault_token_wins_over_approle_in_every_combination() {
        for token in [false, true] {
            for role in [false, true] {
                for secret in [false, true] {
                    let mut pairs = vec![("VAULT_ADDR", "http://127.0.0.1:8200")];
                    if token {
                        pairs.push(("VAULT_TOKEN", "planted-token"));
                    }
                    if role {
                        pairs.push(("VAULT_ROLE_ID", "role"));
                    }
                    if secret {
                        pairs.push(("VAULT_SECRET_ID", "planted-secret"));
                    }
                    let c = VaultConnectionConfig::from_env_with(env(&pairs)).expect("env");
                    let expected = if !token && role && secret {
                        AuthMethodKind::AppRole
                    } else {
                        AuthMethodKind::Token
                    };
                    assert_eq!(
                        c.auth_method, expected,
                        "token={token} role={role} secret={secret}"
                    );
                    // Complete exactly when the chosen method has what it needs.
                    assert_eq!(
                        c.validate().is_ok(),
                        token || (role && secret),
                        "token={token} role={role} secret={secret}"
                    );
                }
            }
        }
        // An explicit VAULT_AUTH_METHOD still decides.
        let c = VaultConnectionConfig::from_env_with(env(&[
            ("VAULT_AUTH_METHOD", "approle"),
            ("VAULT_TOKEN", "t"),
            ("VAULT_ROLE_ID", "r"),
            ("VAULT_SECRET_ID", "s"),
        ]))
        .expect("env");
        assert_eq!(c.auth_method, AuthMethodKind::AppRole);
    }

    #[test]
    fn token_is_the_fallback() {
        let c = VaultConnectionConfig::from_env_with(env(&[
            ("VAULT_TOKEN", "planted-token"),
            ("VAULT_ROLE_ID", "r"),
        ]))
        .expect("valid env");
        assert_eq!(c.auth_method, AuthMethodKind::Token);
        assert!(!format!("{c:?}").contains("planted-token"));
        c.validate().expect("complete");
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let e = VaultConnectionConfig::from_env_with(env(&[("VAULT_SKIP_VERIFY", "maybe")]))
            .expect_err("bad bool");
        assert!(e.to_string().contains("VAULT_SKIP_VERIFY"), "{e}");
        let e = VaultConnectionConfig::from_env_with(env(&[("VAULT_AUTH_METHOD", "ldap")]))
            .expect_err("bad method");
        assert!(e.to_string().contains("ldap"), "{e}");
        let e = VaultConnectionConfig::from_env_with(env(&[]))
            .expect("empty env")
            .validate()
            .expect_err("no token");
        assert!(e.to_string().contains("VAULT_TOKEN"), "{e}");
        let c = VaultConnectionConfig {
            auth_method: AuthMethodKind::Kubernetes,
            ..Default::default()
        };
        assert!(
            c.validate()
                .expect_err("no role")
                .to_string()
                .contains("kubernetes_role")
        );
    }
}
