//! [`FullRestorePlan`]: what restoring a FULL snapshot would do to the target cluster.

use chrono::{DateTime, SecondsFormat, Utc};
use vault_core::{LeaderStatus, VaultHealth};

use crate::catalog::SnapshotInfo;

/// A FULL restore compared with the target's current state: the snapshot's Raft position and
/// age against the cluster's, and what is lost. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FullRestorePlan {
    /// When the snapshot was taken.
    pub snapshot_created_at: DateTime<Utc>,
    /// Raft index of the snapshot (its `meta.json`).
    pub snapshot_raft_index: Option<u64>,
    /// Raft term of the snapshot (its `meta.json`).
    pub snapshot_raft_term: Option<u64>,
    /// Cluster the snapshot came from.
    pub snapshot_cluster_id: Option<String>,
    /// The target's cluster id (`sys/health`).
    pub target_cluster_id: Option<String>,
    /// The target's version (`sys/health`).
    pub target_version: Option<String>,
    /// The target's last committed Raft index (`sys/leader`).
    pub target_raft_committed_index: Option<u64>,
    /// The target's last applied Raft index (`sys/leader`).
    pub target_raft_applied_index: Option<u64>,
    /// One sentence for the operator: "restoring rolls the cluster back to … (index …);
    /// everything written since (target index …) is lost".
    pub summary: String,
}

impl FullRestorePlan {
    /// The plan for restoring `entry` into a cluster that answered `health` and `leader`.
    pub(crate) fn new(
        entry: &SnapshotInfo,
        health: &VaultHealth,
        leader: Option<&LeaderStatus>,
    ) -> Self {
        let committed = leader.and_then(|l| l.raft_committed_index);
        let applied = leader.and_then(|l| l.raft_applied_index);
        let index = |i: Option<u64>| i.map_or_else(|| "unknown".to_string(), |i| i.to_string());
        let target_index = committed.or(applied);
        let summary = format!(
            "restoring rolls the cluster back to {} (index {}); everything written since \
             (target index {}) is lost",
            entry.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            index(entry.raft_index),
            index(target_index),
        );
        FullRestorePlan {
            snapshot_created_at: entry.created_at,
            snapshot_raft_index: entry.raft_index,
            snapshot_raft_term: entry.raft_term,
            snapshot_cluster_id: entry.cluster_id.clone(),
            target_cluster_id: health.cluster_id.clone(),
            target_version: Some(health.version.clone()).filter(|v| !v.is_empty()),
            target_raft_committed_index: committed,
            target_raft_applied_index: applied,
            summary,
        }
    }
}
