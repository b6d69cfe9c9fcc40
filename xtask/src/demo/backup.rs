//! The backup step: a Raft-backed OpenBao, an OpenPGP key pair, an encrypted snapshot in a
//! local store, a secret deleted, the snapshot verified and restored, the secret back, and
//! `gpg --decrypt` reading the very same stored snapshot.

use std::path::Path;
use std::process::{Command, Stdio};

use super::server::DevServer;
use super::vaultkit::{Vaultkit, step};

/// The demo key's passphrase (made up; it lives in a 0600 file, never on a command line).
const PASSPHRASE: &str = "demo-backup-passphrase-2718";
const SECRET: &str = "secret/bike-data-flow/production/database";

pub(crate) fn run(bin: &Path, home: &Path) -> Result<(), String> {
    step(
        "Backups: a single-node Raft OpenBao (snapshots need Raft storage), initialised and unsealed",
    );
    let server = DevServer::raft(&home.join("raft-server"))?;
    let vk = Vaultkit {
        bin: bin.to_path_buf(),
        addr: server.addr.clone(),
        home: home.to_path_buf(),
    };
    let token = Some(server.token.as_str());
    vk.run(
        &["kv", "put", SECRET, "username=db_user", "password=-"],
        token,
        Some("demo-Pg-pass-4711"),
    )?;

    step(
        "An OpenPGP key pair for snapshots: the certificate encrypts, the secret key (0600) decrypts",
    );
    let pass_file = home.join("backup-passphrase");
    write_private(&pass_file, PASSPHRASE)?;
    let (cert, key) = (home.join("backup-cert.asc"), home.join("backup-key.asc"));
    let store = home.join("backups");
    let (cert, key, store, pass) = (text(&cert), text(&key), text(&store), text(&pass_file));
    vk.run_with_env(
        &[
            "backup",
            "keygen",
            "--user-id",
            "Vault backups <ops@example.com>",
            "--cert",
            &cert,
            "--secret-key",
            &key,
            "--passphrase-env",
            "DEMO_BACKUP_PASSPHRASE",
        ],
        None,
        &[("DEMO_BACKUP_PASSPHRASE", PASSPHRASE)],
    )?;

    step(
        "A FULL snapshot, checked while it streams, encrypted to the certificate, in a local store",
    );
    let id = vk
        .run(
            &[
                "backup",
                "create",
                "--store",
                &store,
                "--recipient-file",
                &cert,
                "--field",
                "id",
            ],
            token,
            None,
        )?
        .trim()
        .to_string();
    vk.run(&["backup", "list", "--store", &store], token, None)?;

    step("Disaster: the database secret is deleted, metadata and all");
    vk.run(&["kv", "metadata", "delete", SECRET], token, None)?;
    vk.run_expecting(3, &["kv", "get", SECRET], token)?;
    println!("    (gone: exit code 3, not found)");

    step("Verify the snapshot (both checksums, decryption, archive) and restore it");
    let key_args = ["--key", key.as_str(), "--passphrase-file", pass.as_str()];
    let verify: Vec<&str> = ["backup", "verify", "--store", &store]
        .into_iter()
        .chain(key_args)
        .chain([id.as_str()])
        .collect();
    vk.run(&verify, token, None)?;
    let restore: Vec<&str> = ["backup", "restore", "--store", &store]
        .into_iter()
        .chain(key_args)
        .chain([id.as_str()])
        .collect();
    vk.run(&restore, token, None)?;
    vk.run(&["kv", "get", "-field=username", SECRET], token, None)?;

    step("The stored snapshot is plain OpenPGP: `gpg --decrypt` reads it too (a gzip'd tar)");
    let object = find_snapshot(Path::new(&store), &id)?;
    let listing = gpg_decrypt_and_list(home, Path::new(&key), &object)?;
    for line in listing.lines() {
        println!("    {line}");
    }
    Ok(())
}

fn text(p: &Path) -> String {
    p.display().to_string()
}

fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(contents.as_bytes()))
        .map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// The stored object of snapshot `id` (`…/snapshots/<id>.snap.pgp`).
fn find_snapshot(store: &Path, id: &str) -> Result<std::path::PathBuf, String> {
    let mut stack = vec![store.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(id) && n.ends_with(".pgp"))
            {
                return Ok(path);
            }
        }
    }
    Err(format!(
        "no stored object for snapshot {id} under {}",
        store.display()
    ))
}

/// Imports `key` into a throw-away GNUPGHOME, decrypts `object` with gpg and lists the tar.
fn gpg_decrypt_and_list(home: &Path, key: &Path, object: &Path) -> Result<String, String> {
    let gnupg = home.join("gnupg");
    std::fs::create_dir_all(&gnupg).map_err(|e| format!("mkdir {}: {e}", gnupg.display()))?;
    std::fs::set_permissions(&gnupg, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(|e| format!("chmod {}: {e}", gnupg.display()))?;
    let gpg = |args: &[&str]| -> Result<Vec<u8>, String> {
        use std::io::Write;
        println!("    $ gpg {}", args.join(" "));
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", &gnupg)
            .args([
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase-fd",
                "0",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run gpg (run `cargo xtask setup`): {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(PASSPHRASE.as_bytes())
                .map_err(|e| format!("gpg stdin: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "gpg failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    gpg(&["--import", &text(key)])?;
    let plain = home.join("snapshot.tar.gz");
    gpg(&["--output", &text(&plain), "--decrypt", &text(object)])?;
    let out = Command::new("tar")
        .args(["-tzvf", &text(&plain)])
        .output()
        .map_err(|e| format!("tar: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tar failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(format!(
        "$ tar -tzvf snapshot.tar.gz\n{}",
        String::from_utf8_lossy(&out.stdout)
    ))
}
