//! [`AppRoleAuth`]: log in with a role_id and a secret_id (`POST auth/<mount>/login`).

use async_trait::async_trait;
use serde_json::json;

use super::login::login_request;
use super::{AuthMethod, AuthToken};
use crate::error::{VaultError, VaultErrorKind};
use crate::{SecretString, Transport};

/// AppRole credentials. The secret_id is a [`SecretString`]; `Debug` never shows it.
#[derive(Clone)]
pub struct AppRoleAuth {
    role_id: String,
    secret_id: SecretString,
    mount: String,
}

impl AppRoleAuth {
    /// AppRole login with `role_id` and `secret_id` at the default mount `approle`.
    pub fn new(role_id: impl Into<String>, secret_id: impl Into<SecretString>) -> Self {
        AppRoleAuth {
            role_id: role_id.into(),
            secret_id: secret_id.into(),
            mount: "approle".into(),
        }
    }

    /// The mount path of the AppRole method (default `approle`).
    pub fn with_mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into().trim_matches('/').to_string();
        self
    }

    /// The role id (not secret; it names the role).
    pub fn role_id(&self) -> &str {
        &self.role_id
    }

    /// Mount path of the AppRole method.
    pub fn mount(&self) -> &str {
        &self.mount
    }
}

impl std::fmt::Debug for AppRoleAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRoleAuth")
            .field("role_id", &self.role_id)
            .field("secret_id", &self.secret_id)
            .field("mount", &self.mount)
            .finish()
    }
}

#[async_trait]
impl AuthMethod for AppRoleAuth {
    async fn login(
        &self,
        transport: &dyn Transport,
        namespace: Option<&str>,
    ) -> Result<AuthToken, VaultError> {
        if self.role_id.trim().is_empty() {
            return Err(VaultError::msg(
                VaultErrorKind::Authentication,
                "AppRole role_id is empty",
            )
            .with_operation("approle login")
            .with_hint("set VAULT_ROLE_ID (or role_id in the configuration)"));
        }
        let mut body = json!({ "role_id": self.role_id });
        if !self.secret_id.is_empty() {
            body["secret_id"] = json!(self.secret_id.expose());
        }
        login_request(
            transport,
            namespace,
            "approle",
            &self.mount,
            body,
            "check VAULT_ROLE_ID / VAULT_SECRET_ID (the secret_id may have expired or run out of uses) and the mount path",
        )
        .await
    }

    fn can_relogin(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "approle"
    }
}
