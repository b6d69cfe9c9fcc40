//! A planted secret value must never appear in any output unless the command was asked to print
//! it (`kv get`, `kv tree --reveal`, `kv export`, `env`).
//!
//! Each command's exit code and a piece of its expected output are checked first, so a command
//! that fails early (a bad flag, a missing secret, a refused token) cannot pass the leak check by
//! printing nothing.

use serde_json::json;

use crate::support::{Out, World};

const PLANTED: &str = "PLANTED-zq9Xv7-secret-value";

/// One command that must not print the secret, with what it must do instead.
struct Quiet<'a> {
    args: Vec<&'a str>,
    code: i32,
    /// Text that stdout must contain.
    stdout: &'a [&'a str],
    /// Text that stderr must contain.
    stderr: &'a [&'a str],
}

fn quiet<'a>(
    args: Vec<&'a str>,
    code: i32,
    stdout: &'a [&'a str],
    stderr: &'a [&'a str],
) -> Quiet<'a> {
    Quiet {
        args,
        code,
        stdout,
        stderr,
    }
}

#[track_caller]
fn check(q: &Quiet<'_>, out: &Out) {
    let cmd = q.args.join(" ");
    assert_eq!(
        out.code,
        Some(q.code),
        "`vaultkit {cmd}`: exit code\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    for s in q.stdout {
        assert!(
            out.stdout.contains(s),
            "`vaultkit {cmd}`: stdout lacks `{s}`:\n{}\nstderr:\n{}",
            out.stdout,
            out.stderr
        );
    }
    for s in q.stderr {
        assert!(
            out.stderr.contains(s),
            "`vaultkit {cmd}`: stderr lacks `{s}`:\n{}",
            out.stderr
        );
    }
    assert!(
        !out.all().contains(PLANTED),
        "`vaultkit {cmd}` printed the secret:\n{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_secret_appears_only_when_asked_for() {
    let w = World::new().await;
    let put = w
        .vk(&["kv", "put", "secret/app/db", "user=etl", "password=-"])
        .stdin(PLANTED)
        .run()
        .await;
    put.ok();
    assert!(!put.all().contains(PLANTED), "{}", put.all());
    w.seed("secret/app/api", json!({"token": PLANTED})).await;
    let import = w.home().join("import.json");
    std::fs::write(
        &import,
        format!(r#"{{"db": {{"password": "{PLANTED}-new", "user": "etl"}}}}"#),
    )
    .expect("write");
    let import = import.to_str().expect("path").to_string();
    // The child sees the secret (its length is that of PLANTED) without anyone printing it.
    let len_is_planted = format!(r#"[ "${{#DB_PASSWORD}}" -eq {} ] && exit 3"#, PLANTED.len());

    let quiet = [
        quiet(vec!["status"], 0, &["Sealed", "false"], &[]),
        quiet(vec!["kv", "list", "secret/app"], 0, &["api\ndb\n"], &[]),
        quiet(
            vec!["kv", "tree", "secret"],
            0,
            &["db", "password", "****"],
            &[],
        ),
        quiet(
            vec!["kv", "tree", "secret", "--format", "json"],
            0,
            &[r#""password": "****""#],
            &[],
        ),
        quiet(vec!["kv", "versions", "secret/app/db"], 0, &["1"], &[]),
        quiet(
            vec!["kv", "metadata", "get", "secret/app/db"],
            0,
            &["current_version"],
            &[],
        ),
        quiet(vec!["kv", "patch", "secret/app/db", "extra=1"], 0, &[], &[]),
        // Dry run: the changed password is shown as a difference, masked.
        quiet(
            vec!["kv", "import", &import, "secret/app"],
            0,
            &["password"],
            &[],
        ),
        // Apply without --force: the changed value is a conflict, nothing written.
        quiet(
            vec!["kv", "import", &import, "secret/app", "--apply"],
            6,
            &[],
            &["error: "],
        ),
        quiet(
            vec!["kv", "get", "secret/app/db", "--field", "missing"],
            3,
            &[],
            &["error: ", "missing"],
        ),
        quiet(
            vec!["kv", "get", "-version=99", "secret/app/db"],
            3,
            &[],
            &["error: "],
        ),
        // The patch made version 2: check-and-set against version 1 fails.
        quiet(
            vec!["kv", "put", "-cas=1", "secret/app/db", "password=x"],
            6,
            &[],
            &["error: "],
        ),
        quiet(
            vec!["env", "-s", "X=secret/app/db#nokey"],
            3,
            &[],
            &["error: ", "nokey"],
        ),
        quiet(
            vec![
                "exec",
                "-s",
                "DB_PASSWORD=secret/app/db#password",
                "--",
                "sh",
                "-c",
                r#"[ -n "$DB_PASSWORD" ]"#,
            ],
            0,
            &[],
            &[],
        ),
        quiet(
            vec![
                "exec",
                "-s",
                "DB_PASSWORD=secret/app/db#password",
                "--",
                "sh",
                "-c",
                &len_is_planted,
            ],
            3,
            &[],
            &[],
        ),
        quiet(
            vec!["exec", "-s", "secret/app/api", "--", "/nonexistent"],
            127,
            &[],
            &["error: ", "/nonexistent"],
        ),
    ];
    for q in &quiet {
        let out = w.vk(&q.args).run().await;
        check(q, &out);
    }
    // Nothing above overwrote the secret (the import conflict and the failed CAS wrote nothing).
    let kept = w
        .vk(&["kv", "get", "-field=password", "secret/app/db"])
        .run()
        .await;
    kept.ok();
    assert_eq!(kept.stdout, format!("{PLANTED}\n"));

    // Errors when the secret value is where a name is expected, or a whole secret is bad input.
    let weird = w
        .vk(&["kv", "put", "secret/app/x", &format!("={PLANTED}")])
        .run()
        .await;
    weird.code(2);
    assert!(!weird.all().contains(PLANTED), "{}", weird.all());

    let loud: Vec<Vec<&str>> = vec![
        vec!["kv", "get", "secret/app/api"],
        vec!["kv", "get", "-field=token", "secret/app/api"],
        vec!["kv", "tree", "secret", "--reveal"],
        vec!["kv", "export", "secret/app"],
        vec!["env", "-s", "T=secret/app/api#token"],
    ];
    for args in &loud {
        let out = w.vk(args).run().await;
        out.ok();
        assert!(
            out.stdout.contains(PLANTED),
            "`vaultkit {}` should print the secret:\n{}",
            args.join(" "),
            out.stdout
        );
        assert!(
            !out.stderr.contains(PLANTED),
            "stderr of `vaultkit {}` has the secret",
            args.join(" ")
        );
    }
}
