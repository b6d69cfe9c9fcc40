//! [`KubernetesAuth`]: log in with the pod's service-account JWT (`POST auth/<mount>/login`).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde_json::json;

use super::login::login_request;
use super::{AuthMethod, AuthToken};
use crate::Transport;
use crate::error::{VaultError, VaultErrorKind};

/// Kubernetes auth: a Vault role plus the JWT file, read afresh at every login (projected tokens
/// are rotated by the kubelet).
#[derive(Debug, Clone)]
pub struct KubernetesAuth {
    role: String,
    jwt_path: PathBuf,
    mount: String,
}

impl KubernetesAuth {
    /// Where Kubernetes mounts the service-account token in a pod.
    pub const DEFAULT_JWT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /// Kubernetes login as Vault role `role`, with the JWT at [`Self::DEFAULT_JWT_PATH`] and the
    /// mount `kubernetes`.
    pub fn new(role: impl Into<String>) -> Self {
        KubernetesAuth {
            role: role.into(),
            jwt_path: PathBuf::from(Self::DEFAULT_JWT_PATH),
            mount: "kubernetes".into(),
        }
    }

    /// The file holding the service-account JWT (default [`Self::DEFAULT_JWT_PATH`]).
    pub fn with_jwt_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.jwt_path = path.into();
        self
    }

    /// The mount path of the Kubernetes method (default `kubernetes`).
    pub fn with_mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into().trim_matches('/').to_string();
        self
    }

    /// The Vault role to log in as.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The file the service-account JWT is read from at each login.
    pub fn jwt_path(&self) -> &Path {
        &self.jwt_path
    }
}

#[async_trait]
impl AuthMethod for KubernetesAuth {
    async fn login(
        &self,
        transport: &dyn Transport,
        namespace: Option<&str>,
    ) -> Result<AuthToken, VaultError> {
        let jwt = tokio::fs::read_to_string(&self.jwt_path).await.map_err(|e| {
            VaultError::msg(
                VaultErrorKind::Authentication,
                format!("could not read the service-account JWT at `{}`: {e}", self.jwt_path.display()),
            )
            .with_operation("kubernetes login")
            .with_hint("run inside a pod with a mounted service-account token, or set kubernetes_jwt_path")
        })?;
        let jwt = crate::SecretString::new(jwt.trim());
        if jwt.is_empty() {
            return Err(VaultError::msg(
                VaultErrorKind::Authentication,
                format!(
                    "the service-account JWT file `{}` is empty",
                    self.jwt_path.display()
                ),
            )
            .with_operation("kubernetes login"));
        }
        login_request(
            transport,
            namespace,
            "kubernetes",
            &self.mount,
            json!({ "role": self.role, "jwt": jwt.expose() }),
            &format!(
                "check that role `{}` exists and binds this service account and namespace, and the method's kubernetes_host/TokenReview setup",
                self.role
            ),
        )
        .await
    }

    fn can_relogin(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "kubernetes"
    }
}
