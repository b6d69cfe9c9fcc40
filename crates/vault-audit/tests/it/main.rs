//! vault-audit integration tests.
