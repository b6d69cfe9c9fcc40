//! vault-cli's own integration tests: the built binary (`CARGO_BIN_EXE_vaultkit`) on things that
//! need no server: help, usage errors, completions, `policy render`, configuration errors.
//! Everything that talks to OpenBao is in the workspace's end-to-end crate (`tests/e2e`).

mod offline;
mod security;
