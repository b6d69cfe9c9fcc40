//! Quoting for the helpers' SQL and connection URLs.

/// `name` as a PostgreSQL identifier: in double quotes, inner double quotes doubled.
pub(super) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `value` as a PostgreSQL string literal: single quotes doubled; with backslashes, the
/// escape-string form `E'…'` with backslashes doubled (safe whatever
/// `standard_conforming_strings` says), like PostgreSQL's own `quote_literal`.
pub(super) fn literal(value: &str) -> String {
    let quoted = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// Percent-encodes everything but unreserved URL characters.
pub(super) fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_their_quotes() {
        assert_eq!(ident("app"), "\"app\"");
        assert_eq!(ident("a\"; DROP ROLE x; --"), "\"a\"\"; DROP ROLE x; --\"");
    }

    #[test]
    fn literals_double_quotes_and_escape_backslashes() {
        assert_eq!(literal("pw"), "'pw'");
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\'b"), "E'a\\\\''b'");
    }

    #[test]
    fn url_components_are_percent_encoded() {
        assert_eq!(url_component("a b/c@d:é"), "a%20b%2Fc%40d%3A%C3%A9");
        assert_eq!(url_component("Az09-._~"), "Az09-._~");
    }
}
