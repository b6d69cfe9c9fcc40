//! Accept Vault's single-dash long options: `-mount=secret`, `-format json`, `-field=password`.
//!
//! Vault's CLI (Go's `flag` package) takes `-name` and `--name` alike, and people's fingers and
//! scripts are used to it. clap only knows `--name`, so before parsing, an argument `-name` or
//! `-name=value` whose `name` is one of vaultkit's long options becomes `--name…`. Nothing after a
//! bare `--` is touched (that is `exec`'s child command line), nor values that merely start with a
//! dash: only exact option names are rewritten.

use std::ffi::OsString;

/// Collect every long option name of the command tree.
fn long_names(cmd: &clap::Command, out: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        if let Some(long) = arg.get_long() {
            out.push(long.to_string());
        }
    }
    for sub in cmd.get_subcommands() {
        long_names(sub, out);
    }
}

/// Rewrite `-name[=v]` to `--name[=v]` for known long option names.
pub(crate) fn normalize(args: Vec<OsString>, cmd: &clap::Command) -> Vec<OsString> {
    let mut names = vec!["help".to_string(), "version".to_string()];
    long_names(cmd, &mut names);
    let mut out = Vec::with_capacity(args.len());
    let mut passthrough = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 || passthrough {
            out.push(arg);
            continue;
        }
        let Some(s) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if s == "--" {
            passthrough = true;
            out.push(arg);
            continue;
        }
        let rewritten = s
            .strip_prefix('-')
            .filter(|rest| !rest.starts_with('-'))
            .and_then(|rest| {
                let name = rest.split_once('=').map_or(rest, |(n, _)| n);
                (name.len() > 1 && names.iter().any(|n| n == name)).then(|| format!("--{rest}"))
            });
        out.push(rewritten.map_or(arg, OsString::from));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> clap::Command {
        clap::Command::new("t")
            .arg(clap::Arg::new("mount").long("mount"))
            .arg(
                clap::Arg::new("quiet")
                    .short('q')
                    .long("quiet")
                    .action(clap::ArgAction::SetTrue),
            )
            .arg(
                clap::Arg::new("rest")
                    .num_args(0..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true),
            )
    }

    fn run(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        normalize(args, &cmd())
            .into_iter()
            .map(|a| a.into_string().unwrap_or_default())
            .collect()
    }

    #[test]
    fn rewrites_known_single_dash_long_options() {
        assert_eq!(
            run(&["t", "-mount=secret", "-quiet", "-q"]),
            ["t", "--mount=secret", "--quiet", "-q"]
        );
    }

    #[test]
    fn leaves_unknown_values_and_exec_args_alone() {
        assert_eq!(
            run(&["t", "-", "-x", "-mountain", "--", "-mount"]),
            ["t", "-", "-x", "-mountain", "--", "-mount"]
        );
    }
}
