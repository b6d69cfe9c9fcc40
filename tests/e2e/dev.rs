//! `vaultkit dev`: a real OpenBao dev server, usable through the printed exports, stopped by SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::Cmd;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_prints_exports_and_stops_on_sigterm() {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Cmd::new(home.path(), &["dev"]).command();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut addr = None;
    let mut token = None;
    for _ in 0..2 {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("exports in time")
            .expect("read")
            .expect("line");
        if let Some(v) = line.strip_prefix("export VAULT_ADDR='") {
            addr = Some(v.trim_end_matches('\'').to_string());
        } else if let Some(v) = line.strip_prefix("export VAULT_TOKEN='") {
            token = Some(v.trim_end_matches('\'').to_string());
        }
    }
    let (addr, token) = (
        addr.expect("VAULT_ADDR line"),
        token.expect("VAULT_TOKEN line"),
    );
    let use_it = |args: &[&str]| {
        Cmd::new(home.path(), args)
            .env("VAULT_ADDR", &addr)
            .env("VAULT_TOKEN", &token)
    };
    use_it(&["kv", "put", "secret/demo", "k=v"])
        .run()
        .await
        .ok();
    assert_eq!(
        use_it(&["kv", "get", "-field=k", "secret/demo"])
            .run()
            .await
            .stdout,
        "v\n"
    );

    let pid = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        .expect("pid");
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("stops")
        .expect("status");
    assert_eq!(status.code(), Some(0));
    // The server is gone.
    use_it(&["status"]).run().await.code(5);

    // A missing bao binary is a clear error.
    let missing = Cmd::new(home.path(), &["dev", "--bao", "/nonexistent/bao"])
        .run()
        .await;
    missing.code(3).one_line_error();
    assert!(
        missing.stderr.contains("VAULTKIT_BAO"),
        "{}",
        missing.stderr
    );
}
