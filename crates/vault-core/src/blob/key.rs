//! Key rules shared by every [`super::BlobStore`]: a key can never name something outside the store.

use crate::{VaultError, VaultErrorKind};

/// Longest key accepted, in bytes (S3's limit).
pub const MAX_BLOB_KEY_LEN: usize = 1024;

/// Segment prefix reserved for in-progress uploads of [`super::LocalDirStore`].
pub(crate) const TEMP_PREFIX: &str = ".vaultkit-tmp.";

/// Check an object key: non-empty, relative, `/`-separated, no empty, `.` or `..` segments, no
/// backslash, NUL or other control characters, no segment starting with `.vaultkit-tmp.`, at most
/// [`MAX_BLOB_KEY_LEN`] bytes.
pub fn validate_blob_key(key: &str) -> Result<(), VaultError> {
    if key.is_empty() {
        return Err(bad(key, "the key is empty"));
    }
    check_common(key)?;
    if key.ends_with('/') {
        return Err(bad(
            key,
            "the key ends with `/` (that names a folder, not an object)",
        ));
    }
    for segment in key.split('/') {
        check_segment(key, segment)?;
    }
    Ok(())
}

/// Check a `list` prefix: like a key, but it may be empty and may end with `/` (a partial last
/// segment such as `backups/2026-` is fine).
pub fn validate_blob_prefix(prefix: &str) -> Result<(), VaultError> {
    if prefix.is_empty() {
        return Ok(());
    }
    check_common(prefix)?;
    let body = prefix.strip_suffix('/').unwrap_or(prefix);
    for segment in body.split('/') {
        check_segment(prefix, segment)?;
    }
    Ok(())
}

fn check_common(key: &str) -> Result<(), VaultError> {
    if key.len() > MAX_BLOB_KEY_LEN {
        return Err(bad(
            key,
            &format!(
                "the key is {} bytes long (at most {MAX_BLOB_KEY_LEN})",
                key.len()
            ),
        ));
    }
    if key.starts_with('/') {
        return Err(bad(key, "the key is absolute (starts with `/`)"));
    }
    if key.contains('\\') {
        return Err(bad(key, "the key contains a backslash"));
    }
    if key.contains('\0') {
        return Err(bad(key, "the key contains a NUL byte"));
    }
    if key.chars().any(char::is_control) {
        return Err(bad(key, "the key contains a control character"));
    }
    Ok(())
}

fn check_segment(key: &str, segment: &str) -> Result<(), VaultError> {
    match segment {
        "" => Err(bad(key, "the key has an empty segment (`//`)")),
        "." | ".." => Err(bad(key, "the key has a `.` or `..` segment")),
        s if s.starts_with(TEMP_PREFIX) => Err(bad(
            key,
            "the key uses the reserved `.vaultkit-tmp.` prefix",
        )),
        _ => Ok(()),
    }
}

fn bad(key: &str, message: &str) -> VaultError {
    // Show the key escaped, so a NUL or newline is visible in the message.
    VaultError::new(VaultErrorKind::Validation)
        .with_operation("check blob key")
        .with_path(key.escape_debug().to_string())
        .with_message(message.to_string())
        .with_hint("use a relative `/`-separated key such as `snapshots/2026-01-01.snap`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_keys() {
        for k in [
            "a",
            "a/b/c.snap",
            "snapshots/2026-01-01T00:00:00Z.snap",
            "..a/b..",
            ".hidden",
            "sp ace/x",
        ] {
            validate_blob_key(k).unwrap_or_else(|e| panic!("{k:?} rejected: {e}"));
        }
    }

    #[test]
    fn bad_keys_are_rejected_with_a_reason() {
        let long = "x".repeat(MAX_BLOB_KEY_LEN + 1);
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("/etc/passwd", "absolute"),
            ("../x", "`..`"),
            ("a/../../x", "`..`"),
            ("a/./b", "`.`"),
            ("..", "`..`"),
            ("a//b", "empty segment"),
            ("a/", "ends with `/`"),
            ("a\\b", "backslash"),
            ("..\\x", "backslash"),
            ("a\0b", "NUL"),
            ("a\nb", "control"),
            ("a/.vaultkit-tmp.123", "reserved"),
            (&long, "bytes long"),
        ];
        for (key, why) in cases {
            let e = validate_blob_key(key)
                .err()
                .unwrap_or_else(|| panic!("{key:?} accepted"));
            assert_eq!(e.kind(), VaultErrorKind::Validation);
            assert!(e.to_string().contains(why), "{key:?}: {e}");
        }
    }

    #[test]
    fn nul_is_shown_escaped() {
        let e = validate_blob_key("a\0b")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("a\\0b") && !e.contains('\0'), "{e:?}");
    }

    #[test]
    fn prefixes() {
        for p in ["", "a", "a/", "a/b-", "a/b/"] {
            validate_blob_prefix(p).unwrap_or_else(|e| panic!("{p:?} rejected: {e}"));
        }
        for p in ["/", "/a", "../", "a//", "a/../b", "a\\"] {
            assert!(validate_blob_prefix(p).is_err(), "{p:?} accepted");
        }
    }
}
