//! The mount-version memo: on the client, single-flighted, re-detected when a mount changes
//! version under the client.

use serde_json::json;
use vault_core::VaultClient;
use vault_kv::KvExt;
use vault_testkit::FaultProxy;

use crate::common::server;

const PREFLIGHT: &str = "/v1/sys/internal/ui/mounts/secret";

fn proxied(proxy: &FaultProxy, token: &str) -> VaultClient {
    VaultClient::builder()
        .with_address(proxy.addr())
        .with_token(token)
        .build()
        .expect("client")
}

/// Sixteen concurrent first calls on one client make one preflight request, not sixteen; a
/// second client detects on its own (the memo is the client's, not the process's).
#[tokio::test]
async fn concurrent_first_calls_make_one_preflight() {
    let (bao, root) = server().await;
    root.kv2("secret")
        .write_data("memo/k", &json!({"a": "1"}))
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = proxied(&proxy, &bao.root_token());
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.get_secret("memo/k", "secret")
                .await
                .map(|s| s.metadata.version)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("read"), Some(1));
    }
    let preflights = |p: &FaultProxy| {
        p.requests()
            .iter()
            .filter(|(_, path)| path == PREFLIGHT)
            .count()
    };
    assert_eq!(preflights(&proxy), 1, "{:?}", proxy.requests());
    let other = proxied(&proxy, &bao.root_token());
    other.get_secret("memo/k", "secret").await.expect("read");
    assert_eq!(preflights(&proxy), 2, "another client detects on its own");
    client.get_secret("memo/k", "secret").await.expect("read");
    assert_eq!(preflights(&proxy), 2, "remembered");
}

/// A mount re-mounted as the other KV version under a client that remembered the old one: the
/// next write notices (a v2 mount answers 404 on a v1 path; a v1 mount takes a v2 write as a
/// plain key and answers without a version), detects again and writes to the right place.
#[tokio::test]
async fn a_remounted_mount_is_detected_again() {
    let (bao, client) = server().await;
    bao.enable_kv_v1("flip").await;
    let kv = client.kv("flip");
    kv.write("app", &json!({"v": "1"})).await.expect("v1 write");
    assert_eq!(
        kv.version().await.expect("version"),
        vault_kv::KvVersion::V1
    );

    // v1 → v2 behind the client's back.
    let (status, body) = bao.api("DELETE", "sys/mounts/flip", None).await;
    assert_eq!(status, 204, "{body}");
    bao.enable_kv_v2("flip").await;
    let meta = kv
        .write("app", &json!({"v": "2"}))
        .await
        .expect("write after re-mount");
    assert_eq!(meta.version, Some(1), "written as KV v2");
    assert_eq!(
        kv.version().await.expect("version"),
        vault_kv::KvVersion::V2
    );
    assert_eq!(
        kv.get("app").await.expect("read").data.get_str("v"),
        Some("2")
    );

    // v2 → v1 behind the client's back.
    let (status, body) = bao.api("DELETE", "sys/mounts/flip", None).await;
    assert_eq!(status, 204, "{body}");
    bao.enable_kv_v1("flip").await;
    let meta = kv
        .write("app", &json!({"v": "3"}))
        .await
        .expect("write after re-mount");
    assert_eq!(meta.version, None, "written as KV v1");
    assert_eq!(
        kv.get("app").await.expect("read").data.get_str("v"),
        Some("3")
    );
    let keys = client.kv1("flip").list("").await.expect("list");
    assert_eq!(keys, ["app"], "no stray `data/app` key left behind");
}
