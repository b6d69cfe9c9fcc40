//! `get_health`, `seal_status` and `leader` against real OpenBao in every state the testkit can
//! produce: active (dev and Raft), sealed (Raft after `bao.seal()`), uninitialised, unreachable.

use vault_core::VaultHealthStatus;
use vault_core::{VaultClient, VaultErrorKind};
use vault_testkit::{FaultProxy, OpenBao};

use crate::client_common::{fast_retry, root_client};

fn client_at(addr: String) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token("not-a-real-token")
        .with_retry(fast_retry(3))
        .build()
        .expect("client")
}

#[tokio::test]
async fn active_dev_server() {
    let bao = OpenBao::dev().await;
    let h = root_client(&bao).get_health().await.expect("health");
    assert_eq!(h.status, VaultHealthStatus::Active, "{h:?}");
    assert_eq!(h.http_status, 200);
    assert!(
        h.is_initialized && !h.is_sealed && !h.is_standby && !h.performance_standby,
        "{h:?}"
    );
    assert!(
        h.version.starts_with("2."),
        "OpenBao 2.x version expected: {h:?}"
    );
    assert!(h.cluster_id.is_some() && h.cluster_name.is_some(), "{h:?}");
    assert!(h.server_time_utc.is_some(), "{h:?}");
    assert_eq!(h.leader_address, None, "dev server has HA off: {h:?}");
    assert!(h.is_healthy());
}

#[tokio::test]
async fn health_needs_no_token_and_ignores_the_namespace() {
    let bao = OpenBao::dev().await;
    // A bogus token and a namespace that does not exist: health is root-namespace and unauthenticated.
    let client = client_at(bao.addr()).with_namespace(Some("no-such-namespace"));
    let h = client.get_health().await.expect("health");
    assert_eq!(h.status, VaultHealthStatus::Active, "{h:?}");
    let seal = client.seal_status().await.expect("seal status");
    assert!(seal.initialized && !seal.sealed, "{seal:?}");
    let leader = client.leader().await.expect("leader");
    assert!(!leader.ha_enabled, "{leader:?}");
    assert_eq!(client.stats().logins, 0, "health must not log in");
}

#[tokio::test]
async fn raft_active_then_sealed_then_unsealed() {
    let bao = OpenBao::raft().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = client_at(proxy.addr());

    let h = client.get_health().await.expect("health");
    assert_eq!(h.status, VaultHealthStatus::Active, "{h:?}");
    let leader = h.leader_address.clone().unwrap_or_default();
    assert!(
        leader.starts_with("http") && leader.contains("127.0.0.1"),
        "raft leader address: {h:?}"
    );
    let seal = client.seal_status().await.expect("seal status");
    assert_eq!(
        (seal.seal_type.as_str(), seal.t, seal.n, seal.sealed),
        ("shamir", 1, 1, false),
        "{seal:?}"
    );
    assert_eq!(seal.storage_type.as_deref(), Some("raft"), "{seal:?}");

    bao.seal().await;
    proxy.reset_counts();
    let h = client
        .get_health()
        .await
        .expect("a sealed server is an answer, not an error");
    assert_eq!(h.status, VaultHealthStatus::Sealed, "{h:?}");
    assert_eq!(h.http_status, 503);
    assert!(h.is_sealed && h.is_initialized && !h.is_healthy(), "{h:?}");
    assert_eq!(h.leader_address, None);
    assert_eq!(
        proxy.request_count(),
        1,
        "sealed health must be asked once, never retried: {:?}",
        proxy.requests()
    );

    let seal = client
        .seal_status()
        .await
        .expect("seal status while sealed");
    assert!(
        seal.sealed && seal.initialized && seal.progress == 0,
        "{seal:?}"
    );

    // A logical request on a sealed server is a Sealed error.
    let e = client.read("secret/x").await.expect_err("sealed");
    assert_eq!(e.kind(), VaultErrorKind::Sealed, "{e}");

    bao.unseal().await;
    let h = client.get_health().await.expect("health");
    assert_eq!(h.status, VaultHealthStatus::Active, "{h:?}");
}

#[tokio::test]
async fn uninitialised_server() {
    let bao = OpenBao::uninitialized().await;
    let client = client_at(bao.addr());
    let h = client
        .get_health()
        .await
        .expect("an uninitialised server is an answer, not an error");
    assert_eq!(h.status, VaultHealthStatus::Uninitialized, "{h:?}");
    assert_eq!(h.http_status, 501);
    assert!(!h.is_initialized && h.is_sealed, "{h:?}");
    let seal = client.seal_status().await.expect("seal status");
    assert!(!seal.initialized && seal.sealed, "{seal:?}");
}

#[tokio::test]
async fn unreachable_server_is_a_connection_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let client = client_at(format!("http://127.0.0.1:{port}"));
    let e = client
        .get_health()
        .await
        .expect_err("nothing listens there");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    assert!(e.to_string().contains("get health"), "{e}");
    let e = client
        .seal_status()
        .await
        .expect_err("nothing listens there");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
}

/// Single-node OpenBao cannot be a standby, DR secondary or performance standby, so those
/// answers are injected by the fault proxy in front of a real server: each code maps to its
/// state, is asked exactly once, and is never an error.
#[tokio::test]
async fn every_health_code_maps_without_error_or_retry() {
    use vault_testkit::Fault;
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = client_at(proxy.addr());
    let cases = [
        (429, VaultHealthStatus::Standby),
        (472, VaultHealthStatus::DrSecondary),
        (473, VaultHealthStatus::PerformanceStandby),
        (474, VaultHealthStatus::Error),
        (501, VaultHealthStatus::Uninitialized),
        (503, VaultHealthStatus::Sealed),
        (530, VaultHealthStatus::Error),
        (500, VaultHealthStatus::Error),
        (418, VaultHealthStatus::Error),
    ];
    for (code, want) in cases {
        proxy.reset_counts();
        proxy.push(Fault::status(code));
        let h = client
            .get_health()
            .await
            .unwrap_or_else(|e| panic!("HTTP {code} must not be an error: {e}"));
        assert_eq!((h.status, h.http_status), (want, code), "{h:?}");
        let health_calls = proxy
            .requests()
            .iter()
            .filter(|(_, p)| p.starts_with("/v1/sys/health"))
            .count();
        assert_eq!(
            health_calls, 1,
            "HTTP {code}: health asked {health_calls} times"
        );
        if want == VaultHealthStatus::Error {
            assert!(
                h.detail.is_some(),
                "HTTP {code}: an error state explains itself: {h:?}"
            );
        }
    }
    assert!(matches!(
        client.get_health().await.map(|h| h.status),
        Ok(VaultHealthStatus::Active)
    ));

    for fault in [Fault::Reset, Fault::TruncatedBody] {
        proxy.push(fault.clone());
        let e = client.get_health().await.expect_err("no complete answer");
        assert_eq!(e.kind(), VaultErrorKind::Connection, "{fault:?}: {e}");
    }
}
