//! The one typed call helper every crate sends through.
//!
//! - [`VaultClient::send`] / [`VaultClient::send_as`]: the raw 2xx response (a streamed body if
//!   the request asked for one).
//! - [`VaultClient::call`]: the envelope's `data`, parsed straight into the endpoint's response
//!   type.
//! - [`VaultClient::call_envelope`]: the whole envelope (for `auth`, `warnings`, leases).
//!
//! All three run the same pipeline (`send.rs`): `X-Vault-*` headers from
//! [`VaultRequest::set_vault_headers`], the `vault.request` tracing span, the one replay loop
//! (`retry.rs`), the one status mapping ([`crate::status`]) and at most one re-login.
//! [`exchange`] is the same minus the token, for the auth methods and raw `sys/` calls that talk
//! to a bare [`Transport`].

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::VaultClient;
use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{Method, Transport, VaultRequest, VaultResponse, zeroize_bytes};

impl VaultClient {
    /// Send one request with the client's token and namespace. Statuses >= 300 become a
    /// [`VaultError`] (see [`crate::error_from_response`]); a 2xx response is returned as it is
    /// (its body streamed if the request asked for it). The operation in error messages is the
    /// method in lowercase; [`VaultClient::send_as`] names it.
    pub async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        let operation = operation_name(request.method);
        self.send_as(operation, request).await
    }

    /// Like [`VaultClient::send`], naming the operation for error messages (e.g. `read`).
    pub async fn send_as(
        &self,
        operation: &str,
        mut request: VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        let response = self.inner.execute(operation, &mut request).await;
        request.zeroize();
        response
    }

    /// Send `request` and parse the envelope's `data` as `T`. `Ok(None)` for an empty answer
    /// (204) or `"data": null`. The body buffer is zeroed after parsing when nothing else shares
    /// it (it may hold secret values).
    ///
    /// ```no_run
    /// # async fn demo(client: vault_core::VaultClient) -> Result<(), vault_core::VaultError> {
    /// use vault_core::{Method, VaultRequest};
    /// #[derive(serde::Deserialize)]
    /// struct Keys { keys: Vec<String> }
    /// let keys: Option<Keys> = client
    ///     .call("list policies of", VaultRequest::new(Method::List, "sys/policies/acl"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn call<T: DeserializeOwned>(
        &self,
        operation: &str,
        request: VaultRequest,
    ) -> Result<Option<T>, VaultError> {
        self.parsed(operation, request, parse_data).await
    }

    /// Send `request` and parse the whole envelope; `Ok(None)` for an empty answer (204).
    pub async fn call_envelope(
        &self,
        operation: &str,
        request: VaultRequest,
    ) -> Result<Option<Envelope>, VaultError> {
        self.parsed(operation, request, parse_envelope).await
    }

    /// Run `request`, read its whole body, parse it with `parse`, then zero the buffer and
    /// the request.
    async fn parsed<T>(
        &self,
        operation: &str,
        mut request: VaultRequest,
        parse: fn(&str, &str, u16, &[u8]) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let parsed = async {
            let response = self.inner.execute(operation, &mut request).await?;
            let status = response.status;
            let bytes = read_body(operation, &request.path, response).await?;
            let parsed = parse(operation, &request.path, status, &bytes);
            zeroize_bytes(bytes);
            parsed
        }
        .await;
        request.zeroize();
        parsed
    }
}

/// Send `request` through a bare transport (no token; `X-Vault-Request` and the namespace are
/// set) and map its status, inside the `vault.request` span. For the auth methods' login calls
/// and raw `sys/` reads; everything with a token goes through [`VaultClient`].
pub(crate) async fn exchange(
    transport: &dyn Transport,
    operation: &str,
    namespace: Option<&str>,
    mut request: VaultRequest,
) -> Result<(u16, Bytes), VaultError> {
    use tracing::Instrument;
    request.set_vault_headers(None, namespace);
    let span = request_span(&request);
    let answer = async {
        let response = transport
            .send(&mut request)
            .await
            .map_err(|e| e.with_operation(operation).with_path(&request.path))?;
        let path = request.path.as_str();
        let response = crate::status::check(operation, path, response).await?;
        let status = response.status;
        Ok((status, read_body(operation, path, response).await?))
    }
    .instrument(span)
    .await;
    request.zeroize();
    answer
}

/// The span every request runs in (method and path; never headers or bodies).
pub(crate) fn request_span(request: &VaultRequest) -> tracing::Span {
    tracing::info_span!("vault.request", method = %request.method, path = %request.path)
}

/// Read a whole 2xx body; a body cut short is a `Connection` error naming the call.
pub(crate) async fn read_body(
    operation: &str,
    path: &str,
    response: VaultResponse,
) -> Result<Bytes, VaultError> {
    response.into_bytes().await.map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Connection,
            format!("response was cut short: {e}"),
        )
        .with_operation(operation)
        .with_path(path)
    })
}

#[derive(serde::Deserialize)]
struct DataOnly<T> {
    #[serde(default = "none")]
    data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// Parse a 2xx body's `data` as `T`; an empty body (204) or `"data": null` is `None`.
pub(crate) fn parse_data<T: DeserializeOwned>(
    operation: &str,
    path: &str,
    status: u16,
    bytes: &[u8],
) -> Result<Option<T>, VaultError> {
    parse_json::<DataOnly<T>>(operation, path, status, bytes).map(|d| d.and_then(|d| d.data))
}

/// Parse a 2xx body as an [`Envelope`]; an empty body (204) is `None`.
pub(crate) fn parse_envelope(
    operation: &str,
    path: &str,
    status: u16,
    bytes: &[u8],
) -> Result<Option<Envelope>, VaultError> {
    parse_json(operation, path, status, bytes)
}

/// Parse a 2xx body as `T`; an empty body (204, or only white space) is `None`.
fn parse_json<T: DeserializeOwned>(
    operation: &str,
    path: &str,
    status: u16,
    bytes: &[u8],
) -> Result<Option<T>, VaultError> {
    if status == 204 || bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| unexpected(operation, path, status, &e))
}

/// A body that is not the JSON this endpoint answers with. The message names the place of the
/// problem and its category, never the offending text (which may be a secret value).
fn unexpected(operation: &str, path: &str, status: u16, e: &serde_json::Error) -> VaultError {
    let what = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "is not valid JSON"
        }
        serde_json::error::Category::Data => "does not have the shape this endpoint answers with",
        serde_json::error::Category::Io => "could not be read",
    };
    VaultError::msg(
        VaultErrorKind::Server,
        format!(
            "the answer {what} (line {}, column {})",
            e.line(),
            e.column()
        ),
    )
    .with_operation(operation)
    .with_path(path)
    .with_status(status)
}

/// The operation named in error messages for a bare [`VaultClient::send`]: the method in
/// lowercase.
fn operation_name(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Patch => "patch",
        Method::Delete => "delete",
        Method::List => "list",
        Method::Head => "head",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Keys {
        keys: Vec<String>,
    }

    #[test]
    fn data_is_parsed_straight_into_the_type() {
        let body = br#"{"request_id":"r","data":{"keys":["a","b/"]},"warnings":null}"#;
        let keys: Option<Keys> = parse_data("list", "p", 200, body).expect("parses");
        assert_eq!(keys.map(|k| k.keys), Some(vec!["a".into(), "b/".into()]));
        assert!(
            parse_data::<Keys>("list", "p", 204, b"")
                .expect("empty")
                .is_none()
        );
        assert!(
            parse_data::<Keys>("list", "p", 200, br#"{"data":null}"#)
                .expect("null")
                .is_none()
        );
    }

    /// A body of the wrong shape names the call, never the offending value.
    #[test]
    fn parse_errors_do_not_echo_the_body() {
        let body = br#"{"data":{"keys":"planted-secret-value"}}"#;
        let e = parse_data::<Keys>("list", "secret/x", 200, body).expect_err("wrong shape");
        let text = e.to_string();
        assert!(!text.contains("planted-secret-value"), "{text}");
        assert!(text.contains("list `secret/x`"), "{text}");
        let e = parse_envelope("read", "p", 200, b"planted-secret-value").expect_err("not json");
        assert!(!e.to_string().contains("planted"), "{e}");
    }
}
