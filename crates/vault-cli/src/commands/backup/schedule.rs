//! `backup schedule add|list|remove`: the schedules kept in the backup store.

use std::sync::Arc;

use chrono::{Utc, Weekday};
use serde_json::json;
use vault_backup::{BackupKind, BackupType, Schedule};
use vault_core::{BlobStore, ByteStream};

use super::schedule_file::{self as file, LoadedSchedule, ScheduleFile, StoredTiming};
use super::{backup_error, keys, parse_type, store};
use crate::args::backup::{ScheduleAddArgs, ScheduleCommand, StoreArgs, TimingArgs};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::Table;

pub(crate) async fn run(ctx: &Ctx, cmd: ScheduleCommand) -> CliResult<()> {
    match cmd {
        ScheduleCommand::Add(add) => {
            let ScheduleAddArgs {
                store,
                name,
                timing,
                backup_type,
                mount,
                recipients,
                retention_days,
                no_notify_on_failure,
            } = *add;
            check_name(&name)?;
            let timing = parse_timing(&timing)?;
            let schedule = timing.schedule().map_err(backup_error)?;
            let kind = match parse_type(&backup_type)? {
                BackupType::Full => BackupKind::Full,
                _ => BackupKind::Logical { mount },
            };
            let recipients = keys::recipients(&recipients)?;
            let armored = match &recipients {
                Some(r) => r.to_armored().map_err(backup_error)?,
                None => String::new(),
            };
            let entry = ScheduleFile {
                version: 1,
                name: name.clone(),
                timing,
                request: file::request(kind, retention_days, recipients.is_some()),
                recipients: armored,
                notify_on_failure: !no_notify_on_failure,
                created_at: Utc::now(),
            };
            let blobs = open(&store).await?;
            let key = file::key(prefix(&store), &name);
            let bytes = file::to_json(&entry)?;
            let stream: ByteStream =
                Box::pin(futures_util::stream::once(async move { Ok(bytes.into()) }));
            let stored = blobs
                .put_if_absent(&key, stream)
                .await
                .map_err(|e| CliError::classified(&e))?;
            if stored.is_none() {
                return Err(CliError::validation(format!(
                    "a schedule named `{name}` exists already ({key})"
                ))
                .with_hint("remove it first with `vaultkit backup schedule remove NAME`"));
            }
            let loaded = LoadedSchedule {
                file: entry,
                schedule,
                recipients,
            };
            print(ctx, &[loaded])
        }
        ScheduleCommand::List { store } => {
            let blobs = open(&store).await?;
            let all = file::read_all(&*blobs, prefix(&store)).await?;
            print(ctx, &all)
        }
        ScheduleCommand::Remove { store, name } => {
            check_name(&name)?;
            let blobs = open(&store).await?;
            let key = file::key(prefix(&store), &name);
            let exists = blobs
                .head(&key)
                .await
                .map_err(|e| CliError::classified(&e))?;
            if exists.is_none() {
                return Err(CliError::not_found(format!("no schedule named `{name}`"))
                    .with_hint("see `vaultkit backup schedule list`"));
            }
            blobs
                .delete(&key)
                .await
                .map_err(|e| CliError::classified(&e))?;
            ctx.out().print(&json!({"removed": name}), || {
                let mut t = Table::new(["Removed"]);
                t.push([name.clone()]);
                t
            })
        }
    }
}

/// The store without progress bars (schedule files are small).
pub(super) async fn open(args: &StoreArgs) -> CliResult<Arc<dyn BlobStore>> {
    store::open(args, true).await
}

pub(super) fn prefix(args: &StoreArgs) -> &str {
    args.prefix.as_deref().unwrap_or("")
}

/// Schedule names: 1–64 of `a-z 0-9 - _`, not `manual` (the scheduler's own rule, checked
/// before anything is written).
fn check_name(name: &str) -> CliResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name != "manual"
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "schedule name `{}` is not allowed",
            name.escape_debug()
        ))
        .with_hint("use 1–64 of a-z, 0-9, `-`, `_` (and not `manual`)"))
    }
}

/// The one timing flag given.
fn parse_timing(t: &TimingArgs) -> CliResult<StoredTiming> {
    if let Some(v) = &t.daily {
        let (hour, minute) = hh_mm(v, "--daily", "HH:MM, e.g. 02:00")?;
        return Ok(StoredTiming::Daily { hour, minute });
    }
    if let Some(v) = &t.weekly {
        let bad = || flag_error("--weekly", v, "DAY@HH, e.g. mon@03 or sun@23:30");
        let (day, time) = v.split_once('@').ok_or_else(bad)?;
        let weekday = parse_weekday(day).ok_or_else(bad)?;
        let (hour, minute) = hh_mm(time, "--weekly", "DAY@HH, e.g. mon@03")?;
        return Ok(StoredTiming::Weekly {
            weekday: file::weekday_number(weekday),
            hour,
            minute,
        });
    }
    if let Some(v) = &t.monthly {
        let bad = || flag_error("--monthly", v, "N@HH with N 1–31, e.g. 1@03");
        let (day, time) = v.split_once('@').ok_or_else(bad)?;
        let day: u32 = day.parse().map_err(|_| bad())?;
        let (hour, minute) = hh_mm(time, "--monthly", "N@HH, e.g. 1@03")?;
        return Ok(StoredTiming::Monthly { day, hour, minute });
    }
    match &t.cron {
        Some(expr) => Ok(StoredTiming::Cron {
            expression: expr.trim().to_string(),
        }),
        None => Err(CliError::usage("no schedule given")
            .with_hint("pass one of --daily, --weekly, --monthly or --cron")),
    }
}

/// `HH` or `HH:MM`.
fn hh_mm(v: &str, flag: &str, form: &str) -> CliResult<(u32, u32)> {
    let (h, m) = v.split_once(':').unwrap_or((v, "0"));
    match (h.parse::<u32>(), m.parse::<u32>()) {
        (Ok(h), Ok(m)) => Ok((h, m)),
        _ => Err(flag_error(flag, v, form)),
    }
}

fn flag_error(flag: &str, v: &str, form: &str) -> CliError {
    CliError::usage(format!("{flag} `{}` is not a schedule", v.escape_debug()))
        .with_hint(format!("give {form} (UTC)"))
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    if let Ok(n) = s.parse::<u32>() {
        return u8::try_from(n).ok().and_then(|n| Weekday::try_from(n).ok());
    }
    s.parse::<Weekday>().ok()
}

/// What the request takes, e.g. `full` or `logical secret`.
pub(super) fn what(s: &LoadedSchedule) -> String {
    match &s.file.request.kind {
        BackupKind::Logical { mount } => format!("logical {mount}"),
        _ => "full".to_string(),
    }
}

fn next(schedule: &Schedule) -> Option<chrono::DateTime<Utc>> {
    schedule.next_after(Utc::now())
}

fn print(ctx: &Ctx, all: &[LoadedSchedule]) -> CliResult<()> {
    let value: Vec<serde_json::Value> = all
        .iter()
        .map(|s| {
            json!({
                "name": s.file.name,
                "schedule": s.schedule.to_string(),
                "timing": s.file.timing,
                "type": what(s),
                "retention_days": s.file.request.retention_days,
                "encrypted": s.file.request.encrypt,
                "recipients": s.recipients.as_ref().map(|r| r.fingerprints()).unwrap_or_default(),
                "notify_on_failure": s.file.notify_on_failure,
                "next": next(&s.schedule).map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    ctx.out().print(&serde_json::Value::Array(value), || {
        let mut t = Table::new(["Name", "Schedule", "Backup", "Keep", "Encrypted", "Next"]);
        for s in all {
            t.push([
                s.file.name.clone(),
                s.schedule.to_string(),
                what(s),
                format!("{}d", s.file.request.retention_days),
                if s.file.request.encrypt { "yes" } else { "no" }.to_string(),
                next(&s.schedule)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "never".to_string()),
            ]);
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(daily: Option<&str>, weekly: Option<&str>, monthly: Option<&str>) -> TimingArgs {
        TimingArgs {
            daily: daily.map(str::to_string),
            weekly: weekly.map(str::to_string),
            monthly: monthly.map(str::to_string),
            cron: None,
        }
    }

    #[test]
    fn timing_flags_parse_with_the_python_defaults_shapes() {
        assert_eq!(
            parse_timing(&timing(Some("02:00"), None, None)).ok(),
            Some(StoredTiming::Daily { hour: 2, minute: 0 })
        );
        assert_eq!(
            parse_timing(&timing(None, Some("mon@03"), None)).ok(),
            Some(StoredTiming::Weekly {
                weekday: 0,
                hour: 3,
                minute: 0
            })
        );
        assert_eq!(
            parse_timing(&timing(None, Some("6@23:30"), None)).ok(),
            Some(StoredTiming::Weekly {
                weekday: 6,
                hour: 23,
                minute: 30
            })
        );
        assert_eq!(
            parse_timing(&timing(None, None, Some("31@04"))).ok(),
            Some(StoredTiming::Monthly {
                day: 31,
                hour: 4,
                minute: 0
            })
        );
        assert!(parse_timing(&timing(Some("2am"), None, None)).is_err());
        assert!(parse_timing(&timing(None, Some("someday@03"), None)).is_err());
        assert!(parse_timing(&timing(None, Some("7@03"), None)).is_err());
        assert!(parse_timing(&timing(None, None, Some("1"))).is_err());
    }

    #[test]
    fn names_follow_the_scheduler_rule() {
        assert!(check_name("nightly-kv_2").is_ok());
        for bad in ["", "manual", "Nightly", "../x", "a/b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
