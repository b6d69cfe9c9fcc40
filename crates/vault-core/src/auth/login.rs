//! The login request shared by the auth methods: `POST auth/<mount>/login`, envelope → [`AuthToken`].

use std::time::Duration;

use crate::client::call::{exchange, parse_envelope};
use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{Method, Transport, VaultRequest, zeroize_bytes};

use super::AuthToken;

/// Send a login request and turn the answer into a token, or into an `Authentication` error that
/// names the method, the mount and what to check (`check`). `body` holds credentials and is never
/// printed. Sent through [`crate::client::call::exchange`] (headers, span, status mapping).
pub(crate) async fn login_request(
    transport: &dyn Transport,
    namespace: Option<&str>,
    method: &str,
    mount: &str,
    body: serde_json::Value,
    check: &str,
) -> Result<AuthToken, VaultError> {
    let path = format!("auth/{}/login", mount.trim_matches('/'));
    let request = VaultRequest::new(Method::Post, &path).with_json(body);
    let operation = format!("{method} login");
    let (status, bytes) = match exchange(transport, &operation, namespace, request).await {
        Ok(answer) => answer,
        // Sealed, rate-limited and failing servers stay what they are; rejections are auth
        // failures.
        Err(err)
            if err.status().is_none_or(|s| s >= 500)
                || matches!(
                    err.kind(),
                    VaultErrorKind::Sealed
                        | VaultErrorKind::Uninitialized
                        | VaultErrorKind::RateLimited
                ) =>
        {
            return Err(err);
        }
        Err(err) => {
            return Err(err
                .with_kind(VaultErrorKind::Authentication)
                .with_hint(format!(
                    "{method} login at mount `{mount}` was rejected; {check}"
                )));
        }
    };
    let parsed = parse_envelope(&operation, &path, status, &bytes);
    zeroize_bytes(bytes);
    let envelope: Envelope = parsed
        .map_err(|e| e.with_kind(VaultErrorKind::Authentication))?
        .unwrap_or_default();
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
