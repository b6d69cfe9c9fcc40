//! Data arguments of `kv put` / `kv patch`, as Vault's CLI takes them, so values need not be on
//! the command line:
//!
//! | argument | meaning |
//! | --- | --- |
//! | `key=value` | a string value |
//! | `key=-` | the value is all of stdin, one trailing newline (`\n` or `\r\n`) removed |
//! | `key=@file` | the value is the file's content, one trailing newline removed |
//! | `key=@@file` | the value is the file's content, byte for byte |
//! | `@file.json` / `@file.yaml` | a whole object of key/value pairs |
//! | `-` | a JSON object on stdin |
//!
//! Stdin can be used once per command. A value read from stdin or a file that is empty (after the
//! newline is removed) is refused unless [`Options::allow_empty`]: `printf '%s' "$UNSET" |
//! vaultkit kv put … password=-` must not store an empty password silently.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{CliError, CliResult};

/// Where bytes come from; abstracted so tests need no real stdin.
pub(crate) trait Source {
    fn stdin(&mut self) -> CliResult<String>;
    fn file(&mut self, path: &Path) -> CliResult<String>;
}

/// The process's stdin and the file system.
#[derive(Debug, Default)]
pub(crate) struct RealSource;

impl Source for RealSource {
    fn stdin(&mut self) -> CliResult<String> {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::other(format!("could not read stdin: {e}")))?;
        Ok(s)
    }
    fn file(&mut self, path: &Path) -> CliResult<String> {
        std::fs::read_to_string(path).map_err(|e| CliError::io("read", path, &e))
    }
}

/// How values are taken.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// Accept an empty value read from stdin or a file (`--allow-empty`).
    pub allow_empty: bool,
}

/// Remove one trailing `\n` or `\r\n`: what `echo`, `cat <<EOF` and editors add.
fn strip_one_newline(mut v: String) -> String {
    if v.ends_with('\n') {
        v.pop();
        if v.ends_with('\r') {
            v.pop();
        }
    }
    v
}

/// Parse the data arguments into one object (later arguments win on repeated keys).
pub(crate) fn parse(
    args: &[String],
    src: &mut dyn Source,
    options: Options,
) -> CliResult<Map<String, Value>> {
    let mut out = Map::new();
    let mut stdin_used = false;
    let mut take_stdin = |src: &mut dyn Source| -> CliResult<String> {
        if std::mem::replace(&mut stdin_used, true) {
            return Err(
                CliError::usage("stdin (`-`) can be used only once per command")
                    .with_hint("put the other values in files and use key=@file"),
            );
        }
        src.stdin()
    };
    for (index, arg) in args.iter().enumerate() {
        if arg == "-" {
            let text = take_stdin(src)?;
            out.extend(object_from(&text, "stdin", false)?);
        } else if let Some(file) = arg.strip_prefix('@') {
            let path = Path::new(file);
            let text = src.file(path)?;
            let yaml = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            );
            out.extend(object_from(&text, file, yaml)?);
        } else if let Some((key, value)) = arg.split_once('=') {
            if key.is_empty() {
                return Err(CliError::usage(format!(
                    "`{}` has no key before `=`",
                    redact_arg(arg)
                ))
                .with_hint("write data as key=value"));
            }
            let (value, origin) = if value == "-" {
                (
                    strip_one_newline(take_stdin(src)?),
                    Some("stdin".to_string()),
                )
            } else if let Some(file) = value.strip_prefix("@@") {
                (src.file(Path::new(file))?, Some(format!("`{file}`")))
            } else if let Some(file) = value.strip_prefix('@') {
                (
                    strip_one_newline(src.file(Path::new(file))?),
                    Some(format!("`{file}`")),
                )
            } else {
                (value.to_string(), None)
            };
            if let Some(origin) = origin.filter(|_| value.is_empty() && !options.allow_empty) {
                return Err(CliError::validation(format!(
                    "the value of `{key}` read from {origin} is empty; nothing was written"
                ))
                .with_hint(
                    "check the variable or file that feeds it; pass --allow-empty to store an \
                     empty value",
                ));
            }
            out.insert(key.to_string(), Value::String(value));
        } else {
            return Err(
                // Not echoed: a stray word here is often a value typed without its key.
                CliError::usage(format!(
                    "data argument {} ({} characters) is not key=value, @file or -",
                    index + 1,
                    arg.chars().count()
                ))
                .with_hint(
                    "write data as key=value, key=- (stdin), key=@file, key=@@file, @file.json or -",
                ),
            );
        }
    }
    if out.is_empty() {
        return Err(CliError::usage("no data to write").with_hint("give at least one key=value"));
    }
    Ok(out)
}

/// Never echo a value in an error: keep only what is before `=`.
fn redact_arg(arg: &str) -> String {
    arg.split_once('=')
        .map_or_else(|| arg.to_string(), |(k, _)| format!("{k}=…"))
}

/// A JSON (or YAML) object of key/value pairs.
fn object_from(text: &str, origin: &str, yaml: bool) -> CliResult<Map<String, Value>> {
    let parsed: Result<Value, String> = if yaml {
        serde_norway::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "line {} column {}: {}",
                e.line(),
                e.column(),
                redact_json_error(&e)
            )
        })
    };
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::validation(format!(
            "`{origin}` is not an object of key/value pairs"
        ))
        .with_hint("write {\"key\": \"value\", …}")),
        Err(detail) => Err(CliError::validation(format!(
            "could not parse `{origin}`: {detail}"
        ))),
    }
}

/// serde_json's messages describe the syntax, not the content; keep only the category.
fn redact_json_error(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end of input",
        serde_json::error::Category::Syntax => "invalid JSON syntax",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "read error",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Fake {
        stdin: String,
        files: HashMap<String, String>,
    }

    impl Source for Fake {
        fn stdin(&mut self) -> CliResult<String> {
            Ok(self.stdin.clone())
        }
        fn file(&mut self, path: &Path) -> CliResult<String> {
            self.files
                .get(path.to_str().unwrap_or(""))
                .cloned()
                .ok_or_else(|| CliError::not_found("no file"))
        }
    }

    fn fake() -> Fake {
        let files = HashMap::from([
            ("k.pem".to_string(), "-----BEGIN-----\nabc\n".to_string()),
            ("d.json".to_string(), r#"{"a": "1", "n": 2}"#.to_string()),
            ("d.yaml".to_string(), "b: two\n".to_string()),
            ("crlf.txt".to_string(), "pw\r\n\n".to_string()),
            ("empty.txt".to_string(), String::new()),
            ("newline.txt".to_string(), "\n".to_string()),
        ]);
        Fake {
            stdin: "s3cret\n".into(),
            files,
        }
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_input_form() {
        let map = parse(
            &strings(&[
                "user=etl",
                "password=-",
                "key=@k.pem",
                "exact=@@k.pem",
                "@d.json",
                "@d.yaml",
                "eq=a=b",
            ]),
            &mut fake(),
            Options::default(),
        )
        .expect("valid");
        assert_eq!(map["user"], "etl");
        assert_eq!(map["password"], "s3cret");
        // `key=@file` strips one trailing newline, like `key=-`; `key=@@file` keeps every byte.
        assert_eq!(map["key"], "-----BEGIN-----\nabc");
        assert_eq!(map["exact"], "-----BEGIN-----\nabc\n");
        assert_eq!(map["a"], "1");
        assert_eq!(map["n"], 2);
        assert_eq!(map["b"], "two");
        assert_eq!(map["eq"], "a=b");
    }

    #[test]
    fn a_stray_value_is_not_echoed_in_the_error() {
        let e = parse(
            &strings(&["user=etl", "Hunter2-planted"]),
            &mut fake(),
            Options::default(),
        )
        .expect_err("not key=value");
        let text = e.to_string();
        assert!(!text.contains("Hunter2-planted"), "{text}");
        assert!(text.contains("data argument 2"), "{text}");
    }

    #[test]
    fn stdin_once_and_clear_errors() {
        let e =
            parse(&strings(&["a=-", "b=-"]), &mut fake(), Options::default()).expect_err("twice");
        assert_eq!(e.kind().code(), 2);
        let e = parse(
            &strings(&["=planted-value"]),
            &mut fake(),
            Options::default(),
        )
        .expect_err("no key");
        assert!(!e.to_string().contains("planted-value"), "{e}");
        let e = parse(&strings(&["novalue"]), &mut fake(), Options::default()).expect_err("not kv");
        assert!(e.to_string().contains("key=value"));
        let mut f = fake();
        f.stdin = "[1,2]".into();
        assert_eq!(
            parse(&strings(&["-"]), &mut f, Options::default())
                .expect_err("array")
                .kind()
                .code(),
            6
        );
    }

    #[test]
    fn exactly_one_trailing_newline_is_removed_from_stdin_and_files() {
        let map =
            parse(&strings(&["f=@crlf.txt"]), &mut fake(), Options::default()).expect("valid");
        assert_eq!(map["f"], "pw\r\n", "only the last newline goes");
        let mut f = fake();
        f.stdin = "pw\r\n\n".into();
        let map = parse(&strings(&["s=-"]), &mut f, Options::default()).expect("valid");
        assert_eq!(map["s"], "pw\r\n");
    }

    #[test]
    fn an_empty_value_from_stdin_or_a_file_is_refused_unless_allowed() {
        for (arg, stdin) in [
            ("password=-", ""),
            ("password=-", "\n"),
            ("password=@empty.txt", "x"),
            ("password=@newline.txt", "x"),
            ("password=@@empty.txt", "x"),
        ] {
            let mut f = fake();
            f.stdin = stdin.into();
            let e = parse(&strings(&[arg]), &mut f, Options::default()).expect_err(arg);
            assert_eq!(e.kind().code(), 6, "{arg}: {e}");
            assert!(e.to_string().contains("`password`"), "{e}");
            assert!(e.to_string().contains("--allow-empty"), "{e}");
            let mut f = fake();
            f.stdin = stdin.into();
            let map =
                parse(&strings(&[arg]), &mut f, Options { allow_empty: true }).expect("allowed");
            assert_eq!(map["password"], "", "{arg}");
        }
        // An empty value typed on the command line is explicit: kept.
        let map = parse(&strings(&["note="]), &mut fake(), Options::default()).expect("valid");
        assert_eq!(map["note"], "");
    }
}
