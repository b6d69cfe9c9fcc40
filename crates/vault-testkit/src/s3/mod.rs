//! [`S3Server`]: a real S3 API in-process, for tests of S3 clients.
//!
//! The server is [`s3s-fs`](https://docs.rs/s3s-fs) (objects are files in a temporary
//! directory) behind [`s3s`]'s protocol layer, which parses the S3 REST API and enforces
//! SigV4 signatures, served over HTTP on `127.0.0.1` with a free port. `service.rs` adds what
//! tests need: [`S3Fault`]s, a record of server-side-encryption headers ([`SseSeen`]), atomic
//! `If-None-Match` writes and `ListMultipartUploads` (both missing from `s3s-fs` 0.14.1).
//!
//! Buckets are folders under the root; [`S3Server::create_bucket`] makes one directly.

mod service;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use service::{S3Fault, SseSeen};
use service::{State, TestS3};

/// An S3-compatible server (s3s-fs) on `127.0.0.1`, stopped and deleted when dropped.
///
/// ```no_run
/// # async fn example() {
/// let s3 = vault_testkit::S3Server::start().await;
/// s3.create_bucket("backups");
/// // Point the client under test at s3.endpoint() with s3.access_key() / s3.secret_key(),
/// // path-style addressing and any region.
/// s3.inject(vault_testkit::S3Fault::operation("UploadPart", 2).times(u64::MAX));
/// # }
/// ```
pub struct S3Server {
    addr: SocketAddr,
    access_key: String,
    secret_key: String,
    state: Arc<Mutex<State>>,
    accept: tokio::task::JoinHandle<()>,
    root: tempfile::TempDir,
}

impl std::fmt::Debug for S3Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Server")
            .field("endpoint", &self.endpoint())
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("root", &self.root.path())
            .finish()
    }
}

fn random_token(prefix: &str, hex_len: usize) -> String {
    let mut s = prefix.to_string();
    while s.len() < prefix.len() + hex_len {
        s.push_str(&format!("{:016x}", rand::random::<u64>()));
    }
    s.truncate(prefix.len() + hex_len);
    s
}

impl S3Server {
    /// Starts a server over a new temporary directory with a random access and secret key.
    /// Panics when it cannot (test support).
    pub async fn start() -> S3Server {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("S3Server: temp dir: {e}"));
        let access_key = random_token("VKTEST", 14).to_uppercase();
        let secret_key = random_token("", 40);
        let fs = s3s_fs::FileSystem::new(root.path())
            .unwrap_or_else(|e| panic!("S3Server: s3s-fs over {}: {e:?}", root.path().display()));
        let state = Arc::new(Mutex::new(State::default()));
        let service = {
            let mut b = S3ServiceBuilder::new(TestS3 {
                inner: fs,
                root: root.path().to_path_buf(),
                state: state.clone(),
                conditional: tokio::sync::Mutex::new(()),
            });
            b.set_auth(SimpleAuth::from_single(
                access_key.clone(),
                secret_key.clone(),
            ));
            b.build()
        };
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("S3Server: bind 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("S3Server: local address: {e}"));
        let accept = tokio::spawn(async move {
            // Connections live in this set: aborting the accept task drops them all.
            let mut connections = JoinSet::new();
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                connections.spawn(async move {
                    let _ = conn.await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        S3Server {
            addr,
            access_key,
            secret_key,
            state,
            accept,
            root,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The access key id requests must be signed with.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The secret key requests must be signed with.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The directory the objects live in (`<root>/<bucket>/<key>`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Creates bucket `name` (S3 rules: 3–63 lowercase letters, digits, `-` and `.`).
    pub fn create_bucket(&self, name: &str) {
        let valid = (3..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        assert!(valid, "S3Server: invalid bucket name {name:?}");
        std::fs::create_dir_all(self.root.path().join(name))
            .unwrap_or_else(|e| panic!("S3Server: create bucket {name}: {e}"));
    }

    /// Injects a fault; several may be pending at once.
    pub fn inject(&self, fault: S3Fault) {
        self.state().inject(fault);
    }

    /// How many requests of `operation` (S3 API name, e.g. `"UploadPart"`) arrived signed
    /// correctly, failed or not.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.state().count(operation)
    }

    /// How many correctly signed requests arrived in all.
    pub fn total_requests(&self) -> u64 {
        self.state().total()
    }

    /// Server-side-encryption headers of every PutObject and CreateMultipartUpload so far.
    pub fn sse_seen(&self) -> Vec<SseSeen> {
        self.state().sse()
    }

    /// Multipart uploads created and neither completed nor aborted: `(bucket, key)`.
    pub fn open_uploads(&self) -> Vec<(String, String)> {
        self.state().uploads()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
