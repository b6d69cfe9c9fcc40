//! Integration tests for vault-testkit, against real OpenBao servers.

mod binary;
mod dev;
mod k8s;
mod lifecycle;
mod postgres;
mod proxy;
mod raft;
mod redaction;
mod tls;
