//! [`SmtpNotifier`]: send a notification as a plain-text email through an SMTP relay.
//!
//! - Security: STARTTLS required (port 587, the default), implicit TLS (port 465), or none —
//!   allowed only for a loopback relay (`localhost`, `127.0.0.0/8`, `::1`), so a password or a
//!   message never crosses a network in clear text.
//! - Optional AUTH with a username and a password held as a [`SecretString`]; the builder can
//!   read both from environment variables named in configuration.
//! - An extra root CA (PEM file) for private relays, beside the public web roots.
//! - Subject `[SEVERITY] subject`; CR, LF and other control characters in the subject are turned
//!   into spaces before the header is written, so hostile text cannot add headers or recipients.
//! - `Debug` and errors show host, port, security and the username, never the password.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Notifier, NotifyMessage};
use crate::{SecretString, VaultError, VaultErrorKind};

const OP: &str = "send SMTP notification";
const CONFIG_OP: &str = "configure SMTP notifier";

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS; refused if the relay does not offer it
    /// (default port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, default port 465).
    Tls,
    /// No encryption: only for a relay on the loopback interface (default port 25).
    None,
}

impl SmtpSecurity {
    /// The usual port for this mode.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    }
}

/// Sends each message as one email to every configured recipient.
#[derive(Clone)]
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    relay: String,
    security: SmtpSecurity,
    username: Option<String>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let to: Vec<String> = self.to.iter().map(ToString::to_string).collect();
        f.debug_struct("SmtpNotifier")
            .field("relay", &self.relay)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from.to_string())
            .field("to", &to)
            .finish_non_exhaustive()
    }
}

/// Where the AUTH credentials come from.
enum Auth {
    None,
    Given(String, SecretString),
    Env { user_var: String, pass_var: String },
}

/// Builder for [`SmtpNotifier`]; see [`SmtpNotifier::builder`].
pub struct SmtpNotifierBuilder {
    host: String,
    port: Option<u16>,
    security: SmtpSecurity,
    auth: Auth,
    from: Option<String>,
    to: Vec<String>,
    root_ca: Option<PathBuf>,
    timeout: Duration,
}

impl fmt::Debug for SmtpNotifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let username = match &self.auth {
            Auth::None => None,
            Auth::Given(user, _) => Some(user.clone()),
            Auth::Env { user_var, .. } => Some(format!("${user_var}")),
        };
        f.debug_struct("SmtpNotifierBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &username)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("root_ca", &self.root_ca)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpNotifierBuilder {
    /// The relay's port (default: [`SmtpSecurity::default_port`]).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }
    /// How the connection is protected (default [`SmtpSecurity::StartTls`]).
    pub fn with_security(mut self, security: SmtpSecurity) -> Self {
        self.security = security;
        self
    }
    /// AUTH with this username and password (the password is never printed).
    pub fn with_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.auth = Auth::Given(username.into(), password.into());
        self
    }
    /// AUTH with the username and password read from these environment variables when
    /// [`build`](Self::build) runs (configuration names the variables, never the password).
    pub fn with_credentials_from_env(
        mut self,
        username_var: impl Into<String>,
        password_var: impl Into<String>,
    ) -> Self {
        self.auth = Auth::Env {
            user_var: username_var.into(),
            pass_var: password_var.into(),
        };
        self
    }
    /// The sender address, e.g. `vaultkit <backup@example.com>` (required).
    pub fn with_from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }
    /// Adds a recipient (at least one is required).
    pub fn with_to(mut self, to: impl Into<String>) -> Self {
        self.to.push(to.into());
        self
    }
    /// Trusts the CA certificate(s) in this PEM file too, for a relay with a private CA.
    pub fn with_root_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.root_ca = Some(path.into());
        self
    }
    /// Timeout of each SMTP command, connecting included (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the notifier. A `Config` error names the setting at fault: a malformed address,
    /// no recipient, an unreadable CA file, a missing credential variable, or
    /// [`SmtpSecurity::None`] with a relay that is not on the loopback interface.
    pub fn build(self) -> Result<SmtpNotifier, VaultError> {
        self.build_with_env(|name| std::env::var(name).ok())
    }

    /// [`build`](Self::build), reading the variables named by
    /// [`with_credentials_from_env`](Self::with_credentials_from_env) through `get` instead of
    /// the process environment.
    pub fn build_with_env(
        self,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<SmtpNotifier, VaultError> {
        let port = self.port.unwrap_or(self.security.default_port());
        let relay = format!("{}:{port}", self.host);
        let config_error = |message: String| {
            VaultError::new(VaultErrorKind::Config)
                .with_operation(CONFIG_OP)
                .with_path(relay.clone())
                .with_message(message)
        };
        if self.host.is_empty() || self.host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(config_error(
                "the relay host name is empty or malformed".into(),
            ));
        }
        let from_text = self.from.as_deref().ok_or_else(|| {
            config_error("no sender address; set one with `with_from`".to_string())
        })?;
        let from = parse_mailbox(from_text).map_err(config_error)?;
        if self.to.is_empty() {
            return Err(config_error(
                "no recipient; add at least one with `with_to`".to_string(),
            ));
        }
        let to = self
            .to
            .iter()
            .map(|t| parse_mailbox(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(config_error)?;
        let credentials = match self.auth {
            Auth::None => None,
            Auth::Given(user, pass) => Some((user, pass)),
            Auth::Env { user_var, pass_var } => {
                let read = |var: &str| {
                    get(var).ok_or_else(|| {
                        config_error(format!(
                            "the environment variable `{var}` (SMTP credentials) is unset or not UTF-8"
                        ))
                    })
                };
                Some((read(&user_var)?, SecretString::from(read(&pass_var)?)))
            }
        };
        let tls = match self.security {
            SmtpSecurity::None => {
                if !is_loopback(&self.host) {
                    return Err(config_error(
                        "security `none` sends mail and passwords in clear text and is allowed \
                         only for a relay on the loopback interface; use STARTTLS or TLS"
                            .to_string(),
                    ));
                }
                Tls::None
            }
            security => {
                let mut params = TlsParameters::builder(self.host.clone());
                if let Some(path) = &self.root_ca {
                    let pem = std::fs::read(path).map_err(|e| {
                        config_error(format!("cannot read the root CA file {}", path.display()))
                            .with_source(e)
                    })?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        config_error(format!(
                            "the root CA file {} holds no usable PEM certificate",
                            path.display()
                        ))
                        .with_source(e)
                    })?;
                    params = params.add_root_certificate(cert);
                }
                let params = params.build_rustls().map_err(|e| {
                    config_error("cannot set up TLS for the relay".to_string()).with_source(e)
                })?;
                if security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(port)
            .tls(tls)
            .timeout(Some(self.timeout));
        let username = credentials.as_ref().map(|(user, _)| user.clone());
        if let Some((user, pass)) = credentials {
            transport = transport.credentials(Credentials::new(user, pass.expose().to_string()));
        }
        Ok(SmtpNotifier {
            transport: transport.build(),
            relay,
            security: self.security,
            username,
            from,
            to,
        })
    }
}

fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    text.parse::<Mailbox>()
        .map_err(|_| format!("`{}` is not a valid email address", text.escape_debug()))
}

/// `localhost`, or an IP address on the loopback interface.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl SmtpNotifier {
    /// A builder for a relay at `host` (name or IP address).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), vault_core::VaultError> {
    /// use vault_core::{Notifier, NotifyMessage, NotifySeverity, SmtpNotifier, SmtpSecurity};
    ///
    /// let notifier = SmtpNotifier::builder("smtp.example.com")
    ///     .with_security(SmtpSecurity::StartTls)
    ///     .with_credentials_from_env("SMTP_USER", "SMTP_PASSWORD")
    ///     .with_from("vaultkit <backup@example.com>")
    ///     .with_to("ops@example.com")
    ///     .build()?;
    /// notifier
    ///     .notify(&NotifyMessage::new(NotifySeverity::Error, "nightly backup failed", "S3 refused the upload"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder(host: impl Into<String>) -> SmtpNotifierBuilder {
        SmtpNotifierBuilder {
            host: host.into(),
            port: None,
            security: SmtpSecurity::StartTls,
            auth: Auth::None,
            from: None,
            to: Vec::new(),
            root_ca: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// The relay as `host:port`.
    pub fn relay(&self) -> &str {
        &self.relay
    }

    /// The email's subject line for `message`: `[SEVERITY] subject` on one line.
    pub fn subject_line(message: &NotifyMessage) -> String {
        let raw = format!(
            "[{}] {}",
            message.severity.as_str().to_uppercase(),
            message.subject
        );
        raw.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    }

    /// The email's plain-text body for `message`: the body, then the severity and one
    /// `name: value` line per field.
    pub fn body_text(message: &NotifyMessage) -> String {
        let mut text = String::new();
        if !message.body.is_empty() {
            text.push_str(&message.body);
            text.push_str("\n\n");
        }
        text.push_str(&format!("severity: {}\n", message.severity));
        for (name, value) in &message.fields {
            text.push_str(&format!("{name}: {value}\n"));
        }
        text.push_str("-- \nsent by vaultkit\n");
        text
    }

    fn email(&self, message: &NotifyMessage) -> Result<Message, VaultError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(Self::subject_line(message));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .header(ContentType::TEXT_PLAIN)
            .body(Self::body_text(message))
            .map_err(|e| {
                VaultError::new(VaultErrorKind::Validation)
                    .with_operation(OP)
                    .with_path(self.relay.clone())
                    .with_message("cannot build the email")
                    .with_source(e)
            })
    }
}

/// The relay's reply (or lettre's reason) on one line, control characters removed, at most
/// 300 characters: it comes from the network.
fn reason(e: &lettre::transport::smtp::Error) -> String {
    let text: String = e
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    text
}

#[async_trait]
impl Notifier for SmtpNotifier {
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError> {
        let email = self.email(message)?;
        let e = match self.transport.send(email).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let shown = reason(&e);
        // rustls verification failures surface as connection errors: recognise them by text.
        let tls_failed = e.is_tls() || shown.contains("certificate") || shown.contains("TLS");
        let (kind, why, hint) = if e.is_timeout() {
            (
                VaultErrorKind::Connection,
                "the SMTP relay did not answer in time",
                "check the relay's host and port, and that it is reachable from here",
            )
        } else if tls_failed {
            (
                VaultErrorKind::Connection,
                "the TLS handshake with the SMTP relay failed",
                "check the security mode and port, and add the relay's CA with a root CA file",
            )
        } else if e.is_permanent() {
            let auth = e.status().is_some_and(|c| c.to_string().starts_with("53"));
            if auth {
                (
                    VaultErrorKind::Permission,
                    "the SMTP relay refused the login or the message",
                    "check the SMTP username and password",
                )
            } else {
                (
                    VaultErrorKind::Validation,
                    "the SMTP relay refused the message",
                    "check the sender and recipient addresses and the relay's rules",
                )
            }
        } else if e.is_transient() {
            (
                VaultErrorKind::Server,
                "the SMTP relay refused the message for now",
                "try again later",
            )
        } else {
            (
                VaultErrorKind::Connection,
                "cannot deliver to the SMTP relay",
                "check the relay's host, port and security mode",
            )
        };
        Err(VaultError::new(kind)
            .with_operation(OP)
            .with_path(self.relay.clone())
            .with_message(format!("{why}: {shown}"))
            .with_hint(hint))
    }

    fn name(&self) -> &str {
        "smtp"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NotifySeverity;

    fn base() -> SmtpNotifierBuilder {
        SmtpNotifier::builder("smtp.example.com")
            .with_from("backup@example.com")
            .with_to("ops@example.com")
    }

    #[test]
    fn subject_cannot_carry_headers() {
        let m = NotifyMessage::new(
            NotifySeverity::Error,
            "failed\r\nBcc: evil@example.com\nX-Injected: 1",
            "",
        );
        let subject = SmtpNotifier::subject_line(&m);
        assert!(!subject.contains(['\r', '\n']), "{subject:?}");
        assert!(subject.starts_with("[ERROR] failed"), "{subject}");
    }

    #[test]
    fn cleartext_only_on_loopback() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"] {
            SmtpNotifier::builder(host)
                .with_security(SmtpSecurity::None)
                .with_from("a@example.com")
                .with_to("b@example.com")
                .build()
                .unwrap_or_else(|e| panic!("{host}: {e}"));
        }
        for host in ["smtp.example.com", "10.0.0.1", "localhost.example.com"] {
            let e = SmtpNotifier::builder(host)
                .with_security(SmtpSecurity::None)
                .with_from("a@example.com")
                .with_to("b@example.com")
                .build()
                .expect_err("refused");
            assert_eq!(e.kind(), VaultErrorKind::Config);
            assert!(e.to_string().contains("loopback"), "{e}");
        }
    }

    #[test]
    fn config_errors_name_the_setting() {
        let no_to = SmtpNotifier::builder("h")
            .with_from("a@example.com")
            .build();
        assert!(no_to.expect_err("no to").to_string().contains("recipient"));
        let bad = base().with_to("not an address\r\nBcc: x").build();
        assert!(bad.expect_err("bad").to_string().contains("valid email"));
        let env = base()
            .with_credentials_from_env("VAULTKIT_TEST_UNSET_SMTP_USER", "P")
            .build()
            .expect_err("unset");
        assert!(
            env.to_string().contains("VAULTKIT_TEST_UNSET_SMTP_USER"),
            "{env}"
        );
        let ca = base()
            .with_root_ca_file("/nonexistent/ca.pem")
            .build()
            .expect_err("ca");
        assert!(ca.to_string().contains("/nonexistent/ca.pem"), "{ca}");
    }

    #[test]
    fn debug_hides_the_password() {
        let builder = base().with_credentials("mailer", "planted-smtp-password");
        assert!(!format!("{builder:?}").contains("planted"));
        let n = builder.build().expect("builds");
        let debug = format!("{n:?}");
        assert!(
            debug.contains("mailer") && !debug.contains("planted"),
            "{debug}"
        );
        assert_eq!(n.relay(), "smtp.example.com:587");
    }

    #[test]
    fn body_lists_severity_and_fields() {
        let m = NotifyMessage::new(NotifySeverity::Warning, "s", "the body")
            .with_field("job", "nightly");
        assert_eq!(
            SmtpNotifier::body_text(&m),
            "the body\n\nseverity: warning\njob: nightly\n-- \nsent by vaultkit\n"
        );
    }
}
