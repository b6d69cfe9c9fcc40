//! `vaultkit dev`: start a throw-away OpenBao dev server, print how to use it, stop it on Ctrl-C.
//!
//! - [`bao`]: which `bao` binary runs.
//! - [`server_config`]: the configuration file (this run's cluster name, `--audit-log`'s file
//!   audit device).
//! - [`ready`]: the port check and the readiness check; the server's output for errors.
//!
//! Architecture Invariant: the root token is never on a command line (every user sees argv in
//! `ps`): it comes from `VAULTKIT_DEV_ROOT_TOKEN`, stdin (`--root-token-stdin`) or is random, and
//! reaches the server through its environment (`BAO_DEV_ROOT_TOKEN_ID`).
//!
//! Architecture Invariant: the `export` lines are printed only once the server answering on the
//! port is the process this run started (its cluster name) and accepts this run's token; a port
//! that is taken is one error naming it (exit 5), never exports pointing at someone else's server.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use rand::Rng;
use tokio::process::{Child, Command};
use tokio::signal::unix::{SignalKind, signal};

use crate::args::ops::DevArgs;
use crate::error::{CliError, CliResult};
use crate::output::Output;

mod bao;
mod ready;
mod server_config;

pub(crate) use bao::find_bao;
use ready::{Expected, ServerOutput};

pub(crate) async fn run(out: &Output, args: &DevArgs) -> CliResult<()> {
    let token = root_token(args)?;
    let explicit = args
        .bao
        .clone()
        .or_else(|| std::env::var_os("VAULTKIT_BAO").map(Into::into));
    let bao = find_bao(explicit.as_deref())?;
    let audit_log = args
        .audit_log
        .as_deref()
        .map(server_config::audit_log_path)
        .transpose()?;
    let port = match args.port {
        Some(p) => {
            ready::check_port(p)?;
            p
        }
        None => ready::free_port()?,
    };
    let run_id = random_suffix(16);
    let cluster_name = format!("vaultkit-dev-{run_id}");
    let config = server_config::ConfigDir::create(
        &run_id,
        &server_config::render(&cluster_name, audit_log.as_deref()),
    )?;
    let addr = format!("http://127.0.0.1:{port}");
    let mut child = spawn(&bao, port, config.file(), &token)?;
    let mut output = ServerOutput::collect(&mut child);
    let expected = Expected {
        port,
        cluster_name: &cluster_name,
        token: &token,
    };
    ready::wait_ready(&mut child, &expected, &mut output, out.quiet).await?;
    // Handlers first, so a signal sent right after the exports are read is not lost.
    let mut term = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut hup = signal(SignalKind::hangup()).map_err(signal_err)?;
    let mut int = signal(SignalKind::interrupt()).map_err(signal_err)?;

    out.write(&format!(
        "export VAULT_ADDR={}\nexport VAULT_TOKEN={}\n",
        crate::quote::shell_single_quote(&addr),
        crate::quote::shell_single_quote(&token)
    ))?;
    let audit = match &audit_log {
        Some(p) => format!(
            "\nAudit log: {} (file audit device `{}/`): `vaultkit audit stats {}`.",
            p.display(),
            server_config::AUDIT_DEVICE,
            crate::quote::shell_single_quote(&p.display().to_string())
        ),
        None => String::new(),
    };
    out.info(&format!(
        "OpenBao dev server ({}) is running at {addr}: in memory, unsealed, KV v2 at secret/.{audit}\n\
         Paste the two lines above into another shell (or `eval` them). Press Ctrl-C to stop it.",
        bao.display()
    ));

    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
        status = child.wait() => {
            return Err(CliError::other(format!("the dev server stopped by itself ({})", describe(status)))
                .with_hint(format!("its last output: {}", ready::tail_text(&output.log))));
        }
    }
    stop(&mut child).await;
    drop(config);
    out.info("OpenBao dev server stopped.");
    Ok(())
}

/// `bao server -dev` on 127.0.0.1:`port` with `config`; the token only in its environment.
fn spawn(bao: &Path, port: u16, config: &Path, token: &str) -> CliResult<Child> {
    let mut config_arg = std::ffi::OsString::from("-config=");
    config_arg.push(config);
    Command::new(bao)
        .arg("server")
        .arg("-dev")
        .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
        .arg(config_arg)
        .env("BAO_DEV_ROOT_TOKEN_ID", token)
        .env("VAULT_DEV_ROOT_TOKEN_ID", token)
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
        })
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
            Err(_) => return Ok(format!("dev-{}", random_suffix(24))),
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

/// `n` random alphanumeric characters.
fn random_suffix(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
        .collect()
}
