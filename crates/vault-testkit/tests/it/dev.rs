//! `OpenBao::dev` and its helpers.

use serde_json::json;
use vault_testkit::OpenBao;

#[tokio::test]
async fn dev_server_answers_health_and_has_kv_v2_at_secret() {
    let bao = OpenBao::dev().await;
    assert!(
        bao.addr().starts_with("http://127.0.0.1:"),
        "{}",
        bao.addr()
    );
    let (status, health) = bao.api("GET", "sys/health", None).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["initialized"], true);
    assert_eq!(health["sealed"], false);

    let (status, body) = bao
        .api(
            "POST",
            "secret/data/app",
            Some(json!({"data": {"user": "alice"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = bao.api("GET", "secret/data/app", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["data"]["user"], "alice");
    assert!(
        bao.log().contains("OpenBao server started")
            || bao.log().contains("core: vault is unsealed")
    );
}

#[tokio::test]
async fn two_dev_servers_get_distinct_ports_and_tokens() {
    let (a, b) = tokio::join!(OpenBao::dev(), OpenBao::dev());
    assert_ne!(a.addr(), b.addr());
    assert_ne!(a.root_token(), b.root_token());
    // Each root token is valid only on its own server.
    assert_eq!(
        a.api_as(&b.root_token(), "GET", "auth/token/lookup-self", None)
            .await
            .0,
        403
    );
    assert_eq!(a.api("GET", "auth/token/lookup-self", None).await.0, 200);
}

#[tokio::test]
async fn approle_policy_and_token_helpers_work() {
    let bao = OpenBao::dev().await;
    bao.write_policy(
        "read-app",
        r#"path "secret/data/app" { capabilities = ["read"] }"#,
    )
    .await;
    bao.api("POST", "secret/data/app", Some(json!({"data": {"k": "v"}})))
        .await;

    let (role_id, secret_id) = bao.enable_approle("app", &["read-app"], "5m").await;
    // Enabling a second role reuses the mount.
    let (other_role_id, _) = bao.enable_approle("other", &["default"], "1m").await;
    assert_ne!(role_id, other_role_id);
    let (status, login) = bao
        .api_as(
            "",
            "POST",
            "auth/approle/login",
            Some(json!({"role_id": role_id, "secret_id": secret_id})),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    assert_eq!(login["auth"]["lease_duration"], 300);
    let token = login["auth"]["client_token"]
        .as_str()
        .expect("client_token")
        .to_string();
    assert_eq!(
        bao.api_as(&token, "GET", "secret/data/app", None).await.0,
        200
    );
    assert_eq!(
        bao.api_as(&token, "GET", "secret/data/other", None).await.0,
        403
    );

    let token = bao.create_token(&["read-app"], "90s").await;
    let (status, me) = bao
        .api_as(&token, "GET", "auth/token/lookup-self", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert!(
        me["data"]["policies"]
            .as_array()
            .expect("policies")
            .contains(&json!("read-app"))
    );
    let ttl = me["data"]["ttl"].as_u64().expect("ttl");
    assert!(ttl > 0 && ttl <= 90, "ttl {ttl}");
    assert_eq!(me["data"]["renewable"], true);
}

#[tokio::test]
async fn kv_mounts_audit_and_namespaces() {
    let bao = OpenBao::dev().await;
    bao.enable_kv_v1("kv1").await;
    bao.enable_kv_v2("kv2").await;
    let (_, mounts) = bao.api("GET", "sys/mounts", None).await;
    assert_eq!(mounts["kv1/"]["options"]["version"], "1", "{mounts}");
    assert_eq!(mounts["kv2/"]["options"]["version"], "2", "{mounts}");
    assert_eq!(
        bao.api("PUT", "kv1/a", Some(json!({"x": "1"}))).await.0,
        204
    );
    assert_eq!(
        bao.api("POST", "kv2/data/a", Some(json!({"data": {"x": "1"}})))
            .await
            .0,
        200
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    bao.enable_file_audit("file", &log).await;
    bao.api("GET", "kv1/a", None).await;
    let text = std::fs::read_to_string(&log).expect("audit log written");
    assert!(
        text.contains("kv1/a"),
        "audit log lacks the request: {text}"
    );

    bao.create_namespace("team-a").await;
    bao.create_namespace("team-a/app").await;
    let (status, body) = bao
        .api_in(
            "team-a",
            "POST",
            "sys/mounts/kv",
            Some(json!({"type": "kv", "options": {"version": "1"}})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        bao.api_in("team-a", "PUT", "kv/s", Some(json!({"v": "ns"})))
            .await
            .0,
        204
    );
    let (status, body) = bao.api_in("team-a", "GET", "kv/s", None).await;
    assert_eq!((status, body["data"]["v"].clone()), (200, json!("ns")));
    // The root namespace has no such mount.
    assert_eq!(bao.api("GET", "kv/s", None).await.0, 404);
    let (status, list) = bao.api_in("team-a", "LIST", "sys/namespaces", None).await;
    assert_eq!(status, 200, "{list}");
    assert!(
        list["data"]["keys"]
            .as_array()
            .expect("keys")
            .contains(&json!("app/"))
    );
}

#[tokio::test]
async fn seal_and_unseal_dev_server() {
    let bao = OpenBao::dev().await;
    assert!(
        bao.unseal_key().is_some(),
        "dev server prints an unseal key"
    );
    bao.seal().await;
    let (status, _) = bao.api("GET", "sys/health", None).await;
    assert_eq!(status, 503);
    bao.unseal().await;
    let (status, _) = bao.api("GET", "sys/health", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
#[should_panic(expected = "HTTP 400")]
async fn failing_helper_panics_with_status() {
    let bao = OpenBao::dev().await;
    bao.write_policy("broken", "this is { not hcl").await;
}
