//! `data/:path`: read (latest or a version), create/update with `cas`, merge-patch, delete latest.

use serde::Serialize;
use vault_core::{Method, VaultErrorKind, VaultRequest};

use super::KvV2;
use super::types::{ReadSecretResponse, VersionMetadata, WriteSecretRequest};
use crate::cache::CachedSecret;
use crate::call::{Target, clean_path, json_request, send_data, to_object};
use crate::error::KvError;
use crate::secret::VaultSecret;

impl KvV2 {
    /// Read the latest version of `path`.
    ///
    /// Errors tell apart a missing key ([`KvError::NotFound`]), a soft-deleted or destroyed
    /// latest version, a missing mount and a refused token.
    pub async fn read(&self, path: &str) -> Result<VaultSecret, KvError> {
        self.read_owned(path, None).await
    }

    /// Read version `version` of `path`.
    pub async fn read_version(&self, path: &str, version: u64) -> Result<VaultSecret, KvError> {
        self.read_owned(path, Some(version)).await
    }

    /// Uncached handles skip the shared wrapper entirely.
    async fn read_owned(&self, path: &str, version: Option<u64>) -> Result<VaultSecret, KvError> {
        if !self.h.is_cached() {
            let path = clean_path("read", &self.h.mount, path, false)?;
            return self.fetch_secret(path, version).await;
        }
        Ok(self.read_shared(path, version).await?.into_secret())
    }

    /// Read through the cache when this handle has one, returning the shared value.
    pub(crate) async fn read_shared(
        &self,
        path: &str,
        version: Option<u64>,
    ) -> Result<CachedSecret, KvError> {
        let path = clean_path("read", &self.h.mount, path, false)?;
        self.h
            .read_through(path, version, self.fetch_secret(path, version))
            .await
    }

    /// One `GET data/:path` round trip, no cache.
    pub(crate) async fn fetch_secret(
        &self,
        path: &str,
        version: Option<u64>,
    ) -> Result<VaultSecret, KvError> {
        let target = Target {
            op: "read",
            mount: &self.h.mount,
            path,
        };
        let mut request = VaultRequest::new(Method::Get, target.v2("data"));
        if let Some(v) = version {
            request = request.with_query("version", v.to_string());
        }
        match send_data::<ReadSecretResponse>(&self.h.client, target, request).await {
            Ok(Some(r))
                if r.data.is_empty() && (r.metadata.destroyed || r.metadata.is_deleted()) =>
            {
                Err(self.explain_empty(target, &r.metadata).await)
            }
            Ok(Some(r)) => Ok(VaultSecret {
                path: path.to_string(),
                data: r.data,
                metadata: r.metadata,
            }),
            Ok(None) => Err(self.explain_missing(target, version).await),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => {
                Err(self.explain_missing(target, version).await)
            }
            Err(e) => Err(target.error(e)),
        }
    }

    /// Create or update `path` (`POST data/:path`). With `request.with_cas(n)` the write only
    /// succeeds if the key is at version `n`, else [`KvError::CasMismatch`] names the current one.
    pub async fn write(
        &self,
        path: &str,
        request: &WriteSecretRequest,
    ) -> Result<VersionMetadata, KvError> {
        let target = self.h.target("write", path)?;
        let path = target.path;
        let http =
            json_request(Method::Post, target.v2("data"), request).map_err(|e| target.error(e))?;
        let result = send_data::<VersionMetadata>(&self.h.client, target, http).await;
        self.h.invalidate(path);
        match result {
            Ok(meta) => Ok(meta.unwrap_or_default()),
            Err(e) => {
                if let Some(meta) = self.replayed_cas_write_landed(target, request, &e).await {
                    return Ok(meta);
                }
                Err(self.explain_write_error(target, request.cas(), e).await)
            }
        }
    }

    /// A check-and-set write that vault-core's replay loop sent twice (the first attempt's answer
    /// was lost: a 5xx or a dropped connection after sending) fails its second attempt with a CAS
    /// mismatch when the first one was applied. It succeeded then: when version `cas + 1` holds
    /// exactly the data written, that version's metadata is the answer. Anything else (another
    /// writer's data, no replay, no permission to read) stays the error it was.
    async fn replayed_cas_write_landed(
        &self,
        target: Target<'_>,
        request: &WriteSecretRequest,
        e: &vault_core::VaultError,
    ) -> Option<VersionMetadata> {
        let cas = request.cas()?;
        if e.attempts() < 2
            || e.kind() != VaultErrorKind::Validation
            || !e
                .vault_errors()
                .iter()
                .any(|m| m.contains("did not match the current version"))
        {
            return None;
        }
        let written = self
            .fetch_secret(target.path, Some(cas.checked_add(1)?))
            .await
            .ok()?;
        if written.data.expose() != &request.data {
            return None;
        }
        tracing::debug!(
            path = %target.logical(),
            version = cas + 1,
            "a replayed check-and-set write had been applied by its first attempt"
        );
        Some(written.metadata)
    }

    /// Write `data` (any serializable map or struct) to `path` as a new version, without CAS.
    pub async fn write_data(
        &self,
        path: &str,
        data: &impl Serialize,
    ) -> Result<VersionMetadata, KvError> {
        let logical = format!("{}/{}", self.h.mount, path.trim_matches('/'));
        self.write(
            path,
            &WriteSecretRequest::new(to_object("write", &logical, data)?),
        )
        .await
    }

    /// Write `data` only if the key is at version `cas` (0: only if it does not exist yet).
    pub async fn write_cas(
        &self,
        path: &str,
        data: &impl Serialize,
        cas: u64,
    ) -> Result<VersionMetadata, KvError> {
        let logical = format!("{}/{}", self.h.mount, path.trim_matches('/'));
        self.write(
            path,
            &WriteSecretRequest::new(to_object("write", &logical, data)?).with_cas(cas),
        )
        .await
    }

    /// Merge `data` into the latest version as a JSON merge patch (RFC 7396: `null` removes a
    /// key), creating a new version. Fails with [`KvError::NotFound`] if the key does not exist.
    pub async fn patch(
        &self,
        path: &str,
        data: &impl Serialize,
        cas: Option<u64>,
    ) -> Result<VersionMetadata, KvError> {
        let target = self.h.target("patch", path)?;
        let path = target.path;
        let mut body = WriteSecretRequest::new(to_object("patch", &target.logical(), data)?);
        if let Some(c) = cas {
            body = body.with_cas(c);
        }
        let http = json_request(Method::Patch, target.v2("data"), &body)
            .map_err(|e| target.error(e))?
            .with_header("Content-Type", "application/merge-patch+json");
        let result = send_data::<VersionMetadata>(&self.h.client, target, http).await;
        self.h.invalidate(path);
        match result {
            Ok(meta) => Ok(meta.unwrap_or_default()),
            Err(e) => Err(self.explain_write_error(target, cas, e).await),
        }
    }

    /// Soft-delete the latest version (`DELETE data/:path`); it can be undeleted.
    pub async fn delete_latest(&self, path: &str) -> Result<(), KvError> {
        self.delete_under("delete", "data", path).await
    }

    /// `DELETE <segment>/:path` as operation `op`; the cache forgets `path` whatever the outcome.
    pub(super) async fn delete_under(
        &self,
        op: &'static str,
        segment: &str,
        path: &str,
    ) -> Result<(), KvError> {
        let target = self.h.target(op, path)?;
        let request = VaultRequest::new(Method::Delete, target.v2(segment));
        self.h.change(target, request).await
    }
}
