//! Launching servers and waiting until they are ready.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::process::{ServerProcess, tail};
use super::{Mode, OpenBao, config};
use crate::binary::require_bao;
use crate::ports::free_port_pair;
use crate::tls::TestPki;

/// How long a server may take to answer its first health check.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a start that lost a port race is retried.
const START_ATTEMPTS: usize = 5;
/// What OpenBao prints once all its listeners are bound.
const STARTED_BANNER: &str = "server started";

/// One attempt's plan: command line, environment, address, and the files it needs.
struct Plan {
    args: Vec<String>,
    envs: Vec<(&'static str, String)>,
    addr: String,
    dir: Option<tempfile::TempDir>,
}

/// Why an attempt failed.
enum Failure {
    /// Lost a race for a port: try again with new ports.
    PortTaken,
    Fatal(String),
}

impl OpenBao {
    /// Starts `bao server -dev` on a free loopback port with a random root token.
    ///
    /// # Panics
    /// When `bao` is missing (the message names `cargo xtask setup`) or the server does not
    /// come up; the message carries the server log.
    pub async fn dev() -> OpenBao {
        let token = random_token();
        let client = plain_client();
        let (process, plan) = launch(
            &client,
            |status| status == 200,
            || {
                let dir = tempdir()?;
                let file = write_file(&dir, "dev.hcl", &config::dev_extra_config(None))?;
                let port = free_port_pair()?;
                let mut plan = dev_plan(port, &token, file);
                plan.dir = Some(dir);
                Ok(plan)
            },
        )
        .await;
        OpenBao::ready_dev(process, plan, token, client).await
    }

    /// Starts a dev server that also serves HTTPS with `pki`'s server certificate; `addr()`
    /// is the HTTPS address and the helpers trust `pki`'s CA.
    pub async fn dev_tls(pki: &TestPki) -> OpenBao {
        Self::dev_https(pki, false).await
    }

    /// Like [`OpenBao::dev_tls`], but the HTTPS listener demands a client certificate signed
    /// by `pki`'s CA (`tls_require_and_verify_client_cert = true`, `tls_client_ca_file` =
    /// the CA): mutual TLS. The helpers present `pki`'s client certificate.
    pub async fn dev_mtls(pki: &TestPki) -> OpenBao {
        Self::dev_https(pki, true).await
    }

    async fn dev_https(pki: &TestPki, mutual: bool) -> OpenBao {
        let token = random_token();
        let client = tls_client(pki, mutual);
        let client_ca = mutual.then(|| pki.ca_cert_path());
        let (process, plan) = launch(
            &client,
            |status| status == 200,
            || {
                let dir = tempdir()?;
                let tls_port = free_port_pair()?;
                let listener = config::tls_listener_config(
                    tls_port,
                    &pki.server_cert_path(),
                    &pki.server_key_path(),
                    client_ca.as_deref(),
                );
                let file = write_file(&dir, "dev.hcl", &config::dev_extra_config(Some(&listener)))?;
                let dev_port = free_port_pair()?;
                let mut plan = dev_plan(dev_port, &token, file);
                plan.addr = format!("https://127.0.0.1:{tls_port}");
                plan.dir = Some(dir);
                Ok(plan)
            },
        )
        .await;
        OpenBao::ready_dev(process, plan, token, client).await
    }

    async fn ready_dev(
        process: ServerProcess,
        plan: Plan,
        root_token: String,
        client: reqwest::Client,
    ) -> OpenBao {
        let mut bao = OpenBao {
            process,
            addr: plan.addr,
            root_token,
            unseal_key: None,
            client,
            mode: Mode::Dev,
            _dir: plan.dir,
        };
        bao.unseal_key = bao.dev_unseal_key().await;
        bao
    }

    /// Starts a Raft-backed server in a temp dir, initialises it with one key share,
    /// unseals it and waits until it is the active node.
    pub async fn raft() -> OpenBao {
        // The cluster port is bound only at unseal; should another process have taken it
        // meanwhile, OpenBao logs the error and a single node still becomes active.
        let bao = Self::initialised_raft().await;
        bao.unseal().await;
        bao
    }

    /// Starts a Raft server and initialises it (still sealed).
    async fn initialised_raft() -> OpenBao {
        let mut bao = Self::uninitialized().await;
        let (status, body) = bao
            .raw(
                None,
                None,
                "PUT",
                "sys/init",
                Some(json!({"secret_shares": 1, "secret_threshold": 1})),
            )
            .await;
        bao.check("initialise (sys/init)", status, &body);
        let key = body["keys_base64"][0]
            .as_str()
            .or_else(|| body["keys"][0].as_str());
        let (Some(key), Some(token)) = (key, body["root_token"].as_str()) else {
            bao.fail(
                "initialise (sys/init): no key or root token in the answer",
                status,
                &body,
            );
        };
        bao.unseal_key = Some(key.to_string());
        bao.root_token = token.to_string();
        bao.mode = Mode::Raft;
        bao
    }

    /// Starts a Raft-backed server and leaves it uninitialised (`sys/health` answers 501).
    /// `root_token()` is empty and `unseal_key()` is `None` until someone initialises it.
    pub async fn uninitialized() -> OpenBao {
        let client = plain_client();
        let (process, plan) = launch(
            &client,
            |status| status == 501,
            || {
                let dir = tempdir()?;
                let data = dir.path().join("raft");
                std::fs::create_dir(&data).map_err(|e| format!("mkdir {}: {e}", data.display()))?;
                let port = free_port_pair()?;
                let cluster_port = port.saturating_add(1);
                let file = dir.path().join("server.hcl");
                std::fs::write(&file, config::raft_config(&data, port, cluster_port))
                    .map_err(|e| format!("write {}: {e}", file.display()))?;
                Ok(Plan {
                    args: vec!["server".into(), format!("-config={}", file.display())],
                    envs: Vec::new(),
                    addr: format!("http://127.0.0.1:{port}"),
                    dir: Some(dir),
                })
            },
        )
        .await;
        OpenBao {
            process,
            addr: plan.addr,
            root_token: String::new(),
            unseal_key: None,
            client,
            mode: Mode::Uninitialized,
            _dir: plan.dir,
        }
    }

    /// Polls `sys/health` until `accept(status)` or the deadline; panics with the log then.
    pub(crate) async fn wait_for_health(&self, what: &str, accept: impl Fn(u16) -> bool) {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            match health_status(&self.client, &self.addr).await {
                Ok(status) if accept(status) => return,
                Ok(status) => last = format!("sys/health answered {status}"),
                Err(e) => last = e,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "OpenBao at {} did not become ready ({what}) within {START_TIMEOUT:?}; last: {last}\n--- server log (tail) ---\n{}",
            self.addr,
            self.log_tail(40)
        );
    }

    /// The dev server prints its unseal key on start-up.
    async fn dev_unseal_key(&self) -> Option<String> {
        for _ in 0..50 {
            let log = self.process.log();
            if let Some(line) = log
                .lines()
                .find(|l| l.trim_start().starts_with("Unseal Key:"))
            {
                return line.split_once(':').map(|(_, k)| k.trim().to_string());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

fn write_file(dir: &tempfile::TempDir, name: &str, text: &str) -> Result<PathBuf, String> {
    let file = dir.path().join(name);
    std::fs::write(&file, text).map_err(|e| format!("write {}: {e}", file.display()))?;
    Ok(file)
}

fn dev_plan(port: u16, token: &str, extra_config: PathBuf) -> Plan {
    let mut args = vec![
        "server".to_string(),
        "-dev".to_string(),
        "-dev-no-store-token".to_string(),
        format!("-dev-listen-address=127.0.0.1:{port}"),
    ];
    args.push(format!("-config={}", extra_config.display()));
    Plan {
        args,
        // The root token goes through the environment, not argv.
        envs: vec![("BAO_DEV_ROOT_TOKEN_ID", token.to_string())],
        addr: format!("http://127.0.0.1:{port}"),
        dir: None,
    }
}

/// Starts a server from `plan` (retrying lost port races) and waits until `sys/health`
/// answers with a status `ready` accepts.
async fn launch(
    client: &reqwest::Client,
    ready: impl Fn(u16) -> bool,
    plan: impl Fn() -> Result<Plan, String>,
) -> (ServerProcess, Plan) {
    let bao = require_bao();
    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        let plan = plan().unwrap_or_else(|e| panic!("preparing an OpenBao server failed: {e}"));
        let envs: Vec<(&str, &str)> = plan.envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut process = ServerProcess::spawn(&bao, &plan.args, &envs).unwrap_or_else(|e| {
            panic!("{e}. Is the binary intact? `cargo xtask setup` reinstalls it")
        });
        match wait_ready(&mut process, client, &plan.addr, &ready).await {
            Ok(()) => return (process, plan),
            Err(Failure::PortTaken) => last_error = redacted_log(&process, &plan),
            Err(Failure::Fatal(why)) => panic!(
                "OpenBao ({} {}) did not start: {why}\n--- server log (tail) ---\n{}",
                bao.display(),
                plan.args.join(" "),
                tail(&redacted_log(&process, &plan), 40)
            ),
        }
    }
    panic!(
        "OpenBao could not bind a free port after {START_ATTEMPTS} attempts\n--- last server log (tail) ---\n{}",
        tail(&last_error, 40)
    );
}

/// The log without the secrets passed through the environment (the dev root token).
fn redacted_log(process: &ServerProcess, plan: &Plan) -> String {
    let secrets: Vec<&str> = plan.envs.iter().map(|(_, v)| v.as_str()).collect();
    let log = super::redact::redact_text(&process.log(), &secrets);
    // The dev banner also prints the unseal key.
    log.lines()
        .map(|line| match line.split_once("Unseal Key:") {
            Some((head, _)) => format!("{head}Unseal Key: {}", super::redact::REDACTED),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn wait_ready(
    process: &mut ServerProcess,
    client: &reqwest::Client,
    addr: &str,
    ready: &impl Fn(u16) -> bool,
) -> Result<(), Failure> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last = String::from("no answer yet");
    while Instant::now() < deadline {
        if let Some(status) = process.exited() {
            // Give the log readers a moment to drain the pipes.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return if process.log().contains("address already in use") {
                Err(Failure::PortTaken)
            } else {
                Err(Failure::Fatal(format!("the process exited with {status}")))
            };
        }
        match health_status(client, addr).await {
            // Another process may hold the port we lost (a test's server started a moment
            // earlier): its answer is not ours. OpenBao prints its banner only once every
            // listener is bound, so an answer counts only after our process printed it.
            Ok(status) if ready(status) && process.log().contains(STARTED_BANNER) => {
                return Ok(());
            }
            Ok(status) => last = format!("sys/health answered {status}"),
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(Failure::Fatal(format!(
        "not ready within {START_TIMEOUT:?}; last: {last}"
    )))
}

async fn health_status(client: &reqwest::Client, addr: &str) -> Result<u16, String> {
    let url = format!("{addr}/v1/sys/health");
    client
        .get(&url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("GET {url}: {e}"))
}

fn random_token() -> String {
    let suffix: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("testroot-{suffix}")
}

fn tempdir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("vault-testkit-")
        .tempdir()
        .map_err(|e| format!("create a temp dir: {e}"))
}

/// A client for plain-HTTP loopback servers (no proxy, no redirects).
pub(crate) fn plain_client() -> reqwest::Client {
    base_builder()
        .build()
        .unwrap_or_else(|e| panic!("building an HTTP client failed: {e}"))
}

fn tls_client(pki: &TestPki, with_identity: bool) -> reqwest::Client {
    let read = |path: std::path::PathBuf| {
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    };
    let ca = reqwest::Certificate::from_pem(&read(pki.ca_cert_path()))
        .unwrap_or_else(|e| panic!("parse test CA: {e}"));
    let mut builder = base_builder().tls_certs_only([ca]);
    if with_identity {
        let mut pem = read(pki.client_cert_path());
        pem.extend(read(pki.client_key_path()));
        let identity = reqwest::Identity::from_pem(&pem)
            .unwrap_or_else(|e| panic!("parse test client certificate: {e}"));
        builder = builder.identity(identity);
    }
    builder
        .build()
        .unwrap_or_else(|e| panic!("building an HTTPS client failed: {e}"))
}

fn base_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
}

/// Vault's `errors` array, if the body has one; otherwise the body with credential-like
/// values redacted.
pub(crate) fn errors_of(body: &Value) -> String {
    match body.get("errors") {
        Some(errors) => errors.to_string(),
        None => super::redact::redact_json(body).to_string(),
    }
}
