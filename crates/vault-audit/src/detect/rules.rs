//! [`Detector`]: every rule, fed one entry at a time in time order.
//!
//! State is per key (actor, IP, path) and bounded by the window for the burst rules; the
//! baseline rules (first access, off hours) keep one set entry per actor×path / actor×hour.

use std::collections::VecDeque;

use chrono::{DateTime, Timelike, Utc};

use super::{Detection, DetectionConfig, Severity};
use crate::entry::{AuditEntry, EntryKind, Operation};
use crate::fxhash::{FxMap, FxSet};
use crate::read::Location;

#[derive(Debug, Default)]
struct Burst {
    recent: VecDeque<(i64, Location)>,
    open: Option<usize>,
}

/// Runs the detection rules. Feed entries with [`Detector::observe`], then [`Detector::finish`].
#[derive(Debug)]
pub struct Detector {
    cfg: DetectionConfig,
    out: Vec<Detection>,
    bursts: FxMap<(&'static str, String), Burst>,
    root_by_actor: FxMap<String, usize>,
    first_time: Option<i64>,
    seen_paths: FxSet<(String, String)>,
    baseline_hours: FxMap<String, [u32; 24]>,
    off_hours_open: FxMap<(String, i64), usize>,
}

fn is_write(e: &AuditEntry) -> bool {
    e.operation.as_ref().is_some_and(Operation::is_write)
}

impl Detector {
    pub fn new(cfg: DetectionConfig) -> Self {
        Detector {
            cfg,
            out: Vec::new(),
            bursts: FxMap::default(),
            root_by_actor: FxMap::default(),
            first_time: None,
            seen_paths: FxSet::default(),
            baseline_hours: FxMap::default(),
            off_hours_open: FxMap::default(),
        }
    }

    fn single(&mut self, rule: &'static str, sev: Severity, e: &AuditEntry, msg: String) {
        self.out.push(Detection {
            rule,
            severity: sev,
            window_start: e.time,
            window_end: e.time,
            actor: e.actor().map(str::to_string),
            client_ip: e.remote_address.clone(),
            path: e.path.clone(),
            count: 1,
            message: msg,
            evidence: vec![e.location],
        });
    }

    /// Looks at one entry.
    pub fn observe(&mut self, e: &AuditEntry) {
        let path = e.path.as_deref().unwrap_or("");
        let op = e.operation.as_ref().map(Operation::as_str).unwrap_or("");
        if e.kind == EntryKind::Request {
            if path.starts_with("sys/generate-root") {
                self.single(
                    "generate-root",
                    Severity::High,
                    e,
                    format!("{op} {path}: root token generation"),
                );
            }
            if is_write(e) && (path.starts_with("sys/policy/") || path.starts_with("sys/policies/"))
            {
                self.single("policy-change", Severity::Medium, e, format!("{op} {path}"));
            }
            if is_write(e) && path.starts_with("sys/auth/") {
                self.single(
                    "auth-method-change",
                    Severity::Medium,
                    e,
                    format!("{op} {path}"),
                );
            }
            if e.operation == Some(Operation::Delete) && path.starts_with("sys/audit/") {
                self.single(
                    "audit-device-disabled",
                    Severity::High,
                    e,
                    format!("audit device `{}` disabled", &path[10..]),
                );
            }
            if path.starts_with("sys/storage/raft/snapshot") && e.operation == Some(Operation::Read)
            {
                self.single(
                    "raft-snapshot",
                    Severity::Medium,
                    e,
                    "Raft snapshot taken (a full copy of the encrypted store)".into(),
                );
            }
            if self.cfg.root_token_use && e.root_token {
                self.root_use(e);
            }
            if matches!(e.operation, Some(Operation::Read | Operation::List))
                && let Some(actor) = e.actor()
            {
                let msg = format!("reads by `{actor}`");
                self.burst(
                    "read-volume-spike",
                    Severity::Medium,
                    actor.to_string(),
                    self.cfg.read_spike,
                    e,
                    msg,
                );
            }
            self.baseline_rules(e);
        }
        if e.kind == EntryKind::Response && e.is_permission_denied() {
            let t = self.cfg.denied_burst;
            if let Some(a) = e.actor() {
                self.burst(
                    "permission-denied-burst",
                    Severity::High,
                    format!("actor:{a}"),
                    t,
                    e,
                    format!("permission denied for `{a}`"),
                );
            }
            if let Some(ip) = e.remote_address.clone() {
                self.burst(
                    "permission-denied-burst",
                    Severity::High,
                    format!("ip:{ip}"),
                    t,
                    e,
                    format!("permission denied from {ip}"),
                );
            }
            if !path.is_empty() {
                self.burst(
                    "permission-denied-burst",
                    Severity::High,
                    format!("path:{path}"),
                    t,
                    e,
                    format!("permission denied on `{path}`"),
                );
            }
        }
        if e.kind == EntryKind::Response && e.is_login() && !e.is_success() {
            let t = self.cfg.login_failure_burst;
            if let Some(ip) = e.remote_address.clone() {
                self.burst(
                    "login-failure-burst",
                    Severity::High,
                    format!("ip:{ip}"),
                    t,
                    e,
                    format!("failed logins from {ip}"),
                );
            }
            self.burst(
                "login-failure-burst",
                Severity::High,
                format!("path:{path}"),
                t,
                e,
                format!("failed logins on `{path}`"),
            );
        }
    }

    fn root_use(&mut self, e: &AuditEntry) {
        let actor = e
            .accessor
            .clone()
            .or_else(|| e.actor().map(str::to_string))
            .unwrap_or_default();
        let max = self.cfg.max_evidence;
        if let Some(&i) = self.root_by_actor.get(&actor) {
            let d = &mut self.out[i];
            d.count += 1;
            d.window_end = e.time.or(d.window_end);
            if d.evidence.len() < max {
                d.evidence.push(e.location);
            }
            d.message = format!("{} requests with a root token", d.count);
            return;
        }
        self.root_by_actor.insert(actor, self.out.len());
        self.single(
            "root-token-use",
            Severity::Medium,
            e,
            "1 request with a root token".into(),
        );
        if let Some(d) = self.out.last_mut() {
            d.path = None;
        }
    }

    fn burst(
        &mut self,
        rule: &'static str,
        sev: Severity,
        key: String,
        threshold: u32,
        e: &AuditEntry,
        msg: String,
    ) {
        let Some(t) = e.time.and_then(|t| t.timestamp_nanos_opt()) else {
            return;
        };
        let window =
            i64::try_from(self.cfg.window_secs).unwrap_or(i64::MAX / 2_000_000_000) * 1_000_000_000;
        let max = self.cfg.max_evidence;
        let b = self.bursts.entry((rule, key.clone())).or_default();
        b.recent.push_back((t, e.location));
        while b.recent.front().is_some_and(|(ft, _)| t - ft > window) {
            b.recent.pop_front();
        }
        if let Some(i) = b.open {
            let d = &mut self.out[i];
            let end = d
                .window_end
                .and_then(|x| x.timestamp_nanos_opt())
                .unwrap_or(t);
            if t - end <= window {
                d.count += 1;
                d.window_end = e.time;
                if d.evidence.len() < max {
                    d.evidence.push(e.location);
                }
                d.message = format!(
                    "{} {} within {}s windows",
                    d.count, msg, self.cfg.window_secs
                );
                return;
            }
            b.open = None;
        }
        if b.recent.len() >= threshold.max(1) as usize {
            let (first_t, _) = b.recent[0];
            let count = b.recent.len() as u64;
            let (actor, client_ip, path) = match key.split_once(':') {
                Some(("actor", a)) => (Some(a.to_string()), None, None),
                Some(("ip", ip)) => (None, Some(ip.to_string()), None),
                Some(("path", p)) => (None, None, Some(p.to_string())),
                _ => (Some(key.clone()), None, None),
            };
            b.open = Some(self.out.len());
            self.out.push(Detection {
                rule,
                severity: sev,
                window_start: Some(crate::time::nanos_to_datetime(first_t)),
                window_end: e.time,
                actor,
                client_ip,
                path,
                count,
                message: format!("{count} {msg} within {}s", self.cfg.window_secs),
                evidence: b.recent.iter().take(max).map(|(_, l)| *l).collect(),
            });
        }
    }

    fn baseline_rules(&mut self, e: &AuditEntry) {
        let (Some(time), Some(actor), Some(path)) = (e.time, e.actor(), e.path.as_deref()) else {
            return;
        };
        let Some(t) = time.timestamp_nanos_opt() else {
            return;
        };
        let first = *self.first_time.get_or_insert(t);
        let in_baseline = t - first
            < i64::try_from(self.cfg.baseline_secs).unwrap_or(i64::MAX / 2_000_000_000)
                * 1_000_000_000;
        let hour = time.hour() as usize;
        let key = (actor.to_string(), path.to_string());
        let new_path = !self.seen_paths.contains(&key);
        if new_path {
            self.seen_paths.insert(key);
        }
        if in_baseline {
            self.baseline_hours
                .entry(actor.to_string())
                .or_insert([0; 24])[hour] += 1;
            return;
        }
        if self.cfg.first_access && new_path && e.is_success() {
            self.single(
                "first-access",
                Severity::Info,
                e,
                format!("`{actor}` accessed `{path}` for the first time"),
            );
        }
        let hours = self.baseline_hours.get(actor).copied().unwrap_or([0; 24]);
        let total: u32 = hours.iter().sum();
        if total >= self.cfg.off_hours_min_baseline && hours[hour] == 0 {
            self.off_hours(e, actor, time, total);
        }
    }

    fn off_hours(&mut self, e: &AuditEntry, actor: &str, time: DateTime<Utc>, total: u32) {
        let slot = time.timestamp().div_euclid(3600);
        let max = self.cfg.max_evidence;
        if let Some(&i) = self.off_hours_open.get(&(actor.to_string(), slot)) {
            let d = &mut self.out[i];
            d.count += 1;
            d.window_end = Some(time);
            if d.evidence.len() < max {
                d.evidence.push(e.location);
            }
            return;
        }
        self.off_hours_open
            .insert((actor.to_string(), slot), self.out.len());
        let msg = format!(
            "`{actor}` active at {:02}:00 UTC, an hour with none of its {total} baseline requests",
            time.hour()
        );
        self.single("off-hours-access", Severity::Low, e, msg);
    }

    /// All detections, ordered by first evidence.
    pub fn finish(mut self) -> Vec<Detection> {
        self.out.sort_by_key(|d| d.evidence.first().copied());
        self.out
    }
}
