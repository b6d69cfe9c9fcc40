//! The `bao server` child process: spawning, log capture, and killing it on drop.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

/// Environment variables that would make the server (or its CLI parts) talk to, or configure
/// itself from, something other than what the testkit passes explicitly.
const SCRUBBED_ENV: &[&str] = &[
    "VAULT_ADDR",
    "BAO_ADDR",
    "VAULT_TOKEN",
    "BAO_TOKEN",
    "VAULT_NAMESPACE",
    "BAO_NAMESPACE",
    "VAULT_API_ADDR",
    "BAO_API_ADDR",
    "VAULT_CLUSTER_ADDR",
    "BAO_CLUSTER_ADDR",
    "VAULT_DEV_ROOT_TOKEN_ID",
    "BAO_DEV_ROOT_TOKEN_ID",
    "VAULT_DEV_LISTEN_ADDRESS",
    "BAO_DEV_LISTEN_ADDRESS",
    "VAULT_LOG_LEVEL",
    "BAO_LOG_LEVEL",
];

/// A running `bao server`. Dropping it kills the process and reaps it, also while a test
/// panics (unwinding runs the drop).
///
/// The child stays in the test's process group on purpose: a test runner that kills a
/// timed-out test's process group (cargo-nextest does) takes the server down with it, so no
/// orphan survives even when the drop never runs.
pub(crate) struct ServerProcess {
    child: Child,
    log: Arc<Mutex<Vec<u8>>>,
}

impl std::fmt::Debug for ServerProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerProcess")
            .field("pid", &self.child.id())
            .finish()
    }
}

impl ServerProcess {
    /// Starts `bao` with `args` and extra environment `envs` (secrets such as the dev root
    /// token go through the environment, never argv).
    pub(crate) fn spawn(
        bao: &Path,
        args: &[String],
        envs: &[(&str, &str)],
    ) -> Result<Self, String> {
        let mut command = Command::new(bao);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in SCRUBBED_ENV {
            command.env_remove(name);
        }
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not start {} {}: {e}", bao.display(), args.join(" ")))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            capture(stdout, Arc::clone(&log));
        }
        if let Some(stderr) = child.stderr.take() {
            capture(stderr, Arc::clone(&log));
        }
        Ok(Self { child, log })
    }

    /// Everything the server printed so far (stdout and stderr, interleaved).
    pub(crate) fn log(&self) -> String {
        let bytes = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The exit status if the process has already ended.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The process id (for diagnostics and tests).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if self.exited().is_none() {
            // Errors mean the process is already gone; nothing else to do.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn capture(mut stream: impl Read + Send + 'static, log: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => log
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(&buf[..n]),
            }
        }
    });
}

/// The last `lines` lines of a log, for failure messages.
pub(crate) fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
