//! [`Desired`]: the secrets a caller wants in Vault, and how their values are compared.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::call::to_object;
use crate::error::KvError;
use crate::secret::SecretData;

/// How a desired value is compared with the value Vault holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compare {
    /// Equal JSON values (`"5432"` and `5432` differ). For JSON/YAML input (`kv import`).
    #[default]
    Exact,
    /// Equal text: strings as they are, other JSON values as their JSON text (`"5432"` equals
    /// `5432`). For sources that only know text (`.env` files).
    Text,
}

impl Compare {
    /// Whether `current` (in Vault) counts as equal to `wanted`.
    pub(crate) fn same(self, current: &Value, wanted: &Value) -> bool {
        match self {
            Compare::Exact => current == wanted,
            Compare::Text => current == wanted || text(current) == text(wanted),
        }
    }
}

fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}

/// A desired set of secrets: path (inside the mount) → key/value pairs, plus how to compare.
///
/// Paths are kept without leading or trailing slashes, in sorted order. `Debug` shows paths and
/// key names, never values.
#[derive(Clone, Default)]
pub struct Desired {
    pub(crate) secrets: BTreeMap<String, SecretData>,
    pub(crate) compare: Compare,
}

impl Desired {
    /// An empty set, compared with [`Compare::Exact`].
    pub fn new() -> Self {
        Desired::default()
    }

    /// The same set compared with `compare`.
    pub fn with_compare(mut self, compare: Compare) -> Self {
        self.compare = compare;
        self
    }

    /// Want `data` (a map or struct of key/value pairs) at `path`, replacing what was wanted there
    /// before. An empty path or an empty set of keys is a validation error.
    pub fn insert(&mut self, path: &str, data: impl Serialize) -> Result<(), KvError> {
        let clean = path.trim_matches('/');
        let map = to_object("sync", path, &data)?;
        if clean.is_empty() || map.is_empty() {
            return Err(KvError::validation(
                "sync",
                path,
                "a desired secret needs a non-empty path and at least one key",
            ));
        }
        self.secrets.insert(clean.to_string(), SecretData::new(map));
        Ok(())
    }

    /// How values are compared.
    pub fn compare(&self) -> Compare {
        self.compare
    }

    /// The paths, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.secrets.keys().map(String::as_str)
    }

    /// The desired data at `path`.
    pub fn get(&self, path: &str) -> Option<&SecretData> {
        self.secrets.get(path.trim_matches('/'))
    }

    /// Number of secrets.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// No secrets at all.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

impl fmt::Debug for Desired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Desired")
            .field("secrets", &self.secrets)
            .field("compare", &self.compare)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn debug_shows_paths_and_keys_not_values() {
        let mut d = Desired::new();
        d.insert("/app/db/", json!({"password": "planted-Zq9-value"}))
            .expect("insert");
        let shown = format!("{d:?}");
        assert!(
            shown.contains("app/db") && shown.contains("password"),
            "{shown}"
        );
        assert!(!shown.contains("planted-Zq9-value"), "{shown}");
        assert!(d.get("app/db").is_some());
    }

    #[test]
    fn empty_path_or_keys_are_refused() {
        let mut d = Desired::new();
        assert!(d.insert("/", json!({"k": "v"})).is_err());
        assert!(d.insert("a", json!({})).is_err());
        assert!(d.insert("a", json!(["not", "a", "map"])).is_err());
        assert!(d.is_empty());
    }

    #[test]
    fn text_comparison_equates_numbers_and_their_text() {
        assert!(Compare::Text.same(&json!(5432), &json!("5432")));
        assert!(!Compare::Exact.same(&json!(5432), &json!("5432")));
        assert!(Compare::Exact.same(&json!("a"), &json!("a")));
        assert!(!Compare::Text.same(&json!("a"), &json!("b")));
    }
}
