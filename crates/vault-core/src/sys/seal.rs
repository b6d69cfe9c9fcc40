//! [`SealStatus`] (`sys/seal-status`) and [`LeaderStatus`] (`sys/leader`): unauthenticated,
//! root-namespace endpoints whose bodies carry no envelope ([seal-status](https://developer.hashicorp.com/vault/api-docs/system/seal-status),
//! [leader](https://developer.hashicorp.com/vault/api-docs/system/leader)).

use serde::{Deserialize, Serialize};

use super::raw;
use crate::{VaultClient, VaultError};

/// What `sys/seal-status` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SealStatus {
    /// Seal type, e.g. `shamir`.
    #[serde(rename = "type", default)]
    pub seal_type: String,
    /// The server has been initialized.
    #[serde(default)]
    pub initialized: bool,
    /// The server is sealed.
    #[serde(default)]
    pub sealed: bool,
    /// Unseal threshold (key shares needed).
    #[serde(default)]
    pub t: u32,
    /// Number of key shares.
    #[serde(default)]
    pub n: u32,
    /// Key shares entered so far.
    #[serde(default)]
    pub progress: u32,
    /// Nonce of the current unseal attempt (empty when none is running).
    #[serde(default)]
    pub nonce: String,
    /// Server version.
    #[serde(default)]
    pub version: String,
    /// Present when unsealed.
    #[serde(default)]
    pub cluster_name: Option<String>,
    /// Present when unsealed.
    #[serde(default)]
    pub cluster_id: Option<String>,
    /// Storage backend, e.g. `raft`, `inmem`, `file`.
    #[serde(default)]
    pub storage_type: Option<String>,
    /// A seal migration is in progress.
    #[serde(default)]
    pub migration: bool,
    /// Unsealing uses recovery keys (auto-unseal).
    #[serde(default)]
    pub recovery_seal: bool,
    /// Type of the recovery seal, when there is one.
    #[serde(default)]
    pub recovery_seal_type: Option<String>,
    /// HashiCorp Vault: build date.
    #[serde(default)]
    pub build_date: Option<String>,
    /// OpenBao: commit date.
    #[serde(default)]
    pub commit_date: Option<String>,
}

/// What `sys/leader` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeaderStatus {
    /// High availability is enabled.
    #[serde(default)]
    pub ha_enabled: bool,
    /// Whether the node that answered is the leader.
    #[serde(default)]
    pub is_self: bool,
    /// RFC 3339 time the leader became active (Go's zero time when HA is off).
    #[serde(default)]
    pub active_time: Option<String>,
    /// API address of the active node (empty when HA is off).
    #[serde(default)]
    pub leader_address: Option<String>,
    /// Cluster address of the active node.
    #[serde(default)]
    pub leader_cluster_address: Option<String>,
    /// The answering node is a performance standby (Vault Enterprise).
    #[serde(default)]
    pub performance_standby: bool,
    /// Last Raft log index committed (integrated storage only).
    #[serde(default)]
    pub raft_committed_index: Option<u64>,
    /// Last Raft log index applied (integrated storage only).
    #[serde(default)]
    pub raft_applied_index: Option<u64>,
}

impl VaultClient {
    /// `sys/seal-status`: seal type, threshold, unseal progress, storage type. Unauthenticated and
    /// sent once, straight through the transport.
    pub async fn seal_status(&self) -> Result<SealStatus, VaultError> {
        let body = raw::get_ok(self, "get seal status", "sys/seal-status").await?;
        raw::parse_json("get seal status", "sys/seal-status", &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openbao_seal_status_parses() {
        let body = r#"{"type":"shamir","initialized":true,"sealed":false,"t":1,"n":1,"progress":0,
            "nonce":"","version":"2.7.2","commit_date":"2025-01-01T00:00:00Z","migration":false,
            "cluster_name":"vault-cluster-1","cluster_id":"abc","recovery_seal":false,"storage_type":"raft"}"#;
        let s: SealStatus = serde_json::from_str(body).expect("valid body");
        assert_eq!(s.seal_type, "shamir");
        assert!(s.initialized && !s.sealed);
        assert_eq!((s.t, s.n, s.progress), (1, 1, 0));
        assert_eq!(s.storage_type.as_deref(), Some("raft"));
        assert_eq!(s.commit_date.as_deref(), Some("2025-01-01T00:00:00Z"));
    }

    #[test]
    fn leader_parses_with_missing_fields() {
        let l: LeaderStatus =
            serde_json::from_str(r#"{"ha_enabled":false,"is_self":false,"leader_address":""}"#)
                .expect("valid body");
        assert!(!l.ha_enabled);
        assert_eq!(l.leader_address.as_deref(), Some(""));
        assert_eq!(l.raft_applied_index, None);
    }
}
