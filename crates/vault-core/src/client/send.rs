//! The request pipeline behind every [`super::VaultClient`] call (see `call.rs` for the public
//! helpers): set the `X-Vault-*` headers, log in lazily, send through the one replay loop
//! (`retry.rs`), map the status (`crate::status::check`), and on evidence of a dead token log in
//! again once and send the request a second time.

use std::sync::Arc;

use tracing::Instrument;

use super::Inner;
use super::call::request_span;
use crate::SecretString;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{TOKEN_HEADER, VaultRequest, VaultResponse};

impl Inner {
    /// Run `request` with the client's token (or the one it carries), inside the
    /// `vault.request` span. The caller keeps the request (for its path in messages) and clears
    /// it afterwards ([`VaultRequest::zeroize`]).
    pub(crate) async fn execute(
        self: &Arc<Self>,
        operation: &str,
        request: &mut VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        let span = request_span(request);
        self.execute_inner(operation, request)
            .instrument(span)
            .await
    }

    async fn execute_inner(
        self: &Arc<Self>,
        operation: &str,
        request: &mut VaultRequest,
    ) -> Result<VaultResponse, VaultError> {
        // A caller-supplied token (e.g. a wrapping token) is used as it is: no login, no re-login.
        if request.header(TOKEN_HEADER).is_some() {
            return self.attempt(operation, request, None).await;
        }
        let current = self.current_token().await?;
        let err = match self.attempt(operation, request, Some(&current.token)).await {
            Ok(response) => return Ok(response),
            Err(e) => e,
        };
        if err.status() != Some(403) || !self.token_is_dead(&err, &current).await {
            return Err(err);
        }
        if !self.auth.can_relogin() {
            return Err(dead_static_token(err, self.auth.name()));
        }
        tracing::info!(
            method = self.auth.name(),
            "token expired or revoked; logging in again"
        );
        self.relogin(current.generation).await?;
        if !request.body.is_replayable() {
            return Err(err.with_hint(
                "the token had expired; the client logged in again, but a streamed body cannot be replayed: send the request again",
            ));
        }
        // The same request again, with the fresh token in place of the dead one.
        request.remove_header(TOKEN_HEADER);
        let fresh = self.current_token().await?;
        match self.attempt(operation, request, Some(&fresh.token)).await {
            Err(e) if e.kind() == VaultErrorKind::InvalidToken => Err(e
                .with_kind(VaultErrorKind::Authentication)
                .with_hint(
                    "the token from a fresh login was rejected too; check the auth method's role and policies",
                )),
            other => other,
        }
    }

    /// One call through the replay loop: headers (with `token` when given), send, status check.
    /// An error says how many attempts the loop made when it made more than one.
    pub(crate) async fn attempt(
        &self,
        operation: &str,
        request: &mut VaultRequest,
        token: Option<&SecretString>,
    ) -> Result<VaultResponse, VaultError> {
        request.set_vault_headers(token.map(SecretString::expose), self.namespace.as_deref());
        let (outcome, attempts) = self.retrying.send_counted(request).await;
        let path = request.path.as_str();
        let checked = match outcome {
            Ok(response) => crate::status::check(operation, path, response).await,
            Err(e) => Err(e.with_operation(operation).with_path(path)),
        };
        checked.map_err(|e| {
            if attempts > 1 {
                e.with_attempts(attempts)
            } else {
                e
            }
        })
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
