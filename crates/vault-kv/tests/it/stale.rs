//! Stale-on-error against a real server (docs/kv.md, "Stale-on-error serves …"): the last good
//! value is served only when Vault could not answer (unreachable, 5xx), never once Vault
//! answered about the secret or the token (403, 404), and never beyond `max_staleness`.

use std::time::Duration;

use serde_json::json;
use vault_kv::{CachedKv, KvErrorKind, KvExt};
use vault_testkit::{Fault, FaultProxy};

use crate::common::{impatient_client, server};

const CACHED: &str = "cached-value-7d1c";

#[tokio::test]
async fn stale_is_never_served_after_vault_answers_403_or_404() {
    let (bao, root) = server().await;
    for path in ["app/gone", "app/denied", "app/down"] {
        root.write_secret(path, &json!({ "v": CACHED }), "secret")
            .await
            .expect("seed");
    }
    bao.write_policy(
        "app-read",
        r#"path "secret/data/app/*" { capabilities = ["read"] }"#,
    )
    .await;
    let token = bao.create_token(&["app-read"], "1h").await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let ttl = Duration::from_millis(100);
    let kv = CachedKv::builder(impatient_client(&proxy.addr(), &token))
        .with_ttl(ttl)
        .with_stale_on_error(Duration::from_secs(600))
        .build();
    for path in ["app/gone", "app/denied", "app/down"] {
        let fresh = kv.get_secret(path, "secret").await.expect("fresh");
        assert_eq!(fresh.get_str("v"), Some(CACHED));
    }

    // Real answers from Vault: the secret was deleted (404), the token lost read (403).
    root.kv2("secret")
        .delete_metadata("app/gone")
        .await
        .expect("delete");
    bao.write_policy(
        "app-read",
        r#"path "secret/data/app/*" { capabilities = ["read"] }
path "secret/data/app/denied" { capabilities = ["deny"] }"#,
    )
    .await;
    // Past the TTL (a sleep never ends early, however loaded the machine).
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    let gone = kv
        .get_secret("app/gone", "secret")
        .await
        .expect_err("a deleted secret is not served stale");
    assert_eq!(gone.kind(), KvErrorKind::NotFound, "{gone}");
    let denied = kv
        .get_secret("app/denied", "secret")
        .await
        .expect_err("a denied secret is not served stale");
    assert_eq!(denied.kind(), KvErrorKind::Permission, "{denied}");
    for e in [&gone, &denied] {
        assert!(!e.to_string().contains(CACHED), "{e}");
    }
    assert_eq!(kv.stats().stale, 0, "{:?}", kv.stats());

    // The same cache does serve stale when Vault fails to answer: the control that shows
    // stale-on-error is on at all.
    proxy.push(Fault::status(503));
    let stale = kv
        .get_secret("app/down", "secret")
        .await
        .expect("served stale on a 503");
    assert!(stale.is_stale());
    assert_eq!(stale.get_str("v"), Some(CACHED));
    assert_eq!(kv.stats().stale, 1);

    // A 403 or 404 status, even from something in front of Vault, is an answer too.
    // (A bare 404 without Vault's body reads as "no such mount or route".)
    for (status, kinds) in [
        (403, &[KvErrorKind::Permission][..]),
        (404, &[KvErrorKind::NotFound, KvErrorKind::NoSuchMount][..]),
    ] {
        proxy.push(Fault::status(status));
        let e = kv
            .get_secret("app/down", "secret")
            .await
            .expect_err("an answer is not served stale");
        assert!(kinds.contains(&e.kind()), "{status}: {:?}: {e}", e.kind());
    }
    assert_eq!(kv.stats().stale, 1, "{:?}", kv.stats());
}

#[tokio::test]
async fn stale_is_never_served_beyond_max_staleness() {
    let (bao, root) = server().await;
    root.write_secret("app/aging", &json!({ "v": CACHED }), "secret")
        .await
        .expect("seed");
    let proxy = FaultProxy::start(&bao.addr()).await;
    let (ttl, max_staleness) = (Duration::from_millis(100), Duration::from_millis(400));
    let kv = CachedKv::builder(impatient_client(&proxy.addr(), &bao.root_token()))
        .with_ttl(ttl)
        .with_stale_on_error(max_staleness)
        .build();
    kv.get_secret("app/aging", "secret").await.expect("fresh");

    // Vault becomes unreachable. Read until the value is refused: every value served on the
    // way is stale and within the limit; the first refusal is a Cache error. How many reads
    // are served depends on the machine's speed, the limit does not.
    proxy.set_default(Some(Fault::Reset));
    tokio::time::sleep(ttl + Duration::from_millis(20)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let refused = loop {
        match kv.get_secret("app/aging", "secret").await {
            Ok(served) => {
                assert!(served.is_stale());
                assert!(
                    served.age() <= ttl + max_staleness,
                    "served {:?} old, limit {:?} past a TTL of {ttl:?}",
                    served.age(),
                    max_staleness
                );
            }
            Err(e) => break e,
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still served stale after 60 s: max_staleness ignored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(refused.kind(), KvErrorKind::Cache, "{refused}");
    assert!(
        refused.to_string().contains("stale-on-error limit"),
        "{refused}"
    );
    assert!(!refused.to_string().contains(CACHED), "{refused}");
    // Once past the limit it stays refused.
    for _ in 0..3 {
        let e = kv
            .get_secret("app/aging", "secret")
            .await
            .expect_err("too old");
        assert_eq!(e.kind(), KvErrorKind::Cache, "{e}");
    }
    // Vault back: a fresh value again.
    proxy.set_default(None);
    let fresh = kv.get_secret("app/aging", "secret").await.expect("fresh");
    assert!(!fresh.is_stale());
}
