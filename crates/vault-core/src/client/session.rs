//! The token slot's I/O: lazy login, `lookup-self`, `renew-self`, `revoke-self`, re-login, and
//! the evidence that a token is dead. The state and its transitions are in `token.rs`.
//!
//! Architecture Invariant: the slot's lock is held across a network call only while logging in
//! (so that concurrent re-logins collapse into one); renewal and revocation run without it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::Inner;
use super::token::{Current, LookupData, TokenState, lease_from_secs};
use crate::SecretString;
use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind as K};
use crate::transport::{Method, VaultRequest, zeroize_bytes};

impl Inner {
    /// The current token, logging in first if there is none. The common case (a token is there)
    /// takes only a short synchronous read lock.
    pub(crate) async fn current_token(self: &Arc<Self>) -> Result<Current, VaultError> {
        if let Some(current) = self.published() {
            return Ok(current);
        }
        let mut slot = self.slot.lock().await;
        if slot.is_none() {
            self.login_locked(&mut slot).await?;
        }
        slot.as_ref()
            .map(TokenState::current)
            .ok_or_else(|| VaultError::msg(K::Authentication, "login produced no token"))
    }

    /// The token last published by [`Inner::publish`], if any.
    fn published(&self) -> Option<Current> {
        // A poisoned lock only means a panic elsewhere while publishing; the value is still a
        // whole `Option`, so read it anyway.
        let guard = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.clone()
    }

    /// Copy the slot's token to the lock-free read path. Called with the slot locked, after
    /// every change of the state.
    pub(crate) fn publish(&self, slot: &Option<TokenState>) {
        let value = slot.as_ref().map(TokenState::current);
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = value;
    }

    /// Log in again unless another caller already replaced the token of `generation`: at most
    /// one re-login per token generation. The replaced token is revoked.
    pub(crate) async fn relogin(self: &Arc<Self>, generation: u64) -> Result<(), VaultError> {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|s| s.generation != generation) {
            return Ok(());
        }
        self.login_locked(&mut slot).await
    }

    /// Log in through the auth method and fill the slot; starts the renewal task once. A token
    /// that this replaces is revoked in the background (`revoke-self`, best effort).
    pub(crate) async fn login_locked(
        self: &Arc<Self>,
        slot: &mut Option<TokenState>,
    ) -> Result<(), VaultError> {
        let auth = self
            .auth
            .login(&self.retrying, self.namespace.as_deref())
            .await?;
        self.stats.login();
        let lookup = if auth.lease_duration.is_none() {
            // A bare token: ask Vault about it. Failure is not fatal here (the token may lack
            // the default policy); a dead token shows up on the first real request.
            match self.lookup_self(&auth.token).await {
                Ok(data) => data,
                Err(e) => {
                    tracing::debug!(kind = %e.kind(), "token lookup-self failed; lifetime unknown");
                    None
                }
            }
        } else {
            None
        };
        let generation = slot.as_ref().map_or(1, |s| s.generation + 1);
        let state = TokenState::logged_in(auth, generation, lookup);
        tracing::debug!(
            method = self.auth.name(),
            lease = ?state.lease,
            renewable = state.renewable,
            generation,
            "logged in"
        );
        let replaced = slot.replace(state);
        self.publish(slot);
        self.changed.notify_one();
        if let Some(old) = replaced
            && self.auth.can_relogin()
            && slot
                .as_ref()
                .is_some_and(|s| s.token.expose() != old.token.expose())
        {
            self.revoke_in_background(old.token);
        }
        if !self
            .renewal_started
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            super::renewal::spawn(self);
        }
        Ok(())
    }

    /// Revoke a replaced token without holding anything: a token that is already dead answers
    /// 403, which is fine.
    fn revoke_in_background(self: &Arc<Self>, token: SecretString) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let Some(inner) = weak.upgrade() else { return };
            let request = VaultRequest::new(Method::Post, "auth/token/revoke-self");
            match inner
                .envelope_with_token("revoke-self", request, &token)
                .await
            {
                Ok(_) => {
                    inner.stats.revocation();
                    tracing::debug!("replaced token revoked");
                }
                Err(e) => tracing::debug!(kind = %e.kind(), "revoking the replaced token failed"),
            }
        });
    }

    /// `GET auth/token/lookup-self` for `token`: `Ok(None)` when the answer has no data.
    async fn lookup_self(&self, token: &SecretString) -> Result<Option<LookupData>, VaultError> {
        let request = VaultRequest::new(Method::Get, "auth/token/lookup-self");
        let envelope = self
            .envelope_with_token("lookup-self", request, token)
            .await?;
        Ok(envelope.and_then(|e| e.data_as::<LookupData>().ok()))
    }

    /// `POST auth/token/renew-self`; returns the new lease (clamped, see `token.rs`).
    pub(crate) async fn renew_self(
        &self,
        token: &SecretString,
        increment: Option<Duration>,
    ) -> Result<Duration, VaultError> {
        let request = VaultRequest::new(Method::Post, "auth/token/renew-self");
        let request = match increment {
            Some(i) if !i.is_zero() => request.with_json(json!({ "increment": i.as_secs() })),
            _ => request.with_json(json!({})),
        };
        let envelope = self
            .envelope_with_token("renew-self", request, token)
            .await?;
        let auth = envelope.and_then(|e| e.auth).ok_or_else(|| {
            VaultError::msg(K::Server, "renew-self answer carries no `auth` block")
                .with_path("auth/token/renew-self")
        })?;
        Ok(lease_from_secs(auth.lease_duration))
    }

    /// Whether a refused request is evidence that the token itself is dead (expired, revoked,
    /// unknown) rather than a missing permission:
    /// - Vault said `invalid token` (Vault ≥ 1.17), or
    /// - the token's known TTL has run out, or
    /// - `lookup-self` says `invalid token`, or is refused for a token whose policies include
    ///   `default` (which allows it). A token without `default` (`token_no_default_policy`) may
    ///   not look itself up, so then its refusal says nothing: a denied read stays a denied read,
    ///   and no login (no AppRole `secret_id` use) is spent on it.
    pub(crate) async fn token_is_dead(&self, err: &VaultError, current: &Current) -> bool {
        match err.kind() {
            K::InvalidToken => true,
            K::Permission if current.is_known_expired(Instant::now()) => true,
            K::Permission => match self.lookup_self(&current.token).await {
                Err(e) if e.kind() == K::InvalidToken => true,
                Err(e) if e.kind() == K::Permission => current.may_lookup_self,
                _ => false,
            },
            _ => false,
        }
    }

    /// Send through the replay loop with `token` (not the slot's: used while the slot is being
    /// filled), map the status and parse the envelope (`None` on 204).
    async fn envelope_with_token(
        &self,
        operation: &str,
        mut request: VaultRequest,
        token: &SecretString,
    ) -> Result<Option<Envelope>, VaultError> {
        let envelope = async {
            let response = self.attempt(operation, &mut request, Some(token)).await?;
            let status = response.status;
            let path = request.path.as_str();
            let bytes = super::call::read_body(operation, path, response).await?;
            let envelope = super::call::parse_envelope(operation, path, status, &bytes);
            zeroize_bytes(bytes);
            envelope
        }
        .await;
        request.zeroize();
        envelope
    }
}
