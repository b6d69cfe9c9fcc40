//! Raw logical operations over [`VaultClient::send`]: `read`, `write`, `list`, `delete`.
//! Each returns Vault's envelope; KV and other engines build typed APIs on top.

use serde_json::Value;

use super::VaultClient;
use crate::envelope::Envelope;
use crate::error::{VaultError, VaultErrorKind};
use crate::transport::{Method, VaultRequest};

impl VaultClient {
    /// `GET path`. `Ok(None)` when there is nothing at the path (404 with empty `errors`); a
    /// missing mount or route is an error of kind `RouteNotFound`.
    pub async fn read(&self, path: &str) -> Result<Option<Envelope>, VaultError> {
        self.read_with_query(path, &[]).await
    }

    /// `GET path?k=v…` (e.g. `version=2`).
    pub async fn read_with_query(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<Envelope>, VaultError> {
        let mut request = VaultRequest::new(Method::Get, path);
        for (k, v) in query {
            request = request.with_query(*k, *v);
        }
        self.envelope_or_none("read", request).await
    }

    /// `POST path` with a JSON body. `Ok(None)` when Vault answers 204 (no body).
    pub async fn write(&self, path: &str, data: Value) -> Result<Option<Envelope>, VaultError> {
        let request = VaultRequest::new(Method::Post, path).with_json(data);
        self.call_envelope("write", request).await
    }

    /// `LIST path`: the `keys` Vault returns (folders end in `/`); empty when nothing is there.
    pub async fn list(&self, path: &str) -> Result<Vec<String>, VaultError> {
        let request = VaultRequest::new(Method::List, path);
        let Some(envelope) = self.envelope_or_none("list", request).await? else {
            return Ok(Vec::new());
        };
        let keys = envelope
            .data
            .as_ref()
            .and_then(|d| d.get("keys"))
            .cloned()
            .unwrap_or(Value::Null);
        match keys {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(unexpected(
                        "list",
                        path,
                        format!("a key is not a string: {other}"),
                    )),
                })
                .collect(),
            _ => Err(unexpected("list", path, "`data.keys` is not a list".into())),
        }
    }

    /// `DELETE path`. `Ok(None)` on 204.
    pub async fn delete(&self, path: &str) -> Result<Option<Envelope>, VaultError> {
        self.call_envelope("delete", VaultRequest::new(Method::Delete, path))
            .await
    }

    /// Send and parse the envelope; 404-with-empty-errors becomes `Ok(None)`.
    async fn envelope_or_none(
        &self,
        operation: &str,
        request: VaultRequest,
    ) -> Result<Option<Envelope>, VaultError> {
        match self.call_envelope(operation, request).await {
            Err(e) if e.is_not_found() => Ok(None),
            other => other,
        }
    }
}

fn unexpected(operation: &str, path: &str, message: String) -> VaultError {
    VaultError::msg(VaultErrorKind::Server, message)
        .with_operation(operation)
        .with_path(path)
}
