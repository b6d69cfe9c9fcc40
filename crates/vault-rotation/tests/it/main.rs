//! Integration tests of vault-rotation against real OpenBao and PostgreSQL servers (started by
//! vault-testkit).

mod command;
mod common;
mod crash;
mod failure;
mod postgres;
mod races;
mod schedule;
mod store;
