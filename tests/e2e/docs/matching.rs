//! Comparing a command's output with the doc, and writing the doc's new expected output.
//!
//! Three layers, so that docs keep realistic values instead of placeholders:
//! 1. **Substitutions** (actual output only): what this run chose and the doc names once — the
//!    server's address becomes `http://127.0.0.1:8200`, the scratch folder `/home/me/project`.
//! 2. **Redactions** (both sides, snapbox [`Redactions`]): values that change on every run —
//!    timestamps, durations, tokens, accessors and ids, HMACs, cluster names — become
//!    `[TIME]`, `[DURATION]`, … in the doc's text and in the output alike, so any timestamp in
//!    the doc matches any timestamp in the output. Runs of two or more spaces are compared as
//!    two (a redacted column changes the table's padding) and trailing spaces are ignored.
//! 3. **Wildcards** (the doc only, snapbox's): `[..]` matches part of a line, `...` on its own
//!    line matches any number of lines, and `…` (how docs elide) is read as `[..]`.

use regex::Regex;
use similar::{Algorithm, DiffTag, capture_diff_slices};
use snapbox::filter::NormalizeToExpected;
use snapbox::{Data, Redactions};

/// The address docs use for the server (what `vaultkit dev --port 8200` prints).
pub(crate) const DOC_ADDR: &str = "http://127.0.0.1:8200";
/// The folder docs show for the scratch working directory.
pub(crate) const DOC_DIR: &str = "/home/me/project";

/// How to turn this run's output into the doc's terms.
pub(crate) struct Matcher {
    substitutions: Vec<(String, String)>,
    redactions: Redactions,
    spaces: Regex,
}

impl Matcher {
    /// `addr` is the server's address, `root_token` its root token (shown as `[ROOT_TOKEN]` if
    /// it is ever printed), `dir` the scratch folder the commands run in.
    pub(crate) fn new(addr: &str, root_token: &str, dir: &str) -> Matcher {
        let mut redactions = Redactions::new();
        let rules: [(&'static str, &str); 9] = [
            (
                "[TIME]",
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            ),
            ("[DURATION]", r"\b\d+(\.\d+)?(ns|µs|us|ms|s)\b"),
            ("[HMAC]", r"hmac-sha256:[0-9a-f]{16,}"),
            (
                "[UUID]",
                r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            ),
            ("[CLUSTER]", r"vault-cluster-[0-9a-f]{8}"),
            // OpenBao service and batch tokens, accessors and dev root tokens.
            ("[TOKEN]", r"\b(s|b|hvs|hvb)\.[A-Za-z0-9]{20,}\b"),
            ("[ACCESSOR]", r"\b[A-Za-z0-9]{24}\b"),
            ("[ARGON_HASH]", r"argon2id-m\d+-t\d+-p\d+:[0-9a-f]{64}"),
            // A random 32-byte key in base64 (a plan's or baseline's `value_hmac_key`). No `\b`
            // in front: a key starting with `+` or `/` after a quote has no word boundary there.
            ("[KEY]", r"[A-Za-z0-9+/]{43}="),
        ];
        for (placeholder, pattern) in rules {
            let re = Regex::new(pattern).expect("valid redaction regex");
            redactions
                .insert(placeholder, re)
                .expect("valid placeholder");
        }
        Matcher {
            substitutions: vec![
                (addr.to_string(), DOC_ADDR.to_string()),
                (root_token.to_string(), "[ROOT_TOKEN]".to_string()),
                (dir.to_string(), DOC_DIR.to_string()),
            ],
            redactions,
            spaces: Regex::new(r"(\S) {2,}").expect("valid regex"),
        }
    }

    /// Actual output in the doc's terms (substitutions only): what overwrite mode writes.
    pub(crate) fn substitute(&self, actual: &str) -> String {
        let mut s = actual.to_string();
        for (from, to) in &self.substitutions {
            s = s.replace(from.as_str(), to);
        }
        s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
    }

    fn redact(&self, text: &str) -> String {
        let redacted = self.redactions.redact(text);
        redacted
            .lines()
            .map(|l| self.spaces.replace_all(l.trim_end(), "$1  ").into_owned())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    /// Compare; `Err` holds a unified diff (expected → actual).
    pub(crate) fn check(&self, expected: &[String], actual: &str) -> Result<(), String> {
        let (exp, norm) = self.normalized(expected, actual);
        if exp == norm {
            return Ok(());
        }
        let diff = similar::TextDiff::from_lines(&exp, &norm)
            .unified_diff()
            .context_radius(3)
            .header("expected (doc)", "actual")
            .to_string();
        Err(diff)
    }

    /// Redacted expected text, and the redacted actual output with the lines that match the
    /// doc's patterns replaced by the doc's lines (snapbox's normalisation).
    fn normalized(&self, expected: &[String], actual: &str) -> (String, String) {
        let exp = self.redact(&expected.join("\n").replace('…', "[..]"));
        let act = self.redact(&self.substitute(actual));
        let norm = NormalizeToExpected::new()
            .redact()
            .normalize(Data::text(act), &Data::text(exp.clone()))
            .render()
            .unwrap_or_default();
        (exp, norm)
    }

    /// The doc's new output lines: the doc's own line wherever it still matches, the actual
    /// line (substituted, not redacted) wherever it does not.
    pub(crate) fn merge(&self, expected: &[String], actual: &str) -> Vec<String> {
        let (exp, norm) = self.normalized(expected, actual);
        let exp_lines: Vec<&str> = exp.lines().collect();
        let norm_lines: Vec<&str> = norm.lines().collect();
        let raw = self.substitute(actual);
        let raw_lines: Vec<&str> = raw.lines().collect();
        let mut out = Vec::new();
        // Raw lines are searched in order, each used once: many lines redact alike.
        let mut next_raw = 0;
        for op in capture_diff_slices(Algorithm::Myers, &exp_lines, &norm_lines) {
            let (tag, old, new) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => out.extend(old.map(|i| expected[i].clone())),
                DiffTag::Delete => {}
                DiffTag::Insert | DiffTag::Replace => {
                    for line in &norm_lines[new] {
                        // The un-redacted actual line this came from, when it can be found.
                        let found = (next_raw..raw_lines.len())
                            .find(|&i| self.redact(raw_lines[i]).trim_end() == *line);
                        match found {
                            Some(i) => {
                                next_raw = i + 1;
                                out.push(raw_lines[i].to_string());
                            }
                            None => out.push(line.to_string()),
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Matcher {
        Matcher::new("http://127.0.0.1:41237", "root-abc", "/tmp/.tmpAbc/work")
    }

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn volatile_values_match_the_docs_realistic_ones() {
        let doc = lines(
            "Address        http://127.0.0.1:8200\ncreated_time   2026-11-28T19:11:07.031941215Z\nCluster Name   vault-cluster-387cf82b",
        );
        let out = "Address        http://127.0.0.1:41237\ncreated_time   2027-01-02T03:04:05.6Z\nCluster Name   vault-cluster-0a1b2c3d\n";
        assert_eq!(m().check(&doc, out), Ok(()));
    }

    #[test]
    fn keys_starting_with_plus_or_slash_are_redacted() {
        // A CI run failed on a plan key beginning with `+` (a `\b` in the pattern needed a word
        // character first).
        let doc = lines("value_hmac_key = \"Qk2dAjCq3nJ8r2mWcXo7yH5tLbN0vE4uPsRgZiF6aTw=\"");
        for key in [
            "+o+HnehsqpccUDAb79qgJckjsXSIYCjItB8LfTeAVcs=",
            "/o+HnehsqpccUDAb79qgJckjsXSIYCjItB8LfTeAVcs=",
        ] {
            let out = format!("value_hmac_key = \"{key}\"\n");
            assert_eq!(m().check(&doc, &out), Ok(()), "{key}");
        }
    }

    #[test]
    fn a_changed_value_fails_with_a_diff() {
        let doc = lines("host   db.example.com\nport   5432");
        let err = m()
            .check(&doc, "host   db.example.com\nport   6432\n")
            .expect_err("differs");
        assert!(
            err.contains("-port  5432") && err.contains("+port  6432"),
            "{err}"
        );
    }

    #[test]
    fn wildcards_and_ellipsis() {
        let doc = lines("export VAULT_TOKEN='…'\n...\nlast [..] line");
        let out = "export VAULT_TOKEN='abc'\nx\ny\nlast full line\n";
        assert_eq!(m().check(&doc, out), Ok(()));
        assert!(m().check(&doc, "export VAULT_TOKEN='abc'\nlast\n").is_err());
    }

    #[test]
    fn merge_keeps_matching_doc_lines_and_takes_new_ones() {
        let doc = lines("a   2026-11-28T19:11:07Z\nold line\nc");
        let out = "a   2030-01-01T00:00:00Z\nnew line at /tmp/.tmpAbc/work/x\nc\nt 2031-01-01T00:00:00Z\nt 2032-01-01T00:00:00Z\n";
        assert_eq!(
            m().merge(&doc, out),
            lines(
                "a   2026-11-28T19:11:07Z\nnew line at /home/me/project/x\nc\nt 2031-01-01T00:00:00Z\nt 2032-01-01T00:00:00Z"
            )
        );
    }
}
