//! `metadata/:path` (read, write, patch, delete, list) and `subkeys/:path`.

use vault_core::{Method, VaultErrorKind, VaultRequest};

use super::KvV2;
use super::types::{KeyMetadata, MetadataRequest, SubkeysRequest, SubkeysResponse};
use crate::call::{Target, json_request, list_keys, send_data};
use crate::error::KvError;

impl KvV2 {
    /// Read the key's metadata and the state of every retained version (`GET metadata/:path`).
    pub async fn read_metadata(&self, path: &str) -> Result<KeyMetadata, KvError> {
        let target = self.h.target("read metadata of", path)?;
        match self.fetch_metadata(target).await {
            Ok(Some(meta)) => Ok(meta),
            Ok(None) => Err(KvError::NotFound {
                path: target.logical(),
                version: None,
                existing: Vec::new(),
            }),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Err(KvError::NotFound {
                path: target.logical(),
                version: None,
                existing: Vec::new(),
            }),
            Err(e) => Err(target.error(e)),
        }
    }

    pub(crate) async fn fetch_metadata(
        &self,
        target: Target<'_>,
    ) -> Result<Option<KeyMetadata>, vault_core::VaultError> {
        send_data::<KeyMetadata>(
            &self.h.client,
            target,
            VaultRequest::new(Method::Get, target.v2("metadata")),
        )
        .await
    }

    /// Create or replace the key's settings (`POST metadata/:path`); this may precede any data.
    pub async fn write_metadata(
        &self,
        path: &str,
        request: &MetadataRequest,
    ) -> Result<(), KvError> {
        self.metadata_call("write metadata of", Method::Post, path, request)
            .await
    }

    /// Change some of the key's settings (`PATCH metadata/:path`, merge patch). The key must
    /// exist.
    pub async fn patch_metadata(
        &self,
        path: &str,
        request: &MetadataRequest,
    ) -> Result<(), KvError> {
        self.metadata_call("patch metadata of", Method::Patch, path, request)
            .await
    }

    async fn metadata_call(
        &self,
        op: &'static str,
        method: Method,
        path: &str,
        body: &MetadataRequest,
    ) -> Result<(), KvError> {
        let target = self.h.target(op, path)?;
        let mut request =
            json_request(method, target.v2("metadata"), body).map_err(|e| target.error(e))?;
        if method == Method::Patch {
            request = request.with_header("Content-Type", "application/merge-patch+json");
        }
        match send_data::<serde_json::Value>(&self.h.client, target, request).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Err(KvError::NotFound {
                path: target.logical(),
                version: None,
                existing: Vec::new(),
            }),
            Err(e) => Err(target.error(e)),
        }
    }

    /// Delete the key with all its versions and metadata (`DELETE metadata/:path`).
    pub async fn delete_metadata(&self, path: &str) -> Result<(), KvError> {
        self.delete_under("delete all versions of", "metadata", path)
            .await
    }

    /// The names under `path` (`LIST metadata/:path/`); folders end in `/`. An empty or missing
    /// folder gives an empty list.
    pub async fn list(&self, path: &str) -> Result<Vec<String>, KvError> {
        let target = self.h.listing(path)?;
        list_keys(&self.h.client, target, target.v2("metadata")).await
    }

    /// The key structure of `path` with every value replaced by `null` (`GET subkeys/:path`).
    pub async fn subkeys(
        &self,
        path: &str,
        request: SubkeysRequest,
    ) -> Result<SubkeysResponse, KvError> {
        let target = self.h.target("read subkeys of", path)?;
        let mut http = VaultRequest::new(Method::Get, target.v2("subkeys"));
        if let Some(v) = request.version {
            http = http.with_query("version", v.to_string());
        }
        if let Some(d) = request.depth {
            http = http.with_query("depth", d.to_string());
        }
        match send_data::<SubkeysResponse>(&self.h.client, target, http).await {
            Ok(Some(r))
                if r.subkeys.is_null() && (r.metadata.destroyed || r.metadata.is_deleted()) =>
            {
                Err(self.explain_empty(target, &r.metadata).await)
            }
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(self.explain_missing(target, request.version).await),
            Err(e) if e.kind() == VaultErrorKind::SecretNotFound => {
                Err(self.explain_missing(target, request.version).await)
            }
            Err(e) => Err(target.error(e)),
        }
    }
}
