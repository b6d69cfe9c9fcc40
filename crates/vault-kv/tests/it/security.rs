//! Hostile server answers against vault-kv (issue 10). docs/security.md lists them.
//!
//! [`HostileLists`] sits in front of a real OpenBao server: every request is forwarded, except
//! LIST, which it answers itself the way a compromised or buggy server (or a proxy in the
//! middle) could.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use vault_core::HttpTransport;
use vault_core::{Method, Transport, VaultClient, VaultError, VaultRequest, VaultResponse};
use vault_kv::{KvExt, WalkEntry, WalkOptions};
use vault_testkit::OpenBao;

use crate::common::server;

#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Every folder holds one secret and one more sub-folder, forever.
    EndlessNesting,
    /// Every folder holds 1,000 sub-folders.
    EndlessNames,
    /// The keys are not a list, and the body quotes a planted secret.
    WrongShape,
}

const PLANTED: &str = "hvs.PLANTED-secret-in-a-hostile-answer";

#[derive(Debug)]
struct HostileLists {
    real: HttpTransport,
    answer: Answer,
    lists: AtomicUsize,
}

#[async_trait]
impl Transport for HostileLists {
    async fn send(&self, request: VaultRequest) -> Result<VaultResponse, VaultError> {
        if request.method != Method::List {
            return self.real.send(request).await;
        }
        self.lists.fetch_add(1, Ordering::SeqCst);
        let body = match self.answer {
            Answer::EndlessNesting => r#"{"data":{"keys":["s","deeper/"]}}"#.to_string(),
            Answer::EndlessNames => {
                let keys: Vec<String> = (0..1000).map(|i| format!("\"f{i}/\"")).collect();
                format!(r#"{{"data":{{"keys":[{}]}}}}"#, keys.join(","))
            }
            Answer::WrongShape => format!(r#"{{"data":{{"keys":"{PLANTED}"}}}}"#),
        };
        Ok(VaultResponse::new(200, vec![], body))
    }

    fn address(&self) -> String {
        self.real.address()
    }
}

fn hostile_client(bao: &OpenBao, answer: Answer) -> (VaultClient, Arc<HostileLists>) {
    let real = HttpTransport::builder()
        .with_address(bao.addr())
        .build()
        .expect("transport");
    let hostile = Arc::new(HostileLists {
        real,
        answer,
        lists: AtomicUsize::new(0),
    });
    let client = VaultClient::builder()
        .with_transport(hostile.clone())
        .with_token(bao.root_token())
        .build()
        .expect("client");
    (client, hostile)
}

/// Item 16: LIST answers that nest forever end at the depth limit, with a clear report. Before
/// the fix the walk never ended (nextest ended it after 5 minutes).
#[tokio::test]
async fn endless_nesting_stops_at_the_depth_limit() {
    let (bao, _) = server().await;
    let (client, hostile) = hostile_client(&bao, Answer::EndlessNesting);
    let (secrets, skipped) = client
        .walk("secret", WalkOptions::builder())
        .collect_all()
        .await;
    let limit = vault_kv::DEFAULT_WALK_DEPTH_LIMIT;
    assert_eq!(secrets.len(), limit + 1, "one secret per level listed");
    assert_eq!(hostile.lists.load(Ordering::SeqCst), limit + 1);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let text = skipped[0].1.to_string();
    assert!(text.contains(&format!("depth limit of {limit}")), "{text}");
    assert!(text.contains("with_depth_limit"), "{text}");

    // A lower limit is honoured the same way.
    let (secrets, skipped) = client
        .walk("secret", WalkOptions::builder().with_depth_limit(3))
        .collect_all()
        .await;
    assert_eq!((secrets.len(), skipped.len()), (4, 1));
}

/// Item 16: LIST answers with endless names end at the entry limit. Before the fix the walk
/// listed 1,000 more folders for each folder, without end.
#[tokio::test]
async fn endless_names_stop_at_the_entry_limit() {
    let (bao, _) = server().await;
    let (client, hostile) = hostile_client(&bao, Answer::EndlessNames);
    let mut walk = client.walk("secret", WalkOptions::builder().with_entry_limit(20_000));
    let mut stop = None;
    while let Some(entry) = walk.next_entry().await {
        if let WalkEntry::Skipped { error, .. } = entry {
            stop = Some(error.to_string());
        }
    }
    let text = stop.expect("the walk reports why it stopped");
    assert!(text.contains("20000 names"), "{text}");
    assert!(text.contains("with_entry_limit"), "{text}");
    assert!(
        hostile.lists.load(Ordering::SeqCst) <= 21 + 8,
        "bounded work"
    );
}

/// Item 16: a response body of the wrong shape is reported by category and position, never by
/// quoting it. Before the fix the error read `invalid type: string "hvs.PLANTED…"`.
#[tokio::test]
async fn wrong_shaped_answer_is_not_quoted_in_the_error() {
    let (bao, _) = server().await;
    let (client, _) = hostile_client(&bao, Answer::WrongShape);
    let e = client
        .kv2("secret")
        .list("")
        .await
        .expect_err("keys is not a list");
    let text = format!("{e} {e:?}");
    assert!(!text.contains("PLANTED"), "{text}");
    assert!(text.contains("shape"), "names the category: {text}");
}
