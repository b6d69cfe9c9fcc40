//! Integration tests of vault-rotation against a real OpenBao dev server (started by
//! vault-testkit).

mod common;
mod crash;
mod failure;
mod races;
mod schedule;
mod store;
