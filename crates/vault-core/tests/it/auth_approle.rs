//! AppRole against a real server: login, renewal before expiry with a short TTL, re-login after
//! the token is revoked, and a clear error for bad credentials.

use serde_json::json;
use std::sync::Arc;
use vault_core::{AppRoleAuth, VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{accessor_of_login, approle_client, fast_retry, read_until};

#[tokio::test]
async fn approle_login_and_custom_mount() {
    let bao = OpenBao::dev().await;
    let client = approle_client(&bao, "app", "1h").await;
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    assert!(
        client
            .read("secret/data/app")
            .await
            .expect("read")
            .is_some()
    );
    assert_eq!(client.stats().logins, 1);
    assert!(client.can_relogin());

    // The same role under another mount path.
    let (status, body) = bao
        .api("POST", "sys/auth/corp", Some(json!({"type": "approle"})))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = bao
        .api(
            "POST",
            "auth/corp/role/svc",
            Some(json!({"token_policies": ["secret-rw"], "token_ttl": "1h"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, rid) = bao.api("GET", "auth/corp/role/svc/role-id", None).await;
    let (_, sid) = bao.api("POST", "auth/corp/role/svc/secret-id", None).await;
    let auth = AppRoleAuth::new(
        rid["data"]["role_id"].as_str().expect("role_id"),
        sid["data"]["secret_id"].as_str().expect("secret_id"),
    )
    .with_mount("corp");
    let corp = VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(auth))
        .build()
        .expect("client");
    assert!(
        corp.read("secret/data/app")
            .await
            .expect("read via corp mount")
            .is_some()
    );
}

#[tokio::test]
async fn short_ttl_token_is_renewed_before_expiry() {
    let bao = OpenBao::dev().await;
    let client = approle_client(&bao, "short", "6s").await;
    client
        .write("secret/data/renew", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    let accessor = accessor_of_login(&bao, "auth/approle/login").await;
    // Two renewals of a 6 s token span more than one TTL. A renewal that came after expiry
    // would fail (an expired token cannot renew itself) and the client would log in again:
    // one login with two renewals means each renewal came before expiry.
    let stats = read_until(&client, "secret/data/renew", "two renewals", |s| {
        s.renewals >= 2 || s.logins > 1
    })
    .await;
    assert_eq!(
        stats.logins,
        1,
        "renewal, not re-login, kept the token alive: {stats:?}\n{}",
        bao.log_tail(40)
    );
    // The token of that one login is still alive, renewed, with time left.
    let (status, info) = bao
        .api(
            "POST",
            "auth/token/lookup-accessor",
            Some(json!({ "accessor": accessor })),
        )
        .await;
    assert_eq!(status, 200, "the first token is gone: {info}");
    assert!(
        info["data"]["ttl"].as_u64().is_some_and(|t| t > 0),
        "{info}"
    );
    assert!(
        info["data"]["last_renewal_time"]
            .as_i64()
            .is_some_and(|t| t > 0),
        "never renewed on the server: {info}"
    );
}

#[tokio::test]
async fn relogin_after_token_is_revoked() {
    let bao = OpenBao::dev().await;
    let client = approle_client(&bao, "app", "1h").await;
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    let accessor = accessor_of_login(&bao, "auth/approle/login").await;
    let (status, body) = bao
        .api(
            "POST",
            "auth/token/revoke-accessor",
            Some(json!({ "accessor": accessor })),
        )
        .await;
    assert_eq!(status, 204, "revoke: {body}");

    let env = client
        .read("secret/data/app")
        .await
        .expect("read after revocation");
    assert!(env.is_some());
    assert_eq!(client.stats().logins, 2, "exactly one re-login");
}

#[tokio::test]
async fn bad_secret_id_is_a_clear_authentication_error() {
    let bao = OpenBao::dev().await;
    let (role_id, _) = bao.enable_approle("app", &["default"], "1h").await;
    let planted = "planted-wrong-secret-id-6f1e";
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(AppRoleAuth::new(role_id, planted)))
        .with_retry(fast_retry(3))
        .build()
        .expect("client");
    let e = client
        .read("secret/data/app")
        .await
        .expect_err("bad credentials");
    assert_eq!(e.kind(), VaultErrorKind::Authentication, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("approle") && text.contains("VAULT_SECRET_ID"),
        "{text}"
    );
    assert!(
        !text.contains(planted) && !format!("{e:?}").contains(planted),
        "{text}"
    );
    assert_eq!(client.stats().retries, 0, "a 400 from login is not retried");
}

#[tokio::test]
async fn capped_token_is_replaced_by_a_fresh_login_before_expiry() {
    let bao = OpenBao::dev().await;
    bao.write_policy("secret-rw", crate::client_common::SECRET_RW)
        .await;
    let (status, body) = bao
        .api("POST", "sys/auth/approle", Some(json!({"type": "approle"})))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = bao
        .api(
            "POST",
            "auth/approle/role/capped",
            Some(
                json!({"token_policies": ["secret-rw"], "token_ttl": "6s", "token_max_ttl": "12s"}),
            ),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, rid) = bao
        .api("GET", "auth/approle/role/capped/role-id", None)
        .await;
    let (_, sid) = bao
        .api("POST", "auth/approle/role/capped/secret-id", None)
        .await;
    let auth = AppRoleAuth::new(
        rid["data"]["role_id"].as_str().expect("role_id"),
        sid["data"]["secret_id"].as_str().expect("secret_id"),
    );
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(auth))
        .build()
        .expect("client");
    client
        .write("secret/data/capped", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    // Past the max TTL of the first token: renewals ran, then a fresh login replaced it. The
    // replaced token was revoked with `revoke-self`, which only a live token can do: the
    // fresh login came before the first token expired.
    let stats = read_until(
        &client,
        "secret/data/capped",
        "re-login and revocation",
        |s| (s.logins >= 2 && s.revocations >= 1) || s.logins > 3,
    )
    .await;
    assert!(stats.renewals >= 1, "{stats:?}");
    assert!(
        stats.revocations >= 1,
        "no replaced token could be revoked: each expired before its re-login: {stats:?}"
    );
    assert!(
        client
            .read("secret/data/capped")
            .await
            .expect("read after the max TTL")
            .is_some()
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_relogin() {
    let bao = OpenBao::dev().await;
    let client = approle_client(&bao, "app", "1h").await;
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("write");
    let accessor = accessor_of_login(&bao, "auth/approle/login").await;
    let (status, body) = bao
        .api(
            "POST",
            "auth/token/revoke-accessor",
            Some(json!({ "accessor": accessor })),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    let reads: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.read("secret/data/app").await })
        })
        .collect();
    for r in reads {
        assert!(
            r.await
                .expect("task")
                .expect("read after revocation")
                .is_some()
        );
    }
    assert_eq!(
        client.stats().logins,
        2,
        "one re-login shared by all concurrent requests"
    );
}

/// A token without the `default` policy (`token_no_default_policy`) may not look itself up, so
/// a denied read used to make `lookup-self` fail too, the token was taken for dead, and every
/// denied read logged in again: one AppRole `secret_id` use spent per denied read, and the old
/// token left alive. A denied read is a denied read now.
#[tokio::test]
async fn denied_read_without_default_policy_spends_no_secret_id_use() {
    let bao = OpenBao::dev().await;
    bao.write_policy("secret-rw", crate::client_common::SECRET_RW)
        .await;
    let (status, body) = bao
        .api("POST", "sys/auth/approle", Some(json!({"type": "approle"})))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = bao
        .api(
            "POST",
            "auth/approle/role/nodefault",
            Some(json!({
                "token_policies": ["secret-rw"],
                "token_no_default_policy": true,
                "token_ttl": "1h",
            })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, rid) = bao
        .api("GET", "auth/approle/role/nodefault/role-id", None)
        .await;
    let (_, sid) = bao
        .api(
            "POST",
            "auth/approle/role/nodefault/secret-id",
            Some(json!({"num_uses": 10})),
        )
        .await;
    let secret_id = sid["data"]["secret_id"].as_str().expect("secret_id");
    let uses_left = || async {
        let (status, body) = bao
            .api(
                "POST",
                "auth/approle/role/nodefault/secret-id/lookup",
                Some(json!({ "secret_id": secret_id })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["secret_id_num_uses"]
            .as_u64()
            .expect("num uses")
    };
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(AppRoleAuth::new(
            rid["data"]["role_id"].as_str().expect("role_id"),
            secret_id,
        )))
        .with_retry(fast_retry(3))
        .build()
        .expect("client");
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("allowed write (first login)");
    let before = uses_left().await;
    for _ in 0..3 {
        let e = client
            .read("sys/policies/acl/secret-rw")
            .await
            .expect_err("not in the token's policies");
        assert_eq!(e.kind(), VaultErrorKind::Permission, "{e}");
    }
    assert_eq!(
        uses_left().await,
        before,
        "a denied read spent a secret_id use"
    );
    assert_eq!(client.stats().logins, 1, "no re-login for a denied read");
    assert!(
        client
            .read("secret/data/app")
            .await
            .expect("the token still works")
            .is_some()
    );
}
