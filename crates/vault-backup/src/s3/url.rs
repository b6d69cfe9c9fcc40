//! [`S3Store::from_url`]: a store from `s3://bucket/prefix` and the environment.

use super::{S3Sse, S3Store, S3StoreBuilder};
use crate::BackupError;

/// The environment variables [`S3Store::from_url`] reads, with what each sets. Credentials
/// come from the AWS SDK's default chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
/// `AWS_SESSION_TOKEN`, then `AWS_PROFILE` and the shared files, web identity, container and
/// instance credentials).
pub const S3_ENV_VARS: &[(&str, &str)] = &[
    (
        "AWS_REGION",
        "region (else AWS_DEFAULT_REGION, else the SDK's region chain)",
    ),
    ("AWS_DEFAULT_REGION", "region when AWS_REGION is unset"),
    (
        "AWS_ENDPOINT_URL_S3",
        "S3-compatible endpoint (else AWS_ENDPOINT_URL)",
    ),
    (
        "AWS_ENDPOINT_URL",
        "endpoint when AWS_ENDPOINT_URL_S3 is unset",
    ),
    (
        "VAULTKIT_S3_PATH_STYLE",
        "true/false: path-style addressing (default: true when an endpoint is set)",
    ),
    (
        "VAULTKIT_S3_SSE",
        "AES256 or aws:kms: server-side encryption to request",
    ),
    (
        "VAULTKIT_S3_SSE_KMS_KEY_ID",
        "KMS key id or ARN for aws:kms",
    ),
    (
        "VAULTKIT_S3_PART_SIZE",
        "multipart part size in bytes (5 MiB to 5 GiB)",
    ),
    (
        "VAULTKIT_S3_CHECKSUM",
        "when_supported (default) or when_required: which uploads carry checksums",
    ),
];

/// Splits `s3://bucket/prefix` into the bucket and the prefix (`""` when none).
pub fn parse_s3_url(url: &str) -> Result<(String, String), BackupError> {
    let bad = |why: &str| {
        BackupError::config(format!("`{url}` is not an S3 store URL: {why}"))
            .with_hint("write it as s3://bucket or s3://bucket/prefix")
    };
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| bad("it must start with s3://"))?;
    if rest.contains(['?', '#']) {
        return Err(bad("query strings and fragments are not supported"));
    }
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad("the bucket is missing"));
    }
    Ok((bucket.to_string(), prefix.to_string()))
}

fn flag(url: &str, name: &str, value: &str) -> Result<bool, BackupError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(BackupError::config(format!(
            "S3 store {url}: {name}=`{value}` is not true or false"
        ))),
    }
}

impl S3StoreBuilder {
    /// Settings from `s3://bucket/prefix` and the variables of [`S3_ENV_VARS`], looked up
    /// through `env` (`|k| std::env::var(k).ok()` for the process environment).
    pub fn from_url_with(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<S3StoreBuilder, BackupError> {
        let (bucket, prefix) = parse_s3_url(url)?;
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let mut b = S3Store::builder().with_bucket(bucket).with_prefix(prefix);
        if let Some(region) = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
            b = b.with_region(region);
        }
        let endpoint = var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL"));
        let path_style = match var("VAULTKIT_S3_PATH_STYLE") {
            Some(v) => flag(url, "VAULTKIT_S3_PATH_STYLE", &v)?,
            None => endpoint.is_some(),
        };
        if let Some(endpoint) = endpoint {
            b = b.with_endpoint(endpoint);
        }
        b = b.with_path_style(path_style);
        let kms_key = var("VAULTKIT_S3_SSE_KMS_KEY_ID");
        b = b.with_sse(match var("VAULTKIT_S3_SSE").as_deref() {
            None if kms_key.is_some() => S3Sse::Kms(kms_key),
            None => S3Sse::None,
            Some("AES256") => S3Sse::Aes256,
            Some("aws:kms") => S3Sse::Kms(kms_key),
            Some(other) => {
                return Err(BackupError::config(format!(
                    "S3 store {url}: VAULTKIT_S3_SSE=`{other}` is not AES256 or aws:kms"
                )));
            }
        });
        if let Some(size) = var("VAULTKIT_S3_PART_SIZE") {
            let size = size.parse::<usize>().map_err(|_| {
                BackupError::config(format!(
                    "S3 store {url}: VAULTKIT_S3_PART_SIZE=`{size}` is not a number of bytes"
                ))
            })?;
            b = b.with_part_size(size);
        }
        match var("VAULTKIT_S3_CHECKSUM").as_deref() {
            None | Some("when_supported") => {}
            Some("when_required") => b = b.with_checksum_when_required(true),
            Some(other) => {
                return Err(BackupError::config(format!(
                    "S3 store {url}: VAULTKIT_S3_CHECKSUM=`{other}` is not when_supported or when_required"
                )));
            }
        }
        Ok(b)
    }
}

impl S3Store {
    /// A store at `s3://bucket/prefix`, configured by the process environment
    /// ([`S3_ENV_VARS`]).
    pub async fn from_url(url: &str) -> Result<S3Store, BackupError> {
        S3StoreBuilder::from_url_with(url, |k| std::env::var(k).ok())?
            .build()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_bucket_and_prefix() {
        assert_eq!(
            parse_s3_url("s3://bkt/a/b").ok(),
            Some(("bkt".into(), "a/b".into()))
        );
        assert_eq!(
            parse_s3_url("s3://bkt").ok(),
            Some(("bkt".into(), "".into()))
        );
        for bad in ["bkt/a", "s3://", "s3:///a", "s3://b/a?x=1", "https://b/a"] {
            assert!(parse_s3_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_sets_region_endpoint_and_encryption() {
        let env = vault_core::testing::env_from(&[
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("VAULTKIT_S3_SSE_KMS_KEY_ID", "alias/k"),
            ("VAULTKIT_S3_PART_SIZE", "6291456"),
        ]);
        let b = S3StoreBuilder::from_url_with("s3://bkt/p", env).expect("settings");
        assert_eq!(b.bucket.as_deref(), Some("bkt"));
        assert_eq!(b.prefix, "p");
        assert_eq!(b.region.as_deref(), Some("eu-west-1"));
        assert_eq!(b.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(b.path_style, "an endpoint turns path style on");
        assert_eq!(b.sse, S3Sse::Kms(Some("alias/k".into())));
        assert_eq!(b.part_size, 6 * 1024 * 1024);

        let env = vault_core::testing::env_from(&[("VAULTKIT_S3_SSE", "rot13")]);
        assert!(S3StoreBuilder::from_url_with("s3://bkt", env).is_err());
    }
}
