//! `vault_kv::sync` against a real OpenBao dev server (started by vault-testkit): diff a desired
//! set, apply it, apply again (nothing to do), then see a conflict and a concurrent change.
//!
//! `cargo run -p vault-kv --example sync` (needs `bao`; `cargo xtask setup` installs it).

use serde_json::json;
use vault_core::VaultClient;
use vault_kv::KvExt;
use vault_kv::sync::{self, ApplyOptions, Desired};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bao = vault_testkit::OpenBao::dev().await;
    let client = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()?;
    let kv = client.kv("secret");
    client
        .kv2("secret")
        .write_data("app/db", &json!({"user": "svc", "extra": "kept"}))
        .await?;

    let mut desired = Desired::new();
    desired.insert(
        "app/db",
        json!({"user": "svc", "password": "Zk3p9Lq2Xv8mW4"}),
    )?;
    desired.insert(
        "app/api",
        json!({"stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}),
    )?;

    let diff = sync::diff(&kv, &desired).await?;
    print_diff(&diff);
    let report = sync::apply(&kv, &diff, &ApplyOptions::default()).await?;
    print_report(&report);

    println!("\nagain:");
    let report = sync::apply(
        &kv,
        &sync::diff(&kv, &desired).await?,
        &ApplyOptions::default(),
    )
    .await?;
    print_report(&report);

    println!("\nsomeone rotates the password, then a stale desired set is applied:");
    client
        .kv2("secret")
        .patch("app/db", &json!({"password": "rotated-elsewhere"}), None)
        .await?;
    let diff = sync::diff(&kv, &desired).await?;
    print_diff(&diff);
    print_report(&sync::apply(&kv, &diff, &ApplyOptions::default()).await?);

    println!("\na writer changes app/db between diff and a forced apply:");
    let diff = sync::diff(&kv, &desired).await?;
    client
        .kv2("secret")
        .patch("app/db", &json!({"password": "rotated-again"}), None)
        .await?;
    print_report(&sync::apply(&kv, &diff, &ApplyOptions::default().with_force(true)).await?);
    let now = client.get_secret("app/db", "secret").await?;
    assert_eq!(now.get_str("password"), Some("rotated-again"));
    println!(
        "the concurrent value survived (version {:?})",
        now.metadata.version
    );
    Ok(())
}

fn print_diff(diff: &sync::SyncDiff) {
    for s in &diff.secrets {
        let state = match s.version {
            Some(v) if s.exists => format!("update of version {v}"),
            _ => "new secret".to_string(),
        };
        println!("{}/{} ({state})", diff.mount, s.path);
        for k in &s.keys {
            println!("  {:<10} {:?}", k.key, k.change);
        }
        for k in &s.extra_keys {
            println!("  {k:<10} only in Vault, kept");
        }
    }
}

fn print_report(report: &sync::SyncReport) {
    for s in &report.secrets {
        println!(
            "{:?} {}/{} {:?}",
            s.outcome, report.mount, s.path, s.version
        );
    }
    println!(
        "{} written, {} unchanged, {} conflict(s)",
        report.written(),
        report.unchanged(),
        report.conflicts().count()
    );
}
