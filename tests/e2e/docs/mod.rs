//! Executable documentation: every ```` ```console ```` block of README.md and docs/*.md runs,
//! in order, against a fresh OpenBao dev server, and each command's exit code and output must
//! match the doc. One test per doc file.
//!
//! Conventions for doc writers (also in docs/architecture.md, "Docs you can run"):
//! - ```` ```console ```` blocks run; ```` ```console,ignore ```` blocks are shown but not run —
//!   only for what cannot run in CI (an external server, Kubernetes, a command that runs until
//!   Ctrl-C), with the reason in the text next to the block.
//! - `$ ` starts a command (a line ending in `\` continues it); `? N` right after it is the
//!   expected non-zero exit code; the lines up to the next `$ ` are the expected output (stdout
//!   and stderr together). A command shown without output still runs and must exit as shown.
//! - Commands run through `bash -c` in one shell session per doc: variables and `cd` carry over;
//!   `VAULT_ADDR`/`VAULT_TOKEN` point at the test server, the built `vaultkit` is first on
//!   `PATH`, and a scratch working folder holds the input files created below (per doc) and an
//!   `audit.log` written by the server's file audit device.
//! - Volatile values are redacted by the harness ([`matching`]): the doc keeps realistic values.
//!   `[..]`, `...` (a line of its own) and `…` are wildcards.
//! - `VAULTKIT_DOCS=overwrite cargo nextest run --workspace -E 'test(/^docs::/)'` rewrites the
//!   expected output and `? N` lines from the run instead of failing; review the diff.

mod markdown;
mod matching;
mod runner;
mod shell;

use runner::{DocEnv, prepare, run};

/// The files the tests below run; any other Markdown file with a `console` block is an error.
const RUN: [&str; 5] = [
    "README.md",
    "docs/cli.md",
    "docs/kv.md",
    "docs/audit.md",
    "docs/migrate.md",
];

#[test]
fn every_doc_with_console_examples_is_run() {
    let root = runner::workspace();
    let mut docs = vec!["README.md".to_string()];
    for entry in std::fs::read_dir(root.join("docs")).expect("list docs/") {
        let name = entry.expect("docs/ entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".md") {
            docs.push(format!("docs/{name}"));
        }
    }
    for doc in docs {
        let text = std::fs::read_to_string(root.join(&doc)).expect("read doc");
        let items = markdown::items(&text).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let runs = items.iter().any(|i| matches!(i, markdown::Item::Run(_)));
        assert!(
            !runs || RUN.contains(&doc.as_str()),
            "{doc} has ```console examples but no test runs it: add one in tests/e2e/docs/mod.rs"
        );
    }
}

/// The value behind the docs' `$PASSWORD` (the reader's own secret; quotes, a space and a `$`
/// show how `env` quotes it).
fn secrets_in_env(env: &mut DocEnv) {
    env.shell.set_env("PASSWORD", "p@ss w\"rd $x");
}

/// A stand-in for the reader's pipeline: a real Python program that uses the secret it was given
/// (prints its length, never the value).
const PIPELINE_PY: &str = "import os\n\
pw = os.environ[\"DB_PASSWORD\"]\n\
print(f\"pipeline: connected with a {len(pw)}-character password\")\n";

/// The `.env` that the migrate examples scan (the reader's project).
const DOTENV: &str = "DB_HOST=db.example.com\nDB_PASSWORD=Xk9pL2mQ7vR4tZ8w\nWEATHER_API_KEY=wk_7f3a9c2e8b1d4f6a0c5e9b2d7f1\n";

#[tokio::test]
async fn readme() {
    let mut env = prepare().await;
    secrets_in_env(&mut env);
    env.shell.write_file("pipeline.py", PIPELINE_PY);
    env.shell.write_file(".env", DOTENV);
    run(RUN[0], env).await;
}

#[tokio::test]
async fn cli() {
    let mut env = prepare().await;
    secrets_in_env(&mut env);
    let (role_id, secret_id) = env.bao.enable_approle("pipeline", &["default"], "1h").await;
    env.shell.set_env("ROLE_ID", &role_id);
    env.shell.write_file("secret-id", &format!("{secret_id}\n"));
    env.shell.write_file("pipeline.py", PIPELINE_PY);
    env.shell.write_file(
        "api-keys.json",
        "{\"citibike\": \"demo-cb-21d7e0\", \"openweather\": \"demo-ow-8f3a9c\"}\n",
    );
    env.shell.write_file("new-password.txt", "n3w-p@ss\n");
    env.shell.write_file("bike-data-flow/.env", DOTENV);
    run(RUN[1], env).await;
}

#[tokio::test]
async fn kv() {
    let mut env = prepare().await;
    secrets_in_env(&mut env);
    run(RUN[2], env).await;
}

#[tokio::test]
async fn audit() {
    let env = prepare().await;
    // The repository's vault-guides corpus, at the path a reader in the repository root uses.
    let corpus = "crates/vault-audit/tests/data/vault-guides/vault-audit.log";
    let text = std::fs::read_to_string(runner::workspace().join(corpus)).expect("read the corpus");
    env.shell.write_file(corpus, &text);
    run(RUN[3], env).await;
}

#[tokio::test]
async fn migrate() {
    let env = prepare().await;
    run(RUN[4], env).await;
}
