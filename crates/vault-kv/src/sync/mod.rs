//! Bring Vault in line with a desired set of secrets, safely: compare, then write the difference
//! with check-and-set.
//!
//! This is the one implementation behind `vaultkit kv import`, vault-migrate's `apply` and
//! `write_to_vault`, and (later) rotation. Two steps, so a person can review in between:
//!
//! 1. [`diff`] reads every secret of a [`Desired`] set and says, per key, whether it would be
//!    **added**, is **unchanged**, or is a **conflict** (Vault holds a different value), and per
//!    secret whether it is **new** or an **update**. It remembers what it read (the KV v2
//!    version, or the KV v1 data) for step 2.
//! 2. [`apply`] writes each secret that has something to add (or conflicts to overwrite with
//!    [`ApplyOptions::force`]). The written data is what Vault held at step 1 with the desired
//!    keys merged in: keys only in Vault are kept. A secret that changed in Vault after step 1 is
//!    never overwritten: on KV v2 the write carries `cas` = the version read (0 for a new
//!    secret, the latest version number for a secret whose latest version is soft-deleted or
//!    destroyed); on KV v1, which has no versions, the secret is read again just before the
//!    write and compared with what step 1 saw. Such a secret is reported as
//!    [`Outcome::ChangedConcurrently`] and the rest of the set is still applied.
//!
//! ```no_run
//! use serde_json::json;
//! use vault_core::VaultClient;
//! use vault_kv::KvExt;
//! use vault_kv::sync::{self, ApplyOptions, Desired};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = VaultClient::builder().with_address("http://127.0.0.1:8200").with_token("root").build()?;
//! let kv = client.kv("secret"); // KV v1 or v2: detected
//!
//! let mut desired = Desired::new();
//! desired.insert("app/db", json!({"user": "svc", "password": "…"}))?;
//!
//! let diff = sync::diff(&kv, &desired).await?;
//! for s in &diff.secrets {
//!     for k in &s.keys {
//!         println!("{} {} {:?}", s.path, k.key, k.change); // key names only, never values
//!     }
//! }
//! let report = sync::apply(&kv, &diff, &ApplyOptions::default()).await?;
//! println!("{} written, {} unchanged, {} conflicts",
//!     report.written(), report.unchanged(), report.conflicts().count());
//!
//! // A second run finds nothing to do.
//! let again = sync::apply(&kv, &sync::diff(&kv, &desired).await?, &ApplyOptions::default()).await?;
//! assert_eq!(again.written(), 0);
//! # Ok(()) }
//! ```
//!
//! Architecture Invariant: values live in [`crate::SecretData`] from input to write; no
//! `Debug`, `Display`, serialization or error of this module shows one.
//!
//! Architecture Invariant: without `force`, nothing here ever replaces a value that differs from
//! the desired one, whether the difference was there at [`diff`] time or appeared after it.
//!
//! Limit: on KV v1 a write that lands between the re-read and the write itself (a window of one
//! request) cannot be detected; Vault offers no check-and-set on v1.

mod apply;
mod desired;
mod diff;
mod write;

pub use apply::{ApplyOptions, Outcome, SecretOutcome, SyncReport, apply};
pub use desired::{Compare, Desired};
pub use diff::{KeyChange, KeyDiff, SecretDiff, SyncDiff, diff};
