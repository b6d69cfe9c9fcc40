//! A run killed right after each of the four steps, then a rerun: the secret ends rotated once,
//! current and consistent with the target, and the previous value is still readable.

use std::time::Duration;

use vault_kv::KvExt;
use vault_rotation::{CrashPoint, RotationOutcome, RotationStep, SecretRotationPolicy};

use crate::common::{
    TargetRotator, in_91_days, meta, orchestrator, rotations_recorded, seed, server,
};

async fn crash_then_rerun(point: CrashPoint, same_holder: bool) {
    let (_bao, client) = server().await;
    let path = format!("app/crash-{point:?}").to_lowercase();
    let original = seed(&client, &path).await;
    let rotator = TargetRotator::holding(original.clone());
    let policy = SecretRotationPolicy::new("crashy", &path);
    let t = in_91_days();

    let first = orchestrator(
        &client,
        std::slice::from_ref(&policy),
        Some(rotator.clone()),
    )
    .with_holder_id("machine-1")
    .with_lease_ttl(Duration::from_secs(1))
    .with_crash_after(point);
    let crashed = first.run_rotations_at(t).await;
    assert!(
        matches!(&crashed[0].outcome, RotationOutcome::Failed { reason, .. } if reason.starts_with("simulated crash")),
        "{crashed:?}"
    );
    drop(first);

    let holder = if same_holder {
        "machine-1"
    } else {
        "machine-2"
    };
    let second = orchestrator(
        &client,
        std::slice::from_ref(&policy),
        Some(rotator.clone()),
    )
    .with_holder_id(holder);
    if !same_holder {
        // Another machine waits for the dead holder's lease to lapse.
        let held = second.run_rotations_at(t).await;
        assert!(
            matches!(&held[0].outcome, RotationOutcome::Skipped { reason } if reason.contains("holds the rotation lease")),
            "{held:?}"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let rerun = second.run_rotations_at(t).await;
    match point {
        CrashPoint::AfterFinish => assert!(
            matches!(&rerun[0].outcome, RotationOutcome::Skipped { reason } if reason.starts_with("not due")),
            "{rerun:?}"
        ),
        _ => assert_eq!(
            rerun[0].outcome,
            RotationOutcome::Rotated {
                from: Some(1),
                to: 2
            },
            "{rerun:?}"
        ),
    }

    let kv = client.kv2("secret");
    let current: u64 = meta(&client, &path, "current_version")
        .await
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no current_version after {point:?}"));
    assert_eq!(current, 2);
    assert_eq!(
        meta(&client, &path, "rotation_status").await.as_deref(),
        Some("idle")
    );
    assert_eq!(meta(&client, &path, "pending_version").await, None);
    let latest = kv.read(&path).await.unwrap_or_else(|e| panic!("{e}"));
    let at_pointer = kv
        .read_version(&path, current)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(latest.data, at_pointer.data);
    assert_eq!(
        rotator.target().as_ref(),
        Some(&at_pointer.data),
        "target and Vault disagree after {point:?}"
    );
    assert_ne!(at_pointer.data, original);
    let previous = kv
        .read_version(&path, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        previous.data, original,
        "the previous value must stay readable"
    );
    assert_eq!(
        rotations_recorded(&client, &path).await,
        1,
        "exactly one rotation after {point:?}"
    );
}

#[tokio::test]
async fn crash_after_create_is_completed_by_the_next_run() {
    crash_then_rerun(CrashPoint::AfterCreate, true).await;
}

#[tokio::test]
async fn crash_after_set_is_completed_by_another_machine_once_the_lease_lapses() {
    crash_then_rerun(CrashPoint::AfterSet, false).await;
}

#[tokio::test]
async fn crash_after_test_is_completed_by_the_next_run() {
    crash_then_rerun(CrashPoint::AfterTest, true).await;
}

#[tokio::test]
async fn crash_after_finish_leaves_a_finished_rotation() {
    crash_then_rerun(CrashPoint::AfterFinish, true).await;
}

#[tokio::test]
async fn a_crash_names_the_step_it_stopped_after() {
    let (_bao, client) = server().await;
    seed(&client, "app/named").await;
    let o = orchestrator(
        &client,
        &[SecretRotationPolicy::new("named", "app/named")],
        None,
    )
    .with_crash_after(CrashPoint::AfterSet);
    let out = o.run_rotations_at(in_91_days()).await;
    assert!(
        matches!(
            out[0].outcome,
            RotationOutcome::Failed {
                step: RotationStep::Set,
                ..
            }
        ),
        "{out:?}"
    );
}
