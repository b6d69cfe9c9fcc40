//! [`BackupError`]: the one error type of vault-backup, built from [`BackupErrorKind`]s.
//!
//! Architecture Invariant: no error message contains a secret value, a passphrase or key
//! material. Messages name the snapshot id, the store key or file, and what to try.

use std::fmt;

use vault_core::{Classify, ErrorClass};

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BackupErrorKind {
    /// A setting is invalid (schedule, retention policy, recipients, store URL).
    Config,
    /// Talking to Vault failed.
    Vault,
    /// The object store failed.
    Store,
    /// The snapshot is damaged: empty, truncated, a bad archive, a checksum mismatch.
    Integrity,
    /// Encryption or decryption failed (no usable key, wrong passphrase, tampered ciphertext).
    Crypto,
    /// The operation is refused as it stands (restore of an unverified snapshot, another
    /// cluster's snapshot without `force`, a slot another scheduler took).
    Refused,
    /// No snapshot with that id.
    NotFound,
    /// Local I/O failed.
    Io,
}

impl BackupErrorKind {
    /// A short lower-case name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupErrorKind::Config => "invalid backup configuration",
            BackupErrorKind::Vault => "Vault error",
            BackupErrorKind::Store => "object store error",
            BackupErrorKind::Integrity => "snapshot integrity error",
            BackupErrorKind::Crypto => "encryption error",
            BackupErrorKind::Refused => "refused",
            BackupErrorKind::NotFound => "snapshot not found",
            BackupErrorKind::Io => "I/O error",
        }
    }
}

/// An error from creating, storing, verifying, restoring or pruning a backup.
#[derive(Debug, thiserror::Error)]
pub struct BackupError {
    kind: BackupErrorKind,
    message: String,
    hint: Option<String>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl BackupError {
    /// A new error of `kind` with a message (which must not contain secret values).
    pub fn new(kind: BackupErrorKind, message: impl Into<String>) -> Self {
        BackupError {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Self {
        BackupError::new(BackupErrorKind::Config, message)
    }

    /// The snapshot is damaged.
    pub fn integrity(message: impl Into<String>) -> Self {
        BackupError::new(BackupErrorKind::Integrity, message)
    }

    /// An object store call failed (`operation` names what was being done).
    pub(crate) fn store(operation: &str, e: vault_core::VaultError) -> Self {
        let kind = if e.is_not_found() {
            BackupErrorKind::NotFound
        } else {
            BackupErrorKind::Store
        };
        BackupError::new(kind, format!("{operation}: {e}")).with_source(e)
    }

    /// Local I/O failed while `operation`.
    pub(crate) fn io(operation: &str, e: std::io::Error) -> Self {
        BackupError::new(BackupErrorKind::Io, format!("{operation}: {e}")).with_source(e)
    }

    /// The error an `std::io::Error` carries when a stage put a `BackupError` there; otherwise an `Io` error naming `operation`.
    pub(crate) fn from_io(operation: &str, e: std::io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<BackupError>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(backup) = inner.downcast::<BackupError>() {
                    return *backup;
                }
                return BackupError::new(BackupErrorKind::Io, operation.to_string());
            }
            return BackupError::new(BackupErrorKind::Io, operation.to_string());
        }
        BackupError::io(operation, e)
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
    pub fn kind(&self) -> BackupErrorKind {
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

impl fmt::Display for BackupError {
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
impl Classify for BackupError {
    fn class(&self) -> ErrorClass {
        match self.kind {
            BackupErrorKind::Config | BackupErrorKind::Refused | BackupErrorKind::Integrity => {
                ErrorClass::Validation
            }
            BackupErrorKind::NotFound => ErrorClass::SecretNotFound,
            BackupErrorKind::Vault => vault_kv::class_of_source(self.source.as_deref()),
            _ => ErrorClass::Other,
        }
    }
}

impl From<vault_core::VaultError> for BackupError {
    fn from(e: vault_core::VaultError) -> Self {
        BackupError::new(BackupErrorKind::Vault, e.to_string()).with_source(e)
    }
}

impl From<vault_kv::KvError> for BackupError {
    fn from(e: vault_kv::KvError) -> Self {
        BackupError::new(BackupErrorKind::Vault, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_message_and_hint() {
        let e = BackupError::config("retention: keep_daily must be a number")
            .with_hint("e.g. keep_daily = 7");
        assert_eq!(
            e.to_string(),
            "invalid backup configuration: retention: keep_daily must be a number (hint: e.g. keep_daily = 7)"
        );
        assert_eq!(e.class(), ErrorClass::Validation);
    }

    #[test]
    fn vault_failures_keep_their_module_class() {
        use vault_core::{VaultError, VaultErrorKind};
        let sealed = BackupError::from(VaultError::new(VaultErrorKind::Sealed));
        assert_eq!(sealed.kind(), BackupErrorKind::Vault);
        assert_eq!(sealed.class(), ErrorClass::Sealed);
    }
}
