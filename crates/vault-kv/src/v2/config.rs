//! `config`: the mount-wide defaults (max_versions, cas_required, delete_version_after).

use vault_core::{Method, VaultRequest};

use super::KvV2;
use super::types::{KvV2Config, KvV2ConfigRequest};
use crate::call::{Target, json_request, send_data};
use crate::error::KvError;

impl KvV2 {
    /// Read the mount's configuration (`GET config`).
    pub async fn read_config(&self) -> Result<KvV2Config, KvError> {
        let target = Target {
            op: "read the configuration of",
            mount: &self.h.mount,
            path: "",
        };
        let request = VaultRequest::new(Method::Get, target.v2("config"));
        match send_data::<KvV2Config>(&self.h.client, target, request).await {
            Ok(config) => Ok(config.unwrap_or_default()),
            Err(e) => Err(target.error(e)),
        }
    }

    /// Change the mount's configuration (`POST config`); fields left `None` keep their value.
    pub async fn write_config(&self, config: &KvV2ConfigRequest) -> Result<(), KvError> {
        let target = Target {
            op: "write the configuration of",
            mount: &self.h.mount,
            path: "",
        };
        let request =
            json_request(Method::Post, target.v2("config"), config).map_err(|e| target.error(e))?;
        send_data::<serde_json::Value>(&self.h.client, target, request)
            .await
            .map(|_| ())
            .map_err(|e| target.error(e))
    }
}
