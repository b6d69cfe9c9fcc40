//! Unauthenticated calls to root-namespace `sys/` endpoints, straight through the transport.

use bytes::Bytes;

use crate::{Method, VaultClient, VaultError, VaultErrorKind, VaultRequest};

/// A fully read answer from the server (any status).
pub(crate) struct RawAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// `GET <path>` with no token, no namespace and no retry. Only a failure to get an answer is `Err`.
pub(crate) async fn get(
    client: &VaultClient,
    operation: &str,
    path: &str,
) -> Result<RawAnswer, VaultError> {
    let request = VaultRequest::new(Method::Get, path).with_header("X-Vault-Request", "true");
    let response = client.transport().send(request).await.map_err(|e| {
        e.with_operation(operation.to_string())
            .with_path(path.to_string())
    })?;
    let status = response.status;
    let headers = response.headers.clone();
    let body = response.into_bytes().await.map_err(|e| {
        VaultError::new(VaultErrorKind::Connection)
            .with_operation(operation.to_string())
            .with_path(path.to_string())
            .with_message("the response body was cut off")
            .with_source(e)
    })?;
    Ok(RawAnswer {
        status,
        headers,
        body,
    })
}

/// Like [`get`], but a status >= 400 becomes the usual [`VaultError`] for that status.
pub(crate) async fn get_ok(
    client: &VaultClient,
    operation: &str,
    path: &str,
) -> Result<Bytes, VaultError> {
    let answer = get(client, operation, path).await?;
    if answer.status >= 400 {
        return Err(crate::error_from_response(
            operation,
            path,
            answer.status,
            &answer.headers,
            &answer.body,
        ));
    }
    Ok(answer.body)
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
