//! Test support for vaultkit: real OpenBao servers and the faults around them.
//!
//! Integration tests across the workspace run against a real `bao` process, never a mock:
//!
//! - [`OpenBao`] starts `bao server -dev` ([`OpenBao::dev`]), a dev server with an HTTPS
//!   listener ([`OpenBao::dev_tls`]; with mutual TLS, [`OpenBao::dev_mtls`]), a Raft-backed
//!   server that is initialised and unsealed ([`OpenBao::raft`]) or one left uninitialised
//!   ([`OpenBao::uninitialized`]). Each runs on
//!   free loopback ports and is killed when dropped. Helpers set up AppRole, policies, tokens,
//!   KV mounts, audit devices and namespaces, and seal or unseal the server.
//! - [`FaultProxy`] sits between a client and a server and injects [`Fault`]s (and holds a
//!   chosen request until released, [`FaultProxy::hold`], to stage a race): latency,
//!   connection resets, error statuses with `Retry-After`, truncated bodies, no answer.
//! - [`TokenReviewer`] answers Kubernetes TokenReview requests so OpenBao's `kubernetes`
//!   auth method can be exercised for real.
//! - [`S3Server`] runs a real S3 API in-process (`s3s-fs` over a temporary directory, SigV4
//!   enforced) with [`S3Fault`]s for fault-injection tests of S3 clients.
//! - [`TestPki`] generates a CA, server and client certificates (and an unrelated CA).
//! - [`Postgres`] starts a throwaway PostgreSQL cluster (`initdb` in a temp dir, a free
//!   loopback port, password logins), for the rotation of database credentials.
//! - [`SmtpServer`] runs a real SMTP server (aiosmtpd, installed by `cargo xtask setup`) on
//!   loopback with STARTTLS or implicit TLS and AUTH, and returns each [`ReceivedMail`].
//!
//! The `bao` binary is found through `VAULTKIT_BAO`, then `PATH`, then the copy that
//! `cargo xtask setup` installs under `target/tools/openbao`; PostgreSQL's binaries through
//! `PG_BIN`, then `/usr/lib/postgresql/15/bin` (Debian's `postgresql-15`). When none exists,
//! starting a server panics with a message naming `cargo xtask setup`: tests fail, they never
//! skip.
//!
//! Helpers are test support: they panic with the HTTP status, Vault's `errors` and the tail
//! of the server log when something goes wrong. Root tokens, unseal keys and credential-like
//! JSON fields are replaced by `***` in those messages, in [`OpenBao::log`] and in `Debug`.
//!
//! Things worth knowing about the servers:
//! - Each runs under a small `sh` watchdog holding a pipe from the test process, so the
//!   server dies with the test even when the test process is killed without unwinding.
//! - Servers are configured with `unsafe_allow_api_audit_creation = true`: OpenBao 2 refuses
//!   to enable audit devices through the API otherwise.
//! - The dev root token is passed through the environment, never on the command line.
//! - OpenBao's kubernetes auth accepts an `http://` `kubernetes_host`, but insists on a
//!   `kubernetes_ca_cert` once `disable_local_ca_jwt` is set, so [`TokenReviewer`] carries a
//!   generated CA that [`OpenBao::enable_kubernetes_auth`] passes along.
//!
//! Architecture Invariant: every server is a real `bao` process; nothing in this crate
//! imitates Vault's API (the TokenReviewer stands in for Kubernetes, not for Vault).
//!
//! Architecture Invariant: vault-testkit does not depend on vault-core, so the client under
//! test is never used to set up or check its own test.
//!
//! Architecture Invariant: a server never outlives the test that started it (drop, panic or
//! kill), and a missing `bao` fails the test with a message naming `cargo xtask setup`.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use vault_testkit::{Fault, FaultProxy, OpenBao};
//!
//! # async fn example() {
//! let bao = OpenBao::dev().await;
//! bao.write_policy("read-app", r#"path "secret/data/app" { capabilities = ["read"] }"#).await;
//! let (role_id, secret_id) = bao.enable_approle("app", &["read-app"], "1h").await;
//! let (status, _) = bao
//!     .api("POST", "secret/data/app", Some(serde_json::json!({"data": {"k": "v"}})))
//!     .await;
//! assert_eq!(status, 200);
//!
//! let proxy = FaultProxy::start(&bao.addr()).await;
//! proxy.push(Fault::Status { code: 503, retry_after: Some(1) });
//! proxy.push(Fault::Latency(Duration::from_millis(100)));
//! // Point the client under test at proxy.addr(): its first request gets a 503, the second
//! // arrives late; afterwards proxy.request_count() says how often it tried.
//! # let _ = (role_id, secret_id);
//! # }
//! ```

mod binary;
mod k8s;
mod ports;
mod postgres;
mod proxy;
mod s3;
mod server;
mod smtp;
pub mod tls;

pub use binary::{BAO_ENV, bao_binary, target_dir, workspace_root};
pub use k8s::TokenReviewer;
pub use postgres::{PG_BIN_ENV, Postgres, postgres_bin_dir};
pub use proxy::{Fault, FaultProxy, Hold};
pub use s3::{S3Fault, S3Server, SseSeen};
pub use server::OpenBao;
pub use smtp::{AIOSMTPD_VERSION, ReceivedMail, SmtpMode, SmtpServer};
pub use tls::TestPki;

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
