//! Shared helpers for the client tests.

use std::sync::Arc;
use std::time::Duration;

use vault_core::{AppRoleAuth, RetryPolicy, VaultClient};
use vault_testkit::OpenBao;

/// Retries with short waits, so fault tests run quickly.
pub(crate) fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

/// A client with the server's root token.
pub(crate) fn root_client(bao: &OpenBao) -> VaultClient {
    VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_retry(fast_retry(3))
        .build()
        .expect("root client")
}

/// A policy allowing everything under `secret/` (KV v2 at the dev server's `secret/` mount).
pub(crate) const SECRET_RW: &str =
    r#"path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }"#;

/// AppRole `role` with read/write on `secret/*` and the given token TTL; returns a client.
pub(crate) async fn approle_client(bao: &OpenBao, role: &str, token_ttl: &str) -> VaultClient {
    bao.write_policy("secret-rw", SECRET_RW).await;
    let (role_id, secret_id) = bao.enable_approle(role, &["secret-rw"], token_ttl).await;
    VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(AppRoleAuth::new(role_id, secret_id)))
        .with_retry(fast_retry(3))
        .build()
        .expect("approle client")
}

/// The accessor of the (single) token issued by `login_path`, found with the root token.
pub(crate) async fn accessor_of_login(bao: &OpenBao, login_path: &str) -> String {
    let (status, body) = bao.api("LIST", "auth/token/accessors", None).await;
    assert_eq!(status, 200, "list accessors: {body}");
    let accessors = body["data"]["keys"].as_array().cloned().unwrap_or_default();
    for a in accessors {
        let Some(a) = a.as_str() else { continue };
        let (status, info) = bao
            .api(
                "POST",
                "auth/token/lookup-accessor",
                Some(serde_json::json!({ "accessor": a })),
            )
            .await;
        if status == 200 && info["data"]["path"] == login_path {
            return a.to_string();
        }
    }
    panic!(
        "no token issued by {login_path} found; server log:\n{}",
        bao.log()
    );
}
