//! Soft-deleted and destroyed versions, undelete, and max_versions pruning.

use serde_json::json;
use vault_kv::{KvError, KvErrorKind, KvExt, MetadataRequest};

use crate::common::server;

#[tokio::test]
async fn deleted_and_destroyed_versions_are_told_apart() {
    let (_bao, client) = server().await;
    let kv = client.kv2("secret");
    for i in 1..=4 {
        kv.write_data("app/db", &json!({"n": i}))
            .await
            .expect("write");
    }
    kv.delete_versions("app/db", &[2])
        .await
        .expect("soft delete v2");
    kv.destroy_versions("app/db", &[3])
        .await
        .expect("destroy v3");

    let e = kv
        .read_version("app/db", 2)
        .await
        .expect_err("v2 is deleted");
    match &e {
        KvError::VersionDeleted {
            version,
            deletion_time,
            existing,
            ..
        } => {
            assert_eq!(*version, 2);
            assert!(!deletion_time.is_empty());
            assert_eq!(existing, &vec![1, 4]);
        }
        other => panic!("expected VersionDeleted, got {other:?}"),
    }
    let e = kv
        .read_version("app/db", 3)
        .await
        .expect_err("v3 is destroyed");
    assert_eq!(e.kind(), KvErrorKind::VersionDestroyed);
    assert_eq!(
        e.to_string(),
        "secret `secret/app/db` version 3 was destroyed; versions 1 and 4 exist"
    );
    let e = kv
        .read_version("app/db", 9)
        .await
        .expect_err("no version 9");
    assert_eq!(e.kind(), KvErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "secret `secret/app/db` has no version 9; versions 1 and 4 exist"
    );

    kv.undelete_versions("app/db", &[2, 3])
        .await
        .expect("undelete");
    assert_eq!(
        kv.read_version("app/db", 2)
            .await
            .expect("v2 is back")
            .data
            .get("n"),
        Some(&json!(2))
    );
    assert_eq!(
        kv.read_version("app/db", 3)
            .await
            .expect_err("destroyed stays gone")
            .kind(),
        KvErrorKind::VersionDestroyed
    );

    // Deleting the latest version makes a plain read report it as deleted.
    kv.delete_latest("app/db").await.expect("delete latest");
    let e = kv.read("app/db").await.expect_err("latest is deleted");
    assert_eq!(e.kind(), KvErrorKind::VersionDeleted, "{e}");
    assert!(e.to_string().contains("version 4 was deleted at"), "{e}");
    assert!(e.to_string().contains("versions 1–2 exist"), "{e}");
    // The Python module's call on the same secret, through version detection.
    let e = client
        .get_secret("app/db", "secret")
        .await
        .expect_err("latest is deleted");
    assert_eq!(e.kind(), KvErrorKind::VersionDeleted);

    let e = kv
        .delete_versions("app/db", &[])
        .await
        .expect_err("no versions given");
    assert_eq!(e.kind(), KvErrorKind::Validation);
}

#[tokio::test]
async fn max_versions_prunes_the_oldest() {
    let (_bao, client) = server().await;
    let kv = client.kv2("secret");
    kv.write_metadata("rotating", &MetadataRequest::builder().with_max_versions(3))
        .await
        .expect("metadata");
    for i in 1..=5 {
        kv.write_data("rotating", &json!({"n": i}))
            .await
            .expect("write");
    }
    let m = kv.read_metadata("rotating").await.expect("metadata");
    assert_eq!(m.current_version, 5);
    assert_eq!(
        m.versions.keys().copied().collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(m.oldest_version, 3);
    let e = kv.read_version("rotating", 1).await.expect_err("pruned");
    assert_eq!(e.kind(), KvErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "secret `secret/rotating` has no version 1; versions 3–5 exist"
    );
    assert_eq!(
        kv.read_version("rotating", 3)
            .await
            .expect("kept")
            .data
            .get("n"),
        Some(&json!(3))
    );
}
