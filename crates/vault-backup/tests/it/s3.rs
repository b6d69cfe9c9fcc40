//! `S3Store` against a real S3 API (s3s-fs in-process, SigV4 enforced): the `BlobStore`
//! conformance suite, multipart uploads, failures mid-upload, credentials, `put_if_absent`
//! races and server-side encryption headers.

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use vault_backup::{MIN_PART_SIZE, S3Credentials, S3Sse, S3Store, S3StoreBuilder};
use vault_core::testing::blob_store_suite;
use vault_core::{BlobStore, BlobStoreExt, ByteStream, VaultErrorKind};
use vault_testkit::{S3Fault, S3Server};

const BUCKET: &str = "vaultkit-test";

/// A server with the test bucket.
async fn server() -> S3Server {
    let s3 = S3Server::start().await;
    s3.create_bucket(BUCKET);
    s3
}

/// Settings for `s3` with its keys, an explicit region (the SDK never probes instance
/// metadata) and 5 MiB parts.
fn settings(s3: &S3Server) -> S3StoreBuilder {
    S3Store::builder()
        .with_bucket(BUCKET)
        .with_endpoint(s3.endpoint())
        .with_region("us-east-1")
        .with_path_style(true)
        .with_credentials(S3Credentials::fixed(s3.access_key(), s3.secret_key()))
        .with_part_size(MIN_PART_SIZE)
}

async fn store(s3: &S3Server) -> S3Store {
    settings(s3).build().await.expect("S3 store")
}

/// A plain SDK client for looking at the bucket behind the store's back.
async fn raw_client(s3: &S3Server) -> aws_sdk_s3::Client {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            s3.access_key(),
            s3.secret_key(),
            None,
            None,
            "test",
        ))
        .endpoint_url(s3.endpoint())
        .load()
        .await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    )
}

/// Multipart uploads the server still holds, asked through the S3 API.
async fn open_uploads(s3: &S3Server) -> Vec<String> {
    let out = raw_client(s3)
        .await
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .expect("ListMultipartUploads");
    out.uploads()
        .iter()
        .filter_map(|u| u.key().map(str::to_string))
        .collect()
}

/// `total` deterministic bytes (`seed` varies them) in 64 KiB chunks.
fn data(seed: u8, total: usize) -> (Bytes, ByteStream) {
    let bytes: Bytes = (0..total)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 13) as u8)
        .collect::<Vec<u8>>()
        .into();
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    (bytes, Box::pin(futures_util::stream::iter(chunks)))
}

async fn read_all(store: &S3Store, key: &str) -> Bytes {
    let mut stream = store.get(key).await.expect("get");
    let mut out = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.expect("chunk"));
    }
    out.freeze()
}

#[tokio::test]
async fn s3_store_passes_the_conformance_suite() {
    let s3 = server().await;
    blob_store_suite(&store(&s3).await).await;
    assert!(
        s3.request_count("UploadPart") >= 2,
        "the suite's big object went up in parts"
    );
    assert!(open_uploads(&s3).await.is_empty());
}

#[tokio::test]
async fn s3_store_passes_the_suite_under_a_prefix_with_checksums_when_required() {
    let s3 = server().await;
    let prefixed = settings(&s3)
        .with_prefix("team/backups")
        .with_checksum_when_required(true)
        .build()
        .await
        .expect("store");
    assert_eq!(prefixed.prefix(), "team/backups/");
    blob_store_suite(&prefixed).await;

    // Keys live under the prefix in the bucket, and objects outside it are not listed.
    prefixed
        .put_bytes("inside", Bytes::from_static(b"1"))
        .await
        .expect("put");
    let plain = store(&s3).await;
    plain
        .put_bytes("team/backupsX", Bytes::from_static(b"2"))
        .await
        .expect("put");
    assert!(
        plain
            .head("team/backups/inside")
            .await
            .expect("head")
            .is_some()
    );
    let listed: Vec<String> = prefixed
        .list("")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(listed, ["inside"]);
}

#[tokio::test]
async fn a_large_object_goes_up_in_parts_and_comes_back_byte_exact() {
    let s3 = server().await;
    let store = store(&s3).await;
    let (bytes, stream) = data(7, 20 * 1024 * 1024 + 333);
    let meta = store.put("big/20mib.bin", stream).await.expect("put");
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(s3.request_count("CreateMultipartUpload"), 1);
    assert_eq!(
        s3.request_count("UploadPart"),
        5,
        "4 full parts of 5 MiB and the rest"
    );
    assert_eq!(s3.request_count("PutObject"), 0);
    assert_eq!(read_all(&store, "big/20mib.bin").await, bytes);
    let head = store
        .head("big/20mib.bin")
        .await
        .expect("head")
        .expect("exists");
    assert_eq!(head.size, bytes.len() as u64);

    // Exactly one part is still one PutObject.
    let (one, stream) = data(9, MIN_PART_SIZE);
    store.put("big/one-part.bin", stream).await.expect("put");
    assert_eq!(s3.request_count("PutObject"), 1);
    assert_eq!(s3.request_count("CreateMultipartUpload"), 1);
    assert_eq!(read_all(&store, "big/one-part.bin").await, one);
}

#[tokio::test]
async fn a_failure_mid_multipart_aborts_the_upload_and_stores_nothing() {
    let s3 = server().await;
    let store = store(&s3).await;
    store
        .put_bytes("snap.bin", Bytes::from_static(b"old"))
        .await
        .expect("put");
    // The second part and every retry of it fail.
    s3.inject(S3Fault::operation("UploadPart", 2).times(u64::MAX));
    let (_, stream) = data(1, 12 * 1024 * 1024);
    let e = store
        .put("snap.bin", stream)
        .await
        .expect_err("part 2 fails");
    assert_eq!(e.kind(), VaultErrorKind::Server, "{e}");
    assert!(e.is_retryable(), "{e}");
    let shown = e.to_string();
    assert!(
        shown.contains("store blob") && shown.contains(&format!("s3://{BUCKET}/snap.bin")),
        "the error names the operation, bucket and key: {shown}"
    );
    assert_eq!(s3.request_count("AbortMultipartUpload"), 1);
    assert!(
        open_uploads(&s3).await.is_empty(),
        "no multipart upload left"
    );
    assert!(s3.open_uploads().is_empty());
    assert_eq!(
        store.get_bytes("snap.bin").await.expect("get"),
        Bytes::from_static(b"old"),
        "the previous object is untouched"
    );

    // A new key: no object at all.
    let (_, stream) = data(2, 12 * 1024 * 1024);
    assert!(store.put("fresh.bin", stream).await.is_err());
    assert!(store.head("fresh.bin").await.expect("head").is_none());
    assert!(open_uploads(&s3).await.is_empty());
}

#[tokio::test]
async fn a_failing_source_stream_mid_multipart_aborts_the_upload() {
    let s3 = server().await;
    let store = store(&s3).await;
    let (_, good) = data(3, 11 * 1024 * 1024);
    let broken: ByteStream = Box::pin(good.chain(futures_util::stream::once(async {
        Err(std::io::Error::other("disk gone"))
    })));
    let e = store
        .put("cut.bin", broken)
        .await
        .expect_err("stream fails");
    assert_eq!(e.kind(), VaultErrorKind::Io, "{e}");
    assert!(s3.request_count("UploadPart") >= 2, "parts had gone up");
    assert!(store.head("cut.bin").await.expect("head").is_none());
    assert!(open_uploads(&s3).await.is_empty());
}

#[tokio::test]
async fn a_single_failed_part_is_retried_by_the_sdk() {
    let s3 = server().await;
    let store = store(&s3).await;
    s3.inject(S3Fault::operation("UploadPart", 2));
    let (bytes, stream) = data(4, 12 * 1024 * 1024);
    store
        .put("retried.bin", stream)
        .await
        .expect("put after a retry");
    assert_eq!(s3.request_count("UploadPart"), 4, "3 parts, one sent twice");
    assert_eq!(read_all(&store, "retried.bin").await, bytes);
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_permission_error_that_never_shows_the_secret() {
    let s3 = server().await;
    let planted = "planted-wrong-secret-ZX81ZX81ZX81ZX81ZX81";
    let store = settings(&s3)
        .with_credentials(S3Credentials::fixed(s3.access_key(), planted))
        .build()
        .await
        .expect("store");
    let e = store
        .put_bytes("k", Bytes::from_static(b"v"))
        .await
        .expect_err("bad signature");
    assert_eq!(e.kind(), VaultErrorKind::Permission, "{e}");
    assert_eq!(e.status(), Some(403));
    let shown = format!("{e} {e:?} {store:?}");
    assert!(shown.contains("SignatureDoesNotMatch"), "{shown}");
    assert!(shown.contains("secret key is wrong"), "{shown}");
    assert!(!shown.contains(planted), "the secret leaked: {shown}");
    assert!(!shown.contains(s3.secret_key()));

    let e = store.list("").await.expect_err("bad signature");
    assert_eq!(e.kind(), VaultErrorKind::Permission, "{e}");
}

#[tokio::test]
async fn missing_keys_and_buckets_are_told_apart() {
    let s3 = server().await;
    let store = store(&s3).await;
    let e = store.get("nope").await.err().expect("missing key");
    assert!(e.is_not_found(), "{e}");
    let other = settings(&s3)
        .with_bucket("no-such-bucket")
        .build()
        .await
        .expect("store");
    let e = other
        .put_bytes("k", Bytes::from_static(b"v"))
        .await
        .expect_err("no bucket");
    assert_eq!(e.kind(), VaultErrorKind::Config, "{e}");
    assert!(e.to_string().contains("s3://no-such-bucket/k"), "{e}");
    assert!(!e.is_not_found());
}

#[tokio::test]
async fn racing_multipart_put_if_absent_stores_exactly_one_whole_object() {
    let s3 = server().await;
    let store = store(&s3).await;
    let (a_bytes, a) = data(10, 11 * 1024 * 1024);
    let (b_bytes, b) = data(20, 11 * 1024 * 1024);
    let (ra, rb) = futures_util::future::join(
        store.put_if_absent("once.snap", a),
        store.put_if_absent("once.snap", b),
    )
    .await;
    let (ra, rb) = (ra.expect("writer a"), rb.expect("writer b"));
    assert_eq!(
        s3.request_count("CompleteMultipartUpload"),
        2,
        "both writers reached the conditional complete"
    );
    let stored = read_all(&store, "once.snap").await;
    match (ra, rb) {
        (Some(_), None) => assert!(stored == a_bytes, "writer a won, its bytes must be stored"),
        (None, Some(_)) => assert!(stored == b_bytes, "writer b won, its bytes must be stored"),
        (ra, rb) => panic!("exactly one writer must win: {ra:?} {rb:?}"),
    }
    assert!(
        open_uploads(&s3).await.is_empty(),
        "the loser's upload was aborted"
    );

    // A taken key is refused before anything is uploaded.
    let parts = s3.request_count("UploadPart");
    let (_, c) = data(30, 11 * 1024 * 1024);
    assert!(
        store
            .put_if_absent("once.snap", c)
            .await
            .expect("put")
            .is_none()
    );
    assert_eq!(s3.request_count("UploadPart"), parts);
}

#[tokio::test]
async fn server_side_encryption_headers_reach_the_server() {
    let s3 = server().await;
    let aes = settings(&s3)
        .with_sse(S3Sse::Aes256)
        .build()
        .await
        .expect("store");
    aes.put_bytes("aes/small", Bytes::from_static(b"v"))
        .await
        .expect("put");
    let (_, big) = data(5, 6 * 1024 * 1024);
    aes.put("aes/big", big).await.expect("put");
    let kms = settings(&s3)
        .with_sse(S3Sse::Kms(Some("alias/vault-backups".into())))
        .build()
        .await
        .expect("store");
    kms.put_bytes("kms/small", Bytes::from_static(b"v"))
        .await
        .expect("put");
    store(&s3)
        .await
        .put_bytes("plain", Bytes::from_static(b"v"))
        .await
        .expect("put");

    let seen: Vec<(String, String, Option<String>, Option<String>)> = s3
        .sse_seen()
        .into_iter()
        .map(|s| (s.operation, s.key, s.algorithm, s.kms_key_id))
        .collect();
    let aes256 = Some("AES256".to_string());
    assert_eq!(
        seen,
        [
            ("PutObject".into(), "aes/small".into(), aes256.clone(), None),
            (
                "CreateMultipartUpload".into(),
                "aes/big".into(),
                aes256,
                None
            ),
            (
                "PutObject".into(),
                "kms/small".into(),
                Some("aws:kms".into()),
                Some("alias/vault-backups".into())
            ),
            ("PutObject".into(), "plain".into(), None, None),
        ]
    );
}

#[tokio::test]
async fn settings_are_checked_before_any_request() {
    let s3 = server().await;
    for (builder, what) in [
        (settings(&s3).with_part_size(1024), "part size"),
        (settings(&s3).with_bucket("x"), "bucket"),
        (settings(&s3).with_prefix("a/../b"), "prefix"),
        (settings(&s3).with_endpoint("127.0.0.1:9000"), "endpoint"),
    ] {
        let e = builder.build().await.expect_err(what);
        assert_eq!(
            e.kind(),
            vault_backup::BackupErrorKind::Config,
            "{what}: {e}"
        );
    }
    assert_eq!(s3.total_requests(), 0);
}

#[tokio::test]
async fn a_dropped_multipart_put_aborts_its_upload() {
    let s3 = server().await;
    let store = store(&s3).await;
    // Two parts' worth, then a stream that never ends.
    let (_, head) = data(6, 11 * 1024 * 1024);
    let endless: ByteStream = Box::pin(head.chain(futures_util::stream::pending()));
    let mut put = Box::pin(store.put("dropped.bin", endless));
    // Drive the put until its parts have gone up, then drop it.
    loop {
        tokio::select! {
            r = &mut put => panic!("an endless stream cannot finish: {r:?}"),
            () = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
        }
        if s3.request_count("UploadPart") >= 2 {
            break;
        }
    }
    drop(put);
    // The abort runs on the runtime after the drop; wait for it (bounded, not timed).
    for _ in 0..500 {
        if s3.request_count("AbortMultipartUpload") == 1 && s3.open_uploads().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(s3.request_count("AbortMultipartUpload"), 1);
    assert!(open_uploads(&s3).await.is_empty());
    assert!(store.head("dropped.bin").await.expect("head").is_none());
}

#[tokio::test]
async fn a_stopped_server_is_a_retryable_connection_error() {
    let s3 = server().await;
    let store = store(&s3).await;
    drop(s3);
    let e = store.head("k").await.expect_err("nobody listens");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains(&format!("s3://{BUCKET}/k")), "{e}");
}

#[tokio::test]
async fn put_reads_the_source_at_most_one_part_ahead_of_the_uploads() {
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 24 * 1024 * 1024;
    let s3 = std::sync::Arc::new(server().await);
    let store = store(&s3).await;
    // A lazily generated source that records, before handing out each chunk, how far reading
    // is ahead of what has been sent as parts.
    let ahead = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let source: ByteStream = {
        let (s3, ahead) = (s3.clone(), ahead.clone());
        Box::pin(futures_util::stream::iter((0..TOTAL).step_by(CHUNK).map(
            move |offset| {
                let sent = s3.request_count("UploadPart") as usize * MIN_PART_SIZE;
                ahead.fetch_max(offset + CHUNK - sent, std::sync::atomic::Ordering::SeqCst);
                Ok(Bytes::from(vec![(offset / CHUNK) as u8; CHUNK]))
            },
        )))
    };
    store.put("lazy.bin", source).await.expect("put");
    let max_ahead = ahead.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        max_ahead <= MIN_PART_SIZE + CHUNK,
        "read {max_ahead} bytes beyond the parts sent; one part ({MIN_PART_SIZE}) and a chunk at most"
    );
    assert_eq!(
        store.head("lazy.bin").await.expect("head").map(|m| m.size),
        Some(TOTAL as u64)
    );
}
