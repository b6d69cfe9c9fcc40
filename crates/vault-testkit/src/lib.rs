//! vault-testkit
