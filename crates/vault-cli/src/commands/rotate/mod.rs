//! `vaultkit rotate …` over vault-rotation: policies stored in Vault (`policy`), runs (`run`,
//! `now`, `daemon`) and reports (`status`, `history`).
//!
//! - `policy.rs`: `rotate policy add|list|remove`.
//! - `run.rs`: `rotate run`, `rotate now`, `rotate daemon`, and the outcome table they share.
//! - `report.rs`: `rotate status`, `rotate history`.
//!
//! Every command works on the policies stored in Vault (under `--records-mount` /
//! `--records-prefix`), so several machines running `rotate daemon` share one set.

mod policy;
mod report;
mod run;

use vault_rotation::{
    RotationError, RotationOrchestrator, RotationScheduler, SecretRotationPolicy, VaultkitPaths,
};

use super::Ctx;
use crate::args::rotate::{RecordArgs, RotateCommand};
use crate::error::{CliError, CliResult};

/// Runs a `rotate` subcommand; `Ok(code)` is the exit code (1 when a rotation failed).
pub(crate) async fn run(ctx: &Ctx, cmd: RotateCommand) -> CliResult<u8> {
    match cmd {
        RotateCommand::Policy(p) => policy::run(ctx, p).await.map(|()| 0),
        RotateCommand::Run {
            dry_run,
            concurrency,
            records,
        } => run::run_due(ctx, &records, dry_run, concurrency).await,
        RotateCommand::Now { path, records } => run::now(ctx, &records, &path).await,
        RotateCommand::Status { path, records } => report::status(ctx, &records, path.as_deref())
            .await
            .map(|()| 0),
        RotateCommand::History { path, records } => {
            report::history(ctx, &records, &path).await.map(|()| 0)
        }
        RotateCommand::Daemon {
            check_interval,
            jitter,
            concurrency,
            records,
        } => run::daemon(ctx, &records, &check_interval, &jitter, concurrency).await,
    }
}

/// Where the records live.
fn paths(records: &RecordArgs) -> VaultkitPaths {
    VaultkitPaths::new(
        records.records_mount.trim_matches('/'),
        records.records_prefix.trim_matches('/'),
    )
}

/// The policy store under `records`.
fn policy_store(ctx: &Ctx, records: &RecordArgs) -> CliResult<vault_rotation::PolicyStore> {
    Ok(vault_rotation::PolicyStore::new(
        &ctx.client()?,
        paths(records),
    ))
}

/// A vault-rotation error with the exit code of its class.
pub(crate) fn rotation_error(e: RotationError) -> CliError {
    CliError::classified(&e)
}

/// An orchestrator over every policy stored in Vault.
async fn orchestrator(
    ctx: &Ctx,
    records: &RecordArgs,
    scheduler: RotationScheduler,
) -> CliResult<RotationOrchestrator> {
    let orchestrator =
        RotationOrchestrator::new(ctx.client()?, scheduler).with_paths(paths(records));
    orchestrator
        .load_policies_from_vault()
        .await
        .map_err(rotation_error)?;
    Ok(orchestrator)
}

/// The stored policy for `path` (`mount/path`, a path in the policy's mount, or its name).
fn find<'p>(
    policies: &'p [SecretRotationPolicy],
    path: &str,
) -> CliResult<&'p SecretRotationPolicy> {
    let mut scheduler = RotationScheduler::new();
    for p in policies {
        scheduler
            .schedule_rotation(p.clone())
            .map_err(rotation_error)?;
    }
    let name = scheduler.find(path).map(|p| p.name.clone());
    name.and_then(|n| policies.iter().find(|p| p.name == n))
        .ok_or_else(|| no_policy(path))
}

fn no_policy(path: &str) -> CliError {
    CliError::not_found(format!("no rotation policy for `{path}`"))
        .with_hint("list them with `vaultkit rotate policy list`, or add one with `vaultkit rotate policy add`")
}
