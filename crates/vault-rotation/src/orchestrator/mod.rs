//! [`RotationOrchestrator`]: runs the due rotations of a [`RotationScheduler`] with bounded
//! concurrency — the Python module's `RotationOrchestrator(scheduler).run_rotations()` — plus
//! on-demand rotation, dry runs, failure notices and the daemon loop (`daemon`).

mod daemon;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use vault_core::{Notifier, VaultClient};

use crate::protocol::{CrashPoint, Engine};
use crate::rotators::build_rotator_for;
use crate::{
    PolicyOutcome, PolicyStore, RotationError, RotationOutcome, RotationScheduler, RotationStep,
    Rotator, SecretRotationPolicy, VaultkitPaths,
};

/// Default lease time-to-live (renewed between steps).
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(300);
/// Default number of rotations run at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Runs rotations. Several orchestrators (on several machines) may share one Vault: leases and
/// check-and-set writes make each due rotation happen once.
#[derive(Debug)]
pub struct RotationOrchestrator {
    client: VaultClient,
    scheduler: RwLock<RotationScheduler>,
    paths: VaultkitPaths,
    holder: String,
    lease_ttl: Duration,
    concurrency: usize,
    dry_run: bool,
    notifier: Option<Arc<dyn Notifier>>,
    rotators: HashMap<String, Arc<dyn Rotator>>,
    crash_after: Option<CrashPoint>,
}

impl RotationOrchestrator {
    /// An orchestrator for `scheduler`'s policies, talking to Vault through `client`.
    pub fn new(client: VaultClient, scheduler: RotationScheduler) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_string());
        RotationOrchestrator {
            client,
            scheduler: RwLock::new(scheduler),
            paths: VaultkitPaths::default(),
            holder: format!(
                "{}-{}-{:08x}",
                host.chars()
                    .filter(|c| c.is_ascii_graphic())
                    .take(40)
                    .collect::<String>(),
                std::process::id(),
                rand::random::<u32>()
            ),
            lease_ttl: DEFAULT_LEASE_TTL,
            concurrency: DEFAULT_CONCURRENCY,
            dry_run: false,
            notifier: None,
            rotators: HashMap::new(),
            crash_after: None,
        }
    }

    /// Where vaultkit's own records (leases, history) live.
    pub fn with_paths(mut self, paths: VaultkitPaths) -> Self {
        self.paths = paths;
        self
    }

    /// The id this orchestrator holds leases and signs history with (default
    /// `<host>-<pid>-<random>`). A restarted process with the same id takes its leases back at
    /// once instead of waiting for them to expire.
    pub fn with_holder_id(mut self, id: impl Into<String>) -> Self {
        self.holder = id.into();
        self
    }

    /// How long a lease lasts unless renewed (default 5 minutes).
    pub fn with_lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl;
        self
    }

    /// How many rotations run at once (default 8, at least 1).
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Decide, but change nothing: due rotations are reported as skipped ("dry run: …").
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Tell `notifier` about every failed rotation.
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// Use `rotator` for policy `policy` instead of the one its spec describes.
    pub fn with_rotator(mut self, policy: impl Into<String>, rotator: Arc<dyn Rotator>) -> Self {
        self.rotators.insert(policy.into(), rotator);
        self
    }

    /// Test hook: stop every run right after `point`, as a killed process would.
    #[doc(hidden)]
    pub fn with_crash_after(mut self, point: CrashPoint) -> Self {
        self.crash_after = Some(point);
        self
    }

    /// The holder id.
    pub fn holder_id(&self) -> &str {
        &self.holder
    }

    /// The scheduler, to read.
    pub fn scheduler(&self) -> RwLockReadGuard<'_, RotationScheduler> {
        self.scheduler.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The scheduler, to add or remove policies.
    pub fn scheduler_mut(&self) -> RwLockWriteGuard<'_, RotationScheduler> {
        self.scheduler.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds every policy stored in Vault (see [`PolicyStore`]); returns how many.
    pub async fn load_policies_from_vault(&self) -> Result<usize, RotationError> {
        let policies = PolicyStore::new(&self.client, self.paths.clone())
            .load_all()
            .await?;
        let n = policies.len();
        let mut s = self.scheduler_mut();
        for p in policies {
            s.schedule_rotation(p)?;
        }
        Ok(n)
    }

    /// Runs every due rotation now; one outcome per policy, sorted by policy name.
    pub async fn run_rotations(&self) -> Vec<PolicyOutcome> {
        self.run_rotations_at(Utc::now()).await
    }

    /// [`RotationOrchestrator::run_rotations`] as if the clock showed `now` (due times, windows
    /// and grace periods are judged at `now`; leases use the real clock).
    pub async fn run_rotations_at(&self, now: DateTime<Utc>) -> Vec<PolicyOutcome> {
        let (due, mut outcomes) = {
            let s = self.scheduler();
            let due: Vec<SecretRotationPolicy> = s.due(now).into_iter().cloned().collect();
            let names: HashSet<&str> = due.iter().map(|p| p.name.as_str()).collect();
            let skipped: Vec<PolicyOutcome> = s
                .list()
                .into_iter()
                .filter(|p| !names.contains(p.name.as_str()))
                .map(|p| outcome_of(p, RotationOutcome::skipped(s.why_not_due(p, now))))
                .collect();
            (due, skipped)
        };
        let ran: Vec<(PolicyOutcome, Option<DateTime<Utc>>)> = futures_util::stream::iter(due)
            .map(|p| async move {
                let (outcome, wake) = self.run_one(&p, now, false).await;
                (outcome_of(&p, outcome), wake)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        {
            let mut s = self.scheduler_mut();
            for (o, wake) in &ran {
                s.set_next_due(&o.policy, *wake);
            }
        }
        outcomes.extend(ran.into_iter().map(|(o, _)| o));
        outcomes.sort_by(|a, b| a.policy.cmp(&b.policy));
        outcomes
    }

    /// Rotates the secret at `path` now (or the policy named `path`), whether due or not, inside
    /// its window or not, with `auto_rotate` on or off.
    pub async fn rotate_now(&self, path: &str) -> Result<PolicyOutcome, RotationError> {
        let policy = self.scheduler().find(path).cloned().ok_or_else(|| {
            RotationError::config(format!(
                "rotate `{}`: no policy for this secret",
                path.escape_debug()
            ))
            .with_hint("schedule a policy for it first")
        })?;
        let (outcome, wake) = self.run_one(&policy, Utc::now(), true).await;
        self.scheduler_mut().set_next_due(&policy.name, wake);
        Ok(outcome_of(&policy, outcome))
    }

    async fn run_one(
        &self,
        policy: &SecretRotationPolicy,
        now: DateTime<Utc>,
        force: bool,
    ) -> (RotationOutcome, Option<DateTime<Utc>>) {
        let rotator = match self.rotators.get(&policy.name) {
            Some(r) => Arc::clone(r),
            None => match build_rotator_for(&policy.rotator, &self.client) {
                Ok(r) => r,
                Err(e) => {
                    return (
                        RotationOutcome::Failed {
                            step: RotationStep::Prepare,
                            reason: e.to_string(),
                        },
                        None,
                    );
                }
            },
        };
        let engine = Engine {
            client: &self.client,
            paths: &self.paths,
            holder: &self.holder,
            lease_ttl: self.lease_ttl,
            dry_run: self.dry_run,
            crash_after: self.crash_after,
            notifier: self.notifier.as_deref(),
        };
        let r = engine.run(policy, rotator.as_ref(), now, force).await;
        (r.outcome, r.next_wake)
    }
}

fn outcome_of(p: &SecretRotationPolicy, outcome: RotationOutcome) -> PolicyOutcome {
    PolicyOutcome {
        policy: p.name.clone(),
        mount: p.mount.clone(),
        path: p.path.clone(),
        outcome,
    }
}
