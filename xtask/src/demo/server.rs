//! The demo's OpenBao servers: a dev server with a file audit device declared in its
//! configuration (OpenBao refuses to create audit devices through the API unless told to), and
//! a single-node Raft server (what snapshots need), initialised with one key share.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup;

/// A `bao server` process (dev or Raft), killed on drop.
pub(crate) struct DevServer {
    child: Child,
    pub addr: String,
    pub token: String,
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `path` inside an HCL string (backslashes and quotes escaped).
fn hcl_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// HCL for a file audit device `demo/` writing to `log`.
fn audit_config(log: &Path) -> String {
    let path = hcl_path(log);
    format!(
        "audit \"file\" \"demo\" {{\n  description = \"vaultkit demo\"\n  options {{\n    file_path = \"{path}\"\n  }}\n}}\n"
    )
}

impl DevServer {
    /// Start a dev server whose file audit device writes every request and response to
    /// `audit_log` (configuration written next to it as `bao-demo.hcl`).
    pub(crate) fn start(audit_log: &Path) -> Result<DevServer, String> {
        let bao = setup::bao_path();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let config = audit_log.with_file_name("bao-demo.hcl");
        std::fs::write(&config, audit_config(audit_log))
            .map_err(|e| format!("could not write {}: {e}", config.display()))?;
        let token = format!("demo-root-{}", std::process::id());
        let child = Command::new(&bao)
            .args([
                "server",
                "-dev",
                &format!("-dev-root-token-id={token}"),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
                &format!("-config={}", config.display()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not start {} (run `cargo xtask setup`): {e}",
                    bao.display()
                )
            })?;
        let server = DevServer {
            child,
            addr: format!("http://127.0.0.1:{port}"),
            token,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if server.bao(&["status"]).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("OpenBao dev server did not become ready within 30 s".to_string())
    }

    /// Start a single-node Raft server with its data under `dir`, initialise it with one key
    /// share (kept in memory only), unseal it, and enable KV v2 at `secret/`.
    pub(crate) fn raft(dir: &Path) -> Result<DevServer, String> {
        let free = || {
            TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| format!("no free port: {e}"))
        };
        let (port, cluster) = (free()?, free()?);
        let data = dir.join("raft");
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("could not create {}: {e}", data.display()))?;
        let config = dir.join("bao-raft.hcl");
        std::fs::write(
            &config,
            format!(
                "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"demo\"\n}}\n\
                 listener \"tcp\" {{\n  address = \"127.0.0.1:{port}\"\n  \
                 cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
                 api_addr = \"http://127.0.0.1:{port}\"\ncluster_addr = \"https://127.0.0.1:{cluster}\"\n\
                 disable_mlock = true\n",
                hcl_path(&data)
            ),
        )
        .map_err(|e| format!("could not write {}: {e}", config.display()))?;
        let bao = setup::bao_path();
        let child = Command::new(&bao)
            .args(["server", &format!("-config={}", config.display())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not start {} (run `cargo xtask setup`): {e}",
                    bao.display()
                )
            })?;
        let mut server = DevServer {
            child,
            addr: format!("http://127.0.0.1:{port}"),
            token: String::new(),
        };
        // `bao status` exits 2 while sealed, 0 when active, 1 when unreachable.
        server.wait_status(&[2])?;
        let init = server.bao(&[
            "operator",
            "init",
            "-key-shares=1",
            "-key-threshold=1",
            "-format=json",
        ])?;
        let (Some(key), Some(token)) = (
            json_first_string(&init, "unseal_keys_b64"),
            json_first_string(&init, "root_token"),
        ) else {
            return Err("`bao operator init` printed no unseal key or root token".to_string());
        };
        server.token = token;
        server.bao_stdin(&["write", "sys/unseal", "key=-"], &key)?;
        server.wait_status(&[0])?;
        server.bao(&["secrets", "enable", "-path=secret", "kv-v2"])?;
        Ok(server)
    }

    /// Waits up to 30 s for `bao status` to exit with one of `codes`.
    fn wait_status(&self, codes: &[i32]) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let code = Command::new(setup::bao_path())
                .arg("status")
                .env("BAO_ADDR", &self.addr)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .ok()
                .and_then(|s| s.code());
            if code.is_some_and(|c| codes.contains(&c)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "OpenBao at {} did not reach `bao status` {codes:?} within 30 s",
            self.addr
        ))
    }

    /// Run the `bao` CLI against this server; returns stdout.
    pub(crate) fn bao(&self, args: &[&str]) -> Result<String, String> {
        self.bao_stdin(args, "")
    }

    /// Run the `bao` CLI against this server with `input` on stdin (values given as `-`).
    pub(crate) fn bao_stdin(&self, args: &[&str], input: &str) -> Result<String, String> {
        use std::io::Write;
        let mut child = Command::new(setup::bao_path())
            .args(args)
            .env("VAULT_ADDR", &self.addr)
            .env("BAO_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token)
            .env("BAO_TOKEN", &self.token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("bao {}: {e}", args.join(" ")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(input.as_bytes())
                .map_err(|e| format!("bao {}: {e}", args.join(" ")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("bao {}: {e}", args.join(" ")))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!(
                "bao {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

/// The first string of `"name": "x"` or `"name": ["x", …]` in JSON text (xtask has no JSON
/// parser; `bao` prints these values without escapes).
fn json_first_string(json: &str, name: &str) -> Option<String> {
    let rest = &json[json.find(&format!("\"{name}\""))? + name.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('[').map(str::trim_start).unwrap_or(rest);
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_strings_of_init_output() {
        let init =
            "{\n  \"unseal_keys_b64\": [\n    \"a2V5\"\n  ],\n  \"root_token\": \"s.tok\"\n}";
        assert_eq!(
            super::json_first_string(init, "unseal_keys_b64").as_deref(),
            Some("a2V5")
        );
        assert_eq!(
            super::json_first_string(init, "root_token").as_deref(),
            Some("s.tok")
        );
        assert_eq!(super::json_first_string(init, "missing"), None);
    }

    use super::*;

    #[test]
    fn audit_stanza_quotes_the_path() {
        let hcl = audit_config(Path::new("/tmp/a \"b\"/audit.log"));
        assert!(
            hcl.contains(r#"file_path = "/tmp/a \"b\"/audit.log""#),
            "{hcl}"
        );
        assert!(hcl.starts_with("audit \"file\" \"demo\" {"));
    }
}
