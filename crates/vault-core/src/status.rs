//! [`error_from_response`]: turn an HTTP status and Vault's `{"errors":[…]}` body into a
//! [`VaultError`] of the right kind ([HTTP status codes](https://developer.hashicorp.com/vault/api-docs#http-status-codes)).
//!
//! Architecture Invariant: only Vault's `errors` strings (and at most a short snippet of a
//! non-JSON body) go into the error; request bodies and tokens never do.

use std::time::Duration;

use crate::error::{VaultError, VaultErrorKind, clean_vault_error};

/// Longest snippet of a non-JSON error body kept in a message.
const SNIPPET: usize = 200;

/// Map a response with status >= 300 to a [`VaultError`].
///
/// | status | kind |
/// | --- | --- |
/// | 400, 405, 409, 413, 415, other 4xx | `Validation` |
/// | 401 | `Authentication` |
/// | 403 with "invalid token" / "bad token" | `InvalidToken` |
/// | 403 otherwise | `Permission` |
/// | 404 with empty `errors` | `SecretNotFound` (nothing at this path) |
/// | 404 with `errors` | `RouteNotFound` (no such mount or route) |
/// | 429 | `RateLimited` (with `Retry-After`) |
/// | 503 with "sealed" | `Sealed` |
/// | "not initialized" in any 5xx | `Uninitialized` |
/// | other 3xx, 5xx | `Server` |
pub fn error_from_response(
    operation: &str,
    path: &str,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> VaultError {
    let (errors, snippet) = parse_errors(body);
    let joined = errors
        .iter()
        .map(|e| clean_vault_error(e).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("; ");
    let has = |needle: &str| joined.contains(needle);

    let (kind, hint): (VaultErrorKind, Option<&str>) = match status {
        400 => (VaultErrorKind::Validation, None),
        401 => (VaultErrorKind::Authentication, Some("log in again")),
        403 if has("invalid token") || has("bad token") => (
            VaultErrorKind::InvalidToken,
            Some("the token expired or was revoked; log in again or supply a fresh token"),
        ),
        403 => (
            VaultErrorKind::Permission,
            Some("check the token's policies for this path and operation"),
        ),
        404 if errors.is_empty() => (VaultErrorKind::SecretNotFound, None),
        404 => (
            VaultErrorKind::RouteNotFound,
            Some("check the mount path (is the secrets engine enabled there?)"),
        ),
        429 => (
            VaultErrorKind::RateLimited,
            Some("slow down; a rate-limit quota applies"),
        ),
        503 if has("sealed") => (
            VaultErrorKind::Sealed,
            Some("unseal Vault (bao operator unseal)"),
        ),
        500..=599 if has("not initialized") || has("uninitialized") => (
            VaultErrorKind::Uninitialized,
            Some("initialise Vault (bao operator init)"),
        ),
        300..=399 => (
            VaultErrorKind::Server,
            Some("a standby redirected the request; use the active node's address"),
        ),
        402..=499 => (VaultErrorKind::Validation, None),
        _ => (VaultErrorKind::Server, None),
    };

    let mut err = VaultError::new(kind)
        .with_operation(operation)
        .with_path(path)
        .with_status(status);
    if !errors.is_empty() {
        err = err.with_errors(errors);
    } else if let Some(s) = snippet {
        err = err.with_message(s);
    } else if (300..400).contains(&status) {
        let location = header(headers, "location").unwrap_or("(no Location header)");
        err = err.with_message(format!("redirect to {location} was not followed"));
    }
    if let Some(h) = hint {
        err = err.with_hint(h);
    }
    if let Some(d) = header(headers, "retry-after").and_then(parse_retry_after) {
        err = err.with_retry_after(d);
    }
    err
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Vault's `errors` list, or a short snippet of a body that is not Vault JSON.
fn parse_errors(body: &[u8]) -> (Vec<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        #[serde(default)]
        errors: Option<Vec<String>>,
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return (Vec::new(), None);
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => (b.errors.unwrap_or_default(), None),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let cut: String = text.chars().take(SNIPPET).collect();
            let cut = if cut.len() < text.len() {
                format!("{cut}…")
            } else {
                cut
            };
            (Vec::new(), Some(format!("unexpected response body: {cut}")))
        }
    }
}

/// Parse a `Retry-After` value given in seconds (HTTP dates are not used by Vault).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> VaultError {
        error_from_response("read", "secret/data/app", status, &[], body.as_bytes())
    }

    #[test]
    fn every_status_maps_to_its_kind() {
        use VaultErrorKind as K;
        let cases: &[(u16, &str, VaultErrorKind)] = &[
            (
                400,
                r#"{"errors":["check-and-set parameter did not match the current version"]}"#,
                K::Validation,
            ),
            (401, r#"{"errors":[]}"#, K::Authentication),
            (
                403,
                r#"{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}"#,
                K::InvalidToken,
            ),
            (
                403,
                r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#,
                K::Permission,
            ),
            (404, r#"{"errors":[]}"#, K::SecretNotFound),
            (404, "", K::SecretNotFound),
            (
                404,
                r#"{"errors":["no handler for route \"x/y\". route entry not found."]}"#,
                K::RouteNotFound,
            ),
            (
                405,
                r#"{"errors":["unsupported operation"]}"#,
                K::Validation,
            ),
            (
                409,
                r#"{"errors":["path is already in use at secret/"]}"#,
                K::Validation,
            ),
            (
                412,
                r#"{"errors":["required index state not present"]}"#,
                K::Validation,
            ),
            (
                415,
                r#"{"errors":["PATCH requires Content-Type"]}"#,
                K::Validation,
            ),
            (
                429,
                r#"{"errors":["rate limit quota exceeded"]}"#,
                K::RateLimited,
            ),
            (500, r#"{"errors":["internal error"]}"#, K::Server),
            (501, r#"{"errors":[]}"#, K::Server),
            (502, "<html>bad gateway</html>", K::Server),
            (503, r#"{"errors":["Vault is sealed"]}"#, K::Sealed),
            (503, r#"{"errors":["node is not active"]}"#, K::Server),
            (
                503,
                r#"{"errors":["Vault is not initialized"]}"#,
                K::Uninitialized,
            ),
            (307, "", K::Server),
        ];
        for (status, body, kind) in cases {
            let e = map(*status, body);
            assert_eq!(e.kind(), *kind, "status {status} body {body}");
            assert_eq!(e.status(), Some(*status));
            assert_eq!(e.path(), Some("secret/data/app"));
            assert_eq!(e.operation(), Some("read"));
        }
    }

    #[test]
    fn not_found_is_distinguishable_from_missing_route() {
        assert!(map(404, r#"{"errors":[]}"#).is_not_found());
        let route = map(404, r#"{"errors":["no handler for route"]}"#);
        assert!(!route.is_not_found());
        assert_eq!(route.vault_errors(), ["no handler for route".to_string()]);
    }

    #[test]
    fn retryability_follows_status() {
        assert!(map(412, "{}").is_retryable());
        assert!(map(429, "{}").is_retryable());
        assert!(map(500, "{}").is_retryable());
        assert!(map(503, r#"{"errors":["Vault is sealed"]}"#).is_retryable());
        assert!(!map(501, "{}").is_retryable());
        assert!(!map(400, "{}").is_retryable());
        assert!(!map(403, "{}").is_retryable());
        assert!(!map(404, "{}").is_retryable());
    }

    #[test]
    fn retry_after_is_read_from_headers() {
        let e = error_from_response(
            "read",
            "p",
            429,
            &[("Retry-After".into(), "2".into())],
            b"{}",
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn non_json_bodies_become_short_snippets() {
        let long = "x".repeat(1000);
        let e = map(502, &long);
        let m = e.message().expect("snippet");
        assert!(m.len() < 300, "{m}");
        assert!(e.to_string().contains("HTTP 502"));
    }
}
