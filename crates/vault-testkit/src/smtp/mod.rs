//! A real SMTP server on loopback for notifier tests: Python's aiosmtpd (installed by
//! `cargo xtask setup` under `<target>/tools/aiosmtpd`) run as a child process.
//!
//! - [`SmtpServer::start`] with an [`SmtpMode`]: STARTTLS required, implicit TLS, or plain.
//!   The TLS modes use a fresh [`TestPki`] (trust [`SmtpServer::ca_cert_path`]) and require
//!   AUTH with [`SmtpServer::username`] / [`SmtpServer::password`]; plain mode takes mail
//!   without AUTH.
//! - Every accepted message is a [`ReceivedMail`] (decoded subject and body, envelope, headers,
//!   whether AUTH and STARTTLS were used), on disk before the server answers `250`.
//! - A recipient whose address starts with `refuse` is refused with `550`: a channel that
//!   refuses, for conformance suites.
//!
//! The process is killed when the `SmtpServer` is dropped, or when the test process dies.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::TestPki;
use crate::server::ServerProcess;

/// The aiosmtpd script, written into the server's temp dir.
const SCRIPT: &str = include_str!("server.py");

/// Where `cargo xtask setup` installs aiosmtpd, relative to the target directory.
const INSTALLED_RELATIVE: &str = "tools/aiosmtpd";

/// The pinned aiosmtpd release `cargo xtask setup` installs.
pub const AIOSMTPD_VERSION: &str = "1.4.6";

const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server protects connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SmtpMode {
    /// Offers STARTTLS and refuses mail (and AUTH) before it; AUTH required.
    StartTls,
    /// TLS from the first byte (SMTPS); AUTH required.
    Tls,
    /// No TLS, no AUTH.
    Plain,
}

/// One message the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`) that were accepted.
    pub rcpt_tos: Vec<String>,
    /// The decoded `Subject` header.
    pub subject: String,
    /// Every header as `(name, decoded value)`, in order.
    pub headers: Vec<(String, String)>,
    /// The decoded text/plain body.
    pub body: String,
    /// The username the client authenticated as, if it used AUTH.
    pub auth_user: Option<String>,
    /// The session was upgraded with STARTTLS.
    pub starttls: bool,
    /// The session was TLS from the first byte.
    pub implicit_tls: bool,
    /// The message as sent (headers and encoded body).
    pub raw: String,
}

impl ReceivedMail {
    /// All values of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Subject and body, decoded, as one text (what a person reads).
    pub fn text(&self) -> String {
        format!("{}\n{}", self.subject, self.body)
    }
}

/// A running aiosmtpd server on `127.0.0.1`, stopped when dropped. `Debug` hides the AUTH
/// password, so a test's own output cannot look like a leak from the code under test.
pub struct SmtpServer {
    process: ServerProcess,
    port: u16,
    mode: SmtpMode,
    pki: Option<TestPki>,
    dir: tempfile::TempDir,
    username: String,
    password: String,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("port", &self.port)
            .field("mode", &self.mode)
            .field("dir", &self.dir.path())
            .field("username", &self.username)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

impl SmtpServer {
    /// Starts a server in `mode`.
    ///
    /// # Panics
    /// When Python or aiosmtpd is missing (the message names `cargo xtask setup`), or the
    /// server does not start within 30 s (the message holds its output).
    pub fn start(mode: SmtpMode) -> SmtpServer {
        match Self::try_start(mode) {
            Ok(server) => server,
            Err(e) => panic!("{e}"),
        }
    }

    fn try_start(mode: SmtpMode) -> Result<SmtpServer, String> {
        let lib = target_dir_tools();
        let stamp = lib.join(format!("aiosmtpd-{AIOSMTPD_VERSION}.dist-info"));
        if !stamp.is_dir() {
            return Err(format!(
                "aiosmtpd {AIOSMTPD_VERSION} is not installed at {} (the SMTP test server). Run \
                 `cargo xtask setup` to install it",
                lib.display()
            ));
        }
        let python = crate::binary::find_program("python3")
            .or_else(|| crate::binary::find_program("python"))
            .ok_or("python3 is not on PATH (the SMTP test server runs aiosmtpd); run `cargo xtask setup`")?;
        let dir = tempfile::Builder::new()
            .prefix("vault-testkit-smtp-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let script = dir.path().join("server.py");
        std::fs::write(&script, SCRIPT).map_err(|e| format!("write {}: {e}", script.display()))?;
        let mail = dir.path().join("mail");
        std::fs::create_dir(&mail).map_err(|e| format!("create {}: {e}", mail.display()))?;
        let mut args = vec![
            script.to_string_lossy().into_owned(),
            match mode {
                SmtpMode::StartTls => "starttls",
                SmtpMode::Tls => "tls",
                SmtpMode::Plain => "plain",
            }
            .to_string(),
            mail.to_string_lossy().into_owned(),
        ];
        let pki = (mode != SmtpMode::Plain).then(TestPki::generate);
        if let Some(pki) = &pki {
            args.push(pki.server_cert_path().to_string_lossy().into_owned());
            args.push(pki.server_key_path().to_string_lossy().into_owned());
        }
        let username = format!("mailer-{}", random_hex(4));
        let password = format!("smtp-pw-{}", random_hex(12));
        let lib_text = lib.to_string_lossy().into_owned();
        let mut envs = vec![("PYTHONPATH", lib_text.as_str()), ("PYTHONUNBUFFERED", "1")];
        if mode != SmtpMode::Plain {
            envs.push(("VAULTKIT_SMTP_USER", &username));
            envs.push(("VAULTKIT_SMTP_PASSWORD", &password));
        }
        let mut process = ServerProcess::spawn(&python, &args, &envs)?;
        let deadline = Instant::now() + START_TIMEOUT;
        let port = loop {
            let log = process.log();
            if let Some(port) = log
                .lines()
                .find_map(|l| l.strip_prefix("PORT "))
                .and_then(|p| p.trim().parse::<u16>().ok())
            {
                break port;
            }
            if process.exited().is_some() || Instant::now() > deadline {
                return Err(format!(
                    "the SMTP test server (aiosmtpd) did not start:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Ok(SmtpServer {
            process,
            port,
            mode,
            pki,
            dir,
            username,
            password,
        })
    }

    /// `127.0.0.1`.
    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The mode it was started in.
    pub fn mode(&self) -> SmtpMode {
        self.mode
    }

    /// The CA that signed the server certificate (TLS modes only).
    pub fn ca_cert_path(&self) -> Option<PathBuf> {
        self.pki.as_ref().map(TestPki::ca_cert_path)
    }

    /// The PKI of the TLS modes (for a "wrong CA" test: [`TestPki::wrong_ca_cert_path`]).
    pub fn pki(&self) -> Option<&TestPki> {
        self.pki.as_ref()
    }

    /// The AUTH username the TLS modes accept.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The AUTH password the TLS modes accept.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Everything the server printed (for failure messages).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Every message accepted so far, in arrival order.
    ///
    /// # Panics
    /// When a stored message cannot be read (test support).
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mail = self.dir.path().join("mail");
        let mut names: Vec<PathBuf> = match std::fs::read_dir(&mail) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect(),
            Err(e) => panic!("read {}: {e}", mail.display()),
        };
        names.sort();
        names
            .iter()
            .map(|p| match std::fs::read_to_string(p) {
                Ok(text) => parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
                Err(e) => panic!("read {}: {e}", p.display()),
            })
            .collect()
    }

    /// Waits until at least `count` messages arrived (up to `timeout`), then returns all.
    ///
    /// # Panics
    /// When fewer arrived in time.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP test server holds {} messages after {timeout:?}, expected {count}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn target_dir_tools() -> PathBuf {
    crate::target_dir().join(INSTALLED_RELATIVE)
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

fn parse(text: &str) -> Result<ReceivedMail, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let list = |k: &str| -> Vec<serde_json::Value> { v[k].as_array().cloned().unwrap_or_default() };
    Ok(ReceivedMail {
        mail_from: s("mail_from"),
        rcpt_tos: list("rcpt_tos")
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect(),
        subject: s("subject"),
        headers: list("headers")
            .iter()
            .filter_map(|h| Some((h[0].as_str()?.to_string(), h[1].as_str()?.to_string())))
            .collect(),
        body: s("body"),
        auth_user: v["auth_user"].as_str().map(str::to_string),
        starttls: v["starttls"].as_bool().unwrap_or(false),
        implicit_tls: v["implicit_tls"].as_bool().unwrap_or(false),
        raw: s("raw"),
    })
}
