//! KV v1 mounts, and the Python module's calls detecting the mount version.

use serde_json::json;
use vault_kv::{KvErrorKind, KvExt, KvVersion};

use crate::common::server;

#[tokio::test]
async fn kv_v1_read_write_list_delete() {
    let (bao, client) = server().await;
    bao.enable_kv_v1("kv1").await;
    let kv = client.kv1("kv1");
    kv.write("team/db", &json!({"user": "u", "password": "planted-v1"}))
        .await
        .expect("write");
    kv.write("team/other", &json!({"k": "v"}))
        .await
        .expect("write");
    let s = kv.read("team/db").await.expect("read");
    assert_eq!(s.get_str("password"), Some("planted-v1"));
    assert_eq!(s.metadata.version, None);
    let mut names = kv.list("team").await.expect("list");
    names.sort();
    assert_eq!(names, vec!["db", "other"]);
    kv.delete("team/db").await.expect("delete");
    assert_eq!(
        kv.read("team/db").await.expect_err("deleted").kind(),
        KvErrorKind::NotFound
    );
    assert_eq!(
        kv.write("team/empty", &json!({}))
            .await
            .expect_err("empty secret")
            .kind(),
        KvErrorKind::Validation
    );
}

#[tokio::test]
async fn seed_calls_work_on_both_versions() {
    let (bao, client) = server().await;
    bao.enable_kv_v1("legacy").await;
    for mount in ["secret", "legacy"] {
        let info = client
            .write_secret(
                "bike-data-flow/production/database",
                &json!({"username": "db_user", "port": "5432"}),
                mount,
            )
            .await
            .expect("write_secret");
        let secret = client
            .get_secret("bike-data-flow/production/database", mount)
            .await
            .expect("get_secret");
        assert_eq!(secret.path, "bike-data-flow/production/database");
        assert_eq!(secret.get_str("username"), Some("db_user"));
        assert_eq!(secret.metadata.version, info.version);
        assert_eq!(
            client
                .list_secrets("bike-data-flow/production", mount)
                .await
                .expect("list_secrets"),
            vec!["database"]
        );
        client
            .delete_secret("bike-data-flow/production/database", mount)
            .await
            .expect("delete_secret");
        assert!(
            client
                .get_secret("bike-data-flow/production/database", mount)
                .await
                .is_err()
        );
    }
    assert_eq!(
        client.kv("secret").version().await.expect("detect"),
        KvVersion::V2
    );
    assert_eq!(
        client.kv("legacy").version().await.expect("detect"),
        KvVersion::V1
    );

    client
        .write_secret("x", &json!({"a": 1}), "secret")
        .await
        .expect("v1 of x");
    client
        .write_secret("x", &json!({"a": 2}), "secret")
        .await
        .expect("v2 of x");
    let old = client
        .get_secret_version("x", 1, "secret")
        .await
        .expect("get_secret_version");
    assert_eq!(old.data.get("a"), Some(&json!(1)));
    let e = client
        .get_secret_version("x", 1, "legacy")
        .await
        .expect_err("v1 has no versions");
    assert!(e.to_string().contains("KV v1 mount"), "{e}");
}
