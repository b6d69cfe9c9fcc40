//! Running the `vaultkit` binary for the demo, and printing steps — styled only on a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether to print ANSI styles: stdout is a terminal and NO_COLOR is not set.
pub(crate) fn styled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `text` in ANSI style `code` when `styled`, else as it is.
pub(crate) fn paint(styled: bool, code: &str, text: &str) -> String {
    if styled {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// A step heading.
pub(crate) fn step(title: &str) {
    println!("\n{}", paint(styled(), "1", &format!("==> {title}")));
}

/// Runs the `vaultkit` binary against the demo server, in a private HOME, echoing the command.
pub(crate) struct Vaultkit {
    pub bin: PathBuf,
    pub addr: String,
    pub home: PathBuf,
}

/// What a run printed and how it ended.
pub(crate) struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
}

impl Vaultkit {
    /// `vaultkit ARGS` with `token` (if any) in VAULT_TOKEN and `stdin` piped in; prints the
    /// command line and its output indented, returns stdout. Fails unless it exits 0.
    pub(crate) fn run(
        &self,
        args: &[&str],
        token: Option<&str>,
        stdin: Option<&str>,
    ) -> Result<String, String> {
        let ran = self.run_any(args, token, stdin)?;
        if ran.code == Some(0) {
            Ok(ran.stdout)
        } else {
            Err(format!(
                "`vaultkit {}` failed with exit code {:?}",
                args.join(" "),
                ran.code
            ))
        }
    }

    /// Like [`Vaultkit::run`], but the exit code must be `expected`.
    pub(crate) fn run_expecting(
        &self,
        expected: i32,
        args: &[&str],
        token: Option<&str>,
    ) -> Result<String, String> {
        let ran = self.run_any(args, token, None)?;
        if ran.code == Some(expected) {
            Ok(ran.stdout)
        } else {
            Err(format!(
                "`vaultkit {}` exited with {:?}, expected {expected}",
                args.join(" "),
                ran.code
            ))
        }
    }

    /// Like [`Vaultkit::run`] with extra environment variables (e.g. a passphrase named by
    /// `--passphrase-env`); their values are not echoed.
    pub(crate) fn run_with_env(
        &self,
        args: &[&str],
        token: Option<&str>,
        env: &[(&str, &str)],
    ) -> Result<String, String> {
        let ran = self.run_env(args, token, None, env)?;
        if ran.code == Some(0) {
            Ok(ran.stdout)
        } else {
            Err(format!(
                "`vaultkit {}` failed with exit code {:?}",
                args.join(" "),
                ran.code
            ))
        }
    }

    fn run_any(
        &self,
        args: &[&str],
        token: Option<&str>,
        stdin: Option<&str>,
    ) -> Result<Ran, String> {
        self.run_env(args, token, stdin, &[])
    }

    fn run_env(
        &self,
        args: &[&str],
        token: Option<&str>,
        stdin: Option<&str>,
        env: &[(&str, &str)],
    ) -> Result<Ran, String> {
        let line = format!(
            "$ vaultkit {}{}",
            args.join(" "),
            if stdin.is_some() {
                "   (value on stdin)"
            } else {
                ""
            }
        );
        println!("{}", paint(styled(), "2", &line));
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .env("VAULT_ADDR", &self.addr)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env_remove("VAULT_TOKEN")
            .env_remove("VAULT_FORMAT")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !styled() {
            cmd.env("NO_COLOR", "1");
        }
        if let Some(t) = token {
            cmd.env("VAULT_TOKEN", t);
        }
        cmd.envs(env.iter().copied());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not run {}: {e}", self.bin.display()))?;
        if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(data.as_bytes())
                .map_err(|e| format!("could not write to vaultkit's stdin: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        for line in stdout
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
        {
            println!("    {line}");
        }
        Ok(Ran {
            code: out.status.code(),
            stdout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_escape_codes_unless_styled() {
        assert_eq!(paint(false, "1", "==> step"), "==> step");
        assert_eq!(paint(true, "1", "x"), "\x1b[1mx\x1b[0m");
    }
}
