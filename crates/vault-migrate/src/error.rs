//! [`MigrateError`]: the one error type of vault-migrate, built from [`MigrateErrorKind`]s.
//!
//! Architecture Invariant: no error message contains a secret value. Parse errors name the file,
//! the line and what was expected; they quote at most the key, never the value.

use std::fmt;
use std::path::{Path, PathBuf};

use vault_core::{Classify, ErrorClass};

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MigrateErrorKind {
    /// Reading or writing a file failed.
    Io,
    /// A file could not be parsed (unterminated quote, bad escape, malformed line).
    Parse,
    /// A user-supplied regex pattern does not compile.
    Pattern,
    /// A baseline, ignore or mapping file is malformed.
    Config,
    /// Talking to Vault failed.
    Vault,
    /// A value in Vault differs from the source and `force` was not given, or a source value
    /// no longer matches the plan it was planned with.
    Conflict,
}

impl MigrateErrorKind {
    /// A short lower-case name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            MigrateErrorKind::Io => "I/O error",
            MigrateErrorKind::Parse => "parse error",
            MigrateErrorKind::Pattern => "invalid pattern",
            MigrateErrorKind::Config => "invalid configuration",
            MigrateErrorKind::Vault => "Vault error",
            MigrateErrorKind::Conflict => "conflict",
        }
    }
}

/// An error from scanning, planning or applying a migration.
#[derive(Debug, thiserror::Error)]
pub struct MigrateError {
    kind: MigrateErrorKind,
    path: Option<PathBuf>,
    line: Option<usize>,
    message: String,
    hint: Option<String>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl MigrateError {
    /// A new error of `kind` with a message (which must not contain secret values).
    pub fn new(kind: MigrateErrorKind, message: impl Into<String>) -> Self {
        MigrateError {
            kind,
            path: None,
            line: None,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, err: std::io::Error) -> Self {
        MigrateError::new(MigrateErrorKind::Io, err.to_string())
            .with_path(path)
            .with_source(err)
    }

    /// A parse error at `line` (1-based).
    pub fn parse(line: usize, message: impl Into<String>) -> Self {
        MigrateError::new(MigrateErrorKind::Parse, message).with_line(line)
    }

    /// Sets the file the error is about.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the 1-based line the error is about.
    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
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
    pub fn kind(&self) -> MigrateErrorKind {
        self.kind
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The message alone, without path, line or hint.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.as_str())?;
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, " in {}:{l}", p.display())?,
            (Some(p), None) => write!(f, " in {}", p.display())?,
            (None, Some(l)) => write!(f, " at line {l}")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// Parse, pattern and configuration problems are the module's `VaultValidationError`, as is a
/// conflicting value; a failed Vault call answers with the class of the KV or vault-core error it
/// wraps; local I/O is the base `VaultError`.
impl Classify for MigrateError {
    fn class(&self) -> ErrorClass {
        match self.kind {
            MigrateErrorKind::Parse
            | MigrateErrorKind::Pattern
            | MigrateErrorKind::Config
            | MigrateErrorKind::Conflict => ErrorClass::Validation,
            MigrateErrorKind::Vault => vault_kv::class_of_source(self.source.as_deref()),
            _ => ErrorClass::Other,
        }
    }
}

impl From<vault_core::VaultError> for MigrateError {
    fn from(e: vault_core::VaultError) -> Self {
        MigrateError::new(MigrateErrorKind::Vault, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_path_line_and_hint() {
        let e = MigrateError::parse(7, "unterminated double quote for key `DB_PASSWORD`")
            .with_path("app/.env")
            .with_hint("close the quote or escape it with \\\"");
        assert_eq!(
            e.to_string(),
            "parse error in app/.env:7: unterminated double quote for key `DB_PASSWORD` (hint: close the quote or escape it with \\\")"
        );
        assert_eq!(e.kind(), MigrateErrorKind::Parse);
        assert_eq!(e.class(), ErrorClass::Validation);
    }

    #[test]
    fn vault_failures_keep_their_module_class() {
        use vault_core::{VaultError, VaultErrorKind};
        let sealed = MigrateError::from(VaultError::new(VaultErrorKind::Sealed));
        assert_eq!(sealed.class(), ErrorClass::Sealed);
        let destroyed = crate::vault::kv_error(vault_kv::KvError::VersionDestroyed {
            path: "secret/app".into(),
            version: 3,
            existing: vec![],
        });
        assert_eq!(destroyed.kind(), MigrateErrorKind::Vault);
        assert_eq!(destroyed.class(), ErrorClass::Version);
        let io = MigrateError::io(Path::new("x/.env"), std::io::Error::other("disk"));
        assert_eq!(io.class(), ErrorClass::Other);
    }
}
