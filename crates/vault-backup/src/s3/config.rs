//! [`S3StoreBuilder`]: every setting of an [`S3Store`](super::S3Store), and how the AWS SDK
//! client is made from them.

use aws_config::BehaviorVersion;
use aws_sdk_s3::config::{
    Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use vault_core::{SecretString, validate_blob_prefix};

use super::S3Store;
use crate::BackupError;

/// Smallest part S3 accepts in a multipart upload (all parts but the last).
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// Largest part S3 accepts.
pub const MAX_PART_SIZE: usize = 5 * 1024 * 1024 * 1024;
/// Part size when none is set: 8 MiB.
pub const DEFAULT_PART_SIZE: usize = 8 * 1024 * 1024;

/// Where the store's credentials come from.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum S3Credentials {
    /// The AWS SDK's default chain: environment variables, the shared config and credentials
    /// files (`AWS_PROFILE` or `default`), web identity token, container credentials, then the
    /// EC2 instance metadata service.
    #[default]
    Default,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` only.
    Env,
    /// A named profile of the shared config and credentials files (`~/.aws/config`,
    /// `~/.aws/credentials`); its region is used when none is set.
    Profile(String),
    /// A fixed key pair (Debug shows the access key id only).
    Static {
        /// The access key id (not secret).
        access_key_id: String,
        /// The secret access key.
        secret_access_key: SecretString,
        /// A session token, for temporary credentials.
        session_token: Option<SecretString>,
    },
}

impl S3Credentials {
    /// A fixed access key id and secret key.
    pub fn fixed(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<SecretString>,
    ) -> Self {
        S3Credentials::Static {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }
}

/// Server-side encryption S3 applies to stored objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3Sse {
    /// Send no encryption header: the bucket's default encryption applies.
    #[default]
    None,
    /// `x-amz-server-side-encryption: AES256` (S3-managed keys, SSE-S3).
    Aes256,
    /// `x-amz-server-side-encryption: aws:kms` with the given key id or ARN, or the account's
    /// default `aws/s3` key when `None` (SSE-KMS).
    Kms(Option<String>),
}

/// Settings of an [`S3Store`]; see [`S3Store::builder`].
#[derive(Debug, Clone)]
pub struct S3StoreBuilder {
    pub(super) bucket: Option<String>,
    pub(super) prefix: String,
    pub(super) endpoint: Option<String>,
    pub(super) region: Option<String>,
    pub(super) path_style: bool,
    pub(super) credentials: S3Credentials,
    pub(super) sse: S3Sse,
    pub(super) part_size: usize,
    pub(super) checksum_when_required: bool,
}

impl Default for S3StoreBuilder {
    fn default() -> Self {
        S3StoreBuilder {
            bucket: None,
            prefix: String::new(),
            endpoint: None,
            region: None,
            path_style: false,
            credentials: S3Credentials::Default,
            sse: S3Sse::None,
            part_size: DEFAULT_PART_SIZE,
            checksum_when_required: false,
        }
    }
}

impl S3StoreBuilder {
    /// The bucket (required).
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// A key prefix inside the bucket (`backups/prod`); a `/` is added when missing. Store keys
    /// are relative to it.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// An S3-compatible endpoint (`https://minio.example:9000`) instead of AWS's.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The region (`eu-west-1`). Without it the AWS SDK's region chain decides
    /// (`AWS_REGION`, the profile, instance metadata).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need;
    /// off by default (virtual-hosted style, `bucket.endpoint/key`).
    pub fn with_path_style(mut self, path_style: bool) -> Self {
        self.path_style = path_style;
        self
    }

    /// Where credentials come from (default: the AWS SDK's default chain).
    pub fn with_credentials(mut self, credentials: S3Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Server-side encryption to request for every object written.
    pub fn with_sse(mut self, sse: S3Sse) -> Self {
        self.sse = sse;
        self
    }

    /// Size of multipart upload parts, 5 MiB to 5 GiB (default 8 MiB). Objects up to one part
    /// are sent in a single PutObject; `put` holds about one part (and the chunk being read) in
    /// memory.
    pub fn with_part_size(mut self, part_size: usize) -> Self {
        self.part_size = part_size;
        self
    }

    /// Send and check checksums only where S3 requires them (the AWS SDK's `WhenRequired`),
    /// for S3-compatible servers that reject the SDK's default CRC32 checksums. Off by default
    /// (`WhenSupported`: every upload part carries a CRC32 S3 verifies).
    pub fn with_checksum_when_required(mut self, when_required: bool) -> Self {
        self.checksum_when_required = when_required;
        self
    }

    /// Checks the settings and makes the client (no network call: a wrong bucket or credential
    /// shows on the first operation).
    pub async fn build(self) -> Result<S3Store, BackupError> {
        let bucket = self
            .bucket
            .clone()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| {
                BackupError::config("S3 store: no bucket set")
                    .with_hint("set the bucket, e.g. s3://my-bucket/backups")
            })?;
        if bucket.len() < 3 || bucket.len() > 63 || bucket.contains('/') {
            return Err(BackupError::config(format!(
                "S3 store: `{bucket}` is not a bucket name (3 to 63 characters, no `/`)"
            )));
        }
        let prefix = normalize_prefix(&self.prefix)?;
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&self.part_size) {
            return Err(BackupError::config(format!(
                "S3 store: part size {} is outside what S3 accepts (5 MiB to 5 GiB)",
                self.part_size
            )));
        }
        if let S3Sse::Kms(Some(id)) = &self.sse
            && id.is_empty()
        {
            return Err(BackupError::config("S3 store: empty KMS key id")
                .with_hint("give a key id or ARN, or none for the default aws/s3 key"));
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &self.endpoint {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(BackupError::config(format!(
                    "S3 store: endpoint `{endpoint}` must start with http:// or https://"
                )));
            }
            loader = loader.endpoint_url(endpoint.clone());
        }
        loader = match &self.credentials {
            S3Credentials::Default => loader,
            S3Credentials::Env => loader.credentials_provider(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ),
            S3Credentials::Profile(name) => loader.profile_name(name.clone()),
            S3Credentials::Static {
                access_key_id,
                secret_access_key,
                session_token,
            } => loader.credentials_provider(Credentials::new(
                access_key_id.clone(),
                secret_access_key.expose().to_string(),
                session_token.as_ref().map(|t| t.expose().to_string()),
                None,
                "vaultkit-static",
            )),
        };
        let sdk = loader.load().await;
        let mut config = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(self.path_style);
        if self.checksum_when_required {
            config = config
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        }
        let client = aws_sdk_s3::Client::from_conf(config.build());
        Ok(S3Store::new(client, bucket, prefix, self))
    }
}

/// `backups` → `backups/`; `""` stays empty; a prefix a key could not start with is refused.
fn normalize_prefix(prefix: &str) -> Result<String, BackupError> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let with_slash = format!("{trimmed}/");
    validate_blob_prefix(&with_slash).map_err(|e| {
        BackupError::config(format!("S3 store: prefix `{prefix}` is not usable: {e}"))
    })?;
    Ok(with_slash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_normalized() {
        assert_eq!(normalize_prefix("").ok(), Some(String::new()));
        assert_eq!(normalize_prefix("/").ok(), Some(String::new()));
        assert_eq!(normalize_prefix("a/b").ok(), Some("a/b/".to_string()));
        assert_eq!(normalize_prefix("/a/b/").ok(), Some("a/b/".to_string()));
        assert!(normalize_prefix("a/../b").is_err());
    }

    #[test]
    fn static_credentials_hide_the_secret() {
        let c = S3Credentials::fixed("AKIDPLANTED", "planted-secret-4711");
        let shown = format!("{:?}", S3StoreBuilder::default().with_credentials(c));
        assert!(shown.contains("AKIDPLANTED"), "{shown}");
        assert!(!shown.contains("planted-secret-4711"), "{shown}");
    }
}
