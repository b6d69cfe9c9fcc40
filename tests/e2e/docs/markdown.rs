//! Reading the `console` blocks of a Markdown file, and writing new expected output back.
//!
//! A block fenced with ` ```console ` is run; ` ```console,ignore ` is shown but not run. In a
//! block, a line starting with `$ ` is a command (a line ending in `\` continues it on the next
//! line); an optional `? N` line right after it is the expected exit code (0 otherwise); the lines
//! up to the next `$ ` are the expected output (stdout and stderr as one stream). A command with
//! no output lines is run and its exit code checked, but its output is not compared.
//!
//! A block of any other language whose info string carries `file=NAME` (` ```toml file=p.toml `)
//! is an input file: when the run reaches it, its text is written to NAME in the working folder,
//! so the file the reader sees is the file the commands use.

/// What the run meets, in document order.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A command to run.
    Run(Step),
    /// A file to write before the next command.
    File {
        /// 1-based line of the opening fence.
        line: usize,
        name: String,
        content: String,
    },
}

/// One command of a `console` block, with what the doc expects of it.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// 1-based line of the `$ ` in the file.
    pub line: usize,
    /// The command as bash sees it (continuation lines joined with their `\` and newline).
    pub command: String,
    /// The `? N` line, if any.
    pub code: Option<i32>,
    /// 0-based index of the `? N` line, if any.
    pub code_line: Option<usize>,
    /// 0-based line index right after the command (and its `? N` line): where the output starts.
    pub output_start: usize,
    /// The expected output lines, indentation of the block removed.
    pub output: Vec<String>,
    /// The block's indentation (a block inside a list item is indented).
    pub indent: String,
}

impl Step {
    /// The exit code the doc expects.
    pub(crate) fn expected_code(&self) -> i32 {
        self.code.unwrap_or(0)
    }
}

/// Every runnable step of `text`, in order (files left out).
#[cfg(test)]
pub(crate) fn steps(text: &str) -> Result<Vec<Step>, String> {
    Ok(items(text)?
        .into_iter()
        .filter_map(|i| match i {
            Item::Run(s) => Some(s),
            Item::File { .. } => None,
        })
        .collect())
}

/// Every command and input file of `text`, in order.
pub(crate) fn items(text: &str) -> Result<Vec<Item>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, info)) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let open = i;
        let close = (open + 1..lines.len())
            .find(|&j| fence(lines[j]).is_some_and(|(ind, info)| ind == indent && info.is_empty()))
            .ok_or_else(|| format!("line {}: code block never closed", open + 1))?;
        if info == "console" {
            let mut block = Vec::new();
            block_steps(&lines, open + 1, close, indent, &mut block)?;
            steps.extend(block.into_iter().map(Item::Run));
        } else if let Some(name) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            let content: Vec<&str> = lines[open + 1..close]
                .iter()
                .map(|l| l.strip_prefix(indent).unwrap_or(l))
                .collect();
            steps.push(Item::File {
                line: open + 1,
                name: name.to_string(),
                content: content.join("\n") + "\n",
            });
        } else if info.starts_with("console") && info != "console,ignore" {
            return Err(format!(
                "line {}: unknown block type `{info}` (use `console` or `console,ignore`)",
                open + 1
            ));
        }
        i = close + 1;
    }
    Ok(steps)
}

/// `(indent, info string)` when `line` is a code fence.
fn fence(line: &str) -> Option<(&str, &str)> {
    let trimmed = line.trim_start_matches(' ');
    let rest = trimmed.strip_prefix("```")?;
    Some((&line[..line.len() - trimmed.len()], rest.trim()))
}

fn block_steps(
    lines: &[&str],
    start: usize,
    end: usize,
    indent: &str,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    let body = |j: usize| {
        lines[j]
            .strip_prefix(indent)
            .unwrap_or(lines[j].trim_start())
    };
    let mut j = start;
    if j < end && !body(j).starts_with("$ ") {
        return Err(format!(
            "line {}: a console block must start with a `$ ` command",
            j + 1
        ));
    }
    while j < end {
        let first = j;
        let mut command = body(j)["$ ".len()..].to_string();
        while command.ends_with('\\') && j + 1 < end {
            j += 1;
            command.push('\n');
            command.push_str(body(j));
        }
        j += 1;
        let (mut code, mut code_line) = (None, None);
        if j < end
            && let Some(n) = body(j).strip_prefix("? ")
        {
            code = Some(
                n.trim()
                    .parse()
                    .map_err(|_| format!("line {}: `? N` needs a number", j + 1))?,
            );
            code_line = Some(j);
            j += 1;
        }
        let output_start = j;
        let mut output = Vec::new();
        while j < end && !body(j).starts_with("$ ") {
            output.push(body(j).to_string());
            j += 1;
        }
        steps.push(Step {
            line: first + 1,
            command,
            code,
            code_line,
            output_start,
            output,
            indent: indent.to_string(),
        });
    }
    Ok(())
}

/// A new expected result for one step, for overwrite mode.
#[derive(Debug)]
pub(crate) struct Rewrite {
    pub step: Step,
    pub code: i32,
    pub output: Vec<String>,
}

/// `text` with each step's `? N` line and output lines replaced.
pub(crate) fn rewrite(text: &str, rewrites: &[Rewrite]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Bottom up, so earlier line numbers stay valid.
    let mut sorted: Vec<&Rewrite> = rewrites.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.step.line));
    for r in sorted {
        let s = &r.step;
        let indent = |l: &String| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{}{l}", s.indent)
            }
        };
        let new_output: Vec<String> = r.output.iter().map(indent).collect();
        lines.splice(s.output_start..s.output_start + s.output.len(), new_output);
        let code_line = (r.code != 0).then(|| format!("{}? {}", s.indent, r.code));
        match (s.code_line, code_line) {
            (Some(at), Some(new)) => lines[at] = new,
            (Some(at), None) => {
                lines.remove(at);
            }
            (None, Some(new)) => lines.insert(s.output_start, new),
            (None, None) => {}
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "text\n```console\n$ a \\\n  b\n? 3\nout1\nout2\n$ c\n```\n\n  ```console,ignore\n  $ never\n  ```\n  ```console\n  $ d\n  x\n  ```\n";

    #[test]
    fn parses_commands_codes_and_output() {
        let s = steps(DOC).expect("parses");
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!(
            (s[0].line, s[0].command.as_str(), s[0].code),
            (3, "a \\\n  b", Some(3))
        );
        assert_eq!(s[0].output, ["out1", "out2"]);
        assert_eq!(
            (s[1].line, s[1].command.as_str(), s[1].code),
            (8, "c", None)
        );
        assert!(s[1].output.is_empty());
        assert_eq!(
            (s[2].line, s[2].command.as_str(), &s[2].output[..]),
            (15, "d", &["x".to_string()][..])
        );
    }

    #[test]
    fn rewrites_output_and_codes_in_place() {
        let s = steps(DOC).expect("parses");
        let new = rewrite(
            DOC,
            &[
                Rewrite {
                    step: s[0].clone(),
                    code: 0,
                    output: vec!["new".into()],
                },
                Rewrite {
                    step: s[2].clone(),
                    code: 1,
                    output: vec!["y".into(), "z".into()],
                },
            ],
        );
        assert_eq!(
            new,
            "text\n```console\n$ a \\\n  b\nnew\n$ c\n```\n\n  ```console,ignore\n  $ never\n  ```\n  ```console\n  $ d\n  ? 1\n  y\n  z\n  ```\n"
        );
    }

    #[test]
    fn file_blocks_are_inputs() {
        let items =
            items("```toml file=a/p.toml\nx = 1\n```\n```toml\ny = 2\n```\n").expect("parses");
        assert_eq!(items.len(), 1, "{items:?}");
        let Item::File {
            line,
            name,
            content,
        } = &items[0]
        else {
            panic!("{items:?}")
        };
        assert_eq!(
            (*line, name.as_str(), content.as_str()),
            (1, "a/p.toml", "x = 1\n")
        );
    }

    #[test]
    fn unclosed_block_and_unknown_type_are_errors() {
        assert!(steps("```console\n$ a\n").is_err());
        assert!(steps("```console,norun\n$ a\n```\n").is_err());
    }
}
