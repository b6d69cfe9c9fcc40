//! Token auth against a real server: login, TTL discovery and renewal of a plain token, and
//! the clear Authentication error of a token-only client whose token is revoked.

use serde_json::json;
use vault_core::{VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{SECRET_RW, audit_responses, fast_retry, read_until};

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

/// A plain `VAULT_TOKEN` carries no lease: the client discovers its TTL with `lookup-self` and
/// renews it with `renew-self` before it runs out. A token-only client cannot log in again, so
/// a renewal that came late would fail the next read.
#[tokio::test]
async fn short_ttl_plain_token_is_discovered_and_renewed_on_a_real_server() {
    let bao = OpenBao::dev().await;
    bao.write_policy("secret-rw", SECRET_RW).await;
    let audit_dir = tempfile::tempdir().expect("temp dir");
    let audit_log = audit_dir.path().join("audit.log");
    bao.enable_file_audit("file", &audit_log).await;
    let (status, created) = bao
        .api(
            "POST",
            "auth/token/create",
            Some(json!({
                "policies": ["secret-rw"],
                "ttl": "6s",
                "explicit_max_ttl": "10m",
                "renewable": true,
            })),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let token = created["auth"]["client_token"]
        .as_str()
        .expect("client_token")
        .to_string();
    let accessor = created["auth"]["accessor"]
        .as_str()
        .expect("accessor")
        .to_string();
    let lookup = || async {
        let (status, info) = bao
            .api(
                "POST",
                "auth/token/lookup-accessor",
                Some(json!({ "accessor": accessor })),
            )
            .await;
        assert_eq!(status, 200, "the token is gone: {info}");
        info["data"].clone()
    };
    let first_expiry = lookup().await["expire_time"].clone();
    assert!(first_expiry.is_string(), "{first_expiry}");

    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(token)
        .with_retry(fast_retry(3))
        .build()
        .expect("client");
    client
        .write("secret/data/ttl", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    // Three renewals at about ⅔ of 6 s each span two TTLs: the token outlives its first
    // expiry several times over, and every read in between succeeds.
    let stats = read_until(&client, "secret/data/ttl", "three renewals", |s| {
        s.renewals >= 3
    })
    .await;
    assert_eq!(stats.logins, 1, "{stats:?}");

    // Renewed, not replaced: the same accessor, with a later expiry and time left.
    let now = lookup().await;
    assert_eq!(now["accessor"], accessor.as_str(), "{now}");
    assert!(now["ttl"].as_u64().is_some_and(|t| t > 0), "{now}");
    assert_ne!(
        now["expire_time"], first_expiry,
        "expiry never moved: {now}"
    );
    assert!(
        now["last_renewal_time"].as_i64().is_some_and(|t| t > 0),
        "{now}"
    );

    // The server saw the TTL discovery and at least three successful renew-self calls, and
    // refused nothing during the run.
    let responses = audit_responses(&audit_log);
    let renewed = responses
        .iter()
        .filter(|(path, error)| path == "auth/token/renew-self" && error.is_empty())
        .count();
    assert!(renewed >= 3, "renew-self in the audit log: {renewed}");
    assert!(
        responses
            .iter()
            .any(|(path, error)| path == "auth/token/lookup-self" && error.is_empty()),
        "no lookup-self: the TTL was not discovered"
    );
    let failed: Vec<_> = responses.iter().filter(|(_, e)| !e.is_empty()).collect();
    assert!(failed.is_empty(), "refused during the run: {failed:?}");
}
