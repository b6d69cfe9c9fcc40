//! Which variables secrets may set, shared by `env` and `exec`.
//!
//! Whoever can write a secret chooses its keys, and keys become variable names. So, by default:
//! - a name that changes how programs load or run ([`sensitive_rule`]: `LD_*`, `PATH`,
//!   `BASH_ENV`, `PYTHON*`, `NODE_OPTIONS`, `VAULT_*`, …) is refused unless the user lists it with
//!   `--allow-env NAME`;
//! - a secret never replaces a variable that is already set (for `exec`: in the child's
//!   inherited environment; for `env`: in the environment of the shell that will source it)
//!   unless `--override`;
//! - `exec`'s child does not inherit vaultkit's own credentials ([`CREDENTIAL_VARS`]) unless
//!   `--pass-token`;
//! - a value with a NUL byte is refused (no environment variable can hold one).
//!
//! Errors name the variable and the flag to use, never the value.

use vault_core::SecretString;

use crate::args::secrets::EnvRules;
use crate::error::{CliError, CliResult};
use crate::quote::check_env_value;

/// vaultkit's own credentials: removed from `exec`'s child unless `--pass-token`.
pub(crate) const CREDENTIAL_VARS: &[&str] = &[
    "VAULT_TOKEN",
    "VAULT_SECRET_ID",
    "VAULT_ROLE_ID",
    "BAO_TOKEN",
    "BAO_SECRET_ID",
    "BAO_ROLE_ID",
    "VAULTKIT_DEV_ROOT_TOKEN",
];

/// Exact names that change how a program or a shell loads or runs.
const SENSITIVE_NAMES: &[&str] = &[
    "PATH",
    "BASH_ENV",
    "ENV",
    "NODE_OPTIONS",
    "NODE_PATH",
    "RUBYOPT",
    "RUBYLIB",
    "IFS",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "GCONV_PATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
];

/// Name prefixes that change how a program loads or runs (and vaultkit's own configuration).
const SENSITIVE_PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "PYTHON",
    "PERL5",
    "BASH_FUNC_",
    "VAULT_",
    "BAO_",
    "VAULTKIT_",
];

/// The rule that makes `name` sensitive (`"LD_*"`, `"PATH"`, …), compared case-insensitively, or
/// `None` for an ordinary name.
pub(crate) fn sensitive_rule(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    if let Some(exact) = SENSITIVE_NAMES.iter().find(|n| **n == upper) {
        return Some((*exact).to_string());
    }
    SENSITIVE_PREFIXES
        .iter()
        .find(|p| upper.starts_with(*p))
        .map(|p| format!("{p}*"))
}

/// Check the secrets about to be handed over against the rules; `inherited` says whether a
/// variable is already set where the secrets will land.
pub(crate) fn check(
    vars: &[(String, SecretString)],
    rules: &EnvRules,
    inherited: impl Fn(&str) -> bool,
) -> CliResult<()> {
    for (name, value) in vars {
        if let Err(why) = check_env_value(value.expose()) {
            return Err(CliError::validation(format!(
                "the value of secret variable `{name}` {why}"
            ))
            .with_hint("fix the secret in Vault"));
        }
        if let Some(rule) = sensitive_rule(name)
            && !rules.allow_env.iter().any(|a| a == name)
        {
            return Err(CliError::usage(format!(
                "secret variable `{name}` matches `{rule}`, a name that changes how programs \
                 load or run (or vaultkit's own settings); it was not set"
            ))
            .with_hint(format!(
                "pass --allow-env {name} if this secret is meant to set it, or rename it with \
                 NAME=PATH#KEY or --prefix"
            )));
        }
        if !rules.override_inherited && inherited(name) {
            return Err(CliError::usage(format!(
                "secret variable `{name}` would replace the `{name}` that is already set"
            ))
            .with_hint(
                "pass --override to let secrets replace set variables, or rename it with \
                 NAME=PATH#KEY or --prefix",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allow: &[&str], override_inherited: bool) -> EnvRules {
        EnvRules {
            allow_env: allow.iter().map(|s| s.to_string()).collect(),
            override_inherited,
        }
    }

    fn one(name: &str, value: &str) -> Vec<(String, SecretString)> {
        vec![(name.to_string(), SecretString::from(value.to_string()))]
    }

    #[test]
    fn loader_names_are_refused_unless_allowed() {
        for name in [
            "LD_PRELOAD",
            "ld_preload",
            "DYLD_INSERT_LIBRARIES",
            "PATH",
            "BASH_ENV",
            "ENV",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "PERL5OPT",
            "RUBYOPT",
            "VAULT_ADDR",
            "BAO_TOKEN",
        ] {
            let err =
                check(&one(name, "/tmp/evil.so"), &rules(&[], false), |_| false).expect_err(name);
            let text = err.to_string();
            assert!(
                text.contains(name) && text.contains("--allow-env"),
                "{text}"
            );
            assert!(!text.contains("evil"), "never the value: {text}");
            check(&one(name, "x"), &rules(&[name], false), |_| false).expect("allowed");
        }
        check(&one("DB_PASSWORD", "x"), &rules(&[], false), |_| false).expect("ordinary");
    }

    #[test]
    fn set_variables_are_not_replaced_unless_override() {
        let err =
            check(&one("HOME", "/tmp"), &rules(&[], false), |n| n == "HOME").expect_err("refused");
        assert!(err.to_string().contains("--override"), "{err}");
        check(&one("HOME", "/tmp"), &rules(&[], true), |n| n == "HOME").expect("override");
    }

    #[test]
    fn nul_is_refused_without_showing_the_value() {
        let err = check(&one("A", "top\0secret"), &rules(&[], false), |_| false).expect_err("nul");
        assert!(err.to_string().contains("NUL") && !err.to_string().contains("top"));
    }
}
