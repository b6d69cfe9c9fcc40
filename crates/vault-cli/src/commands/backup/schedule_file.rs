//! The stored form of a backup schedule: `<prefix>schedules/<name>.json` in the backup store,
//! so that every machine running `backup daemon` on that store runs the same schedules.
//!
//! Every file is hostile until checked: at most [`MAX_FILE_BYTES`], JSON of exactly the fields
//! below (`version` 1), a name that matches its file name, a valid schedule, and recipient
//! certificates that can still be encrypted to. Certificates are public; no secret is stored.

use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use vault_backup::{BackupKind, BackupRequest, Recipients, Schedule};
use vault_core::{BlobStore, BlobStoreExt};

use crate::error::{CliError, CliResult};

/// The folder (below `--prefix`) holding schedule files.
pub(crate) const SCHEDULES_DIR: &str = "schedules/";

/// A schedule file larger than this is refused (certificates are a few KiB each).
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// When a schedule runs, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum StoredTiming {
    /// Every day at `hour:minute` UTC.
    Daily { hour: u32, minute: u32 },
    /// Every week on `weekday` (0 = Monday) at `hour:minute` UTC.
    Weekly {
        weekday: u32,
        hour: u32,
        minute: u32,
    },
    /// Every month on `day` at `hour:minute` UTC.
    Monthly { day: u32, hour: u32, minute: u32 },
    /// A cron expression (UTC).
    Cron { expression: String },
}

impl StoredTiming {
    /// The scheduler's [`Schedule`], checked.
    pub(crate) fn schedule(&self) -> Result<Schedule, vault_backup::BackupError> {
        match self {
            StoredTiming::Daily { hour, minute } => Schedule::daily(*hour, *minute),
            StoredTiming::Weekly {
                weekday,
                hour,
                minute,
            } => Schedule::weekly(*weekday, *hour, *minute),
            StoredTiming::Monthly { day, hour, minute } => Schedule::monthly(*day, *hour, *minute),
            StoredTiming::Cron { expression } => Schedule::cron(expression),
        }
    }
}

/// Monday = 0 … Sunday = 6.
pub(crate) fn weekday_number(day: Weekday) -> u32 {
    day.num_days_from_monday()
}

/// One schedule file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleFile {
    /// Format version: 1.
    pub version: u32,
    /// The schedule's name (also the file's name).
    pub name: String,
    /// When it runs.
    pub timing: StoredTiming,
    /// What it takes.
    pub request: BackupRequest,
    /// ASCII-armoured recipient certificates (public); empty when `request.encrypt` is false.
    #[serde(default)]
    pub recipients: String,
    /// Whether a failed run is notified.
    pub notify_on_failure: bool,
    /// When it was added: a schedule that never succeeded is overdue counting from here.
    pub created_at: DateTime<Utc>,
}

/// A schedule file read back and checked.
#[derive(Debug, Clone)]
pub(crate) struct LoadedSchedule {
    pub file: ScheduleFile,
    pub schedule: Schedule,
    /// The recipients of an encrypted schedule.
    pub recipients: Option<Recipients>,
}

/// The key of schedule `name`.
pub(crate) fn key(prefix: &str, name: &str) -> String {
    format!("{prefix}{SCHEDULES_DIR}{name}.json")
}

/// The file as stored (pretty JSON).
pub(crate) fn to_json(file: &ScheduleFile) -> CliResult<Vec<u8>> {
    serde_json::to_vec_pretty(file)
        .map_err(|e| CliError::other(format!("cannot encode schedule `{}`: {e}", file.name)))
}

/// Checks the bytes of the object at `key`.
pub(crate) fn parse(key: &str, bytes: &[u8]) -> CliResult<LoadedSchedule> {
    let bad = |why: String| {
        CliError::validation(format!("schedule file {key} is not valid: {why}")).with_hint(
            "remove it with `vaultkit backup schedule remove NAME` (or delete the object) and \
             add the schedule again",
        )
    };
    let file: ScheduleFile = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    if file.version != 1 {
        return Err(bad(format!("unknown version {}", file.version)));
    }
    let expected = key
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or_default();
    if file.name != expected {
        return Err(bad(format!(
            "it names schedule `{}`, not `{expected}`",
            file.name.escape_debug()
        )));
    }
    let schedule = file.timing.schedule().map_err(|e| bad(e.to_string()))?;
    if let BackupKind::Logical { mount } = &file.request.kind {
        let ok = !mount.is_empty()
            && mount.len() <= 256
            && !mount.contains(|c: char| c.is_control() || c == '?' || c == '#')
            && !mount.split('/').any(|s| s == "..");
        if !ok {
            return Err(bad(format!(
                "mount `{}` is not a mount path",
                mount.escape_debug()
            )));
        }
    }
    let recipients = if file.request.encrypt {
        if file.recipients.is_empty() {
            return Err(bad("it is encrypted but names no recipient".into()));
        }
        let source = format!("schedule {key}");
        Some(
            Recipients::from_bytes(file.recipients.as_bytes(), &source)
                .map_err(|e| bad(e.to_string()))?,
        )
    } else {
        None
    };
    Ok(LoadedSchedule {
        file,
        schedule,
        recipients,
    })
}

/// Reads and checks schedule `key`; `None` when it does not exist.
pub(crate) async fn read(store: &dyn BlobStore, key: &str) -> CliResult<Option<LoadedSchedule>> {
    let Some(meta) = store
        .head(key)
        .await
        .map_err(|e| CliError::classified(&e))?
    else {
        return Ok(None);
    };
    if meta.size > MAX_FILE_BYTES {
        return Err(CliError::validation(format!(
            "schedule file {key} is {} bytes, more than a schedule can be",
            meta.size
        ))
        .with_hint("delete the object and add the schedule again"));
    }
    let bytes = store
        .get_bytes(key)
        .await
        .map_err(|e| CliError::classified(&e))?;
    parse(key, &bytes).map(Some)
}

/// Every schedule under `<prefix>schedules/`, by name. One invalid file fails the whole load
/// (a daemon must not silently drop a schedule).
pub(crate) async fn read_all(
    store: &dyn BlobStore,
    prefix: &str,
) -> CliResult<Vec<LoadedSchedule>> {
    let dir = format!("{prefix}{SCHEDULES_DIR}");
    let mut keys: Vec<String> = store
        .list(&dir)
        .await
        .map_err(|e| CliError::classified(&e))?
        .into_iter()
        .map(|m| m.key)
        .filter(|k| k.ends_with(".json") && !k[dir.len().min(k.len())..].contains('/'))
        .collect();
    keys.sort();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(loaded) = read(store, &key).await? {
            out.push(loaded);
        }
    }
    Ok(out)
}

/// The request a new schedule stores.
pub(crate) fn request(kind: BackupKind, retention_days: u32, encrypt: bool) -> BackupRequest {
    let base = match kind {
        BackupKind::Logical { mount } => BackupRequest::logical(mount),
        _ => BackupRequest::full(),
    };
    base.with_retention_days(retention_days)
        .with_encrypt(encrypt)
}
