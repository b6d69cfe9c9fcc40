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
    assert_eq!(e.kind(), KvErrorKind::CasRequired);
    assert_eq!(
        vault_core::Classify::class(&e),
        vault_core::ErrorClass::Validation
    );
    // Facts only: the current version, no API call or CLI flag to try.
    assert_eq!(
        e.to_string(),
        "write `secret/c`: check-and-set is required here (`cas_required`) and no version was \
         given; its current version is 3"
    );
    let e = kv
        .write_data("brand-new", &json!({"i": 1}))
        .await
        .expect_err("cas required on a new key");
    assert!(
        matches!(
            e,
            KvError::CasRequired {
                current: Some(0),
                ..
            }
        ),
        "{e:?}"
    );
    kv.write_cas("c", &json!({"i": 10}), 3)
        .await
        .expect("with cas it works");
}

/// The first attempt of a check-and-set write is applied by the server, but its answer is lost
/// (the fault proxy forwards the request, then drops the answer and resets the connection). The
/// client replays the write, as Vault's Go client does; the replay finds the key one version
/// further and Vault answers "check-and-set parameter did not match". That is not a conflict:
/// version `cas + 1` holds exactly what was written, so the write is reported as the success it
/// was. A different value there stays a conflict.
#[tokio::test]
async fn a_replayed_cas_write_whose_first_attempt_landed_is_a_success() {
    use vault_core::{RetryPolicy, VaultClient};
    use vault_testkit::{Fault, FaultProxy};
    let (bao, root) = server().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = VaultClient::builder()
        .with_address(proxy.addr())
        .with_token(bao.root_token())
        .with_retry(RetryPolicy {
            max_attempts: 3,
            base_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(50),
        })
        .build()
        .expect("client");
    let kv = client.kv2("secret");
    kv.write_cas("replayed", &json!({"v": "one"}), 0)
        .await
        .expect("create");
    proxy.reset_counts();
    proxy.push(Fault::DropResponse);
    let meta = kv
        .write_cas("replayed", &json!({"v": "two"}), 1)
        .await
        .expect("the replayed write is reported as the success it was");
    assert_eq!(meta.version, Some(2));
    let writes = proxy
        .requests()
        .iter()
        .filter(|(m, p)| m == "POST" && p == "/v1/secret/data/replayed")
        .count();
    assert_eq!(
        writes,
        2,
        "the write was sent twice: {:?}",
        proxy.requests()
    );
    let latest = root.kv2("secret").read("replayed").await.expect("read");
    assert_eq!(latest.metadata.version, Some(2), "applied exactly once");
    assert_eq!(latest.data.get_str("v"), Some("two"));

    // Without a replay, a mismatch is a conflict as before.
    let e = kv
        .write_cas("replayed", &json!({"v": "two"}), 1)
        .await
        .expect_err("stale cas");
    assert_eq!(e.kind(), KvErrorKind::CasMismatch, "{e}");

    // A replay that finds another value at cas + 1 stays a conflict: someone else wrote it.
    root.kv2("secret")
        .write_cas("replayed", &json!({"v": "theirs"}), 2)
        .await
        .expect("another writer");
    proxy.push(Fault::DropResponse);
    // Our write at cas 3 lands as version 4 and its answer is lost; the replay conflicts; version
    // 4 holds our value, so this is a success too.
    let meta = kv
        .write_cas("replayed", &json!({"v": "ours"}), 3)
        .await
        .expect("landed");
    assert_eq!(meta.version, Some(4));
    let e = kv
        .write_cas("replayed", &json!({"v": "late"}), 3)
        .await
        .expect_err("version 4 holds another value");
    assert!(
        matches!(
            e,
            KvError::CasMismatch {
                current: Some(4),
                ..
            }
        ),
        "{e}"
    );
}

/// `Kv::write_with` takes the same options on v1 and v2 mounts: callers do not branch on the
/// version.
#[tokio::test]
async fn write_with_works_on_both_versions() {
    use vault_kv::WriteOptions;
    let (bao, client) = server().await;
    bao.enable_kv_v1("kv1").await;
    for mount in ["secret", "kv1"] {
        let kv = client.kv(mount);
        kv.write_with("ww", &json!({"a": "1"}), WriteOptions { cas: Some(0) })
            .await
            .unwrap_or_else(|e| panic!("{mount}: create-only on a new key: {e}"));
        let e = kv
            .write_with("ww", &json!({"a": "2"}), WriteOptions { cas: Some(0) })
            .await
            .expect_err("create-only on an existing key");
        assert_eq!(e.kind(), KvErrorKind::CasMismatch, "{mount}: {e}");
        kv.write_with("ww", &json!({"a": "3"}), WriteOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{mount}: plain write: {e}"));
        assert_eq!(
            kv.get("ww").await.expect("read").data.get_str("a"),
            Some("3"),
            "{mount}"
        );
    }
    let e = client
        .kv("kv1")
        .write_with("ww", &json!({"a": "4"}), WriteOptions { cas: Some(2) })
        .await
        .expect_err("v1 keeps no versions");
    assert_eq!(e.kind(), KvErrorKind::Validation, "{e}");
}
