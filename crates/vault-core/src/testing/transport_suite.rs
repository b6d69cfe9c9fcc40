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

/// [`send`], checking that the answer's status is one of `ok`; returns the body.
async fn send_expect(
    transport: &dyn Transport,
    request: VaultRequest,
    what: &str,
    ok: &[u16],
) -> Bytes {
    let (head, body) = send(transport, request, what).await;
    assert!(
        ok.contains(&head.status),
        "transport_suite: {what} answered HTTP {}, expected one of {ok:?}",
        head.status
    );
    body
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
    let json_doc = format!("{base}/json");
    let put_json = authed(Method::Put, &json_doc).with_json(doc.clone());
    send_expect(transport, put_json, "PUT JSON", &[200, 204]).await;
    let body = send_expect(
        transport,
        authed(Method::Get, &json_doc),
        "GET JSON",
        &[200],
    )
    .await;
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
    let list_query = authed(Method::Get, &format!("{base}/")).with_query("list", "true");
    let body = send_expect(transport, list_query, "GET ?list=true", &[200]).await;
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
    let body = send_expect(transport, authed(Method::List, &base), "LIST", &[200]).await;
    assert_eq!(
        json_of(&body, "LIST")["data"]["keys"],
        json!(["json", "streamed"]),
        "transport_suite: LIST keys"
    );

    // A 404 is an answer (`Ok` with status 404), not a transport failure.
    let missing = authed(Method::Get, &format!("{base}/missing"));
    let body = send_expect(transport, missing, "GET of a missing path", &[404]).await;
    assert_eq!(
        json_of(&body, "GET missing")["errors"],
        json!([]),
        "transport_suite: 404 body"
    );

    // DELETE and cleanup; the emptied path lists as a 404.
    for name in ["json", "streamed"] {
        let delete = authed(Method::Delete, &format!("{base}/{name}"));
        send_expect(transport, delete, "DELETE", &[200, 204]).await;
    }
    let list = authed(Method::List, &base);
    send_expect(transport, list, "LIST of an emptied path", &[404]).await;
}
