//! [`Plan`]: where each found secret goes in Vault — a reviewable TOML file.
//!
//! ```toml
//! version = 3
//! value_hmac_key = "…"      # random, base64: the salt of this plan's value hashes
//! mount = "secret"
//! prefix = "bike-data-flow/production"
//! base_dir = "."
//!
//! [[secrets]]
//! path = "bike-data-flow/production/database"
//!
//! [[secrets.keys]]
//! key = "password"          # the key in Vault (edit freely)
//! env = "DB_PASSWORD"       # the key in the source file
//! source = ".env"
//! line = 4
//! value_hmac = "argon2id-m19456-t2-p1:…"  # of the value: apply refuses if the source changed
//! ```
//! The plan holds no values and no fast hashes: `value_hmac` is Argon2id (19 MiB, 2 passes)
//! salted with the plan's own random `value_hmac_key`, so two plans of the same source share no
//! hash, no precomputed table applies, and whoever holds the plan pays one Argon2id per password
//! guess. `apply` reads the values from the source files again and checks them against the
//! hashes. Version 1 (plain SHA-256) and 2 (HMAC-SHA256 with its key in the plan) plans are
//! refused with a hint to plan again.

mod mapping;
mod roots;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) use mapping::map_key;
pub use roots::scan_roots;
pub use values::SourceValues;

use crate::error::{MigrateError, MigrateErrorKind};
use crate::keyed::ValueKey;
use crate::parse::{self, FileKind};
use crate::scan::ScanReport;

/// One key of a planned secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedKey {
    /// Key inside the Vault secret.
    pub key: String,
    /// Key in the source file.
    pub env: String,
    /// Source file (relative to the plan's `base_dir` unless absolute).
    pub source: String,
    /// 1-based line of the value in the source.
    pub line: usize,
    /// `argon2id-m19456-t2-p1:<hex>` of the value, salted with the plan's `value_hmac_key`.
    pub value_hmac: String,
    /// Whether a rule flagged it as a secret (false for companions such as `DB_HOST`).
    #[serde(default)]
    pub secret: bool,
}

/// One Vault secret (a KV path) and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedSecret {
    /// Path inside the mount.
    pub path: String,
    /// The keys to write into this secret.
    pub keys: Vec<PlannedKey>,
}

/// A finding the plan could not place, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplanned {
    /// `file:line` of the finding.
    pub source: String,
    /// 1-based line of the finding.
    pub line: usize,
    /// Rule that found it.
    pub rule_id: String,
    /// Why it was not placed in a secret.
    pub reason: String,
}

/// The migration plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Format version of the plan file.
    pub version: u32,
    /// Random key of the `value_hmac` hashes, made with the plan.
    pub value_hmac_key: ValueKey,
    /// KV v2 mount (`secret`).
    pub mount: String,
    /// Path prefix inside the mount (`bike-data-flow/production`).
    pub prefix: String,
    /// Directory the `source` paths are relative to.
    pub base_dir: String,
    /// The secrets to write, sorted by path.
    #[serde(default)]
    pub secrets: Vec<PlannedSecret>,
    /// Findings left out of the plan, with the reason.
    #[serde(default)]
    pub unplanned: Vec<Unplanned>,
}

/// Options for [`Plan::from_report`].
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// KV v2 mount to write to (e.g. `secret`).
    pub mount: String,
    /// Path prefix inside the mount (e.g. `myapp/production`).
    pub prefix: String,
    /// Secret for keys of no group (default `app`).
    pub default_secret: String,
    /// Directory the report's file names are relative to.
    pub base_dir: PathBuf,
}

impl PlanOptions {
    /// Options for `mount` and `prefix`, with the default secret `app` and base directory `.`.
    pub fn new(mount: impl Into<String>, prefix: impl Into<String>) -> Self {
        PlanOptions {
            mount: mount.into(),
            prefix: prefix.into(),
            default_secret: "app".into(),
            base_dir: PathBuf::from("."),
        }
    }

    /// Sets the secret that keys of no group go to.
    pub fn with_default_secret(mut self, name: impl Into<String>) -> Self {
        self.default_secret = name.into();
        self
    }

    /// Sets the directory the report's file names are relative to.
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = dir.into();
        self
    }
}

impl Plan {
    /// Map the findings of `report` to Vault paths. Findings without a key (a token in the middle
    /// of code) are listed in `unplanned`. Database keys bring their non-secret companions from the
    /// same file (`DB_HOST`, `DB_PORT`, …) so the `database` secret is complete.
    pub fn from_report(report: &ScanReport, opts: &PlanOptions) -> Result<Plan, MigrateError> {
        let prefix = opts.prefix.trim_matches('/').to_string();
        let hkey = ValueKey::generate();
        let mut keys = Keys::default();
        let mut db_files: Vec<PathBuf> = Vec::new();
        for f in &report.findings {
            let source = f.file.to_string_lossy().replace('\\', "/");
            let Some(env) = f.key.clone() else {
                keys.unplanned.push(Unplanned {
                    source,
                    line: f.line,
                    rule_id: f.rule_id.clone(),
                    reason: "no key to name it by (value inside code or text); move it by hand"
                        .into(),
                });
                continue;
            };
            let m = map_key(&env, &opts.default_secret);
            if m.database && !db_files.contains(&f.file) {
                db_files.push(f.file.clone());
            }
            keys.add(
                join(&prefix, &m.secret),
                PlannedKey {
                    key: m.key,
                    env,
                    source,
                    line: f.line,
                    value_hmac: f.value_hmac(&hkey),
                    secret: true,
                },
            );
        }
        for file in db_files {
            let full = if file.is_absolute() {
                file.clone()
            } else {
                opts.base_dir.join(&file)
            };
            let text = std::fs::read_to_string(&full).map_err(|e| MigrateError::io(&full, e))?;
            let parsed = parse::parse(FileKind::detect(&full), &text);
            let index = parse::LineIndex::new(&text);
            for e in parsed
                .entries
                .iter()
                .filter(|e| !e.is_reference && !e.key.is_empty())
            {
                let m = map_key(&e.key, &opts.default_secret);
                if !m.database {
                    continue;
                }
                let path = join(&prefix, &m.secret);
                let source = file.to_string_lossy().replace('\\', "/");
                let already = keys
                    .by_path
                    .get(&path)
                    .is_some_and(|ks| ks.iter().any(|k| k.key == m.key));
                if !already {
                    keys.add(
                        path,
                        PlannedKey {
                            key: m.key,
                            env: e.key.clone(),
                            source,
                            line: index.line(e.span.start),
                            value_hmac: hkey.tag(e.value.as_bytes()),
                            secret: false,
                        },
                    );
                }
            }
        }
        let secrets = keys
            .by_path
            .into_iter()
            .map(|(path, keys)| PlannedSecret { path, keys })
            .collect();
        Ok(Plan {
            version: PLAN_VERSION,
            value_hmac_key: hkey,
            mount: opts.mount.clone(),
            prefix,
            base_dir: opts.base_dir.to_string_lossy().into_owned(),
            secrets,
            unplanned: keys.unplanned,
        })
    }

    /// The plan as TOML.
    pub fn to_toml(&self) -> Result<String, MigrateError> {
        toml::to_string_pretty(self).map_err(|e| {
            MigrateError::new(
                MigrateErrorKind::Config,
                format!("cannot write the plan as TOML: {e}"),
            )
        })
    }

    /// Read a plan from TOML, checking it.
    pub fn from_toml(text: &str) -> Result<Plan, MigrateError> {
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        if let Ok(Version { version: Some(v) }) = toml::from_str::<Version>(text) {
            check_version(v)?;
        }
        let plan: Plan = toml::from_str(text).map_err(|e| {
            MigrateError::new(
                MigrateErrorKind::Config,
                format!("plan is not valid TOML: {}", e.message()),
            )
            .with_hint("compare with a freshly generated plan (`vaultkit migrate plan`)")
        })?;
        plan.check()?;
        Ok(plan)
    }

    /// Read a plan file.
    pub fn load(path: &Path) -> Result<Plan, MigrateError> {
        let text = std::fs::read_to_string(path).map_err(|e| MigrateError::io(path, e))?;
        Self::from_toml(&text).map_err(|e| e.with_path(path))
    }

    /// Version, non-empty paths and keys, no key twice in one secret.
    pub fn check(&self) -> Result<(), MigrateError> {
        let bad = |m: String| Err(MigrateError::new(MigrateErrorKind::Config, m));
        check_version(self.version)?;
        if self.mount.trim_matches('/').is_empty() {
            return bad("plan has an empty `mount`".into());
        }
        for s in &self.secrets {
            if s.path.trim_matches('/').is_empty() {
                return bad("a secret in the plan has an empty `path`".into());
            }
            let mut seen = std::collections::HashSet::new();
            for k in &s.keys {
                if k.key.is_empty() {
                    return bad(format!(
                        "secret `{}` has a key with an empty name (source {}:{})",
                        s.path, k.source, k.line
                    ));
                }
                if !seen.insert(&k.key) {
                    return bad(format!(
                        "secret `{}` has key `{}` twice; rename one in the plan",
                        s.path, k.key
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The plan format written by this version.
pub const PLAN_VERSION: u32 = 3;

fn check_version(v: u32) -> Result<(), MigrateError> {
    match v {
        PLAN_VERSION => Ok(()),
        1 => Err(MigrateError::new(
            MigrateErrorKind::Config,
            "plan version 1 stores unsalted SHA-256 hashes of the values and is no longer read",
        )
        .with_hint("run `vaultkit migrate plan` again and delete the old plan")),
        2 => Err(MigrateError::new(
            MigrateErrorKind::Config,
            "plan version 2 stores fast HMAC-SHA256 hashes of the values next to their key and is no longer read",
        )
        .with_hint("run `vaultkit migrate plan` again and delete the old plan")),
        other => Err(MigrateError::new(
            MigrateErrorKind::Config,
            format!("plan version {other} is not supported (expected {PLAN_VERSION})"),
        )),
    }
}

fn join(prefix: &str, name: &str) -> String {
    parse::join_under(prefix, '/', name)
}

/// The keys of a plan being built, by Vault path, and what could not be planned.
#[derive(Default)]
struct Keys {
    by_path: BTreeMap<String, Vec<PlannedKey>>,
    unplanned: Vec<Unplanned>,
}

impl Keys {
    /// Add `k` under `path`; a second value for the same key there is a conflict, left unplanned.
    fn add(&mut self, path: String, k: PlannedKey) {
        let keys = self.by_path.entry(path.clone()).or_default();
        match keys.iter().find(|x| x.key == k.key) {
            Some(x) if x.value_hmac == k.value_hmac => {}
            Some(x) => self.unplanned.push(Unplanned {
                source: k.source.clone(),
                line: k.line,
                rule_id: "plan-conflict".into(),
                reason: format!("`{}` would also go to `{path}` key `{}` (already from {}:{}); rename it in the plan", k.env, k.key, x.source, x.line),
            }),
            None => keys.push(k),
        }
    }
}
