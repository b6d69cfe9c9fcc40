//! Render an [`AccessPolicy`] as the HCL text Vault stores and parses
//! ([policy syntax](https://developer.hashicorp.com/vault/docs/concepts/policies#policy-syntax)).
//!
//! Output shape (two-space indent, one blank line between blocks, keys in a fixed order, parameter
//! maps sorted by name, strings quoted with `\` and `"` escaped):
//!
//! ```hcl
//! # description, one comment line per line
//! path "secret/data/app/*" {
//!   capabilities = ["read", "list"]
//!   min_wrapping_ttl = "1s"
//!   max_wrapping_ttl = "90s"
//!   required_parameters = ["a"]
//!   allowed_parameters = {
//!     "*" = []
//!     "foo" = ["zip", "zap"]
//!   }
//!   denied_parameters = {
//!     "bar" = []
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;

use super::policy::{AccessPolicy, PolicyRule};

impl AccessPolicy {
    /// The policy as Vault HCL (rendered here, the one place HCL is written). Call
    /// [`validate`](AccessPolicy::validate) first.
    pub fn to_hcl(&self) -> String {
        render(self)
    }
}

/// The HCL text of `policy` (not validated here: call [`AccessPolicy::validate`] first).
pub(crate) fn render(policy: &AccessPolicy) -> String {
    let blocks: Vec<String> = policy.rules.iter().map(render_rule).collect();
    blocks.join("\n")
}

/// One `path "…" { … }` block, ending in a newline.
pub(crate) fn render_rule(rule: &PolicyRule) -> String {
    let mut out = String::new();
    if let Some(description) = &rule.description {
        for line in description.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {line}");
            }
        }
    }
    let _ = writeln!(out, "path {} {{", quote(&rule.path));
    let caps: Vec<&str> = rule.capabilities.iter().map(|c| c.as_str()).collect();
    let _ = writeln!(out, "  capabilities = {}", list(caps));
    if let Some(ttl) = &rule.min_wrapping_ttl {
        let _ = writeln!(out, "  min_wrapping_ttl = {}", quote(ttl));
    }
    if let Some(ttl) = &rule.max_wrapping_ttl {
        let _ = writeln!(out, "  max_wrapping_ttl = {}", quote(ttl));
    }
    if let Some(required) = &rule.required_parameters {
        let _ = writeln!(
            out,
            "  required_parameters = {}",
            list(required.iter().map(String::as_str))
        );
    }
    if let Some(allowed) = &rule.allowed_parameters {
        write_map(&mut out, "allowed_parameters", allowed);
    }
    if let Some(denied) = &rule.denied_parameters {
        write_map(&mut out, "denied_parameters", denied);
    }
    out.push_str("}\n");
    out
}

fn write_map(out: &mut String, key: &str, map: &BTreeMap<String, Vec<String>>) {
    let _ = writeln!(out, "  {key} = {{");
    for (name, values) in map {
        let _ = writeln!(
            out,
            "    {} = {}",
            quote(name),
            list(values.iter().map(String::as_str))
        );
    }
    out.push_str("  }\n");
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(quote).collect();
    format!("[{}]", quoted.join(", "))
}

/// An HCL double-quoted string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Capability::*;

    #[test]
    fn single_rule_golden() {
        let p = AccessPolicy::new("dagster-secrets").with_rule(PolicyRule::new(
            "secret/data/bike-data-flow/*",
            [Read, List],
        ));
        assert_eq!(
            p.to_hcl(),
            "path \"secret/data/bike-data-flow/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
        );
    }

    #[test]
    fn several_rules_with_every_option_golden() {
        let p = AccessPolicy::new("app")
            .with_rule(
                PolicyRule::new("secret/data/app/*", [Create, Read, Update, Patch, Delete])
                    .with_description("App secrets.\n\nOwned by the data team."),
            )
            .with_rule(PolicyRule::new("secret/data/app/locked", [Deny]))
            .with_rule(
                PolicyRule::new("sys/wrapping/wrap", [Update])
                    .with_min_wrapping_ttl("1s")
                    .with_max_wrapping_ttl("90s")
                    .with_required_parameter("bar")
                    .with_allowed_parameter("foo", ["zip", "zap"])
                    .with_allowed_parameter("*", Vec::<String>::new())
                    .with_denied_parameter("bar", Vec::<String>::new()),
            );
        let want = r#"# App secrets.
#
# Owned by the data team.
path "secret/data/app/*" {
  capabilities = ["create", "read", "update", "patch", "delete"]
}

path "secret/data/app/locked" {
  capabilities = ["deny"]
}

path "sys/wrapping/wrap" {
  capabilities = ["update"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "90s"
  required_parameters = ["bar"]
  allowed_parameters = {
    "*" = []
    "foo" = ["zip", "zap"]
  }
  denied_parameters = {
    "bar" = []
  }
}
"#;
        assert_eq!(p.to_hcl(), want);
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(
            quote(r#"secret/data/"odd"\name"#),
            r#""secret/data/\"odd\"\\name""#
        );
        assert_eq!(quote("a\nb\tc"), r#""a\nb\tc""#);
        let p = AccessPolicy::new("p").with_rule(PolicyRule::new(r#"kv/x"y"#, [Read]));
        assert_eq!(
            p.to_hcl(),
            "path \"kv/x\\\"y\" {\n  capabilities = [\"read\"]\n}\n"
        );
    }

    #[test]
    fn templated_paths_pass_through() {
        let rule = PolicyRule::new("identity/entity/id/{{identity.entity.id}}", [Read]);
        assert_eq!(
            render_rule(&rule),
            "path \"identity/entity/id/{{identity.entity.id}}\" {\n  capabilities = [\"read\"]\n}\n"
        );
    }
}
