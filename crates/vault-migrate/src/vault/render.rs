//! Plain-text tables for diff, apply and validate results (JSON: serialize the structs).

use std::fmt::Write;

use super::{ApplyReport, SecretDiff, Validation};

/// One line per key: `+` new, `~` changed, `=` unchanged; values masked.
pub fn diff_table(diffs: &[SecretDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let state = match (d.exists, d.current_version) {
            (true, Some(v)) => format!("exists, version {v}"),
            (true, None) => "exists".to_string(),
            (false, _) => "new secret".to_string(),
        };
        let _ = writeln!(out, "{} ({state})", d.path);
        for k in &d.keys {
            let mark = match k.status {
                super::KeyStatus::New => '+',
                super::KeyStatus::Changed => '~',
                super::KeyStatus::Unchanged => '=',
            };
            let _ = writeln!(
                out,
                "  {mark} {:<24} {:<12} from {}",
                k.key, k.preview, k.source
            );
        }
        for x in &d.extra_keys {
            let _ = writeln!(out, "  . {x:<24} (only in Vault, kept)");
        }
    }
    out
}

/// One line per secret with the action taken.
pub fn apply_table(r: &ApplyReport) -> String {
    let mut out = String::new();
    for o in &r.outcomes {
        let v = o
            .version
            .map(|v| format!(" -> version {v}"))
            .unwrap_or_default();
        let label = match o.action {
            super::Action::ChangedConcurrently => "changed".to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        let _ = writeln!(out, "{label:<12} {}/{}{v}", r.mount, o.path);
        match o.action {
            super::Action::Conflict => {
                let _ = writeln!(
                    out,
                    "             differs in Vault: {} (use --force to overwrite)",
                    o.diff.changed_keys().join(", ")
                );
            }
            super::Action::ChangedConcurrently => {
                let _ = writeln!(
                    out,
                    "             changed in Vault while applying: not written (apply again to compare)"
                );
            }
            _ => {}
        }
    }
    let _ = writeln!(
        out,
        "{} secret(s) written, {} conflict(s)",
        r.written(),
        r.conflicts().len()
    );
    out
}

/// One line per path: OK or what is wrong.
pub fn validation_table(v: &[Validation]) -> String {
    let mut out = String::new();
    for x in v {
        let status = if x.ok() {
            match x.version {
                Some(v) => format!("ok (version {v})"),
                None => "ok".to_string(),
            }
        } else if let Some(e) = &x.error {
            format!("error: {e}")
        } else if !x.exists {
            "missing".to_string()
        } else {
            let mut parts = Vec::new();
            if !x.missing_keys.is_empty() {
                parts.push(format!("missing keys: {}", x.missing_keys.join(", ")));
            }
            if !x.mismatched_keys.is_empty() {
                parts.push(format!(
                    "different values: {}",
                    x.mismatched_keys.join(", ")
                ));
            }
            parts.join("; ")
        };
        let _ = writeln!(out, "{:<48} {status}", x.path);
    }
    out
}
