//! `LocalDirStore` passes `blob_store_suite`, the conformance suite every `BlobStore` runs.

use std::sync::Arc;

use vault_core::testing::blob_store_suite;
use vault_core::{BlobStore, LocalDirStore};

fn files_under(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .expect("under root")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out
}

#[tokio::test]
async fn local_dir_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path().join("blobs")).expect("store");
    blob_store_suite(&store).await;
    // The suite cleaned up after itself, and no temporary file was left anywhere.
    assert_eq!(files_under(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn local_dir_store_passes_the_suite_as_a_shared_trait_object() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    blob_store_suite(&store).await;
}

#[tokio::test]
async fn objects_survive_a_new_store_on_the_same_root() {
    use vault_core::BlobStoreExt;
    let dir = tempfile::tempdir().expect("temp dir");
    LocalDirStore::new(dir.path())
        .expect("store")
        .put_bytes(
            "snapshots/2026-11-28.snap",
            bytes::Bytes::from_static(b"snapshot"),
        )
        .await
        .expect("put");
    let reopened = LocalDirStore::new(dir.path()).expect("store");
    assert_eq!(
        &reopened
            .get_bytes("snapshots/2026-11-28.snap")
            .await
            .expect("get")[..],
        b"snapshot"
    );
    assert_eq!(
        files_under(dir.path()),
        vec!["snapshots/2026-11-28.snap".to_string()]
    );
}
