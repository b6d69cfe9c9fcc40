//! [`transport_suite`]: the behaviour every [`Transport`] promises in its `# Contract`.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::{Method, Transport, VaultRequest, VaultResponse};

async fn send(
    transport: &dyn Transport,
    mut request: VaultRequest,
    what: &str,
) -> (VaultResponse, Bytes) {
    let response = transport
        .send(&mut request)
        .await
        .unwrap_or_else(|e| panic!("transport_suite: {what}: send failed: {e}"));
    let head = VaultResponse {
        status: response.status,
        headers: response.headers.clone(),
        body: crate::ResponseBody::Bytes(Bytes::new()),
    };
    let body = response
        .into_bytes()
        .await
        .unwrap_or_else(|e| panic!("transport_suite: {what}: body was cut off: {e}"));
    (head, body)
}

fn json_of(body: &[u8], what: &str) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("transport_suite: {what}: body is not JSON: {e}"))
}

/// Run every [`Transport`] contract check against a transport whose address is a real,
/// unsealed server, using `token` (which must be allowed to use its own `cubbyhole/`):
/// unauthenticated `GET sys/health`; `PUT` then `GET` of a JSON document; one request sent twice
/// (the transport borrows it and leaves it as it was); `LIST`; a 404 that comes back as `Ok`
/// with status 404 (not `Err`); a streamed request body, taken out of the request (a second send
/// is a `Validation` error); lower-cased response header names; `DELETE`. Works under `cubbyhole/vaultkit-transport-suite-<random>`, which it
/// removes. Panics on the first failed check.
pub async fn transport_suite(transport: &dyn Transport, token: &str) {
    assert!(
        !transport.address().is_empty(),
        "transport_suite: address() is empty"
    );
    let base = format!("cubbyhole/vaultkit-transport-suite-{}", super::run_tag());
    let authed = |method: Method, path: &str| {
        let mut request = VaultRequest::new(method, path);
        request.set_vault_headers(Some(token), None);
        request
    };

    // Unauthenticated health.
    let (head, body) = send(
        transport,
        VaultRequest::new(Method::Get, "sys/health"),
        "GET sys/health",
    )
    .await;
    assert_eq!(
        head.status, 200,
        "transport_suite: GET sys/health on an active server must be 200"
    );
    let health = json_of(&body, "GET sys/health");
    assert_eq!(
        health.get("initialized"),
        Some(&json!(true)),
        "transport_suite: sys/health body: {health}"
    );

    assert!(
        head.header("Content-Type")
            .is_some_and(|v| v.contains("application/json")),
        "transport_suite: sys/health must carry Content-Type application/json"
    );

    // JSON round trip.
    let doc = json!({"user": "suite", "n": 42, "nested": {"ok": true}});
    let (head, _) = send(
        transport,
        authed(Method::Put, &format!("{base}/json")).with_json(doc.clone()),
        "PUT JSON",
    )
    .await;
    assert!(
        matches!(head.status, 200 | 204),
        "transport_suite: PUT JSON answered HTTP {}",
        head.status
    );
    let (head, body) = send(
        transport,
        authed(Method::Get, &format!("{base}/json")),
        "GET JSON",
    )
    .await;
    assert_eq!(
        head.status, 200,
        "transport_suite: GET of the written document answered HTTP {}",
        head.status
    );
    assert_eq!(
        json_of(&body, "GET JSON").get("data"),
        Some(&doc),
        "transport_suite: JSON round trip"
    );

    // The transport borrows the request: the same request can be sent again, unchanged.
    let mut again = authed(Method::Get, &format!("{base}/json"));
    let (before_path, before_headers) = (again.path.clone(), again.headers.clone());
    for round in ["first", "second"] {
        let response = transport
            .send(&mut again)
            .await
            .unwrap_or_else(|e| panic!("transport_suite: {round} send of one request failed: {e}"));
        assert_eq!(
            response.status, 200,
            "transport_suite: {round} send of one request answered HTTP {}",
            response.status
        );
        assert_eq!(
            (&again.path, &again.headers),
            (&before_path, &before_headers),
            "transport_suite: send must leave the request's path and headers as they were"
        );
    }

    // Query strings reach the server (`?list=true` turns a GET into a list).
    let (head, body) = send(
        transport,
        authed(Method::Get, &format!("{base}/")).with_query("list", "true"),
        "GET ?list=true",
    )
    .await;
    assert_eq!(
        head.status, 200,
        "transport_suite: GET ?list=true answered HTTP {}",
        head.status
    );
    assert_eq!(
        json_of(&body, "GET ?list=true")["data"]["keys"],
        json!(["json"]),
        "transport_suite: query string"
    );

    // Streamed body upload, split mid-document.
    let pieces: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"streamed\":")),
        Ok(Bytes::from_static(b"\"yes\",\"pad\":\"")),
        Ok(Bytes::from(vec![b'x'; 256 * 1024])),
        Ok(Bytes::from_static(b"\"}")),
    ];
    let stream: crate::transport::ByteStream = Box::pin(futures_util::stream::iter(pieces));
    let mut request = authed(Method::Put, &format!("{base}/streamed"))
        .with_header("Content-Type", "application/json")
        .with_stream(stream);
    let response = transport
        .send(&mut request)
        .await
        .unwrap_or_else(|e| panic!("transport_suite: PUT streamed body: send failed: {e}"));
    assert!(
        matches!(response.status, 200 | 204),
        "transport_suite: streamed PUT answered HTTP {}",
        response.status
    );
    // The stream was taken out; the request cannot be sent a second time.
    assert!(
        matches!(request.body, crate::RequestBody::Consumed),
        "transport_suite: a sent stream must leave RequestBody::Consumed, found {:?}",
        request.body
    );
    let second = transport.send(&mut request).await;
    assert!(
        matches!(&second, Err(e) if e.kind() == crate::VaultErrorKind::Validation),
        "transport_suite: sending a consumed stream again must be a Validation error, got {:?}",
        second.map(|r| r.status)
    );
    let (_, body) = send(
        transport,
        authed(Method::Get, &format!("{base}/streamed")),
        "GET streamed",
    )
    .await;
    let data = json_of(&body, "GET streamed");
    assert_eq!(
        data["data"]["streamed"],
        json!("yes"),
        "transport_suite: streamed body round trip"
    );
    assert_eq!(
        data["data"]["pad"].as_str().map(str::len),
        Some(256 * 1024),
        "transport_suite: streamed body length"
    );

    // LIST.
    let (head, body) = send(transport, authed(Method::List, &base), "LIST").await;
    assert_eq!(
        head.status, 200,
        "transport_suite: LIST answered HTTP {}",
        head.status
    );
    assert_eq!(
        json_of(&body, "LIST")["data"]["keys"],
        json!(["json", "streamed"]),
        "transport_suite: LIST keys"
    );

    // A 404 is an answer, not a transport failure.
    let (head, body) = send(
        transport,
        authed(Method::Get, &format!("{base}/missing")),
        "GET missing",
    )
    .await;
    assert_eq!(
        head.status, 404,
        "transport_suite: GET of a missing path must be Ok(404)"
    );
    assert_eq!(
        json_of(&body, "GET missing")["errors"],
        json!([]),
        "transport_suite: 404 body"
    );

    // DELETE and cleanup.
    for name in ["json", "streamed"] {
        let (head, _) = send(
            transport,
            authed(Method::Delete, &format!("{base}/{name}")),
            "DELETE",
        )
        .await;
        assert!(
            matches!(head.status, 200 | 204),
            "transport_suite: DELETE answered HTTP {}",
            head.status
        );
    }
    let (head, _) = send(transport, authed(Method::List, &base), "LIST after delete").await;
    assert_eq!(
        head.status, 404,
        "transport_suite: LIST of an emptied path must be Ok(404)"
    );
}
