//! [`transport_suite`]: the behaviour every [`Transport`] promises in its `# Contract`.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::{Method, Transport, VaultRequest, VaultResponse};

async fn send(
    transport: &dyn Transport,
    request: VaultRequest,
    what: &str,
) -> (VaultResponse, Bytes) {
    let response = transport
        .send(request)
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
/// unauthenticated `GET sys/health`; `PUT` then `GET` of a JSON document; `LIST`; a 404 that
/// comes back as `Ok` with status 404 (not `Err`); a streamed request body; lower-cased response
/// header names; `DELETE`. Works under `cubbyhole/vaultkit-transport-suite-<random>`, which it
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
        head.headers
            .iter()
            .all(|(k, _)| *k == k.to_ascii_lowercase()),
        "transport_suite: response header names must be lower-cased: {:?}",
        head.headers.iter().map(|(k, _)| k).collect::<Vec<_>>()
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
    let request = authed(Method::Put, &format!("{base}/streamed"))
        .with_header("Content-Type", "application/json")
        .with_stream(stream);
    send_expect(transport, request, "PUT streamed body", &[200, 204]).await;
    let get_streamed = authed(Method::Get, &format!("{base}/streamed"));
    let body = send_expect(transport, get_streamed, "GET streamed", &[200]).await;
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
