//! Policies stored in Vault: check-and-set on create and update, loaded by an orchestrator.

use vault_rotation::{
    PolicyStore, RotationErrorKind, RotationOrchestrator, RotationScheduler, SecretRotationPolicy,
    VaultkitPaths,
};

use crate::common::server;

#[tokio::test]
async fn policies_are_shared_through_vault_with_check_and_set() {
    let (_bao, client) = server().await;
    let store = PolicyStore::new(&client, VaultkitPaths::default());
    let policy = SecretRotationPolicy::new("billing", "apps/billing/db");
    let v1 = store
        .save(&policy, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v1, 1);

    // A second machine creating the same policy loses.
    let again = store.save(&policy, None).await.err();
    assert_eq!(again.map(|e| e.kind()), Some(RotationErrorKind::Conflict));

    let (loaded, version) = store
        .load("billing")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("policy not found"));
    assert_eq!(loaded, policy);
    let changed = loaded.with_auto_rotate(false);
    assert_eq!(store.save(&changed, Some(version)).await.ok(), Some(2));
    // An update based on the old version is refused.
    let stale = store.save(&policy, Some(version)).await.err();
    assert_eq!(stale.map(|e| e.kind()), Some(RotationErrorKind::Conflict));

    store
        .save(&SecretRotationPolicy::new("other", "apps/other"), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let o = RotationOrchestrator::new(client.clone(), RotationScheduler::new());
    assert_eq!(o.load_policies_from_vault().await.ok(), Some(2));
    assert_eq!(
        o.scheduler().get("billing").map(|p| p.auto_rotate),
        Some(false)
    );

    store
        .delete("other")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(store.load("other").await.ok().flatten().is_none());
}
