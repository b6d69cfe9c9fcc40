//! `vaultkit rotate …`: policies stored in Vault, runs (dry, due, on demand), status, history,
//! a PostgreSQL role's password rotated for real, a failed rotation, and the daemon.

use std::time::{Duration, Instant};

use serde_json::json;
use vault_testkit::Postgres;

use crate::support::{Cmd, Out, World};

const PLANTED: &str = "planted-initial-Secret-1";

/// Every output of a test, for the leak check at its end.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn add(&mut self, out: &Out) {
        self.0.push_str(&out.all());
    }

    #[track_caller]
    fn lacks(&self, secret: &str) {
        assert!(
            !self.0.contains(secret),
            "a secret value was printed:\n{}",
            self.0
        );
    }
}

async fn kv_field(w: &World, path: &str, field: &str) -> String {
    let out = w
        .vk(&["kv", "get", &format!("-field={field}"), path])
        .run()
        .await;
    out.ok();
    out.stdout.trim_end().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_runs_status_and_history_with_the_random_rotator() {
    let w = World::new().await;
    let mut seen = Seen::default();
    w.seed(
        "secret/app/api",
        json!({"user": "etl", "password": PLANTED}),
    )
    .await;

    let empty = w.vk(&["rotate", "policy", "list"]).run().await;
    empty.ok();
    assert!(empty.stdout.is_empty(), "{}", empty.stdout);
    assert!(
        empty.stderr.contains("No rotation policies yet"),
        "{}",
        empty.stderr
    );

    let add = [
        "rotate", "policy", "add", "api", "app/api", "--grace", "1h", "--length", "24",
    ];
    w.vk(&[&add[..], &["--interval", "30d"]].concat())
        .run()
        .await
        .ok();
    let again = w.vk(&add).run().await;
    again.code(6).one_line_error();
    assert!(again.stderr.contains("--replace"), "{}", again.stderr);
    w.vk(&[&add[..], &["--replace", "--interval", "45d"]].concat())
        .run()
        .await
        .ok();

    let list = w
        .vk(&["rotate", "policy", "list", "--format", "json"])
        .run()
        .await;
    list.ok();
    let policies = list.json();
    assert_eq!(policies[0]["name"], "api");
    assert_eq!(policies[0]["path"], "app/api");
    assert_eq!(policies[0]["interval"], "45d");
    assert_eq!(policies[0]["rotator"]["type"], "random");
    let table = w.vk(&["rotate", "policy", "list"]).run().await;
    table.ok();
    for cell in ["api", "secret/app/api", "every 45d", "1h", "random"] {
        assert!(table.stdout.contains(cell), "{cell}:\n{}", table.stdout);
    }

    // A fresh secret counts as rotated when it was written: not due for 45 days.
    let idle = w.vk(&["rotate", "run", "--format", "json"]).run().await;
    idle.ok();
    seen.add(&idle);
    assert_eq!(
        idle.json()[0]["outcome"]["outcome"],
        "skipped",
        "{}",
        idle.stdout
    );
    assert!(idle.stdout.contains("not due until"), "{}", idle.stdout);

    // On demand, whether due or not.
    let now = w.vk(&["rotate", "now", "api"]).run().await;
    now.ok();
    seen.add(&now);
    assert!(
        now.stdout.contains("rotated") && now.stdout.contains("version 1 → 2"),
        "{}",
        now.stdout
    );
    let new = kv_field(&w, "secret/app/api", "password").await;
    assert_ne!(new, PLANTED);
    assert_eq!(new.chars().count(), 24);
    assert_eq!(kv_field(&w, "secret/app/api", "user").await, "etl");

    let status = w
        .vk(&["rotate", "status", "app/api", "--format", "json"])
        .run()
        .await;
    status.ok();
    seen.add(&status);
    let s = status.json();
    assert_eq!(s["current_version"], 2);
    assert_eq!(s["previous_version"], 1);
    assert_eq!(s["in_grace"], true);
    assert_eq!(s["policy"], "api");
    let all = w.vk(&["rotate", "status"]).run().await;
    all.ok();
    seen.add(&all);
    assert!(
        all.stdout.contains("secret/app/api") && all.stdout.contains("idle"),
        "{}",
        all.stdout
    );

    // Every second: due at once. A dry run decides but changes nothing; a run rotates.
    w.vk(&[&add[..], &["--replace", "--interval", "1s"]].concat())
        .run()
        .await
        .ok();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let dry = w
        .vk(&["rotate", "run", "--dry-run", "--format", "json"])
        .run()
        .await;
    dry.ok();
    seen.add(&dry);
    assert_eq!(
        dry.json()[0]["outcome"]["outcome"],
        "skipped",
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("dry run"), "{}", dry.stdout);
    assert_eq!(kv_field(&w, "secret/app/api", "password").await, new);
    let run = w.vk(&["rotate", "run"]).run().await;
    run.ok();
    seen.add(&run);
    assert!(run.stdout.contains("version 2 → 3"), "{}", run.stdout);

    let history = w
        .vk(&["rotate", "history", "secret/app/api", "--format", "json"])
        .run()
        .await;
    history.ok();
    seen.add(&history);
    let records = history.json();
    assert_eq!(records.as_array().map(Vec::len), Some(2), "{records}");
    assert_eq!(records[1]["event"]["kind"], "rotated");
    assert_eq!(records[1]["to_version"], 3);
    let table = w.vk(&["rotate", "history", "api"]).run().await;
    table.ok();
    seen.add(&table);
    assert!(table.stdout.contains("rotated"), "{}", table.stdout);

    // A policy whose secret does not exist yet: `missing` in the status, not an error.
    w.vk(&["rotate", "policy", "add", "ghost", "app/ghost"])
        .run()
        .await
        .ok();
    let both = w.vk(&["rotate", "status", "--format", "json"]).run().await;
    both.ok();
    let rows = both.json();
    let ghost = rows
        .as_array()
        .and_then(|r| r.iter().find(|row| row["policy"] == "ghost"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ghost["state"], "missing", "{rows}");
    w.vk(&["rotate", "policy", "remove", "ghost"])
        .run()
        .await
        .ok();

    seen.lacks(PLANTED);
    seen.lacks(&new);

    w.vk(&["rotate", "policy", "remove", "api"])
        .run()
        .await
        .ok();
    w.vk(&["rotate", "policy", "remove", "api"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["rotate", "now", "app/api"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["rotate", "history", "app/api"])
        .run()
        .await
        .code(3)
        .one_line_error();
}

/// A policy file for the PostgreSQL rotator of `secret/app/db` against `pg`.
fn postgres_policy(pg: &Postgres) -> String {
    format!(
        r#"[[policy]]
name = "app-db"
path = "app/db"
interval = "30d"
rotator = {{ type = "postgres", host = "127.0.0.1", port = {}, admin = {{ source = "kv", path = "pg/admin" }} }}
"#,
        pg.port()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_now_changes_a_postgres_password_and_a_failure_keeps_the_old_one() {
    let (w, pg) = tokio::join!(World::new(), Postgres::start());
    let mut seen = Seen::default();
    let old = "planted-old-Pg-Password";
    pg.create_role("etl", old).await;
    w.seed("secret/app/db", json!({"username": "etl", "password": old}))
        .await;
    w.seed(
        "secret/pg/admin",
        json!({"username": pg.superuser(), "password": pg.superuser_password()}),
    )
    .await;
    let file = w.home().join("policies.toml");
    std::fs::write(&file, postgres_policy(&pg)).expect("write policy file");
    let file = file.to_str().expect("utf-8").to_string();
    w.vk(&["rotate", "policy", "add", "--file", &file])
        .run()
        .await
        .ok();

    let now = w.vk(&["rotate", "now", "secret/app/db"]).run().await;
    now.ok();
    seen.add(&now);
    assert!(now.stdout.contains("version 1 → 2"), "{}", now.stdout);
    let new = kv_field(&w, "secret/app/db", "password").await;
    assert!(
        pg.try_login("etl", &new).await.is_ok(),
        "the new password works"
    );
    let refused = pg
        .try_login("etl", old)
        .await
        .expect_err("the old one is refused");
    assert!(
        refused.contains("password authentication failed"),
        "{refused}"
    );

    // The role may no longer log in: the next rotation fails at `test`, exit 1, the role gets
    // its password back and the secret's latest version holds it again.
    pg.execute("ALTER ROLE etl NOLOGIN").await;
    let failed = w.vk(&["rotate", "now", "app/db"]).run().await;
    failed.code(1);
    seen.add(&failed);
    assert!(
        failed.stdout.contains("failed") && failed.stdout.contains("not permitted to log in"),
        "{}",
        failed.stdout
    );
    assert_eq!(kv_field(&w, "secret/app/db", "password").await, new);
    pg.execute("ALTER ROLE etl LOGIN").await;
    assert!(
        pg.try_login("etl", &new).await.is_ok(),
        "rolled back to the current password"
    );
    let status = w
        .vk(&["rotate", "status", "app/db", "--format", "json"])
        .run()
        .await;
    status.ok();
    seen.add(&status);
    assert_eq!(status.json()["failed"], true, "{}", status.stdout);
    let history = w
        .vk(&["rotate", "history", "app/db", "--format", "json"])
        .run()
        .await;
    history.ok();
    seen.add(&history);
    assert_eq!(
        history.json()[1]["event"]["kind"],
        "failed",
        "{}",
        history.stdout
    );

    for secret in [old.to_string(), new, pg.superuser_password()] {
        seen.lacks(&secret);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_rotates_due_secrets_and_stops_on_sigterm() {
    let w = World::new().await;
    w.seed("secret/app/token", json!({"password": PLANTED}))
        .await;
    w.vk(&[
        "rotate",
        "policy",
        "add",
        "token",
        "app/token",
        "--interval",
        "1s",
    ])
    .run()
    .await
    .ok();

    let child = w
        .vk(&[
            "rotate",
            "daemon",
            "--check-interval",
            "1s",
            "--jitter",
            "0s",
        ])
        .command()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the daemon");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = w.bao.api("GET", "secret/metadata/app/token", None).await;
        assert_eq!(status, 200, "{body}");
        if body["data"]["current_version"].as_u64() >= Some(2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not rotate: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A policy added while it runs is picked up.
    w.seed("secret/app/later", json!({"password": PLANTED}))
        .await;
    w.vk(&[
        "rotate",
        "policy",
        "add",
        "later",
        "app/later",
        "--interval",
        "1s",
    ])
    .run()
    .await
    .ok();
    loop {
        let (_, body) = w.bao.api("GET", "secret/metadata/app/later", None).await;
        if body["data"]["current_version"].as_u64() >= Some(2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not pick up `later`: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let pid = rustix::process::Pid::from_raw(child.id().expect("pid") as i32).expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the daemon stops")
        .expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("Rotation daemon stopped"), "{stderr}");
    assert!(
        stdout.contains("token") && stdout.contains("rotated"),
        "{stdout}"
    );
    assert!(!stdout.contains(PLANTED) && !stderr.contains(PLANTED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_policy_flags_are_usage_or_validation_errors() {
    let w = World::new().await;
    w.vk(&[
        "rotate",
        "policy",
        "add",
        "x",
        "app/x",
        "--interval",
        "soon",
    ])
    .run()
    .await
    .code(6)
    .one_line_error();
    w.vk(&["rotate", "policy", "add", "bad name", "app/x"])
        .run()
        .await
        .code(6)
        .one_line_error();
    w.vk(&["rotate", "policy", "add", "x"]).run().await.code(2);
    let missing = Cmd::new(
        w.home(),
        &["rotate", "policy", "add", "--file", "/nonexistent/p.toml"],
    )
    .env("VAULT_ADDR", &w.bao.addr())
    .env("VAULT_TOKEN", &w.bao.root_token())
    .run()
    .await;
    missing.one_line_error();
    assert!(
        missing.stderr.contains("/nonexistent/p.toml"),
        "{}",
        missing.stderr
    );
}
