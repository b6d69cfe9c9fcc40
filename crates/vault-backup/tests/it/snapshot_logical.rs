//! LOGICAL snapshots of a KV v2 mount (on a dev server: no Raft needed): round trip with every
//! version, deleted and destroyed markers and metadata; granular restore of a subtree.

use serde_json::json;
use vault_backup::{
    BackupStatus, BackupType, CreateOptions, RestoreAction, RestoreOptions, SnapshotFilter,
};
use vault_testkit::OpenBao;

use crate::e2e_support::{PLANTED, all_states, seed, state};
use crate::snapshot_support::{manager, put, raw_catalog};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logical_round_trip_and_granular_restore() {
    let bao = OpenBao::dev().await;
    seed(&bao).await;
    let before = all_states(&bao).await;
    assert_eq!(before[1]["versions"]["2"], json!("deleted"), "{before:?}");
    assert_eq!(before[0]["versions"]["1"], json!("destroyed"), "{before:?}");
    let (manager, store, _dir) = manager(&bao);

    let snap = manager
        .create_snapshot(CreateOptions::logical("secret").with_encrypt(false))
        .await
        .expect("logical snapshot");
    assert_eq!(snap.status, BackupStatus::Completed);
    assert_eq!(snap.secrets, Some(3));
    assert_eq!(snap.kv_mount.as_deref(), Some("secret"));

    // Change and delete.
    put(&bao, "app/db", json!({"password": "later"})).await;
    let (s, _) = bao.api("DELETE", "secret/metadata/other/cfg", None).await;
    assert_eq!(s, 204);
    put(&bao, "app/api", json!({"key": "a3"})).await;

    // A key is not needed for an unencrypted snapshot, and does no harm.
    let (_, key, _keys) = crate::snapshot_support::pgp_pair();
    manager
        .verify_snapshot(&snap.id, Some(&key))
        .await
        .expect("verify");
    let plan = manager
        .restore_snapshot(&snap.id, RestoreOptions::dry_run())
        .await
        .expect("dry run");
    let actions: Vec<(String, RestoreAction)> = plan
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.action))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("app/api".to_string(), RestoreAction::Replace),
            ("app/db".to_string(), RestoreAction::Replace),
            ("other/cfg".to_string(), RestoreAction::Create),
        ]
    );
    assert_eq!(
        state(&bao, "other/cfg").await,
        json!(null),
        "a dry run writes nothing"
    );

    let done = manager
        .restore_snapshot(&snap.id, RestoreOptions::apply())
        .await
        .expect("restore");
    assert_eq!(done.versions_written, 3 + 2 + 1);
    assert_eq!(
        all_states(&bao).await,
        before,
        "every secret and version is back"
    );
    let again = manager
        .restore_snapshot(&snap.id, RestoreOptions::dry_run())
        .await
        .expect("dry run after restore");
    assert!(
        again
            .changes
            .iter()
            .all(|c| c.action == RestoreAction::Unchanged),
        "{again:?}"
    );

    // Granular: only app/ comes back; other/cfg keeps its new value.
    put(&bao, "app/db", json!({"password": "broken"})).await;
    put(&bao, "other/cfg", json!({"flag": false})).await;
    let other_now = state(&bao, "other/cfg").await;
    let granular = manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_prefix("app"))
        .await
        .expect("granular restore");
    let paths: Vec<&str> = granular.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["app/api", "app/db"]);
    assert_eq!(state(&bao, "app/db").await, before[1]);
    assert_eq!(state(&bao, "other/cfg").await, other_now);

    // No planted value in the catalog, the reports or the entries' Debug.
    let listed = manager
        .list_snapshots(&SnapshotFilter::all().with_type(BackupType::Logical))
        .await
        .expect("list");
    assert!(!raw_catalog(&*store).await.contains(PLANTED));
    assert!(!format!("{listed:?}{plan:?}{done:?}{granular:?}").contains(PLANTED));
}
