//! Parsing JSON that came from outside (response bodies) without echoing it in errors.
//!
//! serde's messages quote the offending input (`invalid type: string "s3cr3t", expected u64`,
//! `unknown variant "…"`), and a hostile or confused server can put a secret (or a terminal
//! escape) exactly there. Every place that parses a response body goes through [`parse`] or maps
//! its `serde_json::Error` with [`describe`]: the error then says what kind of problem it was and
//! where (line, column), never what the input held.
//!
//! Architecture Invariant: no `serde_json::Error` built from a response body is displayed, logged
//! or kept as an error source; only [`JsonBodyError`] is.

use std::fmt;

/// A JSON body that could not be parsed: the category and position only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonBodyError {
    category: &'static str,
    line: usize,
    column: usize,
}

impl JsonBodyError {
    /// From serde_json's error, dropping its message (which may quote the input).
    pub(crate) fn new(e: &serde_json::Error) -> Self {
        let category = match e.classify() {
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Data => "JSON of an unexpected shape",
            serde_json::error::Category::Io => "unreadable JSON",
        };
        JsonBodyError {
            category,
            line: e.line(),
            column: e.column(),
        }
    }
}

impl fmt::Display for JsonBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.category)?;
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonBodyError {}

/// Parse `bytes` as JSON into `T`; the error never contains any of the input.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonBodyError> {
    serde_json::from_slice(bytes).map_err(|e| JsonBodyError::new(&e))
}

/// Convert an already parsed JSON value into `T`; the error never contains any of the value.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, JsonBodyError> {
    serde_json::from_value(value).map_err(|e| JsonBodyError::new(&e))
}

/// The safe text for a serde_json error: category and position, e.g.
/// `JSON of an unexpected shape at line 1 column 17`.
pub(crate) fn describe(e: &serde_json::Error) -> String {
    JsonBodyError::new(e).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLANTED: &str = "s3cr3t-PLANTED";

    #[test]
    fn errors_name_category_and_position_never_the_input() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Ttl {
            ttl: u64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
        }
        let wrong_type = format!(r#"{{"ttl":"{PLANTED}"}}"#);
        let e = parse::<Ttl>(wrong_type.as_bytes()).expect_err("string for u64");
        assert_eq!(
            e.to_string(),
            "JSON of an unexpected shape at line 1 column 23"
        );
        // serde's own message would have leaked it:
        let raw = serde_json::from_slice::<Ttl>(wrong_type.as_bytes()).expect_err("raw");
        assert!(raw.to_string().contains(PLANTED));

        for body in [
            format!(r#"{{"ttl": 1, "{PLANTED}": }}"#),
            format!(r#"{{"ttl": "{PLANTED}"#),
            format!(r#""{PLANTED}""#),
            PLANTED.to_string(),
        ] {
            let e = parse::<Ttl>(body.as_bytes()).expect_err(&body);
            assert!(!e.to_string().contains("PLANTED"), "{e}");
        }
        let e = parse::<Kind>(format!(r#""{PLANTED}""#).as_bytes()).expect_err("variant");
        assert!(!e.to_string().contains("PLANTED"), "{e}");
        let e = from_value::<Ttl>(serde_json::json!({ "ttl": PLANTED })).expect_err("value");
        assert_eq!(e.to_string(), "JSON of an unexpected shape");
        assert_eq!(
            describe(&raw),
            "JSON of an unexpected shape at line 1 column 23"
        );
    }
}
