//! Recursive walk over a 3-level tree of 500 secrets with one forbidden subtree.

use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};
use serde_json::json;
use vault_kv::{KvErrorKind, KvExt, WalkEntry, WalkOptions};

use crate::common::{client_for, server};

#[tokio::test]
async fn walk_streams_500_secrets_and_skips_the_forbidden_subtree() {
    let (bao, root) = server().await;
    let paths: Vec<String> = (0..5)
        .flat_map(|t| (0..10).flat_map(move |a| (0..10).map(move |s| format!("t{t}/a{a}/s{s}"))))
        .collect();
    assert_eq!(paths.len(), 500);
    let kv = root.kv2("secret");
    stream::iter(paths.iter().cloned().map(|p| {
        let kv = kv.clone();
        async move { kv.write_data(&p, &json!({"k": "v"})).await }
    }))
    .buffer_unordered(16)
    .try_collect::<Vec<_>>()
    .await
    .expect("seed the tree");

    // Root sees everything.
    let (all, skipped) = root
        .walk("secret", WalkOptions::builder().with_concurrency(16))
        .collect_all()
        .await;
    assert!(skipped.is_empty(), "{skipped:?}");
    let mut expected = paths.clone();
    expected.sort();
    assert_eq!(all, expected);

    // A token that may list everything except t3/.
    bao.write_policy(
        "walker",
        r#"
        path "secret/metadata/*" { capabilities = ["list"] }
        path "secret/metadata/t3/*" { capabilities = ["deny"] }
        "#,
    )
    .await;
    let token = bao.create_token(&["walker"], "1h").await;
    let limited = client_for(&bao.addr(), &token);
    let mut walk = limited.walk("secret", WalkOptions::builder().with_concurrency(4));
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    while let Some(entry) = walk.next().await {
        match entry {
            WalkEntry::Secret(p) => found.push(p),
            WalkEntry::Skipped { folder, error } => skipped.push((folder, error)),
            other => panic!("unexpected entry {other:?}"),
        }
    }
    assert_eq!(found.len(), 400);
    assert!(found.iter().all(|p| !p.starts_with("t3/")));
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, "t3");
    assert_eq!(skipped[0].1.kind(), KvErrorKind::Permission);

    // Depth limit: secrets sit two folders down, so depth 1 finds none and depth 2 finds all.
    let (shallow, _) = root
        .walk("secret", WalkOptions::builder().with_max_depth(1))
        .collect_all()
        .await;
    assert!(shallow.is_empty(), "{shallow:?}");
    let (deep, _) = root
        .walk("secret", WalkOptions::builder().with_max_depth(2))
        .collect_all()
        .await;
    assert_eq!(deep.len(), 500);

    // Glob filter and prefix.
    let opts = WalkOptions::builder().with_glob("t0/a1/*").expect("glob");
    let (globbed, _) = root.walk("secret", opts).collect_all().await;
    assert_eq!(globbed.len(), 10);
    assert!(globbed.iter().all(|p| p.starts_with("t0/a1/s")));
    let opts = WalkOptions::builder()
        .with_prefix("t4")
        .with_glob("**/s9")
        .expect("glob");
    let (nines, _) = root.walk("secret", opts).collect_all().await;
    assert_eq!(nines.len(), 10, "{nines:?}");
}
