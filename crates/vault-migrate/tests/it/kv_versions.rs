//! apply / validate / write_to_vault / validate_paths on a KV v1 mount, over soft-deleted and
//! destroyed KV v2 versions, the module's error on a conflict, and a writer racing `apply`.

use std::collections::HashMap;
use std::path::Path;

use vault_core::{SecretString, VaultClient};
use vault_kv::KvExt;
use vault_migrate::Action;
use vault_migrate::{
    ApplyOptions, MigrateErrorKind, Plan, PlanOptions, Scanner, SourceValues, apply,
    validate_paths, write_to_vault,
};
use vault_testkit::{FaultProxy, OpenBao};

const PW: &str = "Zk3p9Lq2Xv8mW4-planted";

fn client(addr: &str, token: &str) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token)
        .build()
        .expect("client builds")
}

fn plan_for(dir: &Path, mount: &str) -> (Plan, SourceValues) {
    std::fs::write(
        dir.join(".env"),
        format!("DB_HOST=db.internal\nDB_PASSWORD={PW}\n"),
    )
    .expect("write .env");
    let report = Scanner::builder()
        .build()
        .expect("scanner")
        .scan_paths(&[dir])
        .expect("scan");
    let plan = Plan::from_report(&report, &PlanOptions::new(mount, "app").with_base_dir(dir))
        .expect("plan");
    let values = SourceValues::load(&plan).expect("values");
    (plan, values)
}

fn actions(r: &vault_migrate::ApplyReport) -> Vec<Action> {
    r.outcomes.iter().map(|o| o.action).collect()
}

#[tokio::test]
async fn apply_validate_and_the_module_calls_work_on_kv_v1() {
    let bao = OpenBao::dev().await;
    bao.enable_kv_v1("kv1").await;
    let c = client(&bao.addr(), &bao.root_token());
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan, values) = plan_for(dir.path(), "kv1");

    let r = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("apply on v1");
    assert_eq!(actions(&r), [Action::Created]);
    assert_eq!(
        c.kv1("kv1")
            .read("app/database")
            .await
            .expect("read")
            .get_str("password"),
        Some(PW)
    );
    crate::assert_valid(&c, &plan).await;
    let again = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("again");
    assert_eq!(actions(&again), [Action::Unchanged]);

    let secrets: HashMap<String, SecretString> =
        [("token".to_string(), SecretString::new("tk-planted-1"))].into();
    let w = write_to_vault(&c, "app/api", &secrets, "kv1", false)
        .await
        .expect("write_to_vault on v1");
    assert_eq!(w.written(), 1);
    let v = validate_paths(&c, &["app/api", "app/missing"], "kv1").await;
    assert_eq!((v[0].exists, v[0].readable), (true, true), "{:?}", v[0]);
    assert_eq!((v[1].exists, v[1].readable), (false, true), "{:?}", v[1]);
    assert!(v[1].error.is_none(), "{:?}", v[1]);
}

#[tokio::test]
async fn write_to_vault_returns_a_conflict_error_when_nothing_could_be_written() {
    let bao = OpenBao::dev().await;
    bao.enable_kv_v1("kv1").await;
    let c = client(&bao.addr(), &bao.root_token());
    for mount in ["secret", "kv1"] {
        c.kv(mount)
            .write(
                "app/db",
                &serde_json::json!({"password": "rotated-elsewhere"}),
            )
            .await
            .expect("other writer");
        let secrets: HashMap<String, SecretString> =
            [("password".to_string(), SecretString::new(PW))].into();
        let e = write_to_vault(&c, "app/db", &secrets, mount, false)
            .await
            .expect_err("a conflict is an error for the module's call");
        assert_eq!(e.kind(), MigrateErrorKind::Conflict, "{e}");
        assert!(
            e.to_string().contains("password") && !e.to_string().contains("rotated-elsewhere"),
            "{e}"
        );
        assert_eq!(
            c.kv(mount)
                .get("app/db")
                .await
                .expect("read")
                .get_str("password"),
            Some("rotated-elsewhere")
        );
        // force writes; the library's apply still reports conflicts as Ok.
        let forced = write_to_vault(&c, "app/db", &secrets, mount, true)
            .await
            .expect("forced");
        assert_eq!(forced.written(), 1);
    }
}

#[tokio::test]
async fn a_deleted_or_destroyed_latest_version_is_migrated_without_a_conflict() {
    let bao = OpenBao::dev().await;
    let c = client(&bao.addr(), &bao.root_token());
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan, values) = plan_for(dir.path(), "secret");
    let kv = c.kv2("secret");
    for (path, destroy) in [("app/database", false), ("app/api", true)] {
        kv.write_data(path, &serde_json::json!({"password": "old"}))
            .await
            .expect("write");
        if destroy {
            kv.destroy_versions(path, &[1]).await.expect("destroy");
        } else {
            kv.delete_latest(path).await.expect("soft delete");
        }
    }
    let r = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("apply");
    assert_eq!(actions(&r), [Action::Created]);
    assert_eq!(r.outcomes[0].version, Some(2), "written over version 1");
    crate::assert_valid(&c, &plan).await;
    // The same over a destroyed version, through the module's call.
    let secrets: HashMap<String, SecretString> =
        [("password".to_string(), SecretString::new(PW))].into();
    let w = write_to_vault(&c, "app/api", &secrets, "secret", false)
        .await
        .expect("over a destroyed version");
    assert_eq!(w.outcomes[0].version, Some(2));
}

/// A writer changes the secret after apply compared and before it wrote: the apply reports it,
/// even with force, and the writer's value stays. The write (v2) or the re-read (v1) is held at
/// a proxy while the other writer works.
async fn race(mount: &str, method: &str, nth: usize, v1: bool) {
    let bao = OpenBao::dev().await;
    if v1 {
        bao.enable_kv_v1(mount).await;
    }
    let direct = client(&bao.addr(), &bao.root_token());
    let proxy = FaultProxy::start(&bao.addr()).await;
    let through = client(&proxy.addr(), &bao.root_token());
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan, values) = plan_for(dir.path(), mount);
    direct
        .kv(mount)
        .write("app/database", &serde_json::json!({"host": "db.internal"}))
        .await
        .expect("seed");

    let api = if v1 {
        format!("/v1/{mount}/app/database")
    } else {
        format!("/v1/{mount}/data/app/database")
    };
    let hold = proxy.hold(method, &api, nth);
    let mut applying = tokio::spawn(async move {
        apply(
            &through,
            &plan,
            &values,
            &ApplyOptions {
                force: true,
                dry_run: false,
            },
        )
        .await
    });
    // Fail, rather than wait forever, if apply never sends the request to hold.
    tokio::select! {
        () = hold.arrived() => {}
        r = &mut applying => panic!("apply ended before the request to hold: {r:?}"),
    }
    direct
        .kv(mount)
        .write(
            "app/database",
            &serde_json::json!({"host": "db.internal", "password": "concurrent-planted"}),
        )
        .await
        .expect("concurrent writer");
    hold.release();
    let r = applying.await.expect("task").expect("apply reports");
    assert_eq!(actions(&r), [Action::ChangedConcurrently]);
    assert_eq!(r.written(), 0);
    assert_eq!(r.conflicts().len(), 1);
    assert_eq!(
        direct
            .kv(mount)
            .get("app/database")
            .await
            .expect("read")
            .get_str("password"),
        Some("concurrent-planted"),
        "the concurrent value survives"
    );
    let err = r.into_result().expect_err("a conflict");
    assert!(err.to_string().contains("changed while applying"), "{err}");
}

#[tokio::test]
async fn apply_never_overwrites_a_concurrent_change_on_kv_v2() {
    // Hold the CAS write itself.
    race("secret", "POST", 1, false).await;
}

#[tokio::test]
async fn apply_never_overwrites_a_concurrent_change_on_kv_v1() {
    // Hold the re-read just before the write (the first GET is the comparison).
    race("kv1", "GET", 2, true).await;
}
