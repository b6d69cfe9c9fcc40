//! The rotation model: [`SecretRotationPolicy`] (what to rotate, how often, with which rotator),
//! its [`RotationType`] and optional [`RotationWindow`], durations as people write them, policy
//! files ([`load_policies`]) and the shared policy store in Vault ([`PolicyStore`]).

mod cadence;
mod duration;
mod file;
mod store;
mod window;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use cadence::{CronSchedule, RotationType};
pub use duration::{format_duration, parse_duration};
pub use file::{load_policies, parse_policies};
pub use store::PolicyStore;
pub(crate) use store::is_gone;
pub use window::RotationWindow;

use crate::{RotationError, RotatorSpec};

/// The Python module's default interval: 90 days.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(90 * 86_400);
/// The Python module's default grace period: 24 hours.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(24 * 3_600);
/// The KV v2 mount of rotated secrets unless a policy names another.
pub const DEFAULT_SECRET_MOUNT: &str = "secret";

/// What happens to the previous version once the grace period is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AfterGrace {
    /// Leave it readable.
    Keep,
    /// Call the rotator's `revoke` (the default; a no-op for rotators without one).
    #[default]
    Revoke,
    /// Revoke, then soft-delete the previous KV version (it can still be undeleted).
    RevokeAndDelete,
}

/// One secret under rotation: the Python module's `SecretRotationPolicy(name, path,
/// rotation_type, interval_days=90, grace_period_hours=24, auto_rotate=True)`, plus the KV mount,
/// a rotation window and the rotator that makes new values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyFields", into = "PolicyFields")]
pub struct SecretRotationPolicy {
    /// Unique name (letters, digits, `_`, `-`, `.`).
    pub name: String,
    /// The secret's path inside `mount`.
    pub path: String,
    /// The KV v2 mount (default `secret`).
    pub mount: String,
    /// When rotations happen.
    pub rotation_type: RotationType,
    /// Time between rotations for [`RotationType::TimeBased`] (default 90 days).
    pub interval: Duration,
    /// How long the previous value stays readable and valid (default 24 hours).
    pub grace_period: Duration,
    /// Whether the scheduler rotates it when due (on-demand rotation works either way).
    pub auto_rotate: bool,
    /// When a due rotation may start (`None`: any time).
    pub window: Option<RotationWindow>,
    /// What makes and installs new values.
    pub rotator: RotatorSpec,
    /// What happens to the previous version after the grace period.
    pub after_grace: AfterGrace,
}

impl SecretRotationPolicy {
    /// A time-based policy with the defaults: mount `secret`, every 90 days, 24 h grace, auto
    /// rotation on, no window, a random 32-character `password`.
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> Self {
        SecretRotationPolicy {
            name: name.into(),
            path: path.into(),
            mount: DEFAULT_SECRET_MOUNT.to_string(),
            rotation_type: RotationType::TimeBased,
            interval: DEFAULT_INTERVAL,
            grace_period: DEFAULT_GRACE_PERIOD,
            auto_rotate: true,
            window: None,
            rotator: RotatorSpec::default(),
            after_grace: AfterGrace::default(),
        }
    }

    /// Sets the KV v2 mount.
    pub fn with_mount(mut self, mount: impl Into<String>) -> Self {
        self.mount = mount.into();
        self
    }

    /// Sets when rotations happen.
    pub fn with_rotation_type(mut self, t: RotationType) -> Self {
        self.rotation_type = t;
        self
    }

    /// Sets the interval of a time-based policy.
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the grace period.
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace_period = grace;
        self
    }

    /// Turns scheduled rotation on or off.
    pub fn with_auto_rotate(mut self, on: bool) -> Self {
        self.auto_rotate = on;
        self
    }

    /// Only start rotations inside `window`.
    pub fn with_window(mut self, window: RotationWindow) -> Self {
        self.window = Some(window);
        self
    }

    /// Sets the rotator.
    pub fn with_rotator(mut self, rotator: RotatorSpec) -> Self {
        self.rotator = rotator;
        self
    }

    /// Sets what happens after the grace period.
    pub fn with_after_grace(mut self, after: AfterGrace) -> Self {
        self.after_grace = after;
        self
    }

    /// When a secret last rotated at `last` is next due (`None`: only on demand).
    pub fn next_due_after(&self, last: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.rotation_type.next_due(last, self.interval)
    }

    /// Whether the scheduler may start it at `now` (auto rotation on, not on-demand, inside the
    /// window). Says nothing about being due.
    pub fn may_start_at(&self, now: DateTime<Utc>) -> bool {
        self.auto_rotate
            && self.rotation_type != RotationType::OnDemand
            && self.window.as_ref().is_none_or(|w| w.contains(now))
    }

    /// Checks the name, path, mount, interval, window and rotator settings.
    pub fn validate(&self) -> Result<(), RotationError> {
        let who = format!("policy `{}`", self.name.escape_debug());
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            || self.name.starts_with('.')
        {
            return Err(RotationError::config(format!(
                "{who}: the name must be letters, digits, `_`, `-` or `.` (not starting with `.`)"
            )));
        }
        for (what, value) in [("path", &self.path), ("mount", &self.mount)] {
            let bad = value.trim_matches('/').is_empty()
                || value.split('/').any(|s| s == "." || s == "..")
                || value.chars().any(char::is_control);
            if bad {
                return Err(RotationError::config(format!(
                    "{who}: the {what} `{}` is empty, has `.`/`..` segments or control characters",
                    value.escape_debug()
                )));
            }
        }
        if self.rotation_type == RotationType::TimeBased && self.interval.is_zero() {
            return Err(
                RotationError::config(format!("{who}: the interval must be positive"))
                    .with_hint("use e.g. `90d` or `12h`"),
            );
        }
        if let Some(w) = &self.window {
            w.validate()
                .map_err(|e| RotationError::config(format!("{who}: {}", e.message())))?;
        }
        self.rotator
            .validate()
            .map_err(|e| RotationError::config(format!("{who}: {}", e.message())))
    }
}

/// The stored and file form of a policy (durations as `90d`, the type as a name plus `cron`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFields {
    name: String,
    path: String,
    #[serde(default = "default_mount")]
    mount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotation_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cron: Option<String>,
    #[serde(default = "default_interval", with = "duration::serde_text")]
    interval: Duration,
    #[serde(default = "default_grace", with = "duration::serde_text")]
    grace_period: Duration,
    #[serde(default = "yes")]
    auto_rotate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<RotationWindow>,
    #[serde(default)]
    rotator: RotatorSpec,
    #[serde(default)]
    after_grace: AfterGrace,
}

fn default_mount() -> String {
    DEFAULT_SECRET_MOUNT.to_string()
}
fn default_interval() -> Duration {
    DEFAULT_INTERVAL
}
fn default_grace() -> Duration {
    DEFAULT_GRACE_PERIOD
}
fn yes() -> bool {
    true
}

impl TryFrom<PolicyFields> for SecretRotationPolicy {
    type Error = RotationError;

    fn try_from(f: PolicyFields) -> Result<Self, RotationError> {
        let rotation_type = match (f.rotation_type.as_deref(), f.cron.as_deref()) {
            (None | Some("cron"), Some(expr)) => RotationType::cron(expr)?,
            (Some("cron"), None) => {
                return Err(RotationError::config(format!(
                    "policy `{}`: rotation_type `cron` needs a `cron` expression",
                    f.name.escape_debug()
                )));
            }
            (None | Some("time_based"), None) => RotationType::TimeBased,
            (Some("on_demand"), None) => RotationType::OnDemand,
            (Some(other), _) => {
                return Err(RotationError::config(format!(
                    "policy `{}`: rotation_type `{}` with `cron`, or unknown (known: time_based, cron, on_demand)",
                    f.name.escape_debug(),
                    other.escape_debug()
                )));
            }
        };
        let policy = SecretRotationPolicy {
            name: f.name,
            path: f.path.trim_matches('/').to_string(),
            mount: f.mount.trim_matches('/').to_string(),
            rotation_type,
            interval: f.interval,
            grace_period: f.grace_period,
            auto_rotate: f.auto_rotate,
            window: f.window,
            rotator: f.rotator,
            after_grace: f.after_grace,
        };
        policy.validate()?;
        Ok(policy)
    }
}

impl From<SecretRotationPolicy> for PolicyFields {
    fn from(p: SecretRotationPolicy) -> Self {
        let (rotation_type, cron) = match &p.rotation_type {
            RotationType::Cron(c) => (None, Some(c.as_str().to_string())),
            other => (Some(other.as_str().to_string()), None),
        };
        PolicyFields {
            name: p.name,
            path: p.path,
            mount: p.mount,
            rotation_type,
            cron,
            interval: p.interval,
            grace_period: p.grace_period,
            auto_rotate: p.auto_rotate,
            window: p.window,
            rotator: p.rotator,
            after_grace: p.after_grace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_python_modules() {
        let p = SecretRotationPolicy::new("db", "app/db");
        assert_eq!(p.interval, Duration::from_secs(90 * 86_400));
        assert_eq!(p.grace_period, Duration::from_secs(24 * 3_600));
        assert!(p.auto_rotate);
        assert_eq!(p.rotation_type, RotationType::TimeBased);
        assert_eq!(p.mount, "secret");
        assert!(p.validate().is_ok());
    }

    #[test]
    fn json_round_trip_keeps_everything() -> Result<(), Box<dyn std::error::Error>> {
        let p = SecretRotationPolicy::new("db", "app/db")
            .with_rotation_type(RotationType::cron("0 3 * * Sun")?)
            .with_window(RotationWindow::hours(2, 5)?)
            .with_auto_rotate(false);
        let json = serde_json::to_value(&p)?;
        assert_eq!(json["cron"], "0 3 * * Sun");
        assert_eq!(json["interval"], "90d");
        let back: SecretRotationPolicy = serde_json::from_value(json)?;
        assert_eq!(back, p);
        Ok(())
    }

    #[test]
    fn refuses_names_and_paths_that_escape() {
        for (name, path) in [
            ("a/b", "app"),
            ("", "app"),
            (".x", "app"),
            ("ok", "../x"),
            ("ok", ""),
        ] {
            let p = SecretRotationPolicy::new(name, path);
            assert!(p.validate().is_err(), "{name} {path} accepted");
        }
        let zero = SecretRotationPolicy::new("z", "app").with_interval(Duration::ZERO);
        assert!(zero.validate().is_err());
    }

    #[test]
    fn on_demand_and_auto_rotate_off_never_start_by_schedule() {
        let now = Utc::now();
        let p = SecretRotationPolicy::new("a", "app");
        assert!(p.may_start_at(now));
        assert!(!p.clone().with_auto_rotate(false).may_start_at(now));
        assert!(
            !p.with_rotation_type(RotationType::OnDemand)
                .may_start_at(now)
        );
    }
}
