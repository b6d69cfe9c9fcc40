//! The one place that writes conditionally: [`Kv::write_with`] with `cas` (KV v2 check-and-set,
//! KV v1 create-only), plus, for an update on KV v1 (which has no check-and-set), a read and a
//! comparison just before the write.

use serde_json::{Map, Value};

use super::diff::{Base, read_base, uncached};
use crate::error::{KvError, KvErrorKind};
use crate::kv::Kv;
use crate::mount::KvVersion;
use crate::v2::types::WriteOptions;

/// What a conditional write did.
pub(super) enum Written {
    /// Written; the new version on KV v2.
    Done(Option<u64>),
    /// The secret changed since `base` was read: nothing written.
    ChangedSince,
}

/// Write `data` to `path` only if Vault still holds what `base` describes. The write goes
/// through `kv` (so its cache, if any, is invalidated); the KV v1 re-read bypasses the cache.
pub(super) async fn write_if_unchanged(
    kv: &Kv,
    version: KvVersion,
    path: &str,
    data: &Map<String, Value>,
    base: &Base,
) -> Result<Written, KvError> {
    if version == KvVersion::V1 && !base.data.is_empty() {
        let now = read_base(&uncached(kv), version, path).await?;
        if now.data != base.data {
            return Ok(Written::ChangedSince);
        }
        return kv.write(path, data).await.map(|_| Written::Done(None));
    }
    // KV v2: the version read (0 for a new secret); KV v1: create-only.
    let options = WriteOptions {
        cas: Some(base.cas.unwrap_or(0)),
    };
    match kv.write_with(path, data, options).await {
        Ok(meta) => Ok(Written::Done(meta.version)),
        Err(e) if e.kind() == KvErrorKind::CasMismatch => Ok(Written::ChangedSince),
        Err(e) => Err(e),
    }
}
