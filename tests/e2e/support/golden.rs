//! Golden files for table output under `tests/golden/`. Volatile parts (timestamps, addresses,
//! cluster names, accessors) are replaced by placeholders first. `UPDATE_GOLDEN=1` rewrites the
//! files instead of comparing (review the diff before committing).

use std::path::PathBuf;

use regex::Regex;

/// Replace what changes from run to run.
pub(crate) fn normalize(text: &str, addr: &str) -> String {
    let mut s = text.replace(addr, "<addr>");
    let rules = [
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "<time>"),
        (r"vault-cluster-[0-9a-f]+", "<cluster>"),
        (r"Version( +)\d+\.\d+\.\d+\S*", "Version${1}<version>"),
    ];
    for (pattern, with) in rules {
        let re = Regex::new(pattern).expect("valid regex");
        s = re.replace_all(&s, with).into_owned();
    }
    // Re-align: placeholders change widths, so compare trimmed lines.
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

#[track_caller]
pub(crate) fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "missing golden file {} ({e}); run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", path.display());
}
