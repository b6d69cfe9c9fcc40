//! The token slot: lazy login, TTL discovery (`auth/token/lookup-self`), renewal
//! (`auth/token/renew-self`), re-login, and telling a dead token from a missing permission.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::Inner;
use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{Method, Transport, VaultRequest};
use crate::{SecretString, VaultErrorKind as K};

/// The token in use and what the client knows about its lifetime.
pub(crate) struct TokenState {
    pub(crate) token: SecretString,
    /// Increases at every login; lets concurrent callers see that someone else logged in.
    pub(crate) generation: u64,
    /// Remaining lifetime as of `refreshed_at`; `None` or zero = does not expire / unknown.
    pub(crate) lease: Option<Duration>,
    /// The TTL asked for at renewal (the token's TTL at login).
    pub(crate) increment: Option<Duration>,
    pub(crate) refreshed_at: Instant,
    pub(crate) renewable: bool,
    /// Renewal no longer extends the lease (max TTL reached): log in again instead.
    pub(crate) capped: bool,
}

/// What the request path needs of the token slot: the token (shared, so a read is a refcount
/// bump) and its generation.
pub(crate) type Current = (Arc<SecretString>, u64);

/// The subset of `lookup-self` data the client needs.
#[derive(Deserialize)]
struct LookupData {
    #[serde(default)]
    ttl: u64,
    #[serde(default)]
    creation_ttl: u64,
    #[serde(default)]
    renewable: bool,
}

impl Inner {
    /// A request to Vault carrying `token` and the client's namespace.
    pub(crate) fn authed(&self, method: Method, path: &str, token: &SecretString) -> VaultRequest {
        let mut r = VaultRequest::new(method, path)
            .with_header("X-Vault-Token", token.expose())
            .with_header("X-Vault-Request", "true");
        if let Some(ns) = &self.namespace {
            r = r.with_header("X-Vault-Namespace", ns);
        }
        r
    }

    /// The current token and its generation, logging in first if there is none. The common case
    /// (a token is there) takes only a short synchronous read lock.
    pub(crate) async fn current_token(self: &Arc<Self>) -> Result<Current, VaultError> {
        if let Some(current) = self.published() {
            return Ok(current);
        }
        let mut slot = self.slot.lock().await;
        if slot.is_none() {
            self.login_locked(&mut slot).await?;
        }
        let state = slot
            .as_ref()
            .ok_or_else(|| VaultError::msg(K::Authentication, "login produced no token"))?;
        Ok((Arc::new(state.token.clone()), state.generation))
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

    /// Copy the slot's token and generation to the lock-free read path. Called with the slot
    /// locked, after every change of token.
    pub(crate) fn publish(&self, slot: &Option<TokenState>) {
        let value = slot
            .as_ref()
            .map(|s| (Arc::new(s.token.clone()), s.generation));
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = value;
    }

    /// Log in again unless another caller already replaced the token of `generation`.
    pub(crate) async fn relogin(self: &Arc<Self>, generation: u64) -> Result<(), VaultError> {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|s| s.generation != generation) {
            return Ok(());
        }
        self.login_locked(&mut slot).await
    }

    /// Log in through the auth method and fill the slot; starts the renewal task once.
    pub(crate) async fn login_locked(
        self: &Arc<Self>,
        slot: &mut Option<TokenState>,
    ) -> Result<(), VaultError> {
        let auth = self
            .auth
            .login(&self.retrying, self.namespace.as_deref())
            .await?;
        self.stats.login();
        let (mut lease, mut increment, mut renewable) =
            (auth.lease_duration, auth.lease_duration, auth.renewable);
        if lease.is_none() {
            // A bare token: ask Vault about it. Failure is not fatal here (the token may lack
            // the default policy); a dead token shows up on the first real request.
            match self.lookup_self(&auth.token).await {
                Ok(Some(data)) => {
                    lease = Some(Duration::from_secs(data.ttl));
                    increment = Some(Duration::from_secs(data.creation_ttl.max(data.ttl)));
                    renewable = data.renewable;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(kind = %e.kind(), "token lookup-self failed; lifetime unknown")
                }
            }
        }
        let generation = slot.as_ref().map_or(1, |s| s.generation + 1);
        *slot = Some(TokenState {
            token: auth.token,
            generation,
            lease,
            increment,
            refreshed_at: Instant::now(),
            renewable,
            capped: false,
        });
        self.publish(slot);
        tracing::debug!(
            method = self.auth.name(),
            ?lease,
            renewable,
            generation,
            "logged in"
        );
        self.changed.notify_one();
        if !self
            .renewal_started
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            super::renewal::spawn(self);
        }
        Ok(())
    }

    /// `GET auth/token/lookup-self` for `token`: `Ok(None)` when the answer has no data.
    async fn lookup_self(&self, token: &SecretString) -> Result<Option<LookupData>, VaultError> {
        let envelope = self
            .call(
                self.authed(Method::Get, "auth/token/lookup-self", token),
                "lookup-self",
            )
            .await?;
        Ok(envelope.and_then(|e| e.data_as::<LookupData>().ok()))
    }

    /// `POST auth/token/renew-self`; returns the new lease.
    pub(crate) async fn renew_self(
        &self,
        token: &SecretString,
        increment: Option<Duration>,
    ) -> Result<Duration, VaultError> {
        let mut request = self.authed(Method::Post, "auth/token/renew-self", token);
        request = match increment {
            Some(i) if !i.is_zero() => request.with_json(json!({ "increment": i.as_secs() })),
            _ => request.with_json(json!({})),
        };
        let envelope = self.call(request, "renew-self").await?;
        let auth = envelope.and_then(|e| e.auth).ok_or_else(|| {
            VaultError::msg(K::Server, "renew-self answer carries no `auth` block")
                .with_path("auth/token/renew-self")
        })?;
        Ok(Duration::from_secs(auth.lease_duration))
    }

    /// Whether a 403 means the token itself is dead (expired, revoked, unknown) rather than a
    /// missing permission. Vault ≥ 1.17 says `invalid token`; older servers and OpenBao only
    /// say `permission denied`, so then `lookup-self` decides.
    pub(crate) async fn token_is_dead(&self, err: &VaultError, token: &SecretString) -> bool {
        match err.kind() {
            VaultErrorKind::InvalidToken => true,
            VaultErrorKind::Permission => match self.lookup_self(token).await {
                Err(e) => matches!(e.kind(), K::Permission | K::InvalidToken),
                Ok(_) => false,
            },
            _ => false,
        }
    }

    /// Send through the retrying transport, map errors, parse the envelope (`None` on 204).
    async fn call(
        &self,
        request: VaultRequest,
        operation: &str,
    ) -> Result<Option<Envelope>, VaultError> {
        let path = request.path.clone();
        let response = self
            .retrying
            .send(request)
            .await
            .map_err(|e| e.with_operation(operation).with_path(&path))?;
        let status = response.status;
        let headers = response.headers.clone();
        let bytes = response.into_bytes().await.map_err(|e| {
            VaultError::msg(K::Connection, format!("response was cut short: {e}"))
                .with_operation(operation)
                .with_path(&path)
        })?;
        if status >= 300 {
            return Err(crate::status::error_from_response(
                operation, &path, status, &headers, &bytes,
            ));
        }
        super::ops::parse_envelope(operation, &path, status, &bytes)
    }
}
