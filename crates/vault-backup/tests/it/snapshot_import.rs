//! `import_snapshot`: a snapshot taken elsewhere (the real OpenBao 2.7.2 Raft snapshot) goes
//! through the same checks, encryption and catalog as one taken from Vault, without contacting
//! Vault; a damaged one leaves no object and a `failed` entry.

use std::sync::Arc;

use bytes::Bytes;
use vault_backup::{BackupErrorKind, BackupStatus, CreateOptions, SnapshotFilter, SnapshotManager};
use vault_core::{BlobStore, ByteStream, LocalDirStore};

use crate::snapshot_support::{client, keys, pgp_pair};

const FIXTURE: &[u8] = include_bytes!("../fixtures/openbao-2.7.2-small.snap");

/// `bytes` as a stream of 4 KiB chunks.
fn stream(bytes: &'static [u8]) -> ByteStream {
    Box::pin(futures_util::stream::iter(
        bytes
            .chunks(4096)
            .map(|c| Ok::<Bytes, std::io::Error>(Bytes::from_static(c))),
    ))
}

/// A manager whose Vault address is never contacted (nothing listens on port 9).
fn offline_manager() -> (SnapshotManager, Arc<dyn BlobStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let manager =
        SnapshotManager::builder(client("http://127.0.0.1:9", "unused"), Arc::clone(&store))
            .with_prefix("vault/")
            .build()
            .expect("manager");
    (manager, store, dir)
}

#[tokio::test]
async fn an_imported_openbao_snapshot_is_encrypted_catalogued_and_verifies() {
    let (manager, store, _dir) = offline_manager();
    let (recipients, key, _keys) = pgp_pair();
    let info = manager
        .import_snapshot(
            stream(FIXTURE),
            CreateOptions::full().with_recipients(recipients.clone()),
        )
        .await
        .expect("import");
    assert_eq!(info.status, BackupStatus::Completed);
    assert!(info.encrypted);
    assert_eq!(info.recipients, recipients.fingerprints());
    assert_eq!(info.plain_size, Some(FIXTURE.len() as u64));
    assert_eq!(info.raft_index, Some(57));
    assert_eq!(info.cluster_id, None, "no cluster was asked");
    let objects = keys(&*store, "vault/snapshots/").await;
    assert_eq!(
        objects,
        vec![format!("vault/snapshots/{}.snap.pgp", info.id)]
    );

    let verified = manager
        .verify_snapshot(&info.id, Some(&key))
        .await
        .expect("verify");
    assert_eq!(verified.status, BackupStatus::Verified);
}

#[tokio::test]
async fn a_damaged_import_leaves_no_object_and_a_failed_entry() {
    let (manager, store, _dir) = offline_manager();
    let truncated: &'static [u8] = &FIXTURE[..FIXTURE.len() - 300];
    let err = manager
        .import_snapshot(stream(truncated), CreateOptions::full().with_encrypt(false))
        .await
        .expect_err("a truncated snapshot is refused");
    assert_eq!(err.kind(), BackupErrorKind::Integrity, "{err}");
    assert!(keys(&*store, "vault/snapshots/").await.is_empty());
    let entries = manager
        .list_snapshots(&SnapshotFilter::all())
        .await
        .expect("list");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].status, BackupStatus::Failed);
}
