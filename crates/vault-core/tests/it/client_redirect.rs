//! Redirects and streaming through the HTTP transport: a 307 from a "standby" keeps method and
//! body, a second redirect is refused, streamed request bodies reach the real server, and the
//! stream-response header is consumed by the transport (never sent).

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use vault_core::transport::ByteStream;
use vault_core::{Method, ResponseBody, VaultClient, VaultErrorKind, VaultRequest};
use vault_testkit::OpenBao;

use crate::client_common::fast_retry;

/// What a fake node saw: method, path and headers of each request, and the body length.
type Seen = Arc<Mutex<Vec<(String, String, HeaderMap, usize)>>>;

/// A loopback HTTP server that records each request, then either redirects it (307) to
/// `redirect_to` + the same path, or answers 200 with `{"data":{"fake":true}}`.
async fn fake_node(redirect_to: Option<String>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let log = log.clone();
        let redirect_to = redirect_to.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let path_q = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            log.lock().expect("lock").push((
                parts.method.to_string(),
                path_q.clone(),
                parts.headers,
                bytes.len(),
            ));
            let builder = Response::builder();
            let response = match redirect_to {
                Some(target) => builder
                    .status(StatusCode::TEMPORARY_REDIRECT)
                    .header(header::LOCATION, format!("{target}{path_q}"))
                    .body(Body::empty()),
                None => builder
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(r#"{"data":{"fake":true}}"#)),
            };
            response.unwrap_or_else(|_| Response::new(Body::empty()))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen)
}

fn client_for(addr: &str, token: String) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token)
        .with_retry(fast_retry(2))
        .build()
        .expect("client")
}

#[tokio::test]
async fn standby_307_keeps_method_and_body() {
    let bao = OpenBao::dev().await;
    let (standby, seen) = fake_node(Some(bao.addr())).await;
    let client = client_for(&standby, bao.root_token());

    client
        .write("secret/data/via-standby", json!({"data": {"k": "v"}}))
        .await
        .expect("write through a 307");
    let (status, body) = bao.api("GET", "secret/data/via-standby", None).await;
    assert_eq!(status, 200, "the POST body reached the active node: {body}");
    assert_eq!(body["data"]["data"]["k"], "v");

    let keys = client
        .list("secret/metadata/")
        .await
        .expect("LIST through a 307");
    assert_eq!(keys, ["via-standby"]);

    let seen = seen.lock().expect("lock");
    assert!(
        seen.iter()
            .any(|(m, p, _, n)| m == "POST" && p == "/v1/secret/data/via-standby" && *n > 0)
    );
    assert!(
        seen.iter()
            .any(|(m, p, _, _)| m == "LIST" && p == "/v1/secret/metadata/")
    );
}

#[tokio::test]
async fn a_second_redirect_is_refused() {
    let bao = OpenBao::dev().await;
    let (second, _) = fake_node(Some(bao.addr())).await;
    let (first, seen_first) = fake_node(Some(second)).await;
    let client = client_for(&first, bao.root_token());
    let e = client
        .read("secret/data/x")
        .await
        .expect_err("two redirects");
    assert_eq!(e.kind(), VaultErrorKind::Server, "{e}");
    assert!(e.to_string().contains("redirect"), "{e}");
    // Not retried: a refused redirect will not go away by itself.
    let reads = seen_first
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, p, _, _)| p == "/v1/secret/data/x")
        .count();
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn streamed_request_body_reaches_the_server() {
    let bao = OpenBao::dev().await;
    let client = client_for(&bao.addr(), bao.root_token());
    let chunks = vec![
        Ok(bytes::Bytes::from_static(br#"{"data":"#)),
        Ok(bytes::Bytes::from_static(br#"{"k":"streamed"}}"#)),
    ];
    let body: ByteStream = Box::pin(futures_util::stream::iter(chunks));
    let response = client
        .send(VaultRequest::new(Method::Post, "secret/data/streamed").with_stream(body))
        .await
        .expect("streamed write");
    assert_eq!(response.status, 200);
    let env = client
        .read("secret/data/streamed")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        env.data_as::<serde_json::Value>().expect("json")["data"]["k"],
        "streamed"
    );
}

#[tokio::test]
async fn stream_response_is_a_request_field_and_headers_are_set() {
    let (node, seen) = fake_node(None).await;
    let client = VaultClient::builder()
        .with_address(&node)
        .with_token("tok-for-fake-node")
        .with_namespace("team-a")
        .build()
        .expect("client");
    let response = client
        .send(VaultRequest::new(Method::Get, "sys/anything").with_stream_response())
        .await
        .expect("answer");
    assert!(
        matches!(response.body, ResponseBody::Stream(_)),
        "{:?}",
        response.body
    );
    let bytes = response.into_bytes().await.expect("body");
    assert_eq!(&bytes[..], br#"{"data":{"fake":true}}"#);

    let seen = seen.lock().expect("lock");
    let (_, _, headers, _) = seen
        .iter()
        .find(|(_, p, _, _)| p == "/v1/sys/anything")
        .expect("request seen");
    assert!(
        headers
            .keys()
            .all(|k| !k.as_str().starts_with("x-vaultkit")),
        "no in-band control header reaches the server"
    );
    assert_eq!(
        headers.get("x-vault-token").and_then(|v| v.to_str().ok()),
        Some("tok-for-fake-node")
    );
    assert_eq!(
        headers
            .get("x-vault-namespace")
            .and_then(|v| v.to_str().ok()),
        Some("team-a")
    );
    assert_eq!(
        headers.get("x-vault-request").and_then(|v| v.to_str().ok()),
        Some("true")
    );
}
