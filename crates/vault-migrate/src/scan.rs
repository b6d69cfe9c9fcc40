//! [`Scanner`]: scan texts, files and directory trees for secrets.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::allow::{self, Baseline, SecretsIgnore};
use crate::detect::{CustomPattern, DetectConfig, Detector};
use crate::error::MigrateError;
use crate::finding::{Confidence, Finding, Place};
use crate::parse::{self, DuplicateKey, FileKind, LineIndex, ParseIssue};

/// Progress of a tree scan, reported after every file.
#[derive(Debug, Clone, Default)]
pub struct ScanProgress {
    /// Files scanned so far.
    pub files_scanned: u64,
    /// Files skipped so far (binary, too large, unreadable).
    pub files_skipped: u64,
    /// Bytes scanned so far.
    pub bytes_scanned: u64,
    /// Findings reported so far.
    pub findings: u64,
    /// The file just finished.
    pub path: PathBuf,
}

/// Why a file was not scanned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Contains NUL bytes.
    Binary,
    /// Larger than the configured limit.
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Could not be read.
    Unreadable {
        /// The operating system's error, as text.
        error: String,
    },
}

/// A file that was not scanned, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkippedFile {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// A parse problem in a scanned file (the rest of the file was still scanned).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileIssue {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the problem.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// A key set more than once in a dotenv file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileDuplicate {
    /// The file.
    pub path: PathBuf,
    /// The key set more than once.
    pub key: String,
    /// Every line where it is set, in order; the last one is in effect.
    pub lines: Vec<usize>,
}

/// Findings that were found but not reported, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Suppressed {
    /// By an inline `vaultkit:allow` / `pragma: allowlist secret` comment.
    pub inline: u64,
    /// By a value in `.secretsignore`.
    pub ignored_value: u64,
    /// Present in the baseline.
    pub baseline: u64,
    /// Below the minimum confidence.
    pub below_confidence: u64,
}

impl Suppressed {
    fn add(&mut self, o: Suppressed) {
        self.inline += o.inline;
        self.ignored_value += o.ignored_value;
        self.baseline += o.baseline;
        self.below_confidence += o.below_confidence;
    }
}

/// The result of scanning one text.
#[derive(Debug, Clone, Default)]
pub struct FileScan {
    /// Reported findings, in file order.
    pub findings: Vec<Finding>,
    /// Findings that were dropped, by reason.
    pub suppressed: Suppressed,
    /// Lines that could not be parsed.
    pub issues: Vec<ParseIssue>,
    /// Keys set more than once (dotenv only).
    pub duplicates: Vec<DuplicateKey>,
}

/// The result of a scan.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScanReport {
    /// Reported findings, sorted by file, line, column.
    pub findings: Vec<Finding>,
    /// Files read and scanned.
    pub files_scanned: u64,
    /// Bytes read from those files.
    pub bytes_scanned: u64,
    /// Files not scanned, and why.
    pub skipped: Vec<SkippedFile>,
    /// Parse problems (the rest of each file was still scanned).
    pub issues: Vec<FileIssue>,
    /// Keys set more than once in a dotenv file.
    pub duplicates: Vec<FileDuplicate>,
    /// Findings that were found but not reported, by reason.
    pub suppressed: Suppressed,
    /// Walk errors (unreadable directories, broken links), as text.
    pub errors: Vec<String>,
    /// Wall-clock time of the scan (serialized as seconds).
    #[serde(serialize_with = "ser_secs")]
    pub elapsed: Duration,
}

fn ser_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

type ProgressFn = Arc<dyn Fn(ScanProgress) + Send + Sync>;

/// Builder for [`Scanner`].
pub struct ScannerBuilder {
    config: DetectConfig,
    patterns: Vec<String>,
    settings: Settings,
}

/// What a [`Scanner`] keeps from its builder besides the detector.
struct Settings {
    max_file_size: u64,
    baseline: Option<Baseline>,
    secrets_ignore: Option<SecretsIgnore>,
    respect_gitignore: bool,
    scan_ignored_dotenv: bool,
    threads: usize,
    progress: Option<ProgressFn>,
    min_confidence: Confidence,
}

impl std::fmt::Debug for ScannerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScannerBuilder")
            .field("config", &self.config)
            .field("patterns", &self.patterns)
            .finish_non_exhaustive()
    }
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        ScannerBuilder {
            config: DetectConfig::default(),
            patterns: Vec::new(),
            settings: Settings {
                max_file_size: 10 * 1024 * 1024,
                baseline: None,
                secrets_ignore: None,
                respect_gitignore: true,
                scan_ignored_dotenv: true,
                threads: 0,
                progress: None,
                min_confidence: Confidence::Low,
            },
        }
    }
}

impl ScannerBuilder {
    /// Thresholds of the generic rules (default: [`DetectConfig::default`]).
    pub fn with_detect_config(mut self, config: DetectConfig) -> Self {
        self.config = config;
        self
    }

    /// Extra user regex patterns, reported as `custom-<n>` (1-based).
    pub fn with_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.patterns.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Skip files larger than this many bytes (default 10 MiB).
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.settings.max_file_size = bytes;
        self
    }

    /// Drop findings present in this baseline.
    pub fn with_baseline(mut self, baseline: Baseline) -> Self {
        self.settings.baseline = Some(baseline);
        self
    }

    /// Ignore paths and values listed in a `.secretsignore`. Without this, a `.secretsignore` at
    /// the top of each scanned directory is used.
    pub fn with_secrets_ignore(mut self, ignore: SecretsIgnore) -> Self {
        self.settings.secrets_ignore = Some(ignore);
        self
    }

    /// Honour `.gitignore`/`.ignore` files while walking (default true). Files named explicitly
    /// are always scanned.
    pub fn with_respect_gitignore(mut self, yes: bool) -> Self {
        self.settings.respect_gitignore = yes;
        self
    }

    /// Also scan dotenv files (`.env`, `.env.*`, `*.env`) that `.gitignore` excludes (default
    /// true): they are the usual home of plaintext secrets. Dependency and build directories
    /// (`node_modules`, `target`, `venv`, …) are not searched for them.
    pub fn with_scan_ignored_dotenv(mut self, yes: bool) -> Self {
        self.settings.scan_ignored_dotenv = yes;
        self
    }

    /// Worker threads for tree walks (0 = one per CPU).
    pub fn with_threads(mut self, n: usize) -> Self {
        self.settings.threads = n;
        self
    }

    /// Called after every file of a tree scan, from worker threads.
    pub fn with_progress(mut self, f: impl Fn(ScanProgress) + Send + Sync + 'static) -> Self {
        self.settings.progress = Some(Arc::new(f));
        self
    }

    /// Report only findings at or above this confidence (default: all).
    pub fn with_min_confidence(mut self, c: Confidence) -> Self {
        self.settings.min_confidence = c;
        self
    }

    /// Compile the patterns and build the scanner.
    pub fn build(self) -> Result<Scanner, MigrateError> {
        let custom = self
            .patterns
            .iter()
            .enumerate()
            .map(|(i, p)| CustomPattern::new(i + 1, p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scanner {
            inner: Arc::new(Inner {
                detector: Detector {
                    config: self.config,
                    custom,
                },
                settings: self.settings,
            }),
        })
    }
}

struct Inner {
    detector: Detector,
    settings: Settings,
}

/// Finds secrets. Cheap to clone.
#[derive(Clone)]
pub struct Scanner {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("config", &self.inner.detector.config)
            .finish_non_exhaustive()
    }
}

impl Scanner {
    /// A builder with the default rules and limits.
    pub fn builder() -> ScannerBuilder {
        ScannerBuilder::default()
    }

    /// Scan `text` as if it were the file `path` (the name picks the parser).
    pub fn scan_text(&self, path: &Path, text: &str) -> FileScan {
        self.scan_text_with(
            path,
            path,
            text,
            self.inner.settings.secrets_ignore.as_ref(),
        )
    }

    fn scan_text_with(
        &self,
        path: &Path,
        label: &Path,
        text: &str,
        ignore: Option<&SecretsIgnore>,
    ) -> FileScan {
        let kind = FileKind::detect(path);
        if allow::is_own_artifact(kind, text) {
            // vaultkit's own baseline/plan/report: salts and slow hashes, never findings.
            return FileScan::default();
        }
        let d = &self.inner.detector;
        let min_len = if d.custom.is_empty() {
            d.config.min_keyword_len.min(d.config.min_entropy_len)
        } else {
            0
        };
        let parsed = parse::parse_min(kind, text, min_len);
        let hits = self.inner.detector.detect(kind, text, &parsed);
        let mut out = FileScan {
            issues: parsed.issues,
            duplicates: parsed.duplicates,
            ..FileScan::default()
        };
        if hits.is_empty() {
            // Most files: no line index needed (it is a pass over the whole text).
            return out;
        }
        let index = LineIndex::new(text);
        for h in hits {
            let (line, column) = index.line_col(text, h.span.start);
            let end_line = index.line(h.span.end.saturating_sub(1).max(h.span.start));
            if allow::inline_allowed(text, &index, line)
                || (end_line != line && allow::inline_allowed(text, &index, end_line))
            {
                out.suppressed.inline += 1;
                continue;
            }
            if ignore.is_some_and(|i| i.ignores_value(&h.value)) {
                out.suppressed.ignored_value += 1;
                continue;
            }
            if h.confidence < self.inner.settings.min_confidence {
                out.suppressed.below_confidence += 1;
                continue;
            }
            let place = Place {
                file: label.to_path_buf(),
                line_col: (line, column),
                end_line,
            };
            let f = Finding::new(place, h);
            if self
                .inner
                .settings
                .baseline
                .as_ref()
                .is_some_and(|b| b.contains(&f))
            {
                out.suppressed.baseline += 1;
                continue;
            }
            out.findings.push(f);
        }
        out
    }

    /// Scan one file; its path is used as given in findings.
    pub fn scan_file(&self, path: &Path) -> Result<FileScan, MigrateError> {
        match self.read(path)? {
            Ok(text) => Ok(self.scan_text(path, &text)),
            Err(reason) => Err(MigrateError::new(
                crate::error::MigrateErrorKind::Io,
                skip_message(&reason),
            )
            .with_path(path)),
        }
    }

    /// Read a file for scanning: `Ok(Err(reason))` when it is skipped.
    fn read(&self, path: &Path) -> Result<Result<String, SkipReason>, MigrateError> {
        let meta = std::fs::metadata(path).map_err(|e| MigrateError::io(path, e))?;
        if meta.len() > self.inner.settings.max_file_size {
            return Ok(Err(SkipReason::TooLarge {
                size: meta.len(),
                limit: self.inner.settings.max_file_size,
            }));
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                return Ok(Err(SkipReason::Unreadable {
                    error: e.to_string(),
                }));
            }
        };
        if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
            return Ok(Err(SkipReason::Binary));
        }
        Ok(Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }))
    }

    /// Scan files and directory trees (walked in parallel, honouring `.gitignore` unless turned
    /// off). Under an absolute directory files are named relative to it; under a relative one, as
    /// walked (`svc/.env` for root `svc`, `.env` for root `.`).
    pub fn scan_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Result<ScanReport, MigrateError> {
        let start = Instant::now();
        let state = Arc::new(WalkState::default());
        for p in paths {
            let p = p.as_ref();
            let meta = std::fs::metadata(p).map_err(|e| {
                MigrateError::io(p, e).with_hint("pass an existing file or directory")
            })?;
            if meta.is_dir() {
                self.walk(p, &state)?;
            } else {
                let ignore = self
                    .inner
                    .settings
                    .secrets_ignore
                    .clone()
                    .or_else(|| discover_ignore(Path::new(".")));
                self.scan_one(p, p, ignore.as_ref(), &state);
            }
        }
        let mut report = match Arc::try_unwrap(state) {
            Ok(s) => s.report.into_inner().unwrap_or_else(|e| e.into_inner()),
            Err(s) => s.report.lock().map(|r| r.clone()).unwrap_or_default(),
        };
        report.findings.sort_by(|a, b| {
            a.file
                .cmp(&b.file)
                .then(a.line.cmp(&b.line))
                .then(a.column.cmp(&b.column))
        });
        report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        report
            .issues
            .sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
        report
            .duplicates
            .sort_by(|a, b| a.path.cmp(&b.path).then(a.lines.cmp(&b.lines)));
        report.elapsed = start.elapsed();
        Ok(report)
    }

    fn walk(&self, root: &Path, state: &Arc<WalkState>) -> Result<(), MigrateError> {
        let respect = self.inner.settings.respect_gitignore;
        self.walk_pass(root, state, respect, respect, false);
        if respect && self.inner.settings.scan_ignored_dotenv {
            // `.env` files are usually in .gitignore, and they are what a migration is for:
            // a second pass picks up the dotenv files that only git ignores (`.ignore` files,
            // written for tools, still count).
            self.walk_pass(root, state, false, true, true);
        }
        Ok(())
    }

    /// One parallel walk. `dotenv_only`: scan only dotenv files not scanned yet, and skip
    /// dependency and build directories.
    fn walk_pass(
        &self,
        root: &Path,
        state: &Arc<WalkState>,
        respect: bool,
        dot_ignore: bool,
        dotenv_only: bool,
    ) {
        let mut ignore = self.inner.settings.secrets_ignore.clone();
        if ignore.is_none() {
            ignore = discover_ignore(root);
        }
        let ignore = Arc::new(ignore);
        let mut wb = ignore::WalkBuilder::new(root);
        wb.hidden(false)
            .git_ignore(respect)
            .git_exclude(respect)
            .git_global(respect)
            .ignore(dot_ignore)
            .parents(dot_ignore)
            .threads(self.inner.settings.threads);
        let filter_ignore = ignore.clone();
        let root_buf = root.to_path_buf();
        wb.filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if dotenv_only
                && e.file_type().is_some_and(|t| t.is_dir())
                && matches!(
                    e.file_name().to_str(),
                    Some("node_modules" | "target" | ".venv" | "venv" | "__pycache__" | ".tox")
                )
            {
                return false;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let ig = filter_ignore.as_ref().as_ref();
            !(e.path() != root_buf && ig.is_some_and(|i| i.ignores_path(e.path(), is_dir)))
        });
        wb.build_parallel().run(|| {
            let state = state.clone();
            let ign = ignore.clone();
            let root = root.to_path_buf();
            let scanner = self.clone();
            Box::new(move |res| {
                match res {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        let path = entry.path();
                        let is_dotenv = FileKind::detect(path) == FileKind::Dotenv;
                        let fresh = !is_dotenv
                            || state
                                .dotenv_seen
                                .lock()
                                .map(|mut s| s.insert(path.to_path_buf()))
                                .unwrap_or(true);
                        if (!dotenv_only || is_dotenv) && fresh {
                            let label = label_for(&root, path);
                            scanner.scan_one(path, &label, ign.as_ref().as_ref(), &state);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if let Ok(mut r) = state.report.lock() {
                            r.errors.push(e.to_string());
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
    }

    fn scan_one(
        &self,
        path: &Path,
        label: &Path,
        ignore: Option<&SecretsIgnore>,
        state: &WalkState,
    ) {
        let read = self.read(path);
        let mut findings = 0;
        let mut bytes = 0;
        let outcome = match read {
            Ok(Ok(text)) => {
                bytes = text.len() as u64;
                let fs = self.scan_text_with(path, label, &text, ignore);
                findings = fs.findings.len() as u64;
                Ok(fs)
            }
            Ok(Err(reason)) => Err(reason),
            Err(e) => Err(SkipReason::Unreadable {
                error: e.message().to_string(),
            }),
        };
        let scanned = outcome.is_ok();
        if let Ok(mut r) = state.report.lock() {
            match outcome {
                Ok(fs) => {
                    r.files_scanned += 1;
                    r.bytes_scanned += bytes;
                    r.suppressed.add(fs.suppressed);
                    r.issues.extend(fs.issues.into_iter().map(|i| FileIssue {
                        path: label.to_path_buf(),
                        line: i.line,
                        message: i.message,
                    }));
                    r.duplicates
                        .extend(fs.duplicates.into_iter().map(|d| FileDuplicate {
                            path: label.to_path_buf(),
                            key: d.key,
                            lines: d.lines,
                        }));
                    r.findings.extend(fs.findings);
                }
                Err(reason) => r.skipped.push(SkippedFile {
                    path: label.to_path_buf(),
                    reason,
                }),
            }
        }
        let files = if scanned {
            state.files.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            state.files.load(Ordering::Relaxed)
        };
        let skipped = if scanned {
            state.skipped.load(Ordering::Relaxed)
        } else {
            state.skipped.fetch_add(1, Ordering::Relaxed) + 1
        };
        let total_bytes = state.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let total_findings = state.findings.fetch_add(findings, Ordering::Relaxed) + findings;
        if let Some(p) = &self.inner.settings.progress {
            p(ScanProgress {
                files_scanned: files,
                files_skipped: skipped,
                bytes_scanned: total_bytes,
                findings: total_findings,
                path: label.to_path_buf(),
            });
        }
    }
}

#[derive(Default)]
struct WalkState {
    report: Mutex<ScanReport>,
    /// Dotenv files already scanned (the second pass must not scan them again).
    dotenv_seen: Mutex<std::collections::HashSet<PathBuf>>,
    files: AtomicU64,
    skipped: AtomicU64,
    bytes: AtomicU64,
    findings: AtomicU64,
}

/// How a walked file is named in findings: relative to an absolute root (stable across machines,
/// so baselines match), or as walked from a relative root, without a leading `./` (like ripgrep).
fn label_for(root: &Path, path: &Path) -> PathBuf {
    if root.is_absolute() {
        path.strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    } else {
        path.strip_prefix(".")
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

fn discover_ignore(dir: &Path) -> Option<SecretsIgnore> {
    let f = dir.join(".secretsignore");
    if f.is_file() {
        SecretsIgnore::from_file(&f).ok()
    } else {
        None
    }
}

fn skip_message(r: &SkipReason) -> String {
    match r {
        SkipReason::Binary => "file looks binary (contains NUL bytes); not scanned".into(),
        SkipReason::TooLarge { size, limit } => format!(
            "file is {size} bytes, over the {limit}-byte limit; raise it with max_file_size"
        ),
        SkipReason::Unreadable { error } => format!("cannot read file: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            label_for(Path::new("/r"), Path::new("/r/a/.env")),
            PathBuf::from("a/.env")
        );
        assert_eq!(
            label_for(Path::new("."), Path::new("./a/.env")),
            PathBuf::from("a/.env")
        );
        assert_eq!(
            label_for(Path::new("svc"), Path::new("svc/a/.env")),
            PathBuf::from("svc/a/.env")
        );
    }
}
