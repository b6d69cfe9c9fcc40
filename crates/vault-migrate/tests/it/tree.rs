//! Tree walks: .gitignore, binary and oversized files, .secretsignore paths, progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vault_migrate::{Scanner, SkipReason};

const PW: &str = "Zk3p9Lq2Xv8m";

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path();
    std::fs::create_dir_all(p.join("svc/a")).expect("mkdir");
    std::fs::create_dir_all(p.join("vendor")).expect("mkdir");
    std::fs::write(p.join(".env"), format!("DB_PASSWORD={PW}\n")).expect("w");
    std::fs::write(
        p.join("svc/a/.env.production"),
        format!("API_SECRET={PW}1\n"),
    )
    .expect("w");
    std::fs::write(p.join("svc/ignored.env"), format!("DB_PASSWORD={PW}2\n")).expect("w");
    std::fs::write(p.join(".ignore"), "svc/ignored.env\n").expect("w");
    std::fs::write(p.join("vendor/lib.env"), format!("DB_PASSWORD={PW}3\n")).expect("w");
    std::fs::write(p.join(".secretsignore"), "vendor\n[secrets]\n").expect("w");
    let mut bin = format!("DB_PASSWORD={PW}4\n").into_bytes();
    bin.extend_from_slice(&[0, 1, 2, 3]);
    std::fs::write(p.join("blob.bin"), bin).expect("w");
    std::fs::write(
        p.join("big.env"),
        format!("DB_PASSWORD={PW}5\n{}", "#".repeat(4096)),
    )
    .expect("w");
    d
}

#[test]
fn walk_honours_ignores_and_skips_binary_and_large_files() {
    let d = tree();
    let calls = Arc::new(AtomicU64::new(0));
    let c2 = calls.clone();
    let s = Scanner::builder()
        .with_max_file_size(1024)
        .with_threads(2)
        .with_progress(move |p| {
            assert!(p.files_scanned + p.files_skipped >= 1);
            c2.fetch_add(1, Ordering::Relaxed);
        })
        .build()
        .expect("builds");
    let r = s.scan_paths(&[d.path()]).expect("scan");
    let files: Vec<String> = r
        .findings
        .iter()
        .map(|f| f.file.to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, [".env", "svc/a/.env.production"], "{:?}", r.findings);
    let mut skipped: Vec<(String, SkipReason)> = r
        .skipped
        .iter()
        .map(|s| (s.path.to_string_lossy().into_owned(), s.reason.clone()))
        .collect();
    skipped.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(skipped[0].0, "big.env");
    assert!(matches!(
        skipped[0].1,
        SkipReason::TooLarge { limit: 1024, .. }
    ));
    assert_eq!(skipped[1], ("blob.bin".to_string(), SkipReason::Binary));
    assert_eq!(
        calls.load(Ordering::Relaxed),
        r.files_scanned + r.skipped.len() as u64
    );
}

#[test]
fn gitignore_can_be_turned_off_and_explicit_files_are_always_scanned() {
    let d = tree();
    let s = Scanner::builder()
        .with_respect_gitignore(false)
        .build()
        .expect("builds");
    let r = s.scan_paths(&[d.path()]).expect("scan");
    assert!(r.findings.iter().any(|f| f.file.ends_with("ignored.env")));
    let r = Scanner::builder()
        .build()
        .expect("builds")
        .scan_paths(&[d.path().join("vendor/lib.env")])
        .expect("scan");
    assert_eq!(r.findings.len(), 1);
}

#[test]
fn missing_path_is_a_clear_error() {
    let e = Scanner::builder()
        .build()
        .expect("builds")
        .scan_paths(&["/definitely/not/here"])
        .expect_err("fails");
    let msg = e.to_string();
    assert!(
        msg.contains("/definitely/not/here") && msg.contains("hint"),
        "{msg}"
    );
}

#[test]
fn seed_compatible_function() {
    let d = tree();
    let f =
        vault_migrate::scan_for_secrets(d.path().join(".env"), &[r"PASSWORD.*=.*"]).expect("scan");
    assert_eq!(f.len(), 1);
}

#[test]
fn gitignored_dotenv_files_are_still_scanned_but_other_ignored_files_are_not() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path();
    std::fs::create_dir_all(p.join(".git")).expect("mkdir");
    std::fs::create_dir_all(p.join("build")).expect("mkdir");
    std::fs::create_dir_all(p.join("node_modules/x")).expect("mkdir");
    std::fs::write(p.join(".gitignore"), ".env.local\nbuild/\nnode_modules/\n").expect("w");
    std::fs::write(p.join(".env.local"), format!("DB_PASSWORD={PW}\n")).expect("w");
    std::fs::write(p.join("build/out.txt"), format!("DB_PASSWORD={PW}\n")).expect("w");
    std::fs::write(p.join("node_modules/x/.env"), format!("DB_PASSWORD={PW}\n")).expect("w");
    std::fs::write(p.join(".env"), format!("API_SECRET={PW}9\n")).expect("w");
    let r = Scanner::builder()
        .build()
        .expect("builds")
        .scan_paths(&[p])
        .expect("scan");
    let mut files: Vec<String> = r
        .findings
        .iter()
        .map(|f| f.file.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, [".env", ".env.local"], "{:?}", r.findings);
    let r = Scanner::builder()
        .with_scan_ignored_dotenv(false)
        .build()
        .expect("builds")
        .scan_paths(&[p])
        .expect("scan");
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.files_scanned, 2, ".gitignore and .env");
}
