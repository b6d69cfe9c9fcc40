//! Integration tests of vault-rotation against real OpenBao and PostgreSQL servers.

mod command;
mod postgres;
