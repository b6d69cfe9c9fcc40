//! Secrets-engine and auth-method mounts on real OpenBao.

use vault_core::MountConfig;
use vault_core::VaultErrorKind;
use vault_testkit::OpenBao;

use crate::client_common::root_client;

#[tokio::test]
async fn list_enable_disable_secrets_engines() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let mounts = client.list_mounts().await.expect("list");
    for key in ["secret/", "sys/", "cubbyhole/"] {
        assert!(
            mounts.contains_key(key),
            "{key} missing from {:?}",
            mounts.keys().collect::<Vec<_>>()
        );
    }
    assert_eq!(mounts["secret/"].mount_type, "kv");
    assert_eq!(
        mounts["secret/"].kv_version(),
        Some(2),
        "dev mounts KV v2 at secret/"
    );
    assert!(!mounts["secret/"].accessor.is_empty());

    client
        .enable_mount(
            "team/kv",
            &MountConfig::kv_v1().with_description("team secrets"),
        )
        .await
        .expect("enable v1");
    client
        .enable_mount("/kv2/", &MountConfig::kv_v2())
        .await
        .expect("enable v2 (slashes trimmed)");
    let mounts = client.list_mounts().await.expect("list");
    let team = mounts
        .get("team/kv/")
        .unwrap_or_else(|| panic!("team/kv/ missing: {:?}", mounts.keys().collect::<Vec<_>>()));
    assert_eq!(
        (
            team.mount_type.as_str(),
            team.description.as_str(),
            team.kv_version()
        ),
        ("kv", "team secrets", Some(1))
    );
    assert_eq!(mounts["kv2/"].kv_version(), Some(2));

    let e = client
        .enable_mount("team/kv", &MountConfig::kv_v1())
        .await
        .expect_err("path in use");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    assert!(matches!(e.status(), Some(400 | 409)), "{e}");

    let e = client
        .enable_mount("x", &MountConfig::new("no-such-engine"))
        .await
        .expect_err("unknown type");
    assert!(e.status().is_some_and(|s| s >= 400), "{e}");

    client.disable_mount("team/kv").await.expect("disable");
    assert!(
        !client
            .list_mounts()
            .await
            .expect("list")
            .contains_key("team/kv/")
    );
}

#[tokio::test]
async fn list_enable_disable_auth_methods() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let auths = client.list_auth_mounts().await.expect("list");
    assert_eq!(
        auths.get("token/").map(|m| m.mount_type.as_str()),
        Some("token"),
        "{auths:?}"
    );

    client
        .enable_auth("ci-approle", "approle")
        .await
        .expect("enable");
    let auths = client.list_auth_mounts().await.expect("list");
    let approle = auths
        .get("ci-approle/")
        .unwrap_or_else(|| panic!("missing: {:?}", auths.keys().collect::<Vec<_>>()));
    assert_eq!(approle.mount_type, "approle");
    assert!(
        approle.config.token_type.is_some(),
        "auth mounts report a token type: {approle:?}"
    );

    client.disable_auth("ci-approle").await.expect("disable");
    assert!(
        !client
            .list_auth_mounts()
            .await
            .expect("list")
            .contains_key("ci-approle/")
    );
}
