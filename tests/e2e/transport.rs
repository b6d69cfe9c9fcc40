//! TLS options and namespaces, through flags, environment and profile.

use serde_json::json;
use vault_testkit::{OpenBao, TestPki};

use crate::support::{Cmd, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_ca_cert_and_skip_verify() {
    let pki = TestPki::generate();
    let bao = OpenBao::dev_tls(&pki).await;
    let home = tempfile::tempdir().expect("home");
    let ca = pki.ca_cert_path();
    let ca = ca.to_str().expect("path");
    let vk = |args: &[&str]| {
        Cmd::new(home.path(), args)
            .env("VAULT_ADDR", &bao.addr())
            .env("VAULT_TOKEN", &bao.root_token())
    };

    // Untrusted certificate: a connection error (exit 5), one line.
    vk(&["status"]).run().await.code(5).one_line_error();
    vk(&["status", "--ca-cert", ca]).run().await.ok();
    vk(&["status"]).env("VAULT_CACERT", ca).run().await.ok();
    // Skip-verify works, with a warning on stderr (issue 10 item 14).
    let out = vk(&["status"]).env("VAULT_SKIP_VERIFY", "true").run().await;
    out.ok();
    assert!(
        out.stderr
            .contains("warning: TLS certificate verification is off"),
        "{}",
        out.stderr
    );
    let out = vk(&["status", "--tls-skip-verify"]).run().await;
    out.ok();
    assert_eq!(out.stderr.matches("warning:").count(), 1, "{}", out.stderr);
    // The trusted connection has no warning.
    let out = vk(&["status"]).env("VAULT_CACERT", ca).run().await;
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    // Plain http:// to a host that is not loopback (0.0.0.0: refused at once) is warned about.
    let out = Cmd::new(home.path(), &["status"])
        .env("VAULT_ADDR", "http://0.0.0.0:1")
        .env("VAULT_TOKEN", "t")
        .run()
        .await;
    assert!(
        out.stderr
            .contains("warning: VAULT_ADDR `http://0.0.0.0:1` is plain http://"),
        "{}",
        out.stderr
    );
    let wrong = pki.wrong_ca_cert_path();
    vk(&["status", "--ca-cert", wrong.to_str().expect("path")])
        .run()
        .await
        .code(5);
    vk(&["kv", "put", "secret/tls", "k=v"])
        .env("VAULT_CACERT", ca)
        .run()
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_from_flag_env_and_profile() {
    let w = World::new().await;
    w.bao.create_namespace("team-a").await;
    let (status, body) = w
        .bao
        .api_in(
            "team-a",
            "POST",
            "sys/mounts/secret",
            Some(json!({"type": "kv", "options": {"version": "2"}})),
        )
        .await;
    assert!(status < 300, "mount in namespace: {body}");
    // The mount upgrades in the background for a moment: retry the first write.
    let mut ok = false;
    for _ in 0..50 {
        if w.vk(&[
            "kv",
            "put",
            "--namespace",
            "team-a",
            "secret/ns",
            "k=in-team-a",
        ])
        .run()
        .await
        .code
            == Some(0)
        {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ok, "could not write in namespace team-a");
    let get = w
        .vk(&["kv", "get", "-field=k", "secret/ns"])
        .env("VAULT_NAMESPACE", "team-a")
        .run()
        .await;
    assert_eq!(get.stdout, "in-team-a\n");
    // Not visible from the root namespace.
    w.vk(&["kv", "get", "secret/ns"]).run().await.code(3);
    // From a profile (which supplies the whole connection, credentials included).
    let dir = w.home().join(".config/vaultkit");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let token_file = w.home().join("token-a");
    std::fs::write(&token_file, w.bao.root_token()).expect("write token");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.a]\naddress = \"{}\"\nnamespace = \"team-a\"\nauth = {{ method = \"token\", token_file = \"{}\" }}\n",
            w.bao.addr(),
            token_file.display()
        ),
    )
    .expect("write");
    let get = Cmd::new(
        w.home(),
        &["kv", "get", "-field=k", "secret/ns", "--profile", "a"],
    )
    .run()
    .await;
    assert_eq!(get.stdout, "in-team-a\n");
}

/// Issue 10 item 11: a `.`/`..` mount or path segment never reaches the server, whatever the
/// command; a proxy in front of OpenBao counts what arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_never_reach_the_server() {
    let bao = OpenBao::dev().await;
    let proxy = vault_testkit::FaultProxy::start(&bao.addr()).await;
    let home = tempfile::tempdir().expect("home");
    let vk = |args: &[&str]| {
        Cmd::new(home.path(), args)
            .env("VAULT_ADDR", &proxy.addr())
            .env("VAULT_TOKEN", &bao.root_token())
    };
    for args in [
        &["kv", "get", "--mount", "..", "sys/seal-status"][..],
        &["kv", "get", "secret/../sys/policies/acl/root"],
        &["kv", "get", "secret/%2e%2e/sys/policies/acl/root"],
        &["kv", "put", "--mount", "../sys", "policies/acl/x", "k=v"],
        &["kv", "list", "secret/./"],
    ] {
        let out = vk(args).run().await;
        assert_ne!(out.code, Some(0), "{args:?}: {}", out.all());
        assert!(out.stderr.contains("`..`"), "{args:?}: {}", out.stderr);
    }
    let reached: Vec<(String, String)> = proxy
        .requests()
        .into_iter()
        // The token check and the `secret/` mount's version lookup (for `secret/../…`) are
        // legitimate; nothing may reach another API path.
        .filter(|(_, p)| {
            p != "/v1/auth/token/lookup-self" && p != "/v1/sys/internal/ui/mounts/secret"
        })
        .collect();
    assert!(reached.is_empty(), "reached the server: {reached:?}");
}
