//! The JSON records of a LOGICAL snapshot. They carry secret values: no `Debug`, never logged.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `format` of `manifest.json`.
pub(crate) const FORMAT: &str = "vaultkit-kv-export";

/// `manifest.json`.
#[derive(Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub(crate) format: String,
    pub(crate) format_version: u32,
    pub(crate) mount: String,
    pub(crate) created_at: DateTime<Utc>,
}

/// One secret with its metadata and every retained version.
#[derive(Serialize, Deserialize)]
pub(crate) struct SecretRecord {
    pub(crate) path: String,
    pub(crate) cas_required: bool,
    pub(crate) max_versions: u64,
    pub(crate) delete_version_after: String,
    pub(crate) custom_metadata: BTreeMap<String, String>,
    pub(crate) current_version: u64,
    pub(crate) oldest_version: u64,
    pub(crate) versions: Vec<VersionRecord>,
}

/// One version: its data, or a marker that it was deleted or destroyed.
#[derive(Serialize, Deserialize, PartialEq)]
pub(crate) struct VersionRecord {
    pub(crate) version: u64,
    pub(crate) created_time: String,
    pub(crate) deletion_time: String,
    pub(crate) destroyed: bool,
    /// `None` for a deleted or destroyed version.
    pub(crate) data: Option<Map<String, Value>>,
}

impl SecretRecord {
    /// The highest version number it holds.
    pub(crate) fn last_version(&self) -> u64 {
        self.versions
            .iter()
            .map(|v| v.version)
            .max()
            .unwrap_or(0)
            .max(self.current_version)
    }
}
