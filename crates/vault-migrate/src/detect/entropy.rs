//! Shannon entropy and the character class of a candidate value.

/// The alphabet a value is drawn from; each has its own entropy threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Charset {
    /// Only `0-9a-fA-F`.
    Hex,
    /// Only base64 / base64url characters (`A-Za-z0-9+/=_-`).
    Base64,
    /// Anything else (punctuation, non-ASCII).
    Other,
}

/// Shannon entropy in bits per character.
pub(crate) fn shannon(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut other: Vec<(char, u32)> = Vec::new();
    let mut n = 0u32;
    for c in s.chars() {
        n += 1;
        if (c as u32) < 256 {
            counts[c as usize] += 1;
        } else if let Some(e) = other.iter_mut().find(|(k, _)| *k == c) {
            e.1 += 1;
        } else {
            other.push((c, 1));
        }
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .copied()
        .chain(other.iter().map(|(_, v)| *v))
        .filter(|c| *c > 0)
        .map(|c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The character class of `s`.
pub(crate) fn charset(s: &str) -> Charset {
    if s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Charset::Hex
    } else if s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
    {
        Charset::Base64
    } else {
        Charset::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(shannon(""), 0.0);
        assert_eq!(shannon("aaaa"), 0.0);
        assert!((shannon("ab") - 1.0).abs() < 1e-9);
        // gitleaks reports 3.5383105 for this value.
        assert!((shannon("8ae31cacf141669ddfb5da") - 3.538_310_5).abs() < 1e-6);
        assert_eq!(charset("deadBEEF09"), Charset::Hex);
        assert_eq!(charset("ab+/_-="), Charset::Base64);
        assert_eq!(charset("a b"), Charset::Other);
    }
}
