//! Token auth against a real server: login, TTL discovery, and the clear Authentication error
//! of a token-only client whose token is revoked.

use serde_json::json;
use vault_core::{VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{SECRET_RW, fast_retry};

#[tokio::test]
async fn token_login_reads_and_writes() {
    let bao = OpenBao::dev().await;
    bao.write_policy("secret-rw", SECRET_RW).await;
    let token = bao.create_token(&["secret-rw"], "1h").await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(token)
        .build()
        .expect("client");
    assert_eq!(client.auth_method(), "token");
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    let env = client
        .read("secret/data/app")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        env.data_as::<serde_json::Value>().expect("json")["data"]["k"],
        "v"
    );
    assert_eq!(client.stats().logins, 1);
    assert_eq!(
        client.stats().renewals,
        0,
        "a 1h token is not renewed within the test"
    );
}

#[tokio::test]
async fn revoked_static_token_is_an_authentication_error() {
    let bao = OpenBao::dev().await;
    bao.write_policy("secret-rw", SECRET_RW).await;
    let token = bao.create_token(&["secret-rw"], "1h").await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(token.clone())
        .with_retry(fast_retry(2))
        .build()
        .expect("client");
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("write while valid");

    let (status, body) = bao
        .api("POST", "auth/token/revoke", Some(json!({ "token": token })))
        .await;
    assert_eq!(status, 204, "revoke: {body}");

    let e = client.read("secret/data/app").await.expect_err("revoked");
    // The module's VaultInvalidTokenError, which is also a VaultAuthenticationError.
    assert_eq!(e.kind(), VaultErrorKind::InvalidToken, "{e}");
    assert!(e.kind().is_authentication());
    assert_eq!(
        vault_core::Classify::class(&e),
        vault_core::ErrorClass::InvalidToken
    );
    let text = e.to_string();
    assert!(text.contains("cannot log in again"), "{text}");
    assert!(text.contains("VAULT_TOKEN"), "{text}");
    assert!(
        !text.contains(&token) && !format!("{e:?}").contains(&token),
        "token leaked: {text}"
    );
    assert_eq!(
        client.stats().logins,
        1,
        "a token-only client never logs in again"
    );
}
