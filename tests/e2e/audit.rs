//! `vaultkit audit …` on a log written by a real OpenBao file audit device.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Cmd, World};

const PLANTED: &str = "PLANTED-audit-Qm4r-value";

/// A server with a file audit device, some traffic (one denied read), and the log's path.
async fn audited() -> (World, String) {
    World::audited(PLANTED, true).await
}

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a JSON array")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_filter_search_patterns_pairs_anomalies_report() {
    let (w, log) = audited().await;
    let stats = w
        .vk(&["audit", "stats", &log, "--format", "json"])
        .run()
        .await;
    stats.ok();
    let s = stats.json();
    assert!(s["requests"].as_u64().unwrap_or(0) >= 4, "{s}");
    assert!(s["permission_denied"].as_u64().unwrap_or(0) >= 1, "{s}");
    assert_eq!(s["malformed"]["count"], 0);
    let table = w.vk(&["audit", "stats", &log]).run().await;
    assert!(
        table.stdout.contains("permission denied"),
        "{}",
        table.stdout
    );

    let failed = w
        .vk(&["audit", "filter", &log, "--failed", "--format", "json"])
        .run()
        .await
        .json();
    assert!(
        !rows(&failed).is_empty() && rows(&failed).iter().all(|e| !e["error"].is_null()),
        "{failed}"
    );
    let reads = w
        .vk(&[
            "audit",
            "filter",
            &log,
            "--operation",
            "read",
            "--path",
            "secret/data/**",
            "--format",
            "json",
        ])
        .run()
        .await
        .json();
    assert!(!rows(&reads).is_empty());
    assert!(rows(&reads).iter().all(|e| {
        e["operation"] == "read"
            && e["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("secret/data/"))
    }));

    let found = w
        .vk(&[
            "audit",
            "search",
            &log,
            "secret/metadata/app",
            "--format",
            "jsonl",
        ])
        .run()
        .await;
    found.ok();
    assert!(found.stdout.lines().count() >= 2, "{}", found.stdout);
    let csv = w
        .vk(&[
            "audit",
            "search",
            &log,
            "secret/metadata/app",
            "--format",
            "csv",
        ])
        .run()
        .await;
    assert!(
        csv.stdout.starts_with("line,time,type,operation,path"),
        "{}",
        csv.stdout
    );

    let patterns = w
        .vk(&["audit", "patterns", &log, "--format", "json"])
        .run()
        .await
        .json();
    assert!(
        patterns["top_paths"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{patterns}"
    );
    let pairs = w
        .vk(&["audit", "pairs", &log, "--format", "json"])
        .run()
        .await
        .json();
    assert!(
        pairs["pairs"].as_array().is_some_and(|p| p.len() >= 4),
        "{pairs}"
    );
    let anomalies = w
        .vk(&["audit", "anomalies", &log, "--format", "json"])
        .run()
        .await
        .json();
    assert!(
        rows(&anomalies)
            .iter()
            .any(|d| d["rule"] == "root-token-use"),
        "{anomalies}"
    );
    let burst = w
        .vk(&[
            "audit",
            "anomalies",
            &log,
            "--threshold",
            "1",
            "--window",
            "1h",
            "--format",
            "json",
        ])
        .run()
        .await
        .json();
    assert!(
        rows(&burst)
            .iter()
            .any(|d| d["rule"] == "permission-denied-burst"),
        "{burst}"
    );

    let report = w.home().join("report.html");
    w.vk(&[
        "audit",
        "report",
        &log,
        "-o",
        report.to_str().expect("path"),
    ])
    .run()
    .await
    .ok();
    let html = std::fs::read_to_string(&report).expect("report written");
    assert!(html.contains("<html") && html.contains("Audit report: audit.log"));

    // No plaintext in any output: `audit_plaintext` plants it where it could show.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_and_find_value_read_the_value_from_stdin() {
    let (w, log) = audited().await;
    let hash = w.vk(&["audit", "hash"]).stdin(PLANTED).run().await;
    hash.ok();
    let hmac = hash.stdout.trim().to_string();
    assert!(hmac.starts_with("hmac-sha256:"), "{hmac}");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains(&hmac),
        "the log holds the HMAC of the planted value"
    );

    let found = w
        .vk(&["audit", "find-value", &log, "--format", "json"])
        .stdin(PLANTED)
        .run()
        .await;
    found.ok();
    let matches = found.json();
    assert!(
        rows(&matches)
            .iter()
            .any(|m| m["path"] == "secret/data/app/db"),
        "{matches}"
    );
    assert!(
        rows(&matches)
            .iter()
            .all(|m| m["fields"].as_array().is_some_and(|f| !f.is_empty()))
    );
    assert!(!found.all().contains(PLANTED));
    w.vk(&["audit", "hash"])
        .run()
        .await
        .code(2)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_follows_new_entries_and_stops_on_sigterm() {
    let (w, log) = audited().await;
    let mut cmd = w
        .vk(&[
            "audit",
            "tail",
            &log,
            "--from-start",
            "--format",
            "jsonl",
            "--path",
            "secret/data/live/**",
        ])
        .command();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The entry is written after the follower started (or, on a slow machine, just before it
    // opened the file: --from-start makes the test independent of that race).
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.vk(&["kv", "put", "secret/live/x", "k=v"])
        .run()
        .await
        .ok();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("an entry in time")
        .expect("read")
        .expect("a line");
    let entry: Value = serde_json::from_str(&line).expect("JSON line");
    assert_eq!(entry["path"], "secret/data/live/x");
    let pid = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        .expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops")
        .expect("status");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_errors_are_one_line_with_exit_codes() {
    let home = tempfile::tempdir().expect("home");
    let vk = |args: &[&str]| Cmd::new(home.path(), args).run();
    vk(&["audit", "stats", "/nonexistent/audit.log"])
        .await
        .code(3)
        .one_line_error();
    let log = home.path().join("a.log");
    std::fs::write(&log, "{\"type\":\"request\"}\nnot json\n").expect("write");
    let l = log.to_str().expect("path");
    // An invalid filter is the module's VaultValidationError: exit 6.
    vk(&["audit", "filter", l, "--path", "a/[b"])
        .await
        .code(6)
        .one_line_error();
    vk(&["audit", "filter", l, "--since", "yesterday"])
        .await
        .code(2)
        .one_line_error();
    vk(&["audit", "stats", l, "--format", "yaml"])
        .await
        .code(2)
        .one_line_error();
    // Writing the report onto a directory: an I/O error that is not "not found" is exit 1.
    let dir = home.path().to_str().expect("path");
    vk(&["audit", "report", l, "-o", dir])
        .await
        .code(1)
        .one_line_error_last();
    let stats = vk(&["audit", "stats", l, "--format", "json"]).await;
    stats.ok();
    assert_eq!(stats.json()["malformed"]["count"], 1);
}
