//! Every fault of the testkit's proxy, with the number of requests and the outcome asserted.

use std::time::{Duration, Instant};

use serde_json::json;
use vault_core::{Method, RetryPolicy, VaultClient, VaultErrorKind, VaultRequest};
use vault_testkit::{Fault, FaultProxy, OpenBao};

use crate::client_common::fast_retry;

/// A root client behind a proxy, warmed up (its lazy lookup-self is done) with a secret at
/// `secret/data/app`; the proxy's counters are reset.
async fn setup(policy: RetryPolicy, timeout: Duration) -> (OpenBao, FaultProxy, VaultClient) {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = VaultClient::builder()
        .with_address(proxy.addr())
        .with_token(bao.root_token())
        .with_retry(policy)
        .with_timeout(timeout)
        .build()
        .expect("client");
    client
        .write("secret/data/app", json!({"data": {"k": "v"}}))
        .await
        .expect("warm-up write");
    proxy.reset_counts();
    (bao, proxy, client)
}

async fn read_ok(client: &VaultClient) {
    let env = client
        .read("secret/data/app")
        .await
        .expect("read through faults")
        .expect("present");
    assert_eq!(
        env.data_as::<serde_json::Value>().expect("json")["data"]["k"],
        "v"
    );
}

#[tokio::test]
async fn two_503_then_success_takes_three_requests() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.script(vec![Fault::status(503), Fault::status(503)]);
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 3);
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn status_500_and_502_are_retried() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.script(vec![Fault::status(500), Fault::status(502)]);
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 3);
}

#[tokio::test]
async fn persistent_503_gives_up_after_max_attempts() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.set_default(Some(Fault::status(503)));
    let e = client
        .read("secret/data/app")
        .await
        .expect_err("always 503");
    assert_eq!(e.kind(), VaultErrorKind::Server, "{e}");
    assert_eq!(e.status(), Some(503));
    assert_eq!(proxy.request_count(), 3);
}

#[tokio::test]
async fn status_501_and_other_4xx_are_not_retried() {
    let (_bao, proxy, client) = setup(fast_retry(5), Duration::from_secs(5)).await;
    proxy.push(Fault::status(501));
    let e = client.read("secret/data/app").await.expect_err("501");
    assert_eq!(
        (e.kind(), e.status()),
        (VaultErrorKind::Server, Some(501)),
        "{e}"
    );
    assert_eq!(proxy.request_count(), 1);

    proxy.reset_counts();
    proxy.push(Fault::status(400));
    let e = client.read("secret/data/app").await.expect_err("400");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    assert_eq!(proxy.request_count(), 1);
}

#[tokio::test]
async fn connection_reset_is_retried() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.push(Fault::Reset);
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 2);
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn truncated_body_is_retried() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.push(Fault::TruncatedBody);
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 2);
}

#[tokio::test]
async fn latency_below_the_timeout_is_not_a_failure() {
    let (_bao, proxy, client) = setup(fast_retry(3), Duration::from_secs(5)).await;
    proxy.push(Fault::Latency(Duration::from_millis(300)));
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 1);
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn no_answer_times_out_and_is_retried() {
    let (_bao, proxy, client) = setup(fast_retry(2), Duration::from_secs(1)).await;
    proxy.push(Fault::NoAnswer);
    read_ok(&client).await;
    assert_eq!(proxy.request_count(), 2);

    proxy.reset_counts();
    proxy.set_default(Some(Fault::NoAnswer));
    let e = client
        .read("secret/data/app")
        .await
        .expect_err("never answered");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    assert!(e.to_string().contains("no answer"), "{e}");
    assert_eq!(proxy.request_count(), 2);
}

/// A hostile `Retry-After` from the server (here `1e300`, which used to panic the client in
/// `parse_retry_after`; and `999999`, which used to stall it for the old 300 s cap) is waited
/// for at most the policy's `max_delay`.
#[tokio::test]
async fn hostile_retry_after_neither_panics_nor_stalls() {
    let policy = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(300),
    };
    let (_bao, proxy, client) = setup(policy, Duration::from_secs(5)).await;
    for value in [
        "1e300",
        "999999",
        "NaN",
        "-1",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        proxy.reset_counts();
        proxy.push(Fault::RawRetryAfter(value.to_string()));
        // Far beyond max_delay: only a wait that ignores the cap reaches it.
        tokio::time::timeout(Duration::from_secs(60), read_ok_after_retry(&client))
            .await
            .unwrap_or_else(|_| panic!("Retry-After: {value} stalled the call"));
        assert_eq!(proxy.request_count(), 2, "Retry-After: {value}");
    }
}

async fn read_ok_after_retry(client: &VaultClient) {
    let env = client
        .read("secret/data/app")
        .await
        .expect("read after one retry")
        .expect("present");
    assert_eq!(
        env.data_as::<serde_json::Value>().expect("json")["data"]["k"],
        "v"
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let policy = RetryPolicy {
        max_delay: Duration::from_secs(5),
        ..fast_retry(3)
    };
    let (_bao, proxy, client) = setup(policy, Duration::from_secs(5)).await;
    proxy.push(Fault::rate_limited(2));
    let started = Instant::now();
    read_ok(&client).await;
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(proxy.request_count(), 2);
}

#[tokio::test]
async fn persistent_429_is_a_rate_limited_error() {
    let (_bao, proxy, client) = setup(fast_retry(2), Duration::from_secs(5)).await;
    proxy.set_default(Some(Fault::Status {
        code: 429,
        retry_after: None,
    }));
    let e = client.read("secret/data/app").await.expect_err("429");
    assert_eq!(e.kind(), VaultErrorKind::RateLimited, "{e}");
    assert!(e.is_retryable());
    assert_eq!(proxy.request_count(), 2);
}

#[tokio::test]
async fn streamed_bodies_are_never_retried() {
    let (_bao, proxy, client) = setup(fast_retry(5), Duration::from_secs(5)).await;
    proxy.push(Fault::status(503));
    let body: vault_core::ByteStream = Box::pin(futures_util::stream::iter(vec![Ok(
        bytes::Bytes::from_static(br#"{"data":{"k":"streamed"}}"#),
    )]));
    let request = VaultRequest::new(Method::Post, "secret/data/app").with_stream(body);
    let e = client.send(request).await.expect_err("503, not replayable");
    assert_eq!(e.status(), Some(503), "{e}");
    assert_eq!(proxy.request_count(), 1);
}
