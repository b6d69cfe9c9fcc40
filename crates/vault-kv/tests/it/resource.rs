//! The pipeline resource: typed database credentials, API keys, listing, health, AppRole config.

use serde_json::json;
use vault_core::{AuthMethodKind, SecretString, VaultConnectionConfig};
use vault_kv::{CacheConfig, KvErrorKind, KvExt, SecretsResource, SecretsResourceConfig};

use crate::common::server;

#[tokio::test]
async fn typed_credentials_api_keys_list_and_health() {
    let (_bao, root) = server().await;
    let base = "bike-data-flow/production";
    root.write_secret(
        &format!("{base}/database"),
        &json!({"username": "db user", "password": "planted-P@ss/1", "host": "db.example.com",
                "port": "5432", "database": "bike_data"}),
        "secret",
    )
    .await
    .expect("seed db");
    root.write_secret(
        &format!("{base}/broken-db"),
        &json!({"username": "u", "host": "h", "port": "x5432", "database": "d"}),
        "secret",
    )
    .await
    .expect("seed broken db");
    root.write_secret(
        &format!("{base}/api-keys"),
        &json!({"openweather": "planted-ow-key"}),
        "secret",
    )
    .await
    .expect("seed api keys");
    root.write_secret(
        &format!("{base}/api-keys/citybikes"),
        &json!({"api_key": "planted-cb-key"}),
        "secret",
    )
    .await
    .expect("seed per-service key");

    let vault = SecretsResource::from_client(root.clone(), CacheConfig::default(), "secret");
    let db = vault
        .get_database_credentials(&format!("{base}/database"))
        .await
        .expect("credentials");
    assert_eq!(
        (db.username.as_str(), db.port, db.database.as_deref()),
        ("db user", 5432, Some("bike_data"))
    );
    assert_eq!(db.password.expose(), "planted-P@ss/1");
    assert_eq!(
        db.connection_url().expose(),
        "postgresql://db%20user:planted-P%40ss%2F1@db.example.com:5432/bike_data"
    );
    assert!(!format!("{db:?}").contains("planted"));

    let e = vault
        .get_database_credentials(&format!("{base}/broken-db"))
        .await
        .expect_err("missing password");
    assert_eq!(e.kind(), KvErrorKind::Validation);
    let msg = e.to_string();
    assert!(
        msg.contains("secret/bike-data-flow/production/broken-db"),
        "{msg}"
    );
    assert!(msg.contains("missing `password`"), "{msg}");
    assert!(msg.contains("`port` must be a number"), "{msg}");
    assert!(!msg.contains("x5432"), "{msg}");

    let key: SecretString = vault
        .get_api_key("openweather", Some(&format!("{base}/api-keys")))
        .await
        .expect("shared layout");
    assert_eq!(key.expose(), "planted-ow-key");
    let key = vault
        .get_api_key("citybikes", Some(&format!("{base}/api-keys")))
        .await
        .expect("per-service layout");
    assert_eq!(key.expose(), "planted-cb-key");
    let e = vault
        .get_api_key("nobody", Some(&format!("{base}/api-keys")))
        .await
        .expect_err("no key");
    let msg = e.to_string();
    assert!(msg.contains("no API key for `nobody`"), "{msg}");
    assert!(!msg.contains("planted"), "{msg}");

    let mut names = vault.list_secrets(base, None).await.expect("list");
    names.sort();
    assert_eq!(
        names,
        vec!["api-keys", "api-keys/", "broken-db", "database"]
    );
    let health = vault.health_check().await.expect("health");
    assert!(health.is_healthy(), "{health:?}");
    // Reads were cached.
    assert!(vault.kv().stats().hits >= 1);
}

#[tokio::test]
async fn from_config_logs_in_with_approle() {
    let (bao, root) = server().await;
    root.write_secret("pipeline/db", &json!({"user": "u"}), "secret")
        .await
        .expect("seed");
    bao.write_policy(
        "pipeline",
        r#"path "secret/data/pipeline/*" { capabilities = ["read"] }"#,
    )
    .await;
    let (role_id, secret_id) = bao.enable_approle("pipeline", &["pipeline"], "1h").await;
    let config = SecretsResourceConfig {
        connection: VaultConnectionConfig {
            vault_addr: bao.addr(),
            auth_method: AuthMethodKind::AppRole,
            role_id: Some(role_id),
            secret_id: Some(SecretString::new(secret_id.clone())),
            ..VaultConnectionConfig::default()
        },
        ..SecretsResourceConfig::default()
    };
    assert!(!format!("{config:?}").contains(&secret_id));
    let vault = SecretsResource::from_config(config).expect("resource");
    let s = vault
        .get_secret("pipeline/db", None)
        .await
        .expect("read through AppRole");
    assert_eq!(s.get_str("user"), Some("u"));
    let e = vault
        .get_secret("other/db", None)
        .await
        .expect_err("outside the policy");
    assert_eq!(e.kind(), KvErrorKind::Permission, "{e}");
}
