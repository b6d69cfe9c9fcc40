//! Raw logical operations against a real OpenBao: read, write, list, delete; not-found vs
//! missing route; permission errors.

use serde_json::json;
use vault_core::{VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{fast_retry, root_client};

#[tokio::test]
async fn read_write_list_delete_on_kv_v1() {
    let bao = OpenBao::dev().await;
    bao.enable_kv_v1("kv").await;
    let client = root_client(&bao);

    assert!(
        client
            .write("kv/app/db", json!({"user": "app", "port": 5432}))
            .await
            .expect("write")
            .is_none()
    );
    client
        .write("kv/app/cache", json!({"url": "redis://x"}))
        .await
        .expect("write");
    let env = client
        .read("kv/app/db")
        .await
        .expect("read")
        .expect("present");
    let data: serde_json::Value = env.data_as().expect("json");
    assert_eq!(data["user"], "app");
    assert_eq!(data["port"], 5432);

    let mut keys = client.list("kv/app").await.expect("list");
    keys.sort();
    assert_eq!(keys, ["cache", "db"]);
    assert!(
        client
            .list("kv/empty")
            .await
            .expect("empty list")
            .is_empty()
    );

    client.delete("kv/app/db").await.expect("delete");
    assert!(
        client
            .read("kv/app/db")
            .await
            .expect("read after delete")
            .is_none()
    );
    assert_eq!(client.stats().logins, 1);
}

#[tokio::test]
async fn missing_mount_is_not_nothing_found() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let e = client.read("no-such-mount/x").await.expect_err("no route");
    assert_eq!(e.kind(), VaultErrorKind::RouteNotFound, "{e}");
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.path(), Some("no-such-mount/x"));
    assert!(!e.is_not_found());
    // KV v2 at secret/: nothing there is `None`, not an error.
    assert!(
        client
            .read("secret/data/never-written")
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn policy_denial_is_a_permission_error_not_a_relogin() {
    let bao = OpenBao::dev().await;
    bao.write_policy(
        "only-a",
        r#"path "secret/data/a" { capabilities = ["read"] }"#,
    )
    .await;
    let token = bao.create_token(&["only-a"], "1h").await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(token)
        .with_retry(fast_retry(3))
        .build()
        .expect("client");
    let e = client.read("secret/data/b").await.expect_err("denied");
    assert_eq!(e.kind(), VaultErrorKind::Permission, "{e}");
    assert_eq!(e.status(), Some(403));
    assert!(e.to_string().contains("secret/data/b"), "{e}");
    // The token is still good: a permitted read works.
    assert!(
        client
            .read("secret/data/a")
            .await
            .expect("allowed")
            .is_none()
    );
}

#[tokio::test]
async fn validation_errors_keep_vaults_text() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    client
        .write("secret/data/cas", json!({"data": {"v": 1}}))
        .await
        .expect("first write");
    let e = client
        .write(
            "secret/data/cas",
            json!({"options": {"cas": 0}, "data": {"v": 2}}),
        )
        .await
        .expect_err("cas mismatch");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    assert!(
        e.vault_errors().iter().any(|m| m.contains("check-and-set")),
        "{e}"
    );
}
