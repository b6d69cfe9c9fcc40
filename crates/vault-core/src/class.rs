//! [`ErrorClass`] and [`Classify`]: which of the Python module's exception kinds an error is,
//! for an error of any vaultkit crate.
//!
//! The Python module's callers write `except VaultAuthenticationError`, `except
//! VaultSecretNotFoundError`, `except VaultError`. In vaultkit every crate's error type implements
//! [`Classify`], so a caller (and the CLI's exit codes) asks one question of any error:
//!
//! ```
//! use vault_core::{Classify, ErrorClass, VaultError, VaultErrorKind};
//!
//! let e = VaultError::new(VaultErrorKind::InvalidToken).with_status(403);
//! assert_eq!(e.class(), ErrorClass::InvalidToken);
//! assert!(e.class().is_authentication()); // `except VaultAuthenticationError` catches it too
//! assert_eq!(e.class().module_exception(), "VaultInvalidTokenError");
//! ```
//!
//! | Python module | [`ErrorClass`] |
//! | --- | --- |
//! | `VaultConnectionError` | `Connection` |
//! | `VaultAuthenticationError` | `Authentication` |
//! | `VaultInvalidTokenError` (a `VaultAuthenticationError`) | `InvalidToken` |
//! | `VaultSecretNotFoundError` | `SecretNotFound` |
//! | `VaultPermissionError` | `Permission` |
//! | `VaultSealedError` | `Sealed` |
//! | `VaultUninitializedError` | `Uninitialized` |
//! | `VaultVersionError` | `Version` |
//! | `VaultCacheError` | `Cache` |
//! | `VaultValidationError` | `Validation` |
//! | `VaultError` (base, anything else) | `Other` |

use std::fmt;

use crate::error::{VaultError, VaultErrorKind};

/// The Python module's exception kinds, plus [`ErrorClass::Other`] for everything else (the
/// module's base `VaultError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// Vault could not be reached (DNS, connect, TLS, timeout, reset).
    Connection,
    /// Logging in failed, or there is no way to log in again.
    Authentication,
    /// The token is invalid, expired or revoked (also an authentication error).
    InvalidToken,
    /// Nothing at this path (no secret, no such mount or route).
    SecretNotFound,
    /// The token's policies do not allow this.
    Permission,
    /// Vault is sealed.
    Sealed,
    /// Vault is not initialised.
    Uninitialized,
    /// A deleted, destroyed or missing version of a secret.
    Version,
    /// A cache failure: the cached value is past its stale-on-error limit.
    Cache,
    /// Invalid input, configuration or request (including a check-and-set mismatch).
    Validation,
    /// Anything else: server errors, rate limiting, local I/O, unexpected answers.
    Other,
}

impl ErrorClass {
    /// Every class, in the order of the table above.
    pub const ALL: [ErrorClass; 11] = [
        ErrorClass::Connection,
        ErrorClass::Authentication,
        ErrorClass::InvalidToken,
        ErrorClass::SecretNotFound,
        ErrorClass::Permission,
        ErrorClass::Sealed,
        ErrorClass::Uninitialized,
        ErrorClass::Version,
        ErrorClass::Cache,
        ErrorClass::Validation,
        ErrorClass::Other,
    ];

    /// The name of the Python module's exception class for this kind.
    pub fn module_exception(self) -> &'static str {
        match self {
            ErrorClass::Connection => "VaultConnectionError",
            ErrorClass::Authentication => "VaultAuthenticationError",
            ErrorClass::InvalidToken => "VaultInvalidTokenError",
            ErrorClass::SecretNotFound => "VaultSecretNotFoundError",
            ErrorClass::Permission => "VaultPermissionError",
            ErrorClass::Sealed => "VaultSealedError",
            ErrorClass::Uninitialized => "VaultUninitializedError",
            ErrorClass::Version => "VaultVersionError",
            ErrorClass::Cache => "VaultCacheError",
            ErrorClass::Validation => "VaultValidationError",
            ErrorClass::Other => "VaultError",
        }
    }

    /// `InvalidToken` is a kind of authentication failure, as in the module's hierarchy.
    pub fn is_authentication(self) -> bool {
        matches!(self, ErrorClass::Authentication | ErrorClass::InvalidToken)
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.module_exception())
    }
}

/// Answers "which of the Python module's kinds is this error?". Implemented by the error type of
/// every vaultkit crate.
///
/// # Contract
/// - The answer depends on the error's kind only, never on its message text.
/// - An error that wraps another (a feature crate's error around a [`VaultError`]) answers with
///   the wrapped error's class unless it knows better (e.g. a destroyed version is `Version`).
pub trait Classify {
    /// The module's exception kind this error corresponds to.
    fn class(&self) -> ErrorClass;
}

impl VaultErrorKind {
    /// The module's exception kind for this vault-core kind.
    pub fn class(self) -> ErrorClass {
        match self {
            VaultErrorKind::Connection => ErrorClass::Connection,
            VaultErrorKind::Authentication => ErrorClass::Authentication,
            VaultErrorKind::InvalidToken => ErrorClass::InvalidToken,
            VaultErrorKind::SecretNotFound | VaultErrorKind::RouteNotFound => {
                ErrorClass::SecretNotFound
            }
            VaultErrorKind::Permission => ErrorClass::Permission,
            VaultErrorKind::Sealed => ErrorClass::Sealed,
            VaultErrorKind::Uninitialized => ErrorClass::Uninitialized,
            VaultErrorKind::Version => ErrorClass::Version,
            VaultErrorKind::Cache => ErrorClass::Cache,
            VaultErrorKind::Validation | VaultErrorKind::Config => ErrorClass::Validation,
            _ => ErrorClass::Other,
        }
    }
}

impl Classify for VaultError {
    fn class(&self) -> ErrorClass {
        self.kind().class()
    }
}

impl<T: Classify + ?Sized> Classify for Box<T> {
    fn class(&self) -> ErrorClass {
        (**self).class()
    }
}

/// The class of the first [`VaultError`] in `err`'s source chain (including `err` itself), for
/// feature crates whose errors carry a vault-core error as their source.
pub fn class_of_chain(err: &(dyn std::error::Error + 'static)) -> Option<ErrorClass> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(v) = e.downcast_ref::<VaultError>() {
            return Some(v.class());
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vault_kind_has_a_module_class() {
        use VaultErrorKind as K;
        let cases = [
            (K::Connection, ErrorClass::Connection),
            (K::Authentication, ErrorClass::Authentication),
            (K::InvalidToken, ErrorClass::InvalidToken),
            (K::SecretNotFound, ErrorClass::SecretNotFound),
            (K::RouteNotFound, ErrorClass::SecretNotFound),
            (K::Permission, ErrorClass::Permission),
            (K::Sealed, ErrorClass::Sealed),
            (K::Uninitialized, ErrorClass::Uninitialized),
            (K::Version, ErrorClass::Version),
            (K::Cache, ErrorClass::Cache),
            (K::Validation, ErrorClass::Validation),
            (K::Config, ErrorClass::Validation),
            (K::RateLimited, ErrorClass::Other),
            (K::Server, ErrorClass::Other),
            (K::Io, ErrorClass::Other),
        ];
        for (kind, class) in cases {
            assert_eq!(VaultError::new(kind).class(), class, "{kind:?}");
        }
        assert!(ErrorClass::InvalidToken.is_authentication());
        assert!(ErrorClass::Authentication.is_authentication());
        assert!(!ErrorClass::Permission.is_authentication());
    }

    #[test]
    fn module_names_are_distinct() {
        let mut names: Vec<&str> = ErrorClass::ALL
            .iter()
            .map(|c| c.module_exception())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorClass::ALL.len());
    }

    #[test]
    fn chain_finds_a_wrapped_vault_error() {
        #[derive(Debug)]
        struct Wrapper(VaultError);
        impl fmt::Display for Wrapper {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("wrapper")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let w = Wrapper(VaultError::new(VaultErrorKind::Sealed));
        assert_eq!(class_of_chain(&w), Some(ErrorClass::Sealed));
        let io = std::io::Error::other("disk");
        assert_eq!(class_of_chain(&io), None);
    }
}
