use serde_json::json;

use crate::support::{Cmd, World};

/// `path` as a `&str` for argv.
fn arg(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn write_config(w: &World, text: &str) {
    let dir = w.home().join(".config/vaultkit");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), text).expect("write config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_and_precedence_flags_env_file() {
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let dead = "http://127.0.0.1:9";
    let token_file = w.home().join("prod-token");
    std::fs::write(&token_file, w.bao.root_token()).expect("token file");
    write_config(
        &w,
        &format!(
            "default_profile = \"broken\"\n\
             [profiles.broken]\naddress = \"{dead}\"\n\
             [profiles.prod]\naddress = \"{}\"\nformat = \"json\"\nauth = {{ method = \"token\", token_file = \"{}\" }}\n",
            w.bao.addr(),
            token_file.display()
        ),
    );
    let base = |args: &[&str]| Cmd::new(w.home(), args);

    // The named profile gives address, token and format.
    let prod = base(&["kv", "get", "secret/app", "--profile", "prod"])
        .run()
        .await;
    prod.ok();
    assert_eq!(prod.json()["data"]["k"], "v");
    let env_profile = base(&["kv", "get", "secret/app"])
        .env("VAULTKIT_PROFILE", "prod")
        .run()
        .await;
    assert_eq!(env_profile.json()["data"]["k"], "v");
    // The default profile points at a dead address: exit 5.
    base(&["status"]).run().await.code(5);
    // env beats file ...
    base(&["status"])
        .env("VAULT_ADDR", &w.bao.addr())
        .run()
        .await
        .ok();
    // ... and flags beat env.
    base(&["status", "--address", &w.bao.addr()])
        .env("VAULT_ADDR", dead)
        .run()
        .await
        .ok();
    base(&["status", "--address", dead])
        .env("VAULT_ADDR", &w.bao.addr())
        .run()
        .await
        .code(5);
    // --format beats the profile's format; VAULT_FORMAT beats it too.
    let table = base(&[
        "kv",
        "get",
        "secret/app",
        "--profile",
        "prod",
        "--format",
        "table",
    ])
    .run()
    .await;
    assert!(table.stdout.contains("== Data =="), "{}", table.stdout);
    let yaml = base(&["kv", "get", "secret/app", "--profile", "prod"])
        .env("VAULT_FORMAT", "yaml")
        .run()
        .await;
    assert!(yaml.stdout.contains("data:"), "{}", yaml.stdout);
    // A profile named with --profile supplies the whole connection: the environment's address
    // and token (meant for another server) are ignored, never mixed with the profile's, and a
    // note says so.
    let named = base(&["kv", "get", "secret/app", "--profile", "prod"])
        .env("VAULT_ADDR", dead)
        .env("VAULT_TOKEN", "bogus")
        .run()
        .await;
    named.ok();
    assert_eq!(named.json()["data"]["k"], "v");
    assert!(
        named
            .stderr
            .contains("ignoring VAULT_ADDR, VAULT_TOKEN from the environment"),
        "{}",
        named.stderr
    );
    // The same through VAULTKIT_PROFILE; -q silences the note.
    let quiet = base(&["kv", "get", "secret/app", "-q"])
        .env("VAULTKIT_PROFILE", "prod")
        .env("VAULT_ADDR", dead)
        .run()
        .await;
    quiet.ok();
    assert_eq!(quiet.stderr, "");
    // Without --profile, an environment that sets VAULT_ADDR is the connection: its token is
    // used (and refused), the default profile's settings are not mixed in.
    base(&["kv", "get", "secret/app"])
        .env("VAULT_ADDR", &w.bao.addr())
        .env("VAULT_TOKEN", "bogus")
        .run()
        .await
        .code(4);

    let unknown = base(&["status", "--profile", "staging"]).run().await;
    unknown.code(2).one_line_error();
    assert!(
        unknown.stderr.contains("broken, prod"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_location_and_errors() {
    let w = World::new().await;
    // XDG_CONFIG_HOME is honoured.
    let xdg = w.home().join("xdg");
    std::fs::create_dir_all(xdg.join("vaultkit")).expect("mkdir");
    std::fs::write(
        xdg.join("vaultkit/config.toml"),
        format!("[profiles.local]\naddress = \"{}\"\n", w.bao.addr()),
    )
    .expect("write");
    Cmd::new(w.home(), &["status", "--profile", "local"])
        .env("XDG_CONFIG_HOME", xdg.to_str().expect("path"))
        .run()
        .await
        .ok();
    // --config names a file explicitly; a missing one is an error.
    let explicit = xdg.join("vaultkit/config.toml");
    Cmd::new(
        w.home(),
        &[
            "status",
            "--profile",
            "local",
            "--config",
            explicit.to_str().expect("path"),
        ],
    )
    .run()
    .await
    .ok();
    Cmd::new(
        w.home(),
        &["status", "--config", "/nonexistent/config.toml"],
    )
    .run()
    .await
    .code(3)
    .one_line_error();
    // A typo is a usage error naming file and line.
    write_config(&w, "[profiles.a]\nadress = \"x\"\n");
    let typo = Cmd::new(w.home(), &["status"]).run().await;
    typo.code(2).one_line_error();
    assert!(
        typo.stderr.contains("config.toml` line 2"),
        "{}",
        typo.stderr
    );
}

/// Errors name the place the value came from; commands that need no token never read
/// credentials (a profile whose secret-id file is missing does not break `status`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_name_the_source_and_tokenless_commands_read_no_credentials() {
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let config = w.home().join(".config/vaultkit/config.toml");
    write_config(
        &w,
        &format!(
            "[profiles.badca]\naddress = \"{addr}\"\nca_cert = \"/nonexistent/profile-ca.pem\"\n\
             [profiles.app]\naddress = \"{addr}\"\n\
             auth = {{ method = \"approle\", role_id = \"r\", secret_id_file = \"/nonexistent/secret-id\" }}\n\
             [profiles.tok]\naddress = \"{addr}\"\n\
             auth = {{ method = \"token\", token_file = \"/nonexistent/token\" }}\n",
            addr = w.bao.addr()
        ),
    );
    let base = |args: &[&str]| Cmd::new(w.home(), args);

    // A CA file from a profile is reported as the profile's key, not as VAULT_CACERT.
    let ca = base(&["status", "--profile", "badca"]).run().await;
    ca.code(6).one_line_error();
    assert!(
        ca.stderr.contains(&format!(
            "profile `badca` key `ca_cert` in `{}`",
            config.display()
        )) && !ca.stderr.contains("VAULT_CACERT"),
        "{}",
        ca.stderr
    );
    let env_ca = w
        .vk(&["status"])
        .env("VAULT_CACERT", "/nonexistent/env-ca.pem")
        .run()
        .await;
    env_ca.code(6).one_line_error();
    assert!(
        env_ca.stderr.contains("env `VAULT_CACERT`"),
        "{}",
        env_ca.stderr
    );
    let flag_ca = w
        .vk(&["status", "--ca-cert", "/nonexistent/flag-ca.pem"])
        .env("VAULT_CACERT", "/nonexistent/env-ca.pem")
        .run()
        .await;
    flag_ca.code(6).one_line_error();
    assert!(
        flag_ca.stderr.contains("flag `--ca-cert`") && flag_ca.stderr.contains("flag-ca.pem"),
        "{}",
        flag_ca.stderr
    );

    // No token needed: status, audit over a file, migrate scan, completions.
    let log = w.home().join("audit.log");
    std::fs::write(&log, "").expect("write log");
    let project = w.home().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join(".env"), "LOG_LEVEL=info\n").expect("write .env");
    for profile in ["app", "tok"] {
        let status = base(&["status", "--profile", profile, "--format", "json"])
            .run()
            .await;
        status.ok();
        assert_eq!(status.json()["profile"], profile);
        base(&["audit", "stats", arg(&log), "--profile", profile])
            .run()
            .await
            .ok();
        base(&["migrate", "scan", arg(&project), "--profile", profile])
            .run()
            .await
            .ok();
        base(&["completions", "bash", "--profile", profile])
            .run()
            .await
            .ok();
    }
    // A command that needs a token reads them, and the error names the profile key.
    let kv = base(&["kv", "get", "secret/app", "--profile", "app"])
        .run()
        .await;
    kv.code(3).one_line_error();
    assert!(
        kv.stderr.contains("/nonexistent/secret-id")
            && kv.stderr.contains(&format!(
                "profile `app` key `auth.secret_id_file` in `{}`",
                config.display()
            )),
        "{}",
        kv.stderr
    );
    let tok = base(&["kv", "get", "secret/app", "--profile", "tok"])
        .run()
        .await;
    tok.code(4).one_line_error();
    assert!(
        tok.stderr.contains("profile `tok` key `auth.token_file`"),
        "{}",
        tok.stderr
    );
}

/// Options set in the environment are not shown in usage lines as if they were required.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_lines_do_not_list_options_taken_from_the_environment() {
    let home = tempfile::tempdir().expect("home");
    let out = Cmd::new(home.path(), &["kv", "put"])
        .env("VAULT_ADDR", "http://127.0.0.1:9")
        .env("VAULT_NAMESPACE", "team")
        .env("VAULT_CACERT", "/etc/ca.pem")
        .env("VAULTKIT_PROFILE", "prod")
        .run()
        .await;
    out.code(2);
    let usage = out
        .stderr
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_else(|| panic!("no usage line:\n{}", out.stderr));
    assert_eq!(usage, "Usage: vaultkit kv put <PATH> <DATA>...");
}
