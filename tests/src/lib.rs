//! End-to-end tests of the `vaultkit` binary live in `tests/`.
