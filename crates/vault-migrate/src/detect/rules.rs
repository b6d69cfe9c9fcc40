//! Value-format rules: credentials recognisable by their shape alone (cloud keys, VCS and chat
//! tokens, payment keys, JWTs, Vault tokens, PEM private keys, URLs with a password).
//!
//! Each rule is our own regex with one capture group: the secret. These rules run over the whole
//! file text, so they find secrets outside any `key = value` too.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::filters;
use crate::finding::Confidence;

/// Extra checks some rules need after the regex matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    None,
    /// A template value (`xxxx…`) still counts, at low confidence.
    PlaceholderLow,
    /// Twilio SIDs are hex; other letters mean a placeholder.
    HexOrLow,
    /// `sk_test_` keys are test-mode: medium.
    StripeMode,
    /// Legacy Vault tokens (`s.`, `b.`, `r.`): must contain a digit (words like `s.addComponentsFromRegistry` do not).
    HasDigit,
}

/// One value-format rule.
#[derive(Debug)]
pub(crate) struct FormatRule {
    /// Stable rule id (e.g. `aws-access-key-id`).
    pub id: &'static str,
    /// What the rule looks for, in words.
    pub description: &'static str,
    regex: Regex,
    check: Check,
}

/// A match of a format rule.
#[derive(Debug, Clone)]
pub(crate) struct RawHit {
    /// Id of the rule that matched.
    pub rule_id: &'static str,
    /// What the rule looks for, in words.
    pub description: &'static str,
    /// Byte range of the secret in the file.
    pub span: Range<usize>,
    /// How sure the rule is that this is a live secret.
    pub confidence: Confidence,
}

const TABLE: &[(&str, &str, &str, Check)] = &[
    (
        "aws-access-key-id",
        "AWS access key ID",
        r"(?-u:\b)((?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[0-9A-Z]{16})(?-u:\b)",
        Check::None,
    ),
    (
        "gcp-api-key",
        "Google Cloud API key",
        r"(?-u:\b)(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        Check::None,
    ),
    (
        "azure-storage-key",
        "Azure storage account key",
        r"(?i:AccountKey)=([A-Za-z0-9+/]{86}==)",
        Check::None,
    ),
    (
        "azure-client-secret",
        "Azure AD client secret",
        r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}[0-9][Qq]~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        Check::None,
    ),
    (
        "github-token",
        "GitHub token",
        r"(?-u:\b)((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})(?-u:\b)",
        Check::None,
    ),
    (
        "github-fine-grained-token",
        "GitHub fine-grained personal access token",
        r"(?-u:\b)(github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)",
        Check::None,
    ),
    (
        "gitlab-token",
        "GitLab personal access token",
        r"(?-u:\b)(glpat-[A-Za-z0-9_-]{20,})",
        Check::None,
    ),
    (
        "slack-token",
        "Slack token",
        r"(?-u:\b)(xox[abposre]-[0-9A-Za-z-]{10,})",
        Check::None,
    ),
    (
        "slack-webhook",
        "Slack incoming webhook URL",
        r"(https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/+-]{20,})",
        Check::PlaceholderLow,
    ),
    (
        "stripe-key",
        "Stripe secret or restricted key",
        r"(?-u:\b)((?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,})",
        Check::StripeMode,
    ),
    (
        "twilio-key",
        "Twilio account SID or API key",
        r"(?-u:\b)((?:AC|SK)[0-9a-z]{32})(?-u:\b)",
        Check::HexOrLow,
    ),
    (
        "sendgrid-key",
        "SendGrid API key",
        r"(?-u:\b)(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        Check::None,
    ),
    (
        "square-secret",
        "Square application secret or token",
        r"(?-u:\b)(sq0(?:atp|csp|idp|idk)-[0-9A-Za-z_-]{22,})",
        Check::None,
    ),
    (
        "square-access-token",
        "Square access token",
        r"(?-u:\b)(EAAA[A-Za-z0-9_=+-]{56,64})(?:[^A-Za-z0-9_=+-]|$)",
        Check::None,
    ),
    (
        "mailchimp-key",
        "Mailchimp API key",
        r"(?-u:\b)([0-9a-f]{32}-us[0-9]{1,2})(?-u:\b)",
        Check::None,
    ),
    (
        "npm-token",
        "npm access token",
        r"(?-u:\b)(npm_[A-Za-z0-9]{36})(?-u:\b)",
        Check::None,
    ),
    (
        "npmrc-auth-token",
        "npm registry auth token in .npmrc",
        r"//[^\s]+/:_authToken=([^\s'\x22]+)",
        Check::PlaceholderLow,
    ),
    (
        "jwt",
        "JSON Web Token",
        r"(?-u:\b)(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)*)",
        Check::None,
    ),
    (
        "age-secret-key",
        "age encryption secret key",
        r"(?-u:\b)(AGE-SECRET-KEY-1[0-9A-Z]{58})(?-u:\b)",
        Check::None,
    ),
    (
        "intra42-secret",
        "42 intranet client secret",
        r"(?-u:\b)(s-s4t2(?:ud|af)-[0-9a-f]{64})(?-u:\b)",
        Check::None,
    ),
    (
        "terraform-cloud-token",
        "Terraform Cloud API token",
        r"(?-u:\b)([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_=-]|$)",
        Check::None,
    ),
    (
        "vault-service-token",
        "Vault service token (hvs.)",
        r"(?-u:\b)(hvs\.[A-Za-z0-9_-]{24,})",
        Check::None,
    ),
    (
        "vault-batch-token",
        "Vault batch token (hvb.)",
        r"(?-u:\b)(hvb\.[A-Za-z0-9_-]{24,})",
        Check::None,
    ),
    (
        "vault-recovery-token",
        "Vault recovery token (hvr.)",
        r"(?-u:\b)(hvr\.[A-Za-z0-9_-]{24,})",
        Check::None,
    ),
    (
        "vault-service-token-legacy",
        "Vault service token (legacy s. format)",
        r"(?i:vault|token|key|secret|hashicorp)[\x22'`:= \t]{0,5}(?-u:\b)(s\.[A-Za-z0-9_-]{24,128})(?:[^A-Za-z0-9_-]|$)",
        Check::HasDigit,
    ),
    (
        "vault-batch-token-legacy",
        "Vault batch token (legacy b. format)",
        r"(?i:vault|token|key|secret|hashicorp)[\x22'`:= \t]{0,5}(?-u:\b)(b\.[A-Za-z0-9_-]{24,500})(?:[^A-Za-z0-9_-]|$)",
        Check::HasDigit,
    ),
    (
        "vault-recovery-token-legacy",
        "Vault recovery token (legacy r. format)",
        r"(?i:vault|token|key|secret|hashicorp)[\x22'`:= \t]{0,5}(?-u:\b)(r\.[A-Za-z0-9_-]{24,500})(?:[^A-Za-z0-9_-]|$)",
        Check::HasDigit,
    ),
    (
        "vault-unseal-key",
        "Vault unseal key",
        r"(?i:unseal)(?-u:\b).{1,10}?(?-u:\b)([A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{44})(?:[^A-Za-z0-9+/=]|$)",
        Check::None,
    ),
];

/// All built-in format rules, compiled once.
pub(crate) static RULES: LazyLock<Vec<FormatRule>> = LazyLock::new(|| {
    TABLE
        .iter()
        .filter_map(|(id, description, re, check)| {
            // The table is static and covered by `all_rules_compile`; a bad entry is skipped, never a panic.
            Regex::new(re).ok().map(|regex| FormatRule {
                id,
                description,
                regex,
                check: *check,
            })
        })
        .collect()
});

/// All of [`RULES`] as one set: a single pass over a file tells which rules can match at all,
/// so the per-rule capture searches run only for those (most files match none).
static RULE_SET: LazyLock<Option<RegexSet>> =
    LazyLock::new(|| RegexSet::new(RULES.iter().map(|r| r.regex.as_str())).ok());

static URL_CREDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]{1,30}://([^\s:@/'\x22`<>]{1,128}):([^\s@/'\x22`<>]{1,256})@[^\s/?#'\x22`<>]+").ok()
});

static PEM_BEGIN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----").ok()
});

/// Demonstration credentials seen in documentation (`http://public:secret@…`, `user:user`).
const DEMO_PASSWORDS: &[&str] = &[
    "secret", "password", "pass", "passwd", "user", "admin", "root", "guest", "test", "public",
    "demo", "example", "changeme", "x", "xx", "xxx", "pwd", "foo", "bar", "baz",
];

/// Run every format rule, the URL rule and the PEM rule over `text`.
pub(crate) fn scan(text: &str) -> Vec<RawHit> {
    let mut out = Vec::new();
    let candidates = RULE_SET.as_ref().map(|set| set.matches(text));
    for (i, rule) in RULES.iter().enumerate() {
        if let Some(c) = &candidates
            && !c.matched(i)
        {
            continue;
        }
        for caps in rule.regex.captures_iter(text) {
            let Some(m) = caps.get(1) else { continue };
            let v = m.as_str();
            let confidence = match rule.check {
                Check::None => Confidence::High,
                Check::PlaceholderLow => {
                    if filters::reference_like(v) {
                        continue;
                    }
                    if looks_templated(v) {
                        Confidence::Low
                    } else {
                        Confidence::High
                    }
                }
                Check::HexOrLow => {
                    if v[2..].bytes().all(|c| c.is_ascii_hexdigit()) {
                        Confidence::High
                    } else {
                        Confidence::Low
                    }
                }
                Check::StripeMode => {
                    if v.contains("_test_") {
                        Confidence::Medium
                    } else {
                        Confidence::High
                    }
                }
                Check::HasDigit => {
                    if !v[2..].bytes().any(|c| c.is_ascii_digit()) {
                        continue;
                    }
                    Confidence::High
                }
            };
            out.push(RawHit {
                rule_id: rule.id,
                description: rule.description,
                span: m.range(),
                confidence,
            });
        }
    }
    url_credentials(text, &mut out);
    private_keys(text, &mut out);
    out
}

/// `xxxx`, `XXXX`, `<…>` or an upper-case word where a credential should be.
fn looks_templated(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("xxxx") || v.contains('<') || v.contains("***")
}

fn url_credentials(text: &str, out: &mut Vec<RawHit>) {
    let Some(re) = URL_CREDS.as_ref() else { return };
    for caps in re.captures_iter(text) {
        let (Some(user), Some(pw)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let p = pw.as_str();
        if p == user.as_str()
            || DEMO_PASSWORDS.contains(&p)
            || filters::reference_like(p)
            || p.starts_with('{')
        {
            continue;
        }
        let upper_word = p.len() >= 3 && p.bytes().all(|c| c.is_ascii_uppercase() || c == b'_');
        let confidence = if upper_word || looks_templated(p) {
            Confidence::Low
        } else if p.len() >= 8 {
            Confidence::High
        } else {
            Confidence::Medium
        };
        out.push(RawHit {
            rule_id: "url-credentials",
            description: "password in a URL",
            span: pw.range(),
            confidence,
        });
    }
}

/// PEM private-key blocks: a `BEGIN … PRIVATE KEY` line followed by a line break (real or the
/// two characters `\n` inside a string) and a base64 body. The secret is the whole block.
fn private_keys(text: &str, out: &mut Vec<RawHit>) {
    let Some(re) = PEM_BEGIN.as_ref() else { return };
    for caps in re.captures_iter(text) {
        let (Some(all), Some(label)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let rest = &text[all.end()..];
        let body_off = if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with('\n') || rest.starts_with("\\n") {
            if rest.starts_with('\n') { 1 } else { 2 }
        } else {
            continue;
        };
        let end_marker = format!("-----END {}-----", label.as_str());
        let window = &rest[..rest.len().min(1 << 16)];
        let (body, end, confidence) = match window.find(&end_marker) {
            Some(i) => (
                &window[body_off.min(i)..i],
                all.end() + i + end_marker.len(),
                Confidence::High,
            ),
            None => {
                let stop = window[body_off..]
                    .find("\n\n")
                    .map_or(window.len(), |i| body_off + i);
                (
                    &window[body_off..stop],
                    all.end() + stop,
                    Confidence::Medium,
                )
            }
        };
        let base64_chars = body
            .bytes()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
            .count();
        let longest_run = body
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
            .map(str::len)
            .max()
            .unwrap_or(0);
        if longest_run < 16 || (confidence == Confidence::Medium && base64_chars < 64) {
            continue;
        }
        out.push(RawHit {
            rule_id: "private-key",
            description: "PEM private key",
            span: all.start()..end,
            confidence,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_rules_compile() {
        assert_eq!(RULES.len(), TABLE.len());
        assert!(URL_CREDS.is_some());
        assert_eq!(RULE_SET.as_ref().map(RegexSet::len), Some(RULES.len()));
        assert!(PEM_BEGIN.is_some());
    }

    fn ids(t: &str) -> Vec<&'static str> {
        scan(t).into_iter().map(|h| h.rule_id).collect()
    }

    #[test]
    fn pem_needs_a_body() {
        assert!(
            ids("-----BEGIN PRIVATE KEY-----this is not a private key-----END PRIVATE KEY-----")
                .is_empty()
        );
        let k = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(ids(k), ["private-key"]);
        let json = r#"{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(ids(json), ["private-key"]);
    }

    #[test]
    fn url_passwords() {
        assert_eq!(
            ids("postgres://app:Zx8!kq2Lm0@db.internal/app"),
            ["url-credentials"]
        );
        assert!(ids("http://public:secret@example.com/1").is_empty());
        assert!(ids("postgresql://user:user@no_connection/no_db").is_empty());
        assert!(ids("postgres://${DB_USER}:${DB_PASS}@db/app").is_empty());
        let low = scan("mysql://USERNAME:PASSWORD@example.com");
        assert_eq!(low[0].confidence, Confidence::Low);
    }
}
