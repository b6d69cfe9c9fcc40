//! Every KV v2 endpoint against a real server.

use serde_json::json;
use vault_kv::{
    KvErrorKind, KvExt, KvV2ConfigRequest, MetadataRequest, SubkeysRequest, WriteSecretRequest,
};

use crate::common::{obj, server};

#[tokio::test]
async fn data_endpoints_read_write_patch_subkeys_list() {
    let (_bao, client) = server().await;
    let kv = client.kv2("secret");

    let v1 = kv
        .write_data(
            "app/db",
            &json!({"user": "svc", "password": "planted-pw-1"}),
        )
        .await
        .expect("write v1");
    assert_eq!(v1.version, Some(1));
    assert!(!v1.created_time.is_empty());
    let v2 = kv
        .write(
            "app/db",
            &WriteSecretRequest::new(obj(
                json!({"user": "svc", "password": "planted-pw-2", "tmp": "x"}),
            )),
        )
        .await
        .expect("write v2");
    assert_eq!(v2.version, Some(2));

    let latest = kv.read("app/db").await.expect("read latest");
    assert_eq!(latest.path, "app/db");
    assert_eq!(latest.metadata.version, Some(2));
    assert_eq!(latest.get_str("password"), Some("planted-pw-2"));
    assert!(
        !format!("{latest:?}").contains("planted-pw-2"),
        "Debug must not show values"
    );
    let first = kv.read_version("app/db", 1).await.expect("read version 1");
    assert_eq!(first.get_str("password"), Some("planted-pw-1"));

    // JSON merge patch: `null` removes a key, other keys are merged.
    let v3 = kv
        .patch("app/db", &json!({"tmp": null, "port": 5432}), None)
        .await
        .expect("patch");
    assert_eq!(v3.version, Some(3));
    let patched = kv.read("app/db").await.expect("read patched");
    assert_eq!(
        patched.data.keys().collect::<Vec<_>>(),
        vec!["password", "port", "user"]
    );
    assert_eq!(patched.data.get("port"), Some(&json!(5432)));
    // Patch with a CAS that matches.
    let v4 = kv
        .patch("app/db", &json!({"port": 5433}), Some(3))
        .await
        .expect("patch with cas");
    assert_eq!(v4.version, Some(4));
    // Patching a missing key is a NotFound.
    let e = kv
        .patch("app/nothing", &json!({"a": 1}), None)
        .await
        .expect_err("patch of a missing key");
    assert_eq!(e.kind(), KvErrorKind::NotFound, "{e}");

    let sub = kv
        .subkeys("app/db", SubkeysRequest::default())
        .await
        .expect("subkeys");
    assert_eq!(
        sub.subkeys,
        json!({"password": null, "port": null, "user": null})
    );
    assert_eq!(sub.metadata.version, Some(4));
    let sub1 = kv
        .subkeys(
            "app/db",
            SubkeysRequest {
                version: Some(2),
                depth: Some(1),
            },
        )
        .await
        .expect("subkeys v2");
    assert_eq!(
        sub1.subkeys,
        json!({"password": null, "tmp": null, "user": null})
    );

    kv.write_data("app/api/weather", &json!({"api_key": "k"}))
        .await
        .expect("write nested");
    let mut names = kv.list("app").await.expect("list");
    names.sort();
    assert_eq!(names, vec!["api/", "db"]);
    assert!(
        kv.list("nowhere")
            .await
            .expect("list of a missing folder")
            .is_empty()
    );
    assert_eq!(kv.list("").await.expect("list root"), vec!["app/"]);
}

#[tokio::test]
async fn metadata_and_config_endpoints() {
    let (_bao, client) = server().await;
    let kv = client.kv2("secret");
    // Metadata may be written before any data.
    kv.write_metadata(
        "svc/key",
        &MetadataRequest::builder()
            .with_max_versions(7)
            .with_cas_required(false)
            .with_delete_version_after("1h")
            .with_custom_metadata("owner", "data-team"),
    )
    .await
    .expect("write metadata");
    let m = kv.read_metadata("svc/key").await.expect("read metadata");
    assert_eq!(m.max_versions, 7);
    assert_eq!(m.delete_version_after, "1h0m0s");
    assert_eq!(
        m.custom_metadata.get("owner").map(String::as_str),
        Some("data-team")
    );
    assert_eq!(m.current_version, 0);

    kv.patch_metadata(
        "svc/key",
        &MetadataRequest::builder()
            .with_max_versions(3)
            .with_custom_metadata("tier", "gold"),
    )
    .await
    .expect("patch metadata");
    let m = kv
        .read_metadata("svc/key")
        .await
        .expect("read metadata again");
    assert_eq!(m.max_versions, 3);
    assert_eq!(
        m.custom_metadata.get("owner").map(String::as_str),
        Some("data-team"),
        "patch keeps other keys"
    );
    assert_eq!(
        m.custom_metadata.get("tier").map(String::as_str),
        Some("gold")
    );
    let e = kv
        .patch_metadata(
            "svc/absent",
            &MetadataRequest::builder().with_max_versions(1),
        )
        .await
        .expect_err("missing");
    assert_eq!(e.kind(), KvErrorKind::NotFound, "{e}");

    kv.write_data("svc/key", &json!({"a": "1"}))
        .await
        .expect("write data");
    let written = kv.read("svc/key").await.expect("read");
    assert_eq!(
        written
            .metadata
            .custom_metadata
            .get("tier")
            .map(String::as_str),
        Some("gold")
    );
    assert!(
        !written.metadata.deletion_time.is_empty(),
        "delete_version_after schedules a deletion time"
    );

    kv.delete_metadata("svc/key")
        .await
        .expect("delete metadata");
    let e = kv.read("svc/key").await.expect_err("gone");
    assert_eq!(e.kind(), KvErrorKind::NotFound);
    assert_eq!(e.to_string(), "secret `secret/svc/key` not found");
    let e = kv
        .read_metadata("svc/key")
        .await
        .expect_err("metadata gone");
    assert_eq!(e.kind(), KvErrorKind::NotFound);

    let before = kv.read_config().await.expect("read config");
    assert!(!before.cas_required);
    kv.write_config(&KvV2ConfigRequest {
        max_versions: Some(12),
        cas_required: None,
        delete_version_after: Some("2h".into()),
    })
    .await
    .expect("write config");
    let after = kv.read_config().await.expect("read config again");
    assert_eq!(after.max_versions, 12);
    assert_eq!(after.delete_version_after, "2h0m0s");
}

#[tokio::test]
async fn missing_secret_mount_and_bad_input_are_told_apart() {
    let (_bao, client) = server().await;
    let e = client
        .get_secret("no/such/secret", "secret")
        .await
        .expect_err("missing secret");
    assert_eq!(e.kind(), KvErrorKind::NotFound, "{e}");
    assert!(e.is_not_found());

    let e = client
        .kv2("nomount")
        .read("x")
        .await
        .expect_err("missing mount");
    assert_eq!(e.kind(), KvErrorKind::NoSuchMount, "{e}");
    assert!(e.to_string().contains("no such mount `nomount`"), "{e}");

    let e = client
        .get_secret("", "secret")
        .await
        .expect_err("empty path");
    assert_eq!(e.kind(), KvErrorKind::Validation);
    let e = client
        .write_secret("a", &json!(["not", "a", "map"]), "secret")
        .await
        .expect_err("array data");
    assert!(e.to_string().contains("must be a JSON object"), "{e}");
}

#[tokio::test]
async fn a_freshly_enabled_mount_is_usable_at_once() {
    let (bao, client) = server().await;
    // Enable through the raw API without waiting: the mount may still be upgrading its storage
    // ("Upgrading from non-versioned to versioned data"), which the client rides out.
    let (status, body) = bao
        .api(
            "POST",
            "sys/mounts/fresh",
            Some(json!({"type": "kv", "options": {"version": "2"}})),
        )
        .await;
    assert!(status < 300, "enable mount: {status} {body}");
    let meta = client
        .write_secret("a/b", &json!({"k": "v"}), "fresh")
        .await
        .expect("write right away");
    assert_eq!(meta.version, Some(1));
    assert_eq!(
        client
            .get_secret("a/b", "fresh")
            .await
            .expect("read")
            .get_str("k"),
        Some("v")
    );
}
