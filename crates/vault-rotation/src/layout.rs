//! [`VaultkitPaths`]: where vault-rotation keeps its own records (policies, leases, history) in
//! a KV v2 mount, so that every scheduler on every machine shares them.

use serde::{Deserialize, Serialize};

/// The default mount of vaultkit's records.
pub const DEFAULT_VAULTKIT_MOUNT: &str = "secret";
/// The default prefix of vaultkit's records inside that mount.
pub const DEFAULT_VAULTKIT_PREFIX: &str = "vaultkit/rotation";

/// A KV v2 mount and a prefix under which vault-rotation keeps `policies/<name>`,
/// `leases/<mount>/<path>` and `history/<mount>/<path>`. Default `secret` and
/// `vaultkit/rotation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultkitPaths {
    mount: String,
    prefix: String,
}

impl Default for VaultkitPaths {
    fn default() -> Self {
        VaultkitPaths::new(DEFAULT_VAULTKIT_MOUNT, DEFAULT_VAULTKIT_PREFIX)
    }
}

impl VaultkitPaths {
    /// Records in KV v2 mount `mount` under `prefix` (slashes around either are dropped).
    pub fn new(mount: impl Into<String>, prefix: impl Into<String>) -> Self {
        VaultkitPaths {
            mount: mount.into().trim_matches('/').to_string(),
            prefix: prefix.into().trim_matches('/').to_string(),
        }
    }

    /// The KV v2 mount.
    pub fn mount(&self) -> &str {
        &self.mount
    }

    /// The prefix inside the mount.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(crate) fn policies(&self) -> String {
        format!("{}/policies", self.prefix)
    }

    pub(crate) fn policy(&self, name: &str) -> String {
        format!("{}/policies/{name}", self.prefix)
    }

    pub(crate) fn lease(&self, mount: &str, path: &str) -> String {
        format!("{}/leases/{mount}/{path}", self.prefix)
    }

    pub(crate) fn history(&self, mount: &str, path: &str) -> String {
        format!("{}/history/{mount}/{path}", self.prefix)
    }
}
