//! vaultkit's own small records (leases, history lists) in KV v2: read in one round trip, written
//! with check-and-set on the version read.

use serde::de::DeserializeOwned;
use serde_json::Value;
use vault_core::VaultErrorKind;
use vault_kv::KvV2;

use crate::policy::is_gone;
use crate::{RotationError, RotationErrorKind};

/// The record at `path` (`None`: absent, or its latest version deleted) and the version a
/// check-and-set write must name. One `GET` when the record exists; a missing one costs a
/// metadata read too (it may have deleted versions).
pub(crate) async fn read_record<T: DeserializeOwned>(
    kv: &KvV2,
    path: &str,
) -> Result<(Option<T>, u64), RotationError> {
    // A record created between the data read and the metadata read must not read as absent:
    // read again until both agree.
    for _ in 0..5 {
        if let Some(found) = read_once(kv, path).await? {
            return Ok(found);
        }
    }
    Err(RotationError::new(
        RotationErrorKind::Conflict,
        format!(
            "read vaultkit record `{}/{path}`: it kept changing while being read",
            kv.mount()
        ),
    ))
}

/// One attempt; `None` when a version appeared between the two reads.
async fn read_once<T: DeserializeOwned>(
    kv: &KvV2,
    path: &str,
) -> Result<Option<(Option<T>, u64)>, RotationError> {
    let api = format!("{}/data/{path}", kv.mount());
    let found = match kv.client().read(&api).await {
        Ok(found) => found,
        Err(e) if e.kind() == VaultErrorKind::SecretNotFound => None,
        Err(e) => return Err(e.into()),
    };
    let body = found
        .and_then(|envelope| envelope.data)
        .unwrap_or(Value::Null);
    let version = body
        .pointer("/metadata/version")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    match body.get("data").filter(|d| d.is_object()) {
        Some(data) if version > 0 => {
            let record = serde_json::from_value(data.clone()).map_err(|e| {
                RotationError::new(
                    RotationErrorKind::Vault,
                    format!(
                        "vaultkit record `{}/{path}` has an unexpected shape: {e}",
                        kv.mount()
                    ),
                )
                .with_hint(
                    "it is not written by this version of vaultkit; delete it to start afresh",
                )
            })?;
            Ok(Some((Some(record), version)))
        }
        _ => match kv.read_metadata(path).await {
            Ok(meta) => {
                let live = meta
                    .versions
                    .get(&meta.current_version)
                    .is_some_and(|v| v.is_live());
                Ok((!live).then_some((None, meta.current_version)))
            }
            Err(e) if is_gone(&e) => Ok(Some((None, 0))),
            Err(e) => Err(e.into()),
        },
    }
}
