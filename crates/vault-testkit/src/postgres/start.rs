//! Creating the cluster (`initdb`) and starting `postgres` until it accepts logins.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

use super::binaries::{postgres_bin_dir, run_as};
use super::{Postgres, SUPERUSER};
use crate::ports::free_port;
use crate::server::process::{ServerProcess, tail};

/// How long the server may take to accept its first login.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a start that lost a port race is retried.
const START_ATTEMPTS: usize = 5;

/// Why an attempt failed.
enum Failure {
    /// Lost a race for the port: try again with another.
    PortTaken,
    Fatal(String),
}

impl Postgres {
    /// Creates a cluster in a temp dir and starts it on a free loopback port.
    ///
    /// # Panics
    /// When `initdb`/`postgres` are missing (the message names `cargo xtask setup`), or the
    /// server does not come up (the message carries its log).
    pub async fn start() -> Postgres {
        match start().await {
            Ok(pg) => pg,
            Err(message) => panic!("{message}"),
        }
    }
}

async fn start() -> Result<Postgres, String> {
    let bin = postgres_bin_dir()?;
    let user = run_as()?;
    let dir = tempfile::Builder::new()
        .prefix("vaultkit-pg-")
        .tempdir()
        .map_err(|e| format!("create a temp dir for PostgreSQL: {e}"))?;
    if let Some((uid, gid)) = user {
        reachable_by_others(dir.path())?;
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
            .map_err(|e| format!("chown {} to uid {uid}: {e}", dir.path().display()))?;
    }
    let password = random_password();
    let (init_bin, init_dir) = (bin.clone(), dir.path().to_path_buf());
    let init_password = password.clone();
    tokio::task::spawn_blocking(move || initdb(&init_bin, &init_dir, &init_password, user))
        .await
        .map_err(|e| format!("initdb task: {e}"))??;

    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port()?;
        let (program, args) = command(&bin.join("postgres"), &server_args(dir.path(), port), user);
        let mut process = ServerProcess::spawn(&program, &args, &[("LC_ALL", "C")])?;
        match wait_ready(&mut process, port, &password).await {
            Ok(()) => {
                return Ok(Postgres {
                    process: Some(process),
                    port,
                    superuser_password: password,
                    dir,
                });
            }
            Err(Failure::PortTaken) => last_error = tail(&process.log(), 20),
            Err(Failure::Fatal(message)) => return Err(message),
        }
        // The watchdog kills the server that never bound its port; the cluster is reused.
        drop(process);
    }
    Err(format!(
        "PostgreSQL lost the race for a free port {START_ATTEMPTS} times; last log:\n{last_error}"
    ))
}

/// `initdb` with the superuser password from a 0600 file (never argv), SCRAM-SHA-256 for
/// every connection, UTF-8 and the C locale, no fsync.
fn initdb(bin: &Path, dir: &Path, password: &str, user: Option<(u32, u32)>) -> Result<(), String> {
    let pwfile = dir.join("superuser-password");
    write_private(&pwfile, password, user)?;
    let data = dir.join("data");
    let args = [
        "-D".to_string(),
        data.display().to_string(),
        "-U".to_string(),
        SUPERUSER.to_string(),
        format!("--pwfile={}", pwfile.display()),
        "--auth=scram-sha-256".to_string(),
        "--encoding=UTF8".to_string(),
        "--locale=C".to_string(),
        "--no-sync".to_string(),
        "--no-instructions".to_string(),
    ];
    let (program, args) = command(&bin.join("initdb"), &args, user);
    let output = Command::new(&program)
        .args(&args)
        .env("LC_ALL", "C")
        .output();
    let _ = std::fs::remove_file(&pwfile);
    let output = output.map_err(|e| format!("run {}: {e}", program.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(format!(
        "initdb in {} failed ({}):\n{}",
        dir.display(),
        output.status,
        tail(&log, 20)
    ))
}

/// The server's settings: loopback TCP on `port`, its socket in the cluster's dir, small and
/// fast (no fsync: the data is thrown away).
fn server_args(dir: &Path, port: u16) -> Vec<String> {
    let settings = [
        "listen_addresses=127.0.0.1".to_string(),
        format!("unix_socket_directories={}", dir.display()),
        "fsync=off".to_string(),
        "synchronous_commit=off".to_string(),
        "full_page_writes=off".to_string(),
        "shared_buffers=16MB".to_string(),
        "max_connections=50".to_string(),
    ];
    let mut args = vec![
        "-D".to_string(),
        dir.join("data").display().to_string(),
        "-p".to_string(),
        port.to_string(),
    ];
    for setting in settings {
        args.push("-c".to_string());
        args.push(setting);
    }
    args
}

/// `program args` as is, or through `setpriv` as `user` (with no supplementary groups).
fn command(program: &Path, args: &[String], user: Option<(u32, u32)>) -> (PathBuf, Vec<String>) {
    match user {
        None => (program.to_path_buf(), args.to_vec()),
        Some((uid, gid)) => {
            let mut wrapped = vec![
                format!("--reuid={uid}"),
                format!("--regid={gid}"),
                "--clear-groups".to_string(),
                "--".to_string(),
                program.display().to_string(),
            ];
            wrapped.extend_from_slice(args);
            (PathBuf::from("setpriv"), wrapped)
        }
    }
}

/// Writes `text` to a new file readable by its owner only (`user` when given).
fn write_private(path: &Path, text: &str, user: Option<(u32, u32)>) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("chmod {}: {e}", path.display()))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Polls a superuser login until it works, the server exits, or the timeout passes.
async fn wait_ready(process: &mut ServerProcess, port: u16, password: &str) -> Result<(), Failure> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut config = tokio_postgres::Config::new();
    config
        .host("127.0.0.1")
        .port(port)
        .user(SUPERUSER)
        .password(password)
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(5));
    loop {
        if let Some(status) = process.exited() {
            let log = process.log();
            return if log.contains("could not bind") || log.contains("already in use") {
                Err(Failure::PortTaken)
            } else {
                Err(Failure::Fatal(format!(
                    "PostgreSQL exited ({status}) before accepting logins:\n{}",
                    tail(&log, 20)
                )))
            };
        }
        let last = match config.connect(tokio_postgres::NoTls).await {
            Ok((client, connection)) => {
                drop(client);
                let _ = connection.await;
                return Ok(());
            }
            Err(e) => super::describe(&e),
        };
        if Instant::now() > deadline {
            return Err(Failure::Fatal(format!(
                "PostgreSQL on port {port} did not accept a login within {START_TIMEOUT:?} \
                 (last error: {last}); log:\n{}",
                tail(&process.log(), 20)
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The unprivileged server must be able to walk down to its directory: every ancestor needs
/// the others' search (x) bit.
fn reachable_by_others(dir: &Path) -> Result<(), String> {
    for ancestor in dir.ancestors().skip(1) {
        let mode = std::fs::metadata(ancestor)
            .map_err(|e| format!("stat {}: {e}", ancestor.display()))?
            .permissions()
            .mode();
        if mode & 0o001 == 0 {
            return Err(format!(
                "PostgreSQL runs as an unprivileged user and cannot reach {}: {} is not \
                 searchable by others (mode {:o}). Point TMPDIR at a directory like /tmp",
                dir.display(),
                ancestor.display(),
                mode & 0o7777
            ));
        }
    }
    Ok(())
}

fn random_password() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_ancestor_is_reported_with_tmpdir_advice() {
        let root = tempfile::tempdir().expect("tempdir");
        let private = root.path().join("private");
        let inner = private.join("cluster");
        std::fs::create_dir_all(&inner).expect("mkdir");
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let err = reachable_by_others(&inner).expect_err("private ancestor");
        assert!(err.contains("TMPDIR") && err.contains("private"), "{err}");
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o711)).expect("chmod");
        reachable_by_others(&inner).expect("searchable");
    }
}
