//! [`AuditError`]: the one error type of vault-audit.
//!
//! Architecture Invariant: no error carries a plaintext looked up with
//! [`find_value`](crate::find_value); only the device name and the server's error.

use std::io;
use std::path::{Path, PathBuf};

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
