//! AppRole against a real server: login, renewal before expiry with a short TTL, re-login after
//! the token is revoked, and a clear error for bad credentials.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use vault_core::{AppRoleAuth, VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{accessor_of_login, approle_client, fast_retry};

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
    tokio::time::sleep(Duration::from_secs(10)).await;
    let stats = client.stats();
    assert!(
        stats.renewals >= 1,
        "no renewal within 10 s of a 6 s token: {stats:?}\n{}",
        bao.log_tail(40)
    );
    assert!(
        client
            .read("secret/data/renew")
            .await
            .expect("read after 10 s")
            .is_some()
    );
    assert_eq!(
        client.stats().logins,
        1,
        "renewal, not re-login, kept the token alive"
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
                json!({"token_policies": ["secret-rw"], "token_ttl": "3s", "token_max_ttl": "6s"}),
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
    // Past the max TTL of the first token: renewals ran, then a fresh login replaced it.
    tokio::time::sleep(Duration::from_secs(9)).await;
    let stats = client.stats();
    assert!(stats.renewals >= 1, "{stats:?}");
    assert!(
        stats.logins >= 2,
        "no fresh login after the max TTL: {stats:?}\n{}",
        bao.log_tail(40)
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
