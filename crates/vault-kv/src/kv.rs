//! [`Kv`]: a mount whose KV version is detected on first use, so the same call works on v1 and
//! v2 mounts. The Python module's calls (`get_secret`, `write_secret`, …) go through it.
//!
//! The version is remembered on the client (`mount.rs`). When a mount answers as the other
//! version (it was re-mounted or upgraded since), the call detects it again and, if the version
//! did change, runs once more against the right one:
//! - always after a v1 write that gets "nothing here" (a v2 mount answers 404 on its
//!   unversioned paths), or a v2 write answered without version metadata (a v1 mount took it as
//!   a plain key: that stray key is deleted again);
//! - after a read, delete or listing that finds nothing, only when the version was detected more
//!   than 10 s ago (a missing key looks the same; this keeps it from costing a request each).

use std::fmt;
use std::future::Future;
use std::time::Instant;

use serde::Serialize;

use crate::cache::{CachedSecret, Handle};
use crate::call::clean_mount;
use crate::error::KvError;
use crate::mount::{KvVersion, detect, redetect};
use crate::secret::VaultSecret;
use crate::v1::KvV1;
use crate::v2::KvV2;
use crate::v2::types::{VersionMetadata, WriteOptions};

/// A KV mount of either version. Cheap to clone.
#[derive(Clone)]
pub struct Kv {
    h: Handle,
}

/// What an outcome of a call made with the remembered version says about that version.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Doubt {
    /// Nothing unusual.
    None,
    /// Also what a missing key or an empty folder looks like: detect again only if the version
    /// was detected more than [`WEAK_DOUBT_AFTER`] ago (so missing keys do not cost a preflight
    /// each).
    Weak,
    /// Only a mount of the other version answers like that: detect again.
    Strong,
}

/// How old a detection must be before a weak doubt re-detects it.
const WEAK_DOUBT_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

type Suspect<T> = fn(KvVersion, &Result<T, KvError>) -> Doubt;

impl Kv {
    pub(crate) fn new(h: Handle) -> Self {
        Kv { h }
    }

    /// The mount name (no slashes).
    pub fn mount(&self) -> &str {
        &self.h.mount
    }

    /// The mount's KV version: asked once per client and mount (concurrent first calls share
    /// one request), then remembered.
    pub async fn version(&self) -> Result<KvVersion, KvError> {
        Ok(self.detected().await?.0)
    }

    async fn detected(&self) -> Result<(KvVersion, Instant), KvError> {
        let mount = clean_mount(&self.h.mount)?;
        detect(&self.h.client, mount).await
    }

    /// Run `op` with the remembered version; when its outcome is `suspect` for that version,
    /// detect the version again and, if it changed, run `op` once more.
    async fn with_version<T, F, Fut>(
        &self,
        (call, path): (&'static str, &str),
        suspect: Suspect<T>,
        op: F,
    ) -> Result<T, KvError>
    where
        F: Fn(KvVersion) -> Fut,
        Fut: Future<Output = Result<T, KvError>>,
    {
        let (version, detected_at) = self
            .detected()
            .await
            .map_err(|e| self.as_call(e, call, path))?;
        let outcome = op(version).await;
        match suspect(version, &outcome) {
            Doubt::None => return outcome,
            Doubt::Weak if detected_at.elapsed() < WEAK_DOUBT_AFTER => return outcome,
            Doubt::Weak | Doubt::Strong => {}
        }
        let mount = clean_mount(&self.h.mount)?;
        match redetect(&self.h.client, mount, detected_at).await {
            Ok((now, _)) if now != version => {
                tracing::info!(
                    mount,
                    ?version,
                    ?now,
                    "the mount changed KV version; asking again"
                );
                op(now).await
            }
            _ => outcome,
        }
    }

    /// [`Kv::version`] for a call `op` (e.g. `read`) on `path`: a failure of the lookup is
    /// reported as a failure of the caller's operation on `mount/path`, not of the internal
    /// `sys/internal/ui/mounts/…` request.
    pub async fn version_for(&self, op: &'static str, path: &str) -> Result<KvVersion, KvError> {
        self.version().await.map_err(|e| self.as_call(e, op, path))
    }

    /// An error of the version lookup, re-labelled as `op` on `mount/path`.
    fn as_call(&self, e: KvError, op: &'static str, path: &str) -> KvError {
        let logical = format!("{}/{}", self.h.mount, path.trim_matches('/'));
        match e {
            KvError::Vault(v) => KvError::Vault(v.with_operation(op).with_path(logical)),
            KvError::NoSuchMount {
                mount,
                kv_mounts,
                source,
                ..
            } => KvError::NoSuchMount {
                operation: op,
                path: logical,
                mount,
                kv_mounts,
                source,
            },
            KvError::MountNotVisible {
                mount,
                visible_kv_mounts,
                source,
                ..
            } => KvError::MountNotVisible {
                operation: op,
                path: logical,
                mount,
                visible_kv_mounts,
                source,
            },
            other => other,
        }
    }

    /// This mount as a KV v1 handle (no check).
    pub fn v1(&self) -> KvV1 {
        KvV1::new(self.h.clone())
    }

    /// This mount as a KV v2 handle (no check).
    pub fn v2(&self) -> KvV2 {
        KvV2::new(self.h.clone())
    }

    /// Read the latest value of `path`.
    pub async fn get(&self, path: &str) -> Result<VaultSecret, KvError> {
        Ok(self.get_shared(path, None).await?.into_secret())
    }

    /// Read version `version` of `path` (KV v2 only).
    pub async fn get_version(&self, path: &str, version: u64) -> Result<VaultSecret, KvError> {
        Ok(self.get_shared(path, Some(version)).await?.into_secret())
    }

    pub(crate) async fn get_shared(
        &self,
        path: &str,
        version: Option<u64>,
    ) -> Result<CachedSecret, KvError> {
        self.with_version(("read", path), found_nothing, |kv| async move {
            match (kv, version) {
                (KvVersion::V2, v) => self.v2().read_shared(path, v).await,
                (KvVersion::V1, None) => self.v1().read_shared(path).await,
                (KvVersion::V1, Some(v)) => Err(KvError::validation(
                    "read",
                    &format!("{}/{}", self.h.mount, path.trim_matches('/')),
                    format!(
                        "cannot read version {v}: `{}` is a KV v1 mount, which keeps no versions",
                        self.h.mount
                    ),
                )),
            }
        })
        .await
    }

    /// Write `data` (a map or struct) to `path`. On v2 this creates a new version and returns its
    /// metadata; on v1 it replaces the secret and the metadata has `version: None`.
    pub async fn write(
        &self,
        path: &str,
        data: &impl Serialize,
    ) -> Result<VersionMetadata, KvError> {
        self.with_version(("write", path), wrote_as_other_version, |kv| async move {
            match kv {
                KvVersion::V2 => {
                    let written = self.v2().write_data(path, data).await;
                    if matches!(&written, Ok(meta) if meta.version.is_none()) {
                        // A v1 mount took `data/<path>` as a plain key: remove that stray key.
                        let stray = format!("data/{}", path.trim_matches('/'));
                        let _ = self.v1().delete(&stray).await;
                    }
                    written
                }
                KvVersion::V1 => self
                    .v1()
                    .write(path, data)
                    .await
                    .map(|()| VersionMetadata::default()),
            }
        })
        .await
    }

    /// Write `data` to `path` with `options`, on either KV version, so that callers never branch
    /// on it:
    /// - `cas: None`: a plain write ([`Kv::write`]).
    /// - `cas: Some(n)` on v2: only if the key is at version `n` (0: only if it does not exist),
    ///   else [`KvError::CasMismatch`]. A write replayed after a lost answer whose first attempt
    ///   was applied is reported as the success it was.
    /// - `cas: Some(0)` on v1: only if nothing is at `path` yet (checked by a read just before
    ///   the write: v1 has no atomic check-and-set, so a writer in between is not detected).
    /// - `cas: Some(n > 0)` on v1: a validation error (v1 keeps no versions).
    ///
    /// ```no_run
    /// # async fn demo(client: vault_core::VaultClient) -> Result<(), vault_kv::KvError> {
    /// use vault_kv::{KvExt, WriteOptions};
    /// let kv = client.kv("secret");
    /// kv.write_with("app/db", &serde_json::json!({"user": "svc"}), WriteOptions { cas: Some(0) })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn write_with(
        &self,
        path: &str,
        data: &impl Serialize,
        options: WriteOptions,
    ) -> Result<VersionMetadata, KvError> {
        let Some(cas) = options.cas else {
            return self.write(path, data).await;
        };
        match self.version_for("write", path).await? {
            KvVersion::V2 => self.v2().write_cas(path, data, cas).await,
            KvVersion::V1 => {
                let logical = format!("{}/{}", self.h.mount, path.trim_matches('/'));
                if cas > 0 {
                    return Err(KvError::validation(
                        "write",
                        &logical,
                        format!(
                            "check-and-set version {cas} cannot apply: `{}` is a KV v1 mount, which keeps no versions (use cas 0 to create only)",
                            self.h.mount
                        ),
                    ));
                }
                let v1 = self.v1();
                match v1.fetch_uncached(path).await {
                    Ok(_) => Err(KvError::CasMismatch {
                        operation: "write",
                        path: logical.clone(),
                        expected: 0,
                        current: None,
                        source: vault_core::VaultError::msg(
                            vault_core::VaultErrorKind::Validation,
                            "a secret already exists at this path (KV v1 create-only write)",
                        )
                        .with_path(logical),
                    }),
                    Err(KvError::NotFound { .. }) => v1
                        .write(path, data)
                        .await
                        .map(|()| VersionMetadata::default()),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// Delete `path`: on v2 the latest version is soft-deleted (recoverable with
    /// `undelete_versions`, like `vault kv delete`); on v1 the secret is removed.
    pub async fn delete(&self, path: &str) -> Result<(), KvError> {
        self.remove(path, false).await
    }

    /// Delete `path` for good: on v2 every version and the metadata; on v1 the secret.
    pub async fn delete_all(&self, path: &str) -> Result<(), KvError> {
        self.remove(path, true).await
    }

    /// [`delete`](Self::delete), or [`delete_all`](Self::delete_all) when `every_version`.
    async fn remove(&self, path: &str, every_version: bool) -> Result<(), KvError> {
        self.with_version(("delete", path), found_nothing, |kv| async move {
            match kv {
                KvVersion::V2 if every_version => self.v2().delete_metadata(path).await,
                KvVersion::V2 => self.v2().delete_latest(path).await,
                KvVersion::V1 => self.v1().delete(path).await,
            }
        })
        .await
    }

    /// The names under `path` (folders end in `/`).
    pub async fn list(&self, path: &str) -> Result<Vec<String>, KvError> {
        self.with_version(("list", path), listed_nothing, |kv| async move {
            match kv {
                KvVersion::V2 => self.v2().list(path).await,
                KvVersion::V1 => self.v1().list(path).await,
            }
        })
        .await
    }
}

/// A read or delete that found nothing: on a mount of the other version every path looks empty.
fn found_nothing<T>(_: KvVersion, outcome: &Result<T, KvError>) -> Doubt {
    if matches!(outcome, Err(KvError::NotFound { existing, .. }) if existing.is_empty())
        || matches!(outcome, Err(KvError::Vault(e)) if e.is_not_found())
    {
        Doubt::Weak
    } else {
        Doubt::None
    }
}

/// A listing that came back empty.
fn listed_nothing(_: KvVersion, outcome: &Result<Vec<String>, KvError>) -> Doubt {
    if matches!(outcome, Ok(keys) if keys.is_empty()) {
        Doubt::Weak
    } else {
        Doubt::None
    }
}

/// A v2 write answered without a version (a v1 mount took it as a plain key), or a v1 write
/// answered "nothing here" (a v2 mount's unversioned paths answer 404): writes answer neither
/// way on a mount of the remembered version.
fn wrote_as_other_version(version: KvVersion, outcome: &Result<VersionMetadata, KvError>) -> Doubt {
    let other = match version {
        KvVersion::V2 => matches!(outcome, Ok(meta) if meta.version.is_none()),
        KvVersion::V1 => found_nothing(version, outcome) != Doubt::None,
    };
    if other { Doubt::Strong } else { Doubt::None }
}

impl fmt::Debug for Kv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.h.debug("Kv", f)
    }
}
