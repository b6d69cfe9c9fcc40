//! `vaultkit login`: exchange credentials for a token; store it in `~/.vault-token` only with
//! `--store`.
//!
//! Credentials never come from argv: a token from stdin or VAULT_TOKEN, an AppRole secret id from
//! a file, VAULT_SECRET_ID or stdin, a Kubernetes JWT from its file. The token itself is printed
//! only when asked for (`--field token`).

use std::io::{IsTerminal, Read};
use std::sync::Arc;

use serde_json::{Value, json};
use vault_core::{
    AppRoleAuth, AuthMethod, AuthToken, KubernetesAuth, SecretString, TokenAuth, VaultClient,
};

use super::Ctx;
use crate::args::ops::{LoginArgs, LoginMethod};
use crate::config::{read_secret_file, token_file};
use crate::error::{CliError, CliResult, ExitKind};
use crate::output::Table;

pub(crate) async fn run(ctx: &Ctx, args: &LoginArgs) -> CliResult<()> {
    let probe = ctx.settings.unauthenticated_client()?;
    let namespace = ctx.settings.connection.namespace.as_deref();
    let auth: Arc<dyn AuthMethod> = match args.method {
        LoginMethod::Token => Arc::new(TokenAuth::new(read_token()?)),
        LoginMethod::Approle => {
            let role_id = args
                .role_id
                .clone()
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    CliError::usage("AppRole login needs a role id")
                        .with_hint("pass --role-id or set VAULT_ROLE_ID")
                })?;
            let secret = read_secret_id(args)?;
            Arc::new(
                AppRoleAuth::new(role_id, secret)
                    .with_mount(args.path.clone().unwrap_or_else(|| "approle".into())),
            )
        }
        LoginMethod::Kubernetes => {
            let role = args.role.clone().ok_or_else(|| {
                CliError::usage("Kubernetes login needs a role").with_hint("pass --role NAME")
            })?;
            let mut k = KubernetesAuth::new(role)
                .with_mount(args.path.clone().unwrap_or_else(|| "kubernetes".into()));
            if let Some(p) = &args.jwt_path {
                k = k.with_jwt_path(p);
            }
            Arc::new(k)
        }
    };
    let token = auth.login(probe.transport().as_ref(), namespace).await?;
    // Ask the server who the token is: proves it works and gives policies and TTL for every method.
    let info = lookup_self(ctx, &token.token).await?;
    if args.store {
        let path = token_file::default_path().ok_or_else(|| {
            CliError::usage("cannot store the token: HOME is not set").with_hint("set HOME")
        })?;
        token_file::write(&path, &token.token)?;
        ctx.out()
            .info(&format!("Token stored in {} (mode 0600).", path.display()));
    }
    print(ctx, args, &token, &info)
}

fn print(ctx: &Ctx, args: &LoginArgs, token: &AuthToken, info: &Value) -> CliResult<()> {
    let mut value = json!({
        "method": auth_name(args.method),
        "token_accessor": info.get("accessor").cloned().or(token.accessor.clone().map(Value::String)),
        "token_policies": info.get("policies").cloned().unwrap_or_else(|| json!(token.policies)),
        "token_ttl": info.get("ttl").cloned(),
        "token_renewable": info.get("renewable").cloned().unwrap_or(Value::Bool(token.renewable)),
        "display_name": info.get("display_name").cloned(),
        "stored": args.store,
    });
    // The token is printed only when explicitly asked for.
    if ctx.global.field.as_deref() == Some("token") {
        value["token"] = Value::String(token.token.expose().to_string());
    }
    ctx.out().info("Success! You are now authenticated.");
    ctx.out().print(&value, || {
        let mut t = Table::key_value([(
            "token",
            if args.store {
                "(stored in ~/.vault-token)"
            } else {
                "(hidden: use --field token or --store)"
            }
            .to_string(),
        )]);
        for k in [
            "token_accessor",
            "token_ttl",
            "token_renewable",
            "token_policies",
            "display_name",
        ] {
            if !value[k].is_null() {
                t.push([k.to_string(), crate::output::cell(&value[k])]);
            }
        }
        t
    })
}

fn auth_name(m: LoginMethod) -> &'static str {
    match m {
        LoginMethod::Token => "token",
        LoginMethod::Approle => "approle",
        LoginMethod::Kubernetes => "kubernetes",
    }
}

async fn lookup_self(ctx: &Ctx, token: &SecretString) -> CliResult<Value> {
    let mut c = ctx.settings.connection.clone();
    c.auth_method = vault_core::AuthMethodKind::Token;
    c.token = Some(token.clone());
    let client = VaultClient::from_config(&c)?;
    let env = client.read("auth/token/lookup-self").await?;
    Ok(env.and_then(|e| e.data).unwrap_or(Value::Null))
}

/// The token for `--method token`: stdin when it is piped, else VAULT_TOKEN.
fn read_token() -> CliResult<SecretString> {
    if !std::io::stdin().is_terminal() {
        let t = read_stdin_secret("token")?;
        if !t.is_empty() {
            return Ok(t);
        }
    }
    match std::env::var("VAULT_TOKEN") {
        Ok(t) if !t.trim().is_empty() => Ok(SecretString::from(t.trim().to_string())),
        _ => Err(
            CliError::new(ExitKind::Permission, "no token to log in with").with_hint(
                "pipe it in: `printf '%s' \"$TOKEN\" | vaultkit login --store`, or set VAULT_TOKEN",
            ),
        ),
    }
}

fn read_secret_id(args: &LoginArgs) -> CliResult<SecretString> {
    match &args.secret_id_file {
        Some(p) if p.as_os_str() == "-" => read_stdin_secret("secret id"),
        Some(p) => read_secret_file(p),
        None => match std::env::var("VAULT_SECRET_ID") {
            Ok(s) if !s.is_empty() => Ok(SecretString::from(s)),
            _ if !std::io::stdin().is_terminal() => {
                let s = read_stdin_secret("secret id")?;
                if s.is_empty() {
                    Err(no_secret_id())
                } else {
                    Ok(s)
                }
            }
            _ => Err(no_secret_id()),
        },
    }
}

fn no_secret_id() -> CliError {
    CliError::usage("AppRole login needs a secret id")
        .with_hint("pass --secret-id-file FILE (or -), set VAULT_SECRET_ID, or pipe it on stdin")
}

fn read_stdin_secret(what: &str) -> CliResult<SecretString> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| CliError::other(format!("could not read the {what} from stdin: {e}")))?;
    Ok(SecretString::from(s.trim().to_string()))
}
