//! The `bao server` child process: spawning, log capture, and killing it on drop.

use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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

/// Runs `"$@"` (the server) in the background and kills it as soon as the watchdog's stdin
/// (kept as fd 3, since `sh` gives background jobs `/dev/null`) reaches end-of-file, which happens when the test process closes the pipe on drop or dies in any
/// way (even SIGKILL). The shell exits with the server's status and reaps it.
const WATCHDOG: &str = r#"exec 3<&0
"$@" 3<&- </dev/null &
server=$!
( read -r _ignored <&3; kill -KILL "$server" 2>/dev/null ) &
reader=$!
exec 3<&-
wait "$server"; status=$?
kill "$reader" 2>/dev/null
exit "$status""#;

/// How long a drop waits for the watchdog to stop the server before killing it directly.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `bao server`, started under a small `sh` watchdog that holds a pipe from this
/// process. Dropping it closes the pipe (the watchdog kills the server) and reaps the
/// watchdog, also while a test panics (unwinding runs the drop). When the test process dies
/// without unwinding, the pipe closes all the same, so no orphan server survives.
///
/// Everything stays in the test's process group, so a runner that kills a timed-out test's
/// group (cargo-nextest does) reaches the server too.
pub(crate) struct ServerProcess {
    child: Child,
    lifeline: Option<ChildStdin>,
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
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(WATCHDOG)
            .arg("vault-testkit-bao")
            .arg(bao)
            .args(args)
            .stdin(Stdio::piped())
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
        let lifeline = child.stdin.take();
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            capture(stdout, Arc::clone(&log));
        }
        if let Some(stderr) = child.stderr.take() {
            capture(stderr, Arc::clone(&log));
        }
        Ok(Self {
            child,
            lifeline,
            log,
        })
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

    /// The process id of the watchdog shell (for diagnostics and tests).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Closing the lifeline makes the watchdog kill the server, reap it and exit.
        drop(self.lifeline.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if self.exited().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // The watchdog is stuck: kill it; errors mean it is already gone.
        let _ = self.child.kill();
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
