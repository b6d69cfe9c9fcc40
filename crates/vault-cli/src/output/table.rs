//! Plain-text tables in the style of Vault's CLI: a header, a dashed rule, aligned columns.

/// A table: headers and rows of cells (already formatted as text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
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

    pub fn push<I, S>(&mut self, row: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Render with `bold` wrapping the header cells (identity when colours are off).
    pub fn render(&self, bold: &dyn Fn(&str) -> String) -> String {
        let cols = self
            .headers
            .len()
            .max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        let cell = |row: &[String], i: usize| row.get(i).map(|c| escape(c)).unwrap_or_default();
        let widths: Vec<usize> = (0..cols)
            .map(|i| {
                std::iter::once(cell(&self.headers, i))
                    .chain(self.rows.iter().map(|r| cell(r, i)))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let line = |out: &mut String, cells: Vec<String>, style: &dyn Fn(&str) -> String| {
            let last = cells.len().saturating_sub(1);
            let mut text = String::new();
            for (i, c) in cells.iter().enumerate() {
                let pad = if i == last {
                    0
                } else {
                    widths[i] - c.chars().count() + 3
                };
                text.push_str(&style(c));
                text.push_str(&" ".repeat(pad));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        let plain = |s: &str| s.to_string();
        line(
            &mut out,
            (0..cols).map(|i| cell(&self.headers, i)).collect(),
            bold,
        );
        line(
            &mut out,
            (0..cols)
                .map(|i| "-".repeat(cell(&self.headers, i).chars().count()))
                .collect(),
            &plain,
        );
        for row in &self.rows {
            line(&mut out, (0..cols).map(|i| cell(row, i)).collect(), &plain);
        }
        out
    }
}

/// Keep one row per line: control characters are shown escaped.
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '\n' => vec!['\\', 'n'],
            '\r' => vec!['\\', 'r'],
            '\t' => vec!['\\', 't'],
            c => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_like_vault() {
        let t = Table::key_value([("password", "a\nb"), ("user", "etl")]);
        let plain = |s: &str| s.to_string();
        assert_eq!(
            t.render(&plain),
            "Key        Value\n---        -----\npassword   a\\nb\nuser       etl\n"
        );
    }
}
