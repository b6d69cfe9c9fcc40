//! Integration tests for vault-testkit, against real OpenBao servers.

mod binary;
mod dev;
mod proxy;
