//! The Python module's client contract on a client built from a `VaultConnectionConfig`:
//! `get_connection_config()`, `cache_ttl` on the five calls, the `secret` default mount, the
//! module's example database secret and `get_api_key`'s default path.

use std::time::Duration;

use serde_json::json;
use vault_core::{SecretString, VaultClient, VaultConnectionConfig};
use vault_kv::{CacheConfig, KvExt, SecretsResource};
use vault_testkit::FaultProxy;

use crate::common::{count_paths, server};

const DATA: &str = "/v1/secret/data/";

fn config_for(addr: &str, token: &str, cache_ttl: Duration) -> VaultConnectionConfig {
    VaultConnectionConfig {
        vault_addr: addr.to_string(),
        token: Some(SecretString::new(token.to_string())),
        cache_ttl,
        ..VaultConnectionConfig::default()
    }
}

#[tokio::test]
async fn the_client_returns_its_config_without_secrets() {
    let (bao, _root) = server().await;
    let config = config_for(&bao.addr(), &bao.root_token(), Duration::from_secs(42));
    let client = VaultClient::from_config(&config).expect("client");
    let kept = client.get_connection_config().expect("kept");
    assert_eq!(kept.vault_addr, bao.addr());
    assert_eq!(kept.cache_ttl, Duration::from_secs(42));
    assert_eq!(kept.timeout, config.timeout);
    assert!(kept.token.is_none() && kept.secret_id.is_none());
    assert!(!format!("{kept:?}").contains(&bao.root_token()));
    // The client still works with the token it was given.
    client
        .write_secret("cfg/x", &json!({"k": "v"}), None)
        .await
        .expect("write");
    let ns = client.with_namespace(Some("team-a"));
    assert_eq!(
        ns.get_connection_config().and_then(|c| c.namespace.clone()),
        Some("team-a".to_string())
    );
    let built = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .expect("builder");
    assert!(built.get_connection_config().is_none());
}

#[tokio::test]
async fn cache_ttl_serves_the_five_calls_through_the_cache() {
    let (bao, root) = server().await;
    root.write_secret("app/db", &json!({"v": 1}), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let cached = VaultClient::from_config(&config_for(
        &proxy.addr(),
        &bao.root_token(),
        Duration::from_secs(300),
    ))
    .expect("client");

    // Reads: the first goes to Vault, the next ones (on any clone) come from the cache.
    for _ in 0..3 {
        let s = cached.get_secret("app/db", None).await.expect("read");
        assert_eq!(s.data.get("v"), Some(&json!(1)));
    }
    cached
        .clone()
        .get_secret("app/db", "secret")
        .await
        .expect("read on a clone");
    assert_eq!(
        count_paths(&proxy.requests(), DATA),
        1,
        "{:?}",
        proxy.requests()
    );
    cached
        .get_secret_version("app/db", 1, None)
        .await
        .expect("version 1");
    cached
        .get_secret_version("app/db", 1, None)
        .await
        .expect("version 1 again");
    assert_eq!(count_paths(&proxy.requests(), DATA), 2);

    // A write invalidates: the next read sees the new value.
    cached
        .write_secret("app/db", &json!({"v": 2}), None)
        .await
        .expect("write");
    let s = cached.get_secret("app/db", None).await.expect("read");
    assert_eq!(s.data.get("v"), Some(&json!(2)));
    // A delete invalidates too.
    cached.delete_secret("app/db", None).await.expect("delete");
    let gone = cached.get_secret("app/db", None).await;
    assert!(gone.is_err(), "a deleted secret was served from the cache");
    // list_secrets is never cached.
    let before = count_paths(&proxy.requests(), "/v1/secret/metadata/");
    cached.list_secrets("app", None).await.expect("list");
    cached.list_secrets("app", None).await.expect("list");
    assert_eq!(
        count_paths(&proxy.requests(), "/v1/secret/metadata/") - before,
        2
    );

    // cache_ttl = 0: every read goes to Vault.
    root.write_secret("app/plain", &json!({"v": 1}), "secret")
        .await
        .expect("seed");
    let uncached = VaultClient::from_config(&config_for(
        &proxy.addr(),
        &bao.root_token(),
        Duration::ZERO,
    ))
    .expect("client");
    let before = count_paths(&proxy.requests(), "/v1/secret/data/app/plain");
    for _ in 0..3 {
        uncached.get_secret("app/plain", None).await.expect("read");
    }
    assert_eq!(
        count_paths(&proxy.requests(), "/v1/secret/data/app/plain") - before,
        3
    );
}

#[tokio::test]
async fn module_example_secret_and_default_api_key_path() {
    let (_bao, root) = server().await;
    // The module's own example: no `database`, `port` as a string; another with a numeric port.
    root.write_secret(
        "bike-data-flow/production/database",
        &json!({"username": "db_user", "password": "planted-secure_password",
                "host": "db.example.com", "port": "5432"}),
        None,
    )
    .await
    .expect("seed");
    root.write_secret(
        "bike-data-flow/staging/database",
        &json!({"username": "db_user", "password": "p", "host": "db", "port": 5433}),
        None,
    )
    .await
    .expect("seed");
    root.write_secret("api-keys", &json!({"openweather": "planted-ow"}), None)
        .await
        .expect("seed");
    let vault = SecretsResource::from_client(root, CacheConfig::default(), "secret");
    let db = vault
        .get_database_credentials("bike-data-flow/production/database")
        .await
        .expect("the module's example secret");
    assert_eq!((db.port, db.database.as_deref()), (5432, None));
    let db = vault
        .get_database_credentials("bike-data-flow/staging/database")
        .await
        .expect("numeric port");
    assert_eq!(db.port, 5433);
    let key = vault
        .get_api_key("openweather", None)
        .await
        .expect("default path api-keys");
    assert_eq!(key.expose(), "planted-ow");
}
