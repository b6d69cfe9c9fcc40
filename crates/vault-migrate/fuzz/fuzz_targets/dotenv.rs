//! The dotenv parser and the whole scan of a `.env` file on arbitrary text: no panic, spans
//! valid, and no finding points outside the file.
#![no_main]

#[path = "check.rs"]
mod check;

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vault_migrate::Scanner;
use vault_migrate::parse::FileKind;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check::parse_and_check(FileKind::Dotenv, &text);
    thread_local! {
        static SCANNER: Scanner = Scanner::builder().build().expect("default scanner");
    }
    SCANNER.with(|s| {
        let scan = s.scan_text(Path::new(".env"), &text);
        let lines = text.lines().count().max(1);
        for f in &scan.findings {
            assert!(f.line >= 1 && f.line <= lines + 1, "finding on line {} of {lines}", f.line);
        }
    });
});
