//! `scan [--threads N] [--no-gitignore] [--sensitive] [--format table|json|sarif|lines] PATH...`
//!
//! A small command-line front end over the library, used by `cargo xtask bench scan` (release
//! build) and handy for trying rules. `lines` prints `file<TAB>line<TAB>rule` per finding; a
//! summary goes to stderr. Exit code: 0 clean, 1 findings, 2 error.

use std::process::ExitCode;

use vault_migrate::report::{self, Format};
use vault_migrate::{Confidence, DetectConfig, Scanner};

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<u8, String> {
    let mut args = std::env::args().skip(1);
    let mut builder = Scanner::builder();
    let mut format = "table".to_string();
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                let n = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--threads needs a number")?;
                builder = builder.with_threads(n);
            }
            "--no-gitignore" => builder = builder.with_respect_gitignore(false),
            "--sensitive" => builder = builder.with_detect_config(DetectConfig::sensitive()),
            "--format" => format = args.next().ok_or("--format needs a value")?,
            "-h" | "--help" => {
                println!(
                    "usage: scan [--threads N] [--no-gitignore] [--sensitive] [--format table|json|sarif|lines] PATH..."
                );
                return Ok(0);
            }
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        paths.push(".".into());
    }
    let scanner = builder.build().map_err(|e| e.to_string())?;
    let r = scanner.scan_paths(&paths).map_err(|e| e.to_string())?;
    if format == "lines" {
        let mut out = String::new();
        for f in &r.findings {
            out.push_str(&format!(
                "{}\t{}\t{}\n",
                f.file.display(),
                f.line,
                f.rule_id
            ));
        }
        print!("{out}");
    } else {
        let fmt: Format = format
            .parse()
            .map_err(|e: vault_migrate::MigrateError| e.to_string())?;
        println!("{}", report::render(&r, fmt));
    }
    eprintln!(
        "scanned {} files, {} bytes in {:.3}s: {} findings, {} skipped",
        r.files_scanned,
        r.bytes_scanned,
        r.elapsed.as_secs_f64(),
        r.findings.len(),
        r.skipped.len()
    );
    Ok(report::exit_code(&r, Confidence::Low) as u8)
}
