//! Set or test failing: the rotator rolls back, the current value is written again as the latest
//! version, history shows the failure, the notifier is told — and no secret value leaks.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use vault_kv::KvExt;
use vault_rotation::{
    HistoryEvent, RotationHistoryTracker, RotationOutcome, RotationStep, SecretRotationPolicy,
};

use crate::common::{
    PLANTED, RecordingNotifier, TargetRotator, history, in_91_days, meta, orchestrator, seed,
    server,
};

async fn failing(step: RotationStep) {
    let (_bao, client) = server().await;
    let path = format!("app/fail-{step}");
    let original = seed(&client, &path).await;
    let rotator = TargetRotator::holding(original.clone());
    match step {
        RotationStep::Set => rotator.fail_set.store(true, Ordering::SeqCst),
        _ => rotator.fail_test.store(true, Ordering::SeqCst),
    }
    let notifier = Arc::new(RecordingNotifier::default());
    let o = orchestrator(
        &client,
        &[SecretRotationPolicy::new("failing", &path)],
        Some(rotator.clone()),
    )
    .with_notifier(notifier.clone());
    let t = in_91_days();
    let out = o.run_rotations_at(t).await;
    assert!(
        matches!(&out[0].outcome, RotationOutcome::Failed { step: s, .. } if *s == step),
        "{out:?}"
    );

    // The old credential is in force, on the target and as the latest KV version.
    assert_eq!(rotator.target().as_ref(), Some(&original));
    let kv = client.kv2("secret");
    let latest = kv.read(&path).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest.data, original);
    assert_eq!(latest.metadata.version, Some(3));
    let failed_value = kv
        .read_version(&path, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(failed_value.data, original);
    assert_eq!(
        meta(&client, &path, "current_version").await.as_deref(),
        Some("3")
    );
    assert_eq!(
        meta(&client, &path, "failed_version").await.as_deref(),
        Some("2")
    );
    assert_eq!(
        meta(&client, &path, "rotation_status").await.as_deref(),
        Some("failed")
    );

    let h = history(&client, &path).await;
    assert_eq!(h.len(), 1);
    assert!(
        matches!(&h[0].event, HistoryEvent::Failed { step: s, .. } if *s == step),
        "{h:?}"
    );
    let status = RotationHistoryTracker::new(client.clone())
        .get_rotation_status(&path)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.failed && !status.pending, "{status:?}");
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with(step.as_str())),
        "{status:?}"
    );

    let messages = notifier.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].subject.contains(&format!("failed at {step}")),
        "{messages:?}"
    );

    // Nothing shows a value: not the planted one, not the failed new one.
    let failed_pw = failed_value
        .get_str("password")
        .unwrap_or("unreachable")
        .to_string();
    let shown = format!(
        "{out:?} {} {h:?} {status:?} {messages:?} {:?}",
        out[0], rotator
    );
    for secret in [PLANTED, failed_pw.as_str()] {
        assert!(!shown.contains(secret), "a secret value leaked: {shown}");
    }

    // The next run retries with a fresh value and succeeds.
    rotator.fail_set.store(false, Ordering::SeqCst);
    rotator.fail_test.store(false, Ordering::SeqCst);
    let retry = o.run_rotations_at(t).await;
    assert_eq!(
        retry[0].outcome,
        RotationOutcome::Rotated {
            from: Some(3),
            to: 4
        },
        "{retry:?}"
    );
    let now = kv.read(&path).await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(
        now.data, failed_value.data,
        "a retry must not reuse the failed value"
    );
    assert_eq!(rotator.target().as_ref(), Some(&now.data));
}

#[tokio::test]
async fn a_failing_set_rolls_back() {
    failing(RotationStep::Set).await;
}

#[tokio::test]
async fn a_failing_test_rolls_back() {
    failing(RotationStep::Test).await;
}

#[tokio::test]
async fn a_rotation_shows_no_secret_value_anywhere() {
    let (_bao, client) = server().await;
    seed(&client, "app/quiet").await;
    let o = orchestrator(
        &client,
        &[SecretRotationPolicy::new("quiet", "app/quiet")],
        None,
    );
    let out = o.run_rotations_at(in_91_days()).await;
    assert!(out[0].outcome.is_rotated());
    let new = client
        .kv2("secret")
        .read("app/quiet")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let new_pw = new.get_str("password").unwrap_or("unreachable").to_string();
    let tracker = RotationHistoryTracker::new(client.clone());
    let h = tracker
        .get_rotation_history("app/quiet")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = tracker
        .get_rotation_status("app/quiet")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let m = client
        .kv2("secret")
        .read_metadata("app/quiet")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let shown = format!(
        "{out:?} {} {h:?} {status:?} {:?} {o:?}",
        out[0], m.custom_metadata
    );
    for secret in [PLANTED, new_pw.as_str()] {
        assert!(!shown.contains(secret), "a secret value leaked: {shown}");
    }
}
