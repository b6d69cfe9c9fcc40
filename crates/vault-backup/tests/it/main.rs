//! Integration tests of vault-backup against real OpenBao, S3-compatible and SMTP servers.

mod pgp;
mod s3;
