//! [`CliError`]: the one error type of the CLI, and the exit code each failure maps to.
//!
//! Architecture Invariant: an error is printed as ONE line — what failed, on which path, and what
//! to try — and never contains a secret value or a token. Errors built from Vault's responses carry
//! only Vault's own messages (which never echo secret material) and the request path.

use std::fmt;

use vault_core::{Classify, ErrorClass, VaultError, VaultErrorKind};

/// Exit codes, documented in `vaultkit --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum ExitKind {
    /// 1: anything not covered below (server error, I/O, a child that could not start).
    Other,
    /// 2: the command line was wrong (clap also exits 2 for usage errors).
    Usage,
    /// 3: nothing at that path (secret, deleted/destroyed/missing version, policy, file).
    NotFound,
    /// 4: permission denied, invalid or expired token, failed login.
    Permission,
    /// 5: could not reach Vault, Vault is sealed / not initialised, or the cache's last good
    /// value is past its stale-on-error limit.
    Connection,
    /// 6: input, configuration or request rejected as invalid (bad file or filter, CAS mismatch).
    Validation,
}

impl ExitKind {
    pub(crate) fn code(self) -> u8 {
        match self {
            ExitKind::Other => 1,
            ExitKind::Usage => 2,
            ExitKind::NotFound => 3,
            ExitKind::Permission => 4,
            ExitKind::Connection => 5,
            ExitKind::Validation => 6,
        }
    }

    /// The exit code of an error of any vaultkit crate, from its Python-module class
    /// ([`Classify::class`]); the one mapping every command uses.
    pub(crate) fn from_class(class: ErrorClass) -> ExitKind {
        match class {
            ErrorClass::SecretNotFound | ErrorClass::Version => ExitKind::NotFound,
            ErrorClass::Authentication | ErrorClass::InvalidToken | ErrorClass::Permission => {
                ExitKind::Permission
            }
            ErrorClass::Connection
            | ErrorClass::Sealed
            | ErrorClass::Uninitialized
            | ErrorClass::Cache => ExitKind::Connection,
            ErrorClass::Validation => ExitKind::Validation,
            _ => ExitKind::Other,
        }
    }

    /// The exit code of `err`: [`ExitKind::from_class`], except that an error outside the
    /// module's kinds (`Other`) caused by a missing local file is "not found" (3).
    pub(crate) fn of(err: &(dyn std::error::Error + 'static), class: ErrorClass) -> ExitKind {
        if class == ErrorClass::Other && missing_file(err) {
            return ExitKind::NotFound;
        }
        ExitKind::from_class(class)
    }
}

/// Whether `err`'s source chain holds an I/O "not found".
fn missing_file(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// A failure of one command, ready to be printed as one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) struct CliError {
    kind: ExitKind,
    message: String,
    hint: Option<String>,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "; try: {}", one_line(hint))?;
        }
        Ok(())
    }
}

/// Collapse line breaks so that an error is always a single line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl CliError {
    pub(crate) fn new(kind: ExitKind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
            hint: None,
        }
    }
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError::new(ExitKind::Usage, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        CliError::new(ExitKind::NotFound, message)
    }
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        CliError::new(ExitKind::Validation, message)
    }
    pub(crate) fn other(message: impl Into<String>) -> Self {
        CliError::new(ExitKind::Other, message)
    }
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub(crate) fn kind(&self) -> ExitKind {
        self.kind
    }

    /// Any vaultkit crate's error, with the exit code of its Python-module class
    /// ([`ExitKind::of`]).
    pub(crate) fn classified<E: Classify + std::error::Error + 'static>(err: &E) -> Self {
        CliError::new(ExitKind::of(err, err.class()), err.to_string())
    }

    /// An I/O failure on a local file.
    pub(crate) fn io(action: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::NotFound {
            ExitKind::NotFound
        } else {
            ExitKind::Other
        };
        CliError::new(
            kind,
            format!("could not {action} `{}`: {err}", path.display()),
        )
    }
}

impl From<VaultError> for CliError {
    fn from(err: VaultError) -> Self {
        let kind = ExitKind::from_class(err.class());
        let hint = err
            .hint()
            .map(str::to_string)
            .or_else(|| default_hint(err.kind()).map(str::to_string));
        // VaultError's Display already names the operation, the path and Vault's reason; its own hint
        // is part of it, so only add ours when it has none.
        let mut out = CliError::new(kind, err.to_string());
        if err.hint().is_none() {
            out.hint = hint;
        }
        out
    }
}

pub(crate) fn default_hint(kind: VaultErrorKind) -> Option<&'static str> {
    Some(match kind {
        VaultErrorKind::Connection => {
            "check VAULT_ADDR / --address and that the server is running (`vaultkit status`)"
        }
        VaultErrorKind::Sealed => "unseal Vault (`bao operator unseal`) and retry",
        VaultErrorKind::Uninitialized => "initialise Vault (`bao operator init`) first",
        VaultErrorKind::InvalidToken | VaultErrorKind::Authentication => {
            "log in again (`vaultkit login --store`) or set VAULT_TOKEN"
        }
        VaultErrorKind::Permission => {
            "ask for a policy that grants this path (`vaultkit policy read NAME`)"
        }
        VaultErrorKind::RouteNotFound => {
            "check the mount name (`--mount`) and that the engine is enabled"
        }
        _ => return None,
    })
}

pub(crate) type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The table in docs/kv.md: module exception → class → exit code.
    #[test]
    fn every_module_class_has_its_documented_exit_code() {
        let table = [
            (ErrorClass::Connection, 5),
            (ErrorClass::Authentication, 4),
            (ErrorClass::InvalidToken, 4),
            (ErrorClass::SecretNotFound, 3),
            (ErrorClass::Permission, 4),
            (ErrorClass::Sealed, 5),
            (ErrorClass::Uninitialized, 5),
            (ErrorClass::Version, 3),
            (ErrorClass::Cache, 5),
            (ErrorClass::Validation, 6),
            (ErrorClass::Other, 1),
        ];
        assert_eq!(table.len(), ErrorClass::ALL.len());
        let doc = include_str!("../../../docs/kv.md");
        for (class, code) in table {
            assert_eq!(ExitKind::from_class(class).code(), code, "{class:?}");
            let row = format!("| `{}` | `{class:?}` | {code} |", class.module_exception());
            assert!(doc.contains(&row), "docs/kv.md lacks the row {row}");
        }
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(ExitKind::of(&gone, ErrorClass::Other), ExitKind::NotFound);
        assert_eq!(
            ExitKind::of(&gone, ErrorClass::Validation),
            ExitKind::Validation
        );
    }

    #[test]
    fn display_is_one_line_with_hint() {
        let e = CliError::not_found("no secret at\n`secret/app`")
            .with_hint("list with\n`vaultkit kv list`");
        assert_eq!(
            e.to_string(),
            "no secret at `secret/app`; try: list with `vaultkit kv list`"
        );
    }

    #[test]
    fn vault_kinds_map_to_documented_codes() {
        let cases = [
            (VaultErrorKind::SecretNotFound, 3),
            (VaultErrorKind::Permission, 4),
            (VaultErrorKind::InvalidToken, 4),
            (VaultErrorKind::Connection, 5),
            (VaultErrorKind::Sealed, 5),
            (VaultErrorKind::Validation, 6),
            (VaultErrorKind::Server, 1),
            (VaultErrorKind::Version, 3),
            (VaultErrorKind::Uninitialized, 5),
        ];
        for (kind, code) in cases {
            let e = CliError::from(VaultError::new(kind).with_path("secret/x"));
            assert_eq!(e.kind().code(), code, "{kind:?}");
            assert!(!e.to_string().contains('\n'));
        }
    }
}
