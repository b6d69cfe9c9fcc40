//! [`scan_roots`]: which paths to scan, and which directory the findings' file names are then
//! relative to (the plan's `base_dir`), for the paths a user typed.
//!
//! The [`Scanner`](crate::Scanner) names a file found under a relative root by its path as
//! walked (`proj/.env` for `proj`, `../app/.env` for `..`, `.env` for `.`), so relative to the
//! current directory; under an absolute directory root it names it relative to that root
//! (`.env` for `/srv/proj`). One base must fit every finding of a plan.

use std::path::{Component, Path, PathBuf};

use crate::error::MigrateError;

/// The paths to hand to [`Scanner::scan_paths`](crate::Scanner::scan_paths) and the base
/// directory (absolute) their findings are relative to, for `paths` as given.
///
/// - one absolute directory: scanned as is; the base is that directory;
/// - anything else (relative paths, `.`, `..`, several paths): the base is the current
///   directory, and an absolute directory among several paths is scanned through its path
///   relative to the current directory, so its findings are named relative to the base too.
///   (An absolute file is named by its absolute path, which needs no base.)
///
/// # Errors
/// An I/O error naming the path when the current directory or a path cannot be resolved.
pub fn scan_roots<P: AsRef<Path>>(paths: &[P]) -> Result<(Vec<PathBuf>, PathBuf), MigrateError> {
    if let [one] = paths {
        let one = one.as_ref();
        if one.is_absolute() && one.is_dir() {
            return Ok((vec![one.to_path_buf()], one.to_path_buf()));
        }
    }
    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| MigrateError::io(Path::new("."), e))?;
    let mut roots = Vec::with_capacity(paths.len());
    for p in paths {
        let p = p.as_ref();
        if p.is_absolute() && p.is_dir() {
            let real = p.canonicalize().map_err(|e| MigrateError::io(p, e))?;
            roots.push(relative_to(&real, &cwd));
        } else {
            roots.push(p.to_path_buf());
        }
    }
    Ok((roots, cwd))
}

/// `path` relative to `base` (both absolute and canonical): `../../srv/app` from `/home/u/x`.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        let r = |p: &str, b: &str| relative_to(Path::new(p), Path::new(b));
        assert_eq!(
            r("/srv/app", "/home/u/x"),
            PathBuf::from("../../../srv/app")
        );
        assert_eq!(r("/home/u/x/proj", "/home/u/x"), PathBuf::from("proj"));
        assert_eq!(r("/home/u", "/home/u/x"), PathBuf::from(".."));
        assert_eq!(r("/home/u/x", "/home/u/x"), PathBuf::from("."));
    }
}
