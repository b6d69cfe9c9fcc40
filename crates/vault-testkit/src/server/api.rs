//! Raw API calls and the set-up helpers tests use (AppRole, policies, tokens, mounts, audit,
//! namespaces, seal/unseal).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::OpenBao;
use super::start::errors_of;

/// How long an unsealed server may take to become the active node.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(60);

impl OpenBao {
    /// A raw API call with the root token: `method` is an HTTP method or `LIST`, `path` is
    /// relative to `/v1/`. Returns the status and the JSON body (`Value::Null` when empty,
    /// a JSON string when the body is not JSON).
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.root_token.clone();
        self.raw(Some(&token), None, method, path, body).await
    }

    /// Like [`OpenBao::api`] with another token.
    pub async fn api_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.raw(Some(token), None, method, path, body).await
    }

    /// Like [`OpenBao::api`] inside namespace `namespace` (sends `X-Vault-Namespace`).
    pub async fn api_in(
        &self,
        namespace: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.root_token.clone();
        self.raw(Some(&token), Some(namespace), method, path, body)
            .await
    }

    /// Enables AppRole at `auth/approle` (unless already enabled), creates `role` with
    /// `policies` and `token_ttl` (max TTL 24h, renewable), and returns
    /// `(role_id, secret_id)`.
    pub async fn enable_approle(
        &self,
        role: &str,
        policies: &[&str],
        token_ttl: &str,
    ) -> (String, String) {
        let (status, auths) = self.api("GET", "sys/auth", None).await;
        self.check("list auth methods", status, &auths);
        let enabled = auths.get("approle/").is_some() || auths["data"].get("approle/").is_some();
        if !enabled {
            self.ok(
                "enable AppRole",
                "POST",
                "sys/auth/approle",
                Some(json!({"type": "approle"})),
            )
            .await;
        }
        let role_path = format!("auth/approle/role/{role}");
        self.ok(
            "create the AppRole role",
            "POST",
            &role_path,
            Some(json!({
                "token_policies": policies,
                "token_ttl": token_ttl,
                "token_max_ttl": "24h",
                "secret_id_ttl": "0",
            })),
        )
        .await;
        let role_id = format!("{role_path}/role-id");
        let role_id = self
            .ok_string("read the role_id", "GET", &role_id, None, "/data/role_id")
            .await;
        let secret_id = format!("{role_path}/secret-id");
        let secret_id = self
            .ok_string(
                "create a secret_id",
                "POST",
                &secret_id,
                None,
                "/data/secret_id",
            )
            .await;
        (role_id, secret_id)
    }

    /// Writes ACL policy `name` with the HCL text `hcl`.
    pub async fn write_policy(&self, name: &str, hcl: &str) {
        self.ok(
            "write a policy",
            "PUT",
            &format!("sys/policies/acl/{name}"),
            Some(json!({"policy": hcl})),
        )
        .await;
    }

    /// Creates a renewable token with `policies` and `ttl` (e.g. `"30s"`), returns it.
    pub async fn create_token(&self, policies: &[&str], ttl: &str) -> String {
        let request = json!({"policies": policies, "ttl": ttl, "renewable": true});
        let path = "auth/token/create";
        self.ok_string(
            "create a token",
            "POST",
            path,
            Some(request),
            "/auth/client_token",
        )
        .await
    }

    /// Enables a file audit device at `device_path` writing to `file`.
    pub async fn enable_file_audit(&self, device_path: &str, file: &Path) {
        let file_path = file.display().to_string();
        self.ok(
            "enable a file audit device",
            "PUT",
            &format!("sys/audit/{device_path}"),
            Some(json!({"type": "file", "options": {"file_path": file_path}})),
        )
        .await;
    }

    /// Enables a KV version 1 mount at `mount`.
    pub async fn enable_kv_v1(&self, mount: &str) {
        self.enable_kv(mount, "1").await;
    }

    /// Enables a KV version 2 mount at `mount` and waits until it accepts requests.
    pub async fn enable_kv_v2(&self, mount: &str) {
        self.enable_kv(mount, "2").await;
        // A fresh v2 mount upgrades its storage in the background for a moment.
        let config = format!("{}/config", mount.trim_end_matches('/'));
        for _ in 0..100 {
            if self.api("GET", &config, None).await.0 == 200 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (status, body) = self.api("GET", &config, None).await;
        self.fail("wait for the KV v2 mount to be ready", status, &body);
    }

    /// Creates namespace `name` (a path such as `team-a` or `team-a/app`: the parent part is
    /// sent as the `X-Vault-Namespace` header).
    pub async fn create_namespace(&self, name: &str) {
        let name = name.trim_matches('/');
        let (status, body) = match name.rsplit_once('/') {
            Some((parent, child)) => {
                self.api_in(
                    parent,
                    "POST",
                    &format!("sys/namespaces/{child}"),
                    Some(json!({})),
                )
                .await
            }
            None => {
                self.api("POST", &format!("sys/namespaces/{name}"), Some(json!({})))
                    .await
            }
        };
        self.check("create a namespace", status, &body);
    }

    /// Seals the server and waits until `sys/health` reports it sealed (503).
    pub async fn seal(&self) {
        self.ok("seal", "PUT", "sys/seal", None).await;
        self.wait_for_health("sealed", |status| status == 503).await;
    }

    /// Unseals the server with its key and waits until it is active again (`sys/health`
    /// 200; Raft leader election takes a few seconds).
    pub async fn unseal(&self) {
        let Some(key) = self.unseal_key.clone() else {
            panic!(
                "unseal: this server has no unseal key (mode {:?})",
                self.mode
            );
        };
        let (status, body) = self
            .raw(None, None, "PUT", "sys/unseal", Some(json!({"key": key})))
            .await;
        self.check("unseal", status, &body);
        if body["sealed"] != Value::Bool(false) {
            self.fail(
                "unseal: the server is still sealed after the key share",
                status,
                &body,
            );
        }
        self.wait_for_health("active after unseal", |status| status == 200)
            .await;
        // The token store answers only once the node has finished becoming active.
        let started = Instant::now();
        while started.elapsed() < ACTIVE_TIMEOUT {
            if self.api("GET", "auth/token/lookup-self", None).await.0 == 200 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (status, body) = self.api("GET", "auth/token/lookup-self", None).await;
        self.fail("wait for the token store after unsealing", status, &body);
    }

    /// The underlying call: optional token and namespace, any method (incl. `LIST`).
    pub(crate) async fn raw(
        &self,
        token: Option<&str>,
        namespace: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method_value = reqwest::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{method:?} is not an HTTP method: {e}"));
        let url = format!("{}/v1/{}", self.addr, path.trim_start_matches('/'));
        let mut request = self.client.request(method_value, &url);
        if let Some(token) = token {
            request = request.header("X-Vault-Token", token);
        }
        if let Some(namespace) = namespace {
            request = request.header("X-Vault-Namespace", namespace);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => panic!(
                "{method} {url} failed: {e}\n--- server log (tail) ---\n{}",
                self.log_tail(40)
            ),
        };
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => panic!(
                "{method} {url}: reading the body failed: {e}\n--- server log (tail) ---\n{}",
                self.log_tail(40)
            ),
        };
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, value)
    }

    /// A root-token call that must succeed (2xx); returns the body.
    async fn ok(&self, what: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.api(method, path, body).await;
        self.check(&format!("{what} ({method} {path})"), status, &answer);
        answer
    }

    pub(crate) fn check(&self, what: &str, status: u16, body: &Value) {
        if !(200..300).contains(&status) {
            self.fail(what, status, body);
        }
    }

    pub(crate) fn fail(&self, what: &str, status: u16, body: &Value) -> ! {
        panic!(
            "OpenBao at {}: {what} failed with HTTP {status}: {}\n--- server log (tail) ---\n{}",
            self.addr,
            errors_of(body),
            self.log_tail(40)
        )
    }

    /// Mounts the KV engine of `version` (`"1"` or `"2"`) at `mount`.
    async fn enable_kv(&self, mount: &str, version: &str) {
        self.ok(
            &format!("enable a KV v{version} mount"),
            "POST",
            &format!("sys/mounts/{mount}"),
            Some(json!({"type": "kv", "options": {"version": version}})),
        )
        .await;
    }

    /// [`ok`](Self::ok), then the string at JSON `pointer` of the answer.
    async fn ok_string(
        &self,
        what: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        pointer: &str,
    ) -> String {
        let answer = self.ok(what, method, path, body).await;
        match answer.pointer(pointer).and_then(Value::as_str) {
            Some(s) => s.to_string(),
            None => self.fail(&format!("{what}: no {pointer} in the answer"), 200, &answer),
        }
    }
}
