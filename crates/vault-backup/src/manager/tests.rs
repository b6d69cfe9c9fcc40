//! `create_snapshot` when Vault hands over a damaged archive: an Integrity error naming what is
//! wrong, no object and no completed catalog entry. (A real server never sends a damaged
//! snapshot; a stand-in transport does, so that the streaming check is what rejects it.)

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::json;
use vault_core::{
    BlobStore, ByteStream, LocalDirStore, ResponseBody, Transport, VaultClient, VaultError,
    VaultRequest, VaultResponse,
};

use super::*;
use crate::{BackupErrorKind, BackupStatus, CreateOptions};

const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/openbao-2.7.2-small.snap");

/// Answers health, leader and token lookups, and serves `snapshot` as the Raft snapshot.
#[derive(Debug)]
struct SnapshotServer {
    snapshot: Bytes,
}

fn json(status: u16, body: serde_json::Value) -> VaultResponse {
    VaultResponse::new(status, vault_core::http::HeaderMap::new(), body.to_string())
}

#[async_trait]
impl Transport for SnapshotServer {
    async fn send(&self, request: &mut VaultRequest) -> Result<VaultResponse, VaultError> {
        Ok(match request.path.as_str() {
            "sys/health" => json(
                200,
                json!({"initialized": true, "sealed": false, "standby": false,
                       "version": "2.7.2", "cluster_id": "c-1", "cluster_name": "test"}),
            ),
            "sys/leader" => json(200, json!({"ha_enabled": false, "is_self": true})),
            "auth/token/lookup-self" => json(200, json!({"data": {"ttl": 0, "renewable": false}})),
            "sys/storage/raft/snapshot" => {
                // Served in small pieces, as a network would.
                let chunks: Vec<Result<Bytes, std::io::Error>> = (0..self.snapshot.len())
                    .step_by(1000)
                    .map(|at| Ok(self.snapshot.slice(at..self.snapshot.len().min(at + 1000))))
                    .collect();
                let stream: ByteStream = Box::pin(futures_util::stream::iter(chunks));
                VaultResponse {
                    status: 200,
                    headers: vault_core::http::HeaderMap::new(),
                    body: ResponseBody::Stream(stream),
                }
            }
            _ => json(404, json!({"errors": []})),
        })
    }

    fn address(&self) -> String {
        "http://vault.test:8200".into()
    }
}

async fn create_from(
    snapshot: Vec<u8>,
) -> (
    Result<SnapshotInfo, BackupError>,
    SnapshotManager,
    Arc<dyn BlobStore>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn BlobStore> = Arc::new(LocalDirStore::new(dir.path()).expect("store"));
    let client = VaultClient::builder()
        .with_address("http://vault.test:8200")
        .with_token("planted-root-token")
        .with_transport(Arc::new(SnapshotServer {
            snapshot: Bytes::from(snapshot),
        }))
        .build()
        .expect("client");
    let manager = SnapshotManager::builder(client, Arc::clone(&store))
        .build()
        .expect("manager");
    let result = manager
        .create_snapshot(CreateOptions::full().with_encrypt(false))
        .await;
    (result, manager, store, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_snapshot_is_stored_and_damaged_ones_are_rejected_while_streaming() {
    let (ok, _, store, _dir) = create_from(FIXTURE.to_vec()).await;
    let ok = ok.expect("the OpenBao snapshot is stored");
    assert_eq!(ok.raft_index, Some(57));
    assert_eq!(ok.stored_size, Some(FIXTURE.len() as u64));
    assert!(store.head(&ok.object_key).await.expect("head").is_some());

    let mut flipped = FIXTURE.to_vec();
    flipped[FIXTURE.len() / 2] ^= 0x10;
    let cases = [
        (Vec::new(), "empty"),
        (FIXTURE[..FIXTURE.len() - 100].to_vec(), "truncated"),
        (flipped, "damaged"),
    ];
    for (bytes, reason) in cases {
        let (result, manager, store, _dir) = create_from(bytes).await;
        let e = result.expect_err(reason);
        assert_eq!(e.kind(), BackupErrorKind::Integrity, "{reason}: {e}");
        assert!(e.message().contains(reason), "{reason}: {e}");
        assert!(
            store.list("snapshots/").await.expect("list").is_empty(),
            "{reason}: no object"
        );
        let entries = manager
            .list_snapshots(&SnapshotFilter::all())
            .await
            .expect("list");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].status, BackupStatus::Failed, "{reason}");
        assert!(!format!("{e} {e:?} {entries:?}").contains("planted-root-token"));
    }
}
