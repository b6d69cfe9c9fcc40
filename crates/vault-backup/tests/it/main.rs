//! Integration tests of vault-backup against real OpenBao, S3-compatible and SMTP servers.

mod e2e_faults;
mod e2e_s3_round_trip;
mod e2e_scheduler;
mod e2e_support;
mod pgp;
mod s3;
mod scheduler;
mod snapshot_abandoned;
mod snapshot_faults;
mod snapshot_fixture;
mod snapshot_full;
mod snapshot_import;
mod snapshot_lifecycle;
mod snapshot_logical;
mod snapshot_support;
