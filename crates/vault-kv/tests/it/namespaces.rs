//! Namespaces: the same path in two namespaces holds two secrets, and the cache keeps them apart.

use std::time::Duration;

use serde_json::json;
use vault_kv::{CachedKv, KvErrorKind, KvExt};

use crate::common::server;

#[tokio::test]
async fn namespaces_keep_secrets_and_cache_entries_apart() {
    let (bao, root) = server().await;
    bao.create_namespace("team-a").await;
    let (status, body) = bao
        .api_in(
            "team-a",
            "POST",
            "sys/mounts/secret",
            Some(json!({"type": "kv", "options": {"version": "2"}})),
        )
        .await;
    assert!(status < 300, "mount in namespace: {status} {body}");
    let team = root.with_namespace(Some("team-a"));
    // A fresh v2 mount upgrades its storage for a moment.
    let mut written = None;
    for _ in 0..100 {
        match team
            .write_secret("app/db", &json!({"who": "team-a"}), "secret")
            .await
        {
            Ok(meta) => {
                written = Some(meta);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    assert_eq!(written.expect("write in the namespace").version, Some(1));

    let e = root
        .get_secret("app/db", "secret")
        .await
        .expect_err("not visible from the root namespace");
    assert_eq!(e.kind(), KvErrorKind::NotFound);
    root.write_secret("app/db", &json!({"who": "root"}), "secret")
        .await
        .expect("root write");

    let cached_root = CachedKv::builder(root.clone())
        .with_ttl(Duration::from_secs(60))
        .build();
    let cached_team = cached_root.with_namespace(Some("team-a"));
    for _ in 0..2 {
        assert_eq!(
            cached_root
                .get_secret("app/db", "secret")
                .await
                .expect("root")
                .get_str("who"),
            Some("root")
        );
        assert_eq!(
            cached_team
                .get_secret("app/db", "secret")
                .await
                .expect("team")
                .get_str("who"),
            Some("team-a")
        );
    }
    let stats = cached_root.stats();
    assert_eq!(
        (stats.misses, stats.hits, stats.entries),
        (2, 2, 2),
        "{stats:?}"
    );
}
