//! The demo's OpenBao dev server, with a file audit device declared in its configuration
//! (OpenBao refuses to create audit devices through the API unless told to).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup;

/// A `bao server -dev` process, killed on drop.
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

/// HCL for a file audit device `demo/` writing to `log`.
fn audit_config(log: &Path) -> String {
    let path = log
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
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

    /// Run the `bao` CLI against this server; returns stdout.
    pub(crate) fn bao(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(setup::bao_path())
            .args(args)
            .env("VAULT_ADDR", &self.addr)
            .env("BAO_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token)
            .env("BAO_TOKEN", &self.token)
            .stdin(Stdio::null())
            .output()
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

#[cfg(test)]
mod tests {
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
