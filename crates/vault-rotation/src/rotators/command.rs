//! The external-command rotator: a user program does each step against a system vaultkit does
//! not know.
//!
//! What the program gets and must answer is described on [`CommandRotator`].
//!
//! Architecture Invariant: a secret value reaches the program only through its standard input.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use vault_core::escape_text;
use vault_kv::SecretData;
use zeroize::Zeroizing;

use crate::rotators::redact::{mask, secret_texts};
use crate::{RotationContext, RotationError, RotationErrorKind, Rotator};

/// The environment variable that tells the program its step.
pub const COMMAND_STEP_ENV: &str = "VAULTKIT_ROTATION_STEP";
/// At most this much of standard output is read (a generated secret is small).
const STDOUT_LIMIT: u64 = 1 << 20;
/// At most this much of standard error is kept for reading.
const STDERR_LIMIT: u64 = 64 << 10;
/// At most this many characters of standard error go into an error message.
const STDERR_SHOWN: usize = 2000;

/// Settings of [`CommandRotator`] (`kind = "command"` in a policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CommandRotatorConfig {
    /// The program: a path, or a name looked up on `PATH`.
    pub program: PathBuf,
    /// Fixed arguments, the same for every step (never a secret).
    #[serde(default)]
    pub args: Vec<String>,
    /// Seconds a step may take before the program is killed (default 60).
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Names of further environment variables passed on to the program (when set); everything
    /// else but [`COMMAND_PASSED_ENV`], `LC_*` and the step is withheld.
    #[serde(default)]
    pub env: Vec<String>,
}

/// The environment variables every program gets (when set); `LC_*` ones come along too.
pub const COMMAND_PASSED_ENV: &[&str] = &["PATH", "HOME", "LANG", "TZ", "TMPDIR"];

fn default_timeout_secs() -> u64 {
    60
}

impl CommandRotatorConfig {
    /// Settings for `program` with no arguments and the default timeout.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        CommandRotatorConfig {
            program: program.into(),
            args: Vec::new(),
            timeout_secs: default_timeout_secs(),
            env: Vec::new(),
        }
    }

    /// The same, passing these environment variables on to the program too.
    pub fn with_env<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.env = names.into_iter().map(Into::into).collect();
        self
    }

    /// The same with fixed arguments.
    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// The same with another per-step timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout_secs = timeout.as_secs().max(1);
        self
    }
}

/// Runs a user program for each rotation step.
///
/// For every step the program (path and fixed arguments from the policy) is started with a
/// JSON document on standard input:
///
/// ```json
/// {"step": "set",
///  "context": {"policy": "db", "mount": "secret", "path": "app/db", "current_version": 3,
///              "pending_version": 4, "attempt_id": "…"},
///  "current": {"password": "…"}, "new": {"password": "…"}}
/// ```
///
/// Which values come along depends on the step: `generate` gets `current`; `set` gets `current`
/// and `new`; `test` gets `new`; `rollback` gets `current` and `failed`; `revoke` gets
/// `previous`. The step is also in the environment variable `VAULTKIT_ROTATION_STEP`; secret
/// values are never in the arguments or the environment.
///
/// The program does not inherit vaultkit's environment (which may hold `VAULT_TOKEN` and other
/// credentials): it gets only `PATH`, `HOME`, `LANG`, `LC_*`, `TZ` and `TMPDIR` (those that are
/// set), `VAULTKIT_ROTATION_STEP`, and the variables the policy names in `env = ["NAME", …]`.
/// For `generate` the program prints a
/// JSON object on standard output: the keys it sets (the other keys of `current` are kept).
/// Exit status 0 means the step worked; any other status fails the step with the program's
/// standard error (truncated, control characters escaped, secret values masked). A step that
/// outlives its timeout is killed with its whole process group.
#[derive(Debug, Clone)]
pub struct CommandRotator {
    config: CommandRotatorConfig,
}

/// What one run of the program produced.
struct Finished {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stderr: Vec<u8>,
}

impl CommandRotator {
    /// A rotator with checked settings: a program is named and the timeout is positive.
    pub fn new(config: CommandRotatorConfig) -> Result<Self, RotationError> {
        if config.program.as_os_str().is_empty() {
            return Err(RotationError::config("command rotator: `program` is empty"));
        }
        if config.timeout_secs == 0 {
            return Err(RotationError::config(
                "command rotator: `timeout_secs` must be at least 1",
            ));
        }
        if let Some(bad) = config
            .env
            .iter()
            .find(|name| name.is_empty() || name.contains(['=', '\0']))
        {
            return Err(RotationError::config(format!(
                "command rotator: `env` entry `{}` is not a variable name",
                escape_text(bad)
            ))
            .with_hint(
                "list names only, e.g. env = [\"PGHOST\"]; values come from vaultkit's environment",
            ));
        }
        Ok(CommandRotator { config })
    }

    /// The environment the program gets: the allowlist, `LC_*` and the configured names, taken
    /// from this process's environment where set.
    fn child_env(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        std::env::vars_os()
            .filter(|(name, _)| {
                let name = name.to_string_lossy();
                COMMAND_PASSED_ENV.contains(&name.as_ref())
                    || name.starts_with("LC_")
                    || self.config.env.iter().any(|n| *n == name)
            })
            .collect()
    }

    /// The settings.
    pub fn config(&self) -> &CommandRotatorConfig {
        &self.config
    }

    fn program(&self) -> String {
        escape_text(&self.config.program.display().to_string()).into_owned()
    }

    /// Runs the program for `step` with `values` in its input; fails unless it exits with 0.
    async fn step(
        &self,
        step: &str,
        ctx: &RotationContext,
        values: &[(&str, &SecretData)],
    ) -> Result<Zeroizing<Vec<u8>>, RotationError> {
        let mut input = Map::new();
        input.insert("step".into(), Value::from(step));
        input.insert("context".into(), context_json(ctx));
        for (name, data) in values {
            input.insert((*name).into(), Value::Object(data.expose().clone()));
        }
        let input = Zeroizing::new(serde_json::to_vec(&Value::Object(input)).unwrap_or_default());
        let what = format!("policy `{}` {step}: `{}`", ctx.policy, self.program());
        let finished = self.run(&what, step, input).await?;
        if finished.status.success() {
            return Ok(finished.stdout);
        }
        let secrets = secret_texts(&values.iter().map(|(_, d)| *d).collect::<Vec<_>>());
        Err(RotationError::rotator(format!(
            "{what} {}: {}",
            describe_status(finished.status),
            stderr_excerpt(&finished.stderr, &secrets)
        ))
        .with_hint("the program's standard error above says why; exit 0 when the step worked"))
    }

    /// Starts the program, feeds it `input`, collects its output, and kills its process group
    /// when the timeout passes.
    async fn run(
        &self,
        what: &str,
        step: &str,
        input: Zeroizing<Vec<u8>>,
    ) -> Result<Finished, RotationError> {
        let mut child = Command::new(&self.config.program)
            .args(&self.config.args)
            .env_clear()
            .envs(self.child_env())
            .env(COMMAND_STEP_ENV, step)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                RotationError::new(
                    RotationErrorKind::Io,
                    format!("{what} could not be started: {e}"),
                )
                .with_hint("check the program's path and that it is executable")
            })?;
        let group = child
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(id as i32));
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let io = async {
            let feed = async move {
                if let Some(mut stdin) = stdin {
                    // A program that does not read its input closes the pipe: not an error.
                    let _ = stdin.write_all(&input).await;
                    let _ = stdin.shutdown().await;
                }
            };
            let (_, out, err, status) = tokio::join!(
                feed,
                read_limited(stdout, STDOUT_LIMIT),
                read_limited(stderr, STDERR_LIMIT),
                child.wait()
            );
            (out, err, status)
        };
        let timeout = Duration::from_secs(self.config.timeout_secs);
        match tokio::time::timeout(timeout, io).await {
            Ok((stdout, stderr, Ok(status))) => Ok(Finished {
                status,
                stdout: Zeroizing::new(stdout),
                stderr,
            }),
            Ok((_, _, Err(e))) => Err(RotationError::new(
                RotationErrorKind::Io,
                format!("{what}: waiting for the program failed: {e}"),
            )),
            Err(_) => {
                if let Some(group) = group {
                    let _ =
                        rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                }
                let _ = child.kill().await;
                Err(RotationError::rotator(format!(
                    "{what} did not finish within {} s and was killed",
                    self.config.timeout_secs
                ))
                .with_hint("make the program faster, or raise `timeout_secs` in the policy"))
            }
        }
    }
}

#[async_trait]
impl Rotator for CommandRotator {
    fn kind(&self) -> &str {
        "command"
    }

    async fn generate(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
    ) -> Result<SecretData, RotationError> {
        let stdout = self.step("generate", ctx, &[("current", current)]).await?;
        let bad = |what: &str| {
            RotationError::rotator(format!(
                "policy `{}` generate: `{}` printed {what} ({} bytes), not a JSON object of the \
                 keys to set",
                ctx.policy,
                self.program(),
                stdout.len()
            ))
            .with_hint("print e.g. {\"password\": \"…\"} on standard output")
        };
        // The output holds the new secret: parse errors are summarised, never quoted.
        let parsed: Value = serde_json::from_slice(&stdout).map_err(|_| bad("no valid JSON"))?;
        let Value::Object(keys) = parsed else {
            return Err(bad("JSON that is not an object"));
        };
        if keys.is_empty() {
            return Err(bad("an empty object"));
        }
        let mut data = current.expose().clone();
        data.extend(keys);
        Ok(SecretData::new(data))
    }

    async fn set(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        new: &SecretData,
    ) -> Result<(), RotationError> {
        self.step("set", ctx, &[("current", current), ("new", new)])
            .await
            .map(drop)
    }

    async fn test(&self, ctx: &RotationContext, new: &SecretData) -> Result<(), RotationError> {
        self.step("test", ctx, &[("new", new)]).await.map(drop)
    }

    async fn rollback(
        &self,
        ctx: &RotationContext,
        current: &SecretData,
        failed: &SecretData,
    ) -> Result<(), RotationError> {
        self.step("rollback", ctx, &[("current", current), ("failed", failed)])
            .await
            .map(drop)
    }

    async fn revoke(
        &self,
        ctx: &RotationContext,
        previous: &SecretData,
    ) -> Result<(), RotationError> {
        self.step("revoke", ctx, &[("previous", previous)])
            .await
            .map(drop)
    }
}

/// The context as the program sees it.
fn context_json(ctx: &RotationContext) -> Value {
    json!({
        "policy": ctx.policy,
        "mount": ctx.mount,
        "path": ctx.path,
        "current_version": ctx.current_version,
        "pending_version": ctx.pending_version,
        "attempt_id": ctx.attempt_id,
    })
}

/// Reads up to `limit` bytes, then drains the rest so the program never blocks on a full pipe.
async fn read_limited(stream: Option<impl AsyncRead + Unpin>, limit: u64) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(stream) = stream {
        let mut head = stream.take(limit);
        let _ = head.read_to_end(&mut out).await;
        let _ = tokio::io::copy(&mut head.into_inner(), &mut tokio::io::sink()).await;
    }
    out
}

fn describe_status(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "failed".to_string(),
    }
}

/// The program's standard error for a message: secrets masked first, then cut to
/// [`STDERR_SHOWN`] characters, then control characters escaped (so it stays one line).
fn stderr_excerpt(stderr: &[u8], secrets: &[String]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let masked = mask(text.trim_end(), secrets);
    if masked.is_empty() {
        return "(nothing on standard error)".to_string();
    }
    let mut shown: String = masked.chars().take(STDERR_SHOWN).collect();
    if shown.len() < masked.len() {
        shown.push('…');
    }
    escape_text(&shown).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_is_masked_cut_and_escaped() {
        let secrets = vec!["hunter2-planted".to_string()];
        let text = "bad password hunter2-planted\n\x1b[31mred";
        assert_eq!(
            stderr_excerpt(text.as_bytes(), &secrets),
            "bad password ***\\n\\x1b[31mred"
        );
        let long = "x".repeat(STDERR_SHOWN + 10);
        let shown = stderr_excerpt(long.as_bytes(), &[]);
        assert_eq!(shown.chars().count(), STDERR_SHOWN + 1);
        assert_eq!(stderr_excerpt(b"", &[]), "(nothing on standard error)");
    }

    #[test]
    fn config_from_toml_with_defaults() {
        let config: CommandRotatorConfig = toml::from_str(
            r#"program = "/opt/rotate.sh"
args = ["--db", "main"]"#,
        )
        .expect("parses");
        assert_eq!(config.timeout_secs, 60);
        assert_eq!(config.args, ["--db", "main"]);
        assert!(config.env.is_empty());
        CommandRotator::new(config).expect("valid");
        let with_env: CommandRotatorConfig =
            toml::from_str("program = \"x\"\nenv = [\"PGHOST\"]").expect("parses");
        assert_eq!(with_env.env, ["PGHOST"]);
        let err = CommandRotator::new(CommandRotatorConfig::new("x").with_env(["A=1"]))
            .expect_err("not a name");
        assert_eq!(err.kind(), RotationErrorKind::Config);
        let err = CommandRotator::new(CommandRotatorConfig::new("")).expect_err("empty");
        assert_eq!(err.kind(), RotationErrorKind::Config);
    }
}
