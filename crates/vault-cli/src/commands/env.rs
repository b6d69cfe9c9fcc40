//! `vaultkit env`: print secrets as `NAME=value` lines (dotenv, `export` for POSIX shells, or a
//! JSON object). This command prints secret values by design; see [`crate::quote`] for quoting.

use serde_json::{Map, Value};

use super::Ctx;
use crate::args::secrets::EnvArgs;
use crate::error::{CliError, CliResult};
use crate::quote;

pub async fn run(ctx: &Ctx, args: &EnvArgs) -> CliResult<()> {
    let format = ctx.format_flag().unwrap_or("dotenv").to_ascii_lowercase();
    if !matches!(format.as_str(), "dotenv" | "export" | "json") {
        return Err(CliError::usage(format!("env cannot write `{format}`"))
            .with_hint("use --format dotenv, export or json"));
    }
    let client = ctx.client()?;
    let vars = super::secrets::resolve(&client, &args.selection).await?;
    let text = match format.as_str() {
        "json" => {
            let map: Map<String, Value> = vars
                .iter()
                .map(|(n, v)| (n.clone(), Value::String(v.expose().to_string())))
                .collect();
            format!("{}\n", crate::output::to_json(&Value::Object(map))?)
        }
        "export" => vars
            .iter()
            .map(|(n, v)| quote::shell_export(n, v.expose()) + "\n")
            .collect(),
        _ => vars
            .iter()
            .map(|(n, v)| quote::dotenv(n, v.expose()) + "\n")
            .collect(),
    };
    ctx.out().write(&text)
}
