//! The request pipeline behind every [`VaultClient`] call: add the token, namespace and
//! `X-Vault-Request` headers, log in lazily, send through the retrying transport, and on a 403
//! caused by a dead token log in again once and repeat the request.

use std::sync::Arc;

use tracing::Instrument;

use super::{Inner, VaultClient};
use crate::error::{VaultError, VaultErrorKind};
use crate::status::error_from_response;
use crate::transport::{Method, Transport, VaultRequest, VaultResponse};

impl VaultClient {
    /// Send one request with the client's token and namespace. Statuses >= 300 become a
    /// [`VaultError`] (see [`crate::error_from_response`]); a 2xx response is returned as it is
    /// (its body streamed if the request asked for it).
    pub async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        let operation = operation_name(request.method);
        self.inner.execute(operation, request).await
    }

    /// Like [`VaultClient::send`], naming the operation for error messages (e.g. `read`).
    pub async fn send_as(
        &self,
        operation: &str,
        request: VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        self.inner.execute(operation, request).await
    }
}

impl Inner {
    pub(crate) async fn execute(
        self: &Arc<Self>,
        operation: &str,
        request: VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        let span =
            tracing::info_span!("vault.request", method = %request.method, path = %request.path);
        self.execute_inner(operation, request)
            .instrument(span)
            .await
    }

    async fn execute_inner(
        self: &Arc<Self>,
        operation: &str,
        request: VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        let path = request.path.clone();
        // A caller-supplied token (e.g. a wrapping token) is used as it is: no login, no re-login.
        let own_token = request.header("X-Vault-Token").is_none();
        // A copy for the replay after a re-login; only a client that can log in again (and uses
        // its own token) ever replays, so only it pays for the copy.
        let mut spare = if own_token && self.auth.can_relogin() {
            request.try_clone()
        } else {
            None
        };
        let mut next = Some(request);
        let mut relogged = false;
        while let Some(mut request) = next.take() {
            let current = if own_token {
                Some(self.current_token().await?)
            } else {
                None
            };
            if let Some((token, _)) = &current {
                request
                    .headers
                    .push(("X-Vault-Token".into(), token.expose().to_string()));
            }
            if request.header("X-Vault-Request").is_none() {
                request
                    .headers
                    .push(("X-Vault-Request".into(), "true".into()));
            }
            if let Some(ns) = &self.namespace
                && request.header("X-Vault-Namespace").is_none()
            {
                request
                    .headers
                    .push(("X-Vault-Namespace".into(), ns.clone()));
            }
            let response = self
                .retrying
                .send(request)
                .await
                .map_err(|e| e.with_operation(operation).with_path(&path))?;
            if response.status < 300 {
                return Ok(response);
            }
            let status = response.status;
            let headers = response.headers.clone();
            let body = response.into_bytes().await.map_err(|e| {
                VaultError::msg(
                    VaultErrorKind::Connection,
                    format!("error response was cut short: {e}"),
                )
                .with_operation(operation)
                .with_path(&path)
                .with_status(status)
            })?;
            let err = error_from_response(operation, &path, status, &headers, &body);
            let Some((token, generation)) = current else {
                return Err(err);
            };
            if status != 403 || !self.token_is_dead(&err, &token).await {
                return Err(err);
            }
            if !self.auth.can_relogin() {
                return Err(dead_static_token(err, self.auth.name()));
            }
            if relogged {
                return Err(err.with_kind(VaultErrorKind::Authentication).with_hint(
                    "the token from a fresh login was rejected too; check the auth method's role and policies",
                ));
            }
            tracing::info!(
                method = self.auth.name(),
                "token expired or revoked; logging in again"
            );
            self.relogin(generation).await?;
            relogged = true;
            match spare.take() {
                Some(again) => {
                    spare = again.try_clone();
                    next = Some(again);
                }
                None => {
                    return Err(err.with_hint(
                        "the token had expired; the client logged in again, but a streamed body cannot be replayed: send the request again",
                    ));
                }
            }
        }
        Err(
            VaultError::msg(VaultErrorKind::Server, "no request to send")
                .with_operation(operation)
                .with_path(&path),
        )
    }
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

/// The error for a token-only client whose token died.
fn dead_static_token(err: VaultError, method: &str) -> VaultError {
    let mut out = VaultError::new(VaultErrorKind::InvalidToken)
        .with_message(format!(
            "the token expired or was revoked, and a `{method}` client cannot log in again"
        ))
        .with_errors(err.vault_errors().to_vec())
        .with_hint("supply a fresh token (VAULT_TOKEN), or configure AppRole or Kubernetes auth so the client can log in again");
    if let Some(op) = err.operation() {
        out = out.with_operation(op);
    }
    if let Some(path) = err.path() {
        out = out.with_path(path);
    }
    if let Some(status) = err.status() {
        out = out.with_status(status);
    }
    out
}
