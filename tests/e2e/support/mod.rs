//! Running `vaultkit` against a real OpenBao dev server, in a sealed-off environment: a temporary
//! `HOME` and `XDG_CONFIG_HOME`, no inherited `VAULT_*` variables, no colours.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use vault_testkit::OpenBao;

pub(crate) mod bin;
pub(crate) mod golden;

/// A dev server plus a private home directory.
pub(crate) struct World {
    pub bao: OpenBao,
    pub home: TempDir,
}

impl World {
    pub(crate) async fn new() -> World {
        let bao = OpenBao::dev().await;
        let home = tempfile::tempdir().expect("temp HOME");
        World { bao, home }
    }

    pub(crate) fn home(&self) -> &Path {
        self.home.path()
    }

    /// `vaultkit ARGS` with VAULT_ADDR and the root token.
    pub(crate) fn vk(&self, args: &[&str]) -> Cmd {
        Cmd::new(self.home(), args)
            .env("VAULT_ADDR", &self.bao.addr())
            .env("VAULT_TOKEN", &self.bao.root_token())
    }

    /// A server with a file audit device writing `HOME/audit.log` and KV traffic under
    /// `secret/app/`: `password` stored by `kv put` (from stdin), one read and one list; with
    /// `denied`, also a read refused to a `default`-policy token (exit 4). Returns the log's path.
    pub(crate) async fn audited(password: &str, denied: bool) -> (World, String) {
        let w = World::new().await;
        let log = w.home().join("audit.log");
        w.bao.enable_file_audit("file", &log).await;
        w.vk(&["kv", "put", "secret/app/db", "user=etl", "password=-"])
            .stdin(password)
            .run()
            .await
            .ok();
        w.vk(&["kv", "get", "secret/app/db"]).run().await.ok();
        w.vk(&["kv", "list", "secret/app"]).run().await.ok();
        if denied {
            Cmd::new(w.home(), &["kv", "get", "secret/app/db"])
                .env("VAULT_ADDR", &w.bao.addr())
                .env("VAULT_TOKEN", &w.bao.create_token(&["default"], "1h").await)
                .run()
                .await
                .code(4);
        }
        let path = log.to_str().expect("utf-8 path").to_string();
        (w, path)
    }

    /// `vaultkit ARGS` with VAULT_ADDR but no token.
    pub(crate) fn vk_anon(&self, args: &[&str]) -> Cmd {
        Cmd::new(self.home(), args).env("VAULT_ADDR", &self.bao.addr())
    }

    /// Put a KV v2 secret through the API (not through vaultkit).
    pub(crate) async fn seed(&self, path: &str, data: serde_json::Value) {
        let (mount, rest) = path.split_once('/').expect("mount/path");
        let (status, body) = self
            .bao
            .api(
                "POST",
                &format!("{mount}/data/{rest}"),
                Some(serde_json::json!({ "data": data })),
            )
            .await;
        assert_eq!(status, 200, "seed {path}: {body}");
    }
}

/// One invocation being prepared.
pub(crate) struct Cmd {
    args: Vec<String>,
    envs: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
    home: PathBuf,
    cwd: Option<PathBuf>,
}

/// What the process did.
#[derive(Debug)]
pub(crate) struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Assert the exit code, showing both streams when it differs.
    #[track_caller]
    pub(crate) fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub(crate) fn ok(&self) -> &Self {
        self.code(0)
    }

    /// The last stderr line is the one `error:` line (tables may come before it on stdout).
    #[track_caller]
    pub(crate) fn one_line_error_last(&self) -> &Self {
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "expected one error line, got:\n{}",
            self.stderr
        );
        assert!(
            self.stderr.trim_end().ends_with(errors[0]),
            "{}",
            self.stderr
        );
        self
    }

    /// stdout + stderr, for leak checks.
    pub(crate) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stderr is exactly one line starting with `error:`.
    #[track_caller]
    pub(crate) fn one_line_error(&self) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one error line, got:\n{}",
            self.stderr
        );
        assert!(lines[0].starts_with("error: "), "{}", self.stderr);
        assert!(
            !self.stderr.contains("VaultError {") && !self.stderr.contains("panicked"),
            "{}",
            self.stderr
        );
        self
    }
}

impl Cmd {
    pub(crate) fn new(home: &Path, args: &[&str]) -> Cmd {
        Cmd {
            args: args.iter().map(|s| s.to_string()).collect(),
            envs: Vec::new(),
            stdin: None,
            home: home.to_path_buf(),
            cwd: None,
        }
    }

    pub(crate) fn env(mut self, k: &str, v: &str) -> Cmd {
        self.envs.push((k.into(), v.into()));
        self
    }

    /// Run in `dir` instead of the test's working directory.
    pub(crate) fn current_dir(mut self, dir: &Path) -> Cmd {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    pub(crate) fn stdin(mut self, data: &str) -> Cmd {
        self.stdin = Some(data.as_bytes().to_vec());
        self
    }

    pub(crate) fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(bin::vaultkit());
        cmd.args(&self.args).env_clear();
        for keep in ["PATH", "LANG", "TMPDIR"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("NO_COLOR", "1");
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        cmd.kill_on_drop(true);
        cmd
    }

    pub(crate) async fn run(self) -> Out {
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn vaultkit");
        if let (Some(data), Some(mut pipe)) = (self.stdin, child.stdin.take()) {
            pipe.write_all(&data).await.expect("write stdin");
            drop(pipe);
        }
        let out = child.wait_with_output().await.expect("wait for vaultkit");
        Out {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
