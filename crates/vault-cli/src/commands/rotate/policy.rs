//! `vaultkit rotate policy add|list|remove`: the policies stored in Vault.

use serde_json::{Value, json};
use vault_rotation::{
    CharClass, RotationType, RotatorSpec, SecretRotationPolicy, format_duration, load_policies,
    parse_duration,
};

use super::{Ctx, policy_store, rotation_error};
use crate::args::rotate::{PolicyAddArgs, RotatePolicyCommand};
use crate::error::{CliError, CliResult};
use crate::output::Table;

pub(super) async fn run(ctx: &Ctx, cmd: RotatePolicyCommand) -> CliResult<()> {
    match cmd {
        RotatePolicyCommand::Add(args) => add(ctx, args).await,
        RotatePolicyCommand::List { records } => {
            let store = policy_store(ctx, &records)?;
            let policies = store.load_all().await.map_err(rotation_error)?;
            let value = Value::Array(policies.iter().map(policy_json).collect());
            if policies.is_empty() && ctx.is_table() {
                ctx.out().info("No rotation policies yet: add one with `vaultkit rotate policy add NAME PATH`.");
                return Ok(());
            }
            ctx.out().print(&value, || {
                let mut t = Table::new(["Name", "Secret", "Schedule", "Grace", "Auto", "Rotator"]);
                for p in &policies {
                    t.push([
                        p.name.clone(),
                        format!("{}/{}", p.mount, p.path),
                        schedule(p),
                        format_duration(p.grace_period),
                        if p.auto_rotate { "yes" } else { "no" }.to_string(),
                        rotator_kind(&p.rotator),
                    ]);
                }
                t
            })
        }
        RotatePolicyCommand::Remove { name, records } => {
            let store = policy_store(ctx, &records)?;
            if store.load(&name).await.map_err(rotation_error)?.is_none() {
                return Err(
                    CliError::not_found(format!("no rotation policy named `{name}`"))
                        .with_hint("list them with `vaultkit rotate policy list`"),
                );
            }
            store.delete(&name).await.map_err(rotation_error)?;
            ctx.out()
                .info(&format!("Success! Removed rotation policy: {name}"));
            Ok(())
        }
    }
}

async fn add(ctx: &Ctx, args: PolicyAddArgs) -> CliResult<()> {
    let policies = match &args.file {
        Some(file) => load_policies(file).map_err(rotation_error)?,
        None => vec![from_flags(&args)?],
    };
    let store = policy_store(ctx, &args.records)?;
    for policy in &policies {
        policy.validate().map_err(rotation_error)?;
    }
    for policy in &policies {
        let existing = store.load(&policy.name).await.map_err(rotation_error)?;
        if let Some((_, version)) = &existing
            && !args.replace
        {
            return Err(CliError::validation(format!(
                "rotation policy `{}` already exists (version {version})",
                policy.name
            ))
            .with_hint("add --replace to overwrite it, or pick another name"));
        }
        store
            .save(policy, existing.map(|(_, v)| v))
            .await
            .map_err(rotation_error)?;
        ctx.out().info(&format!(
            "Success! Rotation policy `{}` for {}/{}: {}",
            policy.name,
            policy.mount,
            policy.path,
            schedule(policy)
        ));
    }
    Ok(())
}

/// A policy with a random rotator from `policy add`'s flags.
fn from_flags(args: &PolicyAddArgs) -> CliResult<SecretRotationPolicy> {
    let (Some(name), Some(path)) = (&args.name, &args.path) else {
        return Err(CliError::usage(
            "`rotate policy add` needs NAME and PATH, or --file",
        ));
    };
    let rotation_type = match (&args.cron, args.on_demand) {
        (Some(expr), _) => RotationType::cron(expr).map_err(rotation_error)?,
        (None, true) => RotationType::OnDemand,
        (None, false) => RotationType::TimeBased,
    };
    let rotator = RotatorSpec::Random {
        length: args.length,
        classes: vec![
            CharClass::Lower,
            CharClass::Upper,
            CharClass::Digit,
            CharClass::Symbol,
        ],
        keys: args.keys.clone(),
    };
    Ok(SecretRotationPolicy::new(name, path)
        .with_mount(args.mount.trim_matches('/'))
        .with_rotation_type(rotation_type)
        .with_interval(parse_duration(&args.interval).map_err(rotation_error)?)
        .with_grace_period(parse_duration(&args.grace).map_err(rotation_error)?)
        .with_auto_rotate(!args.no_auto_rotate)
        .with_rotator(rotator))
}

/// `every 90d`, `cron 0 3 * * *`, `on demand`.
pub(super) fn schedule(p: &SecretRotationPolicy) -> String {
    match &p.rotation_type {
        RotationType::Cron(c) => format!("cron {}", c.as_str()),
        RotationType::OnDemand => "on demand".to_string(),
        _ => format!("every {}", format_duration(p.interval)),
    }
}

/// The rotator's `type` as in a policy file.
fn rotator_kind(spec: &RotatorSpec) -> String {
    serde_json::to_value(spec)
        .ok()
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}

/// A policy as JSON: its stored form (it holds no secret values).
fn policy_json(p: &SecretRotationPolicy) -> Value {
    serde_json::to_value(p).unwrap_or_else(|_| json!({ "name": p.name }))
}
