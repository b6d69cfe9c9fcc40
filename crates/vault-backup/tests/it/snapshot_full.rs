//! FULL (Raft) snapshots against real OpenBao Raft servers: round trip, refusals, another
//! cluster's snapshot.

use std::time::Duration;

use serde_json::json;
use vault_backup::{BackupErrorKind, BackupStatus, CreateOptions, RestoreOptions, SnapshotFilter};
use vault_core::BlobStoreExt;
use vault_testkit::OpenBao;

use crate::snapshot_support::{get, keys, manager, pgp_pair, put, raw_catalog};

const PLANTED: &str = "planted-raft-secret-91c4e2";

/// Read `secret/<path>` version `version` until the restored server answers it.
async fn eventually(bao: &OpenBao, path: &str, version: u64) -> (u16, serde_json::Value) {
    let mut last = (0, json!(null));
    for _ in 0..60 {
        last = get(bao, path, version).await;
        if last.0 == 200 {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_round_trip_brings_every_secret_and_version_back() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    put(&bao, "app/db", json!({"password": PLANTED})).await;
    put(&bao, "app/db", json!({"password": "second"})).await;
    put(&bao, "gone", json!({"k": "v"})).await;
    let (manager, store, _dir) = manager(&bao);
    let (recipients, key, _keys) = pgp_pair();

    let snap = manager
        .create_snapshot(
            CreateOptions::full()
                .with_recipients(recipients.clone())
                .with_retention_days(7),
        )
        .await
        .expect("full snapshot");
    assert_eq!(snap.status, BackupStatus::Completed);
    assert!(snap.raft_index.is_some_and(|i| i > 0), "{snap:?}");
    assert!(
        snap.cluster_id.is_some() && snap.vault_version.is_some(),
        "{snap:?}"
    );
    assert!(
        snap.encrypted && snap.object_key.ends_with(".snap.pgp"),
        "{snap:?}"
    );
    assert_eq!(snap.recipients, recipients.fingerprints());
    assert_ne!(
        snap.plain_sha256, snap.stored_sha256,
        "encrypted: stored != plain"
    );
    assert_eq!(
        keys(&*store, "vault/snapshots/").await,
        vec![snap.object_key.clone()]
    );

    // Change and delete after the snapshot.
    put(&bao, "app/db", json!({"password": "third"})).await;
    let (status, _) = bao.api("DELETE", "secret/metadata/gone", None).await;
    assert_eq!(status, 204);

    // Not verified yet: refused.
    let refused = manager
        .restore_snapshot(&snap.id, RestoreOptions::apply())
        .await
        .expect_err("restore before verify");
    assert_eq!(refused.kind(), BackupErrorKind::Refused, "{refused}");

    let no_key = manager
        .verify_snapshot(&snap.id, None)
        .await
        .expect_err("an encrypted snapshot needs its key");
    assert_eq!(no_key.kind(), BackupErrorKind::Crypto, "{no_key}");
    let verified = manager
        .verify_snapshot(&snap.id, Some(&key))
        .await
        .expect("verify");
    assert_eq!(verified.status, BackupStatus::Verified);
    assert!(verified.verified_at.is_some());

    let plan = manager
        .restore_snapshot(&snap.id, RestoreOptions::dry_run().with_key(key.clone()))
        .await
        .expect("dry run");
    assert!(
        plan.warnings.iter().all(|w| !w.contains("another cluster")),
        "{plan:?}"
    );
    assert_eq!(
        get(&bao, "app/db", 3).await.0,
        200,
        "a dry run writes nothing"
    );

    // The object damaged after it was verified: the restore stream is cut before its end and
    // Vault keeps its data.
    let original = store.get_bytes(&snap.object_key).await.expect("object");
    store
        .put_bytes(&snap.object_key, original.slice(..original.len() - 40))
        .await
        .expect("damage");
    let cut = manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_key(key.clone()))
        .await
        .expect_err("a damaged object is not restored");
    assert_eq!(cut.kind(), BackupErrorKind::Integrity, "{cut}");
    assert_eq!(get(&bao, "app/db", 3).await.0, 200, "Vault kept its data");
    store
        .put_bytes(&snap.object_key, original)
        .await
        .expect("repair");

    manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_key(key))
        .await
        .expect("restore");
    let (status, v1) = eventually(&bao, "app/db", 1).await;
    assert_eq!((status, v1), (200, json!({"password": PLANTED})));
    assert_eq!(
        get(&bao, "app/db", 2).await,
        (200, json!({"password": "second"}))
    );
    assert_eq!(
        get(&bao, "app/db", 3).await.0,
        404,
        "the later write is gone"
    );
    assert_eq!(get(&bao, "gone", 1).await, (200, json!({"k": "v"})));

    let listed = manager
        .list_snapshots(&SnapshotFilter::all().with_status(BackupStatus::Verified))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(!raw_catalog(&*store).await.contains(PLANTED));
    assert!(!format!("{listed:?}{plan:?}").contains(PLANTED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_clusters_snapshot_needs_force_and_warns_about_unseal_keys() {
    let source = OpenBao::raft().await;
    let target = OpenBao::raft().await;
    let (on_source, store, _dir) = manager(&source);
    let snap = on_source
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await
        .expect("snapshot");
    on_source
        .verify_snapshot(&snap.id, None)
        .await
        .expect("verify");

    let on_target = vault_backup::SnapshotManager::builder(
        crate::snapshot_support::client(&target.addr(), &target.root_token()),
        store,
    )
    .with_prefix("vault/")
    .build()
    .expect("manager");
    let plan = on_target
        .restore_snapshot(&snap.id, RestoreOptions::dry_run())
        .await
        .expect("dry run");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("SOURCE cluster's unseal")),
        "{plan:?}"
    );
    let refused = on_target
        .restore_snapshot(&snap.id, RestoreOptions::apply())
        .await
        .expect_err("another cluster without force");
    assert_eq!(refused.kind(), BackupErrorKind::Refused, "{refused}");
    assert!(refused.to_string().contains("unseal keys"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_restore_of_another_cluster_answers_to_the_source_keys_and_tokens() {
    let source = OpenBao::raft().await;
    source.enable_kv_v2("secret").await;
    put(&source, "app/db", json!({"password": PLANTED})).await;
    let target = OpenBao::raft().await;
    let (on_source, store, _dir) = manager(&source);
    let snap = on_source
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await
        .expect("snapshot");
    on_source
        .verify_snapshot(&snap.id, None)
        .await
        .expect("verify");

    let on_target = vault_backup::SnapshotManager::builder(
        crate::snapshot_support::client(&target.addr(), &target.root_token()),
        store,
    )
    .with_prefix("vault/")
    .build()
    .expect("manager");
    let report = on_target
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_force(true))
        .await
        .expect("forced restore");
    assert!(
        report.warnings.iter().any(|w| w.contains("unseal")),
        "{report:?}"
    );

    // The target now holds the source's keyring: unseal it with the source's key if it sealed.
    let source_key = source.unseal_key().expect("source key");
    let mut health = json!(null);
    for _ in 0..80 {
        let (status, body) = target.api_as("", "GET", "sys/health", None).await;
        health = body;
        if status == 200 && health["cluster_id"].as_str() == snap.cluster_id.as_deref() {
            break;
        }
        if status == 503 {
            let _ = target
                .api_as("", "PUT", "sys/unseal", Some(json!({"key": source_key})))
                .await;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(health["sealed"], json!(false), "{health}");
    assert_eq!(
        health["cluster_id"].as_str(),
        snap.cluster_id.as_deref(),
        "{health}"
    );
    let (status, body) = target
        .api_as(&source.root_token(), "GET", "secret/data/app/db", None)
        .await;
    assert_eq!(
        (status, body["data"]["data"]["password"].clone()),
        (200, json!(PLANTED))
    );
    let (status, _) = target.api("GET", "secret/data/app/db", None).await;
    assert_eq!(status, 403, "the target's own root token is gone");
}
