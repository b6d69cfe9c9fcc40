//! Scheduling decisions against a real server: due, not due, windows, on demand, dry run, the
//! daemon loop, the grace period.

use std::sync::Arc;
use std::time::Duration;

use chrono::Timelike;
use vault_kv::{KvErrorKind, KvExt};
use vault_rotation::{AfterGrace, RotationOutcome, RotationWindow, SecretRotationPolicy};

use crate::common::{
    PLANTED, TargetRotator, eventually, in_91_days, meta, orchestrator, rotations_recorded, seed,
    server,
};

#[tokio::test]
async fn a_due_policy_rotates_and_the_previous_value_stays_readable() {
    let (_bao, client) = server().await;
    let original = seed(&client, "app/due").await;
    let rotator = TargetRotator::holding(original.clone());
    let policy = SecretRotationPolicy::new("due", "app/due");
    let o = orchestrator(&client, &[policy], Some(rotator.clone()));

    let outcomes = o.run_rotations_at(in_91_days()).await;
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        outcomes[0].outcome,
        RotationOutcome::Rotated {
            from: Some(1),
            to: 2
        },
        "{outcomes:?}"
    );
    let kv = client.kv2("secret");
    let latest = kv.read("app/due").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest.metadata.version, Some(2));
    assert_ne!(latest.get_str("password"), Some(PLANTED));
    assert_eq!(latest.get_str("user"), Some("svc"));
    assert_eq!(rotator.target().as_ref(), Some(&latest.data));
    let previous = kv
        .read_version("app/due", 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(previous.data, original);
    assert_eq!(
        meta(&client, "app/due", "current_version").await.as_deref(),
        Some("2")
    );
    assert_eq!(
        meta(&client, "app/due", "previous_version")
            .await
            .as_deref(),
        Some("1")
    );
    assert_eq!(rotations_recorded(&client, "app/due").await, 1);

    let status = vault_rotation::RotationHistoryTracker::new(client.clone())
        .get_rotation_status("app/due")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.current_version, Some(2));
    assert!(
        status.in_grace && !status.pending && !status.failed && !status.overdue,
        "{status:?}"
    );
    assert!(status.next_due.is_some());
}

#[tokio::test]
async fn an_undue_policy_is_skipped_and_nothing_is_written() {
    let (_bao, client) = server().await;
    seed(&client, "app/fresh").await;
    let o = orchestrator(
        &client,
        &[SecretRotationPolicy::new("fresh", "app/fresh")],
        None,
    );
    let outcomes = o.run_rotations().await;
    match &outcomes[0].outcome {
        RotationOutcome::Skipped { reason } => {
            assert!(reason.starts_with("not due until"), "{reason}")
        }
        other => panic!("expected a skip, got {other:?}"),
    }
    let m = client
        .kv2("secret")
        .read_metadata("app/fresh")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.current_version, 1);
    // The scheduler learnt the due time: the next check does not even ask Vault.
    assert!(o.scheduler().next_due("fresh").is_some());
    assert!(o.scheduler().due(chrono::Utc::now()).is_empty());
}

#[tokio::test]
async fn a_window_is_respected() {
    let (_bao, client) = server().await;
    seed(&client, "app/windowed").await;
    let at = in_91_days();
    let h = u8::try_from(at.hour()).unwrap_or(0);
    // Open from two hours after `at` for one hour.
    let window = RotationWindow::hours(
        (h + 2) % 24,
        (h + 3) % 24 + if (h + 3) % 24 == 0 { 24 } else { 0 },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let policy = SecretRotationPolicy::new("windowed", "app/windowed").with_window(window);
    let o = orchestrator(&client, &[policy], None);

    let outside = o.run_rotations_at(at).await;
    assert_eq!(
        outside[0].outcome,
        RotationOutcome::Skipped {
            reason: "outside the rotation window".into()
        }
    );
    let inside = o.run_rotations_at(at + chrono::Duration::hours(2)).await;
    assert!(inside[0].outcome.is_rotated(), "{inside:?}");
}

#[tokio::test]
async fn on_demand_rotation_works_with_auto_rotate_off() {
    let (_bao, client) = server().await;
    seed(&client, "app/manual").await;
    let policy = SecretRotationPolicy::new("manual", "app/manual").with_auto_rotate(false);
    let o = orchestrator(&client, &[policy], None);
    let scheduled = o.run_rotations_at(in_91_days()).await;
    assert!(
        matches!(&scheduled[0].outcome, RotationOutcome::Skipped { reason } if reason.contains("auto_rotate is off"))
    );
    let now = o
        .rotate_now("secret/app/manual")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        now.outcome,
        RotationOutcome::Rotated {
            from: Some(1),
            to: 2
        }
    );
    assert!(o.rotate_now("app/unknown").await.is_err());
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    let (_bao, client) = server().await;
    seed(&client, "app/dry").await;
    let o = orchestrator(
        &client,
        &[SecretRotationPolicy::new("dry", "app/dry")],
        None,
    )
    .with_dry_run(true);
    let outcomes = o.run_rotations_at(in_91_days()).await;
    assert_eq!(
        outcomes[0].outcome,
        RotationOutcome::Skipped {
            reason: "dry run: would rotate version 1".into()
        }
    );
    let m = client
        .kv2("secret")
        .read_metadata("app/dry")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.current_version, 1);
    assert!(m.custom_metadata.is_empty(), "{:?}", m.custom_metadata);
    let h = client
        .kv2("secret")
        .read("vaultkit/rotation/history/secret/app/dry")
        .await;
    assert_eq!(h.err().map(|e| e.kind()), Some(KvErrorKind::NotFound));
}

#[tokio::test]
async fn after_the_grace_period_the_previous_value_is_revoked_and_deleted() {
    let (_bao, client) = server().await;
    let original = seed(&client, "app/grace").await;
    let rotator = TargetRotator::holding(original.clone());
    let policy = SecretRotationPolicy::new("grace", "app/grace")
        .with_after_grace(AfterGrace::RevokeAndDelete);
    let o = orchestrator(&client, &[policy], Some(rotator.clone()));
    let t = in_91_days();
    assert!(o.run_rotations_at(t).await[0].outcome.is_rotated());
    // Within the grace period nothing is revoked.
    let kv = client.kv2("secret");
    assert!(kv.read_version("app/grace", 1).await.is_ok());
    assert!(
        rotator
            .revoked
            .lock()
            .map(|r| r.is_empty())
            .unwrap_or(false)
    );
    // The scheduler wakes for the end of the grace period, before the next due time.
    let wake = o.scheduler().next_due("grace");
    assert!(
        wake.is_some_and(|w| w < t + chrono::Duration::days(2)),
        "{wake:?}"
    );

    let after = t + chrono::Duration::hours(25);
    let outcomes = o.run_rotations_at(after).await;
    assert!(
        matches!(&outcomes[0].outcome, RotationOutcome::Skipped { reason } if reason.starts_with("not due")),
        "{outcomes:?}"
    );
    assert_eq!(
        rotator
            .revoked
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default(),
        vec![original]
    );
    let gone = kv.read_version("app/grace", 1).await;
    assert_eq!(
        gone.err().map(|e| e.kind()),
        Some(KvErrorKind::VersionDeleted)
    );
    assert_eq!(
        meta(&client, "app/grace", "previous_revoked")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(
        kv.read("app/grace").await.is_ok(),
        "the current value must stay readable"
    );
}

#[tokio::test]
async fn the_daemon_rotates_and_stops_on_shutdown() {
    let (_bao, client) = server().await;
    // A secret that does not exist yet is due at once: the first run creates its value.
    let policy = SecretRotationPolicy::new("daemon", "app/daemon");
    let mut o = orchestrator(&client, &[policy], None);
    {
        let mut s = o.scheduler_mut();
        let taken = std::mem::take(&mut *s);
        *s = taken
            .with_check_interval(Duration::from_millis(50))
            .with_jitter(Duration::ZERO);
    }
    o = o.with_concurrency(2);
    let o = Arc::new(o);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let daemon = tokio::spawn({
        let o = Arc::clone(&o);
        async move { o.run_daemon(rx).await }
    });
    eventually("the daemon rotated the secret", || async {
        client.kv2("secret").read("app/daemon").await.is_ok()
    })
    .await;
    let _ = tx.send(true);
    let runs = daemon.await.unwrap_or_else(|e| panic!("daemon task: {e}"));
    assert!(runs >= 1);
    assert_eq!(rotations_recorded(&client, "app/daemon").await, 1);
    let created = client
        .kv2("secret")
        .read("app/daemon")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.get_str("password").map(str::len), Some(32));
}
