//! `vaultkit rotate status [PATH]` and `vaultkit rotate history PATH`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use vault_core::{Classify, ErrorClass};
use vault_rotation::{HistoryEvent, RotationHistoryTracker, SecretRotationPolicy};

use super::{Ctx, find, paths, policy_store, rotation_error};
use crate::args::rotate::RecordArgs;
use crate::error::CliResult;
use crate::output::Table;

/// `rotate status`: one secret (by path or policy name) or every policy's secret.
pub(super) async fn status(ctx: &Ctx, records: &RecordArgs, path: Option<&str>) -> CliResult<()> {
    let client = ctx.client()?;
    let policies = policy_store(ctx, records)?
        .load_all()
        .await
        .map_err(rotation_error)?;
    let chosen: Vec<&SecretRotationPolicy> = match path {
        Some(path) => vec![find(&policies, path)?],
        None => policies.iter().collect(),
    };
    if chosen.is_empty() && ctx.is_table() {
        ctx.out()
            .info("No rotation policies yet: add one with `vaultkit rotate policy add NAME PATH`.");
        return Ok(());
    }
    let mut rows = Vec::with_capacity(chosen.len());
    for policy in chosen {
        let tracker = RotationHistoryTracker::new(client.clone())
            .with_paths(paths(records))
            .with_mount(&policy.mount);
        let row = match tracker.get_rotation_status(&policy.path).await {
            Ok(status) => {
                let mut v = serde_json::to_value(&status).unwrap_or(Value::Null);
                if let Some(map) = v.as_object_mut() {
                    map.insert("policy".into(), json!(policy.name));
                }
                v
            }
            // A secret that does not exist yet: the first rotation creates it.
            Err(e) if e.class() == ErrorClass::SecretNotFound => json!({
                "policy": policy.name, "mount": policy.mount, "path": policy.path,
                "state": "missing", "overdue": policy.auto_rotate,
            }),
            Err(e) => return Err(rotation_error(e)),
        };
        rows.push(row);
    }
    let value = match (path, rows.as_slice()) {
        (Some(_), [one]) => one.clone(),
        _ => Value::Array(rows.clone()),
    };
    ctx.out().print(&value, || {
        let mut t = Table::new([
            "Policy",
            "Secret",
            "State",
            "Current",
            "Previous",
            "Last rotated",
            "Next due",
            "Grace until",
            "Last error",
        ]);
        for r in &rows {
            let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let version = |k: &str| r.get(k).and_then(Value::as_u64).map(|v| v.to_string());
            let mut state = text("state");
            if r.get("overdue").and_then(Value::as_bool) == Some(true) {
                state.push_str(" (overdue)");
            }
            t.push([
                text("policy"),
                format!("{}/{}", text("mount"), text("path")),
                state,
                version("current_version").unwrap_or_else(|| "-".into()),
                version("previous_version").unwrap_or_else(|| "-".into()),
                time_cell(r.get("last_rotated")),
                time_cell(r.get("next_due")),
                time_cell(r.get("grace_until")),
                text("last_error"),
            ]);
        }
        t
    })
}

/// `rotate history PATH`: every recorded rotation, oldest first.
pub(super) async fn history(ctx: &Ctx, records: &RecordArgs, path: &str) -> CliResult<()> {
    let client = ctx.client()?;
    let policies = policy_store(ctx, records)?
        .load_all()
        .await
        .map_err(rotation_error)?;
    let policy = find(&policies, path)?;
    let entries = RotationHistoryTracker::new(client)
        .with_paths(paths(records))
        .with_mount(&policy.mount)
        .get_rotation_history(&policy.path)
        .await
        .map_err(rotation_error)?;
    if entries.is_empty() && ctx.is_table() {
        ctx.out().info(&format!(
            "No rotations of {}/{} recorded yet.",
            policy.mount, policy.path
        ));
        return Ok(());
    }
    let value = serde_json::to_value(&entries).unwrap_or(Value::Null);
    ctx.out().print(&value, || {
        let mut t = Table::new(["At", "Event", "From", "To", "Actor", "Detail"]);
        for r in &entries {
            let (event, detail) = match &r.event {
                HistoryEvent::Rotated => ("rotated", String::new()),
                HistoryEvent::Revoked => ("revoked", String::new()),
                HistoryEvent::Failed { step, reason } => ("failed", format!("at {step}: {reason}")),
                _ => ("?", String::new()),
            };
            let version = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
            t.push([
                time(&r.at),
                event.to_string(),
                version(r.from_version),
                version(r.to_version),
                r.actor.clone(),
                detail,
            ]);
        }
        t
    })
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An RFC 3339 time from JSON, shortened to seconds; `-` when absent.
fn time_cell(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| time(&t.with_timezone(&Utc)))
        .unwrap_or_else(|| "-".to_string())
}
