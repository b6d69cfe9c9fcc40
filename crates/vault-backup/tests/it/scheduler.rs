//! `BackupScheduler` against a real store (LocalDirStore in a temp dir) and a real SMTP server:
//! one run per slot across two schedulers, failure and overdue alerts by email, statistics
//! that survive the scheduler, hostile run records, graceful daemon shutdown.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vault_backup::{
    BackupError, BackupErrorKind, BackupJob, BackupRequest, BackupRunSummary, BackupScheduler,
    RunOutcome, Schedule,
};
use vault_core::{
    BlobStore, BlobStoreExt, LocalDirStore, Notifier, NotifyMessage, SmtpNotifier, SmtpSecurity,
    VaultError,
};
use vault_testkit::{SmtpMode, SmtpServer};

/// A backup engine double: counts calls, waits `delay`, fails when told to.
#[derive(Debug, Default)]
struct FakeJob {
    calls: AtomicUsize,
    fail: bool,
    delay: Duration,
    started: tokio::sync::Notify,
}

#[async_trait]
impl BackupJob for FakeJob {
    async fn run(&self, _: &BackupRequest) -> Result<BackupRunSummary, BackupError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.started.notify_one();
        tokio::time::sleep(self.delay).await;
        if self.fail {
            return Err(BackupError::new(
                BackupErrorKind::Store,
                "upload of `snapshots/x.snap` refused: bucket is read-only",
            ));
        }
        Ok(BackupRunSummary::new(format!("snap-{n}"), 1000 + n as u64))
    }
}

/// A notifier that keeps what it was sent.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<NotifyMessage>>);

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

/// A webhook receiver on loopback: answers every POST with 204 and keeps the bodies.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = conn.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + length {
                        let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]);
                        seen.lock().expect("lock").push(body.to_string());
                        let _ = conn
                            .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                            .await;
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}/hooks/planted-hook-token"), bodies)
}

fn new_store() -> (tempfile::TempDir, Arc<dyn BlobStore>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::new(dir.path()).expect("store");
    (dir, Arc::new(store))
}

fn smtp(server: &SmtpServer) -> Arc<dyn Notifier> {
    Arc::new(
        SmtpNotifier::builder(server.host())
            .with_port(server.port())
            .with_security(SmtpSecurity::StartTls)
            .with_root_ca_file(server.ca_cert_path().expect("ca"))
            .with_credentials(server.username(), server.password())
            .with_from("backup@example.test")
            .with_to("ops@example.test")
            .build()
            .expect("smtp notifier"),
    )
}

#[tokio::test]
async fn two_schedulers_claiming_the_same_slots_run_each_once() {
    let (_dir, store) = new_store();
    let job_a = Arc::new(FakeJob::default());
    let job_b = Arc::new(FakeJob::default());
    let mut a = BackupScheduler::new(job_a.clone(), store.clone()).with_instance_name("a");
    let mut b = BackupScheduler::new(job_b.clone(), store.clone()).with_instance_name("b");
    a.schedule_daily(2, 0).expect("schedule");
    b.schedule_daily(2, 0).expect("schedule");
    let entry = a.schedules()[0].clone();
    let mut slot: DateTime<Utc> = "2026-03-01T02:00:00Z".parse().expect("time");
    for _ in 0..20 {
        let (ra, rb) = tokio::join!(a.run_slot(&entry, slot), b.run_slot(&entry, slot));
        let (ra, rb) = (ra.expect("a"), rb.expect("b"));
        assert!(
            ra.is_some() != rb.is_some(),
            "slot {slot}: exactly one scheduler must run it"
        );
        slot = entry.schedule.next_after(slot).expect("next");
    }
    let runs = a.runs().await.expect("runs");
    assert_eq!(runs.len(), 20);
    let calls = job_a.calls.load(Ordering::SeqCst) + job_b.calls.load(Ordering::SeqCst);
    assert_eq!(calls, 20, "the job ran once per slot");
    assert!(runs.iter().all(|r| r.outcome == RunOutcome::Success));
}

#[tokio::test]
async fn two_daemons_on_one_store_produce_one_run_per_slot() {
    let (_dir, store) = new_store();
    let jobs: Vec<Arc<FakeJob>> = (0..2)
        .map(|_| {
            Arc::new(FakeJob {
                delay: Duration::from_millis(100),
                ..FakeJob::default()
            })
        })
        .collect();
    let mut schedulers = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let mut s = BackupScheduler::new(job.clone(), store.clone())
            .with_instance_name(format!("host-{i}"));
        s.schedule(
            "every-second",
            Schedule::cron("* * * * * *").expect("cron"),
            BackupRequest::full(),
        )
        .expect("schedule");
        schedulers.push(s);
    }
    let stop = tokio::sync::watch::channel(false);
    let daemons = schedulers.iter().map(|s| {
        let mut rx = stop.1.clone();
        s.run_daemon(async move {
            let _ = rx.wait_for(|v| *v).await;
        })
    });
    let stopper = async {
        // Wait for real runs rather than a fixed time: at least 3 slots recorded.
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if jobs
                .iter()
                .map(|j| j.calls.load(Ordering::SeqCst))
                .sum::<usize>()
                >= 3
            {
                break;
            }
        }
        let _ = stop.0.send(true);
    };
    let (results, ()) = tokio::join!(futures_util::future::join_all(daemons), stopper);
    for r in results {
        r.expect("daemon ends cleanly");
    }
    let runs = schedulers[0].runs().await.expect("runs");
    let mut per_slot: BTreeMap<DateTime<Utc>, usize> = BTreeMap::new();
    for r in &runs {
        *per_slot.entry(r.slot).or_default() += 1;
    }
    assert!(per_slot.values().all(|&n| n == 1), "{per_slot:?}");
    let calls: usize = jobs.iter().map(|j| j.calls.load(Ordering::SeqCst)).sum();
    assert_eq!(calls, runs.len(), "one job call per recorded slot");
    assert!(runs.len() >= 3);
}

#[tokio::test]
async fn a_failed_backup_is_recorded_and_emailed_to_every_channel() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let (_dir, store) = new_store();
    let recorder = Arc::new(Recorder::default());
    let job = Arc::new(FakeJob {
        fail: true,
        ..FakeJob::default()
    });
    let (hook_url, hook_bodies) = webhook_receiver().await;
    let webhook = vault_core::WebhookNotifier::new(hook_url).expect("webhook");
    let scheduler = BackupScheduler::new(job, store)
        .with_instance_name("backup-host-1")
        .with_notifier(smtp(&server))
        .with_notifier(Arc::new(webhook))
        .with_notifier(recorder.clone());
    let record = scheduler
        .run_backup(&BackupRequest::logical("secret"))
        .await
        .expect("recorded");
    assert_eq!(record.outcome, RunOutcome::Failure);
    let error = record.error.as_deref().expect("error kept");
    assert!(error.contains("bucket is read-only"), "{error}");

    let mail = server.received();
    assert_eq!(mail.len(), 1, "one email per failure");
    assert_eq!(mail[0].subject, "[ERROR] vaultkit backup `manual` failed");
    assert!(
        mail[0].body.contains("bucket is read-only"),
        "{}",
        mail[0].body
    );
    assert!(
        mail[0].body.contains("KV mount `secret`"),
        "{}",
        mail[0].body
    );
    assert!(
        mail[0].body.contains("instance: backup-host-1"),
        "{}",
        mail[0].body
    );
    assert_eq!(mail[0].rcpt_tos, ["ops@example.test"]);
    assert_eq!(recorder.0.lock().expect("lock").len(), 1);
    let hooks = hook_bodies.lock().expect("lock").clone();
    assert_eq!(hooks.len(), 1, "one webhook POST per failure");
    let hook: serde_json::Value = serde_json::from_str(&hooks[0]).expect("JSON payload");
    assert_eq!(hook["subject"], "vaultkit backup `manual` failed");
    assert_eq!(hook["severity"], "error");
    assert!(
        hook["body"]
            .as_str()
            .is_some_and(|b| b.contains("bucket is read-only")),
        "{hook}"
    );
    let debug = format!("{scheduler:?}");
    assert!(debug.contains("smtp") || debug.contains("Smtp"), "{debug}");
    assert!(!debug.contains(server.password()), "{debug}");
    assert!(!debug.contains("planted-hook-token"), "{debug}");

    let stats = scheduler.get_backup_stats().await.expect("stats");
    assert_eq!((stats.total_runs, stats.failed_runs), (1, 1));
    assert_eq!(stats.success_rate, 0.0);
    assert!(
        stats
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("read-only"))
    );

    // notify_on_failure(false): recorded, not sent.
    let (_dir2, store2) = new_store();
    let quiet = BackupScheduler::new(
        Arc::new(FakeJob {
            fail: true,
            ..FakeJob::default()
        }),
        store2,
    )
    .with_notifier(smtp(&server))
    .notify_on_failure(false);
    quiet
        .run_backup(&BackupRequest::full())
        .await
        .expect("recorded");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn an_overdue_backup_sends_one_stale_alert_per_gap() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let (_dir, store) = new_store();
    let mut scheduler = BackupScheduler::new(Arc::new(FakeJob::default()), store)
        .with_notifier(smtp(&server))
        .with_stale_grace(Duration::from_secs(3600));
    scheduler.schedule_daily(2, 0).expect("daily");
    scheduler.schedule_weekly(0, 3).expect("weekly");
    let ok = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("run");
    let finished = ok.finished_at.expect("finished");

    let gap = scheduler.allowed_gap(finished).expect("has schedules");
    assert_eq!(
        gap,
        chrono::Duration::hours(25),
        "the daily schedule's gap plus grace"
    );
    let in_time = finished + chrono::Duration::hours(24);
    assert!(
        scheduler
            .check_stale(in_time)
            .await
            .expect("check")
            .is_none()
    );
    assert!(
        scheduler
            .alert_if_stale(in_time)
            .await
            .expect("check")
            .is_none()
    );

    let late = finished + chrono::Duration::hours(26);
    let alert = scheduler
        .alert_if_stale(late)
        .await
        .expect("check")
        .expect("stale");
    assert_eq!(alert.last_success, Some(finished));
    let mail = server.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        mail[0]
            .subject
            .starts_with("[CRITICAL] vaultkit backup overdue"),
        "{}",
        mail[0].subject
    );
    assert!(
        mail[0].body.contains(&finished.to_rfc3339()),
        "{}",
        mail[0].body
    );

    // Not again within the same gap; again after it.
    let again = late + chrono::Duration::hours(1);
    assert!(
        scheduler
            .alert_if_stale(again)
            .await
            .expect("check")
            .is_none()
    );
    let next_day = late + chrono::Duration::hours(26);
    assert!(
        scheduler
            .alert_if_stale(next_day)
            .await
            .expect("check")
            .is_some()
    );
    assert_eq!(server.wait_for(2, Duration::from_secs(10)).await.len(), 2);
}

#[tokio::test]
async fn stats_come_from_the_store_and_survive_the_scheduler() {
    let (_dir, store) = new_store();
    let ok = BackupScheduler::new(Arc::new(FakeJob::default()), store.clone());
    for _ in 0..3 {
        ok.run_backup(&BackupRequest::full()).await.expect("run");
    }
    let failing = BackupScheduler::new(
        Arc::new(FakeJob {
            fail: true,
            ..FakeJob::default()
        }),
        store.clone(),
    );
    failing
        .run_backup(&BackupRequest::full())
        .await
        .expect("run");
    drop((ok, failing));

    // Hostile objects under runs/: not JSON, the wrong JSON, too large. Skipped and counted.
    store
        .put_bytes("runs/manual/garbage.json", "{not json".into())
        .await
        .expect("put");
    store
        .put_bytes("runs/manual/other.json", r#"{"schedule": 5}"#.into())
        .await
        .expect("put");
    store
        .put_bytes("runs/manual/huge.json", vec![b' '; 200_000].into())
        .await
        .expect("put");

    let fresh = BackupScheduler::new(Arc::new(FakeJob::default()), store);
    let stats = fresh.get_backup_stats().await.expect("stats");
    assert_eq!(
        (stats.total_runs, stats.successful_runs, stats.failed_runs),
        (4, 3, 1)
    );
    assert_eq!(stats.total_size_bytes, 1000 + 1001 + 1002);
    assert!((stats.success_rate - 0.75).abs() < 1e-9);
    assert!(stats.min_duration_ms <= stats.avg_duration_ms);
    assert!(stats.avg_duration_ms <= stats.max_duration_ms);
    assert!(stats.last_success.is_some() && stats.last_failure.is_some());
    assert_eq!(stats.unreadable_records, 3);
}

#[tokio::test]
async fn the_daemon_lets_a_running_backup_finish_on_shutdown() {
    let (_dir, store) = new_store();
    let job = Arc::new(FakeJob {
        delay: Duration::from_millis(1500),
        ..FakeJob::default()
    });
    let mut scheduler = BackupScheduler::new(job.clone(), store);
    scheduler
        .schedule(
            "every-second",
            Schedule::cron("* * * * * *").expect("cron"),
            BackupRequest::full(),
        )
        .expect("schedule");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let daemon = scheduler.run_daemon(async {
        let _ = rx.await;
    });
    let trigger = async {
        job.started.notified().await;
        let _ = tx.send(());
    };
    let (result, ()) = tokio::join!(daemon, trigger);
    result.expect("clean stop");
    let runs = scheduler.runs().await.expect("runs");
    assert_eq!(runs.len(), 1, "stopped after the running backup");
    assert_eq!(
        runs[0].outcome,
        RunOutcome::Success,
        "the running backup finished"
    );
    assert_eq!(job.calls.load(Ordering::SeqCst), 1);

    let (_dir2, store2) = new_store();
    let empty = BackupScheduler::new(job, store2);
    let e = empty.run_daemon(async {}).await.expect_err("no schedule");
    assert_eq!(e.kind(), BackupErrorKind::Config);
}

#[tokio::test]
async fn two_schedulers_take_one_real_raft_snapshot_per_slot() {
    use vault_backup::{BackupStatus, SnapshotManager};
    let bao = vault_testkit::OpenBao::raft().await;
    let (_dir, store) = new_store();
    let scheduler = |instance: &str| {
        let manager = SnapshotManager::builder(
            crate::snapshot_support::client(&bao.addr(), &bao.root_token()),
            store.clone(),
        )
        .with_prefix("vault")
        .build()
        .expect("manager");
        let mut s = BackupScheduler::new(Arc::new(manager), store.clone())
            .with_prefix("vault/")
            .with_instance_name(instance);
        s.schedule(
            "nightly",
            Schedule::daily(2, 0).expect("schedule"),
            BackupRequest::full()
                .with_encrypt(false)
                .with_retention_days(7),
        )
        .expect("schedule");
        s
    };
    let (a, b) = (scheduler("a"), scheduler("b"));
    let entry = a.schedules()[0].clone();
    let slot: DateTime<Utc> = "2026-03-01T02:00:00Z".parse().expect("time");
    let (ra, rb) = tokio::join!(a.run_slot(&entry, slot), b.run_slot(&entry, slot));
    let record = match (ra.expect("a"), rb.expect("b")) {
        (Some(r), None) | (None, Some(r)) => r,
        other => panic!("exactly one scheduler must take the slot: {other:?}"),
    };
    assert_eq!(record.outcome, RunOutcome::Success, "{:?}", record.error);
    let id = record.snapshot_id.clone().expect("snapshot id");

    let manager = SnapshotManager::builder(
        crate::snapshot_support::client(&bao.addr(), &bao.root_token()),
        store.clone(),
    )
    .with_prefix("vault")
    .build()
    .expect("manager");
    let info = manager.get_snapshot(&id).await.expect("in the catalog");
    assert_eq!(info.status, BackupStatus::Completed);
    assert_eq!(info.retention_days, Some(7));
    assert_eq!(Some(info.stored_size.expect("size")), record.size_bytes);
    manager.verify_snapshot(&id, None).await.expect("verifies");
    let snapshots = manager
        .list_snapshots(&vault_backup::SnapshotFilter::all())
        .await
        .expect("list");
    assert_eq!(snapshots.len(), 1, "one snapshot for the slot");

    let stats = b.get_backup_stats().await.expect("stats");
    assert_eq!((stats.total_runs, stats.successful_runs), (1, 1));
    assert_eq!(Some(stats.total_size_bytes), record.size_bytes);
    assert!(
        store
            .head("vault/runs/nightly/20260301T020000Z.json")
            .await
            .expect("head")
            .is_some()
    );
}

#[tokio::test]
async fn the_daemon_sends_the_stale_alert_when_every_run_fails() {
    let (_dir, store) = new_store();
    let recorder = Arc::new(Recorder::default());
    let job = Arc::new(FakeJob {
        fail: true,
        ..FakeJob::default()
    });
    let mut scheduler = BackupScheduler::new(job, store)
        .with_notifier(recorder.clone())
        .notify_on_failure(false)
        .with_stale_grace(Duration::ZERO);
    scheduler
        .schedule(
            "every-second",
            Schedule::cron("* * * * * *").expect("cron"),
            BackupRequest::full(),
        )
        .expect("schedule");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let daemon = scheduler.run_daemon(async {
        let _ = rx.await;
    });
    let watcher = async {
        while recorder.0.lock().expect("lock").is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = tx.send(());
    };
    let (result, ()) = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::join!(daemon, watcher)
    })
    .await
    .expect("an overdue alert within a minute of one-second slots");
    result.expect("clean stop");
    let sent = recorder.0.lock().expect("lock").clone();
    // Only overdue alerts: failures are not notified here.
    assert!(
        sent.iter()
            .all(|m| m.severity == vault_core::NotifySeverity::Critical),
        "{sent:?}"
    );
    assert!(
        sent[0].subject.contains("no successful backup ever"),
        "{}",
        sent[0].subject
    );
    let stats = scheduler.get_backup_stats().await.expect("stats");
    assert!(stats.failed_runs >= 1 && stats.successful_runs == 0);
}
