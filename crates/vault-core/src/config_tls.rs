//! TLS settings beyond Vault's basic variables (`VAULT_CAPATH`, `VAULT_TLS_SERVER_NAME`) and
//! the warnings a front end prints about an unsafe connection.

use crate::client::VaultClientBuilder;
use crate::config::VaultConnectionConfig;

impl VaultConnectionConfig {
    /// The TLS part of [`validate`](Self::validate) alone: a client certificate needs its key
    /// and a key its certificate (one without the other used to be dropped silently).
    pub fn validate_tls(&self) -> Result<(), crate::VaultError> {
        match (&self.client_cert, &self.client_key) {
            (Some(_), None) | (None, Some(_)) => Err(crate::VaultError::msg(
                crate::VaultErrorKind::Config,
                "a client certificate needs both its certificate and its key",
            )
            .with_hint("set both VAULT_CLIENT_CERT and VAULT_CLIENT_KEY, or neither")),
            _ => Ok(()),
        }
    }

    /// Warnings about connection settings that expose the token or secrets, for a front end to
    /// print at startup (the CLI does, on stderr): TLS verification off, or plain `http://` to
    /// a host that is not loopback.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.verify {
            out.push(
                "TLS certificate verification is off (VAULT_SKIP_VERIFY): anyone on the network path can impersonate Vault and read the token and secrets".to_string(),
            );
        }
        if let Ok(url) = url::Url::parse(self.vault_addr.trim())
            && url.scheme() == "http"
            && !is_loopback(&url)
        {
            out.push(format!(
                "VAULT_ADDR `{}` is plain http:// to a host that is not loopback: the token and secrets travel unencrypted",
                url.as_str().trim_end_matches('/')
            ));
        }
        out
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl VaultClientBuilder {
    /// Apply the config's `ca_path` and `tls_server_name` (the other TLS fields have their own
    /// builder calls).
    pub fn with_tls_from(mut self, config: &VaultConnectionConfig) -> Self {
        if let Some(dir) = &config.ca_path {
            self = self.with_ca_path(dir);
        }
        if let Some(name) = &config.tls_server_name {
            self = self.with_tls_server_name(name);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(addr: &str, verify: bool) -> VaultConnectionConfig {
        VaultConnectionConfig {
            vault_addr: addr.into(),
            verify,
            ..Default::default()
        }
    }

    #[test]
    fn warns_about_skip_verify_and_remote_plain_http() {
        assert!(with("https://vault:8200", true).warnings().is_empty());
        assert!(with("http://127.0.0.1:8200", true).warnings().is_empty());
        assert!(with("http://localhost:8200", true).warnings().is_empty());
        assert!(with("http://[::1]:8200", true).warnings().is_empty());
        let w = with("http://10.0.0.5:8200", true).warnings();
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("http://10.0.0.5:8200") && w[0].contains("unencrypted"),
            "{w:?}"
        );
        let w = with("https://vault:8200", false).warnings();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("VAULT_SKIP_VERIFY"), "{w:?}");
        assert_eq!(with("http://vault.example.com", false).warnings().len(), 2);
    }

    #[test]
    fn half_a_client_certificate_is_a_config_error() {
        let c = VaultConnectionConfig {
            token: Some("t".into()),
            client_cert: Some("/tmp/cert.pem".into()),
            ..Default::default()
        };
        let e = c.validate().expect_err("no key");
        assert_eq!(e.kind(), crate::VaultErrorKind::Config);
        assert!(e.to_string().contains("VAULT_CLIENT_KEY"), "{e}");
    }
}
