//! `sys/` basics every vaultkit crate needs: health, seal status and leader, ACL policies, mounts.
//!
//! Contents:
//! - [`health`]: [`VaultHealth`] / [`VaultHealthStatus`] and [`VaultClient::get_health`](crate::VaultClient::get_health).
//! - [`seal`]: [`SealStatus`], [`LeaderStatus`] (`sys/seal-status`, `sys/leader`).
//! - [`capability`]: [`Capability`], the verbs of the policy language.
//! - [`policy`]: [`AccessPolicy`] / [`PolicyRule`] models and their validation.
//! - [`policy_hcl`]: rendering a policy to Vault's HCL.
//! - [`policy_api`]: policy CRUD over `sys/policies/acl/<name>`.
//! - [`mounts`]: [`MountInfo`] / [`MountConfig`], secrets-engine and auth-method mounts.
//!
//! The unauthenticated endpoints (`sys/health`, `sys/seal-status`, `sys/leader`) go straight to the
//! client's transport: no token, no namespace header, no retries (a sealed server answers 503, which
//! is an answer, not a failure).

mod capability;
mod health;
mod mounts;
mod policy;
mod policy_api;
mod policy_hcl;
mod raw;
mod seal;

pub use capability::Capability;
pub use health::{VaultHealth, VaultHealthStatus};
pub use mounts::{MountConfig, MountInfo, MountTuning};
pub use policy::{AccessPolicy, PolicyRule};
pub use seal::{LeaderStatus, SealStatus};
