//! [`TokenAuth`]: use a token that already exists (`VAULT_TOKEN`). It cannot log in again.

use async_trait::async_trait;

use super::{AuthMethod, AuthToken};
use crate::error::{VaultError, VaultErrorKind};
use crate::{SecretString, Transport};

/// A static token. `login` hands it back without a request; the client learns its TTL through
/// `auth/token/lookup-self`. When it expires or is revoked the client reports an
/// `Authentication` error, since there is no credential to log in with again.
#[derive(Clone)]
pub struct TokenAuth {
    token: SecretString,
}

impl TokenAuth {
    /// Use `token` as is; it cannot log in again once it expires.
    pub fn new(token: impl Into<SecretString>) -> Self {
        TokenAuth {
            token: token.into(),
        }
    }
}

impl std::fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuth")
            .field("token", &self.token)
            .finish()
    }
}

#[async_trait]
impl AuthMethod for TokenAuth {
    async fn login(
        &self,
        _transport: &dyn Transport,
        _namespace: Option<&str>,
    ) -> Result<AuthToken, VaultError> {
        if self.token.expose().trim().is_empty() {
            return Err(VaultError::msg(
                VaultErrorKind::Authentication,
                "the Vault token is empty",
            )
            .with_operation("token login")
            .with_hint("set VAULT_TOKEN or pass a token to with_token(..)"));
        }
        Ok(AuthToken {
            token: self.token.clone(),
            accessor: None,
            lease_duration: None,
            renewable: false,
            policies: Vec::new(),
        })
    }

    fn can_relogin(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        "token"
    }
}
