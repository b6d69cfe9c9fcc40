//! `cargo xtask demo`: a short guided tour of vaultkit against a real OpenBao dev server.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{setup, util};

/// A `bao server -dev` process, killed on drop.
pub struct DevServer {
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

impl DevServer {
    pub fn start() -> Result<DevServer, String> {
        let bao = setup::bao_path();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let token = format!("demo-root-{}", std::process::id());
        let child = Command::new(&bao)
            .args([
                "server",
                "-dev",
                &format!("-dev-root-token-id={token}"),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {} (run `cargo xtask setup`): {e}", bao.display()))?;
        let server = DevServer { child, addr: format!("http://127.0.0.1:{port}"), token };
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
    pub fn bao(&self, args: &[&str]) -> Result<String, String> {
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
            Err(format!("bao {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
        }
    }
}

fn step(title: &str) {
    println!("\n\x1b[1m==> {title}\x1b[0m");
}

pub fn run() -> Result<(), String> {
    let root = util::workspace_root();
    step("Building the demo programs");
    util::cargo(&root, &["build", "--workspace", "--examples", "--quiet"])?;

    step("Starting a local OpenBao dev server");
    let server = DevServer::start()?;
    println!("OpenBao dev server at {}", server.addr);

    step("Creating an AppRole `demo-pipeline` for the pipeline (bao CLI, as the operator would)");
    server.bao(&["auth", "enable", "approle"])?;
    server.bao(&["policy", "write", "demo-pipeline", "-"]).or_else(|_| {
        // `policy write NAME -` needs stdin; write the policy through the API instead.
        server.bao(&[
            "write",
            "sys/policies/acl/demo-pipeline",
            "policy=path \"secret/data/bike-data-flow/*\" { capabilities = [\"read\", \"list\"] }",
        ])
    })?;
    server.bao(&["write", "auth/approle/role/demo-pipeline", "token_policies=demo-pipeline", "token_ttl=1h"])?;
    let role_id = server.bao(&["read", "-field=role_id", "auth/approle/role/demo-pipeline/role-id"])?;
    let secret_id = server.bao(&["write", "-f", "-field=secret_id", "auth/approle/role/demo-pipeline/secret-id"])?;
    println!("role_id = {role_id}  (secret_id kept out of the terminal)");

    step("Logging in with AppRole through vault-core and reading the server's health");
    let example = util::target_dir().join("debug/examples/approle_health");
    run_example(&example, &server, &role_id, &secret_id)?;

    println!("\nDone. The dev server stops now.");
    Ok(())
}

fn run_example(example: &Path, server: &DevServer, role_id: &str, secret_id: &str) -> Result<(), String> {
    let mut child = Command::new(example)
        .env("VAULT_ADDR", &server.addr)
        .env("VAULT_ROLE_ID", role_id)
        .env("VAULT_SECRET_ID", secret_id)
        .env_remove("VAULT_TOKEN")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run {}: {e}", example.display()))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("  {line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() { Ok(()) } else { Err(format!("{} failed with {status}", example.display())) }
}
