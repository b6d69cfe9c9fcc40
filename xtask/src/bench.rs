//! `cargo xtask bench <name>`: run a benchmark against its peer in the same run and record the
//! figures, with the command, in docs/benchmarks.md (between `<!-- bench:NAME -->` markers).

use std::path::Path;

use crate::util;

pub fn run(args: &[String]) -> Result<(), String> {
    let Some(name) = args.first() else {
        return Err("usage: cargo xtask bench <kv|audit|scan>".to_string());
    };
    let _root = util::workspace_root();
    let section: String = match name.as_str() {
        other => return Err(format!("unknown benchmark `{other}` (known: kv, audit, scan)")),
    };
    #[allow(unreachable_code)]
    record(&_root, name, &section)
}

/// Replace (or append) the section for `name` in docs/benchmarks.md.
pub fn record(root: &Path, name: &str, section: &str) -> Result<(), String> {
    let path = root.join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_string());
    let start = format!("<!-- bench:{name} -->");
    let end = format!("<!-- /bench:{name} -->");
    let block = format!("{start}\n{}\n{end}", section.trim_end());
    let new = match (old.find(&start), old.find(&end)) {
        (Some(s), Some(e)) if e > s => format!("{}{}{}", &old[..s], block, &old[e + end.len()..]),
        _ => format!("{}\n{}\n", old.trim_end(), block),
    };
    std::fs::write(&path, new).map_err(|e| format!("write {}: {e}", path.display()))?;
    println!("{section}");
    eprintln!("recorded in {}", path.display());
    Ok(())
}
