//! `vault_kv::sync` on KV v1 and v2: diff, apply, idempotence, conflicts, force, concurrent
//! writers between diff and apply, and soft-deleted / destroyed latest versions.

use serde_json::json;
use vault_core::VaultClient;
use vault_kv::sync::{self, ApplyOptions, Compare, Desired, KeyChange, Outcome};
use vault_kv::{KvExt, KvVersion};

use crate::common::server;

const PW: &str = "planted-sync-Pw-9x7";
const OTHER: &str = "planted-concurrent-Qq4";

fn desired() -> Desired {
    let mut d = Desired::new();
    d.insert("app/db", json!({"user": "svc", "password": PW}))
        .expect("insert");
    d.insert("app/new", json!({"token": "planted-new-Tk1"}))
        .expect("insert");
    d
}

/// Write `data` to `path` as another writer would (outside sync).
async fn other_writer(c: &VaultClient, mount: &str, path: &str, data: serde_json::Value) {
    c.kv(mount).write(path, &data).await.expect("other writer");
}

async fn round_trip(c: &VaultClient, mount: &str) {
    let kv = c.kv(mount);
    other_writer(c, mount, "app/db", json!({"user": "svc", "extra": "x"})).await;

    let d = sync::diff(&kv, &desired()).await.expect("diff");
    let db = d.get("app/db").expect("db");
    assert!(db.exists);
    assert_eq!(db.change("user"), Some(KeyChange::Unchanged));
    assert_eq!(db.change("password"), Some(KeyChange::Add));
    assert_eq!(db.extra_keys, ["extra"]);
    assert!(!d.get("app/new").expect("new").exists);
    assert_eq!(d.would_write(false), 2);

    let r = sync::apply(&kv, &d, &ApplyOptions::default())
        .await
        .expect("apply");
    assert_eq!(r.get("app/db").expect("db").outcome, Outcome::Updated);
    assert_eq!(r.get("app/new").expect("new").outcome, Outcome::Created);
    let stored = kv.get("app/db").await.expect("read");
    assert_eq!(stored.get_str("password"), Some(PW));
    assert_eq!(
        stored.get_str("extra"),
        Some("x"),
        "keys only in Vault are kept"
    );

    // Idempotent: a second run is all-unchanged and writes no version.
    let before = kv.get("app/db").await.expect("read").metadata.version;
    let d2 = sync::diff(&kv, &desired()).await.expect("diff again");
    assert!(d2.is_unchanged());
    let r2 = sync::apply(&kv, &d2, &ApplyOptions::default())
        .await
        .expect("apply again");
    assert_eq!((r2.written(), r2.unchanged()), (0, 2));
    assert_eq!(
        kv.get("app/db").await.expect("read").metadata.version,
        before
    );

    // A different value in Vault: a conflict, nothing written without force.
    other_writer(
        c,
        mount,
        "app/db",
        json!({"user": "svc", "password": OTHER}),
    )
    .await;
    let d3 = sync::diff(&kv, &desired()).await.expect("diff");
    assert_eq!(
        d3.get("app/db")
            .expect("db")
            .conflicting_keys()
            .collect::<Vec<_>>(),
        ["password"]
    );
    let r3 = sync::apply(&kv, &d3, &ApplyOptions::default())
        .await
        .expect("apply");
    assert_eq!(r3.get("app/db").expect("db").outcome, Outcome::Conflict);
    assert_eq!(
        kv.get("app/db").await.expect("read").get_str("password"),
        Some(OTHER)
    );
    // With force the desired value wins.
    let r4 = sync::apply(&kv, &d3, &ApplyOptions::default().with_force(true))
        .await
        .expect("forced");
    assert_eq!(r4.get("app/db").expect("db").outcome, Outcome::Updated);
    assert_eq!(
        kv.get("app/db").await.expect("read").get_str("password"),
        Some(PW)
    );

    // Nothing shown or serialized carries a value.
    let shown = format!(
        "{d:?}{d3:?}{r:?}{r4:?}{}{}{:?}",
        serde_json::to_string(&d3).expect("json"),
        serde_json::to_string(&r4).expect("json"),
        desired()
    );
    for v in [PW, OTHER, "planted-new-Tk1"] {
        assert!(!shown.contains(v), "a value leaked: {shown}");
    }
}

#[tokio::test]
async fn diff_apply_idempotent_conflict_force_on_v2() {
    let (_bao, c) = server().await;
    round_trip(&c, "secret").await;
}

#[tokio::test]
async fn diff_apply_idempotent_conflict_force_on_v1() {
    let (bao, c) = server().await;
    bao.enable_kv_v1("kv1").await;
    assert_eq!(c.kv("kv1").version().await.expect("version"), KvVersion::V1);
    round_trip(&c, "kv1").await;
}

/// A writer changes the secret between diff and apply: even a forced apply leaves it alone.
async fn concurrent_change_survives(c: &VaultClient, mount: &str) {
    let kv = c.kv(mount);
    other_writer(c, mount, "app/db", json!({"user": "svc"})).await;
    let d = sync::diff(&kv, &desired()).await.expect("diff");
    // Between diff and apply: one writer changes app/db, another creates app/new.
    other_writer(
        c,
        mount,
        "app/db",
        json!({"user": "svc", "password": OTHER}),
    )
    .await;
    other_writer(c, mount, "app/new", json!({"token": OTHER})).await;
    let r = sync::apply(&kv, &d, &ApplyOptions::default().with_force(true))
        .await
        .expect("apply reports, does not fail");
    assert_eq!(
        r.get("app/db").expect("db").outcome,
        Outcome::ChangedConcurrently
    );
    assert_eq!(
        r.get("app/new").expect("new").outcome,
        Outcome::ChangedConcurrently
    );
    assert_eq!(r.conflicts().count(), 2);
    assert_eq!(r.written(), 0);
    assert_eq!(
        kv.get("app/db").await.expect("read").get_str("password"),
        Some(OTHER)
    );
    assert_eq!(
        kv.get("app/new").await.expect("read").get_str("token"),
        Some(OTHER)
    );
}

#[tokio::test]
async fn a_concurrent_change_is_never_overwritten_on_v2() {
    let (_bao, c) = server().await;
    concurrent_change_survives(&c, "secret").await;
}

#[tokio::test]
async fn a_concurrent_change_is_never_overwritten_on_v1() {
    let (bao, c) = server().await;
    bao.enable_kv_v1("kv1").await;
    concurrent_change_survives(&c, "kv1").await;
}

#[tokio::test]
async fn a_deleted_or_destroyed_latest_version_is_written_over_without_conflict() {
    let (_bao, c) = server().await;
    let v2 = c.kv2("secret");
    v2.write_data("app/db", &json!({"password": "old"}))
        .await
        .expect("v1");
    v2.write_data("app/db", &json!({"password": "old2"}))
        .await
        .expect("v2");
    v2.delete_latest("app/db").await.expect("soft delete v2");
    v2.write_data("app/new", &json!({"token": "old"}))
        .await
        .expect("v1");
    v2.destroy_versions("app/new", &[1]).await.expect("destroy");

    let kv = c.kv("secret");
    let d = sync::diff(&kv, &desired()).await.expect("diff");
    let db = d.get("app/db").expect("db");
    assert!(!db.exists);
    assert_eq!(db.version, Some(2));
    assert!(db.keys.iter().all(|k| k.change == KeyChange::Add));
    assert_eq!(d.get("app/new").expect("new").version, Some(1));
    let r = sync::apply(&kv, &d, &ApplyOptions::default())
        .await
        .expect("apply");
    assert_eq!(r.get("app/db").expect("db").version, Some(3));
    assert_eq!(r.get("app/new").expect("new").version, Some(2));
    assert_eq!(r.written(), 2);
    assert!(
        sync::diff(&kv, &desired())
            .await
            .expect("diff")
            .is_unchanged()
    );
}

#[tokio::test]
async fn text_comparison_treats_a_number_as_its_text() {
    let (_bao, c) = server().await;
    let kv = c.kv("secret");
    other_writer(&c, "secret", "app/db", json!({"port": 5432})).await;
    let mut d = Desired::new();
    d.insert("app/db", json!({"port": "5432"})).expect("insert");
    let exact = sync::diff(&kv, &d).await.expect("diff");
    assert_eq!(
        exact.get("app/db").expect("db").change("port"),
        Some(KeyChange::Conflict)
    );
    let text = sync::diff(&kv, &d.with_compare(Compare::Text))
        .await
        .expect("diff");
    assert!(text.is_unchanged());
}

#[tokio::test]
async fn a_diff_is_applied_only_to_its_own_mount() {
    let (bao, c) = server().await;
    bao.enable_kv_v1("kv1").await;
    // Both steps are `Send` futures: they run on a spawned task.
    let kv = c.kv("secret");
    let d = tokio::spawn(async move { sync::diff(&kv, &desired()).await })
        .await
        .expect("task")
        .expect("diff");
    let e = sync::apply(&c.kv("kv1"), &d, &ApplyOptions::default())
        .await
        .expect_err("other mount");
    assert!(e.to_string().contains("`secret`"), "{e}");
}
