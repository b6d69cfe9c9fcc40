//! A writer that died leaves an `in-progress` entry and half an object: retention cleanup
//! marks it `failed` once it is older than the policy's threshold and removes the object,
//! while real snapshots and fresh `in-progress` entries stay.

use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use serde_json::json;
use vault_backup::{BackupStatus, CreateOptions, RetentionPolicy};
use vault_core::BlobStoreExt;
use vault_testkit::OpenBao;

use crate::snapshot_support::{keys, manager, put};

const STALE: &str = "logical-20261201T020000Z-0dead0";
const FRESH: &str = "logical-20261206T020000Z-0fresh";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_in_progress_entry_is_marked_failed_and_its_partial_object_removed() {
    let bao = OpenBao::dev().await;
    put(&bao, "app/x", json!({"v": "planted-abandoned-value"})).await;
    let (manager, store, _dir) = manager(&bao);
    let real = manager
        .create_snapshot(CreateOptions::logical("secret").with_encrypt(false))
        .await
        .expect("snapshot");

    // Plant what a writer killed mid-upload leaves: its entry (copied from a real one) and
    // half an object; plus one still being written.
    let raw = store
        .get_bytes(&format!("vault/catalog/{}.json", real.id))
        .await
        .expect("entry");
    let template: serde_json::Value = serde_json::from_slice(&raw).expect("entry JSON");
    let partial = format!("vault/snapshots/{STALE}.snap");
    for (id, age, object) in [(STALE, 50, partial.as_str()), (FRESH, 0, "")] {
        let mut entry = template.clone();
        entry["id"] = json!(id);
        entry["status"] = json!("in-progress");
        entry["created_at"] = json!((Utc::now() - TimeDelta::hours(age)).to_rfc3339());
        entry["object_key"] = json!(object);
        for done in [
            "duration_ms",
            "plain_size",
            "stored_size",
            "plain_sha256",
            "stored_sha256",
        ] {
            entry[done] = serde_json::Value::Null;
        }
        store
            .put_bytes(
                &format!("vault/catalog/{id}.json"),
                Bytes::from(entry.to_string()),
            )
            .await
            .expect("plant entry");
    }
    store
        .put_bytes(&partial, Bytes::from_static(b"half an archive"))
        .await
        .expect("plant object");

    let policy = RetentionPolicy::default().with_keep_last(3);
    let plan = manager
        .cleanup_expired(&policy, true)
        .await
        .expect("dry run");
    assert_eq!(plan.abandoned, [STALE]);
    assert_eq!(plan.kept, [real.id.clone()]);
    assert!(keys(&*store, "vault/snapshots/").await.contains(&partial));

    let done = manager
        .cleanup_expired(&policy, false)
        .await
        .expect("cleanup");
    assert_eq!(done.abandoned, [STALE]);
    assert!(done.removed.is_empty());
    assert_eq!(
        keys(&*store, "vault/snapshots/").await,
        [real.object_key.clone()],
        "only the partial object is gone"
    );
    let stale = manager.get_snapshot(STALE).await.expect("entry kept");
    assert_eq!(stale.status, BackupStatus::Failed);
    let failure = stale.failure.unwrap_or_default();
    assert!(
        failure.starts_with("abandoned: no progress since "),
        "{failure}"
    );
    let fresh = manager.get_snapshot(FRESH).await.expect("entry");
    assert_eq!(fresh.status, BackupStatus::InProgress);
    let real_now = manager.get_snapshot(&real.id).await.expect("entry");
    assert_eq!(real_now.status, BackupStatus::Completed);
}
