//! Pointing an OpenBao `kubernetes` auth mount at a [`TokenReviewer`].

use serde_json::json;

use super::TokenReviewer;
use crate::OpenBao;

impl OpenBao {
    /// Enables `auth/kubernetes` (unless already enabled), configures it to review tokens
    /// with `reviewer` (`disable_local_ca_jwt`, a placeholder `token_reviewer_jwt`), and
    /// creates `role` bound to service account `sa_name` in `namespace` with `policies`.
    pub async fn enable_kubernetes_auth(
        &self,
        reviewer: &TokenReviewer,
        role: &str,
        sa_name: &str,
        namespace: &str,
        policies: &[&str],
    ) {
        let (status, auths) = self.api("GET", "sys/auth", None).await;
        self.check("list auth methods", status, &auths);
        let enabled =
            auths.get("kubernetes/").is_some() || auths["data"].get("kubernetes/").is_some();
        if !enabled {
            let (status, body) = self
                .api(
                    "POST",
                    "sys/auth/kubernetes",
                    Some(json!({"type": "kubernetes"})),
                )
                .await;
            self.check(
                "enable kubernetes auth (POST sys/auth/kubernetes)",
                status,
                &body,
            );
        }
        let (status, body) = self
            .api(
                "POST",
                "auth/kubernetes/config",
                Some(json!({
                    "kubernetes_host": reviewer.addr(),
                    "disable_local_ca_jwt": true,
                    "kubernetes_ca_cert": reviewer.ca_cert_pem(),
                    "token_reviewer_jwt": "vault-testkit-token-reviewer",
                })),
            )
            .await;
        self.check(
            "configure kubernetes auth (POST auth/kubernetes/config)",
            status,
            &body,
        );
        let path = format!("auth/kubernetes/role/{role}");
        let (status, body) = self
            .api(
                "POST",
                &path,
                Some(json!({
                    "bound_service_account_names": [sa_name],
                    "bound_service_account_namespaces": [namespace],
                    "token_policies": policies,
                    "token_ttl": "1h",
                })),
            )
            .await;
        self.check(
            &format!("create the kubernetes role (POST {path})"),
            status,
            &body,
        );
    }
}
