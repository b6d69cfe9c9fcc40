//! [`LineIndex`]: byte offset → 1-based line and column.

/// Line starts of a text, for turning byte offsets into line and column numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index `text`. Lines end at `\n`; a `\r` before it belongs to the line ending.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// 1-based line and 1-based column (in characters) of byte `offset`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let end = offset.min(text.len());
        let mut col = text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(end - start)
            + 1;
        if start == 0 && text.starts_with('\u{feff}') && end > 0 {
            // A byte-order mark is not a column.
            col -= 1;
        }
        (line, col)
    }

    /// Byte range of 1-based `line` without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(text.len());
        let mut end = self.starts.get(line).map(|e| e - 1).unwrap_or(text.len());
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Always false: a text has at least one (possibly empty) line.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// One line of a text, as the line-oriented parsers walk it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// Byte offset where the content ends (before `\r\n` or `\n`).
    pub content_end: usize,
    /// Byte offset where the next line starts (past the end of the text on the last line).
    pub next: usize,
    /// Number of leading blanks (spaces and tabs).
    pub indent: usize,
    /// The content after the leading blanks.
    pub body: &'a str,
}

impl<'a> Line<'a> {
    /// The line of `text` that starts at byte `pos`.
    pub(crate) fn at(text: &'a str, pos: usize) -> Line<'a> {
        let bytes = text.as_bytes();
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(text.len(), |i| pos + i);
        let mut content_end = end;
        if content_end > pos && bytes[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let line = &text[pos..content_end];
        let indent = line
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        Line {
            content_end,
            next: end + 1,
            indent,
            body: &line[indent..],
        }
    }
}

/// `parent.key`, or `key` at the top level.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    join_under(parent, '.', key)
}

/// `parent`, `sep`, `child`; just `child` when `parent` is empty.
pub(crate) fn join_under(parent: &str, sep: char, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}{sep}{child}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = "ab\r\ncé=x\nlast";
        let ix = LineIndex::new(t);
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.line_col(t, 0), (1, 1));
        assert_eq!(ix.line_col(t, 4), (2, 1));
        // "cé=" : c (1 byte) é (2 bytes) = → 'x' is the 4th character
        assert_eq!(ix.line_col(t, 8), (2, 4));
        assert_eq!(&t[ix.line_range(t, 1)], "ab");
        assert_eq!(&t[ix.line_range(t, 3)], "last");
    }
}
