//! Running one Markdown file's `console` blocks in order against a fresh OpenBao dev server,
//! and either checking every command (default) or rewriting the doc from this run
//! (`VAULTKIT_DOCS=overwrite`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use vault_testkit::OpenBao;

use super::markdown::{self, Item, Rewrite, Step};
use super::matching::Matcher;
use super::shell::Shell;
use crate::support::bin;

/// The server and shell a doc runs in, handed to its set-up before the first command.
pub(crate) struct DocEnv {
    pub bao: OpenBao,
    pub shell: Shell,
}

/// The workspace root (README.md, docs/, crates/).
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn overwrite() -> bool {
    match std::env::var("VAULTKIT_DOCS").as_deref() {
        Ok("overwrite") => true,
        Ok("") | Ok("verify") | Err(_) => false,
        Ok(other) => panic!("VAULTKIT_DOCS={other}: use `overwrite` or `verify`"),
    }
}

/// Start a dev server with a file audit device writing `audit.log` in the working folder, put
/// the built `vaultkit` first on `PATH`, export `VAULT_ADDR` and `VAULT_TOKEN`.
pub(crate) async fn prepare() -> DocEnv {
    let bao = OpenBao::dev().await;
    let bin_dir = bin::vaultkit()
        .parent()
        .expect("vaultkit binary has a folder")
        .to_path_buf();
    let mut shell = Shell::new(&[&bin_dir]);
    shell.set_env("VAULT_ADDR", &bao.addr());
    shell.set_env("VAULT_TOKEN", &bao.root_token());
    bao.enable_file_audit("file", &shell.work_dir().join("audit.log"))
        .await;
    DocEnv { bao, shell }
}

/// Run every `console` block of `doc` (relative to the workspace root) in `env`.
pub(crate) async fn run(doc: &str, env: DocEnv) {
    let path = workspace().join(doc);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let items = markdown::items(&text).unwrap_or_else(|e| panic!("{doc}: {e}"));
    assert!(
        items.iter().any(|i| matches!(i, Item::Run(_))),
        "{doc} has no ```console block to run"
    );
    let DocEnv { bao, mut shell } = env;
    let matcher = Matcher::new(
        &bao.addr(),
        &bao.root_token(),
        &shell.work_dir().display().to_string(),
    );
    let overwrite = overwrite();
    let mut rewrites = Vec::new();
    for item in items {
        let step = match item {
            Item::Run(step) => step,
            Item::File {
                line,
                name,
                content,
            } => {
                assert!(
                    !name.starts_with('/') && !name.split('/').any(|s| s == ".."),
                    "{doc}:{line}: file={name} must stay inside the working folder"
                );
                shell.write_file(&name, &content);
                continue;
            }
        };
        let ran = shell.run(&step.command).await;
        let code_ok = ran.code == step.expected_code();
        let output = if step.output.is_empty() {
            Ok(())
        } else {
            matcher.check(&step.output, &ran.output)
        };
        if code_ok && output.is_ok() {
            continue;
        }
        if overwrite {
            let output = if step.output.is_empty() {
                Vec::new()
            } else {
                matcher.merge(&step.output, &ran.output)
            };
            rewrites.push(Rewrite {
                step,
                code: ran.code,
                output,
            });
            continue;
        }
        panic!(
            "{}",
            failure(doc, &step, ran.code, &ran.output, output.err())
        );
    }
    if overwrite && !rewrites.is_empty() {
        std::fs::write(&path, markdown::rewrite(&text, &rewrites))
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!(
            "{doc}: rewrote {} command(s) from this run; review `git diff {doc}`",
            rewrites.len()
        );
    }
}

fn failure(doc: &str, step: &Step, code: i32, output: &str, diff: Option<String>) -> String {
    let mut msg = format!(
        "{doc}:{}: the doc's example does not match this run\n$ {}\n",
        step.line, step.command
    );
    if code != step.expected_code() {
        let _ = writeln!(
            msg,
            "exit code: the doc expects {}, the command exited {code}",
            step.expected_code()
        );
    }
    match diff {
        Some(diff) => {
            let _ = write!(msg, "output differs:\n{diff}");
        }
        None if step.output.is_empty() => {
            let _ = write!(msg, "output (not shown in the doc):\n{output}");
        }
        None => {
            let _ = write!(msg, "output (matches the doc):\n{output}");
        }
    }
    msg.push_str(
        "\nIf the new behaviour is right, refresh the doc from a run and review the diff:\n  \
         VAULTKIT_DOCS=overwrite cargo nextest run --workspace -E 'test(/^docs::/)'\n",
    );
    msg
}
