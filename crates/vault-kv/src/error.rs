//! [`KvError`]: the one error type of vault-kv.
//!
//! It wraps [`VaultError`] (`#[from]`) for everything vault-core already classifies, and adds the
//! cases only a KV-aware client can tell apart: a soft-deleted or destroyed version, a
//! check-and-set mismatch with the current version, a missing mount.
//!
//! Architecture Invariant: no message carries a secret value. Paths, versions, key *names* and
//! Vault's own error strings are fine; values never are.
//!
//! Architecture Invariant: messages state facts (versions, mounts that exist); they name no API
//! call and no command-line flag, so that each caller (a program, the CLI) words its own hint.

use vault_core::{Classify, ErrorClass, VaultError, VaultErrorKind};

/// What went wrong, for callers that branch on the kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KvErrorKind {
    /// No secret at this path (or no such version retained).
    NotFound,
    /// The mount (or route under it) does not exist.
    NoSuchMount,
    /// The version was soft-deleted; `undelete` can bring it back.
    VersionDeleted,
    /// The version was destroyed for good.
    VersionDestroyed,
    /// A `cas` write or patch did not match the current version.
    CasMismatch,
    /// The secret (or its mount) requires check-and-set and the write gave no `cas` version.
    CasRequired,
    /// The token may not do this on this path.
    Permission,
    /// Bad input (local) or a response that does not have the expected shape.
    Validation,
    /// Vault could not be reached.
    Connection,
    /// Logging in failed (or no way to log in again).
    Authentication,
    /// Vault called the token invalid, expired or revoked (also an authentication failure).
    InvalidToken,
    /// Vault is sealed.
    Sealed,
    /// Vault is not initialised.
    Uninitialized,
    /// The cache could not answer: its last good value is past the stale-on-error limit.
    Cache,
    /// Anything else vault-core reported (server error, rate limit, …); see [`KvError::vault`].
    Vault,
}

impl KvErrorKind {
    /// `InvalidToken` is a kind of authentication failure.
    pub fn is_authentication(self) -> bool {
        matches!(
            self,
            KvErrorKind::Authentication | KvErrorKind::InvalidToken
        )
    }
}

/// An error from the KV API. `Display` reads as one sentence naming the secret and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KvError {
    /// No secret at `path` (`version` set when a specific version was asked for).
    #[error("secret `{path}` {}", not_found_text(*.version, .existing))]
    NotFound {
        /// The secret's path inside the mount.
        path: String,
        /// The version asked for, if one was.
        version: Option<u64>,
        /// Live versions that do exist (empty when the secret has none).
        existing: Vec<u64>,
    },

    /// The mount `mount` does not exist (or the path is not routed by any mount).
    #[error("{operation} `{path}`: no such mount `{mount}`{}", mounts_text("; the KV mounts are", .kv_mounts))]
    NoSuchMount {
        /// What was being done (`read`, `write`, `list`…).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// The mount that Vault does not know.
        mount: String,
        /// The KV mounts that do exist (`secret`, `team/kv`…), when the token could list the
        /// mount table (`sys/mounts`); empty when it could not.
        kv_mounts: Vec<String>,
        /// Vault's answer.
        source: VaultError,
    },

    /// Vault refused to describe `mount` (`sys/internal/ui/mounts/<mount>` answers 403 both for a
    /// mount that does not exist and for one the token's policies grant nothing under), and the
    /// token may not read the full mount table that would tell the two apart.
    #[error(
        "{operation} `{path}`: no such mount `{mount}`, or the token's policies grant nothing under it{}",
        mounts_text("; the KV mounts this token can see are", .visible_kv_mounts)
    )]
    MountNotVisible {
        /// What was being done (`read`, `write`, `list`…).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// The mount that could not be described.
        mount: String,
        /// The KV mounts the token can see (`sys/internal/ui/mounts`, filtered by its policies).
        visible_kv_mounts: Vec<String>,
        /// Vault's answer.
        source: VaultError,
    },

    /// The version was soft-deleted at `deletion_time`.
    #[error("secret `{path}` version {version} was deleted at {deletion_time}; {} — `undelete` restores it", existing_text(.existing))]
    VersionDeleted {
        /// The secret's path inside the mount.
        path: String,
        /// The version asked for.
        version: u64,
        /// RFC 3339 time of the soft delete.
        deletion_time: String,
        /// Live versions that do exist.
        existing: Vec<u64>,
    },

    /// The version was destroyed; its data is gone.
    #[error("secret `{path}` version {version} was destroyed; {}", existing_text(.existing))]
    VersionDestroyed {
        /// The secret's path inside the mount.
        path: String,
        /// The version asked for.
        version: u64,
        /// Live versions that do exist.
        existing: Vec<u64>,
    },

    /// Check-and-set failed: the caller expected `expected`, the key is at `current`.
    #[error("{operation} `{path}`: check-and-set failed: expected version {expected}, {}", current_text(*.current))]
    CasMismatch {
        /// What was being done (`write`, `patch`, `delete`…).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// The version the caller said the secret was at (0: must not exist).
        expected: u64,
        /// The secret's current version, if it could be read.
        current: Option<u64>,
        /// Vault's answer.
        source: VaultError,
    },

    /// The secret (or its whole mount) has `cas_required` set, and the write named no version.
    /// A program retries with the current version as `cas` (`WriteSecretRequest::with_cas`,
    /// `write_cas`); 0 creates a secret that does not exist yet.
    #[error("{operation} `{path}`: check-and-set is required here (`cas_required`) and no version was given; {}", required_text(*.current))]
    CasRequired {
        /// What was being done (`write`, `patch`).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// The secret's current version (0: it does not exist yet), if it could be read.
        current: Option<u64>,
        /// Vault's answer.
        source: VaultError,
    },

    /// The token's policies do not allow `operation` on `path` (the API path that was refused).
    #[error(
        "{operation} `{path}`: permission denied — the token's policies do not allow this on `{api_path}`"
    )]
    Permission {
        /// What was being done (`read`, `write`, `list`…).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// The full API path Vault refused (e.g. `secret/data/app/db`).
        api_path: String,
        /// Vault's answer.
        source: VaultError,
    },

    /// Invalid input or an unexpected response shape.
    #[error("{operation} `{path}`: {message}")]
    Validation {
        /// What was being done.
        operation: &'static str,
        /// The secret's path (or the argument) that was refused.
        path: String,
        /// What was wrong.
        message: String,
    },

    /// Vault failed and the cache's last good value is older than its stale-on-error limit.
    #[error(
        "{operation} `{path}`: the cached value is {age_secs} s old, past the stale-on-error limit of {limit_secs} s, and Vault failed: {source}"
    )]
    StaleLimitExceeded {
        /// What was being done (`get` or `get version`).
        operation: &'static str,
        /// The secret's path inside the mount.
        path: String,
        /// Age of the cached value, in seconds.
        age_secs: u64,
        /// The configured stale-on-error limit, in seconds.
        limit_secs: u64,
        /// Why Vault could not answer.
        source: Box<KvError>,
    },

    /// Everything else, as vault-core classified it.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl KvError {
    /// The kind of failure.
    pub fn kind(&self) -> KvErrorKind {
        match self {
            KvError::NotFound { .. } => KvErrorKind::NotFound,
            KvError::NoSuchMount { .. } => KvErrorKind::NoSuchMount,
            KvError::VersionDeleted { .. } => KvErrorKind::VersionDeleted,
            KvError::VersionDestroyed { .. } => KvErrorKind::VersionDestroyed,
            KvError::CasMismatch { .. } => KvErrorKind::CasMismatch,
            KvError::CasRequired { .. } => KvErrorKind::CasRequired,
            KvError::Permission { .. } | KvError::MountNotVisible { .. } => KvErrorKind::Permission,
            KvError::Validation { .. } => KvErrorKind::Validation,
            KvError::StaleLimitExceeded { .. } => KvErrorKind::Cache,
            KvError::Vault(e) => match e.kind() {
                VaultErrorKind::SecretNotFound => KvErrorKind::NotFound,
                VaultErrorKind::RouteNotFound => KvErrorKind::NoSuchMount,
                VaultErrorKind::Permission => KvErrorKind::Permission,
                VaultErrorKind::Validation | VaultErrorKind::Config => KvErrorKind::Validation,
                VaultErrorKind::Connection => KvErrorKind::Connection,
                VaultErrorKind::Authentication => KvErrorKind::Authentication,
                VaultErrorKind::InvalidToken => KvErrorKind::InvalidToken,
                VaultErrorKind::Sealed => KvErrorKind::Sealed,
                VaultErrorKind::Uninitialized => KvErrorKind::Uninitialized,
                VaultErrorKind::Cache => KvErrorKind::Cache,
                _ => KvErrorKind::Vault,
            },
        }
    }

    /// The underlying vault-core error, when there is one.
    pub fn vault(&self) -> Option<&VaultError> {
        match self {
            KvError::NoSuchMount { source, .. }
            | KvError::MountNotVisible { source, .. }
            | KvError::CasMismatch { source, .. }
            | KvError::CasRequired { source, .. }
            | KvError::Permission { source, .. } => Some(source),
            KvError::Vault(e) => Some(e),
            KvError::StaleLimitExceeded { source, .. } => source.vault(),
            _ => None,
        }
    }

    /// Whether the same call may succeed if tried again (connection trouble, sealed, 5xx, 429).
    pub fn is_retryable(&self) -> bool {
        match self {
            KvError::Vault(e) => e.is_retryable() || e.kind() == VaultErrorKind::Sealed,
            KvError::StaleLimitExceeded { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// True when no secret (or no such version) exists at the path.
    pub fn is_not_found(&self) -> bool {
        self.kind() == KvErrorKind::NotFound
    }

    /// The logical path (`mount/path`) the error is about, when known.
    pub fn path(&self) -> Option<&str> {
        match self {
            KvError::NotFound { path, .. }
            | KvError::NoSuchMount { path, .. }
            | KvError::MountNotVisible { path, .. }
            | KvError::CasRequired { path, .. }
            | KvError::VersionDeleted { path, .. }
            | KvError::VersionDestroyed { path, .. }
            | KvError::CasMismatch { path, .. }
            | KvError::Permission { path, .. }
            | KvError::Validation { path, .. }
            | KvError::StaleLimitExceeded { path, .. } => Some(path),
            KvError::Vault(e) => e.path(),
        }
    }

    pub(crate) fn validation(
        operation: &'static str,
        path: &str,
        message: impl Into<String>,
    ) -> Self {
        KvError::Validation {
            operation,
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// The module's class of the first [`KvError`] or [`VaultError`] in a source chain, or
/// [`ErrorClass::Other`] when there is none: for feature crates whose "Vault call failed" errors
/// carry the KV or vault-core error as their source.
pub fn class_of_source(
    source: Option<&(dyn std::error::Error + Send + Sync + 'static)>,
) -> ErrorClass {
    let mut next = source.map(|e| e as &(dyn std::error::Error + 'static));
    while let Some(e) = next {
        if let Some(kv) = e.downcast_ref::<KvError>() {
            return kv.class();
        }
        if let Some(v) = e.downcast_ref::<VaultError>() {
            return v.class();
        }
        next = e.source();
    }
    ErrorClass::Other
}

/// The Python module's kinds: a missing, deleted or destroyed *version* is `Version`, a missing
/// secret or mount `SecretNotFound`, a check-and-set mismatch `Validation`, a stale-limit failure
/// `Cache`; wrapped vault-core errors answer with their own class.
impl Classify for KvError {
    fn class(&self) -> ErrorClass {
        match self {
            KvError::NotFound {
                version: Some(_), ..
            }
            | KvError::VersionDeleted { .. }
            | KvError::VersionDestroyed { .. } => ErrorClass::Version,
            KvError::NotFound { .. } | KvError::NoSuchMount { .. } => ErrorClass::SecretNotFound,
            KvError::CasMismatch { .. }
            | KvError::CasRequired { .. }
            | KvError::Validation { .. } => ErrorClass::Validation,
            KvError::Permission { .. } | KvError::MountNotVisible { .. } => ErrorClass::Permission,
            KvError::StaleLimitExceeded { .. } => ErrorClass::Cache,
            KvError::Vault(e) => e.class(),
        }
    }
}

fn not_found_text(version: Option<u64>, existing: &[u64]) -> String {
    match version {
        None => "not found".to_string(),
        Some(v) if existing.is_empty() => format!("has no version {v}"),
        Some(v) => format!("has no version {v}; {}", existing_text(existing)),
    }
}

fn current_text(current: Option<u64>) -> String {
    match current {
        Some(0) => "but the secret does not exist yet (version 0)".to_string(),
        Some(c) => format!("current version is {c}"),
        None => "the current version could not be read".to_string(),
    }
}

fn required_text(current: Option<u64>) -> String {
    match current {
        Some(0) => "the secret does not exist yet (version 0)".to_string(),
        Some(c) => format!("its current version is {c}"),
        None => "its current version could not be read".to_string(),
    }
}

/// `"; the KV mounts are `kv`, `secret`"`, or nothing for an empty list.
fn mounts_text(lead: &str, mounts: &[String]) -> String {
    if mounts.is_empty() {
        return String::new();
    }
    let names: Vec<String> = mounts.iter().map(|m| format!("`{m}`")).collect();
    format!("{lead} {}", names.join(", "))
}

/// "versions 1–2 and 4 exist", "version 3 exists", "no readable version remains".
pub(crate) fn existing_text(versions: &[u64]) -> String {
    match versions.len() {
        0 => "no readable version remains".to_string(),
        1 => format!("version {} exists", versions[0]),
        _ => format!("versions {} exist", version_ranges(versions)),
    }
}

/// Compress sorted versions into ranges: `[1,2,4,6,7,8]` → `1–2, 4 and 6–8`.
pub(crate) fn version_ranges(versions: &[u64]) -> String {
    let mut sorted = versions.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feature crate's error that wraps another one, as `MigrateError` or `BackupError` do.
    #[derive(Debug)]
    struct Wrapper(Box<dyn std::error::Error + Send + Sync>);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapped")
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(self.0.as_ref())
        }
    }

    #[test]
    fn class_of_source_finds_kv_and_vault_errors_anywhere_in_the_chain() {
        let missing: Box<dyn std::error::Error + Send + Sync> = Box::new(KvError::NotFound {
            path: "secret/a".into(),
            version: None,
            existing: vec![],
        });
        assert_eq!(
            class_of_source(Some(missing.as_ref())),
            ErrorClass::SecretNotFound
        );
        let sealed = Wrapper(Box::new(VaultError::new(VaultErrorKind::Sealed)));
        assert_eq!(class_of_source(Some(&sealed)), ErrorClass::Sealed);
        let deep = Wrapper(Box::new(Wrapper(Box::new(KvError::NotFound {
            path: "secret/a".into(),
            version: Some(3),
            existing: vec![1],
        }))));
        assert_eq!(class_of_source(Some(&deep)), ErrorClass::Version);
        let io = std::io::Error::other("disk");
        assert_eq!(class_of_source(Some(&io)), ErrorClass::Other);
        assert_eq!(class_of_source(None), ErrorClass::Other);
    }

    #[test]
    fn module_classes_of_kv_errors() {
        let missing_version = KvError::NotFound {
            path: "secret/a".into(),
            version: Some(9),
            existing: vec![1],
        };
        assert_eq!(missing_version.class(), ErrorClass::Version);
        let missing = KvError::NotFound {
            path: "secret/a".into(),
            version: None,
            existing: vec![],
        };
        assert_eq!(missing.class(), ErrorClass::SecretNotFound);
        let destroyed = KvError::VersionDestroyed {
            path: "secret/a".into(),
            version: 2,
            existing: vec![],
        };
        assert_eq!(destroyed.class(), ErrorClass::Version);
        for (kind, kv, class) in [
            (
                VaultErrorKind::Sealed,
                KvErrorKind::Sealed,
                ErrorClass::Sealed,
            ),
            (
                VaultErrorKind::Authentication,
                KvErrorKind::Authentication,
                ErrorClass::Authentication,
            ),
            (
                VaultErrorKind::InvalidToken,
                KvErrorKind::InvalidToken,
                ErrorClass::InvalidToken,
            ),
            (
                VaultErrorKind::Uninitialized,
                KvErrorKind::Uninitialized,
                ErrorClass::Uninitialized,
            ),
        ] {
            let e = KvError::from(VaultError::new(kind));
            assert_eq!((e.kind(), e.class()), (kv, class), "{kind:?}");
        }
        assert!(KvErrorKind::InvalidToken.is_authentication());
        let stale = KvError::StaleLimitExceeded {
            operation: "get",
            path: "secret/a".into(),
            age_secs: 90,
            limit_secs: 60,
            source: Box::new(VaultError::new(VaultErrorKind::Connection).into()),
        };
        assert_eq!(
            (stale.kind(), stale.class()),
            (KvErrorKind::Cache, ErrorClass::Cache)
        );
        assert!(stale.to_string().contains("90 s old"), "{stale}");
    }

    #[test]
    fn ranges_read_naturally() {
        assert_eq!(version_ranges(&[1, 2, 4]), "1–2 and 4");
        assert_eq!(version_ranges(&[4, 1, 2, 6, 7, 8]), "1–2, 4 and 6–8");
        assert_eq!(version_ranges(&[5]), "5");
        assert_eq!(version_ranges(&[]), "");
    }

    #[test]
    fn destroyed_message_matches_the_style_guide() {
        let e = KvError::VersionDestroyed {
            path: "secret/app/db".into(),
            version: 3,
            existing: vec![1, 2, 4],
        };
        assert_eq!(
            e.to_string(),
            "secret `secret/app/db` version 3 was destroyed; versions 1–2 and 4 exist"
        );
        assert_eq!(e.kind(), KvErrorKind::VersionDestroyed);
    }

    #[test]
    fn deleted_and_missing_messages() {
        let e = KvError::VersionDeleted {
            path: "secret/a".into(),
            version: 2,
            deletion_time: "2026-01-01T00:00:00Z".into(),
            existing: vec![1],
        };
        assert_eq!(
            e.to_string(),
            "secret `secret/a` version 2 was deleted at 2026-01-01T00:00:00Z; version 1 exists — `undelete` restores it"
        );
        let e = KvError::NotFound {
            path: "secret/a".into(),
            version: None,
            existing: vec![],
        };
        assert_eq!(e.to_string(), "secret `secret/a` not found");
        assert!(e.is_not_found());
        let e = KvError::NotFound {
            path: "secret/a".into(),
            version: Some(9),
            existing: vec![3, 4],
        };
        assert_eq!(
            e.to_string(),
            "secret `secret/a` has no version 9; versions 3–4 exist"
        );
    }

    #[test]
    fn cas_message_names_both_versions() {
        let e = KvError::CasMismatch {
            operation: "write",
            path: "secret/c".into(),
            expected: 3,
            current: Some(5),
            source: VaultError::new(VaultErrorKind::Validation),
        };
        assert_eq!(
            e.to_string(),
            "write `secret/c`: check-and-set failed: expected version 3, current version is 5"
        );
        assert!(!e.is_retryable());
    }

    #[test]
    fn wrapped_kinds_map_through() {
        let e: KvError = VaultError::new(VaultErrorKind::Connection).into();
        assert_eq!(e.kind(), KvErrorKind::Connection);
        assert_eq!(e.class(), ErrorClass::Connection);
        assert!(e.is_retryable());
        let e: KvError = VaultError::new(VaultErrorKind::Server).into();
        assert_eq!(e.kind(), KvErrorKind::Vault);
        assert_eq!(e.class(), ErrorClass::Other);
        let e: KvError = VaultError::new(VaultErrorKind::Sealed)
            .with_status(503)
            .into();
        assert!(e.is_retryable());
    }
}
