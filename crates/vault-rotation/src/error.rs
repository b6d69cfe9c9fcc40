//! [`RotationError`]: the one error type of vault-rotation, built from [`RotationErrorKind`]s.
//!
//! Architecture Invariant: no error message contains a secret value (old, pending or new).
//! Messages name the policy, the path, the step and the target system; rotators that quote a
//! target's own error text must strip the credential from it first.

use std::fmt;

use vault_core::{Classify, ErrorClass};

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RotationErrorKind {
    /// A policy or rotator setting is invalid (bad interval, window, cron expression, TOML).
    Config,
    /// Talking to Vault failed.
    Vault,
    /// Another scheduler holds the rotation or won the check-and-set race.
    Conflict,
    /// The rotator's step against the target system failed (generate, set, test, rollback, revoke).
    Rotator,
    /// Local I/O failed (policy file, external command).
    Io,
}

impl RotationErrorKind {
    /// A short lower-case name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationErrorKind::Config => "invalid rotation configuration",
            RotationErrorKind::Vault => "Vault error",
            RotationErrorKind::Conflict => "rotation conflict",
            RotationErrorKind::Rotator => "rotator error",
            RotationErrorKind::Io => "I/O error",
        }
    }
}

/// An error from planning, running or recording a rotation.
#[derive(Debug, thiserror::Error)]
pub struct RotationError {
    kind: RotationErrorKind,
    message: String,
    hint: Option<String>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl RotationError {
    /// A new error of `kind` with a message (which must not contain secret values).
    pub fn new(kind: RotationErrorKind, message: impl Into<String>) -> Self {
        RotationError {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Self {
        RotationError::new(RotationErrorKind::Config, message)
    }

    /// A rotator step failed.
    pub fn rotator(message: impl Into<String>) -> Self {
        RotationError::new(RotationErrorKind::Rotator, message)
    }

    /// Adds what the user can try next (shown after the message).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Keeps the underlying error as [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// What went wrong, to branch on.
    pub fn kind(&self) -> RotationErrorKind {
        self.kind
    }

    /// The message alone, without the hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// Configuration problems are the module's `VaultValidationError`; a failed Vault call answers
/// with the class of the KV or vault-core error it wraps; the rest is the base `VaultError`.
impl Classify for RotationError {
    fn class(&self) -> ErrorClass {
        match self.kind {
            RotationErrorKind::Config => ErrorClass::Validation,
            RotationErrorKind::Vault => vault_kv::class_of_source(self.source.as_deref()),
            _ => ErrorClass::Other,
        }
    }
}

impl From<vault_core::VaultError> for RotationError {
    fn from(e: vault_core::VaultError) -> Self {
        RotationError::new(RotationErrorKind::Vault, e.to_string()).with_source(e)
    }
}

impl From<vault_kv::KvError> for RotationError {
    fn from(e: vault_kv::KvError) -> Self {
        RotationError::new(RotationErrorKind::Vault, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_message_and_hint() {
        let e = RotationError::config("policy `db`: interval must be positive")
            .with_hint("use e.g. `90d` or `12h`");
        assert_eq!(
            e.to_string(),
            "invalid rotation configuration: policy `db`: interval must be positive (hint: use e.g. `90d` or `12h`)"
        );
        assert_eq!(e.class(), ErrorClass::Validation);
    }

    #[test]
    fn vault_failures_keep_their_module_class() {
        use vault_core::{VaultError, VaultErrorKind};
        let sealed = RotationError::from(VaultError::new(VaultErrorKind::Sealed));
        assert_eq!(sealed.kind(), RotationErrorKind::Vault);
        assert_eq!(sealed.class(), ErrorClass::Sealed);
    }
}
