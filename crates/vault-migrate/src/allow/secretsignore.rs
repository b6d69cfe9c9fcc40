//! `.secretsignore` in the ripsecrets format.
//!
//! ```text
//! # gitignore-style path patterns (optional)
//! test
//! [secrets]
//! ReTllpYQYfIZu2Jnf2lAPFjD
//! ```
//! Lines before `[secrets]` are gitignore patterns: matching files are not walked (files named
//! explicitly are still scanned). Lines after it are exact secret values: a finding whose value
//! equals one of them is dropped; a value that merely contains one is still reported
//! (`sk_live_<ignored>` is a different secret). Lines starting with `#` are comments.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{MigrateError, MigrateErrorKind};
use crate::finding::sha256_hex;

/// Parsed `.secretsignore`. Ignored values are kept only as SHA-256 hashes.
#[derive(Debug, Clone, Default)]
pub struct SecretsIgnore {
    root: PathBuf,
    paths: Option<Gitignore>,
    values: HashSet<String>,
}

impl SecretsIgnore {
    /// Read `file`; `root` is the directory its path patterns are relative to.
    pub fn from_file(file: &Path) -> Result<Self, MigrateError> {
        let text = std::fs::read_to_string(file).map_err(|e| MigrateError::io(file, e))?;
        let root = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, &root).map_err(|e| e.with_path(file))
    }

    /// Parse the text of a `.secretsignore` whose patterns are relative to `root`.
    pub fn parse(text: &str, root: &Path) -> Result<Self, MigrateError> {
        let mut builder = GitignoreBuilder::new(root);
        let mut values = HashSet::new();
        let mut in_secrets = false;
        let mut any_path = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            if line.trim() == "[secrets]" {
                in_secrets = true;
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if in_secrets {
                values.insert(sha256_hex(line.as_bytes()));
            } else {
                builder.add_line(None, line).map_err(|e| {
                    MigrateError::new(MigrateErrorKind::Config, format!("bad path pattern: {e}"))
                        .with_line(i + 1)
                })?;
                any_path = true;
            }
        }
        let paths = if any_path {
            Some(builder.build().map_err(|e| {
                MigrateError::new(MigrateErrorKind::Config, format!("bad path patterns: {e}"))
            })?)
        } else {
            None
        };
        Ok(SecretsIgnore {
            root: root.to_path_buf(),
            paths,
            values,
        })
    }

    /// Is this value ignored (exact match)?
    pub fn ignores_value(&self, value: &str) -> bool {
        !self.values.is_empty() && self.values.contains(&sha256_hex(value.as_bytes()))
    }

    /// Is this path ignored by the path patterns?
    pub fn ignores_path(&self, path: &Path, is_dir: bool) -> bool {
        let Some(g) = self.paths.as_ref() else {
            return false;
        };
        // Match relative to the ignore file's directory; paths elsewhere are not covered.
        let rel = match path.strip_prefix(&self.root) {
            Ok(r) => r,
            Err(_) if path.is_relative() && self.root == Path::new(".") => path,
            Err(_) => return false,
        };
        if rel.has_root() {
            return false;
        }
        g.matched_path_or_any_parents(rel, is_dir).is_ignore()
    }

    /// Merge another ignore file into this one (values only; the first file's paths stay).
    pub fn merge(&mut self, other: SecretsIgnore) {
        self.values.extend(other.values);
        if self.paths.is_none() {
            self.paths = other.paths;
            self.root = other.root;
        }
    }

    /// Number of ignored values.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_exact_and_paths() {
        let root = Path::new("/r");
        let s = SecretsIgnore::parse("test\n\n[secrets]\n# c\nReTllpYQYfIZu2Jnf2lAPFjD\n", root)
            .unwrap_or_default();
        assert!(s.ignores_value("ReTllpYQYfIZu2Jnf2lAPFjD"));
        assert!(!s.ignores_value("sk_live_ReTllpYQYfIZu2Jnf2lAPFjD"));
        assert!(s.ignores_path(Path::new("/r/test/none"), false));
        assert!(!s.ignores_path(Path::new("/r/src/x"), false));
        assert_eq!(s.value_count(), 1);
    }
}
