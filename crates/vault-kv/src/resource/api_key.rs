//! `get_api_key(service, path)`: the service's key in a secret of service → key pairs, or a
//! per-service secret at `path/service` holding `api_key`, `key` or `value`.

use vault_core::SecretString;

use super::SecretsResource;
use crate::error::KvError;

/// Where [`SecretsResource::get_api_key`] looks when given no path.
pub const DEFAULT_API_KEYS_PATH: &str = "api-keys";

/// Key names tried, in order, in a per-service secret.
const KEY_FIELDS: [&str; 3] = ["api_key", "key", "value"];

impl SecretsResource {
    /// The API key of `service`, looked up under `path` (`None`: [`DEFAULT_API_KEYS_PATH`],
    /// the Python module's `path='api-keys'`) in the default mount.
    pub async fn get_api_key(
        &self,
        service: &str,
        path: Option<&str>,
    ) -> Result<SecretString, KvError> {
        let mount = self.default_mount().to_string();
        self.get_api_key_in(service, path.unwrap_or(DEFAULT_API_KEYS_PATH), &mount)
            .await
    }

    /// Like [`SecretsResource::get_api_key`] in another mount.
    pub async fn get_api_key_in(
        &self,
        service: &str,
        path: &str,
        mount: &str,
    ) -> Result<SecretString, KvError> {
        let path = path.trim_matches('/');
        let shown = format!("{}/{path}", mount.trim_matches('/'));
        if service.is_empty() || service.contains('/') {
            return Err(KvError::validation(
                "get the API key from",
                &shown,
                format!("`{service}` is not a service name"),
            ));
        }
        // Layout 1: one secret holding service → key pairs.
        let shared_note = match self.kv().get_secret(path, mount).await {
            Ok(secret) => match secret.data.get(service) {
                Some(serde_json::Value::String(key)) if !key.is_empty() => {
                    return Ok(SecretString::new(key.clone()));
                }
                Some(_) => {
                    format!("`{shown}` has a key `{service}` but it is not a non-empty string")
                }
                None => format!("`{shown}` has no key `{service}`"),
            },
            Err(e) if e.is_not_found() => format!("`{shown}` does not exist"),
            Err(e) => return Err(e),
        };
        // Layout 2: one secret per service.
        let own = format!("{path}/{service}");
        let own_shown = format!("{}/{own}", mount.trim_matches('/'));
        let own_note = match self.kv().get_secret(&own, mount).await {
            Ok(secret) => {
                for field in KEY_FIELDS {
                    if let Some(serde_json::Value::String(key)) = secret.data.get(field)
                        && !key.is_empty()
                    {
                        return Ok(SecretString::new(key.clone()));
                    }
                }
                format!("`{own_shown}` has none of the keys `api_key`, `key`, `value`")
            }
            Err(e) if e.is_not_found() => format!("`{own_shown}` does not exist"),
            Err(e) => return Err(e),
        };
        Err(KvError::validation(
            "get the API key from",
            &shown,
            format!("no API key for `{service}`: {shared_note}, and {own_note}"),
        ))
    }
}
