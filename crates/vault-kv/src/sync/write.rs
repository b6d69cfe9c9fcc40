//! The one place that branches on the KV version to write safely: check-and-set on KV v2,
//! read-compare-write on KV v1. (When vault-kv grows a version-independent conditional write,
//! this file is what it replaces.)

use serde_json::{Map, Value};

use super::diff::{Base, read_base, uncached};
use crate::error::{KvError, KvErrorKind};
use crate::kv::Kv;
use crate::mount::KvVersion;

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
    match version {
        KvVersion::V2 => {
            let cas = base.cas.unwrap_or(0);
            match kv.v2().write_cas(path, data, cas).await {
                Ok(meta) => Ok(Written::Done(meta.version)),
                Err(e) if e.kind() == KvErrorKind::CasMismatch => Ok(Written::ChangedSince),
                Err(e) => Err(e),
            }
        }
        KvVersion::V1 => {
            let now = read_base(&uncached(kv), version, path).await?;
            if now.data != base.data {
                return Ok(Written::ChangedSince);
            }
            kv.v1()
                .write(path, data)
                .await
                .map(|()| Written::Done(None))
        }
    }
}
