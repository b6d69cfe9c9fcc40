//! Detection: which values in a file are secrets.
//!
//! | module | job |
//! |---|---|
//! | [`rules`] | value-format rules over the whole text (cloud keys, tokens, JWT, PEM, Vault tokens, URL passwords) |
//! | [`keyname`] | key-name classification (`DB_PASSWORD` yes, `DB_HOST` no) |
//! | [`entropy`] | Shannon entropy and character class |
//! | [`filters`] | placeholders, references, identifiers, numbers, UUIDs, sequences |
//!
//! Three kinds of evidence, strongest first: a value format (priority 3), a user pattern or a
//! secret key name with a plausible value (2), high entropy under a neutral key (1). Where hits
//! overlap, the strongest one is kept, so each value is reported once.

pub(crate) mod entropy;
pub(crate) mod filters;
pub(crate) mod keyname;
pub(crate) mod rules;

use std::borrow::Cow;
use std::ops::Range;

use regex::Regex;

use crate::error::{MigrateError, MigrateErrorKind};
use crate::finding::Confidence;
use crate::parse::{Entry, FileKind, Parsed, Quote};
use entropy::Charset;
use keyname::KeyClass;

/// Thresholds of the generic (key-name and entropy) rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// Minimum entropy (bits/char) of a base64-alphabet value under a neutral key.
    pub base64_threshold: f64,
    /// Minimum entropy of a hex value under a neutral key.
    pub hex_threshold: f64,
    /// Minimum entropy of other values (with punctuation) under a neutral key.
    pub other_threshold: f64,
    /// Values shorter than this are never reported on entropy alone.
    pub min_entropy_len: usize,
    /// Values under a secret key name shorter than this are not reported.
    pub min_keyword_len: usize,
    /// Values under a secret key name with less entropy than this are not reported (`aaaa…`).
    pub min_keyword_entropy: f64,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            base64_threshold: 4.0,
            hex_threshold: 3.0,
            other_threshold: 4.2,
            min_entropy_len: 16,
            min_keyword_len: 8,
            min_keyword_entropy: 2.5,
        }
    }
}

impl DetectConfig {
    /// A sensitive profile that also reports short random values under neutral keys (entropy
    /// limit 3.0 for every alphabet, 8 characters minimum), like detect-secrets run with
    /// `limit=3.0`. More findings, more noise.
    pub fn sensitive() -> Self {
        DetectConfig {
            base64_threshold: 3.0,
            hex_threshold: 3.0,
            other_threshold: 3.0,
            min_entropy_len: 8,
            ..Self::default()
        }
    }
}

/// A user regex pattern (the Python module's `patterns=[r"API_KEY.*=.*"]`). With a capture group, group 1
/// is the secret; otherwise the value of the assignment on the matched line, or the whole match.
#[derive(Debug, Clone)]
pub(crate) struct CustomPattern {
    /// Rule id reported for its findings (`custom-1`, `custom-2`, … in the order given).
    pub id: String,
    regex: Regex,
}

impl CustomPattern {
    /// Compile `pattern`; `index` names it `custom-<index>` in findings.
    pub(crate) fn new(index: usize, pattern: &str) -> Result<Self, MigrateError> {
        let regex = Regex::new(pattern).map_err(|e| {
            MigrateError::new(
                MigrateErrorKind::Pattern,
                format!("pattern #{index} `{pattern}` does not compile: {e}"),
            )
            .with_hint("patterns use Rust regex syntax (no look-around or back-references)")
        })?;
        Ok(CustomPattern {
            id: format!("custom-{index}"),
            regex,
        })
    }
}

/// One detected secret in one text, before allowlisting.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule_id: Cow<'static, str>,
    pub description: Cow<'static, str>,
    pub span: Range<usize>,
    pub value: String,
    pub key: Option<String>,
    pub confidence: Confidence,
    pub priority: u8,
}

/// Runs all rules over one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Detector {
    pub config: DetectConfig,
    pub custom: Vec<CustomPattern>,
}

impl Detector {
    pub(crate) fn detect(&self, kind: FileKind, text: &str, parsed: &Parsed) -> Vec<Hit> {
        let mut hits: Vec<Hit> = rules::scan(text)
            .into_iter()
            .map(|r| Hit {
                rule_id: Cow::Borrowed(r.rule_id),
                description: Cow::Borrowed(r.description),
                value: text[r.span.clone()].to_string(),
                span: r.span,
                key: None,
                confidence: r.confidence,
                priority: 3,
            })
            .collect();
        let dotenv = kind == FileKind::Dotenv;
        for e in &parsed.entries {
            if let Some(h) = self.entry_hit(e, dotenv) {
                hits.push(h);
            }
        }
        for p in &self.custom {
            for caps in p.regex.captures_iter(text) {
                let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                let (span, value, key) = if caps.get(1).is_some() {
                    (m.range(), m.as_str().to_string(), None)
                } else if let Some(e) = parsed
                    .entries
                    .iter()
                    .find(|e| e.span.start >= m.start() && e.span.start <= m.end())
                {
                    (e.span.clone(), e.value.clone(), Some(e.key.clone()))
                } else {
                    (m.range(), m.as_str().to_string(), None)
                };
                if value.trim().is_empty() || filters::reference_like(&value) {
                    continue;
                }
                hits.push(Hit {
                    rule_id: Cow::Owned(p.id.clone()),
                    description: Cow::Owned(format!("matches user pattern `{}`", p.regex.as_str())),
                    span,
                    value,
                    key,
                    confidence: Confidence::Medium,
                    priority: 2,
                });
            }
        }
        let mut kept = dedupe(hits);
        for h in kept.iter_mut().filter(|h| h.key.is_none()) {
            if let Some(e) = parsed
                .entries
                .iter()
                .find(|e| overlaps(&e.span, &h.span) && !e.key.is_empty())
            {
                h.key = Some(e.key.clone());
            }
        }
        kept
    }

    fn entry_hit(&self, e: &Entry, dotenv: bool) -> Option<Hit> {
        if e.is_reference {
            return None;
        }
        // `"hmac-sha256:<hex>"` read by a line parser as key `…hmac-sha256`, value `<hex>`: an
        // audit log's keyed hash, not a secret.
        if e.key.ends_with("hmac-sha256")
            && filters::is_audit_hmac(&format!("hmac-sha256:{}", e.value.trim()))
        {
            return None;
        }
        let class = self.classify(e, dotenv);
        let value = e.value.as_str();
        let key = (!e.key.is_empty()).then(|| e.key.clone());
        match class {
            KeyClass::Negative => None,
            KeyClass::Secret(kind) => {
                let confidence = self.keyword_confidence(value, e.quote, dotenv)?;
                Some(Hit {
                    rule_id: Cow::Borrowed(kind.rule_id()),
                    description: Cow::Owned(format!(
                        "value of a key named like a {}",
                        kind_words(kind)
                    )),
                    span: e.span.clone(),
                    value: value.to_string(),
                    key,
                    confidence,
                    priority: 2,
                })
            }
            KeyClass::Neutral if !e.key.is_empty() => {
                let cs = self.high_entropy(value, e.quote, dotenv)?;
                let rule_id = match cs {
                    Charset::Hex => "high-entropy-hex",
                    Charset::Base64 => "high-entropy-base64",
                    Charset::Other => "high-entropy-string",
                };
                Some(Hit {
                    rule_id: Cow::Borrowed(rule_id),
                    description: Cow::Borrowed("high-entropy value"),
                    span: e.span.clone(),
                    value: value.to_string(),
                    key,
                    confidence: Confidence::Medium,
                    priority: 1,
                })
            }
            KeyClass::Neutral => None,
        }
    }

    /// The key's class; a neutral key under a secret-named parent (`password: {secure: …}`)
    /// takes the parent's class.
    fn classify(&self, e: &Entry, dotenv: bool) -> KeyClass {
        let own = if e.key.is_empty() {
            KeyClass::Neutral
        } else {
            keyname::classify(&e.key, dotenv)
        };
        if own != KeyClass::Neutral {
            return own;
        }
        let parent = if e.key.is_empty() {
            e.key_path.rsplit('.').next()
        } else {
            e.key_path
                .strip_suffix(e.key.as_str())
                .and_then(|p| p.strip_suffix('.'))
                .and_then(|p| p.rsplit('.').next())
        };
        match parent.map(|p| keyname::classify(p, dotenv)) {
            Some(c @ KeyClass::Secret(_)) => c,
            _ => KeyClass::Neutral,
        }
    }

    fn keyword_confidence(&self, v: &str, quote: Quote, dotenv: bool) -> Option<Confidence> {
        let c = &self.config;
        let n = v.chars().count();
        if n < c.min_keyword_len
            || filters::is_placeholder(v)
            || filters::is_sequential(v)
            || filters::reference_like(v)
            || filters::is_timestamp(v)
            || filters::is_audit_hmac(v)
            || v.matches(' ').count() >= 2
            || (quote == Quote::None && !dotenv && filters::is_identifier_reference(v))
        {
            return None;
        }
        let h = entropy::shannon(v);
        if h < c.min_keyword_entropy {
            return None;
        }
        Some(if h >= 3.5 && n >= 12 {
            Confidence::High
        } else {
            Confidence::Medium
        })
    }

    fn high_entropy(&self, v: &str, quote: Quote, dotenv: bool) -> Option<Charset> {
        let c = &self.config;
        // Cheapest checks first: most values fail on length or shape.
        if v.len() < c.min_entropy_len
            || v.chars().count() < c.min_entropy_len
            || !filters::has_random_segment(v, c.min_entropy_len.min(8))
            || filters::is_structured_text(v)
            || filters::is_numeric(v)
            || filters::is_uuid(v)
            || filters::is_audit_hmac(v)
            || filters::reference_like(v)
            || (quote == Quote::None && !dotenv && filters::is_identifier_reference(v))
            || filters::is_sequential(v)
            || filters::is_placeholder(v)
        {
            return None;
        }
        let cs = entropy::charset(v);
        let threshold = match cs {
            Charset::Hex => c.hex_threshold,
            Charset::Base64 => c.base64_threshold,
            Charset::Other => c.other_threshold,
        };
        (entropy::shannon(v) >= threshold).then_some(cs)
    }
}

fn kind_words(kind: keyname::SecretKind) -> &'static str {
    use keyname::SecretKind::*;
    match kind {
        Password => "password",
        Secret => "secret",
        Token => "token",
        ApiKey => "API key",
        PrivateKey => "private key",
        Dsn => "DSN or connection string",
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Keep the strongest hit for each stretch of text.
fn dedupe(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.confidence.cmp(&a.confidence))
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        if !kept.iter().any(|k| overlaps(&k.span, &h.span)) {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| h.span.start);
    kept
}
