//! Telling a KV v1 mount from a KV v2 mount, as the vault CLI does: `GET
//! sys/internal/ui/mounts/<mount>` and look at `options.version`
//! ([`sys/internal/ui/mounts`](https://developer.hashicorp.com/vault/api-docs/system/internal-ui-mounts)).
//!
//! The answer is remembered on the client (one memo per [`VaultClient`] and its clones, see
//! [`VaultClient::extension`]), per mount. The first calls for a mount are single-flighted: any
//! number of concurrent first calls make one preflight request. A mount's version only changes
//! when it is upgraded or re-mounted: [`crate::Kv`] asks again when a mount answers as the other
//! version, and [`forget_mount`] makes the next call ask.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use serde::Deserialize;
use tokio::sync::OnceCell;
use vault_core::{Method, MountInfo, VaultClient, VaultError, VaultErrorKind, VaultRequest};

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

/// One detection: filled once, by the first caller; the others wait for it.
type Cell = Arc<OnceCell<(KvVersion, Instant)>>;

/// The per-client memo of mount versions.
#[derive(Default)]
pub(crate) struct Memo {
    cells: Mutex<HashMap<Arc<str>, Cell>>,
}

impl Memo {
    fn of(client: &VaultClient) -> Arc<Memo> {
        client.extension::<Memo>()
    }

    fn cell(&self, mount: &str) -> Cell {
        let mut cells = self.cells.lock();
        if let Some(cell) = cells.get(mount) {
            return cell.clone();
        }
        let cell = Cell::default();
        cells.insert(Arc::from(mount), cell.clone());
        cell
    }

    /// Forget `mount`, unless its entry was already replaced by a newer detection than `seen`.
    fn forget(&self, mount: &str, seen: Option<Instant>) {
        let mut cells = self.cells.lock();
        let stale = match (cells.get(mount).and_then(|c| c.get()), seen) {
            (Some((_, at)), Some(seen)) => *at <= seen,
            _ => true,
        };
        if stale {
            cells.remove(mount);
        }
    }
}

/// Forget what was detected about `mount` on this client (after a re-mount or an upgrade from
/// v1 to v2); the next call asks the server again.
pub fn forget_mount(client: &VaultClient, mount: &str) {
    Memo::of(client).forget(mount.trim_matches('/'), None);
}

/// Remember `version` for `mount` on this client without asking the server (when the caller
/// knows it).
pub fn remember_mount(client: &VaultClient, mount: &str, version: KvVersion) {
    let memo = Memo::of(client);
    let mount = mount.trim_matches('/');
    memo.forget(mount, None);
    let _ = memo.cell(mount).set((version, Instant::now()));
}

/// Detect (or recall) the KV version of `mount`, with the instant it was detected.
pub(crate) async fn detect(
    client: &VaultClient,
    mount: &str,
) -> Result<(KvVersion, Instant), KvError> {
    let cell = Memo::of(client).cell(mount);
    cell.get_or_try_init(|| async {
        preflight(client, mount)
            .await
            .map(|version| (version, Instant::now()))
    })
    .await
    .copied()
}

/// Forget a detection made at `detected_at` (a mount answered as the other version) and detect
/// again. Concurrent callers that saw the same answer share one new preflight.
pub(crate) async fn redetect(
    client: &VaultClient,
    mount: &str,
    detected_at: Instant,
) -> Result<(KvVersion, Instant), KvError> {
    Memo::of(client).forget(mount, Some(detected_at));
    detect(client, mount).await
}

/// `GET sys/internal/ui/mounts/<mount>`: the mount's KV version.
async fn preflight(client: &VaultClient, mount: &str) -> Result<KvVersion, KvError> {
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
        // A missing mount and a forbidden one both answer 403 here, by design: ask the mount
        // tables which one it is.
        Err(e) if e.kind() == VaultErrorKind::Permission => {
            return Err(forbidden(client, target, e).await);
        }
        Err(e) => return Err(target.error(e)),
    };
    Ok(version)
}

/// `sys/internal/ui/mounts`: the mounts the token can see (filtered by its policies).
#[derive(Debug, Default, Deserialize)]
struct UiMountList {
    #[serde(default)]
    secret: BTreeMap<String, MountInfo>,
}

/// The KV mounts of a mount table, without their trailing `/`, sorted.
fn kv_mounts(table: &BTreeMap<String, MountInfo>) -> Vec<String> {
    table
        .iter()
        .filter(|(_, info)| info.kv_version().is_some())
        .map(|(path, _)| path.trim_end_matches('/').to_string())
        .collect()
}

/// Why `sys/internal/ui/mounts/<mount>` answered 403 (`e`): Vault gives that answer both for a
/// mount that does not exist and for one the token's policies grant nothing under.
///
/// - The token may read `sys/mounts` (the full table): the mount is absent ([`KvError::NoSuchMount`],
///   with the KV mounts that exist) or present and forbidden ([`KvError::Permission`]).
/// - Otherwise both remain possible ([`KvError::MountNotVisible`]), with the KV mounts the token
///   can see (`sys/internal/ui/mounts`, which any token's default policy may read), if any.
async fn forbidden(client: &VaultClient, target: Target<'_>, e: VaultError) -> KvError {
    let mount = target.mount;
    let permission = |e: VaultError| KvError::Permission {
        operation: target.op,
        path: mount.to_string(),
        api_path: format!("sys/internal/ui/mounts/{mount}"),
        source: e,
    };
    if let Ok(table) = client.list_mounts().await {
        if table.contains_key(&format!("{mount}/")) {
            return permission(e);
        }
        return KvError::NoSuchMount {
            operation: target.op,
            path: mount.to_string(),
            mount: mount.to_string(),
            kv_mounts: kv_mounts(&table),
            source: e,
        };
    }
    let request = VaultRequest::new(Method::Get, "sys/internal/ui/mounts");
    let visible = match send_data::<UiMountList>(client, target, request).await {
        Ok(list) => list.map(|l| kv_mounts(&l.secret)).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    if visible.iter().any(|m| m == mount) {
        return permission(e);
    }
    KvError::MountNotVisible {
        operation: target.op,
        path: mount.to_string(),
        mount: mount.to_string(),
        visible_kv_mounts: visible,
        source: e,
    }
}
