//! Shared helpers for the client tests.

use std::sync::Arc;
use std::time::Duration;

use vault_core::{AppRoleAuth, RetryPolicy, VaultClient};
use vault_testkit::OpenBao;

/// Retries with short waits, so fault tests run quickly.
pub(crate) fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

/// A client with the server's root token.
pub(crate) fn root_client(bao: &OpenBao) -> VaultClient {
    VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .with_retry(fast_retry(3))
        .build()
        .expect("root client")
}

/// A policy allowing everything under `secret/` (KV v2 at the dev server's `secret/` mount).
pub(crate) const SECRET_RW: &str =
    r#"path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }"#;

/// AppRole `role` with read/write on `secret/*` and the given token TTL; returns a client.
pub(crate) async fn approle_client(bao: &OpenBao, role: &str, token_ttl: &str) -> VaultClient {
    bao.write_policy("secret-rw", SECRET_RW).await;
    let (role_id, secret_id) = bao.enable_approle(role, &["secret-rw"], token_ttl).await;
    VaultClient::builder()
        .with_address(bao.addr())
        .with_auth(Arc::new(AppRoleAuth::new(role_id, secret_id)))
        .with_retry(fast_retry(3))
        .build()
        .expect("approle client")
}

/// The accessor of the (single) token issued by `login_path`, found with the root token.
pub(crate) async fn accessor_of_login(bao: &OpenBao, login_path: &str) -> String {
    let (status, body) = bao.api("LIST", "auth/token/accessors", None).await;
    assert_eq!(status, 200, "list accessors: {body}");
    let accessors = body["data"]["keys"].as_array().cloned().unwrap_or_default();
    for a in accessors {
        let Some(a) = a.as_str() else { continue };
        let (status, info) = bao
            .api(
                "POST",
                "auth/token/lookup-accessor",
                Some(serde_json::json!({ "accessor": a })),
            )
            .await;
        if status == 200 && info["data"]["path"] == login_path {
            return a.to_string();
        }
    }
    panic!(
        "no token issued by {login_path} found; server log:\n{}",
        bao.log()
    );
}

/// Reads `path` (which must exist) over and over until `done(stats)` holds, and returns the
/// stats then. Every read must succeed: a token that expired between renewals would show up
/// as a failed read (token-only client) or as an extra login. Waits on the client's counters,
/// not on a sleep sized for an idle machine; the deadline only ends a hung test.
pub(crate) async fn read_until(
    client: &VaultClient,
    path: &str,
    what: &str,
    done: impl Fn(&vault_core::ClientStats) -> bool,
) -> vault_core::ClientStats {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    let mut reads = 0u32;
    loop {
        let stats = client.stats();
        if done(&stats) {
            return stats;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not reached after {reads} reads: {stats:?}"
        );
        match client.read(path).await {
            Ok(Some(_)) => reads += 1,
            Ok(None) => panic!("{what}: `{path}` vanished after {reads} reads"),
            Err(e) => panic!("{what}: read {} failed: {e}\n{stats:?}", reads + 1),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The responses in a file audit log: `(path, error)` of every `"type": "response"` line.
pub(crate) fn audit_responses(log: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(log)
        .unwrap_or_else(|e| panic!("read audit log {}: {e}", log.display()));
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["type"] == "response")
        .map(|v| {
            (
                v["request"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["error"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
