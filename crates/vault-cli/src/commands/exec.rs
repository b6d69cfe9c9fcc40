//! `vaultkit exec --secret … -- CMD ARGS`: run CMD with secrets in its environment.
//!
//! Architecture Invariant: the secret values are handed over only through the child's
//! environment (`execve`'s envp): never on its command line, never in a file.
//!
//! Architecture Invariant: the child's environment is built explicitly: vaultkit's credentials
//! are removed unless `--pass-token`, and secrets obey [`super::env_rules`] (no loader variables
//! without `--allow-env`, no replaced variables without `--override`).
//!
//! SIGINT, SIGTERM and SIGHUP received by vaultkit are forwarded to the child, and vaultkit waits
//! for it; the exit code is the child's, or 128+N when the child died of signal N (as shells
//! report it). A command that cannot be started exits 127 (not found) or 126 (not executable),
//! like `env(1)`.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use rustix::process::{Pid, Signal, kill_process};
use tokio::process::Command;
use tokio::signal::unix::{SignalKind, signal};

use super::Ctx;
use super::env_rules::{self, CREDENTIAL_VARS};
use crate::args::secrets::ExecArgs;
use crate::error::{CliError, CliResult};

/// Variables kept with `--clean-env`.
const KEEP: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "TZ", "TMPDIR",
];

pub(crate) async fn run(ctx: &Ctx, args: ExecArgs) -> CliResult<u8> {
    let client = ctx.client()?;
    let vars = super::secrets::resolve(&client, &args.selection).await?;
    let (program, rest) = args.command.split_first().ok_or_else(|| {
        CliError::usage("no command to run")
            .with_hint("put it after `--`: vaultkit exec -s … -- CMD")
    })?;
    // The environment the child inherits: everything (or the few KEEP names with --clean-env);
    // vaultkit's own credentials only with --pass-token (then also with --clean-env).
    let inherited: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os()
        .filter(|(k, _)| {
            let name = k.to_str();
            if name.is_some_and(|k| CREDENTIAL_VARS.contains(&k)) {
                return args.pass_token;
            }
            !args.clean_env || name.is_some_and(|k| KEEP.contains(&k) || k.starts_with("LC_"))
        })
        .collect();
    env_rules::check(&vars, &args.rules, |name| {
        inherited.iter().any(|(k, _)| k.as_os_str() == name)
    })?;
    let mut cmd = Command::new(program);
    cmd.args(rest)
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .env_clear()
        .envs(inherited);
    for (name, value) in &vars {
        cmd.env(name, value.expose());
    }
    // Install the handlers before the child exists, so no signal falls between the two.
    let mut int = signal(SignalKind::interrupt()).map_err(signal_err)?;
    let mut term = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut hup = signal(SignalKind::hangup()).map_err(signal_err)?;
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            // Like env(1): 127 when the command (or its `#!` interpreter) is not found, 126
            // for every other reason it cannot be executed (no execute bit, a directory, a
            // format the kernel does not run: ENOEXEC).
            let code = match e.kind() {
                std::io::ErrorKind::NotFound => 127,
                _ => 126,
            };
            eprintln!(
                "error: could not run `{program}`: {e}; try: check that the command exists and is executable"
            );
            return Ok(code);
        }
    };
    drop(vars);
    let pid = child
        .id()
        .and_then(|p| i32::try_from(p).ok())
        .and_then(Pid::from_raw);
    let forward = |sig: Signal| {
        if let Some(pid) = pid {
            let _ = kill_process(pid, sig);
        }
    };
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            _ = int.recv() => forward(Signal::INT),
            _ = term.recv() => forward(Signal::TERM),
            _ = hup.recv() => forward(Signal::HUP),
        }
    };
    let status = status.map_err(|e| CliError::other(format!("lost track of `{program}`: {e}")))?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(255),
        (None, None) => 1,
    })
}

fn signal_err(e: std::io::Error) -> CliError {
    CliError::other(format!("could not install a signal handler: {e}"))
}
