//! Telling a KV v1 mount from a KV v2 mount, as the vault CLI does: `GET
//! sys/internal/ui/mounts/<mount>` and look at `options.version`
//! ([`sys/internal/ui/mounts`](https://developer.hashicorp.com/vault/api-docs/system/internal-ui-mounts)).
//!
//! The answer is remembered per server address, namespace and mount for the life of the process
//! (a mount's version only changes when it is upgraded or re-mounted; call [`forget_mount`]
//! then).

use std::collections::HashMap;
use std::sync::LazyLock;

use parking_lot::RwLock;
use serde::Deserialize;
use vault_core::{Method, VaultClient, VaultErrorKind, VaultRequest};

use crate::call::{Target, send_data};
use crate::error::KvError;

/// The KV engine version of a mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvVersion {
    /// Unversioned key/value store.
    V1,
    /// Versioned store (`data/`, `metadata/`, …).
    V2,
}

#[derive(Debug, Deserialize)]
struct UiMount {
    #[serde(default)]
    r#type: String,
    #[serde(default)]
    options: Option<HashMap<String, String>>,
}

type Key = (String, String, String);

static KNOWN: LazyLock<RwLock<HashMap<Key, KvVersion>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

fn key(client: &VaultClient, mount: &str) -> Key {
    (
        client.address(),
        client.namespace().unwrap_or("").to_string(),
        mount.to_string(),
    )
}

/// The remembered version of `mount`, if it was detected before.
pub(crate) fn known_version(client: &VaultClient, mount: &str) -> Option<KvVersion> {
    let known = KNOWN.read();
    if known.is_empty() {
        return None;
    }
    known.get(&key(client, mount)).copied()
}

/// Forget what was detected about `mount` on this client's server and namespace (after a
/// re-mount or an upgrade from v1 to v2).
pub fn forget_mount(client: &VaultClient, mount: &str) {
    KNOWN.write().remove(&key(client, mount.trim_matches('/')));
}

/// Remember `version` for `mount` without asking the server (when the caller knows it).
pub fn remember_mount(client: &VaultClient, mount: &str, version: KvVersion) {
    KNOWN
        .write()
        .insert(key(client, mount.trim_matches('/')), version);
}

/// Detect (or recall) the KV version of `mount`.
pub(crate) async fn detect(client: &VaultClient, mount: &str) -> Result<KvVersion, KvError> {
    if let Some(v) = known_version(client, mount) {
        return Ok(v);
    }
    let target = Target {
        op: "detect the KV version of",
        mount,
        path: "",
    };
    let request = VaultRequest::new(Method::Get, format!("sys/internal/ui/mounts/{mount}"));
    let version = match send_data::<UiMount>(client, target, request).await {
        Ok(Some(info)) => {
            if !info.r#type.is_empty() && info.r#type != "kv" && info.r#type != "generic" {
                return Err(KvError::validation(
                    target.op,
                    mount,
                    format!(
                        "`{mount}` is a `{}` mount, not a KV secrets engine",
                        info.r#type
                    ),
                ));
            }
            match info
                .options
                .as_ref()
                .and_then(|o| o.get("version"))
                .map(String::as_str)
            {
                Some("2") => KvVersion::V2,
                _ => KvVersion::V1,
            }
        }
        // Very old servers have no preflight endpoint: they only know v1.
        Ok(None) => KvVersion::V1,
        Err(e) if e.kind() == VaultErrorKind::SecretNotFound => KvVersion::V1,
        Err(e) if e.kind() == VaultErrorKind::RouteNotFound => KvVersion::V1,
        // A missing mount and a forbidden one both answer 403 here, by design (mounts cannot be
        // probed); say both.
        Err(e) if e.kind() == VaultErrorKind::Permission => {
            return Err(KvError::Permission {
                operation: target.op,
                path: mount.to_string(),
                api_path: format!("sys/internal/ui/mounts/{mount} (the mount may also not exist)"),
                source: e,
            });
        }
        Err(e) => return Err(target.error(e)),
    };
    KNOWN.write().insert(key(client, mount), version);
    Ok(version)
}
