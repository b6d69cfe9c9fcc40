//! What goes on the wire: methods, paths, query parameters, headers and bodies of the KV v2
//! calls, checked with a recording transport (no server).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Value, json};
use vault_core::{
    Method, RequestBody, Transport, VaultClient, VaultError, VaultRequest, VaultResponse,
};

use crate::{KvErrorKind, KvExt, MetadataRequest, SubkeysRequest};

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    content_type: Option<String>,
    body: Value,
}

/// Answers every request with `status` and `body`, and records what it was sent.
#[derive(Debug)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
    status: u16,
    body: Value,
}

#[async_trait]
impl Transport for Recorder {
    async fn send(&self, request: &mut VaultRequest) -> Result<VaultResponse, VaultError> {
        let body = match &request.body {
            RequestBody::Json(v) => v.clone(),
            _ => Value::Null,
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(Seen {
                method: request.method,
                path: request.path.clone(),
                query: request.query.clone(),
                content_type: request.header("Content-Type").map(str::to_string),
                body,
            });
        }
        let bytes = if self.body.is_null() {
            Vec::new()
        } else {
            self.body.to_string().into_bytes()
        };
        Ok(VaultResponse::new(
            self.status,
            vault_core::http::HeaderMap::from_iter([(
                vault_core::http::header::CONTENT_TYPE,
                vault_core::http::HeaderValue::from_static("application/json"),
            )]),
            bytes,
        ))
    }

    fn address(&self) -> String {
        "http://recorder.invalid".into()
    }
}

fn client(status: u16, body: Value) -> (VaultClient, Arc<Recorder>) {
    let recorder = Arc::new(Recorder {
        seen: Mutex::new(Vec::new()),
        status,
        body,
    });
    let client = VaultClient::builder()
        .with_address("http://recorder.invalid")
        .with_token("test-token")
        .with_transport(recorder.clone())
        .build()
        .expect("client builds");
    (client, recorder)
}

/// The requests of interest (token housekeeping such as `auth/token/lookup-self` left out).
fn kv_requests(r: &Recorder) -> Vec<Seen> {
    r.seen
        .lock()
        .map(|s| {
            s.iter()
                .filter(|x| !x.path.starts_with("auth/"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// (method, path, query) of a recorded request.
type Shape<'a> = (Method, &'a str, Vec<(String, String)>);

const VERSION_META: &str = r#"{"data":{"created_time":"2026-01-01T00:00:00Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":4}}"#;

#[tokio::test]
async fn patch_is_a_merge_patch_with_cas() {
    let (client, rec) = client(200, serde_json::from_str(VERSION_META).expect("json"));
    let meta = client
        .kv2("secret")
        .patch("/app/db/", &json!({"port": 5432, "old": null}), Some(3))
        .await
        .expect("patch");
    assert_eq!(meta.version, Some(4));
    let seen = kv_requests(&rec);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, Method::Patch);
    assert_eq!(seen[0].path, "secret/data/app/db");
    assert_eq!(
        seen[0].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(
        seen[0].body,
        json!({"data": {"port": 5432, "old": null}, "options": {"cas": 3}})
    );
}

#[tokio::test]
async fn reads_versions_subkeys_and_lists_use_the_documented_paths() {
    let body = json!({"data": {"data": {"k": "v"}, "metadata": {"version": 2}, "subkeys": {"k": null}, "keys": ["a", "b/"]}});
    let (client, rec) = client(200, body);
    let kv = client.kv2("secret");
    assert_eq!(
        kv.read_version("app", 2)
            .await
            .expect("read")
            .metadata
            .version,
        Some(2)
    );
    kv.subkeys(
        "app",
        SubkeysRequest {
            version: Some(2),
            depth: Some(1),
        },
    )
    .await
    .expect("subkeys");
    assert_eq!(kv.list("app").await.expect("list"), vec!["a", "b/"]);
    kv.destroy_versions("app", &[1, 2]).await.expect("destroy");
    kv.write_metadata("app", &MetadataRequest::builder().with_max_versions(5))
        .await
        .expect("metadata");
    let seen = kv_requests(&rec);
    let shape: Vec<Shape<'_>> = seen
        .iter()
        .map(|s| (s.method, s.path.as_str(), s.query.clone()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (
                Method::Get,
                "secret/data/app",
                vec![("version".to_string(), "2".to_string())]
            ),
            (
                Method::Get,
                "secret/subkeys/app",
                vec![("version".into(), "2".into()), ("depth".into(), "1".into())]
            ),
            (Method::List, "secret/metadata/app/", vec![]),
            (Method::Post, "secret/destroy/app", vec![]),
            (Method::Post, "secret/metadata/app", vec![]),
        ]
    );
    assert_eq!(seen[3].body, json!({"versions": [1, 2]}));
    assert_eq!(seen[4].body, json!({"max_versions": 5}));
}

#[tokio::test]
async fn a_bare_404_without_metadata_is_not_found() {
    let (client, _rec) = client(404, json!({"errors": []}));
    let e = client.kv2("secret").read("missing").await.expect_err("404");
    assert_eq!(e.kind(), KvErrorKind::NotFound);
    assert_eq!(e.to_string(), "secret `secret/missing` not found");
}

#[tokio::test]
async fn bad_paths_never_reach_the_wire() {
    let (client, rec) = client(200, Value::Null);
    let kv = client.kv2("secret");
    assert_eq!(
        kv.read("a/../b").await.expect_err("dot-dot").kind(),
        KvErrorKind::Validation
    );
    assert_eq!(
        kv.write_data("", &json!({"a": 1}))
            .await
            .expect_err("empty")
            .kind(),
        KvErrorKind::Validation
    );
    assert!(kv_requests(&rec).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_mount_still_upgrading_is_retried_for_a_while() {
    let (client, rec) = client(
        400,
        json!({"errors": ["Upgrading from non-versioned to versioned data. This backend will be unavailable for a brief period and will resume service shortly."]}),
    );
    let e = client
        .kv2("fresh")
        .read("a")
        .await
        .expect_err("never finishes upgrading");
    assert_eq!(e.kind(), KvErrorKind::Validation, "{e}");
    assert_eq!(kv_requests(&rec).len(), 31, "one try and 30 retries");
}
