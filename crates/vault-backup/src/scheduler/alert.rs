//! The messages the scheduler sends, and the fan-out to every notifier.

use std::sync::Arc;

use futures_util::future::join_all;
use vault_core::{Notifier, NotifyMessage, NotifySeverity};

use super::core::StaleBackup;
use super::job::BackupKind;
use super::record::RunRecord;

/// "backup `daily` failed": the error, the slot, the machine.
pub(super) fn failure(record: &RunRecord) -> NotifyMessage {
    let what = match &record.request.kind {
        BackupKind::Full => "full (Raft snapshot)".to_string(),
        BackupKind::Logical { mount } => format!("logical (KV mount `{mount}`)"),
    };
    NotifyMessage::new(
        NotifySeverity::Error,
        format!("vaultkit backup `{}` failed", record.schedule),
        format!(
            "The {what} backup of slot {} failed on {}:\n{}",
            record.slot.to_rfc3339(),
            record.instance,
            record.error.as_deref().unwrap_or("unknown error")
        ),
    )
    .with_field("schedule", record.schedule.clone())
    .with_field("slot", record.slot.to_rfc3339())
    .with_field("instance", record.instance.clone())
}

/// "no successful backup since …".
pub(super) fn stale(stale: &StaleBackup, instance: &str) -> NotifyMessage {
    let since = stale.last_success.map_or_else(
        || "ever".to_string(),
        |t| format!("since {}", t.to_rfc3339()),
    );
    let hours = stale.allowed_gap.num_minutes() as f64 / 60.0;
    NotifyMessage::new(
        NotifySeverity::Critical,
        format!("vaultkit backup overdue: no successful backup {since}"),
        format!(
            "No backup succeeded {since}; the schedules expect one at least every {hours:.1} h \
             (grace included). Check the scheduler's log and its run records under `runs/`."
        ),
    )
    .with_field(
        "last_success",
        stale
            .last_success
            .map_or_else(|| "never".to_string(), |t| t.to_rfc3339()),
    )
    .with_field("checked_at", stale.checked_at.to_rfc3339())
    .with_field("instance", instance.to_string())
}

/// Sends `message` through every notifier at once; a channel that fails is logged, not fatal.
pub(super) async fn send(notifiers: &[Arc<dyn Notifier>], message: &NotifyMessage) {
    let results = join_all(notifiers.iter().map(|n| n.notify(message))).await;
    for (notifier, result) in notifiers.iter().zip(results) {
        if let Err(e) = result {
            tracing::warn!(channel = notifier.name(), error = %e, "notification failed");
        }
    }
}
