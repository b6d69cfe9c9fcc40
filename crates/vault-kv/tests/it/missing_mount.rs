//! A mount that does not exist: OpenBao answers 403 on `sys/internal/ui/mounts/<mount>` both for
//! a missing mount and for a forbidden one. A token that may read the mount table gets
//! `NoSuchMount` with the KV mounts that exist; one that may not gets `MountNotVisible`, which
//! says both possibilities; a mount that exists but is forbidden stays `Permission`.

use serde_json::json;
use vault_core::{Classify, ErrorClass};
use vault_kv::{KvError, KvErrorKind, KvExt};

use crate::common::{client_for, server};

#[tokio::test]
async fn a_missing_mount_is_told_apart_from_a_forbidden_one() {
    let (bao, root) = server().await;
    bao.enable_kv_v1("team-kv").await;
    bao.api(
        "POST",
        "sys/mounts/transit",
        Some(json!({"type": "transit"})),
    )
    .await;

    // Root may read sys/mounts: a missing mount is certain, and the KV mounts are listed
    // (not the transit one).
    let e = root.kv("app").get("db").await.expect_err("no mount `app`");
    assert_eq!(e.kind(), KvErrorKind::NoSuchMount, "{e}");
    assert_eq!(e.class(), ErrorClass::SecretNotFound);
    assert_eq!(
        e.to_string(),
        "read `app/db`: no such mount `app`; the KV mounts are `secret`, `team-kv`"
    );
    let KvError::NoSuchMount { kv_mounts, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(kv_mounts, &["secret", "team-kv"]);

    // A token limited to `secret/data/app/*` may not read sys/mounts: both possibilities, with
    // the KV mounts it can see.
    bao.write_policy(
        "app-only",
        r#"path "secret/data/app/*" { capabilities = ["read"] }"#,
    )
    .await;
    let token = bao.create_token(&["app-only"], "1h").await;
    let limited = client_for(&bao.addr(), &token);
    let e = limited
        .kv("app")
        .get("db")
        .await
        .expect_err("no mount `app`");
    assert_eq!(e.kind(), KvErrorKind::Permission, "{e}");
    assert_eq!(
        e.to_string(),
        "read `app/db`: no such mount `app`, or the token's policies grant nothing under it; \
         the KV mounts this token can see are `secret`"
    );

    // The same token on a mount that exists but that it may not use: the same two
    // possibilities (it cannot tell them apart), and the hidden mount is not listed.
    let e = limited
        .kv("team-kv")
        .get("db")
        .await
        .expect_err("forbidden mount");
    assert!(
        matches!(&e, KvError::MountNotVisible { visible_kv_mounts, .. }
            if visible_kv_mounts == &["secret"]),
        "{e:?}"
    );

    // A token that may read the mount table but not the mount: a plain permission error.
    bao.write_policy(
        "mount-reader",
        r#"path "sys/mounts" { capabilities = ["read"] }"#,
    )
    .await;
    let token = bao.create_token(&["mount-reader"], "1h").await;
    let reader = client_for(&bao.addr(), &token);
    let e = reader.kv("team-kv").get("db").await.expect_err("forbidden");
    assert!(matches!(e, KvError::Permission { .. }), "{e:?}");
    let e = reader.kv("app").get("db").await.expect_err("missing");
    assert_eq!(e.kind(), KvErrorKind::NoSuchMount, "{e}");
}
