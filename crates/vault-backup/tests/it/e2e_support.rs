//! Shared set-up of the end-to-end tests: a snapshot manager writing to an S3 bucket on the
//! in-process S3 server (also the scheduler's job: `SnapshotManager` implements `BackupJob`),
//! notifiers that keep or mail what they are sent, and secrets big enough to need several
//! multipart parts.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use vault_backup::{
    BackupJob, BackupStatus, MIN_PART_SIZE, Recipients, S3Credentials, S3Store, SnapshotFilter,
    SnapshotManager,
};
use vault_core::{BlobStore, Notifier, NotifyMessage, SmtpNotifier, SmtpSecurity, VaultError};
use vault_testkit::{OpenBao, S3Server, SmtpServer};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::snapshot_support::{client, get, keys, put};

/// The bucket every end-to-end test writes to.
pub(crate) const BUCKET: &str = "vault-backups";

/// An S3 server with [`BUCKET`].
pub(crate) async fn s3_server() -> S3Server {
    let s3 = S3Server::start().await;
    s3.create_bucket(BUCKET);
    s3
}

/// An `S3Store` on `s3` with 5 MiB parts (the S3 minimum), so a snapshot of a few MiB goes up
/// as a multipart upload.
pub(crate) async fn s3_store(s3: &S3Server) -> Arc<dyn BlobStore> {
    let store = S3Store::builder()
        .with_bucket(BUCKET)
        .with_endpoint(s3.endpoint())
        .with_region("us-east-1")
        .with_path_style(true)
        .with_credentials(S3Credentials::fixed(s3.access_key(), s3.secret_key()))
        .with_part_size(MIN_PART_SIZE)
        .build()
        .await
        .expect("S3 store");
    Arc::new(store)
}

/// A manager of the cluster at `addr` writing under `vault/` in `store`, encrypting to
/// `recipients`.
pub(crate) fn manager_at(
    addr: &str,
    bao: &OpenBao,
    store: &Arc<dyn BlobStore>,
    recipients: &Recipients,
) -> Arc<SnapshotManager> {
    Arc::new(
        SnapshotManager::builder(client(addr, &bao.root_token()), Arc::clone(store))
            .with_prefix("vault/")
            .with_recipients(recipients.clone())
            .build()
            .expect("manager"),
    )
}

/// `manager` as the job a `BackupScheduler` runs (each run is one `create_snapshot`).
pub(crate) fn job(manager: &Arc<SnapshotManager>) -> Arc<dyn BackupJob> {
    Arc::clone(manager) as Arc<dyn BackupJob>
}

/// A notifier that keeps what it was sent.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Vec<NotifyMessage>>);

impl Recorder {
    /// Everything sent so far.
    pub(crate) fn messages(&self) -> Vec<NotifyMessage> {
        self.0.lock().expect("lock").clone()
    }
}

#[async_trait]
impl Notifier for Recorder {
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError> {
        self.0.lock().expect("lock").push(message.clone());
        Ok(())
    }
    fn name(&self) -> &str {
        "recorder"
    }
}

/// An SMTP notifier mailing `ops@example.test` through `server` (STARTTLS, AUTH).
pub(crate) fn mailer(server: &SmtpServer) -> Arc<dyn Notifier> {
    Arc::new(
        SmtpNotifier::builder(server.host())
            .with_port(server.port())
            .with_security(SmtpSecurity::StartTls)
            .with_root_ca_file(server.ca_cert_path().expect("the server's CA"))
            .with_credentials(server.username(), server.password())
            .with_from("backup@example.test")
            .with_to("ops@example.test")
            .build()
            .expect("smtp notifier"),
    )
}

/// Writes `count` secrets `bulk/<n>` of 512 KiB of random hex each (under Raft's 1 MiB entry
/// limit; random, so neither gzip nor the barrier makes them small).
pub(crate) async fn write_bulk(bao: &OpenBao, count: usize) {
    for n in 0..count {
        let bytes: Vec<u8> = (0..256 * 1024).map(|_| rand::random::<u8>()).collect();
        let value: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        put(
            bao,
            &format!("bulk/{n:02}"),
            serde_json::json!({ "blob": value }),
        )
        .await;
    }
}

/// Asserts that a failed `create_snapshot` left nothing behind: no object under
/// `vault/snapshots/`, no completed or verified catalog entry, and exactly one failed one.
pub(crate) async fn assert_no_snapshot_left(manager: &SnapshotManager, store: &dyn BlobStore) {
    assert_eq!(keys(store, "vault/snapshots/").await, Vec::<String>::new());
    let entries = manager
        .list_snapshots(&SnapshotFilter::all())
        .await
        .expect("list");
    assert!(
        entries.iter().all(|e| !e.status.is_usable()),
        "a usable catalog entry after a failure: {entries:?}"
    );
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].status, BackupStatus::Failed, "{entries:?}");
}

/// The secrets [`seed`] writes.
pub(crate) const PATHS: [&str; 3] = ["app/api", "app/db", "other/cfg"];

/// A value that must never appear in a catalog entry, a report or a log line.
pub(crate) const PLANTED: &str = "planted-e2e-value-7f3e90";

/// Secrets with several versions, a soft-deleted version, a destroyed one and custom metadata.
pub(crate) async fn seed(bao: &OpenBao) {
    put(bao, "app/db", json!({"password": PLANTED})).await;
    put(bao, "app/db", json!({"password": "v2"})).await;
    put(bao, "app/db", json!({"password": "v3", "user": "svc"})).await;
    let (s, _) = bao
        .api(
            "POST",
            "secret/delete/app/db",
            Some(json!({"versions": [2]})),
        )
        .await;
    assert_eq!(s, 204);
    put(bao, "app/api", json!({"key": "a1"})).await;
    put(bao, "app/api", json!({"key": "a2"})).await;
    let (s, _) = bao
        .api(
            "PUT",
            "secret/destroy/app/api",
            Some(json!({"versions": [1]})),
        )
        .await;
    assert_eq!(s, 204);
    let (s, b) = bao
        .api(
            "POST",
            "secret/metadata/other/cfg",
            Some(json!({"max_versions": 5, "custom_metadata": {"owner": "team-a"}})),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    put(bao, "other/cfg", json!({"flag": true, "n": 3})).await;
}

/// Changes every seeded secret after a snapshot: new versions, a secret deleted with all its
/// versions and metadata.
pub(crate) async fn damage(bao: &OpenBao) {
    put(bao, "app/db", json!({"password": "later"})).await;
    put(bao, "app/api", json!({"key": "a3"})).await;
    let (s, _) = bao.api("DELETE", "secret/metadata/other/cfg", None).await;
    assert_eq!(s, 204);
}

/// What a secret looks like: each version's data (or `deleted` / `destroyed`), the current
/// version, custom metadata and `max_versions`; `null` when it does not exist.
pub(crate) async fn state(bao: &OpenBao, path: &str) -> Value {
    let (status, meta) = bao
        .api("GET", &format!("secret/metadata/{path}"), None)
        .await;
    if status == 404 {
        return Value::Null;
    }
    assert_eq!(status, 200, "metadata of {path}: {meta}");
    let meta = &meta["data"];
    let mut versions = serde_json::Map::new();
    if let Some(map) = meta["versions"].as_object() {
        for (v, s) in map {
            let n: u64 = v.parse().expect("version number");
            let value = if s["destroyed"] == json!(true) {
                json!("destroyed")
            } else if s["deletion_time"] != json!("") {
                json!("deleted")
            } else {
                get(bao, path, n).await.1
            };
            versions.insert(v.clone(), value);
        }
    }
    json!({
        "current": meta["current_version"],
        "custom": meta["custom_metadata"],
        "max_versions": meta["max_versions"],
        "versions": versions,
    })
}

/// [`state`] of every path in [`PATHS`].
pub(crate) async fn all_states(bao: &OpenBao) -> Vec<Value> {
    let mut out = Vec::new();
    for p in PATHS {
        out.push(state(bao, p).await);
    }
    out
}

/// Lowercase hex sha256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
