//! `vaultkit backup schedule|stats|daemon`: schedules stored in the backup store (round trip,
//! hostile files refused), statistics and the overdue exit code over run records, the daemon
//! taking a due snapshot on a Raft server and stopping on SIGTERM, and a failed run alerting a
//! webhook receiver and (over STARTTLS, password from the environment) an SMTP server.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vault_testkit::OpenBao;

use crate::support::{Cmd, World};

fn p(w: &World, name: &str) -> String {
    w.home()
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

/// A certificate made by `backup keygen` at `HOME/cert.asc`.
async fn keygen(w: &World) {
    Cmd::new(
        w.home(),
        &[
            "backup",
            "keygen",
            "--user-id",
            "Backups <ops@example.com>",
            "--cert",
            "cert.asc",
            "--secret-key",
            "key.asc",
        ],
    )
    .current_dir(w.home())
    .run()
    .await
    .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_round_trip_through_the_store() {
    let w = World::new().await;
    keygen(&w).await;
    let store = p(&w, "store");
    let cert = p(&w, "cert.asc");
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "nightly",
        "--daily",
        "--store",
        &store,
        "--no-encrypt",
    ])
    .run()
    .await
    .ok();
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "kv-weekly",
        "--weekly",
        "sun@23:30",
        "--type",
        "logical",
        "--mount",
        "secret",
        "--recipient-file",
        &cert,
        "--retention-days",
        "90",
        "--store",
        &store,
    ])
    .run()
    .await
    .ok();
    // A name in use is refused; the first file stays.
    let dup = w
        .vk(&[
            "backup",
            "schedule",
            "add",
            "nightly",
            "--cron",
            "0 5 * * *",
            "--store",
            &store,
            "--no-encrypt",
        ])
        .run()
        .await;
    dup.code(6).one_line_error();
    assert!(dup.stderr.contains("exists already"), "{}", dup.stderr);

    let listed = w
        .vk(&[
            "backup", "schedule", "list", "--store", &store, "--format", "json",
        ])
        .run()
        .await;
    listed.ok();
    let all = listed.json();
    let names: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["kv-weekly", "nightly"], "{all}");
    let weekly = &all[0];
    assert_eq!(weekly["schedule"], "weekly on Sun at 23:30 UTC", "{weekly}");
    assert_eq!(weekly["type"], "logical secret");
    assert_eq!(weekly["retention_days"], 90);
    assert_eq!(weekly["encrypted"], true);
    assert_eq!(weekly["recipients"].as_array().map(Vec::len), Some(1));
    let next = weekly["next"].as_str().expect("next slot");
    assert!(next.ends_with("T23:30:00+00:00"), "{next}");
    let nightly = &all[1];
    assert_eq!(
        nightly["schedule"], "daily at 02:00 UTC",
        "the Python default"
    );
    assert_eq!(nightly["retention_days"], 30, "the Python default");
    assert_eq!(nightly["notify_on_failure"], true, "the Python default");
    // The file is the shared state: any machine reading the store sees it.
    assert!(Path::new(&store).join("schedules/nightly.json").is_file());

    w.vk(&["backup", "schedule", "remove", "nightly", "--store", &store])
        .run()
        .await
        .ok();
    let listed = w
        .vk(&[
            "backup", "schedule", "list", "--store", &store, "--format", "json",
        ])
        .run()
        .await;
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
    w.vk(&["backup", "schedule", "remove", "nightly", "--store", &store])
        .run()
        .await
        .code(3);
    let bad = w
        .vk(&[
            "backup",
            "schedule",
            "add",
            "x",
            "--weekly",
            "funday@03",
            "--store",
            &store,
            "--no-encrypt",
        ])
        .run()
        .await;
    bad.code(2).one_line_error();
    let bad = w
        .vk(&[
            "backup",
            "schedule",
            "add",
            "x",
            "--cron",
            "61 * * * *",
            "--store",
            &store,
            "--no-encrypt",
        ])
        .run()
        .await;
    bad.code(6).one_line_error();
    assert!(bad.stderr.contains("cron"), "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_schedule_files_give_clear_errors() {
    let w = World::new().await;
    let store = p(&w, "store");
    let dir = Path::new(&store).join("schedules");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let valid = json!({
        "version": 1, "name": "evil", "timing": {"kind": "daily", "hour": 2, "minute": 0},
        "request": {"kind": {"type": "full"}, "retention_days": 30, "encrypt": false},
        "notify_on_failure": true, "created_at": "2026-01-01T00:00:00Z",
    });
    let mut cases: Vec<(Vec<u8>, &str)> = vec![
        (b"\x00\xffnot json".to_vec(), "not valid"),
        (b"[]".to_vec(), "not valid"),
        (vec![b' '; 300 * 1024], "bytes"),
    ];
    let mut edit = |f: &dyn Fn(&mut serde_json::Value), why: &'static str| {
        let mut v = valid.clone();
        f(&mut v);
        cases.push((serde_json::to_vec(&v).expect("json"), why));
    };
    edit(&|v| v["name"] = json!("other"), "names schedule `other`");
    edit(&|v| v["timing"]["hour"] = json!(25), "out of range");
    edit(
        &|v| v["timing"] = json!({"kind": "cron", "expression": "nonsense"}),
        "cron",
    );
    edit(&|v| v["request"]["encrypt"] = json!(true), "no recipient");
    edit(
        &|v| {
            v["request"]["encrypt"] = json!(true);
            v["recipients"] = json!("-----BEGIN PGP PUBLIC KEY BLOCK-----\ngarbage");
        },
        "not valid",
    );
    edit(
        &|v| v["request"]["kind"] = json!({"type": "logical", "mount": "../sys\n"}),
        "mount",
    );
    edit(&|v| v["version"] = json!(9), "version 9");
    edit(&|v| v["extra"] = json!(1), "unknown field");
    for (bytes, why) in cases {
        std::fs::write(dir.join("evil.json"), &bytes).expect("write");
        for args in [
            vec!["backup", "schedule", "list", "--store", &store],
            vec!["backup", "stats", "--store", &store],
            vec!["backup", "daemon", "--store", &store],
        ] {
            let out = w.vk(&args).run().await;
            out.code(6).one_line_error();
            assert!(
                out.stderr.contains("schedules/evil.json") && out.stderr.contains(why),
                "{args:?} {why}: {}",
                out.stderr
            );
        }
    }
}

/// A run record as the scheduler writes it.
fn record(schedule: &str, ago_hours: i64, ok: bool) -> serde_json::Value {
    let end = chrono_like(ago_hours);
    json!({
        "schedule": schedule, "slot": end, "instance": "host-a",
        "request": {"kind": {"type": "full"}, "retention_days": 30, "encrypt": true},
        "started_at": end, "finished_at": end,
        "outcome": if ok { "success" } else { "failure" },
        "snapshot_id": ok.then_some("full-x"), "size_bytes": ok.then_some(1000),
        "error": (!ok).then_some("backup store unreachable"),
    })
}

/// Now minus `hours`, RFC 3339.
fn chrono_like(hours: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::hours(hours)).to_rfc3339()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_report_runs_and_exit_7_when_a_schedule_is_overdue() {
    let w = World::new().await;
    let store = p(&w, "store");
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "nightly",
        "--daily",
        "--store",
        &store,
        "--no-encrypt",
    ])
    .run()
    .await
    .ok();
    let runs = Path::new(&store).join("runs/nightly");
    std::fs::create_dir_all(&runs).expect("mkdir");
    for (i, (ago, ok)) in [(50, true), (26, false), (2, true)].into_iter().enumerate() {
        let bytes = serde_json::to_vec(&record("nightly", ago, ok)).expect("json");
        std::fs::write(runs.join(format!("r{i}.json")), bytes).expect("write");
    }
    std::fs::write(runs.join("junk.json"), b"{").expect("write");
    let out = w
        .vk(&["backup", "stats", "--store", &store, "--format", "json"])
        .run()
        .await;
    out.ok();
    let s = out.json();
    assert_eq!(s["total_runs"], 3, "{s}");
    assert_eq!(s["successful_runs"], 2);
    assert_eq!(s["failed_runs"], 1);
    assert_eq!(s["total_size_bytes"], 2000);
    assert_eq!(s["unreadable_records"], 1);
    assert_eq!(s["last_error"], "backup store unreachable");
    assert!((s["success_rate"].as_f64().expect("rate") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(s["overdue"], false);
    assert_eq!(s["schedules"][0]["name"], "nightly");
    assert_eq!(s["schedules"][0]["overdue"], false);
    assert!(s["last_success"].is_string() && s["last_failure"].is_string());

    // The last success 30 hours ago: past a day plus the hour of grace.
    std::fs::remove_file(runs.join("r2.json")).expect("rm");
    let out = w
        .vk(&["backup", "stats", "--store", &store, "--format", "json"])
        .run()
        .await;
    out.code(7);
    assert_eq!(
        out.json()["schedules"][0]["overdue"],
        true,
        "{}",
        out.stdout
    );
    // A larger grace covers it.
    w.vk(&[
        "backup",
        "stats",
        "--store",
        &store,
        "--grace-minutes",
        "1800",
    ])
    .run()
    .await
    .ok();
}

/// An HTTP server on 127.0.0.1 that answers 200 to every request and keeps the bodies.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if body.len() >= len {
                            seen.lock().expect("lock").push(body.to_string());
                            let _ = sock
                                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                                .await;
                            break;
                        }
                    }
                }
            });
        }
    });
    (url, bodies)
}

async fn stop(child: tokio::process::Child) -> (Option<i32>, String) {
    let pid = rustix::process::Pid::from_raw(child.id().expect("pid") as i32).expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the daemon stops")
        .expect("wait");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), all)
}

fn spawn(cmd: Cmd) -> tokio::process::Child {
    cmd.command()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the daemon")
}

/// Run records of `schedule` whose outcome is `outcome`.
fn records(store: &str, schedule: &str, outcome: &str) -> Vec<serde_json::Value> {
    let dir = Path::new(store).join("runs").join(schedule);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .filter_map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .filter(|r| r["outcome"] == outcome)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_takes_a_due_snapshot_on_raft_and_stops_on_sigterm() {
    let w = World {
        bao: OpenBao::raft().await,
        home: tempfile::tempdir().expect("temp HOME"),
    };
    keygen(&w).await;
    let store = p(&w, "store");
    let cert = p(&w, "cert.asc");
    // Every five seconds (six fields: seconds first).
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "often",
        "--cron",
        "*/5 * * * * *",
        "--store",
        &store,
        "--recipient-file",
        &cert,
    ])
    .run()
    .await
    .ok();
    let child = spawn(w.vk(&["backup", "daemon", "--store", &store, "--instance", "e2e"]));
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let ok = records(&store, "often", "success");
        if let Some(r) = ok.into_iter().next() {
            break r;
        }
        assert!(
            records(&store, "often", "failure").is_empty(),
            "a run failed: {:?}",
            records(&store, "often", "failure")
        );
        assert!(Instant::now() < deadline, "no scheduled run succeeded");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (code, all) = stop(child).await;
    assert_eq!(code, Some(0), "{all}");
    assert_eq!(done["instance"], "e2e");
    let id = done["snapshot_id"].as_str().expect("snapshot id");
    let listed = w
        .vk(&["backup", "list", "--store", &store, "--format", "json"])
        .run()
        .await;
    listed.ok();
    assert!(listed.stdout.contains(id), "{}", listed.stdout);
    // The run is in the statistics.
    let stats = w
        .vk(&["backup", "stats", "--store", &store, "--format", "json"])
        .run()
        .await;
    stats.ok();
    assert!(stats.json()["successful_runs"].as_u64() >= Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_scheduled_run_alerts_the_webhook() {
    let w = World::new().await;
    let store = p(&w, "store");
    let (url, bodies) = webhook_receiver().await;
    // No KV mount `nope`: every run fails.
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "broken",
        "--cron",
        "*/3 * * * * *",
        "--type",
        "logical",
        "--mount",
        "nope",
        "--store",
        &store,
        "--no-encrypt",
    ])
    .run()
    .await
    .ok();
    let child = spawn(w.vk(&[
        "backup",
        "daemon",
        "--store",
        &store,
        "--notify-webhook",
        &url,
    ]));
    let deadline = Instant::now() + Duration::from_secs(120);
    let alert = loop {
        if let Some(b) = bodies.lock().expect("lock").first().cloned() {
            break b;
        }
        assert!(Instant::now() < deadline, "no alert reached the webhook");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (code, all) = stop(child).await;
    assert_eq!(code, Some(0), "{all}");
    let alert: serde_json::Value = serde_json::from_str(&alert).expect("JSON alert");
    let text = alert.to_string();
    assert!(text.contains("broken") && text.contains("nope"), "{text}");
    assert!(!records(&store, "broken", "failure").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_scheduled_run_is_emailed_over_starttls_with_the_password_from_env() {
    let smtp = vault_testkit::SmtpServer::start(vault_testkit::SmtpMode::StartTls);
    let w = World::new().await;
    let store = p(&w, "store");
    w.vk(&[
        "backup",
        "schedule",
        "add",
        "broken",
        "--cron",
        "*/3 * * * * *",
        "--type",
        "logical",
        "--mount",
        "nope",
        "--store",
        &store,
        "--no-encrypt",
    ])
    .run()
    .await
    .ok();
    let ca = smtp.ca_cert_path().expect("CA of the STARTTLS server");
    let port = smtp.port().to_string();
    let child = spawn(
        w.vk(&[
            "backup",
            "daemon",
            "--store",
            &store,
            "--notify-email",
            "ops@example.com",
            "--smtp-host",
            smtp.host(),
            "--smtp-port",
            &port,
            "--smtp-from",
            "vaultkit <backup@example.com>",
            "--smtp-ca-file",
            ca.to_str().expect("utf-8 path"),
            "--smtp-user-env",
            "SMTP_USER",
            "--smtp-password-env",
            "SMTP_PASSWORD",
        ])
        .env("SMTP_USER", smtp.username())
        .env("SMTP_PASSWORD", smtp.password()),
    );
    let mails = smtp.wait_for(1, Duration::from_secs(120)).await;
    let (code, all) = stop(child).await;
    assert_eq!(code, Some(0), "{all}");
    let mail = mails.first().expect("one alert mail");
    assert!(mail.text().contains("broken"), "{}", mail.text());
    assert!(mail.starttls, "the alert went over STARTTLS");
    assert_eq!(mail.auth_user.as_deref(), Some(smtp.username()));
    assert_eq!(mail.rcpt_tos, ["ops@example.com"]);
    assert!(!all.contains(smtp.password()), "{all}");
}
