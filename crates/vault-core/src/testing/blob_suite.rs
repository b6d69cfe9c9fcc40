//! [`blob_store_suite`]: the behaviour every [`BlobStore`] promises in its `# Contract`.

use bytes::Bytes;
use futures_util::StreamExt;

use crate::VaultErrorKind;
use crate::{BlobStore, BlobStoreExt, ByteStream};

/// Size of the big streamed object (several chunks, several MiB).
const BIG_SIZE: usize = 5 * 1024 * 1024 + 12_345;
const CHUNK: usize = 64 * 1024;

/// The byte at `offset` of the big object: deterministic, so both sides can produce and check it
/// chunk by chunk without holding the object.
fn pattern(offset: usize) -> u8 {
    let x = (offset as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 29;
    (x ^ (offset as u64 >> 16)) as u8
}

fn pattern_stream(total: usize) -> ByteStream {
    let chunks = (0..total).step_by(CHUNK).map(move |start| {
        let end = (start + CHUNK).min(total);
        Ok(Bytes::from((start..end).map(pattern).collect::<Vec<u8>>()))
    });
    Box::pin(futures_util::stream::iter(chunks))
}

/// The bytes of writer `who` (0 or 1) in the put_if_absent race: writer 1 sends the complement
/// of writer 0's pattern, so every byte tells whose it is.
fn racer_byte(who: u8, offset: usize) -> u8 {
    if who == 0 {
        pattern(offset)
    } else {
        !pattern(offset)
    }
}

/// Writer `who`'s object, yielding to the runtime between chunks so racing writers interleave.
fn racer_stream(who: u8, total: usize) -> ByteStream {
    let chunks = (0..total).step_by(CHUNK).map(move |start| {
        let end = (start + CHUNK).min(total);
        Ok(Bytes::from(
            (start..end)
                .map(|i| racer_byte(who, i))
                .collect::<Vec<u8>>(),
        ))
    });
    Box::pin(futures_util::stream::iter(chunks).then(|chunk| async move {
        tokio::task::yield_now().await;
        chunk
    }))
}

fn failing_stream() -> ByteStream {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(vec![1u8; CHUNK])),
        Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "conformance: stream broken on purpose",
        )),
    ];
    Box::pin(futures_util::stream::iter(chunks))
}

async fn keys(store: &dyn BlobStore, prefix: &str) -> Vec<String> {
    match store.list(prefix).await {
        Ok(list) => list.into_iter().map(|m| m.key).collect(),
        Err(e) => panic!("blob_store_suite: list({prefix:?}) failed: {e}"),
    }
}

async fn put(store: &dyn BlobStore, key: &str, data: &'static [u8]) {
    if let Err(e) = store.put_bytes(key, Bytes::from_static(data)).await {
        panic!("blob_store_suite: put({key:?}) failed: {e}");
    }
}

async fn get(store: &dyn BlobStore, key: &str) -> Bytes {
    store
        .get_bytes(key)
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: get({key:?}) failed: {e}"))
}

/// Put `data` under `key` and read it back unchanged; `check` names the check in the panic.
async fn round_trip(store: &dyn BlobStore, key: &str, data: &'static [u8], check: &str) {
    put(store, key, data).await;
    assert_eq!(
        get(store, key).await,
        Bytes::from_static(data),
        "blob_store_suite: {check}"
    );
}

/// `head(key)`: the size and key of a stored object.
async fn head(store: &dyn BlobStore, key: &str) -> (String, u64) {
    match store.head(key).await {
        Ok(Some(meta)) => (meta.key, meta.size),
        Ok(None) => panic!("blob_store_suite: head({key:?}) of a stored key returned None"),
        Err(e) => panic!("blob_store_suite: head({key:?}) failed: {e}"),
    }
}

/// `get(key)` is a not-found error and `head(key)` is `Ok(None)`; `what` names the key.
async fn assert_absent(store: &dyn BlobStore, key: &str, what: &str) {
    match store.get(key).await {
        Ok(_) => panic!("blob_store_suite: get of {what} succeeded"),
        Err(e) => assert!(
            e.is_not_found(),
            "blob_store_suite: get of {what} must be not-found, got {:?}: {e}",
            e.kind()
        ),
    }
    assert!(
        matches!(store.head(key).await, Ok(None)),
        "blob_store_suite: head of {what} must be Ok(None)"
    );
}

/// Run every [`BlobStore`] contract check against `store`. Works under a fresh
/// `conformance-<random>/` prefix and deletes what it wrote. Panics on the first failed check.
pub async fn blob_store_suite(store: &dyn BlobStore) {
    let base = format!("conformance-{}", super::run_tag());
    let k = |rest: &str| format!("{base}/{rest}");

    // Small round trip, head, overwrite.
    round_trip(store, &k("small.txt"), b"hello blob", "small round trip").await;
    assert_eq!(
        head(store, &k("small.txt")).await,
        (k("small.txt"), 10),
        "blob_store_suite: head metadata"
    );
    round_trip(store, &k("small.txt"), b"replaced", "overwrite").await;
    assert_eq!(
        head(store, &k("small.txt")).await.1,
        8,
        "blob_store_suite: head size after overwrite"
    );

    // Empty object.
    round_trip(store, &k("empty"), b"", "empty object").await;

    // Multi-MiB streamed object, checked chunk by chunk as it streams back.
    let big = k("nested/deeper/big.bin");
    let meta = store
        .put(&big, pattern_stream(BIG_SIZE))
        .await
        .unwrap_or_else(|e| {
            panic!("blob_store_suite: streamed put of {BIG_SIZE} bytes failed: {e}")
        });
    assert_eq!(
        meta.size, BIG_SIZE as u64,
        "blob_store_suite: put reports the streamed size"
    );
    let mut stream = store
        .get(&big)
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: get of big object failed: {e}"));
    let mut offset = 0usize;
    let mut chunks = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap_or_else(|e| {
            panic!("blob_store_suite: big object stream failed at byte {offset}: {e}")
        });
        for (i, byte) in chunk.iter().enumerate() {
            assert_eq!(
                *byte,
                pattern(offset + i),
                "blob_store_suite: big object differs at byte {}",
                offset + i
            );
        }
        offset += chunk.len();
        chunks += 1;
    }
    assert_eq!(offset, BIG_SIZE, "blob_store_suite: big object length");
    assert!(
        chunks > 1,
        "blob_store_suite: a {BIG_SIZE}-byte object came back in one chunk (get must stream)"
    );

    // List: plain string prefix, any depth, sorted, with sizes.
    for name in ["p/a", "p/b/c", "p/bc", "q/x"] {
        put(store, &k(name), b"12345").await;
    }
    assert_eq!(
        keys(store, &k("p/")).await,
        vec![k("p/a"), k("p/b/c"), k("p/bc")],
        "blob_store_suite: list folder prefix"
    );
    assert_eq!(
        keys(store, &k("p/b")).await,
        vec![k("p/b/c"), k("p/bc")],
        "blob_store_suite: list partial prefix"
    );
    assert_eq!(
        keys(store, &k("nothing-here/")).await,
        Vec::<String>::new(),
        "blob_store_suite: list of an unused prefix"
    );
    let all = store
        .list(&format!("{base}/"))
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: list failed: {e}"));
    let all_keys: Vec<&str> = all.iter().map(|m| m.key.as_str()).collect();
    let mut sorted = all_keys.clone();
    sorted.sort_unstable();
    assert_eq!(all_keys, sorted, "blob_store_suite: list is sorted by key");
    assert_eq!(
        all.len(),
        7,
        "blob_store_suite: list of everything written: {all_keys:?}"
    );
    let sizes: Vec<u64> = all
        .iter()
        .filter(|m| m.key.starts_with(&k("p/")))
        .map(|m| m.size)
        .collect();
    assert_eq!(
        sizes,
        [5, 5, 5],
        "blob_store_suite: list sizes of p/a, p/b/c, p/bc"
    );

    // Missing keys.
    assert_absent(store, &k("no/such/key"), "a missing key").await;

    // Delete.
    store
        .delete(&k("p/a"))
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: delete failed: {e}"));
    assert_absent(store, &k("p/a"), "a deleted key").await;
    assert_eq!(
        keys(store, &k("p/")).await,
        vec![k("p/b/c"), k("p/bc")],
        "blob_store_suite: list after delete"
    );
    store
        .delete(&k("p/a"))
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: delete of a missing key must succeed: {e}"));

    // A failed upload stores nothing and leaves the previous object alone.
    assert!(
        store.put(&k("broken"), failing_stream()).await.is_err(),
        "blob_store_suite: put with a failing stream succeeded"
    );
    assert!(
        matches!(store.head(&k("broken")).await, Ok(None)),
        "blob_store_suite: a failed put left an object behind"
    );
    assert!(
        store.put(&k("small.txt"), failing_stream()).await.is_err(),
        "blob_store_suite: put with a failing stream succeeded"
    );
    assert_eq!(
        get(store, &k("small.txt")).await,
        Bytes::from_static(b"replaced"),
        "blob_store_suite: a failed overwrite changed the object"
    );

    put_if_absent_checks(store, &k).await;

    // Invalid keys are rejected before anything is stored.
    let before = keys(store, &format!("{base}/")).await;
    for bad in [
        "",
        "../escape",
        "/absolute",
        "a//b",
        "a/../b",
        "back\\slash",
        "nul\0byte",
        "trailing/",
    ] {
        match store.put_bytes(bad, Bytes::from_static(b"x")).await {
            Ok(_) => panic!("blob_store_suite: put accepted the invalid key {bad:?}"),
            Err(e) => assert_eq!(
                e.kind(),
                VaultErrorKind::Validation,
                "blob_store_suite: invalid key {bad:?} gave {e}"
            ),
        }
        match store.put_if_absent(bad, racer_stream(0, 1)).await {
            Ok(_) => panic!("blob_store_suite: put_if_absent accepted the invalid key {bad:?}"),
            Err(e) => assert_eq!(
                e.kind(),
                VaultErrorKind::Validation,
                "blob_store_suite: invalid key {bad:?} gave {e}"
            ),
        }
        assert!(
            store.get(bad).await.is_err(),
            "blob_store_suite: get accepted the invalid key {bad:?}"
        );
    }
    assert_eq!(
        keys(store, &format!("{base}/")).await,
        before,
        "blob_store_suite: rejected keys changed the store"
    );

    // Clean up.
    for meta in store.list(&format!("{base}/")).await.unwrap_or_default() {
        store
            .delete(&meta.key)
            .await
            .unwrap_or_else(|e| panic!("blob_store_suite: cleanup delete failed: {e}"));
    }
    assert_eq!(
        keys(store, &format!("{base}/")).await,
        Vec::<String>::new(),
        "blob_store_suite: cleanup"
    );
}

/// Size of each racing writer's object: several chunks, so the writers interleave.
const RACE_SIZE: usize = 2 * 1024 * 1024 + 4_321;

/// `put_if_absent`: stores when absent, refuses when present, a failed stream stores nothing, and
/// of two concurrent writers on one key exactly one wins with all of its bytes.
async fn put_if_absent_checks(store: &dyn BlobStore, k: &dyn Fn(&str) -> String) {
    let once = k("once.txt");
    let first = store
        .put_if_absent(&once, racer_stream(0, 10))
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: put_if_absent of a new key failed: {e}"));
    assert_eq!(
        first.map(|m| (m.key, m.size)),
        Some((once.clone(), 10)),
        "blob_store_suite: put_if_absent of a new key returns its metadata"
    );
    let second = store
        .put_if_absent(&once, racer_stream(1, 10))
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: put_if_absent of a taken key failed: {e}"));
    assert!(
        second.is_none(),
        "blob_store_suite: put_if_absent of a taken key must return None"
    );
    let kept: Vec<u8> = (0..10).map(|i| racer_byte(0, i)).collect();
    assert_eq!(
        get(store, &once).await,
        Bytes::from(kept),
        "blob_store_suite: put_if_absent of a taken key changed the object"
    );

    // A failed stream stores nothing, and the key is still free afterwards.
    let broken = k("absent-broken");
    assert!(
        store
            .put_if_absent(&broken, failing_stream())
            .await
            .is_err(),
        "blob_store_suite: put_if_absent with a failing stream succeeded"
    );
    assert!(
        matches!(store.head(&broken).await, Ok(None)),
        "blob_store_suite: a failed put_if_absent left an object behind"
    );

    // Two concurrent writers on one key: exactly one wins, and only its bytes are stored.
    let raced = k("raced.bin");
    let (a, b) = futures_util::future::join(
        store.put_if_absent(&raced, racer_stream(0, RACE_SIZE)),
        store.put_if_absent(&raced, racer_stream(1, RACE_SIZE)),
    )
    .await;
    let a = a.unwrap_or_else(|e| panic!("blob_store_suite: racing put_if_absent failed: {e}"));
    let b = b.unwrap_or_else(|e| panic!("blob_store_suite: racing put_if_absent failed: {e}"));
    let winner: u8 = match (&a, &b) {
        (Some(_), None) => 0,
        (None, Some(_)) => 1,
        _ => panic!(
            "blob_store_suite: of two racing put_if_absent exactly one must win, got {} winners",
            u8::from(a.is_some()) + u8::from(b.is_some())
        ),
    };
    let mut stream = store
        .get(&raced)
        .await
        .unwrap_or_else(|e| panic!("blob_store_suite: get of the raced key failed: {e}"));
    let mut offset = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap_or_else(|e| {
            panic!("blob_store_suite: raced object stream failed at byte {offset}: {e}")
        });
        for (i, byte) in chunk.iter().enumerate() {
            assert_eq!(
                *byte,
                racer_byte(winner, offset + i),
                "blob_store_suite: the raced object holds a byte of the losing writer at {}",
                offset + i
            );
        }
        offset += chunk.len();
    }
    assert_eq!(
        offset, RACE_SIZE,
        "blob_store_suite: the raced object has the winner's length"
    );
}
