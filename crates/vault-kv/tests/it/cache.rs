//! The read cache against a real server, with requests counted by the fault proxy.

use std::time::Duration;

use serde_json::json;
use vault_kv::{CachedKv, KvErrorKind, KvExt};
use vault_testkit::{Fault, FaultProxy};

use crate::common::{client_for, count_paths, impatient_client, server};

const DATA: &str = "/v1/secret/data/";

#[tokio::test]
async fn ttl_expiry_and_invalidation_after_write() {
    let (bao, root) = server().await;
    root.write_secret("app/db", &json!({"v": 1}), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    // A TTL no loaded machine outlasts within the test: every "still cached" below holds
    // whatever the load; expiry is checked at the end with a second, short-lived cache.
    let kv = CachedKv::builder(client_for(&proxy.addr(), &bao.root_token()))
        .with_ttl(Duration::from_secs(600))
        .build();

    assert_eq!(
        kv.get_secret("app/db", "secret")
            .await
            .expect("miss")
            .data
            .get("v"),
        Some(&json!(1))
    );
    let hit = kv.get_secret("app/db", "secret").await.expect("hit");
    assert!(!hit.is_stale());
    assert_eq!(
        count_paths(&proxy.requests(), DATA),
        1,
        "{:?}",
        proxy.requests()
    );
    let s = kv.stats();
    assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1), "{s:?}");

    // A write through the cached client invalidates at once.
    kv.write_secret("app/db", &json!({"v": 2}), "secret")
        .await
        .expect("write");
    assert_eq!(kv.stats().entries, 0);
    assert_eq!(
        kv.get_secret("app/db", "secret")
            .await
            .expect("re-read")
            .data
            .get("v"),
        Some(&json!(2))
    );
    // So do patch, delete, destroy and undelete through a cached handle.
    let v2 = kv.kv2("secret");
    v2.patch("app/db", &json!({"v": 3}), None)
        .await
        .expect("patch");
    assert_eq!(
        kv.get_secret("app/db", "secret")
            .await
            .expect("after patch")
            .data
            .get("v"),
        Some(&json!(3))
    );
    assert_eq!(
        v2.read_version("app/db", 3)
            .await
            .expect("version 3")
            .data
            .get("v"),
        Some(&json!(3))
    );
    v2.delete_versions("app/db", &[3]).await.expect("delete v3");
    assert_eq!(
        kv.get_secret_version("app/db", 3, "secret")
            .await
            .expect_err("deleted")
            .kind(),
        KvErrorKind::VersionDeleted
    );
    v2.undelete_versions("app/db", &[3])
        .await
        .expect("undelete v3");
    assert_eq!(
        kv.get_secret_version("app/db", 3, "secret")
            .await
            .expect("undeleted v3")
            .data
            .get("v"),
        Some(&json!(3))
    );
    v2.destroy_versions("app/db", &[3])
        .await
        .expect("destroy v3");
    assert_eq!(
        kv.get_secret_version("app/db", 3, "secret")
            .await
            .expect_err("destroyed")
            .kind(),
        KvErrorKind::VersionDestroyed
    );
    v2.delete_metadata("app/db").await.expect("delete all");
    assert_eq!(
        kv.get_secret("app/db", "secret")
            .await
            .expect_err("gone")
            .kind(),
        KvErrorKind::NotFound
    );

    // Within the TTL a write behind the cache's back is not seen.
    root.write_secret("ttl", &json!({"v": 1}), "secret")
        .await
        .expect("seed ttl");
    kv.get_secret("ttl", "secret").await.expect("miss");
    proxy.reset_counts();
    kv.get_secret("ttl", "secret").await.expect("hit");
    assert_eq!(count_paths(&proxy.requests(), DATA), 0);
    root.write_secret("ttl", &json!({"v": 2}), "secret")
        .await
        .expect("write behind the cache's back");
    assert_eq!(
        kv.get_secret("ttl", "secret")
            .await
            .expect("still cached")
            .data
            .get("v"),
        Some(&json!(1))
    );
    assert_eq!(count_paths(&proxy.requests(), DATA), 0);

    // TTL expiry: once the TTL has passed (a sleep lasts at least as long as asked, however
    // loaded the machine), the next read asks Vault again and sees the new value.
    let ttl = Duration::from_millis(200);
    let short = CachedKv::builder(client_for(&proxy.addr(), &bao.root_token()))
        .with_ttl(ttl)
        .build();
    short.get_secret("ttl", "secret").await.expect("miss");
    root.write_secret("ttl", &json!({"v": 3}), "secret")
        .await
        .expect("write behind the short cache's back");
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    proxy.reset_counts();
    let fresh = short.get_secret("ttl", "secret").await.expect("expired");
    assert_eq!(fresh.data.get("v"), Some(&json!(3)));
    assert!(!fresh.is_stale());
    assert_eq!(count_paths(&proxy.requests(), DATA), 1);
    assert_eq!(short.stats().misses, 2, "{:?}", short.stats());
}

#[tokio::test]
async fn concurrent_misses_make_one_request() {
    let (bao, root) = server().await;
    root.write_secret("hot", &json!({"v": 1}), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let kv = CachedKv::builder(client_for(&proxy.addr(), &bao.root_token())).build();
    let handle = kv.kv2("secret");
    // The first request is held at the proxy until every task has started and reached the
    // cache (the test runs on one thread: the spawned tasks all run before the proxy sees a
    // request), so all 32 are misses in flight together; no timing involved.
    let hold = proxy.hold("GET", "/v1/secret/data/hot", 1);
    let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let handle = handle.clone();
        let started = started.clone();
        tasks.push(tokio::spawn(async move {
            started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            handle.read("hot").await
        }));
    }
    hold.arrived().await;
    assert_eq!(started.load(std::sync::atomic::Ordering::SeqCst), 32);
    hold.release();
    for t in tasks {
        assert_eq!(
            t.await.expect("task").expect("read").data.get("v"),
            Some(&json!(1))
        );
    }
    assert_eq!(
        count_paths(&proxy.requests(), DATA),
        1,
        "{:?}",
        proxy.requests()
    );
    let s = kv.stats();
    assert_eq!((s.misses, s.hits), (1, 31), "{s:?}");
}

#[tokio::test]
async fn stale_values_are_served_while_the_server_is_unreachable() {
    let (bao, root) = server().await;
    root.write_secret("app/db", &json!({"v": "last-good"}), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = impatient_client(&proxy.addr(), &bao.root_token());
    let kv = CachedKv::builder(client.clone())
        .with_ttl(Duration::from_millis(200))
        .with_stale_on_error(Duration::from_secs(60))
        .build();
    let strict = CachedKv::builder(client)
        .with_ttl(Duration::from_millis(200))
        .build();
    assert!(
        !kv.get_secret("app/db", "secret")
            .await
            .expect("fresh")
            .is_stale()
    );
    strict.get_secret("app/db", "secret").await.expect("fresh");

    proxy.set_default(Some(Fault::NoAnswer));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stale = kv
        .get_secret("app/db", "secret")
        .await
        .expect("served stale");
    assert!(stale.is_stale());
    assert!(stale.age() >= Duration::from_millis(200));
    assert_eq!(stale.get_str("v"), Some("last-good"));
    assert_eq!(kv.stats().stale, 1);
    let e = strict
        .get_secret("app/db", "secret")
        .await
        .expect_err("no stale without opting in");
    assert!(e.is_retryable(), "{e}");

    // Connection resets count as unreachable too; a secret never cached has nothing to serve.
    proxy.set_default(Some(Fault::Reset));
    assert!(
        kv.get_secret("app/db", "secret")
            .await
            .expect("stale again")
            .is_stale()
    );
    assert!(kv.get_secret("never-read", "secret").await.is_err());

    // Back to normal: fresh again.
    proxy.set_default(None);
    assert!(
        !kv.get_secret("app/db", "secret")
            .await
            .expect("fresh again")
            .is_stale()
    );
}

#[tokio::test]
async fn zero_ttl_disables_and_capacity_bounds_the_cache() {
    let (bao, root) = server().await;
    for i in 0..3 {
        root.write_secret(&format!("k{i}"), &json!({"i": i}), "secret")
            .await
            .expect("seed");
    }
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = client_for(&proxy.addr(), &bao.root_token());
    let off = CachedKv::builder(client.clone())
        .with_ttl(Duration::ZERO)
        .build();
    off.get_secret("k0", "secret").await.expect("read");
    off.get_secret("k0", "secret").await.expect("read");
    assert_eq!(count_paths(&proxy.requests(), DATA), 2);
    assert_eq!(off.stats().entries, 0);

    let small = CachedKv::builder(client).with_capacity(2).build();
    for i in 0..3 {
        small
            .get_secret(&format!("k{i}"), "secret")
            .await
            .expect("read");
    }
    let s = small.stats();
    assert_eq!((s.entries, s.evictions), (2, 1), "{s:?}");
    proxy.reset_counts();
    small
        .get_secret("k2", "secret")
        .await
        .expect("most recent is cached");
    assert_eq!(count_paths(&proxy.requests(), DATA), 0);
    small
        .get_secret("k0", "secret")
        .await
        .expect("least recent was evicted");
    assert_eq!(count_paths(&proxy.requests(), DATA), 1);
}

#[tokio::test]
async fn a_value_past_the_stale_limit_is_a_cache_error() {
    let (bao, root) = server().await;
    root.write_secret("app/old", &json!({"v": "too-old"}), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = impatient_client(&proxy.addr(), &bao.root_token());
    let kv = CachedKv::builder(client)
        .with_ttl(Duration::from_millis(100))
        .with_stale_on_error(Duration::ZERO)
        .build();
    kv.get_secret("app/old", "secret").await.expect("fresh");
    proxy.set_default(Some(Fault::NoAnswer));
    tokio::time::sleep(Duration::from_millis(250)).await;
    let e = kv
        .get_secret("app/old", "secret")
        .await
        .expect_err("too old to serve");
    assert_eq!(e.kind(), vault_kv::KvErrorKind::Cache, "{e}");
    assert_eq!(
        vault_core::Classify::class(&e),
        vault_core::ErrorClass::Cache
    );
    assert!(e.to_string().contains("stale-on-error limit"), "{e}");
    assert!(!e.to_string().contains("too-old"), "{e}");
}
