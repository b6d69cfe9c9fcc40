//! Diagnostics on stderr: the libraries' `tracing` events (token renewal failed, a request was
//! retried, a stale cached value was served, …), off unless asked for.
//!
//! - `-v`: warnings and information from vaultkit's crates; `-vv` adds debug events, `-vvv`
//!   traces. Other crates (HTTP, TLS) only show their warnings.
//! - `VAULTKIT_LOG`: a filter in `tracing-subscriber`'s `EnvFilter` syntax
//!   (`vault_core=debug,warn`); it replaces what `-v` chose.
//!
//! Events carry paths, operations, statuses and error messages, never secret values or tokens
//! (each library's invariant).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::error::{CliError, CliResult};

/// The environment variable holding a filter.
pub(crate) const LOG_ENV: &str = "VAULTKIT_LOG";

const OUR_CRATES: [&str; 5] = [
    "vault_core",
    "vault_kv",
    "vault_audit",
    "vault_migrate",
    "vault_cli",
];

/// The filter for `verbose` (`-v` count) and the value of `VAULTKIT_LOG`, if any; `None`: no
/// subscriber at all.
fn filter(verbose: u8, env: Option<&str>) -> CliResult<Option<EnvFilter>> {
    if let Some(spec) = env.map(str::trim).filter(|s| !s.is_empty()) {
        return EnvFilter::try_new(spec).map(Some).map_err(|e| {
            CliError::usage(format!("{LOG_ENV} is not a valid log filter: {e}"))
                .with_hint("e.g. VAULTKIT_LOG=warn or VAULTKIT_LOG=vault_core=debug,warn")
        });
    }
    let level = match verbose {
        0 => return Ok(None),
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let mut spec = String::from("warn");
    for krate in OUR_CRATES {
        spec.push_str(&format!(",{krate}={level}"));
    }
    EnvFilter::try_new(&spec)
        .map(Some)
        .map_err(|e| CliError::other(format!("internal log filter `{spec}`: {e}")))
}

/// Install the stderr subscriber when `-v` or `VAULTKIT_LOG` asks for one.
pub(crate) fn init(verbose: u8, no_color: bool) -> CliResult<()> {
    let env = std::env::var(LOG_ENV).ok();
    let Some(filter) = filter(verbose, env.as_deref())? else {
        return Ok(());
    };
    let ansi =
        !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    // A second init (the library entry point called twice in one process) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .without_time()
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_and_levels_by_count() {
        assert!(filter(0, None).expect("ok").is_none());
        assert!(filter(0, Some("  ")).expect("ok").is_none());
        let one = filter(1, None).expect("ok").expect("some").to_string();
        assert!(
            one.contains("vault_core=info") && one.contains("warn"),
            "{one}"
        );
        let two = filter(2, None).expect("ok").expect("some").to_string();
        assert!(two.contains("vault_kv=debug"), "{two}");
    }

    #[test]
    fn the_environment_wins_and_bad_filters_are_usage_errors() {
        let f = filter(3, Some("vault_core=debug"))
            .expect("ok")
            .expect("some");
        assert_eq!(f.to_string(), "vault_core=debug");
        let e = filter(0, Some("vault_core=loud")).expect_err("invalid");
        assert_eq!(e.kind().code(), 2, "{e}");
    }
}
