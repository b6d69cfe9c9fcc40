//! Streams an audit log and prints its statistics as JSON (used by `cargo xtask bench audit`).
//!
//! `audit_stats <file|dir|->`

use std::process::ExitCode;

use vault_audit::{AuditSource, ScanOptions, stats};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: audit_stats <file|dir|->");
        return ExitCode::from(2);
    };
    let result = AuditSource::open(&path).and_then(|src| stats(&src, &mut ScanOptions::default()));
    match result {
        Ok(s) => match serde_json::to_string_pretty(&s) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
