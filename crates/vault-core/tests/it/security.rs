//! Hostile inputs against vault-core (issue 10): one test per item, each of which failed before
//! its fix. docs/security.md lists them.

use serde_json::json;
use vault_core::{Method, VaultErrorKind, VaultRequest, VaultResponse};

use crate::client_redirect::{Redirect, client_for, fake_node};

const PLANTED: &str = "hvs.PLANTED-token-must-never-show";

/// Item 5: a 307 to another host (here: another loopback port) must not carry the token or the
/// body there. Before the fix reqwest followed it and the second listener got `X-Vault-Token`.
#[tokio::test]
async fn redirect_to_another_host_is_refused_without_sending_the_token() {
    let (elsewhere, seen_elsewhere) = fake_node(Redirect::Never).await;
    let (node, seen_node) = fake_node(Redirect::To(elsewhere.clone())).await;
    let client = client_for(&node, PLANTED.into());

    let e = client
        .write("secret/data/app", json!({"data": {"password": "hunter2"}}))
        .await
        .expect_err("cross-origin redirect");
    let text = e.to_string();
    assert_eq!(e.kind(), VaultErrorKind::Server, "{text}");
    let host = |a: &str| a.trim_start_matches("http://").to_string();
    assert!(text.contains(&host(&node)), "names the origin: {text}");
    assert!(text.contains(&host(&elsewhere)), "names the target: {text}");
    assert!(!text.contains(PLANTED), "{text}");

    let writes = seen_node
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, p, _, _)| p == "/v1/secret/data/app")
        .count();
    assert_eq!(writes, 1, "sent once, not retried");
    let got = seen_elsewhere.lock().expect("lock");
    assert!(
        got.is_empty(),
        "the other host received {} request(s); token sent: {}",
        got.len(),
        got.iter()
            .any(|(_, _, h, _)| h.get("x-vault-token").is_some())
    );
}

/// Item 6: `Debug` of requests and responses shows header names, never values or bodies.
/// Before the fix both were derived and printed the token.
#[test]
fn debug_of_requests_and_responses_hides_tokens_and_bodies() {
    let request = VaultRequest::new(Method::Post, "auth/token/create")
        .with_header("X-Vault-Token", PLANTED)
        .with_query("wrap", PLANTED)
        .with_json(json!({"password": PLANTED}));
    let text = format!("{request:?} {request:#?}");
    assert!(!text.contains("PLANTED"), "{text}");
    assert!(
        text.contains("X-Vault-Token") && text.contains("auth/token/create"),
        "{text}"
    );

    let body = format!(r#"{{"auth":{{"client_token":"{PLANTED}"}}}}"#);
    let response = VaultResponse::new(
        200,
        vec![("x-vault-wrap-token".into(), PLANTED.into())],
        body.clone(),
    );
    let text = format!("{response:?} {response:#?}");
    assert!(!text.contains("PLANTED"), "{text}");
    assert!(text.contains("x-vault-wrap-token"), "{text}");
    assert!(
        text.contains(&body.len().to_string()),
        "body length shown: {text}"
    );
}

/// Item 11: `.`/`..` segments (plain or percent-encoded) never reach the server. Before the fix
/// `secret/../sys/seal-status` was collapsed by URL building into `/v1/sys/seal-status`.
#[tokio::test]
async fn dot_segments_are_refused_before_anything_is_sent() {
    let (node, seen) = fake_node(Redirect::Never).await;
    let client = client_for(&node, PLANTED.into());
    for path in [
        "secret/../sys/seal-status",
        "../sys/seal-status",
        "secret/%2e%2e/sys/seal-status",
        "secret/.%2E/sys/seal-status",
        "secret/./data/x",
        "..",
    ] {
        let e = client.read(path).await.expect_err(path);
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{path}: {e}");
        assert!(e.to_string().contains("`..`"), "{e}");
        let e = client
            .write(path, json!({"data": {"k": "v"}}))
            .await
            .expect_err(path);
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{path}: {e}");
    }
    let e = client.list("../sys/policies/acl").await.expect_err("list");
    assert_eq!(e.kind(), VaultErrorKind::Validation, "{e}");
    // The client may check its token (`auth/token/lookup-self`); nothing else may be sent.
    let sent = || -> Vec<String> {
        seen.lock()
            .expect("lock")
            .iter()
            .map(|(_, p, _, _)| p.clone())
            .filter(|p| p != "/v1/auth/token/lookup-self")
            .collect()
    };
    assert!(
        sent().is_empty(),
        "nothing may reach the server: {:?}",
        sent()
    );
    // A name that merely contains dots is fine.
    client
        .read("secret/data/..env")
        .await
        .expect("dots inside a name");
    assert_eq!(sent(), ["/v1/secret/data/..env"]);
}

/// Answers every request 200 with a fixed body (a server sending something unexpected).
#[derive(Debug)]
struct FixedAnswer(String);

#[async_trait::async_trait]
impl vault_core::Transport for FixedAnswer {
    async fn send(&self, _: VaultRequest) -> Result<VaultResponse, vault_core::VaultError> {
        Ok(VaultResponse::new(200, vec![], self.0.clone()))
    }
    fn address(&self) -> String {
        "http://fixed.invalid".into()
    }
}

/// Item 16: a body of the wrong shape is reported by category and position, never quoted.
/// Before the fix: `answer is not Vault's JSON envelope: invalid type: string "hvs.PLANTED…"`.
#[tokio::test]
async fn unexpected_json_bodies_are_not_quoted_in_errors() {
    for body in [
        format!(r#"{{"lease_duration":"{PLANTED}"}}"#),
        format!(r#"{{"renewable":"{PLANTED}"}}"#),
        format!(r#"{{"data":{{}}, "{PLANTED}"#),
    ] {
        let client = vault_core::VaultClient::builder()
            .with_transport(std::sync::Arc::new(FixedAnswer(body.clone())))
            .with_token("t")
            .build()
            .expect("client");
        let e = client.read("secret/data/x").await.expect_err(&body);
        let text = format!("{e} {e:?}");
        assert!(!text.contains("PLANTED"), "{text}");
        assert!(text.contains("line 1"), "names the position: {text}");
    }
}

/// Item 8: a store whose root holds a symlinked folder (`linked/` → outside) and a symlinked
/// final name (`snap` → a file outside). Returns (temp dir, store, outside dir).
fn store_with_links() -> (
    tempfile::TempDir,
    vault_core::LocalDirStore,
    std::path::PathBuf,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("sub")).expect("outside");
    std::fs::write(outside.join("victim"), b"outside data").expect("victim");
    std::fs::write(outside.join("sub").join("victim"), b"outside data").expect("victim");
    let root = dir.path().join("store");
    std::fs::create_dir_all(root.join("real")).expect("root");
    std::os::unix::fs::symlink(&outside, root.join("linked")).expect("dir link");
    std::os::unix::fs::symlink(outside.join("victim"), root.join("snap")).expect("file link");
    std::os::unix::fs::symlink(outside.join("victim"), root.join("real").join("snap"))
        .expect("nested file link");
    let store = vault_core::LocalDirStore::new(&root).expect("store");
    (dir, store, outside)
}

fn outside_untouched(outside: &std::path::Path) {
    let mut names: Vec<String> = std::fs::read_dir(outside)
        .expect("outside")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["sub", "victim"],
        "nothing created or deleted outside"
    );
    assert_eq!(
        std::fs::read(outside.join("victim")).expect("victim"),
        b"outside data"
    );
    let sub: Vec<_> = std::fs::read_dir(outside.join("sub"))
        .expect("sub")
        .flatten()
        .collect();
    assert_eq!(sub.len(), 1);
    assert_eq!(
        std::fs::read(outside.join("sub").join("victim")).expect("victim"),
        b"outside data"
    );
}

/// Item 8: every operation refuses a symlinked folder and a symlinked final name; nothing
/// outside the root is read, written or deleted. Before the fix `get("linked/victim")` read
/// the outside file, `put("linked/new")` wrote outside and `delete("linked/victim")` removed it.
#[tokio::test]
async fn local_store_never_follows_symlinks() {
    use vault_core::{BlobStore, BlobStoreExt};
    let (_dir, store, outside) = store_with_links();
    let refused = |e: vault_core::VaultError, what: &str| {
        assert_eq!(e.kind(), VaultErrorKind::Validation, "{what}: {e}");
        assert!(e.to_string().contains("symbolic link"), "{what}: {e}");
    };
    for key in ["linked/victim", "linked/sub/victim", "snap", "real/snap"] {
        refused(store.get_bytes(key).await.expect_err(key), key);
        refused(store.head(key).await.expect_err(key), key);
        refused(store.delete(key).await.expect_err(key), key);
        refused(
            store
                .put_bytes(key, bytes::Bytes::from_static(b"attacker"))
                .await
                .expect_err(key),
            key,
        );
    }
    refused(
        store
            .put_bytes("linked/new", bytes::Bytes::from_static(b"x"))
            .await
            .expect_err("new file through a linked folder"),
        "linked/new",
    );
    refused(
        store
            .list("linked/")
            .await
            .expect_err("list through a link"),
        "list linked/",
    );
    // A listing of the whole store shows no link and nothing from outside.
    store
        .put_bytes("real/ok", bytes::Bytes::from_static(b"fine"))
        .await
        .expect("ordinary put");
    let all: Vec<String> = store
        .list("")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(all, ["real/ok"]);
    outside_untouched(&outside);
    // The links themselves are still there (refused, not replaced).
    assert!(
        std::fs::symlink_metadata(store.root().join("snap"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
}

/// Item 14: `VAULT_CAPATH` (a folder of PEM files) and `VAULT_TLS_SERVER_NAME` work against a
/// real OpenBao TLS listener, and half a client certificate is a Config error. Before the fix
/// both variables were ignored (the CA folder could not make the connection trusted, so the
/// first read failed) and a certificate without its key was dropped silently.
#[tokio::test]
async fn capath_server_name_and_half_client_cert() {
    use vault_core::{VaultClient, VaultConnectionConfig};
    use vault_testkit::{OpenBao, TestPki};
    let pki = TestPki::generate();
    let bao = OpenBao::dev_tls(&pki).await;
    let (addr, token) = (bao.addr(), bao.root_token());
    let env_client = |vars: Vec<(&'static str, String)>| {
        let (addr, token) = (addr.clone(), token.clone());
        let config = VaultConnectionConfig::from_env_with(move |name| match name {
            "VAULT_ADDR" => Some(addr.clone()),
            "VAULT_TOKEN" => Some(token.clone()),
            other => vars
                .iter()
                .find(|(k, _)| *k == other)
                .map(|(_, v)| v.clone()),
        })
        .expect("config");
        VaultClient::from_config(&config)
    };

    // A CA folder with an unrelated CA, the right one and a non-PEM file.
    let ca_dir = tempfile::tempdir().expect("ca dir");
    std::fs::copy(pki.wrong_ca_cert_path(), ca_dir.path().join("a-other.pem")).expect("copy");
    std::fs::copy(pki.ca_cert_path(), ca_dir.path().join("b-ours.pem")).expect("copy");
    std::fs::write(ca_dir.path().join("README"), "not a certificate").expect("write");
    let capath = ca_dir.path().display().to_string();
    let client = env_client(vec![("VAULT_CAPATH", capath.clone())]).expect("client");
    assert!(
        client
            .read("secret/data/none")
            .await
            .expect("CA from VAULT_CAPATH")
            .is_none()
    );

    // Only the wrong CA in the folder: not trusted.
    let wrong_dir = tempfile::tempdir().expect("wrong dir");
    std::fs::copy(pki.wrong_ca_cert_path(), wrong_dir.path().join("ca.pem")).expect("copy");
    let client = env_client(vec![(
        "VAULT_CAPATH",
        wrong_dir.path().display().to_string(),
    )])
    .expect("client");
    let e = client
        .read("secret/data/none")
        .await
        .expect_err("wrong CA folder");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");

    // An empty folder is a Config error naming it.
    let empty = tempfile::tempdir().expect("empty");
    let e = env_client(vec![("VAULT_CAPATH", empty.path().display().to_string())])
        .expect_err("no certificate");
    assert_eq!(e.kind(), VaultErrorKind::Config, "{e}");
    assert!(
        e.to_string().contains(&empty.path().display().to_string()),
        "{e}"
    );

    // The certificate names 127.0.0.1 and localhost: verifying for `localhost` while
    // connecting to 127.0.0.1 works; for another name it must fail (the name is really used).
    let ca = pki.ca_cert_path().display().to_string();
    let client = env_client(vec![
        ("VAULT_CACERT", ca.clone()),
        ("VAULT_TLS_SERVER_NAME", "localhost".into()),
    ])
    .expect("client");
    assert!(
        client
            .read("secret/data/none")
            .await
            .expect("server name localhost")
            .is_none()
    );
    let client = env_client(vec![
        ("VAULT_CACERT", ca.clone()),
        ("VAULT_TLS_SERVER_NAME", "vault.other.example".into()),
    ])
    .expect("client");
    let e = client
        .read("secret/data/none")
        .await
        .expect_err("name not in the certificate");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    assert!(e.to_string().contains("certificate"), "{e}");

    // A client certificate without its key (and the reverse) is refused, not dropped.
    for (var, path) in [
        ("VAULT_CLIENT_CERT", pki.client_cert_path()),
        ("VAULT_CLIENT_KEY", pki.client_key_path()),
    ] {
        let e = env_client(vec![
            ("VAULT_CACERT", ca.clone()),
            (var, path.display().to_string()),
        ])
        .expect_err("half a client certificate");
        assert_eq!(e.kind(), VaultErrorKind::Config, "{e}");
        assert!(e.to_string().contains("VAULT_CLIENT_KEY"), "{e}");
    }
}
