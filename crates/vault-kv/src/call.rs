//! The thin typed layer every KV endpoint goes through: name the call ([`Target`]), send it with
//! vault-core's one call helper [`VaultClient::call`] (token, namespace, retries, status →
//! [`VaultError`] mapping, the envelope's `data` parsed straight into the endpoint's response
//! struct), and turn vault-core's errors into [`KvError`]s that name the logical path. No retry
//! loop of its own: a mount still upgrading its storage is waited for by vault-core's replay loop
//! ([`VaultRequest::with_settle_on`]).

use serde::Serialize;
use serde::de::DeserializeOwned;
use vault_core::{Method, VaultClient, VaultError, VaultErrorKind, VaultRequest};

use crate::error::KvError;

/// Where a call goes: the operation name (for messages), the mount, the path inside the mount.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub op: &'static str,
    pub mount: &'a str,
    pub path: &'a str,
}

impl Target<'_> {
    /// `mount/path` as a person writes it (`secret/app/db`).
    pub(crate) fn logical(&self) -> String {
        if self.path.is_empty() {
            self.mount.to_string()
        } else {
            format!("{}/{}", self.mount, self.path)
        }
    }

    /// The API path for a KV v2 sub-tree: `mount/<section>/path` (`secret/data/app/db`).
    pub(crate) fn v2(&self, section: &str) -> String {
        let mut s = String::with_capacity(self.mount.len() + section.len() + self.path.len() + 2);
        s.push_str(self.mount);
        s.push('/');
        s.push_str(section);
        if !self.path.is_empty() {
            s.push('/');
            s.push_str(self.path);
        }
        s
    }

    /// Map a vault-core error to the KV error a caller can act on.
    pub(crate) fn error(&self, e: VaultError) -> KvError {
        match e.kind() {
            VaultErrorKind::Permission => KvError::Permission {
                operation: self.op,
                path: self.logical(),
                api_path: e
                    .path()
                    .map(str::to_string)
                    .unwrap_or_else(|| self.logical()),
                source: e,
            },
            VaultErrorKind::RouteNotFound => KvError::NoSuchMount {
                operation: self.op,
                path: self.logical(),
                mount: self.mount.to_string(),
                kv_mounts: Vec::new(),
                source: e,
            },
            _ => KvError::Vault(e),
        }
    }
}

/// Normalise a mount name: no leading/trailing slashes; must not be empty.
pub(crate) fn clean_mount(mount: &str) -> Result<&str, KvError> {
    let m = mount.trim_matches('/');
    if m.is_empty() {
        return Err(KvError::validation(
            "use mount",
            mount,
            "the mount name is empty (e.g. `secret`)",
        ));
    }
    Ok(m)
}

/// Normalise a secret path: no leading/trailing slashes, no empty or `.`/`..` segments.
pub(crate) fn clean_path<'p>(
    op: &'static str,
    mount: &str,
    path: &'p str,
    allow_empty: bool,
) -> Result<&'p str, KvError> {
    let p = path.trim_matches('/');
    let shown = || format!("{mount}/{path}");
    if p.is_empty() && !allow_empty {
        return Err(KvError::validation(
            op,
            &shown(),
            "the secret path is empty; name a secret such as `app/db`",
        ));
    }
    if !p.is_empty()
        && p.split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err(KvError::validation(
            op,
            &shown(),
            "the path has an empty, `.` or `..` segment",
        ));
    }
    Ok(p)
}

/// Vault's answer while a KV mount upgrades its storage (right after it was enabled, or after a
/// v1 → v2 upgrade): vault-core's replay loop asks again for a short while.
const UPGRADING: &str = "Upgrading from non-versioned to versioned data";

/// Send `request` through vault-core's one call helper ([`VaultClient::call`]: headers, token,
/// retries, status → [`VaultError`]) and parse the envelope's `data` as `T`; `Ok(None)` for an
/// empty body (204) or `"data": null`.
pub(crate) async fn send_data<T: DeserializeOwned>(
    client: &VaultClient,
    target: Target<'_>,
    request: VaultRequest,
) -> Result<Option<T>, VaultError> {
    client
        .call(target.op, request.with_settle_on(UPGRADING))
        .await
}

/// `LIST <folder>/`: the names under a folder (folders end in `/`); a missing or empty folder is
/// an empty list.
pub(crate) async fn list_keys(
    client: &VaultClient,
    target: Target<'_>,
    mut folder: String,
) -> Result<Vec<String>, KvError> {
    folder.push('/');
    let request = VaultRequest::new(Method::List, folder);
    match send_data::<crate::v2::types::ListResponse>(client, target, request).await {
        Ok(list) => Ok(list.map(|l| l.keys).unwrap_or_default()),
        Err(e) if e.kind() == VaultErrorKind::SecretNotFound => Ok(Vec::new()),
        Err(e) => Err(target.error(e)),
    }
}

/// A request with a JSON body.
pub(crate) fn json_request(
    method: Method,
    path: String,
    body: &impl Serialize,
) -> Result<VaultRequest, VaultError> {
    let value = serde_json::to_value(body).map_err(|e| {
        VaultError::new(VaultErrorKind::Validation)
            .with_path(path.clone())
            .with_message(format!("cannot encode body: {e}"))
    })?;
    Ok(VaultRequest::new(method, path).with_json(value))
}

/// Encode a value that must be a JSON object (the data of a secret).
pub(crate) fn to_object(
    op: &'static str,
    logical: &str,
    data: &impl Serialize,
) -> Result<serde_json::Map<String, serde_json::Value>, KvError> {
    match serde_json::to_value(data) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(KvError::validation(
            op,
            logical,
            format!(
                "secret data must be a JSON object of key/value pairs, got {}",
                json_type(&other)
            ),
        )),
        Err(e) => Err(KvError::validation(
            op,
            logical,
            format!("cannot encode the secret data: {e}"),
        )),
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_checked() {
        assert_eq!(
            clean_path("read", "secret", "/app/db/", false).ok(),
            Some("app/db")
        );
        assert!(clean_path("read", "secret", "", false).is_err());
        assert_eq!(clean_path("list", "secret", "", true).ok(), Some(""));
        let e = clean_path("read", "secret", "app//db", false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("empty, `.` or `..` segment"), "{e}");
        assert!(clean_path("read", "secret", "a/../b", false).is_err());
        assert!(clean_mount("/").is_err());
        assert_eq!(clean_mount("/secret/").ok(), Some("secret"));
    }

    #[test]
    fn v2_paths() {
        let t = Target {
            op: "read",
            mount: "secret",
            path: "app/db",
        };
        assert_eq!(t.v2("data"), "secret/data/app/db");
        assert_eq!(t.logical(), "secret/app/db");
        let root = Target {
            op: "list",
            mount: "secret",
            path: "",
        };
        assert_eq!(root.v2("metadata"), "secret/metadata");
    }

    #[test]
    fn data_must_be_an_object() {
        let e = to_object("write", "secret/a", &vec![1, 2])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "write `secret/a`: secret data must be a JSON object of key/value pairs, got an array"
        );
    }
}
