//! CSV for spreadsheets and scripts: RFC 4180 quoting plus formula neutralisation.

/// One CSV cell: quoted (RFC 4180) when it holds `,`, `"`, CR or LF; and prefixed with `'` when
/// it starts with a character a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) or with
/// a tab or CR, so that an audit-log field like `=HYPERLINK(…)` stays text when the file is
/// opened in Excel or LibreOffice (OWASP's "CSV injection" advice).
///
/// A line break inside a cell stays inside the quotes, so it can never start a new record.
pub fn csv_cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// One CSV record (no line terminator) from its cells.
pub fn csv_line<I, S>(cells: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    cells
        .into_iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quoting_holds() {
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("=a,\"b\""), "\"'=a,\"\"b\"\"\"");
        assert_eq!(csv_cell("x\n1,2,3"), "\"x\n1,2,3\"");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_line(["a", "b c", ""]), "a,b c,");
    }
}
