//! `cleanup_expired` and abandoned `in-progress` entries: older than the threshold they are
//! failed and their partial object removed; younger ones and other entries are left alone.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use vault_core::{BlobStore, BlobStoreExt, LocalDirStore, VaultClient};

use super::SnapshotManager;
use crate::catalog::{BackupStatus, BackupType, SnapshotInfo};
use crate::retention::RetentionPolicy;

fn entry(id: &str, status: BackupStatus, age_hours: i64, object_key: &str) -> SnapshotInfo {
    let mut e = SnapshotInfo::started(
        id.into(),
        BackupType::Full,
        Utc::now() - TimeDelta::hours(age_hours),
        object_key.into(),
    );
    e.status = status;
    e
}

#[tokio::test]
async fn stale_in_progress_entries_are_failed_and_their_objects_removed() {
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    // Nothing here talks to Vault: cleanup reads only the catalog and the store.
    let client = VaultClient::builder()
        .with_address("http://127.0.0.1:9")
        .with_token("planted-root-token")
        .build()
        .expect("client");
    let manager = SnapshotManager::builder(client, Arc::clone(&store))
        .build()
        .expect("manager");
    let partial = &manager
        .catalog
        .object_key("full-20261201T020000Z-00aaaa", false);
    store
        .put_bytes(partial, Bytes::from_static(b"half a snapshot"))
        .await
        .expect("partial object");
    let planted = [
        entry(
            "full-20261201T020000Z-00aaaa",
            BackupStatus::InProgress,
            48,
            partial,
        ),
        entry(
            "full-20261206T010000Z-00bbbb",
            BackupStatus::InProgress,
            1,
            "",
        ),
        entry(
            "full-20261203T010000Z-00cccc",
            BackupStatus::Completed,
            30,
            "",
        ),
    ];
    for e in &planted {
        manager.catalog.put(e).await.expect("plant");
    }
    let policy = RetentionPolicy::default().with_keep_last(5);

    let lenient = manager
        .cleanup_expired(&policy.clone().with_abandoned_after_hours(72), false)
        .await
        .expect("cleanup");
    assert!(lenient.abandoned.is_empty(), "48 h < 72 h: {lenient:?}");

    let plan = manager
        .cleanup_expired(&policy, true)
        .await
        .expect("dry run");
    assert_eq!(plan.abandoned, ["full-20261201T020000Z-00aaaa"]);
    assert!(
        store.head(partial).await.expect("head").is_some(),
        "dry run"
    );
    assert_eq!(
        manager
            .get_snapshot(&planted[0].id)
            .await
            .expect("entry")
            .status,
        BackupStatus::InProgress
    );

    let done = manager
        .cleanup_expired(&policy, false)
        .await
        .expect("cleanup");
    assert_eq!(done.abandoned, plan.abandoned);
    assert!(
        store.head(partial).await.expect("head").is_none(),
        "partial object removed"
    );
    let failed = manager.get_snapshot(&planted[0].id).await.expect("entry");
    assert_eq!(failed.status, BackupStatus::Failed);
    let failure = failed.failure.unwrap_or_default();
    assert!(
        failure.starts_with("abandoned: no progress since 2026-"),
        "{failure}"
    );
    for young in &planted[1..] {
        let now = manager.get_snapshot(&young.id).await.expect("entry");
        assert_eq!(now.status, young.status, "{} left alone", young.id);
    }

    let again = manager
        .cleanup_expired(&policy, false)
        .await
        .expect("cleanup");
    assert!(
        again.abandoned.is_empty(),
        "a failed entry is not abandoned twice"
    );
    let zero = manager
        .cleanup_expired(&policy.with_abandoned_after_hours(0), true)
        .await
        .expect_err("0 hours refused");
    assert_eq!(zero.kind(), crate::BackupErrorKind::Config);
}
