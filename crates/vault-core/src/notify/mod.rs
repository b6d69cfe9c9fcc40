//! [`Notifier`]: tell a person that a job failed or succeeded.
//!
//! Contents:
//! - [`NotifyMessage`] and [`NotifySeverity`]: what is said.
//! - [`Notifier`]: the trait every channel implements.
//! - [`WebhookNotifier`] (feature `notify-webhook`, on by default): JSON or Slack-style POST.
//! - [`SmtpNotifier`] (feature `notify-smtp`): a plain-text email through an SMTP relay
//!   (STARTTLS or implicit TLS, optional AUTH).
//!
//! Other channels (chat APIs) implement [`Notifier`] in their own crates and run
//! `vault_core::testing::notifier_suite` from their tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), vault_core::VaultError> {
//! use vault_core::{Notifier, NotifyMessage, NotifySeverity, WebhookFormat, WebhookNotifier};
//!
//! let notifier = WebhookNotifier::builder("https://hooks.slack.com/services/T000/B000/XXXX")
//!     .with_format(WebhookFormat::SlackText)
//!     .build()?;
//! let message = NotifyMessage::new(NotifySeverity::Error, "nightly backup failed", "S3 refused the upload")
//!     .with_field("job", "nightly");
//! notifier.notify(&message).await?;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::VaultError;

#[cfg(feature = "notify-webhook")]
mod webhook;
#[cfg(feature = "notify-webhook")]
pub use webhook::{WebhookFormat, WebhookNotifier, WebhookNotifierBuilder};
#[cfg(feature = "notify-smtp")]
mod smtp;
#[cfg(feature = "notify-smtp")]
pub use smtp::{SmtpNotifier, SmtpNotifierBuilder, SmtpSecurity};

/// How bad the news is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum NotifySeverity {
    /// For the record; nothing to do.
    Info,
    /// Something degraded; look at it soon.
    Warning,
    /// Something failed.
    Error,
    /// Something failed and data or access is at risk; act now.
    Critical,
}

impl NotifySeverity {
    /// Lowercase name (`info`, `warning`, `error`, `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotifySeverity::Info => "info",
            NotifySeverity::Warning => "warning",
            NotifySeverity::Error => "error",
            NotifySeverity::Critical => "critical",
        }
    }
}

impl fmt::Display for NotifySeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One notification: a subject line, a body, a severity and named details.
///
/// Architecture Invariant: callers put no secret values in a message; it leaves the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotifyMessage {
    /// One line (e-mail subject, chat title).
    pub subject: String,
    /// The text of the message.
    pub body: String,
    /// How bad the news is.
    pub severity: NotifySeverity,
    /// Named details (job name, snapshot key, duration, …), sorted by name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

impl NotifyMessage {
    /// A message with no fields.
    pub fn new(
        severity: NotifySeverity,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        NotifyMessage {
            subject: subject.into(),
            body: body.into(),
            severity,
            fields: BTreeMap::new(),
        }
    }

    /// Adds a named detail (replaces one of the same name).
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }
}

/// Delivers a [`NotifyMessage`] to people.
///
/// # Contract
/// - `notify` returns once the channel accepted the message (a 2xx answer, a queued email); a
///   refusal is an `Err` naming the channel and the reason (an HTTP status, an SMTP reply).
/// - Errors and `Debug` output never show credentials, including tokens embedded in URLs.
/// - Implementations are `Send + Sync` and used as `Arc<dyn Notifier>`.
///
/// Every implementation runs `vault_core::testing::notifier_suite` (feature `testing`) from its
/// tests against a real receiving channel, as `WebhookNotifier` does against a local HTTP server.
#[async_trait]
pub trait Notifier: Send + Sync + fmt::Debug {
    /// Delivers `message`; see the contract above.
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError>;
    /// Short channel name for logs, e.g. `webhook`, `smtp`.
    fn name(&self) -> &str;
}

#[async_trait]
impl<T: Notifier + ?Sized> Notifier for std::sync::Arc<T> {
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError> {
        (**self).notify(message).await
    }
    fn name(&self) -> &str {
        (**self).name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_serializes_with_lowercase_severity() {
        let m = NotifyMessage::new(
            NotifySeverity::Critical,
            "backup failed",
            "S3 refused the upload",
        )
        .with_field("job", "nightly");
        let v = serde_json::to_value(&m).expect("serializes");
        assert_eq!(v["severity"], "critical");
        assert_eq!(v["fields"]["job"], "nightly");
        assert!(NotifySeverity::Info < NotifySeverity::Critical);
    }
}
