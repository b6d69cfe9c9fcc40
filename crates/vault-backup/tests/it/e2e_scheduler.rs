//! The scheduler over the real engine and one S3 bucket: two schedulers on the same schedule
//! take exactly one snapshot per slot; without a successful snapshot in the expected interval
//! the overdue alert arrives by email.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use vault_backup::{BackupRequest, BackupScheduler, BackupStatus, RunOutcome, SnapshotFilter};
use vault_testkit::{OpenBao, SmtpMode, SmtpServer};

use crate::e2e_support::{Recorder, job, mailer, manager_at, s3_server, s3_store, seed};
use crate::snapshot_support::{keys, pgp_pair};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_on_one_bucket_take_exactly_one_snapshot_per_slot() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    seed(&bao).await;
    let s3 = s3_server().await;
    let (recipients, _key, _keys) = pgp_pair();
    // Two machines: each its own client, S3 store and manager, one bucket.
    let mut schedulers = Vec::new();
    let mut managers = Vec::new();
    for name in ["backup-a", "backup-b"] {
        let store = s3_store(&s3).await;
        let manager = manager_at(&bao.addr(), &bao, &store, &recipients);
        let mut scheduler = BackupScheduler::new(job(&manager), store)
            .with_prefix("vault/")
            .with_instance_name(name);
        scheduler.schedule_daily(2, 0).expect("daily");
        schedulers.push(scheduler);
        managers.push(manager);
    }
    let (a, b) = (&schedulers[0], &schedulers[1]);

    let first: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
        .single()
        .expect("a valid time");
    let slots: Vec<DateTime<Utc>> = (0..3).map(|d| first + chrono::Duration::days(d)).collect();
    for slot in &slots {
        let (ra, rb) = tokio::join!(
            a.run_slot(&a.schedules()[0], *slot),
            b.run_slot(&b.schedules()[0], *slot)
        );
        let (ra, rb) = (ra.expect("run a"), rb.expect("run b"));
        assert!(
            ra.is_some() != rb.is_some(),
            "exactly one scheduler runs slot {slot}: {ra:?} {rb:?}"
        );
        let record = ra.or(rb).expect("the winner's record");
        assert_eq!(record.outcome, RunOutcome::Success, "{record:?}");
    }

    let runs = a.runs().await.expect("runs");
    assert_eq!(runs.len(), slots.len(), "{runs:?}");
    let mut run_ids: Vec<String> = runs
        .iter()
        .map(|r| r.snapshot_id.clone().expect("snapshot id"))
        .collect();
    run_ids.sort();
    assert_eq!(
        runs.iter().map(|r| r.slot).collect::<Vec<_>>(),
        slots,
        "one record per slot"
    );
    let entries = managers[1]
        .list_snapshots(&SnapshotFilter::all())
        .await
        .expect("list");
    let mut catalog_ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    catalog_ids.sort();
    assert_eq!(catalog_ids, run_ids, "one snapshot per slot in the catalog");
    assert!(
        entries.iter().all(|e| e.status == BackupStatus::Completed),
        "{entries:?}"
    );
    let store = s3_store(&s3).await;
    assert_eq!(keys(&*store, "vault/snapshots/").await.len(), slots.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_successful_snapshot_within_the_interval_sends_the_overdue_alert() {
    let bao = OpenBao::raft().await;
    bao.enable_kv_v2("secret").await;
    seed(&bao).await;
    let s3 = s3_server().await;
    let store = s3_store(&s3).await;
    let (recipients, _key, _keys) = pgp_pair();
    let manager = manager_at(&bao.addr(), &bao, &store, &recipients);
    let smtp = SmtpServer::start(SmtpMode::StartTls);
    let recorder = Arc::new(Recorder::default());
    let mut scheduler = BackupScheduler::new(job(&manager), Arc::clone(&store))
        .with_prefix("vault/")
        .with_instance_name("backup-host-1")
        .with_notifier(mailer(&smtp))
        .with_notifier(recorder.clone())
        .with_stale_grace(Duration::from_secs(3600));
    scheduler.schedule_daily(2, 0).expect("daily");

    let ok = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("run");
    assert_eq!(ok.outcome, RunOutcome::Success, "{ok:?}");
    let done = ok.finished_at.expect("finished");
    // Then every backup fails: the cluster is sealed.
    bao.seal().await;
    let failed = scheduler
        .run_backup(&BackupRequest::full())
        .await
        .expect("run");
    assert_eq!(failed.outcome, RunOutcome::Failure, "{failed:?}");
    assert_eq!(recorder.messages().len(), 1, "the failure alert");

    // Within a day and the grace hour, nothing is overdue; past it, the alert goes out once.
    let in_time = done + chrono::Duration::hours(24);
    assert_eq!(
        scheduler.alert_if_stale(in_time).await.expect("check"),
        None
    );
    let late = done + chrono::Duration::hours(26);
    let stale = scheduler
        .alert_if_stale(late)
        .await
        .expect("check")
        .expect("overdue");
    assert_eq!(stale.last_success, Some(done));
    assert_eq!(scheduler.alert_if_stale(late).await.expect("check"), None);

    let sent = recorder.messages();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let mails = smtp.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let overdue: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.contains("overdue"))
        .collect();
    assert_eq!(overdue.len(), 1, "{mails:?}");
    assert!(
        overdue[0].text().contains(&done.to_rfc3339()),
        "{}",
        overdue[0].text()
    );
}
