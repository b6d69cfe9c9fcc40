//! The record scanner: one JSON object in, a borrowed [`RawRecord`] out.
//!
//! - `cursor`: a strict JSON cursor that skips what is not needed without allocating.
//! - `record`: picks the audit fields (`time`, `type`, `error`, `auth.*`, `request.*`,
//!   `response.auth`) out of an entry of any schema generation.

mod cursor;
mod record;

pub use cursor::MAX_DEPTH;
pub use record::{RawAuth, RawRecord, RawRequest, scan_record};

/// Why a record could not be read: what was wrong and the byte offset inside the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset inside the record where reading failed.
    pub offset: usize,
    /// What was expected or wrong there (e.g. `a string`, `nesting too deep`).
    pub what: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

/// Scans raw bytes: checks UTF-8 first, then the JSON.
pub fn scan_bytes(bytes: &[u8]) -> Result<RawRecord<'_>, ScanError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => scan_record(text),
        Err(e) => Err(ScanError {
            offset: e.valid_up_to(),
            what: "invalid UTF-8",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_fields_and_ignores_unknown_ones() {
        let line = r#"{"time":"2020-04-30T14:27:10.6656485Z","type":"response","zzz":[1,2.5e3,{"a":null}],"auth":{"display_name":"root","policies":["root"]},"request":{"id":"x","operation":"update","path":"sys/audit/file","namespace":{"id":"root"},"data":{"k":"hmac-sha256:aa"}},"response":{"auth":{"display_name":"userpass-bob"}},"error":"a\nb"}"#;
        let r = scan_record(line).expect("valid");
        assert_eq!(r.kind.as_deref(), Some("response"));
        assert_eq!(r.request.path.as_deref(), Some("sys/audit/file"));
        assert_eq!(r.request.namespace_id.as_deref(), Some("root"));
        assert!(r.auth.root_policy);
        assert!(r.response_auth);
        assert_eq!(r.response_display_name.as_deref(), Some("userpass-bob"));
        assert_eq!(r.error.as_deref(), Some("a\nb"));
        assert!(r.time_nanos.is_some());
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            r#"{"time":"x","type":"request""#,
            r#"{"time":"x",}"#,
            r#"{"time":01}"#,
            r#"{"time":"x"} x"#,
            r#"{"a":[1,]}"#,
            r#"{"a":tru}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"\q"}"#,
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad}"
            );
            assert!(scan_record(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_record_must_be_an_object() {
        assert!(scan_record("[1]").is_err());
        assert!(scan_record("\"request\"").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "{{\"type\":\"request\",\"x\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = scan_record(&deep).expect_err("too deep");
        assert!(e.what.contains("nesting"), "{e}");
    }

    #[test]
    fn not_an_audit_entry() {
        assert!(scan_record(r#"{"a":1}"#).is_err());
        assert!(scan_bytes(b"{\"type\":\"\xff\"}").is_err());
    }
}
