//! Shared set-up: a dev server and clients for it.

use std::time::Duration;

use serde_json::{Map, Value};
use vault_core::{RetryPolicy, VaultClient};
use vault_testkit::OpenBao;

/// A dev server (KV v2 at `secret/`) and a root client.
pub(crate) async fn server() -> (OpenBao, VaultClient) {
    let bao = OpenBao::dev().await;
    let client = client_for(&bao.addr(), &bao.root_token());
    (bao, client)
}

/// A client for `addr` with `token`.
pub(crate) fn client_for(addr: &str, token: &str) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token)
        .build()
        .unwrap_or_else(|e| panic!("building a client for {addr} failed: {e}"))
}

/// A client that gives up without retrying (for fault tests). Its timeout ends a request the
/// proxy never answers ([`vault_testkit::Fault::NoAnswer`]), yet is long enough that a real
/// answer on a machine under heavy load (other builds, load 15+ on two cores) never hits it.
pub(crate) fn impatient_client(addr: &str, token: &str) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token)
        .with_timeout(Duration::from_secs(5))
        .with_retry(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("building a client for {addr} failed: {e}"))
}

/// A JSON object literal as a map.
pub(crate) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("expected a JSON object, got {other}"),
    }
}

/// Requests recorded by a proxy whose path starts with `prefix` (e.g. `/v1/secret/data/`).
pub(crate) fn count_paths(requests: &[(String, String)], prefix: &str) -> usize {
    requests
        .iter()
        .filter(|(_, p)| p.starts_with(prefix))
        .count()
}
