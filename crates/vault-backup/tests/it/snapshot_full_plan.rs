//! A FULL restore dry run against a real OpenBao Raft server says what the restore would do:
//! the snapshot's Raft index, term and time against the target's cluster id, version and
//! current Raft index, and how much is lost.

use serde_json::json;
use vault_backup::{BackupStatus, CreateOptions, RestoreOptions};
use vault_testkit::OpenBao;

use crate::snapshot_support::{manager, put};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_dry_run_reports_the_rollback_against_the_targets_raft_index() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    put(&bao, "app/db", json!({"password": "planted-plan-value"})).await;
    let (manager, _store, _dir) = manager(&bao);
    let snap = manager
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await
        .expect("full snapshot");
    let snap_index = snap.raft_index.expect("snapshot raft index");
    assert!(snap.raft_term.is_some_and(|t| t > 0), "{snap:?}");
    // Writes after the snapshot move the target's index past it.
    for n in 0..5 {
        put(&bao, "app/db", json!({"password": format!("later-{n}")})).await;
    }

    let report = manager
        .restore_snapshot(&snap.id, RestoreOptions::dry_run())
        .await
        .expect("dry run");
    assert!(report.dry_run);
    let plan = report.full.clone().expect("a FULL dry run has a plan");
    assert_eq!(plan.snapshot_raft_index, Some(snap_index));
    assert_eq!(plan.snapshot_raft_term, snap.raft_term);
    assert_eq!(plan.snapshot_created_at, snap.created_at);
    assert_eq!(plan.target_cluster_id, snap.cluster_id, "same cluster");
    assert_eq!(plan.target_version, snap.vault_version);
    let target = plan
        .target_raft_committed_index
        .expect("sys/leader reports the committed index on Raft");
    assert!(
        target > snap_index,
        "target {target} vs snapshot {snap_index}"
    );
    assert!(
        plan.target_raft_applied_index
            .is_some_and(|i| i > snap_index)
    );
    let when = snap
        .created_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(
        plan.summary,
        format!(
            "restoring rolls the cluster back to {when} (index {snap_index}); everything \
             written since (target index {target}) is lost"
        )
    );
    assert!(
        report.warnings.iter().any(|w| w.contains(&plan.summary)),
        "{:?}",
        report.warnings
    );
    assert!(!format!("{report:?}").contains("planted-plan-value"));
    let entry = manager.get_snapshot(&snap.id).await.expect("entry");
    assert_eq!(
        entry.status,
        BackupStatus::Verified,
        "the dry run verified it"
    );
}
