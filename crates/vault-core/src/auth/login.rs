//! The login request shared by the auth methods: `POST auth/<mount>/login`, envelope → [`AuthToken`].

use std::time::Duration;

use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{Method, Transport, VaultRequest};

use super::AuthToken;

/// Header carrying the namespace.
pub(crate) const NAMESPACE_HEADER: &str = "X-Vault-Namespace";

/// Send a login request and turn the answer into a token, or into an `Authentication` error that
/// names the method, the mount and what to check (`check`). `body` holds credentials and is never
/// printed.
pub(crate) async fn login_request(
    transport: &dyn Transport,
    namespace: Option<&str>,
    method: &str,
    mount: &str,
    body: serde_json::Value,
    check: &str,
) -> Result<AuthToken, VaultError> {
    let path = format!("auth/{}/login", mount.trim_matches('/'));
    let mut request = VaultRequest::new(Method::Post, &path)
        .with_json(body)
        .with_header("X-Vault-Request", "true");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        request = request.with_header(NAMESPACE_HEADER, ns);
    }
    let operation = format!("{method} login");
    let response = transport
        .send(request)
        .await
        .map_err(|e| e.with_operation(&operation).with_path(&path))?;
    let status = response.status;
    let headers = response.headers.clone();
    let bytes = response.into_bytes().await.map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Connection,
            format!("login response was cut short: {e}"),
        )
        .with_operation(&operation)
        .with_path(&path)
    })?;
    if status >= 300 {
        let err = crate::status::error_from_response(&operation, &path, status, &headers, &bytes);
        // Sealed / connection-like server states stay what they are; rejections are auth failures.
        if matches!(
            err.kind(),
            VaultErrorKind::Sealed | VaultErrorKind::Uninitialized | VaultErrorKind::RateLimited
        ) || status >= 500
        {
            return Err(err);
        }
        return Err(err
            .with_kind(VaultErrorKind::Authentication)
            .with_hint(format!(
                "{method} login at mount `{mount}` was rejected; {check}"
            )));
    }
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Authentication,
            format!(
                "login answer is not Vault's JSON envelope: {}",
                crate::json_body::describe(&e)
            ),
        )
        .with_operation(&operation)
        .with_path(&path)
        .with_status(status)
    })?;
    let auth = envelope.auth.ok_or_else(|| {
        VaultError::msg(
            VaultErrorKind::Authentication,
            "login answer carries no `auth` block",
        )
        .with_operation(&operation)
        .with_path(&path)
        .with_status(status)
        .with_hint(format!("is `{mount}` really a {method} auth mount?"))
    })?;
    if auth.client_token.is_empty() {
        return Err(VaultError::msg(
            VaultErrorKind::Authentication,
            "login answer carries an empty token",
        )
        .with_operation(&operation)
        .with_path(&path));
    }
    Ok(AuthToken {
        lease_duration: Some(Duration::from_secs(auth.lease_duration)),
        renewable: auth.renewable,
        accessor: Some(auth.accessor.clone()).filter(|a| !a.is_empty()),
        policies: auth.policies.clone(),
        token: auth.client_token.clone(),
    })
}
