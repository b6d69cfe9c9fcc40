//! Several orchestrators on one Vault: leases and check-and-set make each due rotation happen
//! exactly once.

use vault_kv::KvExt;
use vault_rotation::{RotationOutcome, SecretRotationPolicy};

use crate::common::{in_91_days, meta, orchestrator, rotations_recorded, seed, server};

#[tokio::test]
async fn two_orchestrators_racing_on_one_policy_rotate_once() {
    let (_bao, client) = server().await;
    seed(&client, "app/raced").await;
    let policy = [SecretRotationPolicy::new("raced", "app/raced")];
    let a = orchestrator(&client, &policy, None).with_holder_id("a");
    let b = orchestrator(&client, &policy, None).with_holder_id("b");
    let t = in_91_days();
    let (ra, rb) = tokio::join!(a.run_rotations_at(t), b.run_rotations_at(t));
    let all: Vec<&RotationOutcome> = ra.iter().chain(rb.iter()).map(|o| &o.outcome).collect();
    assert_eq!(all.iter().filter(|o| o.is_rotated()).count(), 1, "{all:?}");
    assert!(all.iter().all(|o| !o.is_failed()), "{all:?}");
    let m = client
        .kv2("secret")
        .read_metadata("app/raced")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.current_version, 2);
    assert_eq!(rotations_recorded(&client, "app/raced").await, 1);
}

#[tokio::test]
async fn three_orchestrators_rotate_fifty_due_policies_exactly_once() {
    let (_bao, client) = server().await;
    let mut policies = Vec::new();
    for i in 0..50 {
        let path = format!("fleet/s{i:02}");
        seed(&client, &path).await;
        policies.push(SecretRotationPolicy::new(format!("s{i:02}"), path));
    }
    let os: Vec<_> = ["m1", "m2", "m3"]
        .iter()
        .map(|h| {
            orchestrator(&client, &policies, None)
                .with_holder_id(*h)
                .with_concurrency(8)
        })
        .collect();
    let t = in_91_days();
    let (r1, r2, r3) = tokio::join!(
        os[0].run_rotations_at(t),
        os[1].run_rotations_at(t),
        os[2].run_rotations_at(t)
    );
    let outcomes: Vec<_> = r1.iter().chain(&r2).chain(&r3).collect();
    assert!(
        outcomes.iter().all(|o| !o.outcome.is_failed()),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| o.outcome.is_rotated()).count(),
        50,
        "{:#?}",
        outcomes
            .iter()
            .filter(|o| o.policy == "s00" || o.policy == "s01")
            .collect::<Vec<_>>()
    );
    // A loser skips, or (when the lease was free again) finds it rotated and not due; a policy
    // skipped for a held lease may run again later and must then find it not due.
    let again = os[2].run_rotations_at(t).await;
    assert!(again.iter().all(|o| !o.outcome.is_rotated()), "{again:?}");

    let kv = client.kv2("secret");
    for p in &policies {
        let m = kv
            .read_metadata(&p.path)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            m.current_version, 2,
            "{} has {} versions",
            p.path, m.current_version
        );
        assert_eq!(
            meta(&client, &p.path, "current_version").await.as_deref(),
            Some("2")
        );
        assert_eq!(rotations_recorded(&client, &p.path).await, 1, "{}", p.path);
    }
}
