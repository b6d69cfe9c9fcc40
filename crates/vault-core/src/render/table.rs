//! Plain-text tables in the style of Vault's CLI: a header, a dashed rule, aligned columns.

use super::escape::escape_text;

/// A table of text cells. Cells are escaped when rendered ([`escape_text`]), so a value with a
/// line break, an ESC sequence or a bidi override shows as one inert line.
///
/// ```
/// use vault_core::Table;
/// let t = Table::key_value([("user", "etl"), ("note", "a\nb")]);
/// assert_eq!(t.render(), "Key    Value\n---    -----\nuser   etl\nnote   a\\nb\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Spaces between two columns.
const GAP: usize = 3;

impl Table {
    /// A table with these column headers and no rows.
    pub fn new<I, S>(headers: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// A `Key | Value` table, Vault's default for single objects.
    pub fn key_value<I, K, V>(pairs: I) -> Table
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut t = Table::new(["Key", "Value"]);
        for (k, v) in pairs {
            t.push([k.into(), v.into()]);
        }
        t
    }

    /// Add a row (missing cells render empty; extra cells add columns).
    pub fn push<I, S>(&mut self, row: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Render as plain text.
    pub fn render(&self) -> String {
        self.render_with(&|s: &str| s.to_string())
    }

    /// Render with `header` wrapping each (already escaped) header cell, e.g. in bold.
    pub fn render_with(&self, header: &dyn Fn(&str) -> String) -> String {
        let cols = self
            .headers
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let escaped = |row: &[String]| -> Vec<String> {
            (0..cols)
                .map(|i| {
                    row.get(i)
                        .map(|c| escape_text(c).into_owned())
                        .unwrap_or_default()
                })
                .collect()
        };
        let head = escaped(&self.headers);
        let body: Vec<Vec<String>> = self.rows.iter().map(|r| escaped(r)).collect();
        let widths: Vec<usize> = (0..cols)
            .map(|i| {
                std::iter::once(&head)
                    .chain(body.iter())
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let mut line = |cells: &[String], style: &dyn Fn(&str) -> String| {
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                text.push_str(&style(c));
                if i + 1 < cells.len() {
                    let pad = widths[i] - c.chars().count() + GAP;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&head, header);
        let rule: Vec<String> = head.iter().map(|h| "-".repeat(h.chars().count())).collect();
        line(&rule, &|s: &str| s.to_string());
        for row in &body {
            line(row, &|s: &str| s.to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_like_vault() {
        let t = Table::key_value([("password", "a\nb"), ("user", "etl")]);
        assert_eq!(
            t.render(),
            "Key        Value\n---        -----\npassword   a\\nb\nuser       etl\n"
        );
    }

    #[test]
    fn a_hostile_cell_cannot_forge_a_row_or_reach_the_terminal() {
        let mut t = Table::new(["path", "actor"]);
        t.push(["secret/a\nsecret/forged   root", "\x1b[31mred\u{202e}"]);
        let text = t.render();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && super::super::escape::needs_escape(c))
        );
        assert!(text.contains("\\x1b[31mred\\u{202e}"));
    }

    #[test]
    fn styled_headers_do_not_change_widths() {
        let mut t = Table::new(["A", "B"]);
        t.push(["long cell", "x"]);
        let bold = |s: &str| format!("<{s}>");
        assert_eq!(
            t.render_with(&bold),
            "<A>           <B>\n-           -\nlong cell   x\n"
        );
    }
}
