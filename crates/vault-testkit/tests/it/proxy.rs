//! `FaultProxy`: every fault kind observed from a plain reqwest client.

use std::time::{Duration, Instant};

use vault_testkit::{Fault, FaultProxy, OpenBao};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn get(proxy: &FaultProxy, path: &str) -> Result<reqwest::Response, reqwest::Error> {
    client()
        .get(format!("{}/v1/{path}", proxy.addr()))
        .send()
        .await
}

#[tokio::test]
async fn pass_forwards_and_counts_every_request() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let response = client()
        .get(format!("{}/v1/auth/token/lookup-self?x=1", proxy.addr()))
        .header("X-Vault-Token", bao.root_token())
        .send()
        .await
        .expect("forwarded");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["data"]["id"], bao.root_token());

    proxy.push(Fault::status(500));
    assert_eq!(
        get(&proxy, "sys/health").await.expect("answer").status(),
        500
    );
    assert_eq!(proxy.request_count(), 2, "faulted requests are counted too");
    assert_eq!(
        proxy.requests(),
        vec![
            (
                "GET".to_string(),
                "/v1/auth/token/lookup-self?x=1".to_string()
            ),
            ("GET".to_string(), "/v1/sys/health".to_string()),
        ]
    );
    proxy.reset_counts();
    assert_eq!(proxy.request_count(), 0);
    assert_eq!(
        get(&proxy, "sys/health").await.expect("answer").status(),
        200
    );
    assert_eq!(proxy.request_count(), 1);
}

#[tokio::test]
async fn status_fault_answers_without_forwarding_and_sets_retry_after() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.push(Fault::Status {
        code: 429,
        retry_after: Some(7),
    });
    proxy.push(Fault::status(503));
    let first = get(&proxy, "sys/health").await.expect("answer");
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "7");
    let body: serde_json::Value = first.json().await.expect("json");
    assert_eq!(body, serde_json::json!({"errors": ["injected fault"]}));
    let second = get(&proxy, "sys/health").await.expect("answer");
    assert_eq!(second.status(), 503);
    assert!(second.headers().get("retry-after").is_none());
    // The queue is empty again: requests pass.
    assert_eq!(
        get(&proxy, "sys/health").await.expect("answer").status(),
        200
    );
    assert_eq!(proxy.pending_faults(), 0);
}

#[tokio::test]
async fn script_applies_in_order_then_default_applies() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.script(vec![Fault::status(502), Fault::Pass, Fault::status(500)]);
    proxy.set_default(Some(Fault::status(503)));
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(
            get(&proxy, "sys/health")
                .await
                .expect("answer")
                .status()
                .as_u16(),
        );
    }
    assert_eq!(seen, vec![502, 200, 500, 503, 503]);
    proxy.set_default(None);
    assert_eq!(
        get(&proxy, "sys/health").await.expect("answer").status(),
        200
    );
    assert_eq!(proxy.request_count(), 6);
}

#[tokio::test]
async fn latency_delays_then_forwards() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.push(Fault::Latency(Duration::from_millis(300)));
    let started = Instant::now();
    let response = get(&proxy, "sys/health").await.expect("answer");
    // A lower bound only: the proxy must not answer before the delay has passed.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn reset_closes_the_connection_without_an_answer() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.push(Fault::Reset);
    let error = get(&proxy, "sys/health")
        .await
        .expect_err("connection reset");
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    assert_eq!(proxy.request_count(), 1);
    // The next request passes on a new connection.
    assert_eq!(
        get(&proxy, "sys/health").await.expect("answer").status(),
        200
    );
}

#[tokio::test]
async fn reset_is_a_tcp_rst() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.push(Fault::Reset);
    let addr = proxy.addr().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    let error = stream
        .read_to_end(&mut buf)
        .await
        .expect_err("read fails with a reset");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    assert!(
        buf.is_empty(),
        "no answer bytes: {:?}",
        String::from_utf8_lossy(&buf)
    );
}

#[tokio::test]
async fn truncated_body_fails_while_reading_the_body() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.push(Fault::TruncatedBody);
    let response = get(&proxy, "sys/health").await.expect("headers arrive");
    assert_eq!(response.status(), 200);
    let declared = response.content_length().expect("content-length");
    assert!(declared > 10, "{declared}");
    let error = response.bytes().await.expect_err("body is cut short");
    assert!(
        error.is_body() || error.is_decode() || error.is_request(),
        "{error:?}"
    );
}

#[tokio::test]
async fn no_answer_makes_the_client_time_out() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    proxy.set_default(Some(Fault::NoAnswer));
    let error = client()
        .get(format!("{}/v1/sys/health", proxy.addr()))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(proxy.request_count(), 1);
}

#[tokio::test]
async fn unreachable_upstream_answers_502_with_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let proxy = FaultProxy::start(&dead).await;
    let response = get(&proxy, "sys/health").await.expect("answer");
    assert_eq!(response.status(), 502);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(
        body["errors"][0]
            .as_str()
            .expect("error")
            .contains("upstream"),
        "{body}"
    );
}

#[tokio::test]
async fn faults_apply_per_request_on_a_reused_client() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let client = client();
    let url = format!("{}/v1/sys/health", proxy.addr());
    proxy.script(vec![
        Fault::Pass,
        Fault::Reset,
        Fault::Pass,
        Fault::TruncatedBody,
        Fault::rate_limited(2),
        Fault::Pass,
    ]);
    let first = client.get(&url).send().await.expect("pass");
    assert_eq!(first.status(), 200);
    first.bytes().await.expect("whole body");
    client
        .get(&url)
        .send()
        .await
        .expect_err("reset on the kept-alive connection");
    let third = client.get(&url).send().await.expect("pass after reset");
    assert_eq!(third.status(), 200);
    third.bytes().await.expect("whole body");
    let fourth = client.get(&url).send().await.expect("headers");
    fourth.bytes().await.expect_err("truncated");
    let fifth = client.get(&url).send().await.expect("429");
    assert_eq!(
        (
            fifth.status().as_u16(),
            fifth.headers()["retry-after"].to_str().ok()
        ),
        (429, Some("2"))
    );
    assert_eq!(client.get(&url).send().await.expect("pass").status(), 200);
    // One request each: the client did not silently retry any of them.
    assert_eq!(proxy.request_count(), 6);
}

#[tokio::test]
async fn hold_keeps_the_nth_matching_request_until_released() {
    let bao = OpenBao::dev().await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let hold = proxy.hold("get", "/v1/sys/health", 2);
    // The first matching request and other paths pass.
    assert_eq!(
        get(&proxy, "sys/health").await.expect("first").status(),
        200
    );
    assert_eq!(
        get(&proxy, "sys/seal-status")
            .await
            .expect("other")
            .status(),
        200
    );
    assert!(!hold.has_arrived());
    let second = tokio::spawn({
        let addr = proxy.addr();
        async move { client().get(format!("{addr}/v1/sys/health")).send().await }
    });
    hold.arrived().await;
    // Held: a third request on another path still goes through meanwhile.
    assert_eq!(
        get(&proxy, "sys/seal-status")
            .await
            .expect("meanwhile")
            .status(),
        200
    );
    assert!(!second.is_finished());
    hold.release();
    let answer = second.await.expect("task").expect("answered after release");
    assert_eq!(answer.status(), 200);
    // The rule is used up: the next one passes.
    assert_eq!(
        get(&proxy, "sys/health").await.expect("third").status(),
        200
    );
}
