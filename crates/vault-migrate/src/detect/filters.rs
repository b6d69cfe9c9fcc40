//! Filters that drop values which look like secrets to a naive rule but are not: placeholders,
//! references, identifiers, numbers, UUIDs, sequences and repetitions.

use std::sync::LazyLock;

use regex::Regex;

/// Words that mark a value as a placeholder or a description rather than a secret.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "example",
    "placeholder",
    "dummy",
    "sample",
    "redacted",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "xxxx",
    "****",
    "....",
    "todo",
    "fixme",
    "replace_me",
    "replaceme",
    "insert_",
    "secret",
    "password",
    "passwd",
    "token",
    "api_key",
    "apikey",
    "notreal",
    "not_real",
    "fake",
    "hunter2",
];

/// [`PLACEHOLDER_WORDS`] and `xxx` as one automaton: a single pass over a value instead of one
/// substring search per word.
static PLACEHOLDER_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let alts: Vec<String> = std::iter::once("xxx")
        .chain(PLACEHOLDER_WORDS.iter().copied())
        .map(regex::escape)
        .collect();
    Regex::new(&alts.join("|")).ok()
});

/// Whole values that are never secrets.
const NON_VALUES: &[&str] = &[
    "true",
    "false",
    "null",
    "none",
    "nil",
    "undefined",
    "yes",
    "no",
    "on",
    "off",
    "required",
    "optional",
    "empty",
    "default",
    "n/a",
    "na",
    "tbd",
    "unset",
    "disabled",
    "enabled",
];

/// A placeholder, template or non-value (`changeme`, `<your-token>`, `{{ x }}`, `%s`, `xxx`, `true`).
pub(crate) fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty() {
        return true;
    }
    let l = t.to_ascii_lowercase();
    if NON_VALUES.contains(&l.as_str()) {
        return true;
    }
    if (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with('[') && t.ends_with(']') && !t.contains(','))
    {
        return true;
    }
    if t.contains("${")
        || t.contains("{{")
        || t.contains("%(")
        || t.contains("%s")
        || t.contains("#{")
    {
        return true;
    }
    let word = match PLACEHOLDER_RE.as_ref() {
        Some(re) => re.is_match(&l),
        None => l.contains("xxx") || PLACEHOLDER_WORDS.iter().any(|w| l.contains(w)),
    };
    if word {
        return true;
    }
    is_repetitive(t)
}

/// A run of one character, or a short pattern repeated (`asdfasdfasdf`, `abab`).
pub(crate) fn is_repetitive(v: &str) -> bool {
    let b = v.as_bytes();
    let n = b.len();
    if n < 2 {
        return false;
    }
    (1..=n / 2).any(|p| (p..n).all(|i| b[i] == b[i - p]))
}

/// A run of consecutive letters or digits (`abcdefghijklmnop`, `0123456789`, `qwertyuiop`).
pub(crate) fn is_sequential(v: &str) -> bool {
    const SEQS: &[&str] = &[
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
        "0123456789012345678901234567890123456789",
        "0123456789abcdef0123456789abcdef",
        "zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba",
        "98765432109876543210",
        "qwertyuiopasdfghjklzxcvbnm",
        "1234567890qwertyuiop",
    ];
    if v.len() < 4 {
        return false;
    }
    let l = v.to_ascii_lowercase();
    SEQS.iter().any(|s| s.contains(&l))
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex.
pub(crate) fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Digits with optional separators: numbers, dates, IPs, versions (`443`, `2024-01-01`, `10.0.0.1`).
pub(crate) fn is_numeric(v: &str) -> bool {
    v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_' | b':' | b'/' | b'+' | b' ')
        })
}

/// A date-time in RFC 3339 / ISO 8601 form (`2026-11-29T22:43:11.626488651Z`,
/// `2026-11-29 22:43:11+01:00`): a key like `token_issue_time` holds one, never a secret.
pub(crate) fn is_timestamp(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'Z' | b'z' | b'+' | b'-' | b':'))
}

/// A keyed hash as Vault's audit devices write them (`hmac-sha256:` and 64 hex digits): the
/// HMAC of a value, not the value. Audit logs are full of them.
pub(crate) fn is_audit_hmac(v: &str) -> bool {
    v.strip_prefix("hmac-sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// An unquoted code reference rather than a literal: `settings.GITHUB_API_SECRET`,
/// `os.environ`, `PROJECT_NAME_ALIAS`.
pub(crate) fn is_identifier_reference(v: &str) -> bool {
    let ident = |s: &str| {
        let b = s.as_bytes();
        !b.is_empty()
            && (b[0].is_ascii_alphabetic() || b[0] == b'_')
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() >= 2
        && parts.iter().all(|p| ident(p))
        && parts[0].bytes().all(|c| !c.is_ascii_digit())
    {
        return true;
    }
    // SCREAMING_SNAKE constant with at least two alphabetic words.
    let words: Vec<&str> = v.split('_').collect();
    words.len() >= 2
        && v.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
        && words
            .iter()
            .filter(|w| w.len() >= 2 && w.bytes().all(|c| c.is_ascii_uppercase()))
            .count()
            >= 2
}

/// A URL, path, query or prose: structure, not randomness.
pub(crate) fn is_structured_text(v: &str) -> bool {
    v.contains("://")
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.contains(['?', '&', ' ', '\t', '@'])
        || v.starts_with("sha1-")
        || v.starts_with("sha256-")
        || v.starts_with("sha384-")
        || v.starts_with("sha512-")
        || v.starts_with("sha256:")
}

/// Has a piece (split on `-_./:+=`) of at least `min` characters mixing letters and digits: what
/// random strings have and names (`eu-west-1`, `my-service-v2`) do not.
pub(crate) fn has_random_segment(v: &str, min: usize) -> bool {
    v.split(['-', '_', '.', '/', ':', '+', '=']).any(|s| {
        s.len() >= min
            && s.bytes().any(|c| c.is_ascii_digit())
            && s.bytes().any(|c| c.is_ascii_alphabetic())
    })
}

/// A reference or template rather than a literal (`$VAR`, `${VAR}`, `{{ x }}`, `%(x)s`).
pub(crate) fn reference_like(v: &str) -> bool {
    v.starts_with('$') || v.contains("${") || v.contains("{{") || v.starts_with('%')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_automaton_compiles_and_matches_every_word() {
        let re = PLACEHOLDER_RE.as_ref().expect("placeholder words compile");
        for w in PLACEHOLDER_WORDS {
            assert!(re.is_match(&format!("a{w}b")), "{w}");
        }
        assert!(re.is_match("axxxb"));
        assert!(!re.is_match("q8zr7kt2mw"));
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "<your-token>",
            "${DB_PASS}",
            "{{ vault }}",
            "xxxxxxxx",
            "true",
            "not_secret",
            "",
            "%s",
            "aaaaaaa",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for p in ["8ae31cacf141669ddfb5da", "s3cr3t-Pw!x"] {
            assert!(!is_placeholder(p), "{p}");
        }
    }

    #[test]
    fn shapes() {
        assert!(is_repetitive("asdfasdfasdfasdf"));
        assert!(!is_repetitive("asdfasdfq"));
        assert!(is_sequential("abcdefghijklmnop"));
        assert!(!is_sequential("456789123a"));
        assert!(is_uuid("203db13e-70c7-462b-9a3d-bf32640cb0be"));
        assert!(is_numeric("678912345"));
        assert!(!is_numeric("23456789a1"));
        assert!(is_timestamp("2026-11-29T22:43:11.626488651Z"));
        assert!(is_timestamp("2026-11-29 22:43:11+01:00"));
        assert!(!is_timestamp("2026-11-29T22:43:11Zk9Fq2"));
        assert!(!is_timestamp("hunter2-2026-11-29T22:43:11"));
        let hmac = format!("hmac-sha256:{}", "0a".repeat(32));
        assert!(is_audit_hmac(&hmac));
        assert!(!is_audit_hmac("hmac-sha256:s3cr3t-not-a-hash"));
        assert!(!is_audit_hmac(&format!("{hmac}0")));
        assert!(is_identifier_reference("settings.GITHUB_API_SECRET"));
        assert!(is_identifier_reference("PROJECT_NAME_ALIAS"));
        assert!(!is_identifier_reference("aB3dE9fG1h"));
        assert!(has_random_segment(
            "gX69YO4CvBsVjzAwYxdGyDd30t5+9ez31gKATtj4",
            8
        ));
        assert!(!has_random_segment("eu-west-1", 8));
    }
}
