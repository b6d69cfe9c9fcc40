use std::process::{Command, Output};

fn vaultkit(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaultkit"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .expect("run vaultkit")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_documents_exit_codes_and_configuration() {
    let home = tempfile::tempdir().expect("home");
    let out = vaultkit(&["--help"], home.path());
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "Exit codes:",
        "3  not found",
        "4  permission denied",
        "5  connection failed",
        "6  validation failed",
        "VAULT_ADDR",
        "~/.vault-token",
        "config.toml",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
    for cmd in [
        "status",
        "login",
        "policy",
        "kv",
        "env",
        "exec",
        "dev",
        "completions",
    ] {
        assert!(help.contains(cmd), "help lacks {cmd}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().expect("home");
    for args in [
        &["frobnicate"][..],
        &["kv"],
        &["kv", "put", "secret/x"],
        &["exec", "-s", "A=secret/x#k"],
        &["status", "--format", "xml"],
    ] {
        let out = vaultkit(args, home.path());
        assert_eq!(
            out.status.code(),
            Some(2),
            "vaultkit {args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn completions_for_three_shells() {
    let home = tempfile::tempdir().expect("home");
    for (shell, marker) in [
        ("bash", "_vaultkit()"),
        ("zsh", "#compdef vaultkit"),
        ("fish", "complete -c vaultkit"),
    ] {
        let out = vaultkit(&["completions", shell], home.path());
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell} script lacks {marker}");
        assert!(
            script.contains("tree") && script.contains("import"),
            "{shell} script lacks kv subcommands"
        );
    }
}

#[test]
fn policy_render_needs_no_server() {
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("p.yaml");
    std::fs::write(
        &file,
        "name: app\nrules:\n  - path: secret/data/app/*\n    capabilities: [read, list]\n",
    )
    .expect("write");
    let out = vaultkit(
        &["policy", "render", file.to_str().expect("path")],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "path \"secret/data/app/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
    );
}

#[test]
fn missing_token_is_exit_4_with_a_hint() {
    let home = tempfile::tempdir().expect("home");
    let out = vaultkit(&["kv", "get", "secret/x"], home.path());
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("vaultkit login --store"), "{err}");
}
