//! Finding the `bao` binary, and the message when it is missing.

use std::process::Command;

#[test]
fn bao_binary_is_found_in_this_checkout() {
    let path = vault_testkit::bao_binary().expect("bao installed by `cargo xtask setup`");
    let out = Command::new(&path)
        .arg("version")
        .output()
        .expect("run bao version");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("OpenBao"), "{text}");
}

/// Runs `child_dev_panics_without_binary` in a child process with `VAULTKIT_BAO` pointing
/// at a path that does not exist (the environment of this process stays untouched).
#[test]
fn missing_binary_message_names_xtask_setup() {
    let exe = std::env::current_exe().expect("current test binary");
    let out = Command::new(exe)
        .args([
            "--exact",
            "binary::child_dev_panics_without_binary",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("VAULTKIT_BAO", "/nonexistent/vaultkit/bao")
        .output()
        .expect("run the child test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the child should fail: {text}");
    assert!(text.contains("cargo xtask setup"), "{text}");
    assert!(text.contains("/nonexistent/vaultkit/bao"), "{text}");
    assert!(
        text.contains("1 failed"),
        "exactly the child test ran: {text}"
    );
}

#[tokio::test]
#[ignore = "run by missing_binary_message_names_xtask_setup in a child process with VAULTKIT_BAO set"]
async fn child_dev_panics_without_binary() {
    let _bao = vault_testkit::OpenBao::dev().await;
}
