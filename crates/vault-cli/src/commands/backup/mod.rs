//! `vaultkit backup …`: encrypted, verified snapshots over vault-backup's `SnapshotManager`.
//!
//! - this file: dispatch, the manager, error mapping.
//! - [`store`]: `--store` (local folder or `s3://`) with progress bars on uploads and downloads.
//! - [`keys`]: recipients, the decryption key, `keygen`.
//! - [`show`]: how snapshots, restore and cleanup reports print.
//! - [`schedule`], [`schedule_file`]: `schedule add|list|remove`, schedules stored in the store.
//! - [`stats`]: `stats`, run figures and overdue schedules (exit 7).
//! - [`daemon`]: `daemon`, the schedules run until Ctrl-C/SIGTERM with alerts.

use std::sync::Arc;

use vault_backup::{
    BackupError, BackupStatus, BackupType, CreateOptions, RestoreOptions, RetentionPolicy,
    SnapshotFilter, SnapshotManager,
};
use vault_core::BlobStore;

use super::Ctx;
use crate::args::backup::{BackupCommand, StoreArgs};
use crate::error::{CliError, CliResult};

mod daemon;
mod keys;
mod schedule;
mod schedule_file;
mod show;
mod stats;
mod store;

/// vault-backup's errors as CLI errors (exit code from the error's class).
pub(crate) fn backup_error(e: BackupError) -> CliError {
    CliError::classified(&e)
}

/// Runs a `backup` command; the exit code is 0 unless `stats` finds an overdue backup.
pub(crate) async fn run(ctx: &Ctx, cmd: BackupCommand) -> CliResult<u8> {
    match cmd {
        BackupCommand::Stats {
            store,
            grace_minutes,
        } => stats::run(ctx, &store, grace_minutes).await,
        other => run_other(ctx, other).await.map(|()| 0),
    }
}

async fn run_other(ctx: &Ctx, cmd: BackupCommand) -> CliResult<()> {
    match cmd {
        BackupCommand::Schedule { command } => schedule::run(ctx, command).await,
        BackupCommand::Daemon {
            store,
            notify,
            instance,
        } => daemon::run(ctx, &store, &notify, instance.as_deref()).await,
        BackupCommand::Stats { .. } => Ok(()),
        BackupCommand::Keygen {
            user_id,
            cert,
            secret_key,
            passphrase_env,
        } => keys::keygen(ctx, &user_id, &cert, &secret_key, passphrase_env.as_deref()),
        BackupCommand::Create {
            store,
            recipients,
            backup_type,
            mount,
            retention_days,
        } => {
            let recipients = keys::recipients(&recipients)?;
            let mut options = match parse_type(&backup_type)? {
                BackupType::Full => CreateOptions::full(),
                _ => CreateOptions::logical(mount),
            };
            if let Some(days) = retention_days {
                options = options.with_retention_days(days);
            }
            options = match recipients {
                Some(r) => options.with_recipients(r),
                None => options.with_encrypt(false),
            };
            let manager = manager(ctx, &store, true).await?;
            let info = manager
                .create_snapshot(options)
                .await
                .map_err(backup_error)?;
            show::snapshot(ctx, &info)
        }
        BackupCommand::List {
            store,
            backup_type,
            status,
            since,
        } => {
            let mut filter = SnapshotFilter::all();
            if let Some(t) = backup_type {
                filter = filter.with_type(parse_type(&t)?);
            }
            if let Some(s) = status {
                filter = filter.with_status(parse_status(&s)?);
            }
            if let Some(s) = since {
                filter = filter.with_since(parse_since(&s)?);
            }
            let entries = manager(ctx, &store, false)
                .await?
                .list_snapshots(&filter)
                .await
                .map_err(backup_error)?;
            show::list(ctx, &entries)
        }
        BackupCommand::Verify { store, key, id } => {
            let key = keys::decryption_key(&key)?;
            let info = manager(ctx, &store, true)
                .await?
                .verify_snapshot(&id, key.as_ref())
                .await
                .map_err(backup_error)?;
            show::snapshot(ctx, &info)
        }
        BackupCommand::Restore {
            store,
            key,
            id,
            dry_run,
            force,
            path,
        } => {
            let key = keys::decryption_key(&key)?;
            let mut options = if dry_run {
                RestoreOptions::dry_run()
            } else {
                RestoreOptions::apply()
            }
            .with_force(force);
            if let Some(p) = path {
                options = options.with_prefix(p);
            }
            if let Some(k) = key {
                options = options.with_key(k);
            }
            let report = manager(ctx, &store, true)
                .await?
                .restore_snapshot(&id, options)
                .await
                .map_err(backup_error)?;
            show::restore(ctx, &report)
        }
        BackupCommand::Cleanup {
            store,
            retention_days,
            keep_last,
            keep_daily,
            keep_weekly,
            keep_monthly,
            abandoned_after_hours,
            dry_run,
        } => {
            let mut policy = RetentionPolicy::days(retention_days);
            if let Some(n) = keep_last {
                policy = policy.with_keep_last(n);
            }
            if let Some(n) = keep_daily {
                policy = policy.with_keep_daily(n);
            }
            if let Some(n) = keep_weekly {
                policy = policy.with_keep_weekly(n);
            }
            if let Some(n) = keep_monthly {
                policy = policy.with_keep_monthly(n);
            }
            if let Some(h) = abandoned_after_hours {
                policy = policy.with_abandoned_after_hours(h);
            }
            let report = manager(ctx, &store, false)
                .await?
                .cleanup_expired(&policy, dry_run)
                .await
                .map_err(backup_error)?;
            show::cleanup(ctx, &report)
        }
    }
}

/// The manager over the configured Vault and store; `progress`: draw bars for snapshot bytes.
async fn manager(ctx: &Ctx, store: &StoreArgs, progress: bool) -> CliResult<SnapshotManager> {
    let blobs: Arc<dyn BlobStore> = store::open(store, ctx.global.quiet || !progress).await?;
    let mut builder = SnapshotManager::builder(ctx.client()?, blobs);
    if let Some(p) = &store.prefix {
        builder = builder.with_prefix(p.clone());
    }
    builder.build().map_err(backup_error)
}

fn parse_type(s: &str) -> CliResult<BackupType> {
    match s.to_ascii_lowercase().as_str() {
        "full" => Ok(BackupType::Full),
        "logical" => Ok(BackupType::Logical),
        other => Err(CliError::usage(format!("unknown snapshot type `{other}`"))
            .with_hint("use --type full or --type logical")),
    }
}

fn parse_status(s: &str) -> CliResult<BackupStatus> {
    let all = [
        BackupStatus::InProgress,
        BackupStatus::Completed,
        BackupStatus::Failed,
        BackupStatus::Verified,
        BackupStatus::Expired,
    ];
    all.into_iter()
        .find(|st| st.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            CliError::usage(format!("unknown status `{s}`"))
                .with_hint("use in-progress, completed, failed, verified or expired")
        })
}

/// `--since`: an RFC 3339 time, or a number of days back from now.
fn parse_since(s: &str) -> CliResult<chrono::DateTime<chrono::Utc>> {
    if let Ok(days) = s.parse::<u32>() {
        return Ok(chrono::Utc::now() - chrono::Duration::days(i64::from(days)));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            CliError::usage(format!("--since `{s}` is not a time"))
                .with_hint("give RFC 3339 (2026-12-01T00:00:00Z) or a number of days")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_days_or_rfc3339() {
        let t = parse_since("2026-12-01T00:00:00Z").expect("rfc3339");
        assert_eq!(t.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        let d = parse_since("7").expect("days");
        assert!(d < chrono::Utc::now() - chrono::Duration::days(6));
        assert!(parse_since("last week").is_err());
    }

    #[test]
    fn statuses_and_types_parse_case_insensitively() {
        assert_eq!(parse_status("Verified").ok(), Some(BackupStatus::Verified));
        assert_eq!(parse_type("LOGICAL").ok(), Some(BackupType::Logical));
        assert!(parse_status("done").is_err());
        assert!(parse_type("incremental").is_err());
    }
}
