//! KV v2: every endpoint of a versioned mount, through a [`KvV2`] handle
//! (`client.kv2("secret")`).
//!
//! | endpoint | method |
//! | --- | --- |
//! | `GET data/:path[?version]` | [`KvV2::read`], [`KvV2::read_version`] |
//! | `POST data/:path` (`cas`) | [`KvV2::write`], [`KvV2::write_data`] |
//! | `PATCH data/:path` (merge patch) | [`KvV2::patch`] |
//! | `DELETE data/:path` | [`KvV2::delete_latest`] |
//! | `POST delete/:path` | [`KvV2::delete_versions`] |
//! | `POST undelete/:path` | [`KvV2::undelete_versions`] |
//! | `POST destroy/:path` | [`KvV2::destroy_versions`] |
//! | `GET/POST/PATCH/DELETE metadata/:path` | [`KvV2::read_metadata`], [`KvV2::write_metadata`], [`KvV2::patch_metadata`], [`KvV2::delete_metadata`] |
//! | `LIST metadata/:path` | [`KvV2::list`] |
//! | `GET subkeys/:path` | [`KvV2::subkeys`] |
//! | `GET/POST config` | [`KvV2::read_config`], [`KvV2::write_config`] |

use std::fmt;

use vault_core::VaultClient;

use crate::cache::Handle;

mod config;
mod data;
mod explain;
mod metadata;
pub(crate) mod types;
mod versions;
#[cfg(test)]
mod wire_tests;

/// A KV v2 mount seen through one client. Cheap to clone.
///
/// Made by [`crate::KvExt::kv2`] (no cache) or [`crate::CachedKv::kv2`] (reads cached, writes
/// invalidate).
#[derive(Clone)]
pub struct KvV2 {
    pub(crate) h: Handle,
}

impl KvV2 {
    pub(crate) fn new(h: Handle) -> Self {
        KvV2 { h }
    }

    /// The mount this handle works on (no slashes).
    pub fn mount(&self) -> &str {
        &self.h.mount
    }

    /// The client requests go through.
    pub fn client(&self) -> &VaultClient {
        &self.h.client
    }
}

impl fmt::Debug for KvV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.h.debug("KvV2", f)
    }
}
