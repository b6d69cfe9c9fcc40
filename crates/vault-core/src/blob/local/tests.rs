//! Unit tests of [`LocalDirStore`](super::LocalDirStore): interrupted and cancelled writes, temporary
//! files, key escapes, permissions, symbolic links, files and folders under one key.

use super::*;
use bytes::Bytes;
use std::io::ErrorKind;

fn failing_stream(good: usize) -> ByteStream {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(vec![7u8; good])),
        Err(std::io::Error::new(
            ErrorKind::ConnectionReset,
            "upstream went away",
        )),
        Ok(Bytes::from_static(b"never written")),
    ];
    Box::pin(futures_util::stream::iter(chunks))
}

/// The keys `list("")` returns.
async fn all_keys(store: &LocalDirStore) -> Vec<String> {
    let listed = store.list("").await.expect("list");
    listed.into_iter().map(|m| m.key).collect()
}

fn bytes_stream(data: &'static [u8]) -> ByteStream {
    Box::pin(futures_util::stream::once(async move {
        Ok(Bytes::from_static(data))
    }))
}

fn all_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[tokio::test]
async fn interrupted_put_leaves_no_partial_object_or_temp_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path()).expect("store");
    let e = store
        .put("a/b.snap", failing_stream(100_000))
        .await
        .expect_err("stream error must fail the put");
    assert_eq!(e.kind(), VaultErrorKind::Io);
    assert!(e.to_string().contains("after 100000 bytes"), "{e}");
    assert!(store.head("a/b.snap").await.expect("head").is_none());
    assert!(
        all_files(dir.path()).is_empty(),
        "left behind: {:?}",
        all_files(dir.path())
    );

    // An existing object keeps its old content.
    store
        .put("a/b.snap", bytes_stream(b"old"))
        .await
        .expect("put");
    assert!(store.put("a/b.snap", failing_stream(10)).await.is_err());
    let mut s = store.get("a/b.snap").await.expect("get");
    assert_eq!(
        s.next().await.and_then(Result::ok),
        Some(Bytes::from_static(b"old"))
    );
    assert_eq!(all_files(dir.path()), vec!["b.snap".to_string()]);
}

#[tokio::test]
async fn cancelled_put_removes_its_temp_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path()).expect("store");
    // A stream that yields one chunk and then never ends.
    let pending: ByteStream = Box::pin(
        futures_util::stream::once(async { Ok(Bytes::from_static(b"part")) })
            .chain(futures_util::stream::pending()),
    );
    let put = store.put("x", pending);
    let r = tokio::time::timeout(std::time::Duration::from_millis(200), put).await;
    assert!(r.is_err(), "put of an endless stream cannot finish");
    assert!(
        all_files(dir.path()).is_empty(),
        "left behind: {:?}",
        all_files(dir.path())
    );
}

#[tokio::test]
async fn temp_files_are_not_listed_and_keys_cannot_escape() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("store");
    let store = LocalDirStore::new(&root).expect("store");
    std::fs::write(root.join(".vaultkit-tmp.deadbeef"), b"partial").expect("write");
    store.put("k", bytes_stream(b"v")).await.expect("put");
    assert_eq!(all_keys(&store).await, ["k"]);

    for bad in ["../escaped", "/abs", "a//b", "a\\b", "a\0b"] {
        let e = store
            .put(bad, bytes_stream(b"x"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{bad:?}");
    }
    assert!(!dir.path().join("escaped").exists());
}

#[cfg(unix)]
#[tokio::test]
async fn objects_are_private_and_symlinks_are_not_followed_by_list() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("store");
    let store = LocalDirStore::new(&root).expect("store");
    store
        .put("secret.snap", bytes_stream(b"v"))
        .await
        .expect("put");
    let mode = std::fs::metadata(root.join("secret.snap"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    std::fs::create_dir(dir.path().join("outside")).expect("mkdir");
    std::fs::write(dir.path().join("outside/loot"), b"x").expect("write");
    std::os::unix::fs::symlink(dir.path().join("outside"), root.join("link")).expect("symlink");
    assert_eq!(all_keys(&store).await, ["secret.snap"]);
}

#[tokio::test]
async fn file_and_folder_with_the_same_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path()).expect("store");
    store.put("a/b", bytes_stream(b"v")).await.expect("put");
    let e = store
        .put("a", bytes_stream(b"v"))
        .await
        .expect_err("a is a folder");
    assert_eq!(e.kind(), VaultErrorKind::Validation);
    assert!(store.head("a").await.expect("head").is_none());
    store
        .delete("a")
        .await
        .expect("deleting a folder key is a no-op");
    assert!(store.head("a/b").await.expect("head").is_some());
    assert!(
        store
            .head("a/b/c")
            .await
            .expect("head below a file")
            .is_none()
    );
    assert!(
        store
            .get("a/b/c")
            .await
            .err()
            .is_some_and(|e| e.is_not_found())
    );
}

#[tokio::test]
async fn put_if_absent_losers_leave_no_temp_file_and_folders_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path()).expect("store");
    let puts = (0..4).map(|_| store.put_if_absent("k", bytes_stream(b"v")));
    let results = futures_util::future::join_all(puts).await;
    let winners = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count();
    assert_eq!(winners, 1, "{results:?}");
    assert_eq!(all_files(dir.path()), vec!["k".to_string()]);

    store.put("a/b", bytes_stream(b"v")).await.expect("put");
    let e = store
        .put_if_absent("a", bytes_stream(b"v"))
        .await
        .expect_err("a is a folder");
    assert_eq!(e.kind(), VaultErrorKind::Validation);
    assert_eq!(
        all_files(dir.path()).len(),
        2,
        "{:?}",
        all_files(dir.path())
    );
}
