//! `vaultkit backup …` against a real Raft-backed OpenBao: keygen, an encrypted FULL snapshot,
//! a deleted secret brought back by verify + restore, a LOGICAL snapshot restored one subtree at
//! a time, and the refusals (no recipients, wrong key) with their exit codes. Passphrases and
//! secret values never reach the output.

use std::path::Path;

use serde_json::json;
use vault_testkit::OpenBao;

use crate::support::{Cmd, World};

const PASSPHRASE: &str = "PLANTED-backup-passphrase-6021";
const VALUE: &str = "PLANTED-db-password-7733";

/// A Raft server (snapshots need Raft) with KV v2 at `secret/`, and a key pair made by
/// `backup keygen` (passphrase from an environment variable) plus a 0600 passphrase file.
async fn raft_world() -> World {
    let bao = OpenBao::raft().await;
    let (status, body) = bao
        .api(
            "POST",
            "sys/mounts/secret",
            Some(json!({"type": "kv", "options": {"version": "2"}})),
        )
        .await;
    assert!(status < 300, "enable kv: {body}");
    let w = World {
        bao,
        home: tempfile::tempdir().expect("temp HOME"),
    };
    let out = Cmd::new(
        w.home(),
        &[
            "backup",
            "keygen",
            "--user-id",
            "Backups <ops@example.com>",
            "--cert",
            "cert.asc",
            "--secret-key",
            "key.asc",
            "--passphrase-env",
            "PP",
        ],
    )
    .current_dir(w.home())
    .env("PP", PASSPHRASE)
    .run()
    .await;
    out.ok();
    assert!(!out.all().contains(PASSPHRASE), "{}", out.all());
    let pass = w.home().join("pass");
    std::fs::write(&pass, format!("{PASSPHRASE}\n")).expect("passphrase file");
    std::fs::set_permissions(&pass, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    w
}

fn p(w: &World, name: &str) -> String {
    w.home()
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_snapshot_encrypted_verified_and_restored() {
    let w = raft_world().await;
    w.seed("secret/app/db", json!({"user": "etl", "password": VALUE}))
        .await;
    let store = p(&w, "store");
    let (cert, key, pass) = (p(&w, "cert.asc"), p(&w, "key.asc"), p(&w, "pass"));
    let secret_key = std::fs::metadata(&key).expect("key file");
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&secret_key.permissions()) & 0o777,
        0o600
    );

    let created = w
        .vk(&[
            "backup",
            "create",
            "--store",
            &store,
            "--recipient-file",
            &cert,
            "--format",
            "json",
        ])
        .run()
        .await;
    created.ok();
    let info = created.json();
    let id = info["id"].as_str().expect("id").to_string();
    assert_eq!(info["status"], "completed");
    assert_eq!(info["encrypted"], true);

    let listed = w
        .vk(&["backup", "list", "--store", &store, "--format", "json"])
        .run()
        .await;
    listed.ok();
    assert!(
        listed
            .json()
            .as_array()
            .expect("array")
            .iter()
            .any(|e| e["id"] == id.as_str())
    );

    // The secret is lost…
    w.vk(&["kv", "metadata", "delete", "secret/app/db"])
        .run()
        .await
        .ok();
    w.vk(&["kv", "get", "secret/app/db"]).run().await.code(3);

    // …restore is refused before a verify, then works after it.
    let key_args = ["--key", key.as_str(), "--passphrase-file", pass.as_str()];
    let mut restore = vec!["backup", "restore", "--store", &store];
    restore.extend(key_args);
    restore.push(&id);
    w.vk(&restore).run().await.code(6);
    let mut verify = vec!["backup", "verify", "--store", &store];
    verify.extend(key_args);
    verify.push(&id);
    let verified = w.vk(&verify).run().await;
    verified.ok();
    let restored = w.vk(&restore).run().await;
    restored.ok();
    let got = w
        .vk(&["kv", "get", "-field=password", "secret/app/db"])
        .run()
        .await;
    got.ok();
    assert_eq!(got.stdout.trim(), VALUE);

    for out in [&created, &listed, &verified, &restored] {
        let all = out.all();
        assert!(!all.contains(VALUE) && !all.contains(PASSPHRASE), "{all}");
    }
    // The stored object is ciphertext: not the gzip magic of a plain snapshot.
    let object = find_file(Path::new(&store), &id).expect("stored snapshot object");
    let head = std::fs::read(&object).expect("read object");
    assert!(
        !head.starts_with(&[0x1f, 0x8b]),
        "stored snapshot is not encrypted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logical_snapshot_restores_one_subtree() {
    let w = raft_world().await;
    w.seed("secret/app/db", json!({"password": VALUE})).await;
    w.seed("secret/other/api", json!({"key": "k1"})).await;
    let store = p(&w, "store");
    let created = w
        .vk(&[
            "backup",
            "create",
            "--type",
            "logical",
            "--mount",
            "secret",
            "--store",
            &store,
            "--recipient-file",
            &p(&w, "cert.asc"),
            "--field",
            "id",
        ])
        .run()
        .await;
    created.ok();
    let id = created.stdout.trim().to_string();
    w.vk(&["kv", "metadata", "delete", "secret/app/db"])
        .run()
        .await
        .ok();
    w.vk(&["kv", "metadata", "delete", "secret/other/api"])
        .run()
        .await
        .ok();

    let (key, pass) = (p(&w, "key.asc"), p(&w, "pass"));
    let base = [
        "--store",
        store.as_str(),
        "--key",
        key.as_str(),
        "--passphrase-file",
        pass.as_str(),
    ];
    let mut verify = vec!["backup", "verify"];
    verify.extend(base);
    verify.push(&id);
    w.vk(&verify).run().await.ok();
    let mut restore = vec!["backup", "restore", "--path", "app", "--format", "json"];
    restore.extend(base);
    restore.push(&id);
    let restored = w.vk(&restore).run().await;
    restored.ok();
    assert!(!restored.all().contains(VALUE), "{}", restored.all());
    let changes = restored.json()["changes"].clone();
    assert_eq!(changes.as_array().map(Vec::len), Some(1), "{changes}");
    w.vk(&["kv", "get", "secret/app/db"]).run().await.ok();
    w.vk(&["kv", "get", "secret/other/api"]).run().await.code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_clear_errors_and_exit_codes() {
    let w = raft_world().await;
    let store = p(&w, "store");
    // Unencrypted only when asked for.
    let out = w.vk(&["backup", "create", "--store", &store]).run().await;
    out.code(2).one_line_error();
    assert!(out.stderr.contains("--no-encrypt"), "{}", out.stderr);
    // No store: usage error naming the variable.
    let out = w.vk(&["backup", "list"]).run().await;
    out.code(2);
    assert!(
        out.stderr.contains("VAULTKIT_BACKUP_STORE"),
        "{}",
        out.stderr
    );

    // A key that is not a recipient.
    let created = w
        .vk(&[
            "backup",
            "create",
            "--store",
            &store,
            "--recipient-file",
            &p(&w, "cert.asc"),
            "--field",
            "id",
        ])
        .run()
        .await;
    created.ok();
    let id = created.stdout.trim().to_string();
    Cmd::new(
        w.home(),
        &[
            "backup",
            "keygen",
            "--user-id",
            "other",
            "--cert",
            "o.asc",
            "--secret-key",
            "o.key",
        ],
    )
    .current_dir(w.home())
    .run()
    .await
    .ok();
    let out = w
        .vk(&[
            "backup",
            "verify",
            "--store",
            &store,
            "--key",
            &p(&w, "o.key"),
            &id,
        ])
        .run()
        .await;
    out.code(1);
    assert!(out.stderr.contains("is not one of them"), "{}", out.stderr);

    // A wrong passphrase never shows, nor the right one.
    std::fs::write(w.home().join("wrong"), "PLANTED-wrong-pass\n").expect("write");
    let out = w
        .vk(&[
            "backup",
            "verify",
            "--store",
            &store,
            "--key",
            &p(&w, "key.asc"),
            "--passphrase-file",
            &p(&w, "wrong"),
            &id,
        ])
        .run()
        .await;
    out.code(1);
    assert!(out.stderr.contains("wrong passphrase"), "{}", out.stderr);
    assert!(!out.all().contains("PLANTED-wrong-pass") && !out.all().contains(PASSPHRASE));

    // keygen never overwrites a key file.
    let out = Cmd::new(
        w.home(),
        &[
            "backup",
            "keygen",
            "--user-id",
            "x",
            "--cert",
            "c2.asc",
            "--secret-key",
            "key.asc",
        ],
    )
    .current_dir(w.home())
    .run()
    .await;
    out.code(2);
    // A taken cert name is refused before the secret key is written (no orphan key).
    let out = Cmd::new(
        w.home(),
        &[
            "backup",
            "keygen",
            "--user-id",
            "x",
            "--cert",
            "cert.asc",
            "--secret-key",
            "new-key.asc",
        ],
    )
    .current_dir(w.home())
    .run()
    .await;
    out.code(2);
    assert!(
        !w.home().join("new-key.asc").exists(),
        "orphan secret key written"
    );
}

fn find_file(dir: &Path, id: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, id) {
                return Some(found);
            }
        } else if path.file_name()?.to_str()?.starts_with(id) {
            return Some(path);
        }
    }
    None
}

/// A writer killed mid-upload leaves an `in-progress` catalog entry and half an object:
/// `backup cleanup` lists it as abandoned in a dry run, then marks it failed and deletes the
/// partial object, and keeps the real snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_reports_and_clears_an_abandoned_upload() {
    let w = raft_world().await;
    w.seed("secret/app/db", json!({"password": VALUE})).await;
    let store = p(&w, "store");
    let created = w
        .vk(&[
            "backup",
            "create",
            "--type",
            "logical",
            "--mount",
            "secret",
            "--store",
            &store,
            "--no-encrypt",
            "--field",
            "id",
        ])
        .run()
        .await;
    created.ok();
    let id = created.stdout.trim().to_string();

    let root = w.home().join("store");
    let raw = std::fs::read(root.join(format!("catalog/{id}.json"))).expect("catalog entry");
    let mut entry: serde_json::Value = serde_json::from_slice(&raw).expect("entry JSON");
    let dead = "logical-20261101T020000Z-0dead0";
    entry["id"] = json!(dead);
    entry["status"] = json!("in-progress");
    entry["created_at"] = json!("2026-11-01T02:00:00Z");
    entry["object_key"] = json!(format!("snapshots/{dead}.snap"));
    for unfinished in [
        "duration_ms",
        "plain_size",
        "stored_size",
        "plain_sha256",
        "stored_sha256",
    ] {
        entry[unfinished] = serde_json::Value::Null;
    }
    std::fs::write(root.join(format!("catalog/{dead}.json")), entry.to_string()).expect("plant");
    let partial = root.join(format!("snapshots/{dead}.snap"));
    std::fs::write(&partial, b"half an archive").expect("plant object");

    let args = ["backup", "cleanup", "--store", &store, "--keep-last", "3"];
    let mut dry = args.to_vec();
    dry.extend(["--dry-run", "--format", "json"]);
    let plan = w.vk(&dry).run().await;
    plan.ok();
    let plan = plan.json();
    assert_eq!(plan["abandoned"], json!([dead]), "{plan}");
    assert_eq!(plan["kept"], json!([id]), "{plan}");
    assert!(partial.exists(), "a dry run deletes nothing");

    let done = w.vk(&args).run().await;
    done.ok();
    assert!(
        done.stdout.contains(dead) && done.stdout.contains("abandoned: marked failed"),
        "{}",
        done.stdout
    );
    assert!(!partial.exists(), "the partial object is deleted");
    let listed = w
        .vk(&["backup", "list", "--store", &store, "--format", "json"])
        .run()
        .await;
    listed.ok();
    let text = listed.stdout.clone();
    assert!(text.contains("failed") && text.contains(dead), "{text}");
    assert!(!done.all().contains(VALUE) && !text.contains(VALUE));
}
