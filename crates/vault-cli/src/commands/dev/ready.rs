//! Knowing that the dev server vaultkit started is the one answering: the port is free before
//! the start; the server's `sys/health` reports this run's cluster name and `lookup-self`
//! accepts this run's root token; the child is still running. Until all of that holds, nothing
//! is printed on stdout, so no `export` line can send a user to another server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;
use vault_core::{RetryPolicy, SecretString, VaultClient};

use crate::error::{CliError, CliResult, ExitKind};
use crate::output::progress::Progress;

/// The last lines of the server's output (for error messages).
pub(super) type Log = Arc<Mutex<VecDeque<String>>>;

/// The server's output being collected into a [`Log`].
pub(super) struct ServerOutput {
    pub log: Log,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl ServerOutput {
    /// Collect the child's stdout and stderr.
    pub(super) fn collect(child: &mut Child) -> ServerOutput {
        let log = Log::default();
        let mut tasks = Vec::new();
        if let Some(out) = child.stdout.take() {
            tasks.push(tokio::spawn(keep_tail(out, log.clone())));
        }
        if let Some(err) = child.stderr.take() {
            tasks.push(tokio::spawn(keep_tail(err, log.clone())));
        }
        ServerOutput { log, tasks }
    }

    /// After the child exited: wait (up to 2 s) until its last lines are in the log.
    async fn drain(&mut self) {
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

/// The one error for a port that another process holds: exit 5.
pub(super) fn port_busy(port: u16) -> CliError {
    CliError::new(
        ExitKind::Connection,
        format!(
            "port {port} on 127.0.0.1 is already in use, so the dev server cannot listen on it"
        ),
    )
    .with_hint("pick another --port, or leave --port out to get a free one")
}

/// Fail early when `port` is taken (the server's own bind failure is caught too, for a port
/// taken in between).
pub(super) fn check_port(port: u16) -> CliResult<()> {
    match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(port_busy(port)),
        Err(e) => Err(CliError::new(
            ExitKind::Connection,
            format!("cannot listen on 127.0.0.1:{port}: {e}"),
        )
        .with_hint("pick another --port (ports below 1024 need privileges)")),
    }
}

/// A free port chosen by the OS.
pub(super) fn free_port() -> CliResult<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            CliError::other(format!("could not find a free port on 127.0.0.1: {e}"))
                .with_hint("pass --port")
        })
}

/// What identifies the server this run started.
pub(super) struct Expected<'a> {
    pub port: u16,
    pub cluster_name: &'a str,
    pub token: &'a str,
}

/// Wait until the server started as `child` answers as [`Expected`], or fail: the child exited
/// (a bind failure is [`port_busy`]), or 30 s passed.
pub(super) async fn wait_ready(
    child: &mut Child,
    expected: &Expected<'_>,
    output: &mut ServerOutput,
    quiet: bool,
) -> CliResult<()> {
    let addr = format!("http://127.0.0.1:{}", expected.port);
    let client = VaultClient::builder()
        .with_address(&addr)
        .with_token(SecretString::new(expected.token))
        .with_timeout(Duration::from_secs(2))
        .with_retry(RetryPolicy::none())
        .build()?;
    let progress = Progress::new(None, "starting OpenBao dev server", quiet);
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            output.drain().await;
            return Err(exited(status, expected.port, &output.log));
        }
        if answers_as_expected(&client, expected).await {
            // The answer came from our child only if it is still running now.
            if let Ok(Some(status)) = child.try_wait() {
                output.drain().await;
                return Err(exited(status, expected.port, &output.log));
            }
            progress.finish();
            return Ok(());
        }
        progress.inc(1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(CliError::other(format!(
        "the dev server did not answer at {addr} within 30 s"
    ))
    .with_hint(format!("its last output: {}", tail_text(&output.log))))
}

async fn answers_as_expected(client: &VaultClient, expected: &Expected<'_>) -> bool {
    let Ok(health) = client.get_health().await else {
        return false;
    };
    if !health.is_healthy() || health.cluster_name.as_deref() != Some(expected.cluster_name) {
        return false;
    }
    client.read("auth/token/lookup-self").await.is_ok()
}

/// The error for a child that exited during start-up.
fn exited(status: std::process::ExitStatus, port: u16, log: &Log) -> CliError {
    let bind_failed = log.lock().is_ok_and(|l| {
        l.iter()
            .any(|line| line.contains("address already in use") || line.contains("bind:"))
    });
    if bind_failed {
        return port_busy(port);
    }
    CliError::other(format!("the dev server exited at start ({status})"))
        .with_hint(format!("its last output: {}", tail_text(log)))
}

/// Keep the last 20 lines of the server's output for error messages.
async fn keep_tail(stream: impl AsyncRead + Unpin, log: Log) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(mut l) = log.lock() {
            if l.len() == 20 {
                l.pop_front();
            }
            l.push_back(line);
        }
    }
}

/// The last three lines, without the ones that hold the root token or the unseal key.
pub(super) fn tail_text(log: &Log) -> String {
    let lines = log
        .lock()
        .map(|l| l.iter().rev().take(3).rev().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let safe: Vec<String> = lines
        .into_iter()
        .filter(|l| !l.contains("Token") && !l.contains("Unseal Key"))
        .collect();
    if safe.is_empty() {
        "(nothing)".into()
    } else {
        safe.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_one_connection_error_naming_it() {
        let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = held.local_addr().expect("addr").port();
        let e = check_port(port).expect_err("taken");
        assert_eq!(e.kind().code(), 5);
        assert!(e.to_string().contains(&format!("port {port}")), "{e}");
        drop(held);
        check_port(port).expect("free again");
    }
}
