//! `delete/:path`, `undelete/:path`, `destroy/:path`: act on chosen versions.

use vault_core::Method;

use super::KvV2;
use super::types::VersionsRequest;
use crate::call::json_request;
use crate::error::KvError;

impl KvV2 {
    /// Soft-delete `versions` of `path` (`POST delete/:path`). Undo with
    /// [`KvV2::undelete_versions`].
    pub async fn delete_versions(&self, path: &str, versions: &[u64]) -> Result<(), KvError> {
        self.versions_call("delete versions of", "delete", path, versions)
            .await
    }

    /// Restore soft-deleted `versions` (`POST undelete/:path`); destroyed versions stay gone.
    pub async fn undelete_versions(&self, path: &str, versions: &[u64]) -> Result<(), KvError> {
        self.versions_call("undelete versions of", "undelete", path, versions)
            .await
    }

    /// Remove the data of `versions` for good (`POST destroy/:path`).
    pub async fn destroy_versions(&self, path: &str, versions: &[u64]) -> Result<(), KvError> {
        self.versions_call("destroy versions of", "destroy", path, versions)
            .await
    }

    async fn versions_call(
        &self,
        op: &'static str,
        section: &str,
        path: &str,
        versions: &[u64],
    ) -> Result<(), KvError> {
        let target = self.h.target(op, path)?;
        if versions.is_empty() {
            return Err(KvError::validation(
                op,
                &target.logical(),
                "no version numbers given",
            ));
        }
        let body = VersionsRequest {
            versions: versions.to_vec(),
        };
        let request =
            json_request(Method::Post, target.v2(section), &body).map_err(|e| target.error(e))?;
        self.h.change(target, request).await
    }
}
