//! `OpenBao::raft` and `OpenBao::uninitialized`.

use serde_json::json;
use vault_testkit::OpenBao;

#[tokio::test]
async fn raft_server_is_initialised_unsealed_and_active() {
    let bao = OpenBao::raft().await;
    let key = bao.unseal_key().expect("raft servers have an unseal key");
    assert!(!key.is_empty());
    assert!(!bao.root_token().is_empty());
    let (status, health) = bao.api("GET", "sys/health", None).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["initialized"], true);
    assert_eq!(health["sealed"], false);
    let (status, config) = bao.api("GET", "sys/storage/raft/configuration", None).await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(
        config["data"]["config"]["servers"][0]["leader"], true,
        "{config}"
    );
}

#[tokio::test]
async fn raft_seal_unseal_keeps_data() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    let (status, body) = bao
        .api(
            "POST",
            "secret/data/keep",
            Some(json!({"data": {"v": "1"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    bao.seal().await;
    let (status, body) = bao.api("GET", "sys/seal-status", None).await;
    assert_eq!((status, body["sealed"].clone()), (200, json!(true)));
    assert_eq!(bao.api("GET", "secret/data/keep", None).await.0, 503);
    bao.unseal().await;
    let (status, body) = bao.api("GET", "secret/data/keep", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["data"]["v"], "1");
}

#[tokio::test]
async fn raft_snapshot_is_available() {
    let bao = OpenBao::raft().await;
    let response = bao
        .http_client()
        .get(format!("{}/v1/sys/storage/raft/snapshot", bao.addr()))
        .header("X-Vault-Token", bao.root_token())
        .send()
        .await
        .expect("snapshot request");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("snapshot body");
    assert!(bytes.len() > 100, "snapshot of {} bytes", bytes.len());
}

#[tokio::test]
async fn uninitialized_server_reports_501() {
    let bao = OpenBao::uninitialized().await;
    assert_eq!(bao.unseal_key(), None);
    let (status, health) = bao.api_as("", "GET", "sys/health", None).await;
    assert_eq!(status, 501, "{health}");
    assert_eq!(health["initialized"], false);
    let (status, init) = bao.api_as("", "GET", "sys/init", None).await;
    assert_eq!((status, init["initialized"].clone()), (200, json!(false)));
}
