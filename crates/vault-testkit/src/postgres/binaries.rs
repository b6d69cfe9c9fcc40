//! Finding PostgreSQL's server binaries (`initdb`, `postgres`) and the user to run them as.
//!
//! Order: the `PG_BIN` environment variable (a directory), then Debian's
//! `/usr/lib/postgresql/15/bin`, then the newest `/usr/lib/postgresql/<n>/bin`, then
//! `pg_config --bindir`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variable naming a directory that holds `initdb` and `postgres`.
pub const PG_BIN_ENV: &str = "PG_BIN";

/// Where Debian's `postgresql-15` package (installed by `cargo xtask setup`) puts them.
const DEBIAN_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Locates the directory holding `initdb` and `postgres`.
///
/// Returns an error message naming `cargo xtask setup` when none is found, or when `PG_BIN`
/// points at a directory without them.
pub fn postgres_bin_dir() -> Result<PathBuf, String> {
    resolve(
        std::env::var_os(PG_BIN_ENV),
        &[PathBuf::from(DEBIAN_BIN)],
        newest_debian_bin(),
        pg_config_bindir(),
    )
}

/// The lookup itself, with its inputs passed in (so it can be tested without the environment).
fn resolve(
    explicit: Option<OsString>,
    fixed: &[PathBuf],
    newest: Option<PathBuf>,
    pg_config: Option<PathBuf>,
) -> Result<PathBuf, String> {
    if let Some(explicit) = explicit.filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(explicit);
        return if has_server(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "{PG_BIN_ENV} points at {}, which holds no `initdb` and `postgres`. Unset it, or \
                 run `cargo xtask setup` to install PostgreSQL 15 under {DEBIAN_BIN}",
                dir.display()
            ))
        };
    }
    fixed
        .iter()
        .cloned()
        .chain(newest)
        .chain(pg_config)
        .find(|dir| has_server(dir))
        .ok_or_else(|| {
            format!(
                "PostgreSQL's `initdb` and `postgres` were not found ({PG_BIN_ENV} unset, nothing in \
                 {DEBIAN_BIN} or /usr/lib/postgresql/*/bin, no `pg_config`). Run `cargo xtask setup` \
                 to install them"
            )
        })
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// The highest-numbered `/usr/lib/postgresql/<n>/bin`.
fn newest_debian_bin() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, dir)| dir)
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(text.trim()))
}

/// PostgreSQL refuses to run as root: when the tests run as root, the server runs as this
/// unprivileged account (through `setpriv`, part of util-linux).
const UNPRIVILEGED_USER: &str = "nobody";

/// The `(uid, gid)` to run the server as, or `None` to run it as the current user.
pub(crate) fn run_as() -> Result<Option<(u32, u32)>, String> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|e| format!("read /etc/passwd to find the `{UNPRIVILEGED_USER}` user: {e}"))?;
    lookup_user(&passwd, UNPRIVILEGED_USER)
        .map(Some)
        .ok_or_else(|| {
            format!(
                "tests run as root and PostgreSQL refuses to; no `{UNPRIVILEGED_USER}` user in \
                 /etc/passwd to run it as. Run the tests as an ordinary user, or add the user"
            )
        })
}

/// The uid and gid of `name` in a passwd file's text.
fn lookup_user(passwd: &str, name: &str) -> Option<(u32, u32)> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_bin(dir: &Path) {
        std::fs::create_dir_all(dir).expect("mkdir");
        for name in ["initdb", "postgres"] {
            std::fs::write(dir.join(name), b"").expect("write");
        }
    }

    #[test]
    fn nothing_found_names_xtask_setup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = resolve(None, &[dir.path().join("none")], None, None).expect_err("empty");
        assert!(err.contains("cargo xtask setup"), "{err}");
    }

    #[test]
    fn explicit_dir_without_binaries_names_xtask_setup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = resolve(Some(dir.path().as_os_str().to_owned()), &[], None, None)
            .expect_err("no binaries there");
        assert!(err.contains("cargo xtask setup"), "{err}");
        assert!(err.contains(PG_BIN_ENV), "{err}");
    }

    #[test]
    fn order_is_env_then_fixed_then_newest_then_pg_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let [explicit, fixed, newest, config] =
            ["explicit", "fixed", "newest", "config"].map(|n| dir.path().join(n));
        for d in [&explicit, &fixed, &newest, &config] {
            fake_bin(d);
        }
        let all = |e: Option<&PathBuf>| {
            resolve(
                e.map(|p| p.as_os_str().to_owned()),
                std::slice::from_ref(&fixed),
                Some(newest.clone()),
                Some(config.clone()),
            )
        };
        assert_eq!(all(Some(&explicit)), Ok(explicit.clone()));
        assert_eq!(all(None), Ok(fixed.clone()));
        let later = resolve(None, &[], Some(newest.clone()), Some(config.clone()));
        assert_eq!(later, Ok(newest));
        assert_eq!(resolve(None, &[], None, Some(config.clone())), Ok(config));
    }

    #[test]
    fn passwd_lookup_reads_uid_and_gid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nbad:x:y\n";
        assert_eq!(lookup_user(passwd, "nobody"), Some((65534, 65534)));
        assert_eq!(lookup_user(passwd, "bad"), None);
        assert_eq!(lookup_user(passwd, "nob"), None);
    }
}
