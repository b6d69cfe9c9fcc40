//! Real OpenBao servers for integration tests.
//!
//! - [`OpenBao::dev`]: `bao server -dev` (in-memory, unsealed, KV v2 at `secret/`).
//! - [`OpenBao::dev_tls`]: the same plus an HTTPS listener using a [`TestPki`](crate::tls::TestPki).
//! - [`OpenBao::dev_mtls`]: the same HTTPS listener demanding a client certificate (mutual TLS).
//! - [`OpenBao::raft`]: Raft storage in a temp dir, initialised with one key share and unsealed.
//! - [`OpenBao::uninitialized`]: Raft storage, started but never initialised.
//!
//! Files: `start.rs` launches and waits for readiness, `config.rs` renders server config,
//! `api.rs` holds the raw API call and the set-up helpers, `process.rs` owns the child process.

mod api;
mod config;
pub(crate) mod process;
mod redact;
mod start;

pub(crate) use process::ServerProcess;

/// How a server was started; decides what `seal`/`unseal` wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Dev,
    Raft,
    Uninitialized,
}

/// A running OpenBao server, stopped (killed and reaped) when dropped.
///
/// Its helpers are test support: they panic with the HTTP status, Vault's `errors` and the
/// tail of the server log when something goes wrong.
pub struct OpenBao {
    // Declared first so the process is killed before its data directory is removed.
    process: ServerProcess,
    addr: String,
    root_token: String,
    unseal_key: Option<String>,
    client: reqwest::Client,
    mode: Mode,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for OpenBao {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenBao")
            .field("addr", &self.addr)
            .field("mode", &self.mode)
            .field("process", &self.process)
            .field("root_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl OpenBao {
    /// The API address, `http://127.0.0.1:PORT` (or `https://…` for [`OpenBao::dev_tls`]).
    pub fn addr(&self) -> String {
        self.addr.clone()
    }

    /// The root token (random per server).
    pub fn root_token(&self) -> String {
        self.root_token.clone()
    }

    /// The unseal key: the single key share of a Raft server, the dev server's printed key.
    /// `None` for an uninitialised server.
    pub fn unseal_key(&self) -> Option<String> {
        self.unseal_key.clone()
    }

    /// Everything the server printed so far (for failure messages), with the root token and
    /// the unseal key replaced by `***`.
    pub fn log(&self) -> String {
        self.redact(&self.process.log())
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The HTTP client the helpers use (trusts the test CA for a TLS server).
    pub fn http_client(&self) -> reqwest::Client {
        self.client.clone()
    }

    /// The last `lines` lines of the (redacted) server log.
    pub fn log_tail(&self, lines: usize) -> String {
        process::tail(&self.log(), lines)
    }

    /// `text` without this server's root token and unseal key.
    pub(crate) fn redact(&self, text: &str) -> String {
        let key = self.unseal_key.clone().unwrap_or_default();
        redact::redact_text(text, &[&self.root_token, &key])
    }
}
