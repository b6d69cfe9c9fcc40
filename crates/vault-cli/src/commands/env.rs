//! `vaultkit env`: print secrets as `NAME=value` lines (dotenv, `export` for POSIX shells, or a
//! JSON object), to stdout or with `-o FILE` to an owner-only file. This command prints secret
//! values by design; see [`crate::quote`] for quoting (nothing it writes runs when sourced) and
//! [`super::env_rules`] for which names secrets may set.

use serde_json::{Map, Value};

use super::{Ctx, env_rules};
use crate::args::secrets::EnvArgs;
use crate::error::{CliError, CliResult};
use crate::quote;

pub(crate) async fn run(ctx: &Ctx, args: &EnvArgs) -> CliResult<()> {
    let format = ctx.format_flag().unwrap_or("dotenv").to_ascii_lowercase();
    if !matches!(format.as_str(), "dotenv" | "export" | "json") {
        return Err(CliError::usage(format!("env cannot write `{format}`"))
            .with_hint("use --format dotenv, export or json"));
    }
    let client = ctx.client()?;
    let vars = super::secrets::resolve(&client, &args.selection).await?;
    // The output is meant to be sourced into the shell that runs vaultkit: its variables are the
    // ones a secret would replace.
    env_rules::check(&vars, &args.rules, |name| std::env::var_os(name).is_some())?;
    let text = match format.as_str() {
        "json" => {
            let map: Map<String, Value> = vars
                .iter()
                .map(|(n, v)| (n.clone(), Value::String(v.expose().to_string())))
                .collect();
            format!("{}\n", crate::output::to_json(&Value::Object(map))?)
        }
        "export" => lines(&vars, quote::shell_export)?,
        _ => {
            let text = lines(&vars, quote::dotenv)?;
            for (name, value) in &vars {
                if quote::python_dotenv_expands(value.expose()) {
                    ctx.out().info(&format!(
                        "warning: the value of `{name}` holds `${{…}}`, which python-dotenv expands \
                         unless it reads with interpolate=False (dotenvy and sh keep it as is)"
                    ));
                }
            }
            text
        }
    };
    ctx.out().write_to(args.output.as_deref(), &text)
}

/// One quoted line per variable; a value the format cannot carry is an error naming the variable.
fn lines(
    vars: &[(String, vault_core::SecretString)],
    quote: fn(&str, &str) -> Result<String, quote::DotenvError>,
) -> CliResult<String> {
    let mut text = String::new();
    for (name, value) in vars {
        let line = quote(name, value.expose()).map_err(|why| {
            CliError::validation(format!("the value of secret variable `{name}` {why}"))
                .with_hint("use --format export or json for this secret")
        })?;
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text)
}
