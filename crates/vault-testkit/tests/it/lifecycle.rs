//! Servers never outlive their test: not after a drop, a panic, or a SIGKILL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vault_testkit::OpenBao;

async fn answers(addr: &str) -> bool {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client")
        .get(format!("{addr}/v1/sys/health"))
        .send()
        .await
        .is_ok()
}

/// Polls until the server stops answering (or 20 s pass).
async fn stops_answering(addr: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if !answers(addr).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn dropping_the_server_stops_the_process() {
    let bao = OpenBao::dev().await;
    let addr = bao.addr();
    let pid = bao.pid();
    assert!(answers(&addr).await);
    drop(bao);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} still exists (zombie or running) after drop"
    );
    assert!(!answers(&addr).await, "server still answers after drop");
}

#[tokio::test]
async fn a_panicking_test_stops_its_server() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let bao = OpenBao::dev().await;
        let _ = tx.send(bao.addr());
        panic!("planted panic while the server runs");
    });
    let addr = rx.await.expect("server started before the panic");
    assert!(task.await.expect_err("the task panicked").is_panic());
    assert!(
        !answers(&addr).await,
        "server still answers after the panic unwound"
    );
}

#[test]
fn a_killed_test_process_leaves_no_server_behind() {
    let exe = std::env::current_exe().expect("current test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "lifecycle::child_holds_a_dev_server",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child test");
    let stdout = child.stdout.take().expect("stdout");
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split_once("VAULT_TESTKIT_ADDR=")
                .map(|(_, addr)| addr.trim().to_string())
        })
        .expect("the child printed its server address");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    assert!(runtime.block_on(answers(&addr)), "the child's server is up");
    // SIGKILL: no unwinding, no drop.
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    assert!(
        runtime.block_on(stops_answering(&addr)),
        "orphaned server at {addr} still answers"
    );
}

#[tokio::test]
#[ignore = "run by a_killed_test_process_leaves_no_server_behind in a child process"]
async fn child_holds_a_dev_server() {
    let bao = OpenBao::dev().await;
    println!("\nVAULT_TESTKIT_ADDR={}", bao.addr());
    tokio::time::sleep(Duration::from_secs(120)).await;
}
