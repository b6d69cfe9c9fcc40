//! [`AuditError`]: the one error type of vault-audit.
//!
//! Architecture Invariant: no error carries a plaintext looked up with
//! [`find_value`](crate::find_value); only the device name and the server's error.

use std::io;
use std::path::{Path, PathBuf};

use vault_core::{Classify, ErrorClass};

/// What went wrong, for callers that branch on the kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditErrorKind {
    /// A file or directory could not be opened or read.
    Io,
    /// A directory holds no audit log file.
    NoLogs,
    /// A reader source was already read once.
    Consumed,
    /// A filter argument or the detection configuration is invalid.
    Invalid,
    /// Writing output failed.
    Output,
    /// A call to the server failed; see [`AuditError::Vault`].
    Vault,
    /// The server's answer had an unexpected shape.
    Protocol,
}

/// Something vault-audit could not do. Malformed log lines are *not* errors: they are counted
/// and reported in [`Malformed`](crate::Malformed), and the run goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// A file or directory could not be opened or read.
    #[error("could not {action} `{path}`: {source}; check that the path exists and is readable")]
    Io {
        /// What was being done (`open`, `read`, `list`…).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A directory holds no file that looks like an audit log.
    #[error(
        "no audit log files in `{dir}` (looked for names containing `.log`, or ending in `.json`/`.jsonl`, optionally `.gz`)"
    )]
    NoLogs {
        /// The directory that was searched.
        dir: PathBuf,
    },
    /// A reader source was already read once.
    #[error("the input `{name}` was already read; a reader source can be scanned only once")]
    Consumed {
        /// Name of the input (`-` for stdin).
        name: String,
    },
    /// A filter argument is invalid (bad glob, regex, CIDR, interval, …).
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidArgument {
        /// Which argument (`path glob`, `CIDR`, `interval`…).
        what: &'static str,
        /// The value as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The detection configuration could not be read.
    #[error("invalid detection config: {0}")]
    Config(String),
    /// Writing output failed.
    #[error("could not write output: {0}")]
    Output(#[source] io::Error),
    /// A call to the server failed (HMAC lookup).
    #[error(transparent)]
    Vault(#[from] vault_core::VaultError),
    /// The server's answer had an unexpected shape.
    #[error("unexpected answer from `{path}`: {reason}")]
    Protocol {
        /// The API path called (e.g. `sys/audit-hash/file`).
        path: String,
        /// What was wrong with the answer.
        reason: String,
    },
}

impl AuditError {
    /// The kind of failure.
    pub fn kind(&self) -> AuditErrorKind {
        match self {
            AuditError::Io { .. } => AuditErrorKind::Io,
            AuditError::NoLogs { .. } => AuditErrorKind::NoLogs,
            AuditError::Consumed { .. } => AuditErrorKind::Consumed,
            AuditError::InvalidArgument { .. } | AuditError::Config(_) => AuditErrorKind::Invalid,
            AuditError::Output(_) => AuditErrorKind::Output,
            AuditError::Vault(_) => AuditErrorKind::Vault,
            AuditError::Protocol { .. } => AuditErrorKind::Protocol,
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        AuditError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn invalid(
        what: &'static str,
        value: impl Into<String>,
        reason: impl ToString,
    ) -> Self {
        AuditError::InvalidArgument {
            what,
            value: value.into(),
            reason: reason.to_string(),
        }
    }
}

/// Invalid arguments and configurations are the module's `VaultValidationError`; a failed server
/// call answers with vault-core's class; local I/O and the rest are the base `VaultError`.
impl Classify for AuditError {
    fn class(&self) -> ErrorClass {
        match self {
            AuditError::InvalidArgument { .. } | AuditError::Config(_) => ErrorClass::Validation,
            AuditError::Vault(e) => e.class(),
            _ => ErrorClass::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_module_classes() {
        let bad = AuditError::invalid("glob", "a/[b", "unclosed");
        assert_eq!(
            (bad.kind(), bad.class()),
            (AuditErrorKind::Invalid, ErrorClass::Validation)
        );
        let denied = AuditError::from(vault_core::VaultError::new(
            vault_core::VaultErrorKind::Permission,
        ));
        assert_eq!(
            (denied.kind(), denied.class()),
            (AuditErrorKind::Vault, ErrorClass::Permission)
        );
        let io = AuditError::io("open", Path::new("/x"), io::Error::other("disk"));
        assert_eq!(
            (io.kind(), io.class()),
            (AuditErrorKind::Io, ErrorClass::Other)
        );
    }
}
