//! `backup daemon`: runs the store's schedules with vault-backup's `BackupScheduler` until
//! Ctrl-C or SIGTERM, alerting by webhook and email.
//!
//! Each schedule gets its own scheduler and snapshot manager (its recipients are its own); all
//! share the store, the notifiers and one shutdown signal. A backup running when the signal
//! comes finishes and records its outcome first. The SMTP password is read from the variable
//! `--smtp-password-env` names, never from the command line.

use std::sync::Arc;

use futures_util::future::join_all;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use vault_backup::{BackupScheduler, SnapshotManager};
use vault_core::{BlobStore, Notifier, SmtpNotifier, SmtpSecurity, WebhookNotifier};

use super::backup_error;
use super::schedule::{open, prefix};
use super::schedule_file::{self as file, LoadedSchedule};
use crate::args::backup::{NotifyArgs, StoreArgs};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

pub(crate) async fn run(
    ctx: &Ctx,
    store: &StoreArgs,
    notify: &NotifyArgs,
    instance: Option<&str>,
) -> CliResult<()> {
    let notifiers = notifiers(notify)?;
    let blobs = open(store).await?;
    let schedules = file::read_all(&*blobs, prefix(store)).await?;
    if schedules.is_empty() {
        return Err(CliError::usage("the store holds no backup schedule").with_hint(
            "add one with `vaultkit backup schedule add NAME --daily 02:00 --recipient-file CERT`",
        ));
    }
    let mut schedulers = Vec::with_capacity(schedules.len());
    for s in &schedules {
        schedulers.push(scheduler(ctx, store, &blobs, s, &notifiers, instance)?);
    }
    // Install the handlers before the loops start, so no signal is missed.
    let mut term = signal(SignalKind::terminate())
        .map_err(|e| CliError::other(format!("cannot listen for SIGTERM: {e}")))?;
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        let _ = stop.send(true);
    });
    for s in &schedules {
        ctx.out()
            .info(&format!("schedule {}: {}", s.file.name, s.schedule));
    }
    ctx.out().info(&format!(
        "running {} schedule(s); Ctrl-C or SIGTERM stops after the running backup",
        schedules.len()
    ));
    let loops = schedulers.iter().map(|sched| {
        let mut stopped = stopped.clone();
        sched.run_daemon(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
    });
    for result in join_all(loops).await {
        result.map_err(backup_error)?;
    }
    Ok(())
}

/// The scheduler of one schedule: its own snapshot manager (with its recipients).
fn scheduler(
    ctx: &Ctx,
    store: &StoreArgs,
    blobs: &Arc<dyn BlobStore>,
    s: &LoadedSchedule,
    notifiers: &[Arc<dyn Notifier>],
    instance: Option<&str>,
) -> CliResult<BackupScheduler> {
    let mut builder = SnapshotManager::builder(ctx.client()?, blobs.clone());
    if let Some(p) = &store.prefix {
        builder = builder.with_prefix(p.clone());
    }
    if let Some(r) = &s.recipients {
        builder = builder.with_recipients(r.clone());
    }
    let manager = builder.build().map_err(backup_error)?;
    let mut sched = BackupScheduler::new(Arc::new(manager), blobs.clone())
        .with_prefix(prefix(store))
        .notify_on_failure(s.file.notify_on_failure);
    if let Some(name) = instance {
        sched = sched.with_instance_name(name);
    }
    for n in notifiers {
        sched = sched.with_notifier(n.clone());
    }
    sched
        .schedule(&s.file.name, s.schedule.clone(), s.file.request.clone())
        .map_err(backup_error)?;
    Ok(sched)
}

/// The webhook and email notifiers of the flags.
fn notifiers(args: &NotifyArgs) -> CliResult<Vec<Arc<dyn Notifier>>> {
    let mut out: Vec<Arc<dyn Notifier>> = Vec::new();
    for url in &args.webhooks {
        let hook = WebhookNotifier::new(url.clone()).map_err(|e| CliError::classified(&e))?;
        out.push(Arc::new(hook));
    }
    if let Some(host) = &args.smtp_host {
        let security = match args.smtp_security.to_ascii_lowercase().as_str() {
            "starttls" => SmtpSecurity::StartTls,
            "tls" => SmtpSecurity::Tls,
            "none" => SmtpSecurity::None,
            other => {
                return Err(
                    CliError::usage(format!("unknown --smtp-security `{other}`"))
                        .with_hint("use starttls, tls or none"),
                );
            }
        };
        let mut b = SmtpNotifier::builder(host.clone()).with_security(security);
        if let Some(port) = args.smtp_port {
            b = b.with_port(port);
        }
        if let Some(from) = &args.smtp_from {
            b = b.with_from(from.clone());
        }
        for to in &args.emails {
            b = b.with_to(to.clone());
        }
        if let Some(ca) = &args.smtp_ca_file {
            b = b.with_root_ca_file(ca.clone());
        }
        if let (Some(user), Some(pass)) = (&args.smtp_user_env, &args.smtp_password_env) {
            b = b.with_credentials_from_env(user.clone(), pass.clone());
        }
        out.push(Arc::new(b.build().map_err(|e| CliError::classified(&e))?));
    }
    Ok(out)
}
