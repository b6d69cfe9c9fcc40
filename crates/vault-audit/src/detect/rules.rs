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
    /// A detector with empty state, applying the rules and thresholds of `cfg`.
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
            if self.cfg.request_burst > 0 {
                self.request_burst(e);
            }
            if self.cfg.event_rules {
                self.event_rules(e, path, op);
            }
            if self.cfg.root_token_use && e.root_token {
                self.root_use(e);
            }
            if self.cfg.read_spike > 0
                && matches!(e.operation, Some(Operation::Read | Operation::List))
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
        self.response_bursts(e, path);
    }

    /// `request-burst`: requests of any operation per actor and per client IP.
    fn request_burst(&mut self, e: &AuditEntry) {
        let t = self.cfg.request_burst;
        if let Some(actor) = e.actor() {
            let msg = format!("requests by `{actor}`");
            self.burst(
                "request-burst",
                Severity::Medium,
                format!("actor:{actor}"),
                t,
                e,
                msg,
            );
        }
        if let Some(ip) = e.remote_address.clone() {
            self.burst(
                "request-burst",
                Severity::Medium,
                format!("ip:{ip}"),
                t,
                e,
                format!("requests from {ip}"),
            );
        }
    }

    /// The rules that fire on one request: root generation, policy and auth changes, audit
    /// device removal, Raft snapshots.
    fn event_rules(&mut self, e: &AuditEntry, path: &str, op: &str) {
        if path.starts_with("sys/generate-root") {
            self.single(
                "generate-root",
                Severity::High,
                e,
                format!("{op} {path}: root token generation"),
            );
        }
        if is_write(e) && (path.starts_with("sys/policy/") || path.starts_with("sys/policies/")) {
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
        if path.starts_with("sys/storage/raft/snapshot") && e.operation == Some(Operation::Read) {
            self.single(
                "raft-snapshot",
                Severity::Medium,
                e,
                "Raft snapshot taken (a full copy of the encrypted store)".into(),
            );
        }
    }

    /// Permission-denied and login-failure bursts (on response entries).
    fn response_bursts(&mut self, e: &AuditEntry, path: &str) {
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
        if self.cfg.off_hours && total >= self.cfg.off_hours_min_baseline && hours[hour] == 0 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::scan_record;

    fn entry(
        line: u64,
        time: &str,
        kind: &str,
        op: &str,
        path: &str,
        who: Option<&str>,
        error: Option<&str>,
    ) -> AuditEntry {
        let auth = who.map_or(String::from(r#"{"token_type":"default"}"#), |w| {
            format!(r#"{{"display_name":"{w}","policies":["default"]}}"#)
        });
        let err = error.map_or(String::new(), |e| format!(r#","error":"{e}""#));
        let raw = format!(
            r#"{{"time":"{time}","type":"{kind}","auth":{auth},"request":{{"id":"id-{line}","operation":"{op}","path":"{path}","remote_address":"10.0.0.9"}}{err}}}"#
        );
        let rec = scan_record(&raw).expect("test line");
        AuditEntry::from_raw(Location { file: 0, line }, raw.as_bytes(), &rec)
    }

    /// A request by `who`, answered without error.
    fn request(line: u64, time: &str, op: &str, path: &str, who: &str) -> AuditEntry {
        entry(line, time, "request", op, path, Some(who), None)
    }

    fn run(cfg: DetectionConfig, entries: &[AuditEntry]) -> Vec<Detection> {
        let mut d = Detector::new(cfg);
        for e in entries {
            d.observe(e);
        }
        d.finish()
    }

    #[test]
    fn anomalies_are_threshold_rules_only_and_writes_count() {
        // Three writes by `etl` within a minute, one of them a policy change with a root token.
        let mut policy = request(
            1,
            "2024-01-01T03:00:00Z",
            "update",
            "sys/policies/acl/x",
            "etl",
        );
        policy.root_token = true;
        let entries = [
            policy,
            request(2, "2024-01-01T03:00:20Z", "create", "secret/data/a", "etl"),
            request(3, "2024-01-01T03:00:40Z", "delete", "secret/data/b", "etl"),
        ];
        let cfg = DetectionConfig::anomalies(3, std::time::Duration::from_secs(60));
        let d = run(cfg, &entries);
        let rules: Vec<&str> = d.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["request-burst", "request-burst"], "{d:#?}");
        let by_actor = d.iter().find(|d| d.actor.is_some()).expect("per actor");
        assert_eq!(
            (by_actor.actor.as_deref(), by_actor.count),
            (Some("etl"), 3)
        );
        let by_ip = d.iter().find(|d| d.client_ip.is_some()).expect("per IP");
        assert_eq!(
            (by_ip.client_ip.as_deref(), by_ip.count),
            (Some("10.0.0.9"), 3)
        );
        // One below the threshold: nothing. The same entries under detect(): the always-on rules.
        let cfg = DetectionConfig::anomalies(4, std::time::Duration::from_secs(60));
        assert!(run(cfg, &entries).is_empty());
        let all = run(DetectionConfig::default(), &entries);
        assert!(all.iter().any(|d| d.rule == "policy-change"));
        assert!(all.iter().any(|d| d.rule == "root-token-use"));
        assert!(all.iter().all(|d| d.rule != "request-burst"));
        // Outside the window: the third request is 61 s after the first.
        let spread = [
            request(1, "2024-01-01T03:00:00Z", "update", "secret/data/a", "etl"),
            request(2, "2024-01-01T03:00:30Z", "update", "secret/data/a", "etl"),
            request(3, "2024-01-01T03:01:01Z", "update", "secret/data/a", "etl"),
        ];
        let cfg = DetectionConfig::anomalies(3, std::time::Duration::from_secs(60));
        assert!(run(cfg, &spread).is_empty());
    }

    #[test]
    fn login_failure_burst_needs_the_threshold_within_the_window() {
        let cfg = DetectionConfig {
            login_failure_burst: 3,
            ..Default::default()
        };
        let fail = |l, t: &str| {
            entry(
                l,
                t,
                "response",
                "update",
                "auth/userpass/login/bob",
                None,
                Some("invalid credentials"),
            )
        };
        let spread = [
            fail(1, "2024-01-01T00:00:00Z"),
            fail(2, "2024-01-01T00:10:00Z"),
            fail(3, "2024-01-01T00:20:00Z"),
        ];
        assert!(
            run(cfg.clone(), &spread)
                .iter()
                .all(|d| d.rule != "login-failure-burst")
        );
        let close = [
            fail(1, "2024-01-01T00:00:00Z"),
            fail(2, "2024-01-01T00:00:10Z"),
            fail(3, "2024-01-01T00:00:20Z"),
            fail(4, "2024-01-01T00:00:30Z"),
        ];
        let d = run(cfg, &close);
        let by_ip = d
            .iter()
            .find(|d| d.rule == "login-failure-burst" && d.client_ip.is_some())
            .expect("burst by IP");
        assert_eq!(by_ip.count, 4, "the open burst grows");
        assert_eq!(
            by_ip.evidence.iter().map(|l| l.line).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn single_event_rules() {
        // `admin` does one of these each second, on lines 1 to 6.
        let es: Vec<AuditEntry> = [
            ("delete", "sys/audit/file"),
            ("update", "sys/generate-root/attempt"),
            ("read", "sys/storage/raft/snapshot"),
            ("update", "sys/policies/acl/x"),
            ("delete", "sys/auth/userpass"),
            ("read", "sys/policies/acl/x"),
        ]
        .iter()
        .zip(0u64..)
        .map(|((op, path), i)| {
            let time = format!("2024-01-01T00:00:{i:02}Z");
            request(i + 1, &time, op, path, "admin")
        })
        .collect();
        let d = run(DetectionConfig::default(), &es);
        let rules: Vec<(&str, u64)> = d.iter().map(|d| (d.rule, d.evidence[0].line)).collect();
        assert_eq!(
            rules,
            [
                ("audit-device-disabled", 1),
                ("generate-root", 2),
                ("raft-snapshot", 3),
                ("policy-change", 4),
                ("auth-method-change", 5)
            ]
        );
        assert_eq!(d[0].severity, Severity::High);
    }

    #[test]
    fn baseline_rules_first_access_and_off_hours() {
        let cfg = DetectionConfig {
            baseline_secs: 3600,
            off_hours_min_baseline: 3,
            ..Default::default()
        };
        let app_read = |line: u64, time: &str, path: &str| request(line, time, "read", path, "app");
        let mut es = Vec::new();
        for (i, m) in ["00", "10", "20", "30"].iter().enumerate() {
            es.push(app_read(
                i as u64 + 1,
                &format!("2024-01-01T09:{m}:00Z"),
                "secret/data/a",
            ));
        }
        es.extend([
            // After the baseline: same hour next day, known path → nothing; new path → first access.
            app_read(10, "2024-01-02T09:05:00Z", "secret/data/a"),
            app_read(11, "2024-01-02T09:06:00Z", "secret/data/b"),
            // 03:00 is an hour `app` never used in its baseline → off hours (one detection per hour).
            app_read(12, "2024-01-03T03:00:00Z", "secret/data/a"),
            app_read(13, "2024-01-03T03:30:00Z", "secret/data/a"),
        ]);
        let d = run(cfg, &es);
        let first: Vec<u64> = d
            .iter()
            .filter(|d| d.rule == "first-access")
            .map(|d| d.evidence[0].line)
            .collect();
        assert_eq!(first, [11]);
        let off: Vec<&Detection> = d.iter().filter(|d| d.rule == "off-hours-access").collect();
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].count, 2);
        assert_eq!(
            off[0].evidence.iter().map(|l| l.line).collect::<Vec<_>>(),
            [12, 13]
        );
    }

    #[test]
    fn read_volume_spike_per_actor() {
        let cfg = DetectionConfig {
            read_spike: 10,
            ..Default::default()
        };
        let es: Vec<AuditEntry> = (0..12)
            .map(|i| {
                request(
                    i + 1,
                    &format!("2024-01-01T00:00:{i:02}Z"),
                    "list",
                    "secret/metadata/",
                    "crawler",
                )
            })
            .collect();
        let d = run(cfg, &es);
        let spike = d
            .iter()
            .find(|d| d.rule == "read-volume-spike")
            .expect("spike");
        assert_eq!((spike.actor.as_deref(), spike.count), (Some("crawler"), 12));
    }
}
