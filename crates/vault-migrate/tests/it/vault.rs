//! scan → plan → apply → validate against a real OpenBao dev server (vault-testkit).

use std::collections::HashMap;
use std::path::Path;

use vault_core::{SecretString, VaultClient};
use vault_kv::KvExt;
use vault_migrate::{Action, apply_table, diff_table, validation_table};
use vault_migrate::{
    ApplyOptions, Plan, PlanOptions, Scanner, SourceValues, apply, diff, validate, validate_paths,
    write_to_vault,
};
use vault_testkit::OpenBao;

const PREFIX: &str = "bike-data-flow/production";
const DB_PW: &str = "Zk3p9Lq2Xv8mW4";
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const JWT: &str = "q8Vt2Lm9Xr4Kd7Ns1Pw6";

fn client(bao: &OpenBao) -> VaultClient {
    VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .expect("client builds")
}

fn write_env(dir: &Path, extra: &str) {
    let env = format!(
        "DB_HOST=db.internal\nDB_PORT=5432\nDB_USERNAME=bikes\nDB_PASSWORD={DB_PW}\nDB_NAME=bikes\nSTRIPE_API_KEY={STRIPE}\nJWT_SECRET={JWT}\nLOG_LEVEL=info\n{extra}"
    );
    std::fs::write(dir.join(".env"), env).expect("write .env");
}

fn plan_for(dir: &Path) -> Plan {
    let report = Scanner::builder()
        .build()
        .expect("scanner")
        .scan_paths(&[dir])
        .expect("scan");
    let plan = Plan::from_report(
        &report,
        &PlanOptions::new("secret", PREFIX).with_base_dir(dir),
    )
    .expect("plan");
    // The plan survives a TOML round trip (users edit it).
    let toml = plan.to_toml().expect("toml");
    for v in [DB_PW, STRIPE, JWT] {
        assert!(!toml.contains(v), "the plan file must not contain values");
    }
    Plan::from_toml(&toml).expect("plan parses back")
}

async fn version(c: &VaultClient, path: &str) -> u64 {
    c.kv2("secret")
        .read_metadata(path)
        .await
        .expect("metadata")
        .current_version
}

#[tokio::test]
async fn round_trip_idempotence_conflict_and_validation() {
    let bao = OpenBao::dev().await;
    let c = client(&bao);
    let dir = tempfile::tempdir().expect("tempdir");
    write_env(dir.path(), "");
    let plan = plan_for(dir.path());
    let paths: Vec<&str> = plan.secrets.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{PREFIX}/api-keys"),
            format!("{PREFIX}/app"),
            format!("{PREFIX}/database")
        ]
    );
    let db = &plan.secrets[2];
    let db_keys: Vec<&str> = db.keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(
        db_keys,
        ["password", "host", "port", "username", "database"]
    );
    assert_eq!(plan.secrets[0].keys[0].key, "stripe");

    let values = SourceValues::load(&plan).expect("values");
    let d = diff(&c, &plan, &values).await.expect("diff");
    assert_eq!(d.len(), plan.secrets.len(), "{d:?}");
    assert!(!d.is_empty() && d.iter().all(|s| !s.exists), "{d:?}");
    let table = diff_table(&d);
    assert!(
        table.contains("+ password") && !table.contains(DB_PW),
        "{table}"
    );

    // First apply creates three secrets.
    let r = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("apply");
    assert_eq!(
        r.outcomes.iter().map(|o| o.action).collect::<Vec<_>>(),
        [Action::Created; 3],
        "{}",
        apply_table(&r)
    );
    let kv = c.kv2("secret");
    let stored = kv.read(&format!("{PREFIX}/database")).await.expect("read");
    assert_eq!(stored.get_str("password"), Some(DB_PW));
    assert_eq!(stored.get_str("port"), Some("5432"));
    let meta = kv
        .read_metadata(&format!("{PREFIX}/database"))
        .await
        .expect("meta");
    assert!(
        meta.custom_metadata
            .get("vaultkit-source")
            .is_some_and(|s| s.contains(".env:4")),
        "{:?}",
        meta.custom_metadata
    );
    assert!(meta.custom_metadata.contains_key("vaultkit-migrated-at"));
    crate::assert_valid(&c, &plan).await;

    // Second apply: nothing written, no new versions.
    let before = version(&c, &format!("{PREFIX}/database")).await;
    let r2 = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("apply again");
    assert_eq!(r2.written(), 0);
    assert_eq!(r2.outcomes.len(), plan.secrets.len());
    assert!(!r2.outcomes.is_empty());
    assert!(r2.outcomes.iter().all(|o| o.action == Action::Unchanged));
    assert_eq!(version(&c, &format!("{PREFIX}/database")).await, before);

    // Someone changes the password in Vault: validate notices, apply refuses without force.
    kv.patch(
        &format!("{PREFIX}/database"),
        &serde_json::json!({"password": "rotated-elsewhere-1"}),
        None,
    )
    .await
    .expect("patch");
    let v = validate(&c, &plan).await;
    let db_v = v
        .iter()
        .find(|x| x.path.ends_with("/database"))
        .expect("database validation");
    assert_eq!(db_v.mismatched_keys, ["password"]);
    assert!(!db_v.ok());
    assert!(validation_table(&v).contains("different values: password"));
    let changed = version(&c, &format!("{PREFIX}/database")).await;
    let r3 = apply(&c, &plan, &values, &ApplyOptions::default())
        .await
        .expect("apply reports");
    assert_eq!(r3.conflicts().len(), 1);
    assert_eq!(
        version(&c, &format!("{PREFIX}/database")).await,
        changed,
        "a conflict writes nothing"
    );
    let r3_conflicts = r3.conflicts().len();
    let err = r3.into_result().expect_err("conflict is an error");
    assert!(
        err.to_string().contains("password") && !err.to_string().contains("rotated-elsewhere-1"),
        "{err}"
    );
    // With force the source value wins, as one new version.
    let r4 = apply(
        &c,
        &plan,
        &values,
        &ApplyOptions {
            force: true,
            dry_run: false,
        },
    )
    .await
    .expect("forced");
    assert_eq!(r4.written(), 1);
    assert_eq!(
        version(&c, &format!("{PREFIX}/database")).await,
        changed + 1
    );
    crate::assert_valid(&c, &plan).await;

    // A new key in the source: re-plan; only that key is patched in.
    write_env(
        dir.path(),
        "SENTRY_DSN=https://4f9e8d7c6b5a41d2@o1.ingest.sentry.io/42\nGITHUB_TOKEN=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\n",
    );
    let plan2 = plan_for(dir.path());
    let values2 = SourceValues::load(&plan2).expect("values");
    let app_before = version(&c, &format!("{PREFIX}/app")).await;
    let r5 = apply(&c, &plan2, &values2, &ApplyOptions::default())
        .await
        .expect("apply new key");
    let app = r5
        .outcomes
        .iter()
        .find(|o| o.path.ends_with("/app"))
        .expect("app outcome");
    assert_eq!(app.action, Action::Updated);
    assert_eq!(version(&c, &format!("{PREFIX}/app")).await, app_before + 1);
    assert_eq!(
        kv.read(&format!("{PREFIX}/app"))
            .await
            .expect("read")
            .get_str("jwt_secret"),
        Some(JWT)
    );

    // Nothing printed or serialized shows a value.
    let json = serde_json::to_string(&(&r, r3_conflicts, &r4, &r5, &v)).expect("json");
    let text = format!(
        "{}{}{}{json}{:?}{:?}",
        apply_table(&r4),
        apply_table(&r5),
        validation_table(&v),
        values2,
        plan2
    );
    for secret in [
        DB_PW,
        STRIPE,
        JWT,
        "rotated-elsewhere-1",
        "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",
    ] {
        assert!(!text.contains(secret), "output leaks a value");
    }
}

#[tokio::test]
async fn dry_run_writes_nothing_and_changed_sources_are_refused() {
    let bao = OpenBao::dev().await;
    let c = client(&bao);
    let dir = tempfile::tempdir().expect("tempdir");
    write_env(dir.path(), "");
    let plan = plan_for(dir.path());
    let values = SourceValues::load(&plan).expect("values");
    let r = apply(
        &c,
        &plan,
        &values,
        &ApplyOptions {
            force: false,
            dry_run: true,
        },
    )
    .await
    .expect("dry run");
    assert_eq!(r.outcomes.len(), plan.secrets.len());
    assert!(!r.outcomes.is_empty());
    assert!(r.outcomes.iter().all(|o| o.action == Action::WouldWrite));
    crate::assert_none_exist(&c, &plan).await;
    // The source changed after planning: loading values fails with a line number.
    let env = std::fs::read_to_string(dir.path().join(".env")).expect("read");
    std::fs::write(
        dir.path().join(".env"),
        env.replace(DB_PW, "something-else-entirely"),
    )
    .expect("write");
    let e = SourceValues::load(&plan).expect_err("changed source");
    let msg = e.to_string();
    assert!(
        msg.contains("DB_PASSWORD") && msg.contains("changed") && msg.contains(".env:4"),
        "{msg}"
    );
    assert!(!msg.contains("something-else"), "{msg}");
}

#[tokio::test]
async fn seed_write_to_vault_and_validate_paths() {
    let bao = OpenBao::dev().await;
    let c = client(&bao);
    let secrets: HashMap<String, SecretString> = [
        ("username".to_string(), SecretString::new("db_user")),
        ("password".to_string(), SecretString::new("secure_password")),
    ]
    .into();
    let r = write_to_vault(
        &c,
        "bike-data-flow/production/database",
        &secrets,
        "secret",
        false,
    )
    .await
    .expect("write");
    assert_eq!(r.written(), 1);
    let again = write_to_vault(
        &c,
        "bike-data-flow/production/database",
        &secrets,
        "secret",
        false,
    )
    .await
    .expect("again");
    assert_eq!(again.written(), 0);
    let v = validate_paths(
        &c,
        &[
            "bike-data-flow/production/database",
            "bike-data-flow/production/api-keys",
        ],
        "secret",
    )
    .await;
    assert_eq!((v[0].exists, v[0].readable), (true, true));
    assert_eq!((v[1].exists, v[1].readable), (false, true));
    // A token that may not read: not readable, with the reason.
    let weak = bao.create_token(&["default"], "5m").await;
    let wc = VaultClient::builder()
        .with_address(bao.addr())
        .with_token(weak)
        .build()
        .expect("client");
    let v = validate_paths(&wc, &["bike-data-flow/production/database"], "secret").await;
    assert!(!v[0].readable && v[0].error.is_some(), "{:?}", v[0]);
}

#[tokio::test]
async fn two_plans_of_one_source_have_different_salts_and_both_apply_and_validate() {
    let bao = OpenBao::dev().await;
    let c = client(&bao);
    let dir = tempfile::tempdir().expect("tempdir");
    write_env(dir.path(), "");
    let a = plan_for(dir.path());
    let b = plan_for(dir.path());
    assert_ne!(a.value_hmac_key, b.value_hmac_key);
    assert_ne!(
        a.secrets[2].keys[0].value_hmac,
        b.secrets[2].keys[0].value_hmac
    );
    let va = SourceValues::load(&a).expect("values a");
    let vb = SourceValues::load(&b).expect("values b");
    let r = apply(&c, &a, &va, &ApplyOptions::default())
        .await
        .expect("apply a");
    assert_eq!(r.written(), 3);
    // Plan b, made with another salt, checks the same Vault data: valid, nothing to write.
    crate::assert_valid(&c, &a).await;
    crate::assert_valid(&c, &b).await;
    let rb = apply(&c, &b, &vb, &ApplyOptions::default())
        .await
        .expect("apply b");
    assert_eq!(rb.written(), 0, "{}", apply_table(&rb));
    // Nothing written to Vault carries a hash of a value: custom_metadata is source and time.
    let meta = c
        .kv2("secret")
        .read_metadata(&format!("{PREFIX}/database"))
        .await
        .expect("meta");
    let all = format!("{:?}", meta.custom_metadata);
    assert!(!all.contains("sha256") && !all.contains("hmac"), "{all}");
}
