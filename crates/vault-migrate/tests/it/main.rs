//! Integration tests of vault-migrate (one binary, topic modules).

mod audit_logs;
mod dotenv_hostile;
mod fixtures;
mod kv_versions;
mod no_leak;
mod noseyparker;
mod output_security;
mod salted;
mod security;
mod tree;
mod vault;

use std::path::{Path, PathBuf};

use vault_migrate::{DetectConfig, Finding, Plan, Scanner, SecretsIgnore};

/// `validate` finds every secret of `plan` valid: one result per secret, and at least one
/// secret (an `.all()` over an empty list proves nothing).
pub async fn assert_valid(client: &vault_core::VaultClient, plan: &Plan) {
    assert!(!plan.secrets.is_empty(), "an empty plan proves nothing");
    let v = vault_migrate::validate(client, plan).await;
    assert_eq!(v.len(), plan.secrets.len(), "{v:?}");
    assert!(v.iter().all(|v| v.ok()), "{v:?}");
}

/// Every secret of `plan` is reported, and none exists in Vault.
pub async fn assert_none_exist(client: &vault_core::VaultClient, plan: &Plan) {
    assert!(!plan.secrets.is_empty(), "an empty plan proves nothing");
    let v = vault_migrate::validate(client, plan).await;
    assert_eq!(v.len(), plan.secrets.len(), "{v:?}");
    assert!(v.iter().all(|v| !v.exists), "{v:?}");
}

/// A fixture under `tests/data`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// ripsecrets' ignored values only (its path pattern `test` would skip the whole fixture tree
/// when walking, exactly as ripsecrets does).
pub fn ripsecrets_values_scanner() -> Scanner {
    let text = std::fs::read_to_string(data("ripsecrets/.secretsignore")).expect("read");
    let values = &text[text.find("[secrets]").expect("section")..];
    let ignore = SecretsIgnore::parse(values, &data("ripsecrets")).expect("parses");
    Scanner::builder()
        .with_secrets_ignore(ignore)
        .build()
        .expect("scanner builds")
}

/// The default scanner.
pub fn scanner() -> Scanner {
    Scanner::builder().build().expect("default scanner builds")
}

/// The sensitive profile (entropy limit 3.0), as the detect-secrets tests configure.
pub fn sensitive() -> Scanner {
    Scanner::builder()
        .with_detect_config(DetectConfig::sensitive())
        .build()
        .expect("scanner builds")
}

/// A scanner using ripsecrets' `.secretsignore`.
pub fn ripsecrets_scanner() -> Scanner {
    let ignore =
        SecretsIgnore::from_file(&data("ripsecrets/.secretsignore")).expect("secretsignore parses");
    Scanner::builder()
        .with_secrets_ignore(ignore)
        .build()
        .expect("scanner builds")
}

/// Findings of one file.
pub fn scan_file(s: &Scanner, rel: &str) -> Vec<Finding> {
    s.scan_paths(&[data(rel)]).expect("scan runs").findings
}

/// Sorted line numbers of findings.
pub fn lines(f: &[Finding]) -> Vec<usize> {
    let mut l: Vec<usize> = f.iter().map(|f| f.line).collect();
    l.sort_unstable();
    l
}

/// Scan `text` as the file `name`.
pub fn scan_text(s: &Scanner, name: &str, text: &str) -> vault_migrate::FileScan {
    s.scan_text(Path::new(name), text)
}

/// `file:line rule key` of each finding, for failure messages.
pub fn describe(f: &[Finding]) -> String {
    f.iter()
        .map(|f| {
            format!(
                "{}:{} {} {:?}\n",
                f.file.display(),
                f.line,
                f.rule_id,
                f.key
            )
        })
        .collect()
}
