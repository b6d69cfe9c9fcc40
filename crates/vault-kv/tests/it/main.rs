//! Integration tests of vault-kv against a real OpenBao dev server (started by vault-testkit).

mod cache;
mod cas;
mod common;
mod missing_mount;
mod module_calls;
mod mount_memo;
mod namespaces;
mod permissions;
mod resource;
mod security;
mod stale;
mod sync;
mod v1;
mod v2;
mod versions;
mod walk;
