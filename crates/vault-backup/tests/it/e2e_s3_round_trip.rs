//! End to end on S3: FULL and LOGICAL snapshots of a real Raft-backed OpenBao, encrypted to
//! an OpenPGP key and stored in an S3 bucket, are verified with the key and restored (whole, or
//! one subtree); gpg decrypts the object exactly as the bucket holds it.

use std::time::Duration;

use bytes::Bytes;
use vault_backup::{
    BackupStatus, CreateOptions, MIN_PART_SIZE, RestoreOptions, SnapshotFilter, SnapshotInfo,
    SnapshotManager,
};
use vault_core::{BlobStore, BlobStoreExt, LocalDirStore};
use vault_testkit::OpenBao;

use crate::e2e_support::{
    PLANTED, all_states, damage, manager_at, s3_server, s3_store, seed, sha256_hex, state,
    write_bulk,
};
use crate::pgp::Gpg;
use crate::snapshot_support::{client, keys, pgp_pair, put, raw_catalog};

/// Reads the seeded secrets until they equal `want` (a restored Raft server takes a moment
/// to answer again).
async fn wait_for_states(bao: &OpenBao, want: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut last = Vec::new();
    for _ in 0..60 {
        let (status, _) = bao.api("GET", "sys/health", None).await;
        if status == 200 {
            last = all_states(bao).await;
            if last == want {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    last
}

/// `gpg --decrypt` of `cipher` with the key in `key_file` imported into a fresh gpg home.
fn gpg_decrypt(key_file: &std::path::Path, cipher: &[u8]) -> Vec<u8> {
    let gpg = Gpg::new();
    gpg.import(key_file);
    let dir = tempfile::tempdir().expect("temp dir");
    let (input, output) = (dir.path().join("object.pgp"), dir.path().join("object"));
    std::fs::write(&input, cipher).expect("write the downloaded object");
    gpg.decrypt(&input, &output, "");
    std::fs::read(&output).expect("gpg's output")
}

/// Stores `plain` unencrypted in a local folder with `snap`'s catalog entry (adjusted to the
/// plain object) and runs the library's verify (the archive check) on it.
async fn verify_as_plain(snap: &SnapshotInfo, plain: Vec<u8>) -> SnapshotInfo {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: std::sync::Arc<dyn BlobStore> =
        std::sync::Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let mut entry = snap.clone();
    entry.object_key = format!("vault/snapshots/{}.snap", snap.id);
    entry.encrypted = false;
    entry.recipients = Vec::new();
    entry.stored_size = entry.plain_size;
    entry.stored_sha256 = entry.plain_sha256.clone();
    store
        .put_bytes(&entry.object_key, Bytes::from(plain))
        .await
        .expect("put the plain object");
    store
        .put_bytes(
            &format!("vault/catalog/{}.json", snap.id),
            Bytes::from(serde_json::to_vec(&entry).expect("entry JSON")),
        )
        .await
        .expect("put the entry");
    // verify makes no Vault call; the address is never contacted.
    let manager = SnapshotManager::builder(client("http://127.0.0.1:9", "unused"), store)
        .with_prefix("vault/")
        .build()
        .expect("manager");
    manager
        .verify_snapshot(&snap.id, None)
        .await
        .expect("gpg's plaintext passes the archive check")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_snapshot_encrypted_to_s3_restores_every_version_and_gpg_decrypts_the_object() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    seed(&bao).await;
    // Enough barrier-encrypted data that the snapshot needs two 5 MiB parts.
    write_bulk(&bao, 14).await;
    let before = all_states(&bao).await;
    let bulk_before = state(&bao, "bulk/07").await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, key, key_dir) = pgp_pair();
    let manager = manager_at(&bao.addr(), &bao, &store, &recipients);

    let snap = manager
        .create_snapshot(CreateOptions::full())
        .await
        .expect("FULL snapshot to S3");
    assert_eq!(snap.status, BackupStatus::Completed);
    assert!(snap.encrypted, "{snap:?}");
    assert_eq!(snap.recipients, recipients.fingerprints());
    let stored_size = snap.stored_size.expect("stored size");
    assert!(stored_size > MIN_PART_SIZE as u64, "{snap:?}");
    assert!(s3.request_count("UploadPart") >= 2, "a multipart upload");
    assert_eq!(s3.open_uploads(), Vec::new());
    assert_eq!(
        keys(&*store, "vault/snapshots/").await,
        vec![snap.object_key.clone()]
    );

    damage(&bao).await;
    put(&bao, "bulk/07", serde_json::json!({"blob": "overwritten"})).await;
    assert_ne!(all_states(&bao).await, before);

    let verified = manager
        .verify_snapshot(&snap.id, Some(&key))
        .await
        .expect("verify with the key");
    assert_eq!(verified.status, BackupStatus::Verified);
    manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_key(key))
        .await
        .expect("restore from S3");
    assert_eq!(
        wait_for_states(&bao, &before).await,
        before,
        "every secret and version is back"
    );
    assert_eq!(state(&bao, "bulk/07").await, bulk_before);

    // The object exactly as the bucket holds it: gpg decrypts it to the snapshot the catalog
    // describes, and that passes the archive check.
    let stored = store
        .get_bytes(&snap.object_key)
        .await
        .expect("download the object");
    assert_eq!(stored.len() as u64, stored_size);
    assert_eq!(Some(sha256_hex(&stored)), snap.stored_sha256);
    let plain = gpg_decrypt(&key_dir.path().join("ops.key"), &stored);
    assert_eq!(Some(sha256_hex(&plain)), snap.plain_sha256);
    assert_eq!(plain.get(..2), Some(&[0x1f, 0x8b][..]), "a gzip stream");
    let checked = verify_as_plain(&snap, plain).await;
    assert_eq!(checked.status, BackupStatus::Verified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logical_snapshot_encrypted_to_s3_restores_whole_and_one_subtree() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    seed(&bao).await;
    let before = all_states(&bao).await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, key, _key_dir) = pgp_pair();
    let manager = manager_at(&bao.addr(), &bao, &store, &recipients);

    let snap = manager
        .create_snapshot(CreateOptions::logical("secret"))
        .await
        .expect("LOGICAL snapshot to S3");
    assert_eq!(snap.status, BackupStatus::Completed);
    assert!(
        snap.encrypted && snap.object_key.ends_with(".pgp"),
        "{snap:?}"
    );
    assert_eq!(snap.secrets, Some(3));
    let stored = store.get_bytes(&snap.object_key).await.expect("download");
    assert!(
        !String::from_utf8_lossy(&stored).contains(PLANTED),
        "the object in the bucket is encrypted"
    );

    damage(&bao).await;
    manager
        .verify_snapshot(&snap.id, None)
        .await
        .expect_err("an encrypted snapshot needs its key");
    manager
        .verify_snapshot(&snap.id, Some(&key))
        .await
        .expect("verify with the key");
    let done = manager
        .restore_snapshot(&snap.id, RestoreOptions::apply().with_key(key.clone()))
        .await
        .expect("restore from S3");
    assert_eq!(done.versions_written, 3 + 2 + 1);
    assert_eq!(
        all_states(&bao).await,
        before,
        "every secret and version is back"
    );

    // Granular: only app/ comes back from the bucket; other/cfg keeps its new value.
    damage(&bao).await;
    put(&bao, "other/cfg", serde_json::json!({"flag": false})).await;
    let other_now = state(&bao, "other/cfg").await;
    let granular = manager
        .restore_snapshot(
            &snap.id,
            RestoreOptions::apply().with_key(key).with_prefix("app"),
        )
        .await
        .expect("granular restore from S3");
    let paths: Vec<&str> = granular.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["app/api", "app/db"]);
    assert_eq!(state(&bao, "app/api").await, before[0]);
    assert_eq!(state(&bao, "app/db").await, before[1]);
    assert_eq!(state(&bao, "other/cfg").await, other_now);

    let listed = manager
        .list_snapshots(&SnapshotFilter::all())
        .await
        .expect("list");
    assert!(!raw_catalog(&*store).await.contains(PLANTED));
    assert!(!format!("{listed:?}{done:?}{granular:?}").contains(PLANTED));
}
