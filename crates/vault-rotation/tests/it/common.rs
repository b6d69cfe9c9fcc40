//! Shared set-up: a dev server, seeded secrets, an in-test rotator that keeps its "target" in
//! memory, and a notifier that records what it was told.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use vault_core::{Notifier, NotifyMessage, VaultClient, VaultError};
use vault_kv::{KvExt, SecretData};
use vault_rotation::{
    HistoryEvent, HistoryRecord, RotationContext, RotationError, RotationHistoryTracker,
    RotationOrchestrator, RotationScheduler, Rotator, SecretRotationPolicy,
};
use vault_testkit::OpenBao;

/// A dev server (KV v2 at `secret/`) and a root client.
pub(crate) async fn server() -> (OpenBao, VaultClient) {
    let bao = OpenBao::dev().await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .unwrap_or_else(|e| panic!("building a client failed: {e}"));
    (bao, client)
}

/// The password planted in every seeded secret; it must never show in any output.
pub(crate) const PLANTED: &str = "planted-Pa55-xyzzy-0001";

/// Writes `{user, password: PLANTED}` at `secret/<path>` (version 1).
pub(crate) async fn seed(client: &VaultClient, path: &str) -> SecretData {
    let data = obj(json!({"user": "svc", "password": PLANTED}));
    client
        .kv2("secret")
        .write_data(path, &data)
        .await
        .unwrap_or_else(|e| panic!("seeding {path} failed: {e}"));
    SecretData::new(data)
}

/// A JSON object literal as a map.
pub(crate) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("expected a JSON object, got {other}"),
    }
}

/// A time at which a secret written now with the default 90-day interval is due.
pub(crate) fn in_91_days() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::days(91)
}

/// An orchestrator over `policies`, all rotated by `rotator`.
pub(crate) fn orchestrator(
    client: &VaultClient,
    policies: &[SecretRotationPolicy],
    rotator: Option<Arc<TargetRotator>>,
) -> RotationOrchestrator {
    let mut scheduler = RotationScheduler::new();
    for p in policies {
        scheduler
            .schedule_rotation(p.clone())
            .unwrap_or_else(|e| panic!("scheduling {} failed: {e}", p.name));
    }
    let mut o = RotationOrchestrator::new(client.clone(), scheduler);
    if let Some(r) = rotator {
        for p in policies {
            o = o.with_rotator(p.name.clone(), r.clone());
        }
    }
    o
}

/// The KV metadata entry `key` of `secret/<path>`.
pub(crate) async fn meta(client: &VaultClient, path: &str, key: &str) -> Option<String> {
    let m = client
        .kv2("secret")
        .read_metadata(path)
        .await
        .unwrap_or_else(|e| panic!("metadata of {path}: {e}"));
    m.custom_metadata.get(key).cloned()
}

/// The history of `secret/<path>`.
pub(crate) async fn history(client: &VaultClient, path: &str) -> Vec<HistoryRecord> {
    RotationHistoryTracker::new(client.clone())
        .get_rotation_history(path)
        .await
        .unwrap_or_else(|e| panic!("history of {path}: {e}"))
}

/// How many `Rotated` records the history of `path` has.
pub(crate) async fn rotations_recorded(client: &VaultClient, path: &str) -> usize {
    history(client, path)
        .await
        .iter()
        .filter(|r| r.event == HistoryEvent::Rotated)
        .count()
}

/// A rotator whose target system is a value in memory: `set` installs the new value, `rollback`
/// puts the current one back, `test` checks the target holds the new one.
#[derive(Debug, Default)]
pub(crate) struct TargetRotator {
    pub(crate) target: Mutex<Option<SecretData>>,
    pub(crate) fail_set: AtomicBool,
    pub(crate) fail_test: AtomicBool,
    pub(crate) sets: AtomicUsize,
    pub(crate) revoked: Mutex<Vec<SecretData>>,
}

impl TargetRotator {
    /// A target that currently accepts `current`.
    pub(crate) fn holding(current: SecretData) -> Arc<Self> {
        Arc::new(TargetRotator {
            target: Mutex::new(Some(current)),
            ..TargetRotator::default()
        })
    }

    /// The value the target accepts now.
    pub(crate) fn target(&self) -> Option<SecretData> {
        self.target.lock().map(|t| t.clone()).unwrap_or(None)
    }
}

#[async_trait]
impl Rotator for TargetRotator {
    fn kind(&self) -> &str {
        "in-memory"
    }

    async fn generate(
        &self,
        _ctx: &RotationContext,
        current: &SecretData,
    ) -> Result<SecretData, RotationError> {
        let mut map = current.expose().clone();
        map.insert(
            "password".into(),
            Value::String(format!("new-{:016x}{:016x}", rand_u64(), rand_u64())),
        );
        Ok(SecretData::new(map))
    }

    async fn set(
        &self,
        _ctx: &RotationContext,
        _current: &SecretData,
        new: &SecretData,
    ) -> Result<(), RotationError> {
        self.sets.fetch_add(1, Ordering::SeqCst);
        if self.fail_set.load(Ordering::SeqCst) {
            return Err(RotationError::rotator(
                "set: the target refused the new password",
            ));
        }
        if let Ok(mut t) = self.target.lock() {
            *t = Some(new.clone());
        }
        Ok(())
    }

    async fn test(&self, _ctx: &RotationContext, new: &SecretData) -> Result<(), RotationError> {
        if self.fail_test.load(Ordering::SeqCst) {
            return Err(RotationError::rotator(
                "test: login with the new password failed",
            ));
        }
        if self.target().as_ref() != Some(new) {
            return Err(RotationError::rotator(
                "test: the target does not hold the new value",
            ));
        }
        Ok(())
    }

    async fn rollback(
        &self,
        _ctx: &RotationContext,
        current: &SecretData,
        _failed: &SecretData,
    ) -> Result<(), RotationError> {
        if let Ok(mut t) = self.target.lock() {
            *t = Some(current.clone());
        }
        Ok(())
    }

    async fn revoke(
        &self,
        _ctx: &RotationContext,
        previous: &SecretData,
    ) -> Result<(), RotationError> {
        if let Ok(mut r) = self.revoked.lock() {
            r.push(previous.clone());
        }
        Ok(())
    }
}

fn rand_u64() -> u64 {
    rand::random()
}

/// A notifier that keeps every message.
#[derive(Debug, Default)]
pub(crate) struct RecordingNotifier {
    pub(crate) messages: Mutex<Vec<NotifyMessage>>,
}

impl RecordingNotifier {
    /// The messages so far.
    pub(crate) fn messages(&self) -> Vec<NotifyMessage> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, message: &NotifyMessage) -> Result<(), VaultError> {
        if let Ok(mut m) = self.messages.lock() {
            m.push(message.clone());
        }
        Ok(())
    }

    fn name(&self) -> &str {
        "recording"
    }
}

/// Waits until `f` is true (polling), up to a minute.
pub(crate) async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not reached within a minute");
}
