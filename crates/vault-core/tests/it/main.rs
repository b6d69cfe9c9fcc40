//! vault-core integration tests against a real OpenBao server (vault-testkit): auth methods,
//! the client, blob stores, sys endpoints and notifiers.

mod auth_approle;
mod auth_kubernetes;
mod auth_token;
mod blob_local;
mod client_common;
mod client_namespaces;
mod client_ops;
mod client_redirect;
mod notify_smtp;
mod notify_webhook;
mod redaction;
mod retry;
mod security;
mod sys_conformance;
mod sys_health;
mod sys_mounts;
mod sys_policy;
mod tls;
