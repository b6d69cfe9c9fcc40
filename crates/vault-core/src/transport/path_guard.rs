//! [`check_request_path`]: refuse `.` and `..` path segments before a request leaves the process.
//!
//! URL building follows RFC 3986 and collapses dot segments, so `secret/../sys/seal` would be
//! sent to `/v1/sys/seal` with the caller's token. A mount or key that is `..` (from a flag, a
//! migrate plan or a hostile LIST answer) must never re-target a request.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::error::{VaultError, VaultErrorKind};

/// `Ok` when no segment of `path` (relative to `/v1/`) is `.` or `..`, also when written with
/// percent escapes (`%2e`, `.%2E`, `%2e%2e`) or with a backslash separator; otherwise a
/// [`VaultErrorKind::Validation`] error naming the path.
///
/// Every [`crate::Transport`] calls it before sending (see the trait's `# Contract`).
///
/// ```
/// use vault_core::check_request_path;
/// assert!(check_request_path("secret/data/app").is_ok());
/// assert!(check_request_path("secret/../sys/seal").is_err());
/// assert!(check_request_path("secret/%2e%2e/sys/seal").is_err());
/// ```
pub fn check_request_path(path: &str) -> Result<(), VaultError> {
    // Backslashes: WHATWG URL parsers treat them as `/` in special schemes.
    let bad = path.split(['/', '\\']).any(|segment| {
        let decoded: Cow<'_, str> = if segment.contains('%') {
            percent_decode_str(segment).decode_utf8_lossy()
        } else {
            Cow::Borrowed(segment)
        };
        matches!(decoded.as_ref(), "." | "..")
    });
    if bad {
        return Err(VaultError::msg(
            VaultErrorKind::Validation,
            "refused before sending: `.` and `..` are not allowed as a path segment",
        )
        .with_path(path)
        .with_hint("a mount, secret key or folder cannot be named `.` or `..`; check the --mount flag, the plan or the key"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_request_path;

    #[test]
    fn dot_segments_are_refused_in_every_spelling() {
        for bad in [
            "..",
            ".",
            "../sys/seal",
            "secret/..",
            "secret/./data",
            "secret/%2e%2e/sys",
            "secret/%2E%2e/sys",
            "secret/.%2e/sys",
            "secret/%2e/x",
            "secret\\..\\sys",
            "./",
        ] {
            assert!(check_request_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ordinary_paths_pass() {
        for good in [
            "",
            "secret/data/app",
            "secret/metadata/",
            "secret/data/...",
            "secret/data/.env",
            "secret/data/a..b",
            "secret/data/%2e%2e%2e",
            "a//b",
            "secret/data/100%",
        ] {
            assert!(check_request_path(good).is_ok(), "{good}");
        }
    }
}
