//! ACL policy CRUD over `sys/policies/acl/<name>` ([API](https://developer.hashicorp.com/vault/api-docs/system/policies)).

use serde::Deserialize;
use serde_json::json;

use super::policy::{AccessPolicy, validate_policy_name};
use crate::{VaultClient, VaultError, VaultErrorKind};

const ACL: &str = "sys/policies/acl";

/// `data` of `GET sys/policies/acl/<name>`.
#[derive(Debug, Deserialize)]
struct PolicyData {
    #[serde(default)]
    policy: String,
}

impl VaultClient {
    /// Validate `policy`, render it to HCL and store it under its name (create or replace).
    pub async fn write_policy(&self, policy: &AccessPolicy) -> Result<(), VaultError> {
        policy.validate()?;
        self.write_policy_hcl(&policy.name, &policy.to_hcl()).await
    }

    /// Store policy text (HCL or JSON) as it is under `name` (create or replace). Vault checks the
    /// syntax and answers 400 with its parser's message when it cannot read the text.
    pub async fn write_policy_hcl(&self, name: &str, hcl: &str) -> Result<(), VaultError> {
        validate_policy_name(name)?;
        if hcl.trim().is_empty() {
            return Err(VaultError::new(VaultErrorKind::Validation)
                .with_operation("write policy")
                .with_path(format!("{ACL}/{name}"))
                .with_message("the policy text is empty")
                .with_hint("give at least one `path \"…\" { capabilities = [...] }` block"));
        }
        self.write(&format!("{ACL}/{name}"), json!({ "policy": hcl }))
            .await?;
        Ok(())
    }

    /// The stored text of policy `name`, or `None` when there is no such policy.
    pub async fn read_policy(&self, name: &str) -> Result<Option<String>, VaultError> {
        if name != "root" {
            // `root` can be read, just not written.
            validate_policy_name(name)?;
        }
        let path = format!("{ACL}/{name}");
        let envelope = match self.read(&path).await {
            Ok(Some(envelope)) => envelope,
            Ok(None) => return Ok(None),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let data: PolicyData = envelope.data_as().map_err(|e| {
            VaultError::new(VaultErrorKind::Server)
                .with_operation("read policy")
                .with_path(path.clone())
                .with_message("the answer has no `policy` text")
                .with_source(e)
        })?;
        Ok(Some(data.policy))
    }

    /// Names of all ACL policies (including the built-in `default` and `root`).
    pub async fn list_policies(&self) -> Result<Vec<String>, VaultError> {
        self.list(ACL).await
    }

    /// Delete policy `name`. Deleting a policy that does not exist succeeds; `default` and `root`
    /// cannot be deleted (Vault answers 400).
    pub async fn delete_policy(&self, name: &str) -> Result<(), VaultError> {
        validate_policy_name(name)?;
        self.delete(&format!("{ACL}/{name}")).await?;
        Ok(())
    }
}
