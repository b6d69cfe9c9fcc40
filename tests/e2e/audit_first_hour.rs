//! The first-hour defects of issue 14 with `audit` (section 2, item 8): the report goes to a file,
//! its title and file:line cells read right, `tail` and `filter` number lines alike, and `--path`
//! takes the CLI's logical KV path.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::World;

/// A server writing a file audit log, with KV traffic under `secret/app/` and one denied read.
async fn audited() -> (World, String) {
    World::audited("first-hour-value", true).await
}

/// 1-based line of the first line of `log` that contains all of `needles`.
fn physical_line(log: &str, needles: &[&str]) -> usize {
    let text = std::fs::read_to_string(log).expect("log");
    text.lines()
        .position(|l| needles.iter().all(|n| l.contains(n)))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no line with {needles:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_goes_to_a_file_with_a_plain_title_and_real_file_lines() {
    let (w, log) = audited().await;
    let dir = tempfile::tempdir().expect("cwd");
    let out = w
        .vk(&["audit", "report", &log])
        .current_dir(dir.path())
        .run()
        .await;
    out.ok();
    assert_eq!(out.stdout, "", "no HTML on the terminal");
    let file = dir.path().join("audit-report.html");
    assert!(
        out.stderr.contains("Report written to audit-report.html"),
        "{}",
        out.stderr
    );
    let mode = std::fs::metadata(&file)
        .expect("report")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let html = std::fs::read_to_string(&file).expect("report");
    assert!(html.contains("<h1>Audit report: audit.log</h1>"), "title");
    assert!(!html.contains("Audit report: Vault audit report"));
    // The denied read's error row names the log file and the entry's physical line.
    let line = physical_line(&log, &["permission denied", "\"type\":\"response\""]);
    assert!(
        html.contains(&format!(">audit.log:{line}<")),
        "no `audit.log:{line}` cell in the error table"
    );

    // Again: the report is replaced, and the message says so.
    let again = w
        .vk(&["audit", "report", &log, "--title", "ops"])
        .current_dir(dir.path())
        .run()
        .await;
    again.ok();
    assert!(again.stderr.contains("replacing"), "{}", again.stderr);
    let html = std::fs::read_to_string(&file).expect("report");
    assert!(html.contains("<h1>Audit report: ops</h1>"));
    // `-o -` is the way to stdout.
    let piped = w.vk(&["audit", "report", &log, "-o", "-"]).run().await;
    piped.ok();
    assert!(
        piped.stdout.starts_with("<!DOCTYPE html>"),
        "{}",
        piped.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_filter_takes_the_logical_kv_path_and_says_so() {
    let (w, log) = audited().await;
    let logical = w
        .vk(&[
            "audit",
            "filter",
            &log,
            "--path",
            "secret/app/**",
            "--format",
            "json",
        ])
        .run()
        .await;
    logical.ok();
    let rows = logical.json();
    let paths: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"secret/data/app/db"),
        "the logical path matches the API path: {paths:?}"
    );
    assert!(paths.iter().all(|p| p.starts_with("secret/")), "{paths:?}");
    assert!(
        logical
            .stderr
            .contains("note: --path `secret/app/**` matched")
            && logical
                .stderr
                .contains("by their KV v2 API path (e.g. `secret/"),
        "{}",
        logical.stderr
    );
    let api = w
        .vk(&[
            "audit",
            "filter",
            &log,
            "--path",
            "secret/data/app/**",
            "--format",
            "json",
        ])
        .run()
        .await;
    api.ok();
    assert!(!api.stderr.contains("note:"), "{}", api.stderr);
    assert!(!api.json().as_array().expect("rows").is_empty());
    // A path on no KV mount still matches nothing.
    let none = w
        .vk(&[
            "audit",
            "filter",
            &log,
            "--path",
            "nomount/**",
            "--format",
            "json",
        ])
        .run()
        .await;
    none.ok();
    assert_eq!(none.json(), serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_and_filter_number_lines_alike() {
    let (w, log) = audited().await;
    let mut child = w
        .vk(&[
            "audit",
            "tail",
            &log,
            "--format",
            "jsonl",
            "--path",
            "secret/data/live/**",
        ])
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // tail starts at the end of the file, whenever it gets there: keep writing new entries
    // until it reports one (no assumption about how fast it starts).
    let mut n = 0;
    let line = loop {
        assert!(n < 60, "tail never reported an entry");
        w.vk(&["kv", "put", &format!("secret/live/x{n}"), "k=v"])
            .run()
            .await
            .ok();
        n += 1;
        if let Ok(next) = tokio::time::timeout(Duration::from_secs(1), lines.next_line()).await {
            break next.expect("read").expect("a line");
        }
    };
    let tailed: Value = serde_json::from_str(&line).expect("JSON line");
    let pid = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        .expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let _ = child.wait().await;

    let id = tailed["request_id"].as_str().expect("request id");
    let kind = tailed["kind"].as_str().expect("kind");
    let filtered = w
        .vk(&["audit", "filter", &log, "--format", "json"])
        .run()
        .await;
    filtered.ok();
    let rows = filtered.json();
    let same = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["request_id"] == id && r["kind"] == kind)
        .expect("the tailed entry in filter's output");
    assert_eq!(same["location"]["line"], tailed["location"]["line"]);
    let physical = physical_line(&log, &[id, &format!("\"type\":\"{kind}\"")]);
    assert_eq!(
        tailed["location"]["line"], physical,
        "1-based physical line"
    );
    assert!(
        physical > 10,
        "numbered from the top of the file, not from where tail began"
    );
}
