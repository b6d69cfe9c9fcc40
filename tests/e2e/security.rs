//! Security hardening, end to end against a real OpenBao (items 2, 3, 4, 9 and 15 of the issue).
//! Each test plants a hostile value where an attacker could put it: a secret's value or key, a
//! request path that the audit device logs, a symlink where vaultkit writes, the process list.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Cmd, World};

/// Source `file` with `set -a; . FILE` in `shell` inside `dir`; print `names` NUL-terminated.
async fn source(shell: &str, dir: &Path, file: &Path, names: &[&str]) -> Vec<u8> {
    let printer: String = names
        .iter()
        .map(|n| format!("printf '%s\\0' \"${n}\";"))
        .collect();
    let out = tokio::process::Command::new(shell)
        .args(["-c", &format!("set -a; . '{}'; {printer}", file.display())])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .await
        .expect("shell");
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777
}

fn pwned(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("pwned"))
}

/// Item 2: the reported value ran `touch` when a dotenv file was sourced. Now dotenv refuses it
/// (no quoting shared by python-dotenv, dotenvy and sh carries it), and `export` carries it
/// exactly through sh, bash and dash; nothing runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_output_never_runs_a_secret_when_sourced() {
    let w = World::new().await;
    let hostile = json!({
        "reported": "it's `touch pwned-bt`",
        "subst": "$(touch pwned-sub)",
        "dq": "\"; touch pwned-dq; \"",
        "nl": "a\n$(touch pwned-nl)\n",
        "backslash": "C:\\new\\table",
    });
    w.seed("secret/hostile", hostile.clone()).await;
    let dir = w.home();
    let export = dir.join("secrets.sh");
    w.vk(&[
        "env",
        "-s",
        "secret/hostile",
        "--format",
        "export",
        "-o",
        export.to_str().expect("utf-8"),
    ])
    .run()
    .await
    .ok();
    assert_eq!(mode(&export), 0o600);
    let names = ["REPORTED", "SUBST", "DQ", "NL", "BACKSLASH"];
    let want: Vec<u8> = names
        .iter()
        .flat_map(|n| {
            let v = hostile[n.to_lowercase()].as_str().expect("str").to_string();
            v.into_bytes().into_iter().chain([0])
        })
        .collect();
    for shell in ["sh", "bash", "dash"] {
        assert_eq!(source(shell, dir, &export, &names).await, want, "{shell}");
    }
    assert!(!pwned(dir), "sourcing the export file ran a command");

    // dotenv: the reported value cannot be written for every reader, so nothing is written.
    let refused = w.vk(&["env", "-s", "secret/hostile"]).run().await;
    refused.code(6).one_line_error();
    assert!(refused.stderr.contains("`REPORTED`") && refused.stderr.contains("--format export"));
    assert!(
        !refused.all().contains("touch"),
        "the value is never shown: {}",
        refused.stderr
    );
    assert_eq!(refused.stdout, "");

    // Every other value: dotenv reads back exactly in the three shells and runs nothing.
    let dotenv = dir.join(".env");
    w.vk(&[
        "env",
        "-s",
        "SUBST=secret/hostile#subst",
        "-s",
        "DQ=secret/hostile#dq",
        "-s",
        "NL=secret/hostile#nl",
        "-s",
        "BACKSLASH=secret/hostile#backslash",
        "-o",
        dotenv.to_str().expect("utf-8"),
    ])
    .run()
    .await
    .ok();
    let four = &names[1..];
    let want4: Vec<u8> = four
        .iter()
        .flat_map(|n| {
            let v = hostile[n.to_lowercase()].as_str().expect("str").to_string();
            v.into_bytes().into_iter().chain([0])
        })
        .collect();
    for shell in ["sh", "bash", "dash"] {
        assert_eq!(source(shell, dir, &dotenv, four).await, want4, "{shell}");
    }
    let read: Vec<(String, String)> = dotenvy::from_path_iter(&dotenv)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("dotenvy parses it");
    for (name, value) in read {
        assert_eq!(
            value,
            hostile[name.to_lowercase()],
            "{name} through dotenvy"
        );
    }
    assert!(!pwned(dir));

    // A NUL byte is refused in every format, naming the variable only.
    w.seed("secret/nul", json!({"k": "top\u{0}secret"})).await;
    for format in ["dotenv", "export", "json"] {
        let out = w
            .vk(&["env", "-s", "secret/nul", "--format", format])
            .run()
            .await;
        out.code(6).one_line_error();
        assert!(
            out.stderr.contains("`K`") && out.stderr.contains("NUL"),
            "{}",
            out.stderr
        );
        assert!(
            !out.all().contains("secret\n") && !out.all().contains("top"),
            "{}",
            out.all()
        );
    }
}

/// Item 3: keys of a secret cannot set loader variables, replace inherited ones, or read
/// vaultkit's own token in the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_keeps_credentials_and_loader_variables_out_of_the_childs_hands() {
    let w = World::new().await;
    w.seed("secret/evil", json!({"ld_preload": "/tmp/evil.so"}))
        .await;
    w.seed("secret/paths", json!({"path": "/tmp/evil-bin"}))
        .await;
    w.seed("secret/home", json!({"home": "/tmp/evil-home"}))
        .await;
    w.seed("secret/ok", json!({"api_key": "k-123"})).await;
    let show =
        r#"printf '%s|%s|%s' "${VAULT_TOKEN-unset}" "${API_KEY-unset}" "${LD_PRELOAD-unset}""#;

    // The child does not get VAULT_TOKEN (nor BAO_TOKEN, VAULT_SECRET_ID…) by default.
    let plain = w
        .vk(&["exec", "-s", "secret/ok", "--", "sh", "-c", show])
        .env("BAO_TOKEN", "planted-bao-token")
        .env("VAULT_SECRET_ID", "planted-secret-id")
        .run()
        .await;
    plain.ok();
    assert_eq!(plain.stdout, "unset|k-123|unset");
    let leaked = w
        .vk(&["exec", "-s", "secret/ok", "--", "sh", "-c", "env"])
        .env("BAO_TOKEN", "planted-bao-token")
        .env("VAULT_SECRET_ID", "planted-secret-id")
        .run()
        .await;
    assert!(
        !leaked.stdout.contains("planted-") && !leaked.stdout.contains(&w.bao.root_token()),
        "{}",
        leaked.stdout
    );
    let passed = w
        .vk(&[
            "exec",
            "--pass-token",
            "-s",
            "secret/ok",
            "--",
            "sh",
            "-c",
            show,
        ])
        .run()
        .await;
    assert_eq!(passed.stdout, format!("{}|k-123|unset", w.bao.root_token()));
    let clean = w
        .vk(&[
            "exec",
            "--clean-env",
            "--pass-token",
            "-s",
            "secret/ok",
            "--",
            "sh",
            "-c",
            show,
        ])
        .run()
        .await;
    assert_eq!(clean.stdout, format!("{}|k-123|unset", w.bao.root_token()));

    // LD_PRELOAD and PATH from a secret's keys are refused, naming the key and the flag.
    for (secret, name) in [("secret/evil", "LD_PRELOAD"), ("secret/paths", "PATH")] {
        let out = w.vk(&["exec", "-s", secret, "--", "true"]).run().await;
        out.code(2).one_line_error();
        assert!(
            out.stderr.contains(&format!("`{name}`"))
                && out.stderr.contains(&format!("--allow-env {name}")),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("/tmp/evil"), "{}", out.stderr);
        // The same rules for `env`.
        w.vk(&["env", "-s", secret])
            .run()
            .await
            .code(2)
            .one_line_error();
    }
    let allowed = w
        .vk(&[
            "exec",
            "--allow-env",
            "LD_PRELOAD",
            "-s",
            "secret/evil",
            "--",
            "sh",
            "-c",
            show,
        ])
        .run()
        .await;
    // (The path does not exist, so the loader only warns; the variable is set as asked.)
    assert!(
        allowed.stdout.ends_with("|/tmp/evil.so"),
        "{}",
        allowed.all()
    );

    // A secret never silently replaces an inherited variable.
    let home = w
        .vk(&["exec", "-s", "secret/home", "--", "sh", "-c", "echo $HOME"])
        .run()
        .await;
    home.code(2).one_line_error();
    assert!(home.stderr.contains("`HOME`") && home.stderr.contains("--override"));
    let overridden = w
        .vk(&[
            "exec",
            "--override",
            "-s",
            "secret/home",
            "--",
            "sh",
            "-c",
            "printf %s \"$HOME\"",
        ])
        .run()
        .await;
    assert_eq!(overridden.stdout, "/tmp/evil-home");
    w.vk(&["env", "-s", "secret/home"]).run().await.code(2);
}

/// Item 4: a value or key with ESC sequences, bidi overrides or line breaks is shown escaped in
/// tables and trees; JSON keeps it exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_tables_and_trees_show_control_characters_escaped() {
    let w = World::new().await;
    let value = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}txt.exe\nforged   row";
    w.seed(
        "secret/term/app",
        json!({ "pw": value, "k\u{1b}[31m": "x" }),
    )
    .await;
    for args in [
        vec!["kv", "get", "secret/term/app"],
        vec!["kv", "tree", "--reveal", "secret/term"],
        vec!["kv", "list", "secret/term"],
    ] {
        let out = w.vk(&args).run().await;
        out.ok();
        assert!(
            !out.stdout.contains('\u{1b}')
                && !out.stdout.contains('\u{7}')
                && !out.stdout.contains('\u{202e}'),
            "{args:?} printed a raw control character:\n{}",
            out.stdout
        );
        assert!(
            !out.stdout.lines().any(|l| l.starts_with("forged")),
            "{}",
            out.stdout
        );
    }
    let table = w.vk(&["kv", "get", "secret/term/app"]).run().await;
    assert!(
        table
            .stdout
            .contains(r"\x1b]0;owned\x07\x1b[2J\u{202e}txt.exe\nforged"),
        "{}",
        table.stdout
    );
    let j = w
        .vk(&["kv", "get", "secret/term/app", "--format", "json"])
        .run()
        .await
        .json();
    assert_eq!(j["data"]["pw"], value);
    // `--field` is exact into a pipe (scripts), and escaped on a terminal (`script` gives a pty).
    let piped = w
        .vk(&["kv", "get", "-field=pw", "secret/term/app"])
        .run()
        .await;
    assert_eq!(piped.stdout, format!("{value}\n"));
    let tty = tokio::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} kv get -field=pw secret/term/app",
            crate::support::bin::vaultkit().display()
        ))
        .arg("/dev/null")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", w.home())
        .env("NO_COLOR", "1")
        .env("VAULT_ADDR", w.bao.addr())
        .env("VAULT_TOKEN", w.bao.root_token())
        .stdin(Stdio::null())
        .output()
        .await
        .expect("script");
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(shown.contains(r"\x1b]0;owned\x07"), "{shown:?}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
        "{shown:?}"
    );
}

/// Item 4: audit-log fields reach the tables. OpenBao itself answers 400 to a request path with
/// control characters, so the hostile record is planted in the log file (logs are shipped,
/// merged and replayed; whoever writes one chooses its fields).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_tables_show_hostile_log_fields_escaped() {
    let w = World::new().await;
    let (status, _) = w
        .bao
        .api("GET", "secret/data/x%1b%5d0%3bowned%07", None)
        .await;
    assert_eq!(status, 400, "OpenBao refuses control characters in a path");
    let log = w.home().join("audit.log");
    std::fs::write(
        &log,
        concat!(
            r#"{"time":"2024-01-01T00:00:00Z","type":"request","auth":{"display_name":"@SUM(1+1)"},"request":{"id":"a","operation":"read","path":"secret/x\u001b]0;owned\u0007\n9999  forged","remote_address":"=1+1"}}"#,
            "\n"
        ),
    )
    .expect("log");
    let log = log.to_str().expect("utf-8");
    for args in [
        vec!["audit", "filter", log],
        vec!["audit", "search", log, "owned"],
    ] {
        let out = w.vk(&args).run().await;
        out.ok();
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'),
            "{args:?}:\n{}",
            out.stdout
        );
        assert!(
            !out.stdout.lines().any(|l| l.starts_with("9999")),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(r"secret/x\x1b]0;owned\x07\n9999"),
            "{}",
            out.stdout
        );
    }
    let csv = w
        .vk(&["audit", "filter", log, "--format", "csv"])
        .run()
        .await;
    csv.ok();
    assert!(csv.stdout.contains(",'@SUM(1+1),'=1+1,"), "{}", csv.stdout);
    assert!(
        csv.stdout
            .contains("\"secret/x\u{1b}]0;owned\u{7}\n9999  forged\""),
        "{}",
        csv.stdout
    );
}

/// Item 9: files holding secrets are 0600, atomic, and never written through a planted symlink.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_files_are_private_and_never_follow_a_planted_symlink() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let w = World::new().await;
    w.seed("secret/app/db", json!({"password": "planted-pw-93f"}))
        .await;
    let home = w.home();
    let victim = home.join("victim");
    let plant = |name: &str| {
        std::fs::write(&victim, "keep").expect("victim");
        let link = home.join(name);
        let _ = std::fs::remove_file(&link);
        symlink(&victim, &link).expect("symlink");
        link
    };
    let link_env = plant("out.env");
    let link_export = plant("export.json");
    let cases: Vec<(Vec<String>, &Path)> = vec![
        (
            vec![
                "env".into(),
                "-s".into(),
                "secret/app/db".into(),
                "-o".into(),
                link_env.display().to_string(),
            ],
            &link_env,
        ),
        (
            vec![
                "kv".into(),
                "export".into(),
                "secret/app".into(),
                "-o".into(),
                link_export.display().to_string(),
            ],
            &link_export,
        ),
    ];
    for (args, link) in &cases {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = w.vk(&argv).run().await;
        out.code(1).one_line_error();
        assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
        assert!(
            std::fs::symlink_metadata(link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
    }
    // A pre-existing world-readable file is replaced by an owner-only one.
    let plain = home.join("plain.env");
    std::fs::write(&plain, "old").expect("old");
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    w.vk(&[
        "env",
        "-s",
        "secret/app/db",
        "-o",
        plain.to_str().expect("utf-8"),
    ])
    .run()
    .await
    .ok();
    assert_eq!(mode(&plain), 0o600);
    assert_eq!(
        std::fs::read_to_string(&plain).expect("read"),
        "PASSWORD=planted-pw-93f\n"
    );
    let exported = home.join("export.json");
    std::fs::remove_file(&exported).expect("rm link");
    w.vk(&[
        "kv",
        "export",
        "secret/app",
        "-o",
        exported.to_str().expect("utf-8"),
    ])
    .run()
    .await
    .ok();
    assert_eq!(mode(&exported), 0o600);

    // ~/.vault-token through `login --store`.
    let token_link = plant(".vault-token");
    let login = w
        .vk_anon(&["login", "--store"])
        .stdin(&w.bao.root_token())
        .run()
        .await;
    login.code(1).one_line_error();
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    std::fs::remove_file(&token_link).expect("rm");
    w.vk_anon(&["login", "--store"])
        .stdin(&w.bao.root_token())
        .run()
        .await
        .ok();
    assert_eq!(mode(&home.join(".vault-token")), 0o600);

    // Migrate plans and audit reports.
    let src = home.join("proj");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join(".env"), "DB_PASSWORD=Xk9mP2vL8qR4tW7zQ3\n").expect("env");
    let plan_link = plant("plan.toml");
    let plan = w
        .vk(&[
            "migrate",
            "plan",
            src.to_str().expect("utf-8"),
            "-o",
            plan_link.to_str().expect("utf-8"),
        ])
        .run()
        .await;
    plan.code(1);
    assert!(plan.stderr.contains("symbolic link"), "{}", plan.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    let report_json = plant("scan.json");
    let scan = w
        .vk(&[
            "migrate",
            "scan",
            src.to_str().expect("utf-8"),
            "--format",
            "json",
            "-o",
            report_json.to_str().expect("utf-8"),
        ])
        .run()
        .await;
    assert!(scan.stderr.contains("symbolic link"), "{}", scan.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
    std::fs::remove_file(&report_json).expect("rm");
    w.vk(&[
        "migrate",
        "scan",
        src.to_str().expect("utf-8"),
        "--format",
        "sarif",
        "-o",
        report_json.to_str().expect("utf-8"),
    ])
    .run()
    .await
    .code(1);
    assert_eq!(mode(&report_json), 0o600);
    let log = home.join("audit.log");
    std::fs::write(&log, "").expect("log");
    let report_link = plant("report.html");
    let report = w
        .vk(&[
            "audit",
            "report",
            log.to_str().expect("utf-8"),
            "-o",
            report_link.to_str().expect("utf-8"),
        ])
        .run()
        .await;
    report.code(1);
    assert!(report.stderr.contains("symbolic link"), "{}", report.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
}

/// Item 15: the dev server's root token never appears on a command line (vaultkit's, bao's or
/// any process below them), whether it is random, from `VAULTKIT_DEV_ROOT_TOKEN` or from
/// `--root-token-stdin`; it reaches bao through its environment, as documented.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_root_token_stays_off_every_command_line() {
    for source in [TokenSource::Random, TokenSource::Env, TokenSource::Stdin] {
        dev_token_check(source).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TokenSource {
    Random,
    Env,
    Stdin,
}

/// The parent pid of `pid` (field 4 of `/proc/PID/stat`, after the command name in parentheses).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// `root` and every process below it.
fn descendants(root: u32) -> Vec<u32> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(all.iter().filter(|c| parent_of(**c) == Some(p)));
        i += 1;
    }
    found
}

fn cmdline(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).replace('\0', " ")
}

/// Start `vaultkit dev` with the token from `source`, use the server, check the command line
/// of every process in the tree and bao's environment, stop it.
async fn dev_token_check(source: TokenSource) {
    let home = tempfile::tempdir().expect("home");
    let planted = "planted-dev-root-token-5c1";
    let mut cmd = match source {
        TokenSource::Random => Cmd::new(home.path(), &["dev"]).command(),
        TokenSource::Env => Cmd::new(home.path(), &["dev"])
            .env("VAULTKIT_DEV_ROOT_TOKEN", planted)
            .command(),
        TokenSource::Stdin => Cmd::new(home.path(), &["dev", "--root-token-stdin"]).command(),
    };
    let mut child = cmd
        .stdin(if source == TokenSource::Stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut pipe) = child.stdin.take() {
        tokio::io::AsyncWriteExt::write_all(&mut pipe, format!("{planted}\n").as_bytes())
            .await
            .expect("stdin");
    }
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut addr, mut token) = (None, None);
    while addr.is_none() || token.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("exports in time")
            .expect("read")
            .expect("vaultkit dev printed its exports");
        if let Some(v) = line.strip_prefix("export VAULT_ADDR='") {
            addr = Some(v.trim_end_matches('\'').to_string());
        } else if let Some(v) = line.strip_prefix("export VAULT_TOKEN='") {
            token = Some(v.trim_end_matches('\'').to_string());
        }
    }
    let (addr, token) = (addr.expect("addr"), token.expect("token"));
    match source {
        TokenSource::Random => assert!(token.len() >= 16 && token != planted, "{token}"),
        _ => assert_eq!(token, planted),
    }
    // The server runs with that token (so bao is up and the tree below vaultkit complete).
    Cmd::new(home.path(), &["kv", "put", "secret/dev-check", "k=v"])
        .env("VAULT_ADDR", &addr)
        .env("VAULT_TOKEN", &token)
        .run()
        .await
        .ok();

    let pid = child.id().expect("pid");
    let tree = descendants(pid);
    let bao: Vec<u32> = tree
        .iter()
        .copied()
        .filter(|p| cmdline(*p).contains("server -dev"))
        .collect();
    assert_eq!(bao.len(), 1, "one bao server below vaultkit: {tree:?}");
    assert!(
        cmdline(pid).contains(" dev"),
        "vaultkit's command line is readable"
    );
    for p in &tree {
        let line = cmdline(*p);
        assert!(
            !line.contains(&token),
            "token on the command line of {p}: {line}"
        );
    }
    // It got there through the environment instead (readable: the process is ours).
    let environ = std::fs::read(format!("/proc/{}/environ", bao[0])).expect("bao's environment");
    let environ = String::from_utf8_lossy(&environ);
    assert!(
        environ
            .split('\0')
            .any(|kv| kv == format!("BAO_DEV_ROOT_TOKEN_ID={token}")),
        "bao's environment carries the token"
    );

    let rpid = rustix::process::Pid::from_raw(pid as i32).expect("pid");
    rustix::process::kill_process(rpid, rustix::process::Signal::TERM).expect("SIGTERM");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("stops")
        .expect("status");
    assert_eq!(status.code(), Some(0));
}
