//! # vault-migrate
//!
//! Find the plaintext secrets in `.env` and config files, and report them safely — the first step
//! of moving them into Vault. It replaces the Python module's `scan_for_secrets`.
//!
//! ```
//! use vault_migrate::{Confidence, Scanner, report};
//!
//! let dir = std::env::temp_dir().join(format!("vault-migrate-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join(".env"), "DB_HOST=db.internal\nDB_PASSWORD=Xk9mP2vL8qR4tW7zQ3\nLOG_LEVEL=info\n")?;
//!
//! let scanner = Scanner::builder()
//!     .with_patterns([r"API_KEY.*=.*"])          // user patterns on top of the built-in rules
//!     .with_progress(|p| eprintln!("{} files", p.files_scanned))
//!     .build()?;
//! let scan = scanner.scan_paths(&[&dir])?;
//! assert_eq!(scan.findings.len(), 1);
//! for f in &scan.findings {
//!     // `preview` is masked; the value itself never leaves `f.secret()` by accident.
//!     println!("{}:{} {} {}", f.file.display(), f.line, f.rule_id, f.preview);
//!     assert!(!f.preview.contains("Xk9mP2vL8qR4tW7zQ3"));
//! }
//! let sarif = report::to_sarif(&scan);
//! assert!(!sarif.contains("Xk9mP2vL8qR4tW7zQ3"));
//! assert_ne!(report::exit_code(&scan, Confidence::Medium) as i32, 0); // findings fail a CI step
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## How it decides
//! - [`parse`] reads each file with a parser for its kind (a real dotenv grammar, YAML, INI/TOML,
//!   or generic assignments) and keeps the exact line and column of every value.
//! - `detect` applies value-format rules (cloud keys, tokens, JWT, PEM, Vault tokens, URL
//!   passwords), key-name rules (`*_PASSWORD`, `*_TOKEN`, not `*_HOST`) and an entropy rule, then
//!   drops placeholders, references (`${VAR}`) and identifiers.
//! - `allow` applies inline `vaultkit:allow` comments, `.secretsignore` and a baseline.
//! - [`report`] writes a table, JSON or SARIF 2.1.0.
//!
//! Architecture Invariant: no secret value is ever printed, logged or serialized. A [`Finding`]
//! keeps the value in a [`vault_core::SecretString`] that is skipped by serde and hidden by
//! `Debug`; reports carry a masked preview, the length and the entropy. Anything written that
//! identifies a value (plan, baseline, JSON report) is an HMAC-SHA256 under a random key stored in
//! that artifact ([`ValueKey`]), never a plain hash a weak password could be guessed from.
//!
//! Architecture Invariant: parsing never panics and never stops a scan; malformed lines become
//! warnings with line numbers.

mod allow;
mod detect;
mod error;
mod finding;
mod keyed;
pub mod parse;
mod plan;
pub mod report;
mod scan;
mod vault;

pub use allow::{Baseline, BaselineEntry, SecretsIgnore};
pub use detect::DetectConfig;
pub use error::{MigrateError, MigrateErrorKind};
pub use finding::{Confidence, Finding};
pub use keyed::ValueKey;
pub use plan::{
    PLAN_VERSION, Plan, PlanOptions, PlannedKey, PlannedSecret, SourceValues, Unplanned, scan_roots,
};
pub use scan::{
    FileDuplicate, FileIssue, FileScan, ScanProgress, ScanReport, Scanner, ScannerBuilder,
    SkipReason, SkippedFile, Suppressed,
};
pub use vault::{
    Action, ApplyOptions, ApplyReport, KeyDiff, KeyStatus, SecretDiff, SecretOutcome, Validation,
    apply, apply_table, diff, diff_table, validate, validate_paths, validation_table,
    write_to_vault,
};

/// The Python module's `scan_for_secrets(path, patterns=[…])`: scan a file or directory with the
/// default rules plus `patterns`.
pub fn scan_for_secrets<P: AsRef<std::path::Path>>(
    path: P,
    patterns: &[&str],
) -> Result<Vec<Finding>, MigrateError> {
    let scanner = Scanner::builder()
        .with_patterns(patterns.iter().copied())
        .build()?;
    Ok(scanner.scan_paths(&[path.as_ref()])?.findings)
}

/// The examples of this crate's README.md, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
