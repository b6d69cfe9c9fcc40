//! [`SourceValues`]: the planned values, read again from the source files at apply time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use vault_core::SecretString;

use super::Plan;
use crate::error::{MigrateError, MigrateErrorKind};
use crate::parse::{self, FileKind, LineIndex};

/// Values for every `(secret path, key)` of a plan, checked against the plan's hashes.
#[derive(Clone, Default)]
pub struct SourceValues {
    values: HashMap<(String, String), SecretString>,
}

impl std::fmt::Debug for SourceValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceValues")
            .field("count", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl SourceValues {
    /// Read the sources named in `plan` (relative to `plan.base_dir`). Fails if a value is missing
    /// or no longer matches the plan's hash.
    pub fn load(plan: &Plan) -> Result<SourceValues, MigrateError> {
        let base = PathBuf::from(&plan.base_dir);
        let mut cache: HashMap<String, (String, parse::Parsed)> = HashMap::new();
        let mut values = HashMap::new();
        for s in &plan.secrets {
            for k in &s.keys {
                if !cache.contains_key(&k.source) {
                    let p = Path::new(&k.source);
                    let full = if p.is_absolute() {
                        p.to_path_buf()
                    } else {
                        base.join(p)
                    };
                    let text =
                        std::fs::read_to_string(&full).map_err(|e| MigrateError::io(&full, e))?;
                    let parsed = parse::parse(FileKind::detect(&full), &text);
                    cache.insert(k.source.clone(), (text, parsed));
                }
                let Some((text, parsed)) = cache.get(&k.source) else {
                    continue;
                };
                let index = LineIndex::new(text);
                let hkey = &plan.value_hmac_key;
                let candidates: Vec<&parse::Entry> =
                    parsed.entries.iter().filter(|e| e.key == k.env).collect();
                let entry = candidates
                    .iter()
                    .find(|e| {
                        index.line(e.span.start) == k.line
                            && hkey.matches(e.value.as_bytes(), &k.value_hmac)
                    })
                    .or_else(|| {
                        candidates
                            .iter()
                            .find(|e| hkey.matches(e.value.as_bytes(), &k.value_hmac))
                    });
                let Some(entry) = entry else {
                    let what = if candidates.is_empty() {
                        "is no longer in the file"
                    } else {
                        "has changed since the plan was made"
                    };
                    // The source no longer matches the reviewed plan: a conflict between
                    // plan and source (the module's validation error), not a bad config file.
                    return Err(MigrateError::new(
                        MigrateErrorKind::Conflict,
                        format!(
                            "`{}` (planned for `{}` key `{}`) {what}",
                            k.env, s.path, k.key
                        ),
                    )
                    .with_path(&k.source)
                    .with_line(k.line)
                    .with_hint(
                        "review the change, then make the plan again from the current sources",
                    ));
                };
                values.insert(
                    (s.path.clone(), k.key.clone()),
                    SecretString::new(entry.value.clone()),
                );
            }
        }
        Ok(SourceValues { values })
    }

    /// Values given directly (the Python module's `write_to_vault(path, secrets={…})`).
    pub fn from_map(values: HashMap<(String, String), SecretString>) -> Self {
        SourceValues { values }
    }

    /// The value for `key` of the secret at `path`.
    pub fn get(&self, path: &str, key: &str) -> Option<&SecretString> {
        self.values.get(&(path.to_string(), key.to_string()))
    }

    /// Number of (path, key) values held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no value is held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
