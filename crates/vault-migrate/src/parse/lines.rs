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
