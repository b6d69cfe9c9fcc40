//! Catalog life cycle over a real store: listing filters, retention (dry run, then for real,
//! never the newest verified snapshot), encrypted LOGICAL snapshots and wrong keys.

use serde_json::json;
use vault_backup::{
    BackupErrorKind, BackupStatus, BackupType, CreateOptions, RestoreOptions, RetentionPolicy,
    SnapshotFilter,
};
use vault_testkit::OpenBao;

use crate::snapshot_support::{keys, manager, pgp_pair, put};

const PLANTED: &str = "planted-lifecycle-value-c0ffee";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_removes_objects_marks_entries_and_keeps_the_newest_verified() {
    let bao = OpenBao::dev().await;
    put(&bao, "app/x", json!({"v": PLANTED})).await;
    let (manager, store, _dir) = manager(&bao);
    let mut ids = Vec::new();
    for _ in 0..4 {
        let snap = manager
            .create_snapshot(CreateOptions::logical("secret").with_encrypt(false))
            .await
            .expect("snapshot");
        ids.push(snap.id);
    }
    // The second one is the newest verified snapshot.
    manager
        .verify_snapshot(&ids[1], None)
        .await
        .expect("verify");

    let since = manager
        .get_snapshot(&ids[2])
        .await
        .expect("entry")
        .created_at;
    let recent = manager
        .list_snapshots(&SnapshotFilter::all().with_since(since))
        .await
        .expect("list");
    assert_eq!(
        recent.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        ids[2..].to_vec()
    );
    let verified = manager
        .list_snapshots(
            &SnapshotFilter::all()
                .with_type(BackupType::Logical)
                .with_status(BackupStatus::Verified),
        )
        .await
        .expect("list");
    assert_eq!(verified.len(), 1);

    let policy = RetentionPolicy::default().with_keep_last(1);
    let plan = manager
        .cleanup_expired(&policy, true)
        .await
        .expect("dry run");
    assert_eq!(plan.kept, vec![ids[1].clone(), ids[3].clone()]);
    assert_eq!(plan.removed, vec![ids[0].clone(), ids[2].clone()]);
    assert_eq!(
        keys(&*store, "vault/snapshots/").await.len(),
        4,
        "a dry run removes nothing"
    );

    let done = manager
        .cleanup_expired(&policy, false)
        .await
        .expect("cleanup");
    assert_eq!(done.removed, plan.removed);
    let left = keys(&*store, "vault/snapshots/").await;
    assert_eq!(left.len(), 2, "{left:?}");
    for id in &done.removed {
        let entry = manager
            .get_snapshot(id)
            .await
            .expect("entry kept as history");
        assert_eq!(entry.status, BackupStatus::Expired);
        let e = manager
            .verify_snapshot(id, None)
            .await
            .expect_err("expired");
        assert_eq!(e.kind(), BackupErrorKind::Refused, "{e}");
    }
    assert!(
        manager
            .cleanup_expired(&RetentionPolicy::default(), true)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_logical_snapshot_round_trips_and_a_wrong_key_is_refused_without_leaking() {
    let bao = OpenBao::dev().await;
    put(&bao, "svc/token", json!({"token": PLANTED})).await;
    let (manager, store, _dir) = manager(&bao);
    let (recipients, key, _keys) = pgp_pair();
    let (_, other_key, _other) = pgp_pair();

    let snap = manager
        .create_snapshot(CreateOptions::logical("secret").with_recipients(recipients))
        .await
        .expect("encrypted logical snapshot");
    assert!(snap.encrypted);
    let stored = vault_core::BlobStoreExt::get_bytes(&*store, &snap.object_key)
        .await
        .expect("object");
    assert!(
        !stored
            .windows(PLANTED.len())
            .any(|w| w == PLANTED.as_bytes()),
        "the stored object is ciphertext"
    );

    let wrong = manager
        .verify_snapshot(&snap.id, Some(&other_key))
        .await
        .expect_err("another key");
    assert_eq!(wrong.kind(), BackupErrorKind::Crypto, "{wrong}");
    assert!(!format!("{wrong} {wrong:?}").contains(PLANTED));
    // A key problem says nothing about the snapshot: it is not marked failed.
    assert_eq!(
        manager.get_snapshot(&snap.id).await.expect("entry").status,
        BackupStatus::Completed
    );

    let (s, _) = bao.api("DELETE", "secret/metadata/svc/token", None).await;
    assert_eq!(s, 204);
    let plan = manager
        .restore_snapshot(&snap.id, RestoreOptions::dry_run().with_key(key.clone()))
        .await
        .expect("dry run verifies");
    assert_eq!(plan.changes.len(), 1);
    manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_key(key))
        .await
        .expect("restore");
    let (status, body) = bao.api("GET", "secret/data/svc/token", None).await;
    assert_eq!(
        (status, body["data"]["data"]["token"].clone()),
        (200, json!(PLANTED))
    );
}
