//! [`WebhookNotifier`]: POST a notification as JSON to a URL (generic JSON or Slack-compatible).
//!
//! Webhook URLs usually carry their credential in the path or query
//! (`https://hooks.slack.com/services/T…/B…/<token>`), so the URL is treated as a secret: `Debug`
//! and every error show only `scheme://host[:port]/<redacted>`, and reqwest errors are stripped of
//! their URL before they are wrapped.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{Notifier, NotifyMessage};
use crate::{SecretString, VaultError, VaultErrorKind};

const OP: &str = "send webhook notification";

/// Payload shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WebhookFormat {
    /// `{"subject","body","severity","fields","source":"vaultkit"}`.
    #[default]
    Json,
    /// `{"text": "…"}` with Slack mrkdwn (also understood by Mattermost, Rocket.Chat, Teams
    /// incoming-webhook connectors that take `text`).
    SlackText,
}

/// Posts each message to one URL.
#[derive(Clone)]
pub struct WebhookNotifier {
    url: url::Url,
    redacted: String,
    format: WebhookFormat,
    headers: Vec<(String, SecretString)>,
    client: reqwest::Client,
}

impl fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("WebhookNotifier")
            .field("url", &self.redacted)
            .field("format", &self.format)
            .field("headers", &header_names)
            .finish_non_exhaustive()
    }
}

/// Builder for [`WebhookNotifier`].
pub struct WebhookNotifierBuilder {
    url: SecretString,
    format: WebhookFormat,
    timeout: Duration,
    headers: Vec<(String, SecretString)>,
}

impl fmt::Debug for WebhookNotifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookNotifierBuilder")
            .field("url", &redact_str(self.url.expose()))
            .field("format", &self.format)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WebhookNotifierBuilder {
    /// Payload shape (default [`WebhookFormat::Json`]).
    pub fn with_format(mut self, format: WebhookFormat) -> Self {
        self.format = format;
        self
    }
    /// Whole-request timeout (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// An extra request header, e.g. `Authorization`; its value is never printed.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Builds the notifier; fails with a `Config` error on an invalid URL or header.
    pub fn build(self) -> Result<WebhookNotifier, VaultError> {
        let redacted = redact_str(self.url.expose());
        let config_error = |message: &str| {
            VaultError::new(VaultErrorKind::Config)
                .with_operation("configure webhook notifier")
                .with_path(redacted.clone())
                .with_message(message.to_string())
        };
        // `url::ParseError` never contains the input, so it is safe to wrap.
        let url = url::Url::parse(self.url.expose())
            .map_err(|e| config_error("the webhook URL is not a valid URL").with_source(e))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config_error(
                "the webhook URL must be an http:// or https:// URL with a host",
            ));
        }
        for (name, value) in &self.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(value.expose()).is_err()
            {
                return Err(config_error(&format!(
                    "header `{}` has an invalid name or value",
                    name.escape_debug()
                )));
            }
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            // A redirect would resend the payload somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                config_error("cannot build the HTTP client").with_source(e.without_url())
            })?;
        Ok(WebhookNotifier {
            url,
            redacted,
            format: self.format,
            headers: self.headers,
            client,
        })
    }
}

impl WebhookNotifier {
    /// A JSON-posting notifier with default settings.
    pub fn new(url: impl Into<SecretString>) -> Result<Self, VaultError> {
        WebhookNotifier::builder(url).build()
    }

    /// A builder posting to `url` (a secret: webhook URLs often embed a token).
    pub fn builder(url: impl Into<SecretString>) -> WebhookNotifierBuilder {
        WebhookNotifierBuilder {
            url: url.into(),
            format: WebhookFormat::Json,
            timeout: Duration::from_secs(10),
            headers: Vec::new(),
        }
    }

    /// The URL as it may be shown: `scheme://host[:port]/<redacted>`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The JSON document posted for `message`.
    pub fn payload(&self, message: &NotifyMessage) -> Value {
        match self.format {
            WebhookFormat::Json => json!({
                "subject": message.subject,
                "body": message.body,
                "severity": message.severity,
                "fields": message.fields,
                "source": "vaultkit",
            }),
            WebhookFormat::SlackText => json!({ "text": slack_text(message) }),
        }
    }
}

/// `*[ERROR] subject*`, the body, then one `• *name*: value` line per field.
fn slack_text(message: &NotifyMessage) -> String {
    let mut text = format!(
        "*[{}] {}*",
        message.severity.as_str().to_uppercase(),
        message.subject
    );
    if !message.body.is_empty() {
        text.push('\n');
        text.push_str(&message.body);
    }
    for (name, value) in &message.fields {
        text.push_str(&format!("\n• *{name}*: {value}"));
    }
    text
}

/// `scheme://host[:port]/<redacted>` (or `…/` when there is no path or query to hide).
pub(crate) fn redact_str(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(url) => {
            let host = url.host_str().unwrap_or("");
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            let hidden = url.path() != "/" || url.query().is_some() || url.fragment().is_some();
            let tail = if hidden { "/<redacted>" } else { "/" };
            format!("{}://{host}{port}{tail}", url.scheme())
        }
        Err(_) => "<unparsable webhook URL>".to_string(),
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError> {
        let mut request = self
            .client
            .post(self.url.clone())
            .json(&self.payload(message));
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.expose());
        }
        let response = request.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                "the webhook did not answer in time"
            } else {
                "cannot reach the webhook"
            };
            VaultError::new(VaultErrorKind::Connection)
                .with_operation(OP)
                .with_path(self.redacted.clone())
                .with_message(why)
                .with_source(e.without_url())
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let kind = match status.as_u16() {
            429 => VaultErrorKind::RateLimited,
            401 | 403 => VaultErrorKind::Permission,
            404 => VaultErrorKind::RouteNotFound,
            s if s >= 500 => VaultErrorKind::Server,
            _ => VaultErrorKind::Validation,
        };
        let mut error = VaultError::new(kind)
            .with_operation(OP)
            .with_path(self.redacted.clone())
            .with_status(status.as_u16())
            // The body is left out on purpose: error pages often echo the (secret) request path.
            .with_message(
                format!(
                    "the webhook answered HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            )
            .with_hint("check the webhook URL and that the receiver accepts this payload format");
        if let Some(secs) = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            error = error.with_retry_after(Duration::from_secs(secs));
        }
        Err(error)
    }

    fn name(&self) -> &str {
        "webhook"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::NotifySeverity;

    const SECRET_URL: &str =
        "https://hooks.example.com:8443/services/T0/B0/planted-hook-token?sig=planted-sig";

    #[test]
    fn debug_and_redaction_hide_path_and_query() {
        let n = WebhookNotifier::builder(SECRET_URL)
            .with_header("Authorization", "Bearer planted-header-token")
            .build()
            .expect("valid URL");
        let debug = format!("{n:?}");
        assert!(
            debug.contains("https://hooks.example.com:8443/<redacted>"),
            "{debug}"
        );
        for secret in [
            "planted-hook-token",
            "planted-sig",
            "services",
            "planted-header-token",
        ] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
        assert_eq!(redact_str("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
        assert_eq!(redact_str("http://u:pw@host/x"), "http://host/<redacted>");
        let builder_debug = format!("{:?}", WebhookNotifier::builder(SECRET_URL));
        assert!(!builder_debug.contains("planted"), "{builder_debug}");
    }

    #[test]
    fn bad_urls_are_config_errors_without_the_url() {
        for bad in [
            "not a url planted-x",
            "ftp://host/planted-x",
            "mailto:planted-x@example.com",
        ] {
            let e = WebhookNotifier::new(bad).expect_err("rejected");
            assert_eq!(e.kind(), VaultErrorKind::Config);
            assert!(!e.to_string().contains("planted-x"), "{e}");
        }
    }

    #[test]
    fn payload_shapes() {
        let m = NotifyMessage::new(NotifySeverity::Error, "backup failed", "S3 said no")
            .with_field("job", "nightly");
        let json = WebhookNotifier::new("http://h/").expect("url").payload(&m);
        assert_eq!(
            json,
            json!({"subject":"backup failed","body":"S3 said no","severity":"error","fields":{"job":"nightly"},"source":"vaultkit"})
        );
        let slack = WebhookNotifier::builder("http://h/")
            .with_format(WebhookFormat::SlackText)
            .build()
            .expect("url");
        assert_eq!(
            slack.payload(&m),
            json!({"text":"*[ERROR] backup failed*\nS3 said no\n• *job*: nightly"})
        );
    }
}
