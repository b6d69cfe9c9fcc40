//! [`RotationScheduler`]: the set of policies and when each is next due — the Python module's
//! `RotationScheduler(vault_client, check_interval=3600).schedule_rotation(…)`.
//!
//! Each policy carries a precomputed wake-up time (unknown until a run has read the secret's
//! state from Vault, then the next due time or the end of a grace period), so [`due`] is a scan
//! over integers plus a window check for the candidates: under 2 ms for 100,000 policies in a
//! release build (`cargo xtask bench rotation`).
//!
//! [`due`]: RotationScheduler::due

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::rfc3339;
use crate::{RotationError, RotationType, SecretRotationPolicy};

/// The Python module's default check interval: one hour.
pub const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_secs(3_600);

/// Not known yet: due at the next check (a run reads the state from Vault).
const UNKNOWN: i64 = i64::MIN;

#[derive(Debug, Clone)]
struct Entry {
    policy: SecretRotationPolicy,
    /// Unix seconds of the next look; [`UNKNOWN`] before the first run.
    wake: i64,
    /// `auto_rotate` on and not on-demand.
    scheduled: bool,
}

/// Policies and their next due times.
#[derive(Debug, Clone)]
pub struct RotationScheduler {
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
    check_interval: Duration,
    jitter: Duration,
}

impl Default for RotationScheduler {
    fn default() -> Self {
        RotationScheduler::new()
    }
}

impl RotationScheduler {
    /// No policies; checks every hour with up to a minute of jitter.
    pub fn new() -> Self {
        RotationScheduler {
            entries: Vec::new(),
            by_name: HashMap::new(),
            check_interval: DEFAULT_CHECK_INTERVAL,
            jitter: Duration::from_secs(60),
        }
    }

    /// Time between checks of the daemon loop.
    pub fn with_check_interval(mut self, every: Duration) -> Self {
        self.check_interval = every;
        self
    }

    /// Up to this much random delay is added to each wait, so that schedulers started together
    /// do not check together.
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Time between checks.
    pub fn check_interval(&self) -> Duration {
        self.check_interval
    }

    /// The jitter added to each wait.
    pub fn jitter(&self) -> Duration {
        self.jitter
    }

    /// Adds `policy`, or replaces the one with its name (its due time is then read again).
    pub fn schedule_rotation(&mut self, policy: SecretRotationPolicy) -> Result<(), RotationError> {
        policy.validate()?;
        let entry = Entry {
            scheduled: policy.auto_rotate && policy.rotation_type != RotationType::OnDemand,
            policy,
            wake: UNKNOWN,
        };
        match self.by_name.get(&entry.policy.name) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.by_name
                    .insert(entry.policy.name.clone(), self.entries.len());
                self.entries.push(entry);
            }
        }
        Ok(())
    }

    /// Every policy, in the order they were added.
    pub fn list(&self) -> Vec<&SecretRotationPolicy> {
        self.entries.iter().map(|e| &e.policy).collect()
    }

    /// Number of policies.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True with no policy.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The policy named `name`.
    pub fn get(&self, name: &str) -> Option<&SecretRotationPolicy> {
        self.by_name.get(name).map(|&i| &self.entries[i].policy)
    }

    /// The policy of the secret at `path` (`mount/path`, or a path in the policy's own mount),
    /// or else the policy named `path`.
    pub fn find(&self, path: &str) -> Option<&SecretRotationPolicy> {
        let path = path.trim_matches('/');
        self.entries
            .iter()
            .map(|e| &e.policy)
            .find(|p| {
                p.path == path
                    || path
                        .strip_prefix(p.mount.as_str())
                        .and_then(|rest| rest.strip_prefix('/'))
                        == Some(p.path.as_str())
            })
            .or_else(|| self.get(path))
    }

    /// Removes the policy named `name`.
    pub fn remove(&mut self, name: &str) -> Option<SecretRotationPolicy> {
        let i = self.by_name.remove(name)?;
        let entry = self.entries.swap_remove(i);
        if let Some(moved) = self.entries.get(i) {
            self.by_name.insert(moved.policy.name.clone(), i);
        }
        Some(entry.policy)
    }

    /// The policies the scheduler should run at `now`: due (or not looked at yet), auto-rotated,
    /// not on-demand, inside their window.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<&SecretRotationPolicy> {
        let ts = now.timestamp();
        self.entries
            .iter()
            .filter(|e| e.scheduled && e.wake <= ts)
            .filter(|e| e.policy.window.as_ref().is_none_or(|w| w.contains(now)))
            .map(|e| &e.policy)
            .collect()
    }

    /// When the policy `name` next needs a look (`None`: unknown, or never by schedule).
    pub fn next_due(&self, name: &str) -> Option<DateTime<Utc>> {
        let e = &self.entries[*self.by_name.get(name)?];
        if e.wake == UNKNOWN || !e.scheduled {
            return None;
        }
        DateTime::from_timestamp(e.wake, 0)
    }

    /// Records when policy `name` next needs a look (`None`: at the next check).
    pub fn set_next_due(&mut self, name: &str, at: Option<DateTime<Utc>>) {
        if let Some(&i) = self.by_name.get(name) {
            self.entries[i].wake = at.map_or(UNKNOWN, |t| t.timestamp());
        }
    }

    /// Why policy `name` is not in [`RotationScheduler::due`] at `now`.
    pub(crate) fn why_not_due(&self, p: &SecretRotationPolicy, now: DateTime<Utc>) -> String {
        if p.rotation_type == RotationType::OnDemand {
            return "on-demand policy: rotates only when asked".to_string();
        }
        if !p.auto_rotate {
            return "auto_rotate is off: rotates only when asked".to_string();
        }
        match self.next_due(&p.name) {
            Some(t) if t > now => format!("not due until {}", rfc3339(t)),
            _ => "outside the rotation window".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::RotationWindow;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn due_respects_next_due_window_auto_rotate_and_on_demand() -> Result<(), RotationError> {
        let mut s = RotationScheduler::new();
        s.schedule_rotation(SecretRotationPolicy::new("plain", "a"))?;
        s.schedule_rotation(SecretRotationPolicy::new("later", "b"))?;
        s.schedule_rotation(
            SecretRotationPolicy::new("night", "c").with_window(RotationWindow::hours(2, 5)?),
        )?;
        s.schedule_rotation(SecretRotationPolicy::new("manual", "d").with_auto_rotate(false))?;
        s.schedule_rotation(
            SecretRotationPolicy::new("asked", "e").with_rotation_type(RotationType::OnDemand),
        )?;
        s.set_next_due("later", Some(at(12)));
        let names = |now| {
            s.due(now)
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(at(10)), ["plain"]);
        assert_eq!(names(at(3)), ["plain", "night"]);
        assert_eq!(names(at(12)), ["plain", "later"]);
        assert_eq!(s.next_due("later"), Some(at(12)));
        assert_eq!(
            s.why_not_due(
                s.get("later").ok_or_else(|| RotationError::config("x"))?,
                at(10)
            ),
            "not due until 2026-12-07T12:00:00Z"
        );
        Ok(())
    }

    #[test]
    fn remove_keeps_the_index_right_and_find_takes_paths() -> Result<(), RotationError> {
        let mut s = RotationScheduler::new();
        for i in 0..4 {
            s.schedule_rotation(SecretRotationPolicy::new(
                format!("p{i}"),
                format!("app/{i}"),
            ))?;
        }
        assert_eq!(s.remove("p1").map(|p| p.name), Some("p1".to_string()));
        assert!(s.get("p1").is_none());
        assert_eq!(s.get("p3").map(|p| p.path.as_str()), Some("app/3"));
        assert_eq!(s.find("secret/app/2").map(|p| p.name.as_str()), Some("p2"));
        assert_eq!(s.find("app/0").map(|p| p.name.as_str()), Some("p0"));
        assert_eq!(s.find("p3").map(|p| p.name.as_str()), Some("p3"));
        assert_eq!(s.len(), 3);
        Ok(())
    }

    #[test]
    fn replacing_a_policy_forgets_its_due_time() -> Result<(), RotationError> {
        let mut s = RotationScheduler::new();
        s.schedule_rotation(SecretRotationPolicy::new("a", "x"))?;
        s.set_next_due("a", Some(at(12)));
        s.schedule_rotation(SecretRotationPolicy::new("a", "y"))?;
        assert_eq!(s.len(), 1);
        assert_eq!(s.next_due("a"), None);
        assert_eq!(s.due(at(1)).len(), 1);
        Ok(())
    }
}
