//! Allowlisting: what the user has already judged.
//!
//! | mechanism | where | matches |
//! |---|---|---|
//! | inline comment | on the finding's line: `vaultkit:allow` or detect-secrets' `pragma: allowlist secret`; on the line before: `vaultkit:allow-next-line` / `pragma: allowlist nextline secret` | one line |
//! | [`SecretsIgnore`] | `.secretsignore` (ripsecrets format): gitignore patterns, then a `[secrets]` section of exact values | paths and values |
//! | [`Baseline`] | a JSON file of finding fingerprints written by a previous scan | known findings |

mod baseline;
mod secretsignore;

pub use baseline::{Baseline, BaselineEntry};
pub use secretsignore::SecretsIgnore;

/// Is a finding on 1-based `line` allowed by an inline comment?
pub(crate) fn inline_allowed(text: &str, index: &crate::parse::LineIndex, line: usize) -> bool {
    let this = &text[index.line_range(text, line)];
    if this.contains("vaultkit:allow") && !this.contains("vaultkit:allow-next-line")
        || this.contains("pragma: allowlist secret")
    {
        return true;
    }
    if line > 1 {
        let prev = &text[index.line_range(text, line - 1)];
        if prev.contains("vaultkit:allow-next-line")
            || prev.contains("pragma: allowlist nextline secret")
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::LineIndex;

    #[test]
    fn inline_markers() {
        let t = "A=1 # vaultkit:allow\nB=2\n# vaultkit:allow-next-line\nC=3\nD=4 # pragma: allowlist secret\n";
        let ix = LineIndex::new(t);
        assert!(inline_allowed(t, &ix, 1));
        assert!(!inline_allowed(t, &ix, 2));
        assert!(!inline_allowed(t, &ix, 3));
        assert!(inline_allowed(t, &ix, 4));
        assert!(inline_allowed(t, &ix, 5));
    }
}
