//! ACL policies on real OpenBao: CRUD round trip, and rendered HCL that the server both accepts
//! and enforces exactly as the rules say.

use serde_json::json;
use vault_core::Capability::*;
use vault_core::{AccessPolicy, PolicyRule};
use vault_core::{VaultClient, VaultErrorKind};
use vault_testkit::OpenBao;

use crate::client_common::{fast_retry, root_client};

fn token_client(bao: &OpenBao, token: String) -> VaultClient {
    VaultClient::builder()
        .with_address(bao.addr())
        .with_token(token)
        .with_retry(fast_retry(1))
        .build()
        .expect("client")
}

#[tokio::test]
async fn write_read_list_delete_round_trip() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let policy = AccessPolicy::new("dagster-secrets").with_rule(
        PolicyRule::new("secret/data/bike-data-flow/*", [Read, List])
            .with_description("pipeline secrets"),
    );
    client.write_policy(&policy).await.expect("write");

    let stored = client
        .read_policy("dagster-secrets")
        .await
        .expect("read")
        .expect("present");
    assert_eq!(
        stored,
        policy.to_hcl(),
        "the server keeps the rendered text as written"
    );
    let names = client.list_policies().await.expect("list");
    assert!(
        names.iter().any(|n| n == "dagster-secrets") && names.iter().any(|n| n == "default"),
        "{names:?}"
    );

    // Replace.
    let replaced = AccessPolicy::new("dagster-secrets")
        .with_rule(PolicyRule::new("secret/data/other", [Read]));
    client.write_policy(&replaced).await.expect("overwrite");
    assert_eq!(
        client
            .read_policy("dagster-secrets")
            .await
            .expect("read")
            .as_deref(),
        Some(replaced.to_hcl().as_str())
    );

    client
        .delete_policy("dagster-secrets")
        .await
        .expect("delete");
    assert_eq!(
        client
            .read_policy("dagster-secrets")
            .await
            .expect("read after delete"),
        None
    );
    assert!(
        !client
            .list_policies()
            .await
            .expect("list")
            .iter()
            .any(|n| n == "dagster-secrets")
    );
    client
        .delete_policy("dagster-secrets")
        .await
        .expect("deleting a missing policy succeeds");

    assert!(
        client
            .read_policy("root")
            .await
            .expect("read root")
            .is_some()
    );
    let e = client
        .delete_policy("default")
        .await
        .expect_err("default cannot be deleted");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
}

#[tokio::test]
async fn bad_policy_text_is_refused_with_the_servers_reason() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let e = client
        .write_policy_hcl("broken", "path \"x\" { capabilities = [\"read\" ")
        .await
        .expect_err("bad HCL");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    assert_eq!(e.status(), Some(400));
    assert!(
        !e.vault_errors().is_empty(),
        "Vault's parser message is kept: {e}"
    );

    // Local validation stops a bad model before any request.
    let bad = AccessPolicy::new("p").with_rule(PolicyRule::new("secret/*/x", [Read]));
    let e = client
        .write_policy(&bad)
        .await
        .expect_err("glob in the middle");
    assert_eq!(
        (e.kind(), e.status()),
        (VaultErrorKind::Validation, None),
        "{e}"
    );
}

#[tokio::test]
async fn every_rendered_option_is_accepted_by_the_server() {
    let bao = OpenBao::dev().await;
    let client = root_client(&bao);
    let policy = AccessPolicy::new("everything")
        .with_rule(PolicyRule::new(
            "kv/all",
            [Create, Read, Update, Patch, Delete, List, Sudo],
        ))
        .with_rule(PolicyRule::new("kv/scan/", [Scan, List]))
        .with_rule(PolicyRule::new("kv/none", [Deny]))
        .with_rule(
            PolicyRule::new("kv/+/team-*", [Read]).with_description("multi-line\ndescription"),
        )
        .with_rule(PolicyRule::new("kv/we\"ird\\path", [Read]))
        .with_rule(PolicyRule::new(
            "identity/entity/id/{{identity.entity.id}}",
            [Read],
        ))
        .with_rule(
            PolicyRule::new("sys/wrapping/wrap", [Update])
                .with_min_wrapping_ttl("1s")
                .with_max_wrapping_ttl("90s")
                .with_required_parameter("a")
                .with_allowed_parameter("*", Vec::<String>::new())
                .with_allowed_parameter("a", ["x", "y"])
                .with_denied_parameter("b", Vec::<String>::new()),
        );
    policy.validate().expect("valid");
    client
        .write_policy(&policy)
        .await
        .expect("the server parses every option we render");
    assert_eq!(
        client
            .read_policy("everything")
            .await
            .expect("read")
            .as_deref(),
        Some(policy.to_hcl().as_str())
    );
}

#[tokio::test]
async fn a_token_can_do_exactly_what_the_rendered_rules_allow() {
    let bao = OpenBao::dev().await;
    bao.enable_kv_v1("kv").await;
    let root = root_client(&bao);
    for (path, data) in [
        ("kv/app/a", json!({"v": "a"})),
        ("kv/app/locked", json!({"v": "locked"})),
        ("kv/other/x", json!({"v": "x"})),
    ] {
        root.write(path, data).await.expect("seed");
    }
    let policy = AccessPolicy::new("app-limited")
        .with_rule(PolicyRule::new("kv/app/*", [Read, List]))
        .with_rule(PolicyRule::new("kv/app/locked", [Deny]))
        .with_rule(PolicyRule::new("kv/app/rw", [Create, Update, Read]))
        .with_rule(
            PolicyRule::new("kv/app/colour", [Create, Update])
                .with_allowed_parameter("colour", ["red", "blue"])
                .with_allowed_parameter("note", Vec::<String>::new()),
        )
        .with_rule(
            PolicyRule::new("kv/app/form", [Create, Update])
                .with_denied_parameter("password", Vec::<String>::new()),
        );
    root.write_policy(&policy).await.expect("write policy");
    let client = token_client(&bao, bao.create_token(&["app-limited"], "1h").await);
    let denied =
        |r: Result<Option<vault_core::Envelope>, vault_core::VaultError>, what: &str| match r {
            Err(e) => assert_eq!(e.kind(), VaultErrorKind::Permission, "{what}: {e}"),
            Ok(_) => panic!("{what}: allowed, but the policy forbids it"),
        };

    // Allowed.
    assert!(
        client
            .read("kv/app/a")
            .await
            .expect("read allowed")
            .is_some()
    );
    assert_eq!(
        client.list("kv/app").await.expect("list allowed"),
        ["a", "locked"]
    );
    client
        .write("kv/app/rw", json!({"v": 1}))
        .await
        .expect("create allowed");
    client
        .write("kv/app/rw", json!({"v": 2}))
        .await
        .expect("update allowed");
    client
        .write(
            "kv/app/colour",
            json!({"colour": "red", "note": "anything"}),
        )
        .await
        .expect("allowed value");
    client
        .write("kv/app/form", json!({"name": "x"}))
        .await
        .expect("no denied parameter");

    // Forbidden.
    denied(client.read("kv/app/locked").await, "read of a denied path");
    denied(
        client.write("kv/app/a", json!({"v": "b"})).await,
        "write with read-only rights",
    );
    denied(
        client.delete("kv/app/rw").await,
        "delete without the delete capability",
    );
    denied(client.read("kv/other/x").await, "read outside the policy");
    denied(
        client
            .write("kv/app/colour", json!({"colour": "green"}))
            .await,
        "value not in allowed_parameters",
    );
    denied(
        client
            .write("kv/app/colour", json!({"shape": "round"}))
            .await,
        "parameter not in allowed_parameters",
    );
    denied(
        client
            .write("kv/app/form", json!({"name": "x", "password": "p"}))
            .await,
        "denied parameter",
    );
}
