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
    headers: &http::HeaderMap,
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

/// The one status check of the request path: a response below 300 is returned as it is; any
/// other status has its (short) error body read and becomes the [`VaultError`] that
/// [`error_from_response`] maps it to.
pub(crate) async fn check(
    operation: &str,
    path: &str,
    mut response: crate::VaultResponse,
) -> Result<crate::VaultResponse, VaultError> {
    if response.status < 300 {
        return Ok(response);
    }
    let status = response.status;
    let headers = std::mem::take(&mut response.headers);
    let body = response.into_bytes().await.map_err(|e| {
        VaultError::msg(
            VaultErrorKind::Connection,
            format!("error response was cut short: {e}"),
        )
        .with_operation(operation)
        .with_path(path)
        .with_status(status)
    })?;
    Err(error_from_response(
        operation, path, status, &headers, &body,
    ))
}

use crate::transport::header_text as header;

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

/// Parse a `Retry-After` value: delay-seconds (`120`, also `1.5`), or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, as a wait from now; a date in the past is no wait).
///
/// A value from a hostile or broken server never panics: negative numbers, `NaN`, infinities and
/// anything unparsable give `None`; a number too large for a [`Duration`] (`1e300`) gives
/// [`Duration::MAX`]. The retry loop caps every wait at the policy's `max_delay`
/// ([`crate::RetryPolicy::delay`]).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_nan() || secs < 0.0 {
            return None;
        }
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let date = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> VaultError {
        error_from_response(
            "read",
            "secret/data/app",
            status,
            &http::HeaderMap::new(),
            body.as_bytes(),
        )
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
            &http::HeaderMap::from_iter([(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static("2"),
            )]),
            b"{}",
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        // A date in the past: no wait.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1"), None);
    }

    /// Hostile `Retry-After` values: none panics (`1e300` used to panic in
    /// `Duration::from_secs_f64`), none is negative, huge ones saturate (the retry loop then caps
    /// them at `max_delay`).
    #[test]
    fn hostile_retry_after_values_never_panic() {
        for v in [
            "1e300",
            "-1e300",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "infinity",
            "-0",
            "-0.5",
            "1e-300",
            "18446744073709551616",
            "99999999999999999999999",
            "0x10",
            "",
            "   ",
            "1 2",
            "٣",
            "Mon, 99 Foo 99999 99:99:99 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let _ = parse_retry_after(v);
        }
        assert_eq!(parse_retry_after("1e300"), Some(Duration::MAX));
        assert_eq!(
            parse_retry_after("18446744073709551616"),
            Some(Duration::MAX)
        );
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("-inf"), None);
        assert_eq!(parse_retry_after("inf"), Some(Duration::MAX));
        assert!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT")
                .is_some_and(|d| d > Duration::from_secs(1 << 30))
        );
        let p = crate::RetryPolicy::default();
        assert_eq!(p.delay(1, parse_retry_after("1e300")), p.max_delay);
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
