//! `vaultkit rotate run|now|daemon`: rotations, one outcome line per policy.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use vault_rotation::{PolicyOutcome, RotationOutcome, RotationScheduler, parse_duration};

use super::{Ctx, no_policy, orchestrator, rotation_error};
use crate::args::rotate::RecordArgs;
use crate::error::{CliError, CliResult};
use crate::output::Table;

/// `rotate run`: every due rotation once.
pub(super) async fn run_due(
    ctx: &Ctx,
    records: &RecordArgs,
    dry_run: bool,
    concurrency: usize,
) -> CliResult<u8> {
    let orchestrator = orchestrator(ctx, records, RotationScheduler::new())
        .await?
        .with_dry_run(dry_run)
        .with_concurrency(concurrency);
    let outcomes = orchestrator.run_rotations().await;
    if outcomes.is_empty() && ctx.is_table() {
        ctx.out()
            .info("No rotation policies yet: add one with `vaultkit rotate policy add NAME PATH`.");
    }
    print_outcomes(ctx, &outcomes)?;
    Ok(exit_code(&outcomes))
}

/// `rotate now PATH`: one rotation, due or not.
pub(super) async fn now(ctx: &Ctx, records: &RecordArgs, path: &str) -> CliResult<u8> {
    let orchestrator = orchestrator(ctx, records, RotationScheduler::new()).await?;
    if orchestrator.scheduler().find(path).is_none() {
        return Err(no_policy(path));
    }
    let outcome = orchestrator
        .rotate_now(path)
        .await
        .map_err(rotation_error)?;
    let outcomes = [outcome];
    print_outcomes(ctx, &outcomes)?;
    Ok(exit_code(&outcomes))
}

/// `rotate daemon`: reload the policies from Vault, run what is due, wait; until Ctrl-C or
/// SIGTERM. Each run prints the rotations and failures (skips only with `--format json`).
pub(super) async fn daemon(
    ctx: &Ctx,
    records: &RecordArgs,
    check_interval: &str,
    jitter: &str,
    concurrency: usize,
) -> CliResult<u8> {
    let every = parse_duration(check_interval).map_err(rotation_error)?;
    if every.is_zero() {
        return Err(
            CliError::validation("--check-interval must be longer than 0s")
                .with_hint("e.g. `--check-interval 15m`"),
        );
    }
    let jitter = parse_duration(jitter).map_err(rotation_error)?;
    let scheduler = RotationScheduler::new()
        .with_check_interval(every)
        .with_jitter(jitter);
    let orchestrator = orchestrator(ctx, records, scheduler)
        .await?
        .with_concurrency(concurrency);
    let (stop, mut stopped) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stop.send(true);
    });
    ctx.out().info(&format!(
        "Rotation daemon {}: {} policies, a check every {check_interval}; Ctrl-C or SIGTERM stops it.",
        orchestrator.holder_id(),
        orchestrator.scheduler().len()
    ));
    let mut failed_runs = 0u64;
    loop {
        let outcomes = orchestrator.run_rotations().await;
        let shown: Vec<PolicyOutcome> = if ctx.is_table() {
            outcomes
                .iter()
                .filter(|o| !matches!(o.outcome, RotationOutcome::Skipped { .. }))
                .cloned()
                .collect()
        } else {
            outcomes.clone()
        };
        print_outcomes(ctx, &shown)?;
        if exit_code(&outcomes) != 0 {
            failed_runs += 1;
        }
        let extra = jitter_ms(jitter);
        tokio::select! {
            () = tokio::time::sleep(every + Duration::from_millis(extra)) => {}
            _ = stopped.changed() => break,
        }
        // Pick up policies added, changed or removed by others since the last run.
        let stored = super::policy_store(ctx, records)?
            .load_all()
            .await
            .map_err(rotation_error);
        match stored {
            Ok(policies) => {
                let mut s = orchestrator.scheduler_mut();
                let names: Vec<String> = s.list().iter().map(|p| p.name.clone()).collect();
                for name in names {
                    if !policies.iter().any(|p| p.name == name) {
                        s.remove(&name);
                    }
                }
                for p in policies {
                    if s.get(&p.name) != Some(&p) {
                        let _ = s.schedule_rotation(p);
                    }
                }
            }
            Err(e) => ctx
                .out()
                .info(&format!("warning: policies not reloaded: {e}")),
        }
    }
    ctx.out().info("Rotation daemon stopped.");
    Ok(u8::from(failed_runs > 0))
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn jitter_ms(jitter: Duration) -> u64 {
    let max = u64::try_from(jitter.as_millis()).unwrap_or(u64::MAX);
    if max == 0 {
        0
    } else {
        rand::random::<u64>() % max
    }
}

/// 1 when a rotation failed, else 0.
fn exit_code(outcomes: &[PolicyOutcome]) -> u8 {
    u8::from(outcomes.iter().any(|o| o.outcome.is_failed()))
}

/// One row per policy: name, secret, outcome, detail (JSON: the outcomes as they are).
fn print_outcomes(ctx: &Ctx, outcomes: &[PolicyOutcome]) -> CliResult<()> {
    if outcomes.is_empty() && ctx.is_table() {
        return Ok(());
    }
    let value = serde_json::to_value(outcomes).unwrap_or(Value::Null);
    ctx.out().print(&value, || {
        let mut t = Table::new(["Policy", "Secret", "Outcome", "Detail"]);
        for o in outcomes {
            let (what, detail) = match &o.outcome {
                RotationOutcome::Rotated { from: Some(f), to } => {
                    ("rotated", format!("version {f} → {to}"))
                }
                RotationOutcome::Rotated { from: None, to } => {
                    ("rotated", format!("created version {to}"))
                }
                RotationOutcome::Skipped { reason } => ("skipped", reason.clone()),
                RotationOutcome::Failed { step, reason } => {
                    ("failed", format!("at {step}: {reason}"))
                }
                other => ("?", other.to_string()),
            };
            t.push([
                o.policy.clone(),
                format!("{}/{}", o.mount, o.path),
                what.to_string(),
                detail,
            ]);
        }
        t
    })
}
