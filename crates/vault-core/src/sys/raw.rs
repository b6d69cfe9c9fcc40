//! Unauthenticated calls to root-namespace `sys/` endpoints, straight through the transport.

use bytes::Bytes;

use crate::{Method, VaultClient, VaultError, VaultErrorKind, VaultRequest};

/// A fully read answer from the server (any status).
pub(crate) struct RawAnswer {
    pub status: u16,
    pub body: Bytes,
}

/// `GET <path>` with no token, no namespace and no retry. Only a failure to get an answer is `Err`.
pub(crate) async fn get(
    client: &VaultClient,
    operation: &str,
    path: &str,
) -> Result<RawAnswer, VaultError> {
    let mut request = VaultRequest::new(Method::Get, path);
    request.set_vault_headers(None, None);
    let response = client.transport().send(&mut request).await.map_err(|e| {
        e.with_operation(operation.to_string())
            .with_path(path.to_string())
    })?;
    let status = response.status;
    let body = response.into_bytes().await.map_err(|e| {
        VaultError::new(VaultErrorKind::Connection)
            .with_operation(operation.to_string())
            .with_path(path.to_string())
            .with_message("the response body was cut off")
            .with_source(e)
    })?;
    Ok(RawAnswer { status, body })
}

/// Like [`get`], but a status >= 300 becomes the usual [`VaultError`] for that status (through
/// the one status mapping, [`crate::client::call::exchange`]).
pub(crate) async fn get_ok(
    client: &VaultClient,
    operation: &str,
    path: &str,
) -> Result<Bytes, VaultError> {
    let request = VaultRequest::new(Method::Get, path);
    let (_, body) =
        crate::client::call::exchange(client.transport().as_ref(), operation, None, request)
            .await?;
    Ok(body)
}

/// Parse a JSON body, naming the endpoint when the server sent something else.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    operation: &str,
    path: &str,
    body: &[u8],
) -> Result<T, VaultError> {
    crate::json_body::parse(body).map_err(|e| {
        VaultError::new(VaultErrorKind::Server)
            .with_operation(operation.to_string())
            .with_path(path.to_string())
            .with_message("the server's answer is not the JSON document this endpoint returns")
            .with_source(e)
    })
}
