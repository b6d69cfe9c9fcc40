//! # vault-kv
//!
//! The KV secrets engine of HashiCorp Vault / OpenBao, typed: every KV v2 endpoint and KV v1,
//! with the mount's version detected automatically, errors that tell a missing secret from a
//! deleted or destroyed version or a CAS conflict, a recursive walk, a read cache and the
//! pipeline resource the Python module offered (`VaultSecretsResource`).
//!
//! The KV API is an extension of vault-core's [`VaultClient`] ([`KvExt`]), not a second client:
//! it works over any [`vault_core::Transport`].
//!
//! ```no_run
//! use vault_core::VaultClient;
//! use vault_kv::{CachedKv, KvExt};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VaultClient::builder().with_address("http://127.0.0.1:8200").with_token("root").build()?;
//!
//! // The Python module's calls: work on KV v1 and v2 mounts alike.
//! client.write_secret("app/db", &serde_json::json!({"user": "svc", "password": "…"}), "secret").await?;
//! let secret = client.get_secret("app/db", "secret").await?;
//! println!("{} v{:?}: keys {:?}", secret.path, secret.metadata.version, secret.data); // values never print
//!
//! // Every KV v2 endpoint through a typed handle.
//! let kv = client.kv2("secret");
//! let meta = kv.read_metadata("app/db").await?;
//! kv.write_cas("app/db", &serde_json::json!({"user": "svc2"}), meta.current_version).await?;
//!
//! // Cached reads (TTL, LRU, single-flight, stale-on-error), invalidated by writes through it.
//! let cached = CachedKv::builder(client.clone()).build();
//! let db = cached.get_secret("app/db", "secret").await?;
//! assert!(!db.is_stale());
//! # Ok(()) }
//! ```
//!
//! ## Map
//! - [`KvExt`] (on `VaultClient`): [`Kv`] (auto-detected), [`KvV1`], [`KvV2`] handles and the
//!   Python module's `get_secret` / `write_secret` / `delete_secret` / `list_secrets` /
//!   `get_secret_version`.
//! - One request/response struct per KV v2 endpoint ([`MetadataRequest`], [`KeyMetadata`], …),
//!   re-exported at the crate root.
//! - [`CachedKv`]: the cache, as a wrapper.
//! - [`Walk`]: recursive listing, streamed.
//! - [`SecretsResource`]: typed [`DatabaseCredentials`], API keys, health.
//! - [`sync`]: compare a desired set of secrets with Vault and write the difference with
//!   check-and-set (`kv import`, migration, rotation).
//! - [`KvError`]: the crate's one error type.
//!
//! Architecture Invariant: secret values live in [`SecretData`] / [`vault_core::SecretString`];
//! no `Debug`, `Display`, log line or error of this crate shows them.
//!
//! Architecture Invariant: a cache hit takes no async lock, allocates nothing and copies no map
//! (an `Arc` is cloned).

mod cache;
mod call;
mod error;
mod ext;
mod kv;
mod mount;
mod resource;
mod secret;
pub mod sync;
mod v1;
mod v2;
mod walk;

pub use cache::{CacheConfig, CacheStats, CachedKv, CachedKvBuilder, CachedSecret};
pub use error::{KvError, KvErrorKind, class_of_source};
pub use ext::{DEFAULT_MOUNT, KvExt};
pub use kv::Kv;
pub use mount::{KvVersion, forget_mount, remember_mount};
pub use resource::{
    DEFAULT_API_KEYS_PATH, DatabaseCredentials, SecretsResource, SecretsResourceConfig,
};
pub use secret::{SecretData, SecretMetadata, VaultSecret};
pub use v1::KvV1;
pub use v2::KvV2;
pub use v2::types::{
    KeyMetadata, KvV2Config, KvV2ConfigRequest, ListResponse, MetadataRequest, SubkeysRequest,
    SubkeysResponse, VersionMetadata, VersionState, VersionsRequest, WriteOptions,
    WriteSecretRequest,
};
pub use walk::{DEFAULT_WALK_DEPTH_LIMIT, DEFAULT_WALK_ENTRY_LIMIT, Walk, WalkEntry, WalkOptions};

pub use vault_core::VaultClient;

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
