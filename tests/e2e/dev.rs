//! `vaultkit dev`: a real OpenBao dev server, usable through the printed exports, stopped by SIGTERM;
//! a taken port is one error and no exports; `--audit-log` gives a file audit device.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Cmd, World};

/// A running `vaultkit dev` and the address and token its `export` lines gave.
struct Dev {
    child: tokio::process::Child,
    addr: String,
    token: String,
}

/// Start `vaultkit dev ARGS` and read its two `export` lines.
async fn start_dev(home: &std::path::Path, args: &[&str]) -> Dev {
    let mut all = vec!["dev"];
    all.extend_from_slice(args);
    let mut cmd = Cmd::new(home, &all).command();
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
    Dev {
        child,
        addr: addr.expect("VAULT_ADDR line"),
        token: token.expect("VAULT_TOKEN line"),
    }
}

impl Dev {
    fn vk(&self, home: &std::path::Path, args: &[&str]) -> Cmd {
        Cmd::new(home, args)
            .env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token)
    }

    /// SIGTERM, then the exit code.
    async fn stop(mut self) -> Option<i32> {
        let pid = self
            .child
            .id()
            .and_then(|p| rustix::process::Pid::from_raw(p as i32))
            .expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("stops")
            .expect("status")
            .code()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_prints_exports_and_stops_on_sigterm() {
    let home = tempfile::tempdir().expect("home");
    let dev = start_dev(home.path(), &[]).await;
    let (addr, token) = (dev.addr.clone(), dev.token.clone());
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

    assert_eq!(dev.stop().await, Some(0));
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

/// The exports must never point at another server: a port held by another OpenBao (even one
/// that accepts the same root token) or by any listener is one error naming it, exit 5, and
/// nothing on stdout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_on_a_taken_port_prints_no_exports_and_exits_5() {
    let w = World::new().await;
    let port = w
        .bao
        .addr()
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
        .expect("port of the running server");
    let other_server = Cmd::new(w.home(), &["dev", "--port", &port.to_string()])
        .env("VAULTKIT_DEV_ROOT_TOKEN", &w.bao.root_token())
        .run()
        .await;
    other_server.code(5).one_line_error();
    assert_eq!(other_server.stdout, "", "no exports");
    assert!(
        other_server.stderr.contains(&format!("port {port}")),
        "{}",
        other_server.stderr
    );

    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = held.local_addr().expect("addr").port();
    let plain = Cmd::new(w.home(), &["dev", "--port", &port.to_string()])
        .run()
        .await;
    plain.code(5).one_line_error();
    assert_eq!(plain.stdout, "", "no exports");
    assert!(
        plain.stderr.contains(&format!("port {port}")),
        "{}",
        plain.stderr
    );
    // The other server was not disturbed.
    w.vk(&["status"]).run().await.ok();
}

/// `--audit-log FILE`: every request is logged there by a file audit device at `file/`, and
/// `audit hash` computes HMACs that match the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_audit_log_gives_a_file_audit_device() {
    let home = tempfile::tempdir().expect("home");
    let log = home.path().join("audit.log");
    let dev = start_dev(home.path(), &["--audit-log", log.to_str().expect("path")]).await;
    let value = "planted-audit-value-3141";
    dev.vk(home.path(), &["kv", "put", "secret/app/db", "password=-"])
        .stdin(value)
        .run()
        .await
        .ok();
    let hash = dev
        .vk(home.path(), &["audit", "hash"])
        .stdin(value)
        .run()
        .await;
    hash.ok();
    let hmac = hash.stdout.trim();
    assert!(hmac.starts_with("hmac-sha256:"), "{}", hash.stdout);
    let text = std::fs::read_to_string(&log).expect("the audit log exists");
    assert!(text.contains(hmac), "the log holds the value's HMAC {hmac}");
    assert!(!text.contains(value), "the log never holds the value");
    let stats = dev
        .vk(
            home.path(),
            &[
                "audit",
                "stats",
                log.to_str().expect("path"),
                "--format",
                "json",
            ],
        )
        .run()
        .await;
    stats.ok();
    assert!(
        stats.stdout.contains("secret/data/app/db"),
        "{}",
        stats.stdout
    );
    assert_eq!(dev.stop().await, Some(0));

    // A folder that does not exist is refused before anything starts.
    let missing = Cmd::new(
        home.path(),
        &["dev", "--audit-log", "/nonexistent/dir/audit.log"],
    )
    .run()
    .await;
    missing.code(3).one_line_error();
    assert_eq!(missing.stdout, "");
}

/// `audit hash` against a server without an audit device says so and how to get one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_hash_without_a_device_says_how_to_get_one() {
    let w = World::new().await;
    let out = w.vk(&["audit", "hash"]).stdin("x").run().await;
    out.code(3).one_line_error();
    assert!(
        out.stderr.contains("no audit device `file/`")
            && out.stderr.contains("vaultkit dev --audit-log FILE"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("unknown audit backend"),
        "{}",
        out.stderr
    );
}
