//! The real OpenBao 2.7.2 Raft snapshot verifies; empty, truncated and bit-flipped copies are
//! rejected with a reason and recorded as failed.

use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use vault_backup::{BackupErrorKind, BackupStatus, SnapshotManager};
use vault_core::{BlobStore, BlobStoreExt, LocalDirStore};

use crate::snapshot_support::client;

const FIXTURE: &[u8] = include_bytes!("../fixtures/openbao-2.7.2-small.snap");

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Store `bytes` as snapshot `id` with a catalog entry that records their own checksums (so
/// only the archive check can find a fault).
async fn plant(store: &dyn BlobStore, id: &str, bytes: &[u8]) {
    let key = format!("vault/snapshots/{id}.snap");
    store
        .put_bytes(&key, Bytes::copy_from_slice(bytes))
        .await
        .expect("put");
    let entry = serde_json::json!({
        "id": id, "backup_type": "full", "status": "completed",
        "created_at": "2026-11-28T17:49:20Z", "duration_ms": 10, "object_key": key,
        "encrypted": false, "recipients": [], "plain_size": bytes.len(), "stored_size": bytes.len(),
        "plain_sha256": hex(bytes), "stored_sha256": hex(bytes), "vault_version": "2.7.2",
        "cluster_id": null, "cluster_name": null, "kv_mount": null, "raft_index": 57,
        "secrets": null, "retention_days": null, "verified_at": null, "failure": null
    });
    store
        .put_bytes(
            &format!("vault/catalog/{id}.json"),
            Bytes::from(entry.to_string()),
        )
        .await
        .expect("catalog");
}

#[tokio::test]
async fn the_openbao_snapshot_verifies_and_damaged_copies_fail_with_a_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    // No Vault call is made by verify; the address is never contacted.
    let manager =
        SnapshotManager::builder(client("http://127.0.0.1:9", "unused"), Arc::clone(&store))
            .with_prefix("vault/")
            .build()
            .expect("manager");

    plant(&*store, "full-20261128t174920z-000001", FIXTURE).await;
    let ok = manager
        .verify_snapshot("full-20261128t174920z-000001", None)
        .await
        .expect("the real snapshot verifies");
    assert_eq!(ok.status, BackupStatus::Verified);

    let mut flipped = FIXTURE.to_vec();
    flipped[FIXTURE.len() / 2] ^= 0x01;
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("full-20261128t174920z-000002", Vec::new(), "empty"),
        (
            "full-20261128t174920z-000003",
            FIXTURE[..FIXTURE.len() * 2 / 3].to_vec(),
            "truncated",
        ),
        ("full-20261128t174920z-000004", flipped, "damaged"),
    ];
    for (id, bytes, reason) in cases {
        plant(&*store, id, &bytes).await;
        let e = manager.verify_snapshot(id, None).await.expect_err(reason);
        assert_eq!(e.kind(), BackupErrorKind::Integrity, "{id}: {e}");
        assert!(e.to_string().contains(reason), "{id}: {e}");
        let entry = manager.get_snapshot(id).await.expect("entry");
        assert_eq!(entry.status, BackupStatus::Failed);
        assert!(
            entry.failure.as_deref().is_some_and(|f| f.contains(reason)),
            "{entry:?}"
        );
    }
}
