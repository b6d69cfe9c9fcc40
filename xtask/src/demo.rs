//! `cargo xtask demo`: a short guided tour of the `vaultkit` binary against a real OpenBao dev
//! server: store the bike-data-flow pipeline's database secret and API keys, read them back, show
//! the tree, give the pipeline a policy and an AppRole, and run it with `exec`.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{setup, util};

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

impl DevServer {
    pub(crate) fn start() -> Result<DevServer, String> {
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

fn step(title: &str) {
    println!("\n\x1b[1m==> {title}\x1b[0m");
}

/// Runs the `vaultkit` binary against the demo server, in a private HOME, echoing the command.
struct Vaultkit {
    bin: PathBuf,
    addr: String,
    home: PathBuf,
}

impl Vaultkit {
    /// `vaultkit ARGS` with `token` (if any) in VAULT_TOKEN and `stdin` piped in; prints the
    /// command line and its output indented, returns stdout.
    fn run(
        &self,
        args: &[&str],
        token: Option<&str>,
        stdin: Option<&str>,
    ) -> Result<String, String> {
        println!(
            "\x1b[2m$ vaultkit {}{}\x1b[0m",
            args.join(" "),
            if stdin.is_some() {
                "   (value on stdin)"
            } else {
                ""
            }
        );
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
        if let Some(t) = token {
            cmd.env("VAULT_TOKEN", t);
        }
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
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!(
                "`vaultkit {}` failed with {}",
                args.join(" "),
                out.status
            ))
        }
    }
}

pub(crate) fn run() -> Result<(), String> {
    let root = util::workspace_root();
    step("Building the vaultkit binary");
    util::cargo(
        &root,
        &["build", "--workspace", "--bin", "vaultkit", "--quiet"],
    )?;
    let bin = util::target_dir().join("debug/vaultkit");

    step("Starting a local OpenBao dev server (what `vaultkit dev` does for you)");
    let server = DevServer::start()?;
    let home = std::env::temp_dir().join(format!("vaultkit-demo-{}", std::process::id()));
    std::fs::create_dir_all(&home)
        .map_err(|e| format!("could not create {}: {e}", home.display()))?;
    let _cleanup = RemoveOnDrop(home.clone());
    let vk = Vaultkit {
        bin,
        addr: server.addr.clone(),
        home,
    };
    let root_token = Some(server.token.as_str());
    vk.run(&["status"], None, None)?;

    step(
        "Storing the bike-data-flow pipeline's secrets (values from stdin, never on the command line)",
    );
    vk.run(
        &[
            "kv",
            "put",
            "-mount=secret",
            "bike-data-flow/production/database",
            "host=db.example.com",
            "port=5432",
            "username=db_user",
            "database=bike_data",
            "password=-",
        ],
        root_token,
        Some("demo-Pg-pass-4711"),
    )?;
    vk.run(
        &[
            "kv",
            "put",
            "secret/bike-data-flow/production/api-keys",
            "-",
        ],
        root_token,
        Some(r#"{"openweather": "demo-ow-8f3a9c", "citibike": "demo-cb-21d7e0"}"#),
    )?;

    step("Reading them back: a table, one raw field, JSON for scripts");
    vk.run(
        &["kv", "get", "secret/bike-data-flow/production/database"],
        root_token,
        None,
    )?;
    vk.run(
        &[
            "kv",
            "get",
            "-field=host",
            "secret/bike-data-flow/production/database",
        ],
        root_token,
        None,
    )?;
    vk.run(
        &[
            "kv",
            "get",
            "--format",
            "json",
            "secret/bike-data-flow/production/api-keys",
        ],
        root_token,
        None,
    )?;

    step("The whole mount as a tree (values masked unless --reveal)");
    vk.run(&["kv", "tree", "secret"], root_token, None)?;

    step("A read-only policy for the pipeline, written from TOML, and an AppRole that uses it");
    let policy = vk.home.join("bike-pipeline.toml");
    std::fs::write(
        &policy,
        "name = \"bike-pipeline\"\n\n[[rules]]\npath = \"secret/data/bike-data-flow/*\"\ncapabilities = [\"read\", \"list\"]\n\
         description = \"the pipeline reads its own secrets\"\n",
    )
    .map_err(|e| format!("could not write {}: {e}", policy.display()))?;
    let policy = policy.to_string_lossy().into_owned();
    vk.run(&["policy", "render", &policy], None, None)?;
    vk.run(
        &["policy", "write", "bike-pipeline", &policy],
        root_token,
        None,
    )?;
    server.bao(&["auth", "enable", "approle"])?;
    server.bao(&[
        "write",
        "auth/approle/role/bike-pipeline",
        "token_policies=bike-pipeline",
        "token_ttl=1h",
    ])?;
    let role_id = server.bao(&[
        "read",
        "-field=role_id",
        "auth/approle/role/bike-pipeline/role-id",
    ])?;
    let secret_id = server.bao(&[
        "write",
        "-f",
        "-field=secret_id",
        "auth/approle/role/bike-pipeline/secret-id",
    ])?;

    step(
        "The pipeline logs in with AppRole (secret id on stdin) and stores its token in ~/.vault-token",
    );
    vk.run(
        &[
            "login",
            "--method",
            "approle",
            "--role-id",
            &role_id,
            "--secret-id-file",
            "-",
            "--store",
        ],
        None,
        Some(&secret_id),
    )?;

    step("Running the pipeline with its secrets in the environment only (no argv, no files)");
    vk.run(
        &["exec", "-s", "DB_PASSWORD=secret/bike-data-flow/production/database#password",
          "-s", "OPENWEATHER_API_KEY=secret/bike-data-flow/production/api-keys#openweather", "--",
          "sh", "-c", "echo \"pipeline: DB_PASSWORD has ${#DB_PASSWORD} characters, OPENWEATHER_API_KEY starts with ${OPENWEATHER_API_KEY%%-*}\""],
        None,
        None,
    )?;
    step("...and the same token may not read anything else (exit code 4: permission denied)");
    match vk.run(&["policy", "list"], None, None) {
        Err(_) => println!("    (refused, as it should be)"),
        Ok(_) => {
            return Err("the pipeline's token could list policies; the policy is too broad".into());
        }
    }

    println!(
        "\nDone. Try it yourself: `vaultkit dev` in one shell, then `vaultkit --help`. The dev server stops now."
    );
    Ok(())
}

/// Removes the demo's temporary HOME when the tour ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
