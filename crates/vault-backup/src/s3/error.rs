//! S3 failures as [`VaultError`]s (the error type of every [`vault_core::BlobStore`]): kinds
//! by HTTP status and S3 error code, each naming the operation and `s3://bucket/key`.
//!
//! | S3 answer | kind |
//! |---|---|
//! | 403 (`AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`, …) | `Permission` |
//! | 404 `NoSuchKey` / no body | `SecretNotFound` (`is_not_found()`) |
//! | 404 `NoSuchBucket` | `Config` |
//! | 400 | `Validation` |
//! | 429, 503 `SlowDown` | `RateLimited` (retryable) |
//! | other 5xx | `Server` (retryable) |
//! | 409 `ConditionalRequestConflict` (racing conditional writes) | `Server` (retryable) |
//! | no answer (connect, timeout, reset) | `Connection` (retryable) |
//!
//! Messages carry S3's error code and message, never a credential.

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use vault_core::{VaultError, VaultErrorKind};

/// Where an operation was aimed, for messages: `s3://bucket/key`.
pub(super) fn location(bucket: &str, object_key: &str) -> String {
    format!("s3://{bucket}/{object_key}")
}

/// The HTTP status of an SDK error, when there is a response.
pub(super) trait HasStatus {
    /// The status code of the raw response.
    fn status(&self) -> Option<u16>;
}

impl<E> HasStatus for SdkError<E, aws_sdk_s3::config::http::HttpResponse> {
    fn status(&self) -> Option<u16> {
        self.raw_response().map(|r| r.status().as_u16())
    }
}

/// Maps a failed S3 call of `op` on `bucket`/`object_key`.
pub(super) fn from_sdk<E>(
    op: &str,
    bucket: &str,
    object_key: &str,
    err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> VaultError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let base = |kind| {
        VaultError::new(kind)
            .with_operation(op.to_string())
            .with_path(location(bucket, object_key))
    };
    match &err {
        SdkError::ConstructionFailure(_) => base(VaultErrorKind::Config)
            .with_message(format!(
                "the request could not be built: {}",
                DisplayErrorContext(&err)
            ))
            .with_hint("check the S3 settings: region, endpoint and credentials"),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            base(VaultErrorKind::Connection)
                .with_message(format!("no answer from S3: {}", DisplayErrorContext(&err)))
                .with_hint("check the endpoint, the network and that credentials can be loaded")
        }
        _ => {
            let status = err.status();
            let code = err.code().unwrap_or("").to_string();
            let text = err.message().unwrap_or("").to_string();
            let said = match (code.is_empty(), text.is_empty()) {
                (true, true) => String::from("no error details"),
                (false, true) => code.clone(),
                (true, false) => text,
                (false, false) => format!("{code}: {text}"),
            };
            let Some(status) = status else {
                return base(VaultErrorKind::Connection).with_message(format!(
                    "the answer could not be read: {}",
                    DisplayErrorContext(&err)
                ));
            };
            answered(op, bucket, object_key, status, &code, &said)
        }
    }
}

/// The error for an S3 answer with `status` and error `code`; `said` is S3's code and message.
pub(super) fn answered(
    op: &str,
    bucket: &str,
    object_key: &str,
    status: u16,
    code: &str,
    said: &str,
) -> VaultError {
    let (kind, hint) = match (status, code) {
        (403, "InvalidAccessKeyId" | "SignatureDoesNotMatch") => (
            VaultErrorKind::Permission,
            "the access key or secret key is wrong: check the credentials the store uses",
        ),
        (403, _) => (
            VaultErrorKind::Permission,
            "the credentials may not perform this operation on this bucket: check the bucket policy and IAM permissions (and the KMS key policy when SSE-KMS is on)",
        ),
        (404, "NoSuchBucket") => (
            VaultErrorKind::Config,
            "the bucket does not exist: check its name, region and endpoint",
        ),
        (404, _) => (VaultErrorKind::SecretNotFound, ""),
        (429, _) | (503, "SlowDown") => (
            VaultErrorKind::RateLimited,
            "S3 is throttling requests; retry later",
        ),
        (409, "ConditionalRequestConflict") => {
            return VaultError::new(VaultErrorKind::Server)
                .with_operation(op.to_string())
                .with_path(location(bucket, object_key))
                .with_status(status)
                .with_message(format!("S3 answered: {said}"))
                .with_retryable(true)
                .with_hint("another conditional write to this key was in progress; retry");
        }
        (400, _) => (VaultErrorKind::Validation, ""),
        (s, _) if s >= 500 => (
            VaultErrorKind::Server,
            "S3 failed on its side; retrying may succeed",
        ),
        _ => (VaultErrorKind::Server, ""),
    };
    let mut e = VaultError::new(kind)
        .with_operation(op.to_string())
        .with_path(location(bucket, object_key))
        .with_status(status)
        .with_message(format!("S3 answered: {said}"));
    if !hint.is_empty() {
        e = e.with_hint(hint);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let kind = |status, code| answered("read blob", "b", "k", status, code, "x").kind();
        assert_eq!(
            kind(403, "SignatureDoesNotMatch"),
            VaultErrorKind::Permission
        );
        assert_eq!(kind(404, "NoSuchKey"), VaultErrorKind::SecretNotFound);
        assert_eq!(kind(404, "NoSuchBucket"), VaultErrorKind::Config);
        assert_eq!(kind(503, "SlowDown"), VaultErrorKind::RateLimited);
        assert_eq!(kind(500, "InternalError"), VaultErrorKind::Server);
        assert_eq!(kind(400, "InvalidArgument"), VaultErrorKind::Validation);
        let conflict = answered("w", "b", "k", 409, "ConditionalRequestConflict", "x");
        assert!(conflict.is_retryable(), "{conflict}");
        assert!(!answered("w", "b", "k", 409, "BucketNotEmpty", "x").is_retryable());
        let e = answered(
            "read blob",
            "bkt",
            "p/k",
            500,
            "InternalError",
            "InternalError: boom",
        );
        assert!(e.is_retryable());
        assert_eq!(
            e.to_string(),
            "read blob `s3://bkt/p/k`: server error (HTTP 500): S3 answered: InternalError: boom — S3 failed on its side; retrying may succeed"
        );
    }
}
