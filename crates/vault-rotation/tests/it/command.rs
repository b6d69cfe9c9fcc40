//! The external-command rotator with small shell scripts: what reaches the program (stdin yes;
//! argv and environment never hold a secret), failures with masked stderr, and timeouts that
//! kill the program's whole process group.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};
use vault_kv::SecretData;
use vault_rotation::{
    COMMAND_PASSED_ENV, CommandRotator, CommandRotatorConfig, RotationContext, RotationErrorKind,
    Rotator,
};

const OLD: &str = "planted-old-Secret-41";
const NEW: &str = "planted-new-Secret-42";

/// A script that records its stdin, argv and environment (one file per step) in the folder
/// given as its first argument, and prints `stdout` for `generate`.
const RECORDER: &str = r#"dir="$1"
cat > "$dir/$VAULTKIT_ROTATION_STEP.stdin"
printf '%s\n' "$@" > "$dir/$VAULTKIT_ROTATION_STEP.argv"
env > "$dir/$VAULTKIT_ROTATION_STEP.env"
if [ "$VAULTKIT_ROTATION_STEP" = generate ]; then
  printf '{"password": "planted-new-Secret-42", "rotated_by": "script"}'
fi
"#;

fn ctx() -> RotationContext {
    RotationContext {
        policy: "legacy-app".into(),
        mount: "secret".into(),
        path: "legacy/app".into(),
        current_version: Some(3),
        pending_version: Some(4),
        attempt_id: "attempt-7".into(),
    }
}

fn data(value: Value) -> SecretData {
    match value {
        Value::Object(map) => SecretData::new(map),
        _ => SecretData::new(Map::new()),
    }
}

/// A rotator running `/bin/sh <script> <dir>` with `script` written into `dir`.
fn rotator(dir: &Path, script: &str, timeout: Duration) -> CommandRotator {
    let path = dir.join("rotate.sh");
    std::fs::write(&path, script).expect("write script");
    let config = CommandRotatorConfig::new("/bin/sh")
        .with_args([path.display().to_string(), dir.display().to_string()])
        .with_timeout(timeout);
    CommandRotator::new(config).expect("valid")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn stdin_json(dir: &Path, step: &str) -> Value {
    serde_json::from_str(&read(dir, &format!("{step}.stdin"))).expect("stdin is JSON")
}

#[tokio::test]
async fn every_step_gets_its_values_on_stdin_and_never_in_argv_or_env() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rotator = rotator(dir.path(), RECORDER, Duration::from_secs(30));
    let current = data(json!({"user": "svc", "password": OLD}));

    let new = rotator.generate(&ctx(), &current).await.expect("generate");
    assert_eq!(new.get_str("password"), Some(NEW));
    assert_eq!(new.get_str("rotated_by"), Some("script"));
    assert_eq!(
        new.get_str("user"),
        Some("svc"),
        "keys the program did not set are kept"
    );

    rotator.set(&ctx(), &current, &new).await.expect("set");
    rotator.test(&ctx(), &new).await.expect("test");
    rotator
        .rollback(&ctx(), &current, &new)
        .await
        .expect("rollback");
    rotator.revoke(&ctx(), &current).await.expect("revoke");

    let expected: [(&str, &[(&str, &str)]); 5] = [
        ("generate", &[("current", OLD)]),
        ("set", &[("current", OLD), ("new", NEW)]),
        ("test", &[("new", NEW)]),
        ("rollback", &[("current", OLD), ("failed", NEW)]),
        ("revoke", &[("previous", OLD)]),
    ];
    for (step, values) in expected {
        let input = stdin_json(dir.path(), step);
        assert_eq!(input["step"], step);
        assert_eq!(input["context"]["policy"], "legacy-app");
        assert_eq!(input["context"]["path"], "legacy/app");
        assert_eq!(input["context"]["pending_version"], 4);
        for (key, password) in values {
            assert_eq!(input[key]["password"], *password, "{step}: {key}");
        }
        let present = ["current", "new", "failed", "previous"]
            .into_iter()
            .filter(|k| input.get(k).is_some())
            .count();
        assert_eq!(present, values.len(), "{step}: only the step's values");
        for file in ["argv", "env"] {
            let text = read(dir.path(), &format!("{step}.{file}"));
            assert!(
                !text.contains(OLD) && !text.contains(NEW),
                "{step}.{file}: {text}"
            );
        }
        assert!(
            read(dir.path(), &format!("{step}.env"))
                .contains(&format!("VAULTKIT_ROTATION_STEP={step}"))
        );
    }
}

#[tokio::test]
async fn a_failing_step_reports_its_stderr_masked_and_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = r#"input=$(cat)
echo "login failed for planted-new-Secret-42 (input was $input)" >&2
printf 'colour \033[31m red\n' >&2
exit 3
"#;
    let rotator = rotator(dir.path(), script, Duration::from_secs(30));
    let current = data(json!({"password": OLD}));
    let new = data(json!({"password": NEW}));
    let err = rotator
        .set(&ctx(), &current, &new)
        .await
        .expect_err("exit 3");
    assert_eq!(err.kind(), RotationErrorKind::Rotator);
    let text = format!("{err} {err:?}");
    assert!(text.contains("policy `legacy-app` set"), "{text}");
    assert!(text.contains("exited with status 3"), "{text}");
    assert!(text.contains("login failed for ***"), "{text}");
    assert!(
        text.contains("\\x1b[31m"),
        "control characters escaped: {text}"
    );
    assert!(!text.contains('\x1b'), "{text}");
    assert!(!text.contains(OLD) && !text.contains(NEW), "{text}");
}

#[tokio::test]
async fn generate_output_that_is_not_a_json_object_is_summarised_not_quoted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = "cat > /dev/null\necho 'password=planted-new-Secret-42'\n";
    let rotator = rotator(dir.path(), script, Duration::from_secs(30));
    let err = rotator
        .generate(&ctx(), &data(json!({"password": OLD})))
        .await
        .expect_err("not JSON");
    let text = format!("{err} {err:?}");
    assert!(text.contains("no valid JSON"), "{text}");
    assert!(!text.contains(NEW), "{text}");
}

#[tokio::test]
async fn a_step_that_outlives_its_timeout_is_killed_with_its_children() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = r#"cat > /dev/null
sleep 300 &
echo $! > "$1/child.pid"
wait
"#;
    let rotator = rotator(dir.path(), script, Duration::from_secs(1));
    let err = rotator
        .test(&ctx(), &data(json!({"password": NEW})))
        .await
        .expect_err("timeout");
    assert!(
        err.to_string().contains("did not finish within 1 s"),
        "{err}"
    );
    let pid = read(dir.path(), "child.pid").trim().to_string();
    // The grandchild got SIGKILL with the group: gone, or a zombie awaiting its reaper.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(") ").next().and_then(|s| s.chars().next());
        if matches!(state, None | Some('Z') | Some('X')) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the program's child {pid} still runs: {stat}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_program_flooding_its_output_neither_hangs_nor_floods_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = "cat > /dev/null\nhead -c 3000000 /dev/zero | tr '\\0' 'e' >&2\nhead -c 3000000 /dev/zero\nexit 1\n";
    let rotator = rotator(dir.path(), script, Duration::from_secs(60));
    let err = rotator
        .test(&ctx(), &data(json!({"password": NEW})))
        .await
        .expect_err("exit 1");
    let text = err.to_string();
    assert!(text.contains("exited with status 1"), "{text}");
    assert!(text.len() < 4000, "error is {} bytes", text.len());
}

#[tokio::test]
async fn a_missing_program_is_an_io_error_naming_it() {
    let missing = PathBuf::from("/nonexistent/vaultkit-rotate");
    let rotator = CommandRotator::new(CommandRotatorConfig::new(&missing)).expect("valid");
    let err = rotator
        .test(&ctx(), &data(json!({"password": NEW})))
        .await
        .expect_err("missing");
    assert_eq!(err.kind(), RotationErrorKind::Io);
    assert!(
        err.to_string().contains("/nonexistent/vaultkit-rotate"),
        "{err}"
    );
}

/// The test runner sets `CARGO_MANIFEST_DIR` (and `PATH`) in this process: it stands for a
/// credential such as `VAULT_TOKEN` in vaultkit's environment.
#[tokio::test]
async fn the_program_gets_only_the_allowlist_and_the_variables_the_policy_names() {
    let planted = "CARGO_MANIFEST_DIR";
    let value = std::env::var(planted).expect("the test runner sets CARGO_MANIFEST_DIR");
    assert!(std::env::var_os("PATH").is_some(), "PATH is set for tests");

    let dir = tempfile::tempdir().expect("tempdir");
    let withheld = rotator(dir.path(), RECORDER, Duration::from_secs(30));
    withheld
        .test(&ctx(), &data(json!({"password": NEW})))
        .await
        .expect("test");
    let env = read(dir.path(), "test.env");
    assert!(
        !env.contains(&format!("{planted}=")),
        "a variable the policy does not name must not reach the program: {env}"
    );
    // Everything the program sees is on the allowlist (`PWD` is the shell's own).
    for line in env.lines() {
        let name = line.split('=').next().unwrap_or_default();
        assert!(
            COMMAND_PASSED_ENV.contains(&name)
                || name.starts_with("LC_")
                || ["VAULTKIT_ROTATION_STEP", "PWD", "SHLVL", "_", "OLDPWD"].contains(&name),
            "{name} reached the program: {env}"
        );
    }
    assert!(env.lines().any(|l| l.starts_with("PATH=")), "{env}");
    assert!(env.contains("VAULTKIT_ROTATION_STEP=test"), "{env}");

    let passed = CommandRotator::new(
        withheld
            .config()
            .clone()
            .with_env([planted, "VAULTKIT_UNSET_FOR_TEST"]),
    )
    .expect("valid");
    passed
        .test(&ctx(), &data(json!({"password": NEW})))
        .await
        .expect("test");
    let env = read(dir.path(), "test.env");
    assert!(
        env.lines().any(|l| l == format!("{planted}={value}")),
        "a named variable reaches the program: {env}"
    );
    assert!(!env.contains("VAULTKIT_UNSET_FOR_TEST"), "{env}");
}
