//! [`AccessPolicy`], [`PolicyRule`] and [`Capability`]: Vault ACL policies as data.
//!
//! The models deserialize from TOML, YAML or JSON files (unknown keys are rejected so a typo is an
//! error, not a silently missing rule), [`AccessPolicy::validate`] checks what Vault would reject or
//! misread, and [`AccessPolicy::to_hcl`] renders the policy text Vault stores
//! (see [`super::policy_hcl`]).
//!
//! ```
//! use vault_core::{AccessPolicy, Capability, PolicyRule};
//! let policy = AccessPolicy::new("dagster-secrets")
//!     .with_rule(PolicyRule::new("secret/data/bike-data-flow/*", [Capability::Read, Capability::List]));
//! policy.validate().expect("valid");
//! assert_eq!(
//!     policy.to_hcl(),
//!     "path \"secret/data/bike-data-flow/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::capability::Capability;
use crate::{VaultError, VaultErrorKind};

/// A `path "…" { … }` block of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyRule {
    /// API path pattern relative to `/v1/` (`*` allowed only at the end, `+` for one segment).
    pub path: String,
    /// What the rule allows (or denies).
    pub capabilities: Vec<Capability>,
    /// Rendered as a `#` comment above the block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Duration string (`"1s"`, `"5m"`) or seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_wrapping_ttl: Option<String>,
    /// Longest response-wrapping TTL allowed (duration string or seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wrapping_ttl: Option<String>,
    /// Parameter name (or `*`) → allowed values (empty = any value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_parameters: Option<BTreeMap<String, Vec<String>>>,
    /// Parameter name (or `*`) → denied values (empty = any value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_parameters: Option<BTreeMap<String, Vec<String>>>,
    /// Parameters a request must send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_parameters: Option<Vec<String>>,
}

/// Record `values` for parameter `name` in an `allowed_parameters` / `denied_parameters` map,
/// creating the map on first use (shared by [`PolicyRule::with_allowed_parameter`] and
/// [`PolicyRule::with_denied_parameter`]).
fn set_parameter<I, S>(
    map: &mut Option<BTreeMap<String, Vec<String>>>,
    name: impl Into<String>,
    values: I,
) where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    map.get_or_insert_with(BTreeMap::new)
        .insert(name.into(), values.into_iter().map(Into::into).collect());
}

impl PolicyRule {
    /// A rule granting `capabilities` on `path`.
    pub fn new(
        path: impl Into<String>,
        capabilities: impl IntoIterator<Item = Capability>,
    ) -> Self {
        PolicyRule {
            path: path.into(),
            capabilities: capabilities.into_iter().collect(),
            description: None,
            min_wrapping_ttl: None,
            max_wrapping_ttl: None,
            allowed_parameters: None,
            denied_parameters: None,
            required_parameters: None,
        }
    }

    /// Sets the `#` comment rendered above the block.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
    /// Sets the shortest response-wrapping TTL allowed.
    pub fn with_min_wrapping_ttl(mut self, ttl: impl Into<String>) -> Self {
        self.min_wrapping_ttl = Some(ttl.into());
        self
    }
    /// Sets the longest response-wrapping TTL allowed.
    pub fn with_max_wrapping_ttl(mut self, ttl: impl Into<String>) -> Self {
        self.max_wrapping_ttl = Some(ttl.into());
        self
    }
    /// Allow parameter `name` with `values` (empty = any value).
    pub fn with_allowed_parameter<I, S>(mut self, name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        set_parameter(&mut self.allowed_parameters, name, values);
        self
    }
    /// Deny parameter `name` with `values` (empty = any value).
    pub fn with_denied_parameter<I, S>(mut self, name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        set_parameter(&mut self.denied_parameters, name, values);
        self
    }
    /// Requires parameter `name` in requests.
    pub fn with_required_parameter(mut self, name: impl Into<String>) -> Self {
        self.required_parameters
            .get_or_insert_with(Vec::new)
            .push(name.into());
        self
    }

    /// Check the rule the way Vault would read it; the error names the path and what to fix.
    pub fn validate(&self) -> Result<(), VaultError> {
        let bad = |message: String, hint: &str| {
            Err(VaultError::new(VaultErrorKind::Validation)
                .with_operation("validate policy rule")
                .with_path(self.path.clone())
                .with_message(message)
                .with_hint(hint.to_string()))
        };
        if self.path.trim().is_empty() {
            return bad(
                "the rule has an empty path".into(),
                "give the API path the rule covers, e.g. `secret/data/app/*`",
            );
        }
        if self.path.starts_with('/') {
            return bad(
                "the path starts with `/`".into(),
                "write paths relative to /v1/ with no leading slash",
            );
        }
        if self.path != self.path.trim() {
            return bad(
                "the path has leading or trailing whitespace".into(),
                "remove the spaces",
            );
        }
        if self.path.chars().any(char::is_control) {
            return bad("the path contains a control character".into(), "remove it");
        }
        if self.path.contains("${") {
            return bad(
                "the path contains `${`, which HCL reads as interpolation".into(),
                "remove it",
            );
        }
        if let Some(pos) = self.path.find('*')
            && pos + 1 != self.path.len()
        {
            return bad(
                "`*` may only be the last character of a path".into(),
                "use `+` to match one whole segment in the middle of a path",
            );
        }
        if self.capabilities.is_empty() {
            return bad(
                "the rule grants no capabilities".into(),
                "list capabilities, or use [\"deny\"] to forbid the path",
            );
        }
        let unique: BTreeSet<_> = self.capabilities.iter().collect();
        if unique.len() != self.capabilities.len() {
            return bad(
                "a capability is listed twice".into(),
                "list each capability once",
            );
        }
        for (name, ttl) in [
            ("min_wrapping_ttl", &self.min_wrapping_ttl),
            ("max_wrapping_ttl", &self.max_wrapping_ttl),
        ] {
            if let Some(ttl) = ttl
                && !is_duration(ttl)
            {
                return bad(
                    format!("{name} `{ttl}` is not a duration"),
                    "use seconds or a Go duration such as `90s`, `5m`, `1h`",
                );
            }
        }
        for texts in [
            self.allowed_parameters
                .iter()
                .flat_map(|m| m.iter().flat_map(|(k, v)| std::iter::once(k).chain(v)))
                .collect::<Vec<_>>(),
            self.denied_parameters
                .iter()
                .flat_map(|m| m.iter().flat_map(|(k, v)| std::iter::once(k).chain(v)))
                .collect(),
            self.required_parameters.iter().flatten().collect(),
        ] {
            if texts
                .iter()
                .any(|t| t.is_empty() || t.contains("${") || t.chars().any(char::is_control))
            {
                return bad(
                    "a parameter name or value is empty or contains a control character or `${`"
                        .into(),
                    "check allowed_parameters, denied_parameters and required_parameters",
                );
            }
        }
        Ok(())
    }
}

/// `"90"`, `"90s"`, `"1h30m"`, `"1.5h"`, `"7d"`: what Vault's `parseutil.ParseDurationSecond` accepts.
fn is_duration(s: &str) -> bool {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let mut rest = s;
    let mut parts = 0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 || rest[..num_len].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h", "d"]
            .into_iter()
            .filter(|u| rest.starts_with(u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
        parts += 1;
    }
    parts > 0
}

/// A named ACL policy: the rules Vault stores at `sys/policies/acl/<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AccessPolicy {
    /// Policy name (as in `sys/policies/acl/<name>`).
    pub name: String,
    /// The path blocks, in order.
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

impl AccessPolicy {
    /// An empty policy called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        AccessPolicy {
            name: name.into(),
            rules: Vec::new(),
        }
    }

    /// Appends a path block.
    pub fn with_rule(mut self, rule: PolicyRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Check the name and every rule; the first problem found is returned.
    pub fn validate(&self) -> Result<(), VaultError> {
        validate_policy_name(&self.name)?;
        if self.rules.is_empty() {
            return Err(VaultError::new(VaultErrorKind::Validation)
                .with_operation("validate policy")
                .with_path(self.name.clone())
                .with_message("the policy has no rules")
                .with_hint("add at least one `path` rule"));
        }
        let mut seen = BTreeSet::new();
        for rule in &self.rules {
            rule.validate()
                .map_err(|e| e.with_operation(format!("validate policy `{}`", self.name)))?;
            if !seen.insert(rule.path.as_str()) {
                return Err(VaultError::new(VaultErrorKind::Validation)
                    .with_operation(format!("validate policy `{}`", self.name))
                    .with_path(rule.path.clone())
                    .with_message("the path has two rules")
                    .with_hint("merge them into one rule"));
            }
        }
        Ok(())
    }
}

/// A policy name must fit in one URL segment and not be a built-in Vault refuses to change.
pub(crate) fn validate_policy_name(name: &str) -> Result<(), VaultError> {
    let bad = |message: &str, hint: &str| {
        Err(VaultError::new(VaultErrorKind::Validation)
            .with_operation("validate policy name")
            .with_path(name.to_string())
            .with_message(message.to_string())
            .with_hint(hint.to_string()))
    };
    if name.is_empty() {
        return bad(
            "the policy name is empty",
            "name the policy, e.g. `app-read`",
        );
    }
    if name.contains('/') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad(
            "the policy name contains `/`, whitespace or a control character",
            "use letters, digits, `-`, `_` and `.`",
        );
    }
    if name == "root" {
        return bad(
            "`root` is built in and cannot be changed",
            "choose another name",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_text(r: Result<(), VaultError>) -> String {
        match r {
            Ok(()) => panic!("expected a validation error"),
            Err(e) => {
                assert_eq!(e.kind(), VaultErrorKind::Validation);
                e.to_string()
            }
        }
    }

    #[test]
    fn rule_validation_names_the_problem() {
        let r = |p: &str| PolicyRule::new(p, [Capability::Read]);
        assert!(err_text(r("").validate()).contains("empty path"));
        assert!(err_text(r("/secret/x").validate()).contains("starts with `/`"));
        assert!(err_text(r("secret/*/x").validate()).contains("last character"));
        assert!(err_text(r("a\nb").validate()).contains("control character"));
        assert!(err_text(r("a/${x}").validate()).contains("interpolation"));
        assert!(err_text(PolicyRule::new("a", []).validate()).contains("no capabilities"));
        assert!(
            err_text(PolicyRule::new("a", [Capability::Read, Capability::Read]).validate())
                .contains("twice")
        );
        assert!(
            err_text(r("a").with_max_wrapping_ttl("soon").validate())
                .contains("`soon` is not a duration")
        );
        assert!(
            err_text(r("a").with_allowed_parameter("", ["x"]).validate()).contains("parameter")
        );
        r("secret/+/team-*")
            .validate()
            .expect("glob and plus are fine");
        r("identity/entity/id/{{identity.entity.id}}")
            .validate()
            .expect("templating is fine");
        r("a")
            .with_min_wrapping_ttl("1s")
            .with_max_wrapping_ttl("1h30m")
            .validate()
            .expect("durations");
        r("a")
            .with_max_wrapping_ttl("90")
            .validate()
            .expect("seconds");
    }

    #[test]
    fn policy_validation() {
        assert!(err_text(AccessPolicy::new("").validate()).contains("name is empty"));
        assert!(err_text(AccessPolicy::new("a/b").validate()).contains("`/`"));
        assert!(err_text(AccessPolicy::new("root").validate()).contains("built in"));
        assert!(err_text(AccessPolicy::new("p").validate()).contains("no rules"));
        let dup = AccessPolicy::new("p")
            .with_rule(PolicyRule::new("a", [Capability::Read]))
            .with_rule(PolicyRule::new("a", [Capability::List]));
        assert!(err_text(dup.validate()).contains("two rules"));
        let bad_rule = AccessPolicy::new("p").with_rule(PolicyRule::new("", [Capability::Read]));
        assert!(err_text(bad_rule.validate()).contains("validate policy `p`"));
    }

    #[test]
    fn deserializes_from_json_and_rejects_typos() {
        let json = r#"{"name":"dagster-secrets","rules":[{"path":"secret/data/bike-data-flow/*",
            "capabilities":["read","list"],"allowed_parameters":{"foo":["a"]}}]}"#;
        let p: AccessPolicy = serde_json::from_str(json).expect("valid");
        assert_eq!(
            p.rules[0].capabilities,
            vec![Capability::Read, Capability::List]
        );
        assert_eq!(
            p.rules[0].allowed_parameters.as_ref().map(|m| m.len()),
            Some(1)
        );
        p.validate().expect("valid");

        let typo = r#"{"name":"x","rules":[{"path":"a","capabilites":["read"]}]}"#;
        assert!(serde_json::from_str::<AccessPolicy>(typo).is_err());
        let unknown_cap = r#"{"name":"x","rules":[{"path":"a","capabilities":["reed"]}]}"#;
        let e = serde_json::from_str::<AccessPolicy>(unknown_cap)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("reed"), "{e}");
    }

    #[test]
    fn policies_can_live_in_toml_and_yaml_files() {
        let toml_text = r#"
name = "dagster-secrets"

[[rules]]
path = "secret/data/bike-data-flow/*"
capabilities = ["read", "list"]
description = "pipeline secrets"

[[rules]]
path = "sys/wrapping/wrap"
capabilities = ["update"]
max_wrapping_ttl = "90s"
allowed_parameters = { "*" = [] }
"#;
        let yaml_text = r#"
name: dagster-secrets
rules:
  - path: secret/data/bike-data-flow/*
    capabilities: [read, list]
    description: pipeline secrets
  - path: sys/wrapping/wrap
    capabilities: [update]
    max_wrapping_ttl: 90s
    allowed_parameters:
      "*": []
"#;
        let from_toml: AccessPolicy = toml::from_str(toml_text).expect("toml");
        let from_yaml: AccessPolicy = serde_norway::from_str(yaml_text).expect("yaml");
        assert_eq!(from_toml, from_yaml);
        from_toml.validate().expect("valid");
        let back: AccessPolicy =
            toml::from_str(&toml::to_string(&from_toml).expect("to toml")).expect("round trip");
        assert_eq!(back, from_toml);
        let bad = "name: x\nrules:\n  - path: a\n    capabilities: [raed]\n";
        let e = serde_norway::from_str::<AccessPolicy>(bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("raed"), "{e}");
    }

    #[test]
    fn durations() {
        for ok in ["1", "90s", "5m", "1h30m", "1.5h", "100ms", "7d"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "s", "5 m", "5w", "-1s", "1h-"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
