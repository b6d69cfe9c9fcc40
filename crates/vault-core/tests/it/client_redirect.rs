//! Redirects and streaming through the HTTP transport: a same-origin 307 keeps method and body,
//! a second redirect is refused, streamed request bodies reach the real server, and the
//! stream-response header is consumed by the transport (never sent). A redirect to another
//! origin is refused: see `security::redirect_to_another_host_is_refused_without_sending_the_token`.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use vault_core::ByteStream;
use vault_core::{Method, ResponseBody, VaultClient, VaultErrorKind, VaultRequest};
use vault_testkit::OpenBao;

use crate::client_common::fast_retry;

/// What a fake node saw: method, path and headers of each request, and the body length.
pub(crate) type Seen = Arc<Mutex<Vec<(String, String, HeaderMap, usize)>>>;

/// Where a fake node sends the requests it does not answer itself.
#[derive(Clone)]
pub(crate) enum Redirect {
    /// Answer everything 200 with `{"data":{"fake":true}}`.
    Never,
    /// 307 to this other server + the same path.
    To(String),
    /// 307 to `/moved` + the path on the same node, until the path carries `hops` such prefixes.
    SameNode { hops: usize },
}

/// A loopback HTTP server that records each request, then redirects it (307) as `redirect`
/// says or answers 200 with `{"data":{"fake":true}}`.
pub(crate) async fn fake_node(redirect: Redirect) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let log = log.clone();
        let redirect = redirect.clone();
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
            let location = match redirect {
                Redirect::Never => None,
                Redirect::To(target) => Some(format!("{target}{path_q}")),
                Redirect::SameNode { hops } => {
                    let mut rest = path_q.as_str();
                    let mut done = 0;
                    while let Some(r) = rest.strip_prefix("/moved") {
                        (rest, done) = (r, done + 1);
                    }
                    (done < hops).then(|| format!("/moved{path_q}"))
                }
            };
            let builder = Response::builder();
            let response = match location {
                Some(location) => builder
                    .status(StatusCode::TEMPORARY_REDIRECT)
                    .header(header::LOCATION, location)
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

pub(crate) fn client_for(addr: &str, token: String) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token)
        .with_retry(fast_retry(2))
        .build()
        .expect("client")
}

#[tokio::test]
async fn same_origin_307_keeps_method_body_and_token() {
    let (node, seen) = fake_node(Redirect::SameNode { hops: 1 }).await;
    let client = client_for(&node, "tok-same-origin".into());

    client
        .write("secret/data/moved", json!({"data": {"k": "v"}}))
        .await
        .expect("write through a 307");
    client
        .list("secret/metadata/")
        .await
        .expect("LIST through a 307");

    let seen = seen.lock().expect("lock");
    let token = |h: &HeaderMap| {
        h.get("x-vault-token").and_then(|v| v.to_str().ok()) == Some("tok-same-origin")
    };
    assert!(
        seen.iter().any(|(m, p, h, n)| m == "POST"
            && p == "/moved/v1/secret/data/moved"
            && *n > 0
            && token(h)),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(m, p, _, _)| m == "LIST" && p == "/moved/v1/secret/metadata/"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_second_redirect_is_refused() {
    let (node, seen) = fake_node(Redirect::SameNode { hops: 2 }).await;
    let client = client_for(&node, "tok".into());
    let e = client
        .read("secret/data/x")
        .await
        .expect_err("two redirects");
    assert_eq!(e.kind(), VaultErrorKind::Server, "{e}");
    assert!(e.to_string().contains("redirect"), "{e}");
    // Not retried: a refused redirect will not go away by itself.
    let reads = seen
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
    let (node, seen) = fake_node(Redirect::Never).await;
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
