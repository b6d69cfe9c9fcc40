//! Failures mid-stream leave no object and no completed catalog entry: Vault's connection
//! dropped during the snapshot, the local disk full.

use std::sync::Arc;

use vault_backup::{BackupStatus, CreateOptions, SnapshotFilter, SnapshotManager};
use vault_core::{BlobStore, Classify, LocalDirStore};
use vault_testkit::{Fault, FaultProxy, OpenBao};

use crate::snapshot_support::{FullDisk, client, keys};

async fn assert_nothing_completed(manager: &SnapshotManager, store: &dyn BlobStore) {
    assert_eq!(keys(store, "vault/snapshots/").await, Vec::<String>::new());
    let entries = manager
        .list_snapshots(&SnapshotFilter::all())
        .await
        .expect("list");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].status, BackupStatus::Failed, "{entries:?}");
    assert!(entries[0].failure.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_connection_dropped_mid_snapshot_leaves_nothing() {
    let bao = OpenBao::raft().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let manager =
        SnapshotManager::builder(client(&proxy.addr(), &bao.root_token()), Arc::clone(&store))
            .with_prefix("vault/")
            .build()
            .expect("manager");
    // Learn the steady-state requests before the snapshot (health, leader, …) with two probe
    // snapshots that store nothing; then cut the third one's body in half.
    for _ in 0..2 {
        proxy.reset_counts();
        manager
            .create_snapshot(CreateOptions::full().with_encrypt(false).with_upload(false))
            .await
            .expect("probe snapshot");
    }
    let before = proxy
        .requests()
        .iter()
        .position(|(_, p)| p.contains("sys/storage/raft/snapshot"))
        .expect("the probe asked for a snapshot");
    proxy.reset_counts();
    let mut script = vec![Fault::Pass; before];
    script.push(Fault::TruncatedBody);
    proxy.script(script);
    let e = manager
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await
        .map(|s| {
            panic!(
                "a cut snapshot stream must fail: {s:?} {:?}",
                proxy.requests()
            )
        })
        .unwrap_or_else(|e| e);
    assert_eq!(proxy.pending_faults(), 0, "{:?}", proxy.requests());
    assert!(
        e.to_string().contains("truncated") || e.to_string().contains("snapshot stream"),
        "{e}"
    );
    assert_nothing_completed(&manager, &*store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_leaves_nothing() {
    let bao = OpenBao::raft().await;
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(FullDisk {
        inner: LocalDirStore::new(dir.path()).expect("store"),
        limit: 4096,
    });
    let manager =
        SnapshotManager::builder(client(&bao.addr(), &bao.root_token()), Arc::clone(&store))
            .with_prefix("vault/")
            .build()
            .expect("manager");
    let e = manager
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await
        .expect_err("a full disk fails the snapshot");
    assert!(e.to_string().contains("no space left"), "{e}");
    assert_nothing_completed(&manager, &*store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logical_export_names_the_real_cause_and_leaves_nothing() {
    let bao = OpenBao::dev().await;
    // 3 MB of incompressible values: more than every channel of the pipeline holds, so the
    // export is still running when the store fails.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..50 {
        let value: String = (0..7500)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("{:02x}", x & 0xff)
            })
            .collect();
        crate::snapshot_support::put(
            &bao,
            &format!("bulk/{i}"),
            serde_json::json!({ "v": value }),
        )
        .await;
    }
    // A full disk: the store's error is the cause (not "the export writer stopped").
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(FullDisk {
        inner: LocalDirStore::new(dir.path()).expect("store"),
        limit: 1024,
    });
    let manager =
        SnapshotManager::builder(client(&bao.addr(), &bao.root_token()), Arc::clone(&store))
            .with_prefix("vault/")
            .build()
            .expect("manager");
    let e = manager
        .create_snapshot(CreateOptions::logical("secret").with_encrypt(false))
        .await
        .expect_err("a full disk fails the export");
    assert!(e.to_string().contains("no space left"), "{e}");
    assert_nothing_completed(&manager, &*store).await;

    // A token that may list but not read: Vault's refusal is the cause.
    bao.write_policy(
        "list-only",
        r#"path "secret/metadata/*" { capabilities = ["list"] }"#,
    )
    .await;
    let token = bao.create_token(&["list-only"], "1h").await;
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let manager = SnapshotManager::builder(client(&bao.addr(), &token), Arc::clone(&store))
        .with_prefix("vault/")
        .build()
        .expect("manager");
    let e = manager
        .create_snapshot(CreateOptions::logical("secret").with_encrypt(false))
        .await
        .expect_err("no read permission");
    assert_eq!(e.kind(), vault_backup::BackupErrorKind::Vault, "{e}");
    assert_eq!(e.class(), vault_core::ErrorClass::Permission, "{e}");
    assert_nothing_completed(&manager, &*store).await;
}
