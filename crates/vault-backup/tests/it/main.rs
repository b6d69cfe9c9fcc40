//! Integration tests of vault-backup against real OpenBao, S3-compatible and SMTP servers.

mod pgp;
mod s3;
mod scheduler;
mod snapshot_faults;
mod snapshot_fixture;
mod snapshot_full;
mod snapshot_import;
mod snapshot_lifecycle;
mod snapshot_logical;
mod snapshot_support;
