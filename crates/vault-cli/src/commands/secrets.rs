//! Resolving `--secret` selections (`NAME=MOUNT/path#key`, `NAME=MOUNT/path`, `MOUNT/path`) into
//! environment variables, shared by `env` and `exec`.
//!
//! Each secret is read once however many selections name it. Values stay in [`SecretString`]s.

use std::collections::BTreeMap;

use serde_json::Value;
use vault_core::{SecretString, VaultClient};
use vault_kv::KvExt;

use super::kv::{KvLocation, kv_error};
use crate::args::kv::KvPath;
use crate::args::secrets::SecretSelection;
use crate::error::{CliError, CliResult};
use crate::quote::{env_name, is_env_name};

/// One `--secret` argument, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// Explicit variable name (or prefix when no key is given).
    pub name: Option<String>,
    pub target: KvLocation,
    pub key: Option<String>,
}

impl Spec {
    pub(crate) fn parse(raw: &str, mount: Option<&str>) -> CliResult<Spec> {
        let (name, rest) = match raw.split_once('=') {
            Some((n, r)) => (Some(n.to_string()), r),
            None => (None, raw),
        };
        if let Some(n) = &name
            && !is_env_name(n)
        {
            return Err(CliError::usage(format!(
                "`{n}` in --secret `{raw}` is not a valid variable name"
            ))
            .with_hint("use letters, digits and `_`, not starting with a digit"));
        }
        let (path, key) = match rest.split_once('#') {
            Some((p, k)) if !k.is_empty() => (p, Some(k.to_string())),
            Some(_) => {
                return Err(CliError::usage(format!(
                    "--secret `{raw}` has an empty key after `#`"
                )));
            }
            None => (rest, None),
        };
        let target = KvLocation::of(&KvPath {
            path: path.to_string(),
            mount: mount.map(str::to_string),
        })?;
        Ok(Spec { name, target, key })
    }
}

/// Read the selected secrets: (variable name, value) in selection order; later names win.
pub(crate) async fn resolve(
    client: &VaultClient,
    sel: &SecretSelection,
) -> CliResult<Vec<(String, SecretString)>> {
    let specs: Vec<Spec> = sel
        .secrets
        .iter()
        .map(|s| Spec::parse(s, sel.mount.as_deref()))
        .collect::<CliResult<_>>()?;
    let mut read: BTreeMap<(String, String), serde_json::Map<String, Value>> = BTreeMap::new();
    for s in &specs {
        let id = (s.target.mount.clone(), s.target.path.clone());
        if let std::collections::btree_map::Entry::Vacant(slot) = read.entry(id) {
            let secret = client
                .kv(&s.target.mount)
                .get(&s.target.path)
                .await
                .map_err(kv_error)?;
            slot.insert(secret.data.expose().clone());
        }
    }
    let prefix = sel.prefix.clone().unwrap_or_default();
    if !prefix.is_empty() && !is_env_name(&prefix) {
        return Err(CliError::usage(format!(
            "--prefix `{prefix}` is not a valid start of a variable name"
        )));
    }
    let mut out: Vec<(String, SecretString)> = Vec::new();
    let mut push = |name: String, value: &Value| {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.retain(|(n, _)| *n != name);
        out.push((name, SecretString::from(text)));
    };
    for s in &specs {
        let data = &read[&(s.target.mount.clone(), s.target.path.clone())];
        match &s.key {
            Some(k) => {
                let value = data.get(k).ok_or_else(|| {
                    let keys: Vec<&str> = data.keys().map(String::as_str).collect();
                    CliError::not_found(format!("secret `{}` has no key `{k}`", s.target.display()))
                        .with_hint(format!("its keys are: {}", keys.join(", ")))
                })?;
                let name = s.name.clone().unwrap_or_else(|| env_name(&[k]));
                push(format!("{prefix}{name}"), value);
            }
            None => {
                for (k, v) in data {
                    let name = match &s.name {
                        Some(n) => format!("{n}_{}", env_name(&[k])),
                        None => env_name(&[k]),
                    };
                    push(format!("{prefix}{name}"), v);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let s = Spec::parse("DB_PASSWORD=secret/app/db#password", None).expect("valid");
        assert_eq!(s.name.as_deref(), Some("DB_PASSWORD"));
        assert_eq!(s.target.display(), "secret/app/db");
        assert_eq!(s.key.as_deref(), Some("password"));
        let s = Spec::parse("app/api", Some("kv")).expect("valid");
        assert_eq!(
            (s.name, s.target.display(), s.key),
            (None, "kv/app/api".to_string(), None)
        );
        assert_eq!(
            Spec::parse("1X=secret/a#b", None).map_err(|e| e.kind().code()),
            Err(2)
        );
        assert_eq!(
            Spec::parse("X=secret/a#", None).map_err(|e| e.kind().code()),
            Err(2)
        );
        assert_eq!(
            Spec::parse("X=secret", None).map_err(|e| e.kind().code()),
            Err(2)
        );
    }
}
