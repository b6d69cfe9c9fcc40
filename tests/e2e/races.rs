//! `kv import --apply` and `migrate apply` never overwrite a change made in Vault between their
//! comparison and their write, on KV v2 (check-and-set) and KV v1 (read again just before the
//! write). The race is staged exactly: the command talks to Vault through a `FaultProxy` that
//! holds the write (v2) or the re-read (v1) while another writer changes the secret directly —
//! both for a secret that existed when the command compared (an update) and for one that did not
//! (a create: check-and-set 0 on v2, create-only on v1).

use serde_json::json;
use tokio::task::JoinHandle;
use vault_testkit::{FaultProxy, Hold};

use crate::support::{Out, World};

const CONCURRENT: &str = "concurrent-Value-8Qz";

/// Where the command's request for `mount/app/db` goes, and which one to hold.
fn held_request(mount: &str, path: &str, v1: bool) -> (String, &'static str, usize) {
    if v1 {
        // The first GET is the comparison, the second the re-read before the write.
        (format!("/v1/{mount}/{path}"), "GET", 2)
    } else {
        (format!("/v1/{mount}/data/{path}"), "POST", 1)
    }
}

/// Wait until the command's request is held; fail (instead of waiting forever) if the command
/// ends first, i.e. never sent that request.
async fn until_held(hold: &Hold, command: &mut JoinHandle<Out>) {
    tokio::select! {
        () = hold.arrived() => {}
        out = command => panic!("the command ended before the request to hold: {out:?}"),
    }
}

async fn write_direct(w: &World, mount: &str, path: &str, data: serde_json::Value, v1: bool) {
    let (api, body) = if v1 {
        (format!("{mount}/{path}"), data)
    } else {
        (format!("{mount}/data/{path}"), json!({ "data": data }))
    };
    let (status, answer) = w.bao.api("POST", &api, Some(body)).await;
    assert!(status == 200 || status == 204, "{status}: {answer}");
}

async fn read_direct(w: &World, mount: &str, path: &str, key: &str) -> String {
    let out = w
        .vk(&[
            "kv",
            "get",
            &format!("-field={key}"),
            &format!("{mount}/{path}"),
        ])
        .run()
        .await;
    out.ok();
    out.stdout.trim_end().to_string()
}

async fn import_race(v1: bool, exists: bool) {
    let w = World::new().await;
    let mount = if v1 { "kv1" } else { "secret" };
    if v1 {
        w.bao.enable_kv_v1(mount).await;
    }
    if exists {
        write_direct(&w, mount, "app/db", json!({"user": "svc"}), v1).await;
    }
    let file = w.home().join("import.json");
    std::fs::write(
        &file,
        json!({"app/db": {"user": "svc", "password": "from-file-Pw1"}}).to_string(),
    )
    .expect("write import file");

    let proxy = FaultProxy::start(&w.bao.addr()).await;
    let (api, method, nth) = held_request(mount, "app/db", v1);
    let hold = proxy.hold(method, &api, nth);
    let mut import = tokio::spawn(
        w.vk(&[
            "kv",
            "import",
            file.to_str().expect("path"),
            &format!("{mount}/"),
            "--apply",
            "--force",
        ])
        .env("VAULT_ADDR", &proxy.addr())
        .run(),
    );
    until_held(&hold, &mut import).await;
    write_direct(
        &w,
        mount,
        "app/db",
        json!({"user": "svc", "password": CONCURRENT}),
        v1,
    )
    .await;
    hold.release();
    let out = import.await.expect("task");
    out.code(6).one_line_error_last();
    assert!(
        out.stderr.contains("changed in Vault while importing") && out.stderr.contains("app/db"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read_direct(&w, mount, "app/db", "password").await,
        CONCURRENT
    );
    // Run again: the new state is compared, and without --force it is a plain conflict.
    w.vk(&[
        "kv",
        "import",
        file.to_str().expect("path"),
        &format!("{mount}/"),
        "--apply",
    ])
    .run()
    .await
    .code(6);
    assert_eq!(
        read_direct(&w, mount, "app/db", "password").await,
        CONCURRENT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_import_never_overwrites_a_concurrent_change_on_v2() {
    import_race(false, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_import_never_overwrites_a_concurrent_create_on_v2() {
    import_race(false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_import_never_overwrites_a_concurrent_create_on_v1() {
    import_race(true, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_import_never_overwrites_a_concurrent_change_on_v1() {
    import_race(true, true).await;
}

async fn migrate_race(v1: bool, exists: bool) {
    let w = World::new().await;
    let mount = if v1 { "kv1" } else { "secret" };
    if v1 {
        w.bao.enable_kv_v1(mount).await;
    }
    let proj = w.home().join("proj");
    std::fs::create_dir_all(&proj).expect("mkdir");
    std::fs::write(
        proj.join(".env"),
        "DB_HOST=db.internal\nDB_PASSWORD=Source-Pw-4kLq9-planted\n",
    )
    .expect("write .env");
    let plan = w.home().join("plan.toml");
    let p = plan.to_str().expect("path");
    w.vk(&[
        "migrate",
        "plan",
        proj.to_str().expect("path"),
        "--mount",
        mount,
        "--prefix",
        "app",
        "-o",
        p,
    ])
    .run()
    .await
    .ok();
    if exists {
        write_direct(
            &w,
            mount,
            "app/database",
            json!({"host": "db.internal"}),
            v1,
        )
        .await;
    }

    let proxy = FaultProxy::start(&w.bao.addr()).await;
    let (api, method, nth) = held_request(mount, "app/database", v1);
    let hold = proxy.hold(method, &api, nth);
    let mut apply = tokio::spawn(
        w.vk(&["migrate", "apply", p, "--force"])
            .env("VAULT_ADDR", &proxy.addr())
            .run(),
    );
    until_held(&hold, &mut apply).await;
    write_direct(
        &w,
        mount,
        "app/database",
        json!({"host": "db.internal", "password": CONCURRENT}),
        v1,
    )
    .await;
    hold.release();
    let out = apply.await.expect("task");
    out.code(6).one_line_error_last();
    assert!(
        out.stdout.contains("changed") && out.stderr.contains("changed in Vault while applying"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(
        read_direct(&w, mount, "app/database", "password").await,
        CONCURRENT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_apply_never_overwrites_a_concurrent_change_on_v2() {
    migrate_race(false, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_apply_never_overwrites_a_concurrent_create_on_v2() {
    migrate_race(false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_apply_never_overwrites_a_concurrent_create_on_v1() {
    migrate_race(true, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_apply_never_overwrites_a_concurrent_change_on_v1() {
    migrate_race(true, true).await;
}
