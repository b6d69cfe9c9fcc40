//! [`VaultError`]: one error type for vault-core, built from [`VaultErrorKind`]s.
//!
//! Architecture Invariant: no error message ever contains a secret value or a token. Vault's own
//! `errors` strings are kept because Vault never echoes secret material in them.

use std::fmt;

/// What went wrong, in the categories users of the Python module know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VaultErrorKind {
    /// Could not reach the server (DNS, connect, TLS, timeout, reset, truncated body).
    Connection,
    /// Could not log in, or the client has no way to log in again.
    Authentication,
    /// The token is invalid, expired or revoked (a subtype of authentication).
    InvalidToken,
    /// Nothing at this path (404 with an empty `errors` list).
    SecretNotFound,
    /// No mount or route for this path (404 with `no handler for route`/`unsupported path`).
    RouteNotFound,
    /// The token is valid but the policy does not allow the operation (403).
    Permission,
    /// Vault is sealed (503).
    Sealed,
    /// Vault is not initialised.
    Uninitialized,
    /// A version problem: unknown, deleted or destroyed version; CAS mismatch.
    Version,
    /// A cache failure.
    Cache,
    /// The request was rejected as invalid (400), or local input is invalid.
    Validation,
    /// Rate limited (429).
    RateLimited,
    /// Any other server-side failure (5xx, unexpected status or body).
    Server,
    /// Local configuration problem (bad address, unreadable CA file, …).
    Config,
    /// Local I/O problem (files, blob stores).
    Io,
}

impl VaultErrorKind {
    /// A short lower-case name, as used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            VaultErrorKind::Connection => "connection error",
            VaultErrorKind::Authentication => "authentication failed",
            VaultErrorKind::InvalidToken => "invalid token",
            VaultErrorKind::SecretNotFound => "not found",
            VaultErrorKind::RouteNotFound => "no such mount or route",
            VaultErrorKind::Permission => "permission denied",
            VaultErrorKind::Sealed => "Vault is sealed",
            VaultErrorKind::Uninitialized => "Vault is not initialized",
            VaultErrorKind::Version => "version error",
            VaultErrorKind::Cache => "cache error",
            VaultErrorKind::Validation => "invalid request",
            VaultErrorKind::RateLimited => "rate limited",
            VaultErrorKind::Server => "server error",
            VaultErrorKind::Config => "configuration error",
            VaultErrorKind::Io => "I/O error",
        }
    }

    /// `InvalidToken` is a kind of authentication failure.
    pub fn is_authentication(self) -> bool {
        matches!(
            self,
            VaultErrorKind::Authentication | VaultErrorKind::InvalidToken
        )
    }
}

impl fmt::Display for VaultErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from talking to Vault, or from local work vault-core does.
///
/// `Display` reads as one sentence: what failed, on which path, Vault's reason, and a hint.
/// (The details are boxed so `Result<T, VaultError>` stays one pointer wide.)
#[derive(Debug)]
#[non_exhaustive]
pub struct VaultError {
    inner: Box<Details>,
}

#[derive(Debug)]
struct Details {
    kind: VaultErrorKind,
    operation: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    errors: Vec<String>,
    message: Option<String>,
    hint: Option<String>,
    retry_after: Option<std::time::Duration>,
    /// Overrides the kind/status-based retry decision (e.g. TLS failures are connection errors
    /// that no retry can fix).
    retryable: Option<bool>,
    /// How many times the request was sent (0: not recorded, i.e. once).
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl VaultError {
    /// A new error of `kind` with no details yet.
    pub fn new(kind: VaultErrorKind) -> Self {
        VaultError {
            inner: Box::new(Details {
                kind,
                operation: None,
                path: None,
                status: None,
                errors: Vec::new(),
                message: None,
                hint: None,
                retry_after: None,
                retryable: None,
                attempts: 0,
                source: None,
            }),
        }
    }

    /// Shorthand for a `kind` error with a message.
    pub fn msg(kind: VaultErrorKind, message: impl Into<String>) -> Self {
        VaultError::new(kind).with_message(message)
    }

    /// Sets what was being done (`read`, `login`, …).
    pub fn with_operation(mut self, operation: impl Into<String>) -> Self {
        self.inner.operation = Some(operation.into());
        self
    }
    /// Sets the API path concerned.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.inner.path = Some(path.into());
        self
    }
    /// Sets the HTTP status Vault answered with.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    /// Sets Vault's own `errors` strings.
    pub fn with_errors(mut self, errors: Vec<String>) -> Self {
        self.inner.errors = errors;
        self
    }
    /// Sets the human-readable message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }
    /// Adds what the user can try next.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }
    /// Sets the wait the server asked for before a retry.
    pub fn with_retry_after(mut self, d: std::time::Duration) -> Self {
        self.inner.retry_after = Some(d);
        self
    }
    /// Force the retry decision for this error, whatever its kind and status.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = Some(retryable);
        self
    }
    /// Record that the request was sent `attempts` times before this error (see
    /// [`VaultError::attempts`]).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }
    /// Keeps the underlying error as [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }
    /// Change the kind (used by feature crates that know more, e.g. KV's version errors).
    pub fn with_kind(mut self, kind: VaultErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// What went wrong, to branch on.
    pub fn kind(&self) -> VaultErrorKind {
        self.inner.kind
    }
    /// What was being done, if recorded.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }
    /// The API path concerned, if recorded.
    pub fn path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }
    /// The HTTP status, when Vault answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// Vault's own `errors` strings, as returned.
    pub fn vault_errors(&self) -> &[String] {
        &self.inner.errors
    }
    /// The human-readable message, if any.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
    /// What the user can try next, if known.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }
    /// Server-requested wait before retrying (from `Retry-After`).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.inner.retry_after
    }

    /// How many times the request was sent before this error, when the client's replay loop
    /// sent it more than once (otherwise 1). A write whose error comes after a replay may have
    /// been applied by an earlier attempt whose answer was lost.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts.max(1)
    }

    /// Whether sending the same request again may succeed: connection errors, rate limits, and
    /// the retryable statuses (`412`, `429` and `5xx` except `501`) (the one decision the client's
    /// replay loop uses too).
    pub fn is_retryable(&self) -> bool {
        if let Some(forced) = self.inner.retryable {
            return forced;
        }
        matches!(
            self.inner.kind,
            VaultErrorKind::Connection | VaultErrorKind::RateLimited
        ) || self
            .inner
            .status
            .is_some_and(crate::retry::is_retryable_status)
    }

    /// True for "nothing at this path" (and not for a missing mount or route).
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == VaultErrorKind::SecretNotFound
    }
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner.operation, &self.inner.path) {
            (Some(op), Some(path)) => write!(f, "{op} `{path}`: {}", self.inner.kind)?,
            (Some(op), None) => write!(f, "{op}: {}", self.inner.kind)?,
            (None, Some(path)) => write!(f, "`{path}`: {}", self.inner.kind)?,
            (None, None) => write!(f, "{}", self.inner.kind)?,
        }
        if let Some(status) = self.inner.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(m) = &self.inner.message {
            write!(f, ": {m}")?;
        }
        let reasons: Vec<String> = self
            .inner
            .errors
            .iter()
            .map(|e| clean_vault_error(e))
            .filter(|e| !e.is_empty() && self.inner.message.as_deref() != Some(e.as_str()))
            .collect();
        if !reasons.is_empty() {
            write!(f, ": {}", reasons.join("; "))?;
        }
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        if let Some(h) = &self.inner.hint {
            write!(f, " — {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VaultError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Turn Go multierror text (`"1 error occurred:\n\t* permission denied\n\n"`) into one line.
pub fn clean_vault_error(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_multierror_header(l))
        .map(|l| l.trim_start_matches("* ").trim())
        .collect();
    lines.join("; ")
}

/// The `N errors occurred:` line go-multierror puts first.
fn is_multierror_header(line: &str) -> bool {
    line.ends_with("occurred:") && line.contains("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multierror_is_flattened() {
        assert_eq!(
            clean_vault_error("2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"),
            "permission denied; invalid token"
        );
        assert_eq!(
            clean_vault_error("no handler for route"),
            "no handler for route"
        );
    }

    #[test]
    fn display_is_one_sentence() {
        let e = VaultError::new(VaultErrorKind::Permission)
            .with_operation("read")
            .with_path("secret/data/app")
            .with_status(403)
            .with_errors(vec!["1 error occurred:\n\t* permission denied\n\n".into()])
            .with_hint("check the token's policies");
        let s = e.to_string();
        assert_eq!(
            s,
            "read `secret/data/app`: permission denied (HTTP 403): permission denied — check the token's policies"
        );
    }

    #[test]
    fn retryability() {
        let st = |s| VaultError::new(VaultErrorKind::Server).with_status(s);
        assert!(st(500).is_retryable());
        assert!(st(502).is_retryable());
        assert!(st(503).is_retryable());
        assert!(!st(501).is_retryable());
        assert!(st(412).is_retryable());
        assert!(
            !VaultError::new(VaultErrorKind::Permission)
                .with_status(403)
                .is_retryable()
        );
        assert!(VaultError::new(VaultErrorKind::Connection).is_retryable());
        assert!(
            VaultError::new(VaultErrorKind::RateLimited)
                .with_status(429)
                .is_retryable()
        );
    }
}
