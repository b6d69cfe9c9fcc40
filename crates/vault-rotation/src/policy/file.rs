//! Policy files: TOML with one `[[policy]]` table per secret. Errors name the file and line.
//!
//! ```toml
//! [[policy]]
//! name = "billing-db"
//! path = "apps/billing/db"
//! interval = "30d"
//! grace_period = "12h"
//! window = { hours = [2, 5], days = ["sat", "sun"], time_zone = "Europe/Berlin" }
//! rotator = { type = "random", length = 40, keys = ["password"] }
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::SecretRotationPolicy;
use crate::{RotationError, RotationErrorKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    policy: Vec<toml::Spanned<SecretRotationPolicy>>,
}

/// Reads the policies of a TOML file (`[[policy]]` tables).
pub fn load_policies(path: &Path) -> Result<Vec<SecretRotationPolicy>, RotationError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        RotationError::new(
            RotationErrorKind::Io,
            format!("read policy file `{}`: {e}", path.display()),
        )
        .with_source(e)
    })?;
    parse_policies(&text, &path.display().to_string())
}

/// Parses policies from TOML text; `origin` names it in errors (a file name).
pub fn parse_policies(
    text: &str,
    origin: &str,
) -> Result<Vec<SecretRotationPolicy>, RotationError> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
        RotationError::config(format!("{origin}{at}: {}", e.message().trim_end()))
    })?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(file.policy.len());
    for spanned in file.policy {
        let line = line_of(text, spanned.span().start);
        let policy = spanned.into_inner();
        if let Some(first) = seen.insert(policy.name.clone(), line) {
            return Err(RotationError::config(format!(
                "{origin} line {line}: policy `{}` is defined twice (first on line {first})",
                policy.name.escape_debug()
            )));
        }
        out.push(policy);
    }
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::RotationType;

    const GOOD: &str = r#"
[[policy]]
name = "billing-db"
path = "apps/billing/db"
interval = "30d"
grace_period = "12h"
window = { hours = [2, 5], days = ["sat", "sun"], time_zone = "Europe/Berlin" }
rotator = { type = "random", length = 40, keys = ["password"] }

[[policy]]
name = "weekly"
path = "apps/weekly"
mount = "kv"
cron = "0 3 * * Sun"

[[policy]]
name = "manual"
path = "apps/manual"
rotation_type = "on_demand"
auto_rotate = false
"#;

    #[test]
    fn reads_every_field() -> Result<(), RotationError> {
        let ps = parse_policies(GOOD, "rotation.toml")?;
        assert_eq!(ps.len(), 3);
        assert_eq!(ps[0].interval, Duration::from_secs(30 * 86_400));
        assert_eq!(ps[0].grace_period, Duration::from_secs(12 * 3_600));
        assert_eq!(ps[0].window.as_ref().map(|w| w.hours), Some((2, 5)));
        assert_eq!(ps[1].mount, "kv");
        assert!(matches!(ps[1].rotation_type, RotationType::Cron(_)));
        assert_eq!(ps[2].rotation_type, RotationType::OnDemand);
        assert!(!ps[2].auto_rotate);
        Ok(())
    }

    fn error_of(text: &str) -> String {
        parse_policies(text, "rotation.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn errors_name_the_line() {
        let bad_duration = "[[policy]]\nname = \"a\"\npath = \"x\"\ninterval = \"90 days\"\n";
        let e = error_of(bad_duration);
        assert!(e.contains("rotation.toml line 4"), "{e}");
        assert!(e.contains("duration `90 days`"), "{e}");

        let bad_cron = "\n\n[[policy]]\nname = \"a\"\npath = \"x\"\ncron = \"nope\"\n";
        let e = error_of(bad_cron);
        assert!(e.contains("rotation.toml line 3"), "{e}");
        assert!(e.contains("cron expression `nope`"), "{e}");

        let unknown = "[[policy]]\nname = \"a\"\npath = \"x\"\nintervall = \"9d\"\n";
        let e = error_of(unknown);
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("intervall"), "{e}");

        let twice =
            "[[policy]]\nname = \"a\"\npath = \"x\"\n\n[[policy]]\nname = \"a\"\npath = \"y\"\n";
        let e = error_of(twice);
        assert!(
            e.contains("line 5: policy `a` is defined twice (first on line 1)"),
            "{e}"
        );

        let syntax = "[[policy]]\nname = \"a\npath = \"x\"\n";
        assert!(error_of(syntax).contains("line 2"), "{}", error_of(syntax));
    }
}
