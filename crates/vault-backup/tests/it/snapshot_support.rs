//! Shared set-up of the snapshot tests: a client, a store, a manager.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use vault_backup::SnapshotManager;
use vault_core::{
    BlobMeta, BlobStore, BlobStoreExt, ByteStream, LocalDirStore, VaultClient, VaultError,
};
use vault_testkit::OpenBao;

/// A root client of `addr`.
pub(crate) fn client(addr: &str, token: &str) -> VaultClient {
    VaultClient::builder()
        .with_address(addr)
        .with_token(token.to_string())
        .build()
        .expect("client")
}

/// A manager over `bao` and a fresh local folder (kept alive by the returned tempdir).
pub(crate) fn manager(bao: &OpenBao) -> (SnapshotManager, Arc<dyn BlobStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let manager =
        SnapshotManager::builder(client(&bao.addr(), &bao.root_token()), Arc::clone(&store))
            .with_prefix("vault")
            .build()
            .expect("manager");
    (manager, store, dir)
}

/// Keys of every object under `prefix`.
pub(crate) async fn keys(store: &dyn BlobStore, prefix: &str) -> Vec<String> {
    store
        .list(prefix)
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key)
        .collect()
}

/// Every catalog entry as stored (raw JSON text).
pub(crate) async fn raw_catalog(store: &dyn BlobStore) -> String {
    let mut all = String::new();
    for key in keys(store, "vault/catalog/").await {
        let bytes = store.get_bytes(&key).await.expect("catalog entry");
        all.push_str(&String::from_utf8_lossy(&bytes));
    }
    all
}

/// A store that fails every snapshot upload after `limit` bytes, like a full disk.
#[derive(Debug)]
pub(crate) struct FullDisk {
    pub(crate) inner: LocalDirStore,
    pub(crate) limit: u64,
}

impl FullDisk {
    /// `data`, failing after `limit` bytes when `key` is a snapshot.
    fn limited(&self, key: &str, data: ByteStream) -> ByteStream {
        if !key.contains("snapshots/") {
            return data;
        }
        let limit = self.limit;
        let mut seen = 0u64;
        let stream = data.map(move |chunk| {
            let chunk: Bytes = chunk?;
            seen += chunk.len() as u64;
            if seen > limit {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "no space left on device",
                ));
            }
            Ok(chunk)
        });
        Box::pin(stream)
    }
}

#[async_trait]
impl BlobStore for FullDisk {
    async fn put(&self, key: &str, data: ByteStream) -> Result<BlobMeta, VaultError> {
        self.inner.put(key, self.limited(key, data)).await
    }
    async fn put_if_absent(
        &self,
        key: &str,
        data: ByteStream,
    ) -> Result<Option<BlobMeta>, VaultError> {
        self.inner.put_if_absent(key, self.limited(key, data)).await
    }
    async fn get(&self, key: &str) -> Result<ByteStream, VaultError> {
        self.inner.get(key).await
    }
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, VaultError> {
        self.inner.head(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, VaultError> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.inner.delete(key).await
    }
}

/// Write `data` as a new version of `secret/<path>`.
pub(crate) async fn put(bao: &OpenBao, path: &str, data: serde_json::Value) {
    let (status, body) = bao
        .api(
            "POST",
            &format!("secret/data/{path}"),
            Some(serde_json::json!({ "data": data })),
        )
        .await;
    assert_eq!(status, 200, "write {path}: {body}");
}

/// Read version `version` of `secret/<path>` (status, data).
pub(crate) async fn get(bao: &OpenBao, path: &str, version: u64) -> (u16, serde_json::Value) {
    let (status, body) = bao
        .api(
            "GET",
            &format!("secret/data/{path}?version={version}"),
            None,
        )
        .await;
    (status, body["data"]["data"].clone())
}

/// A fresh OpenPGP key pair: the recipients to encrypt to and the key that decrypts (files in
/// the returned tempdir).
pub(crate) fn pgp_pair() -> (
    vault_backup::Recipients,
    vault_backup::DecryptionKey,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = vault_backup::generate_key("Vault backups <ops@example.com>", None).expect("key");
    let public = dir.path().join("ops.asc");
    let secret = dir.path().join("ops.key");
    std::fs::write(&public, &key.public_cert).expect("write cert");
    std::fs::write(&secret, key.secret_key.expose()).expect("write key");
    let recipients = vault_backup::Recipients::from_files(&[public]).expect("recipients");
    let decryption = vault_backup::DecryptionKey::from_file(&secret, None).expect("decryption key");
    (recipients, decryption, dir)
}
