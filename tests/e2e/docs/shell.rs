//! Running a doc's commands one after the other, each through `bash -c`, as a reader would type
//! them into one shell: variables (exported or not: the script runs under `set -a`) and the
//! working folder carry over from one command to the next. stdout and stderr are one stream,
//! stdin is empty, `pipefail` is on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;

/// How long one doc command may run before it counts as hung (a safety net, not a timing check).
const COMMAND_LIMIT: Duration = Duration::from_secs(180);

/// The shell state a doc's commands share.
pub(crate) struct Shell {
    scratch: TempDir,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

/// What one command did.
pub(crate) struct Ran {
    pub code: i32,
    pub output: String,
}

impl Shell {
    /// A fresh scratch folder (`work/` is the working folder, `home/` is `HOME`) and an
    /// environment with only `PATH` (`path_front` first), `LANG`, `TMPDIR` and `NO_COLOR`.
    pub(crate) fn new(path_front: &[&Path]) -> Shell {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let cwd = scratch.path().join("work");
        let home = scratch.path().join("home");
        for dir in [&cwd, &home] {
            std::fs::create_dir_all(dir).expect("create scratch folders");
        }
        let mut path: Vec<PathBuf> = path_front.iter().map(|p| p.to_path_buf()).collect();
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let mut env = BTreeMap::new();
        env.insert(
            "PATH".into(),
            std::env::join_paths(path)
                .expect("PATH")
                .to_string_lossy()
                .into_owned(),
        );
        env.insert("HOME".into(), home.display().to_string());
        env.insert("NO_COLOR".into(), "1".into());
        for keep in ["LANG", "TMPDIR"] {
            if let Ok(v) = std::env::var(keep) {
                env.insert(keep.into(), v);
            }
        }
        Shell { scratch, env, cwd }
    }

    /// The folder the commands start in.
    pub(crate) fn work_dir(&self) -> PathBuf {
        self.scratch.path().join("work")
    }

    pub(crate) fn set_env(&mut self, key: &str, value: &str) {
        self.env.insert(key.into(), value.into());
    }

    /// Write an input file (relative to the current working folder).
    pub(crate) fn write_file(&self, name: &str, content: &str) {
        let path = self.cwd.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create fixture folder");
        }
        std::fs::write(&path, content).expect("write fixture file");
    }

    /// Run one command; its environment and working folder become the next command's.
    pub(crate) async fn run(&mut self, command: &str) -> Ran {
        let state = self.scratch.path().join("state");
        let script = format!(
            "exec 2>&1 </dev/null\nset -a -o pipefail\n{command}\n__docs_rc=$?\n\
             env -0 > {state}.env; pwd > {state}.pwd\nexit $__docs_rc\n",
            state = shell_quote(&state.display().to_string()),
        );
        let mut cmd = tokio::process::Command::new("bash");
        cmd.arg("-c")
            .arg(&script)
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let _ = std::fs::remove_file(state.with_extension("env"));
        let child = cmd.spawn().expect("run bash");
        let out = tokio::time::timeout(COMMAND_LIMIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("`{command}` did not finish within {COMMAND_LIMIT:?}"))
            .expect("wait for bash");
        if let Ok(env) = std::fs::read(state.with_extension("env")) {
            self.env = String::from_utf8_lossy(&env)
                .split('\0')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| {
                    !k.starts_with("__docs") && !["_", "SHLVL", "PWD", "OLDPWD"].contains(k)
                })
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        }
        if let Ok(pwd) = std::fs::read_to_string(state.with_extension("pwd")) {
            self.cwd = PathBuf::from(pwd.trim_end_matches('\n'));
        }
        Ran {
            code: out.status.code().unwrap_or(-1),
            output: String::from_utf8_lossy(&out.stdout).into_owned(),
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
