//! Faults during a scheduled backup of a real Raft-backed OpenBao: S3 failing in the middle
//! of a multipart upload, Vault's connection dropped mid-stream, a full local disk. Each run is
//! recorded as failed, leaves no snapshot object, no usable catalog entry and no open multipart
//! upload, and sends an alert by email (a real SMTP server) and to a recording notifier.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use vault_backup::{
    BackupRequest, BackupScheduler, MIN_PART_SIZE, RunOutcome, RunRecord, SnapshotFilter,
    SnapshotManager,
};
use vault_core::{BlobStore, LocalDirStore};
use vault_testkit::{Fault, FaultProxy, OpenBao, S3Fault, S3Server, SmtpMode, SmtpServer};

use crate::e2e_support::{
    BUCKET, Recorder, assert_no_snapshot_left, job, mailer, manager_at, s3_server, s3_store, seed,
    write_bulk,
};
use crate::snapshot_support::{FullDisk, pgp_pair};

/// A scheduler running `manager`, recording runs in `store`, alerting `smtp` and a recorder.
fn scheduler(
    manager: &Arc<SnapshotManager>,
    store: &Arc<dyn BlobStore>,
    smtp: &SmtpServer,
) -> (BackupScheduler, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let scheduler = BackupScheduler::new(job(manager), Arc::clone(store))
        .with_prefix("vault/")
        .with_instance_name("backup-host-1")
        .with_notifier(mailer(smtp))
        .with_notifier(recorder.clone());
    (scheduler, recorder)
}

/// The run failed with an error naming `what`, nothing usable was stored, and one alert went
/// out on each channel.
async fn assert_failed_and_alerted(
    record: &RunRecord,
    what: &str,
    manager: &SnapshotManager,
    store: &dyn BlobStore,
    smtp: &SmtpServer,
    recorder: &Recorder,
) {
    assert_eq!(record.outcome, RunOutcome::Failure, "{record:?}");
    let error = record.error.as_deref().expect("the run's error");
    assert!(error.contains(what), "{error}");
    assert_no_snapshot_left(manager, store).await;

    let sent = recorder.messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mails = smtp.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let text = mails[0].text();
    assert!(text.contains("vaultkit backup `manual` failed"), "{text}");
    assert!(
        text.contains("backup-host-1") && text.contains(what),
        "{text}"
    );
}

/// Files in the bucket's folder on the S3 server's disk (relative paths).
fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// No object but catalog entries and run records is left in the bucket, and no multipart
/// upload is open.
fn assert_bucket_clean(s3: &S3Server) {
    assert_eq!(s3.open_uploads(), Vec::new(), "an open multipart upload");
    let files = files_under(&s3.root().join(BUCKET));
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("vault/catalog/") || f.starts_with("vault/runs/")),
        "{files:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_failing_mid_multipart_leaves_no_snapshot_and_alerts() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    write_bulk(&bao, 14).await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, _key, _keys) = pgp_pair();
    let manager = manager_at(&bao.addr(), &bao, &store, &recipients);
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    let (scheduler, recorder) = scheduler(&manager, &store, &smtp);

    // The first part goes up; every later one fails (retries included).
    s3.inject(S3Fault::operation("UploadPart", 2).times(u64::MAX));
    let record = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("the failed run is recorded");
    assert!(s3.request_count("UploadPart") >= 2, "a multipart upload");
    assert!(s3.request_count("AbortMultipartUpload") >= 1, "aborted");
    assert_failed_and_alerted(&record, "UploadPart", &manager, &*store, &smtp, &recorder).await;
    assert_bucket_clean(&s3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_connection_dropped_mid_stream_leaves_no_snapshot_and_alerts() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    // Half the snapshot (where the proxy cuts it) is well over one part plus what the
    // pipeline holds in flight: the cut comes while a multipart upload is open.
    write_bulk(&bao, 40).await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, _key, _keys) = pgp_pair();
    let manager = manager_at(&proxy.addr(), &bao, &store, &recipients);
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    let (scheduler, recorder) = scheduler(&manager, &store, &smtp);

    // Learn the steady-state requests before the stream (health, leader, …) from two probes
    // that store nothing (the first call makes one-off requests); then cut the next
    // snapshot's body in half.
    let mut probe = None;
    for _ in 0..2 {
        proxy.reset_counts();
        let options = vault_backup::CreateOptions::full()
            .with_encrypt(false)
            .with_upload(false);
        probe = Some(manager.create_snapshot(options).await.expect("probe"));
    }
    assert!(
        probe
            .as_ref()
            .and_then(|p| p.plain_size)
            .is_some_and(|s| s > 3 * MIN_PART_SIZE as u64),
        "{probe:?}"
    );
    let before = proxy
        .requests()
        .iter()
        .position(|(_, p)| p.contains("sys/storage/raft/snapshot"))
        .expect("the probe asked for a snapshot");
    proxy.reset_counts();
    let mut script = vec![Fault::Pass; before];
    script.push(Fault::TruncatedBody);
    proxy.script(script);

    let record = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("the failed run is recorded");
    assert_eq!(proxy.pending_faults(), 0, "{:?}", proxy.requests());
    assert!(
        s3.request_count("CreateMultipartUpload") >= 1,
        "the cut came during a multipart upload: {record:?}"
    );
    assert_failed_and_alerted(
        &record,
        "read the snapshot stream",
        &manager,
        &*store,
        &smtp,
        &recorder,
    )
    .await;
    assert_bucket_clean(&s3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_local_disk_leaves_no_snapshot_and_alerts() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    write_bulk(&bao, 2).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn BlobStore> = Arc::new(FullDisk {
        inner: LocalDirStore::new(dir.path()).expect("store"),
        limit: 64 * 1024,
    });
    let (recipients, _key, _keys) = pgp_pair();
    let manager = manager_at(&bao.addr(), &bao, &store, &recipients);
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    let (scheduler, recorder) = scheduler(&manager, &store, &smtp);

    let record = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("the failed run is recorded");
    assert_failed_and_alerted(
        &record,
        "no space left",
        &manager,
        &*store,
        &smtp,
        &recorder,
    )
    .await;
    // No partial or temporary file either.
    let files = files_under(dir.path());
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("vault/catalog/") || f.starts_with("vault/runs/")),
        "{files:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_read_cut_mid_logical_backup_fails_without_leaking_the_value() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    seed(&bao).await;
    let proxy = FaultProxy::start(&bao.addr()).await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, _key, _keys) = pgp_pair();
    let manager = manager_at(&proxy.addr(), &bao, &store, &recipients);
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    let (scheduler, recorder) = scheduler(&manager, &store, &smtp);

    // Find the first read of the secret holding the planted value, then cut that answer and
    // every later one (a single cut read is retried and the backup succeeds).
    for _ in 0..2 {
        proxy.reset_counts();
        let options = vault_backup::CreateOptions::logical("secret").with_upload(false);
        manager.create_snapshot(options).await.expect("probe");
    }
    let read = proxy
        .requests()
        .iter()
        .position(|(_, p)| p.contains("secret/data/app/db"))
        .expect("the probe read app/db");
    proxy.reset_counts();
    proxy.script(vec![Fault::Pass; read]);
    proxy.set_default(Some(Fault::TruncatedBody));

    let record = scheduler
        .run_backup(&BackupRequest::logical("secret"))
        .await
        .expect("the failed run is recorded");
    proxy.set_default(None);
    let cut = &proxy.requests()[read..];
    assert!(
        cut.len() >= 2 && cut.iter().all(|(_, p)| p.contains("secret/data/app/db")),
        "the cut read was retried, nothing after it was asked: {cut:?}"
    );
    assert_failed_and_alerted(&record, "app/db", &manager, &*store, &smtp, &recorder).await;
    assert_bucket_clean(&s3);
    let mails = smtp.received();
    let everything = format!(
        "{record:?}{:?}{:?}{}",
        recorder.messages(),
        manager
            .list_snapshots(&SnapshotFilter::all())
            .await
            .expect("list"),
        mails.iter().map(|m| m.raw.as_str()).collect::<String>()
    );
    assert!(!everything.contains("planted-e2e"), "{everything}");
}
