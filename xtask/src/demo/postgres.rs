//! A throwaway PostgreSQL for the rotation step: `initdb` into the demo's HOME, `pg_ctl start`
//! on a free loopback port (as `nobody` when the demo runs as root: PostgreSQL refuses root),
//! password logins only, stopped (`pg_ctl stop -m immediate`) on drop.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Debian's `postgresql-15`, which `cargo xtask setup` installs; `PG_BIN` overrides.
const DEBIAN_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running demo cluster.
pub(crate) struct DemoPostgres {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
    pub port: u16,
}

impl Drop for DemoPostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = self
            .command("pg_ctl", &["-D", &data, "stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl DemoPostgres {
    /// Creates and starts a cluster in `dir` (which must not exist yet).
    pub(crate) fn start(dir: &Path, superuser_password: &str) -> Result<DemoPostgres, String> {
        let bin = match std::env::var_os("PG_BIN") {
            Some(b) => PathBuf::from(b),
            None => PathBuf::from(DEBIAN_BIN),
        };
        if !bin.join("initdb").is_file() {
            return Err(format!(
                "PostgreSQL's initdb is not in {}: run `cargo xtask setup` (or set PG_BIN)",
                bin.display()
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let run_as = unprivileged_user()?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("find a free port: {e}"))?
            .port();
        let pg = DemoPostgres {
            dir: dir.to_path_buf(),
            bin,
            run_as,
            port,
        };
        // The password goes to initdb in a 0600 file, never on its command line.
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, superuser_password)
            .and_then(|()| {
                std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600))
            })
            .map_err(|e| format!("write {}: {e}", pwfile.display()))?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", pwfile.display()))?;
        }
        let data = dir.join("data").display().to_string();
        let initdb = pg
            .command(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    &format!("--pwfile={}", pwfile.display()),
                    "--auth=scram-sha-256",
                    "--locale=C",
                    "--encoding=UTF8",
                    "--no-sync",
                    "--no-instructions",
                ],
            )
            .output();
        let _ = std::fs::remove_file(&pwfile);
        check("initdb", initdb)?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.display()
        );
        let log = dir.join("server.log").display().to_string();
        let start = pg
            .command(
                "pg_ctl",
                &["-D", &data, "-l", &log, "-w", "-o", &options, "start"],
            )
            .output();
        check("pg_ctl start", start)?;
        Ok(pg)
    }

    /// The `psql` binary next to the server.
    pub(crate) fn psql_path(&self) -> String {
        self.bin.join("psql").display().to_string()
    }

    /// Runs `sql` (on stdin) as `user` with `password` (in `PGPASSWORD`); `Err` holds psql's
    /// message when the login or the statement fails.
    pub(crate) fn psql(&self, user: &str, password: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let mut child = Command::new(self.psql_path())
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args(["-p", &port, "-U", user, "-d", "postgres"])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("run psql: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(sql.as_bytes())
                .map_err(|e| format!("write to psql: {e}"))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// `program` from the server's bin folder, through `setpriv` when running as root.
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let path = self.bin.join(program);
        let mut cmd = match self.run_as {
            None => Command::new(&path),
            Some((uid, gid)) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(&path);
                c
            }
        };
        cmd.args(args).env("LC_ALL", "C");
        cmd
    }
}

fn check(what: &str, out: std::io::Result<Output>) -> Result<(), String> {
    let out = out.map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// `nobody`'s uid and gid when this process is root, else `None`.
fn unprivileged_user() -> Result<Option<(u32, u32)>, String> {
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("stat /proc/self: {e}"))?;
    if uid != 0 {
        return Ok(None);
    }
    let passwd =
        std::fs::read_to_string("/etc/passwd").map_err(|e| format!("read /etc/passwd: {e}"))?;
    passwd
        .lines()
        .find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.len() > 3 && f[0] == "nobody")
                .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
                .flatten()
        })
        .map(Some)
        .ok_or_else(|| "running as root and no `nobody` user to run PostgreSQL as".to_string())
}
