//! No `vaultkit audit` output ever shows a plaintext value from the log, in any format.
//!
//! A log written by OpenBao holds only HMACs, so checking its outputs alone proves nothing. Here
//! the plaintext is planted where it can appear: lines written by hand (as a log with
//! `log_raw`, or a tampered one, would hold them) carry it in every field that vaultkit must not
//! print — `request.data`, `request.headers`, `auth.metadata`, `response.data`,
//! `response.auth.client_token`/`accessor`, `response.wrap_info.token` — and in a malformed line;
//! and it is the input of `audit find-value`. Each command is first checked to have read the
//! planted entries (their path, their count), so an output that silently dropped them cannot pass.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use crate::support::{Out, World};

const PLANTED: &str = "PLANTED-plain-Zx81-audit";
const FORMATS: [&str; 4] = ["table", "json", "jsonl", "csv"];

/// The planted entries: a request and its response on `secret/data/planted/db`.
fn planted_lines() -> String {
    let auth = json!({
        "client_token": "hmac-sha256:0b1c",
        "accessor": "hmac-sha256:7e2f",
        "display_name": "token-planted",
        "policies": ["default"],
        "token_type": "service",
        "metadata": {"note": PLANTED},
    });
    let request = json!({
        "id": "planted-req-1",
        "operation": "update",
        "mount_type": "kv",
        "mount_point": "secret/",
        "path": "secret/data/planted/db",
        "remote_address": "10.9.8.7",
        "data": {"data": {"password": PLANTED}},
        "headers": {"x-vault-token": [PLANTED], "authorization": [format!("Bearer {PLANTED}")]},
    });
    let req = json!({
        "time": "2026-11-29T10:00:00.000000001Z",
        "type": "request",
        "auth": auth,
        "request": request,
    });
    let resp = json!({
        "time": "2026-11-29T10:00:00.000300001Z",
        "type": "response",
        "auth": auth,
        "request": request,
        "response": {
            "data": {"data": {"password": PLANTED}},
            "wrap_info": {"token": PLANTED, "accessor": PLANTED},
            "auth": {
                "client_token": PLANTED,
                "accessor": PLANTED,
                "display_name": "approle",
                "policies": ["default"],
            },
        },
    });
    // A stray line (a debug print, a half-written record): malformed, counted, never shown.
    format!("{req}\npassword={PLANTED}\n{resp}\n")
}

/// A real audit log (OpenBao wrote it; PLANTED was stored through `kv put`) with the planted
/// lines appended.
async fn planted_world() -> (World, String) {
    let (w, log) = World::audited(PLANTED, false).await;
    let mut text = std::fs::read_to_string(&log).expect("read the audit log");
    assert!(
        !text.contains(PLANTED),
        "OpenBao logs HMACs only; the plaintext comes from the planted lines"
    );
    text.push_str(&planted_lines());
    std::fs::write(&log, text).expect("append the planted lines");
    (w, log)
}

#[track_caller]
fn no_plaintext(args: &[&str], out: &Out) {
    out.ok();
    assert!(
        !out.all().contains(PLANTED),
        "`vaultkit {}` printed the plaintext:\n{}",
        args.join(" "),
        out.all()
    );
}

/// How many planted entries (`planted/db`) an entry listing shows, in its format.
fn planted_rows(format: &str, stdout: &str) -> usize {
    match format {
        "json" => serde_json::from_str::<Value>(stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
            .as_array()
            .expect("an array")
            .iter()
            .filter(|e| e["path"] == "secret/data/planted/db")
            .count(),
        "jsonl" => stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}):\n{stdout}"))
            })
            .filter(|e| e["path"] == "secret/data/planted/db")
            .count(),
        _ => stdout
            .lines()
            .filter(|l| l.contains("secret/data/planted/db"))
            .count(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plaintext_in_any_audit_output() {
    let (w, log) = planted_world().await;
    let l = log.as_str();

    // The planted lines were read: two entries, one malformed line.
    let stats = w.vk(&["audit", "stats", l, "--format", "json"]).run().await;
    no_plaintext(&["audit", "stats"], &stats);
    assert_eq!(stats.json()["malformed"]["count"], 1, "{}", stats.stdout);

    // Entry listings: the planted entries are shown (by their fields), never their secrets.
    let listings: [Vec<&str>; 4] = [
        vec!["audit", "filter", l],
        vec!["audit", "filter", l, "--path", "secret/data/planted/**"],
        vec!["audit", "search", l, "planted/db"],
        vec!["audit", "search", l, "password"],
    ];
    for base in &listings {
        for fmt in FORMATS {
            let mut args = base.clone();
            args.extend(["--format", fmt]);
            let out = w.vk(&args).run().await;
            no_plaintext(&args, &out);
            assert_eq!(
                planted_rows(fmt, &out.stdout),
                2,
                "`vaultkit {}` shows both planted entries:\n{}",
                args.join(" "),
                out.stdout
            );
        }
    }

    // Summaries and detections, every format.
    for base in [
        vec!["audit", "stats", l],
        vec!["audit", "patterns", l],
        vec!["audit", "pairs", l],
        vec!["audit", "anomalies", l],
        vec![
            "audit",
            "anomalies",
            l,
            "--threshold",
            "1",
            "--window",
            "1h",
        ],
    ] {
        for fmt in FORMATS {
            let mut args = base.clone();
            args.extend(["--format", fmt]);
            let out = w.vk(&args).run().await;
            no_plaintext(&args, &out);
            assert!(
                !out.stdout.trim().is_empty(),
                "`vaultkit {}`",
                args.join(" ")
            );
        }
    }
    let patterns = w
        .vk(&["audit", "patterns", l, "--format", "json"])
        .run()
        .await
        .json();
    assert!(
        patterns.to_string().contains("secret/data/planted/db"),
        "{patterns}"
    );

    // find-value: the plaintext is its input (stdin); the log holds its HMAC (from `kv put`).
    for fmt in FORMATS {
        let args = ["audit", "find-value", l, "--format", fmt];
        let out = w.vk(&args).stdin(PLANTED).run().await;
        no_plaintext(&args, &out);
        assert!(out.stdout.contains("secret/data/app/db"), "{}", out.stdout);
        assert!(
            out.stderr.contains("hmac-sha256:") && out.stderr.contains("entries"),
            "{}",
            out.stderr
        );
    }

    // The HTML report, written to a file and to stdout.
    let report = w.home().join("report.html");
    let args = ["audit", "report", l, "-o", report.to_str().expect("path")];
    let out = w.vk(&args).run().await;
    no_plaintext(&args, &out);
    let html = std::fs::read_to_string(&report).expect("report written");
    assert!(
        html.contains("secret/data/planted/db"),
        "the report covers the planted entries"
    );
    assert!(!html.contains(PLANTED), "the report holds the plaintext");
    // The default output file (`./audit-report.html`), written in the test's own folder.
    let out = w.vk(&["audit", "report", l, "-o", "-"]).run().await;
    no_plaintext(&["audit", "report", "-o", "-"], &out);
    let out = w
        .vk(&["audit", "report", l])
        .current_dir(w.home())
        .run()
        .await;
    no_plaintext(&["audit", "report"], &out);
    let default_file = std::fs::read_to_string(w.home().join("audit-report.html"))
        .expect("the default report file");
    assert!(
        !default_file.contains(PLANTED),
        "the default report file holds the plaintext"
    );

    // tail, from the start, in every format.
    for fmt in FORMATS {
        let (shown, all) = tail(&w, l, fmt).await;
        // tail streams: `json` is one document per line, like `jsonl`.
        let lines = if fmt == "json" { "jsonl" } else { fmt };
        assert_eq!(
            planted_rows(lines, &shown),
            2,
            "tail --format {fmt}:\n{shown}"
        );
        assert!(
            !all.contains(PLANTED),
            "tail --format {fmt} printed the plaintext:\n{all}"
        );
    }
}

/// `audit tail LOG --from-start --path secret/data/planted/**`: wait for both planted entries,
/// stop it with SIGTERM; return the entry lines and everything it printed.
async fn tail(w: &World, log: &str, format: &str) -> (String, String) {
    let mut cmd = w
        .vk(&[
            "audit",
            "tail",
            log,
            "--from-start",
            "--path",
            "secret/data/planted/**",
            "--format",
            format,
        ])
        .command();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn audit tail");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut stderr = child.stderr.take().expect("stderr");
    let mut shown = String::new();
    let header = usize::from(format == "table");
    for _ in 0..2 + header {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut line))
            .await
            .expect("tail prints the planted entries")
            .expect("read");
        assert!(n > 0, "tail ended early:\n{shown}");
        shown.push_str(&line);
    }
    let pid = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        .expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("tail stops")
        .expect("status");
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.expect("stdout");
    let mut err = String::new();
    stderr.read_to_string(&mut err).await.expect("stderr");
    let all = format!("{shown}{rest}{err}");
    (shown, all)
}
