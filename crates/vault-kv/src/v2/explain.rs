//! Turning a bare 404 or a CAS 400 into an error that says what happened: the key is missing,
//! the version was pruned, soft-deleted or destroyed, or the key moved on to another version.
//! This costs one metadata read, on the error path only.

use vault_core::{VaultError, VaultErrorKind};

use super::KvV2;
use super::types::KeyMetadata;
use crate::call::Target;
use crate::error::KvError;
use crate::secret::SecretMetadata;

impl KvV2 {
    /// Metadata for the explanation, or `None` when it cannot be read (missing key, or the token
    /// may read data but not metadata).
    async fn metadata_for_explanation(&self, path: &str) -> Option<KeyMetadata> {
        self.fetch_metadata(Target {
            op: "read metadata of",
            mount: &self.h.mount,
            path,
        })
        .await
        .ok()
        .flatten()
    }

    /// Why `path` (at `version`, or the latest) could not be read.
    pub(crate) async fn explain_missing(
        &self,
        target: Target<'_>,
        version: Option<u64>,
    ) -> KvError {
        let logical = target.logical();
        let Some(meta) = self.metadata_for_explanation(target.path).await else {
            return KvError::NotFound {
                path: logical,
                version,
                existing: Vec::new(),
            };
        };
        let existing = meta.live_versions();
        let wanted = version.unwrap_or(meta.current_version);
        match meta.versions.get(&wanted) {
            Some(state) if state.destroyed => KvError::VersionDestroyed {
                path: logical,
                version: wanted,
                existing,
            },
            Some(state) if !state.deletion_time.is_empty() => KvError::VersionDeleted {
                path: logical,
                version: wanted,
                deletion_time: state.deletion_time.clone(),
                existing,
            },
            _ => KvError::NotFound {
                path: logical,
                version: Some(wanted).filter(|v| *v > 0),
                existing,
            },
        }
    }

    /// The error for a version read that came back with `data: null` (a deleted or destroyed
    /// version whose envelope the server still sent).
    pub(crate) async fn explain_empty(&self, target: Target<'_>, meta: &SecretMetadata) -> KvError {
        let existing = self
            .metadata_for_explanation(target.path)
            .await
            .map(|m| m.live_versions())
            .unwrap_or_default();
        let version = meta.version.unwrap_or_default();
        if meta.destroyed {
            KvError::VersionDestroyed {
                path: target.logical(),
                version,
                existing,
            }
        } else {
            KvError::VersionDeleted {
                path: target.logical(),
                version,
                deletion_time: meta.deletion_time.clone(),
                existing,
            }
        }
    }

    /// Map an error of a `cas` write or patch: a mismatch becomes [`KvError::CasMismatch`], a
    /// write without `cas` where it is required [`KvError::CasRequired`], both with the current
    /// version read from the metadata.
    pub(crate) async fn explain_write_error(
        &self,
        target: Target<'_>,
        cas: Option<u64>,
        e: VaultError,
    ) -> KvError {
        let mismatch = mentions(&e, "did not match the current version");
        let required = mentions(&e, "check-and-set parameter required");
        if e.kind() == VaultErrorKind::Validation && (mismatch || required) {
            let current = self.current_version(target.path).await;
            return if mismatch {
                KvError::CasMismatch {
                    operation: target.op,
                    path: target.logical(),
                    expected: cas.unwrap_or_default(),
                    current,
                    source: e,
                }
            } else {
                KvError::CasRequired {
                    operation: target.op,
                    path: target.logical(),
                    current,
                    source: e,
                }
            };
        }
        if e.kind() == VaultErrorKind::SecretNotFound {
            return self.explain_missing(target, None).await;
        }
        target.error(e)
    }
}

impl KvV2 {
    /// The current version of `path` for a check-and-set error: 0 when the secret does not
    /// exist, `None` when its metadata cannot be read (no permission, server failure).
    async fn current_version(&self, path: &str) -> Option<u64> {
        let meta = self
            .fetch_metadata(Target {
                op: "read metadata of",
                mount: &self.h.mount,
                path,
            })
            .await;
        match meta {
            Ok(Some(m)) => Some(m.current_version),
            Ok(None) => Some(0),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Some(0),
            Err(_) => None,
        }
    }
}

fn mentions(e: &VaultError, needle: &str) -> bool {
    e.vault_errors().iter().any(|m| m.contains(needle))
        || e.message().is_some_and(|m| m.contains(needle))
}
