//! Check-and-set: a concurrent counter, mismatch reports, cas_required.

use std::sync::Arc;

use serde_json::json;
use vault_kv::{KvError, KvErrorKind, KvExt, KvV2ConfigRequest};

use crate::common::server;

#[tokio::test]
async fn twenty_concurrent_cas_increments_end_at_twenty() {
    let (_bao, client) = server().await;
    let kv = Arc::new(client.kv2("secret"));
    kv.write_cas("counter", &json!({"n": 0}), 0)
        .await
        .expect("create with cas 0");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let kv = kv.clone();
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0u32;
            loop {
                let current = kv.read("counter").await.expect("read counter");
                let n = current
                    .data
                    .get("n")
                    .and_then(|v| v.as_u64())
                    .expect("n is a number");
                let version = current.metadata.version.expect("v2 has versions");
                match kv.write_cas("counter", &json!({"n": n + 1}), version).await {
                    Ok(_) => return conflicts,
                    Err(KvError::CasMismatch {
                        expected, current, ..
                    }) => {
                        assert_eq!(expected, version);
                        assert!(
                            current.is_some_and(|c| c > version),
                            "current {current:?} after {version}"
                        );
                        conflicts += 1;
                        assert!(conflicts < 500, "too many conflicts");
                    }
                    Err(e) => panic!("unexpected error: {e}"),
                }
            }
        }));
    }
    let mut conflicts = 0;
    for t in tasks {
        conflicts += t.await.expect("task finished");
    }
    let last = kv.read("counter").await.expect("read final");
    assert_eq!(
        last.data.get("n"),
        Some(&json!(20)),
        "{conflicts} conflicts along the way"
    );
    assert_eq!(last.metadata.version, Some(21));
}

#[tokio::test]
async fn cas_mismatch_names_expected_and_current_and_cas_required_is_explained() {
    let (_bao, client) = server().await;
    let kv = client.kv2("secret");
    for i in 0..3 {
        kv.write_data("c", &json!({"i": i})).await.expect("write");
    }
    let e = kv
        .write_cas("c", &json!({"i": 9}), 1)
        .await
        .expect_err("stale cas");
    assert_eq!(e.kind(), KvErrorKind::CasMismatch);
    assert_eq!(
        e.to_string(),
        "write `secret/c`: check-and-set failed: expected version 1, current version is 3"
    );
    let e = kv
        .write_cas("new-key", &json!({"i": 1}), 4)
        .await
        .expect_err("cas on a missing key");
    assert!(e.to_string().contains("does not exist yet"), "{e}");

    kv.write_config(&KvV2ConfigRequest {
        cas_required: Some(true),
        ..Default::default()
    })
    .await
    .expect("config");
    let e = kv
        .write_data("c", &json!({"i": 10}))
        .await
        .expect_err("cas required");
    assert_eq!(e.kind(), KvErrorKind::Validation);
    assert!(e.to_string().contains("requires check-and-set"), "{e}");
    kv.write_cas("c", &json!({"i": 10}), 3)
        .await
        .expect("with cas it works");
}
