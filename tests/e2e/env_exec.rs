use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::support::World;

/// Values that break naive quoting.
const NASTY: &[(&str, &str)] = &[
    ("SPACES", "has  two spaces"),
    ("QUOTES", r#"it's "quoted" ''"#),
    ("NEWLINES", "line one\nline two\n"),
    ("DOLLAR", "$HOME ${PATH} `id` $(id) \\$x"),
    ("BACKSLASH", r"C:\new\table\\"),
    ("TAB", "a\tb"),
    ("EMPTY", ""),
    ("UNICODE", "pässwörd ✓"),
];

async fn nasty_world() -> World {
    let w = World::new().await;
    let data: serde_json::Map<String, serde_json::Value> = NASTY
        .iter()
        .map(|(k, v)| (k.to_lowercase(), json!(v)))
        .collect();
    w.seed("secret/nasty", serde_json::Value::Object(data))
        .await;
    w
}

/// Run `script` in sh with `stdin` and return what it printed.
async fn sh(script: &str, stdin: &str) -> String {
    let mut child = tokio::process::Command::new("sh")
        .args(["-c", script])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh");
    if let Some(mut pipe) = child.stdin.take() {
        tokio::io::AsyncWriteExt::write_all(&mut pipe, stdin.as_bytes())
            .await
            .expect("stdin");
    }
    let out = child.wait_with_output().await.expect("sh output");
    assert!(out.status.success(), "sh failed: {script}");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn print_all_script() -> String {
    NASTY
        .iter()
        .map(|(k, _)| format!("printf '%s\\0' \"${k}\";"))
        .collect()
}

fn expected_all(filter: impl Fn(&str) -> bool) -> String {
    NASTY
        .iter()
        .filter(|(_, v)| filter(v))
        .map(|(_, v)| format!("{v}\0"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_export_round_trips_through_sh_exactly() {
    let w = nasty_world().await;
    let out = w
        .vk(&["env", "-s", "secret/nasty", "--format", "export"])
        .run()
        .await;
    out.ok();
    let script = format!("eval \"$(cat)\"; {}", print_all_script());
    assert_eq!(sh(&script, &out.stdout).await, expected_all(|_| true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_dotenv_and_json() {
    let w = nasty_world().await;
    // BACKSLASH ends with `\`, which python-dotenv would misread: dotenv refuses it by name.
    let refused = w.vk(&["env", "-s", "secret/nasty"]).run().await;
    refused.code(6).one_line_error();
    assert!(refused.stderr.contains("`BACKSLASH`"), "{}", refused.stderr);
    // Every other value, line breaks included, reads back through sh's `.` exactly.
    let mut args = vec!["env".to_string()];
    for (k, _) in NASTY.iter().filter(|(k, _)| *k != "BACKSLASH") {
        args.push("-s".into());
        args.push(format!("{k}=secret/nasty#{}", k.to_lowercase()));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = w.vk(&argv).run().await;
    out.ok();
    let script = format!(
        "set -a; . /dev/stdin; {}",
        NASTY
            .iter()
            .filter(|(k, _)| *k != "BACKSLASH")
            .map(|(k, _)| format!("printf '%s\\0' \"${k}\";"))
            .collect::<String>()
    );
    assert_eq!(
        sh(&script, &out.stdout).await,
        expected_all(|v| !v.ends_with('\\'))
    );
    assert!(
        out.stdout.contains("NEWLINES='line one\nline two\n'\n"),
        "{}",
        out.stdout
    );

    let j = w
        .vk(&["env", "-s", "secret/nasty", "--format", "json"])
        .run()
        .await
        .json();
    for (k, v) in NASTY {
        assert_eq!(j[*k], *v, "{k}");
    }
    // Names, prefixes, one key.
    let one = w
        .vk(&[
            "env",
            "-s",
            "DB_PASSWORD=secret/nasty#quotes",
            "--prefix",
            "APP_",
            "--format",
            "json",
        ])
        .run()
        .await
        .json();
    assert_eq!(one, json!({"APP_DB_PASSWORD": r#"it's "quoted" ''"#}));
    let grouped = w
        .vk(&["env", "-s", "N=secret/nasty", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(grouped["N_SPACES"], "has  two spaces");
    w.vk(&["env", "-s", "X=secret/nasty#missing"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["env", "-s", "1BAD=secret/nasty#spaces"])
        .run()
        .await
        .code(2)
        .one_line_error();
    w.vk(&["env", "-s", "X=secret/nasty#spaces", "--format", "yaml"])
        .run()
        .await
        .code(2)
        .one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_passes_secrets_only_through_the_environment() {
    let w = World::new().await;
    w.seed(
        "secret/bike-data-flow/database",
        json!({"password": "pg pass \"$1\" 'x'", "user": "etl"}),
    )
    .await;
    let ok = w
        .vk(&[
            "exec",
            "-s",
            "DB_PASSWORD=secret/bike-data-flow/database#password",
            "--",
            "sh",
            "-c",
            r#"test "$DB_PASSWORD" = "$EXPECTED""#,
        ])
        .env("EXPECTED", "pg pass \"$1\" 'x'")
        .run()
        .await;
    ok.ok();
    assert_eq!(ok.stdout, "");
    let wrong = w
        .vk(&[
            "exec",
            "-s",
            "DB_PASSWORD=secret/bike-data-flow/database#password",
            "--",
            "sh",
            "-c",
            r#"test "$DB_PASSWORD" = "$EXPECTED""#,
        ])
        .env("EXPECTED", "something else")
        .run()
        .await;
    wrong.code(1);

    // Neither vaultkit's argv nor the child's carries the value.
    let argv = w
        .vk(&[
            "exec",
            "-s",
            "DB_PASSWORD=secret/bike-data-flow/database#password",
            "--",
            "sh",
            "-c",
            r#"tr '\0' ' ' < /proc/$PPID/cmdline; echo; tr '\0' ' ' < /proc/$$/cmdline"#,
        ])
        .run()
        .await;
    argv.ok();
    assert!(
        argv.stdout.contains("vaultkit") && !argv.stdout.contains("pg pass"),
        "{}",
        argv.stdout
    );

    // Whole secret, prefix, clean environment.
    let clean = w
        .vk(&[
            "exec",
            "--clean-env",
            "--prefix",
            "APP_",
            "-s",
            "DB=secret/bike-data-flow/database",
            "--",
            "sh",
            "-c",
            r#"printf '%s|%s|%s' "$APP_DB_USER" "${UNRELATED-unset}" "${VAULT_TOKEN-unset}""#,
        ])
        .env("UNRELATED", "x")
        .run()
        .await;
    clean.ok();
    assert_eq!(clean.stdout, "etl|unset|unset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_exit_codes_and_signals() {
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let run = |script: &'static str| {
        w.vk(&["exec", "-s", "K=secret/app#k", "--", "sh", "-c", script])
            .run()
    };
    run("exit 42").await.code(42);
    run("kill -TERM $$").await.code(143);
    run("kill -KILL $$").await.code(137);
    let missing = w
        .vk(&["exec", "-s", "K=secret/app#k", "--", "/nonexistent/cmd"])
        .run()
        .await;
    missing.code(127).one_line_error();
    w.vk(&["exec", "-s", "K=secret/nope#k", "--", "true"])
        .run()
        .await
        .code(3)
        .one_line_error();
    w.vk(&["exec", "-s", "K=secret/app#k"]).run().await.code(2);

    // SIGTERM to vaultkit reaches the child, whose own exit code comes back.
    let ready = w.home().join("ready");
    let script = format!(
        "trap 'exit 42' TERM; touch {}; while :; do sleep 0.1; done",
        ready.display()
    );
    let code = signal_exec(&w, &script, &ready, rustix::process::Signal::TERM).await;
    assert_eq!(code, Some(42));
    // A child that dies of the forwarded signal: 128 + SIGHUP.
    let ready2 = w.home().join("ready2");
    let script = format!("touch {}; exec sleep 30", ready2.display());
    let code = signal_exec(&w, &script, &ready2, rustix::process::Signal::HUP).await;
    assert_eq!(code, Some(129));
}

/// SIGINT (Ctrl-C) sent to vaultkit reaches the child: a child that traps it runs its handler
/// (the marker) and its exit code comes back; a child that does not dies of it (128 + 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_forwards_sigint_to_the_child() {
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let ready = w.home().join("ready");
    let marker = w.home().join("got-int");
    let script = format!(
        "trap 'echo \"INT $K\" > {}; exit 7' INT; touch {}; while :; do sleep 0.1; done",
        marker.display(),
        ready.display()
    );
    let code = signal_exec(&w, &script, &ready, rustix::process::Signal::INT).await;
    assert_eq!(
        std::fs::read_to_string(&marker).ok().as_deref(),
        Some("INT v\n"),
        "the child's INT handler ran (with the secret in its environment)"
    );
    assert_eq!(code, Some(7), "vaultkit exits with the child's code");

    let ready2 = w.home().join("ready2");
    let script = format!("touch {}; exec sleep 30", ready2.display());
    let code = signal_exec(&w, &script, &ready2, rustix::process::Signal::INT).await;
    assert_eq!(code, Some(130));
}

/// A command that exists but cannot be executed is 126; one that does not exist is 127 (as
/// documented in docs/cli.md, like `env(1)`). Each is one error line naming the command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_exits_126_when_the_command_cannot_be_executed() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new().await;
    w.seed("secret/app", json!({"k": "v"})).await;
    let dir = w.home().join("bin");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // A script without the execute bit.
    let plain = dir.join("not-executable.sh");
    std::fs::write(&plain, "#!/bin/sh\nexit 0\n").expect("write");
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // Executable, but in no format the kernel runs (and no `#!` line).
    let garbage = dir.join("garbage");
    std::fs::write(&garbage, b"\x7fELF\x00\x00 not really a program").expect("write");
    std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // An executable script whose interpreter does not exist.
    let no_interp = dir.join("no-interpreter");
    std::fs::write(&no_interp, "#!/nonexistent/interpreter\n").expect("write");
    std::fs::set_permissions(&no_interp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let cases = [
        (plain.to_str().expect("path"), 126),
        (dir.to_str().expect("path"), 126),
        (garbage.to_str().expect("path"), 126),
        ("/nonexistent/cmd", 127),
        ("vaultkit-e2e-no-such-command", 127),
    ];
    for (program, code) in cases {
        let out = w
            .vk(&["exec", "-s", "K=secret/app#k", "--", program])
            .run()
            .await;
        out.code(code).one_line_error();
        assert!(out.stderr.contains(program), "{}", out.stderr);
    }
    // The interpreter is what is missing: the kernel says "not found", as for `sh` (127).
    w.vk(&[
        "exec",
        "-s",
        "K=secret/app#k",
        "--",
        no_interp.to_str().expect("path"),
    ])
    .run()
    .await
    .code(127)
    .one_line_error();
    // The script itself works once it may be executed.
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    w.vk(&[
        "exec",
        "-s",
        "K=secret/app#k",
        "--",
        plain.to_str().expect("path"),
    ])
    .run()
    .await
    .ok();
}

async fn signal_exec(
    w: &World,
    script: &str,
    ready: &std::path::Path,
    sig: rustix::process::Signal,
) -> Option<i32> {
    let mut cmd = w
        .vk(&["exec", "-s", "K=secret/app#k", "--", "sh", "-c", script])
        .command();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    for _ in 0..300 {
        if ready.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready.exists(), "the child never started");
    let pid = child
        .id()
        .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        .expect("pid");
    rustix::process::kill_process(pid, sig).expect("signal vaultkit");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("vaultkit exits")
        .expect("status");
    status.code()
}
