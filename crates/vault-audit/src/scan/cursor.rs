//! A strict, allocation-free JSON cursor over one record's bytes.
//!
//! It validates the full JSON grammar (RFC 8259) while skipping the values we do not need, and
//! hands out borrowed string slices for the ones we do. Strings are skipped with `memchr` (most of
//! an audit line is HMAC strings), containers iteratively with a depth limit, so hostile input
//! cannot overflow the stack.

use std::borrow::Cow;

use super::ScanError;

/// Deepest nesting accepted, the same limit serde_json applies.
pub const MAX_DEPTH: usize = 128;

/// A JSON string as found in the input: the bytes between the quotes, still escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct JStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JStr<'a> {
    /// The decoded text; borrows unless the string contains escapes.
    pub(super) fn decode(self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        let quoted = format!("\"{}\"", self.raw);
        match serde_json::from_str::<String>(&quoted) {
            Ok(s) => Cow::Owned(s),
            // The cursor validated the escapes; a lone surrogate (`\ud800`) is the only thing
            // serde_json still refuses. Keep the raw text rather than lose the field.
            Err(_) => Cow::Borrowed(self.raw),
        }
    }
}

/// Any byte below 0x20? Written as an OR over fixed-size blocks so it compiles to wide
/// compares (about twice as fast as a counting fold).
fn has_control_byte(b: &[u8]) -> bool {
    let mut acc = 0u8;
    let mut blocks = b.chunks_exact(32);
    for block in &mut blocks {
        let mut m = 0u8;
        for &c in block {
            m |= u8::from(c < 0x20);
        }
        acc |= m;
    }
    for &c in blocks.remainder() {
        acc |= u8::from(c < 0x20);
    }
    acc != 0
}

#[derive(Debug)]
pub(super) struct Cursor<'a> {
    text: &'a str,
    pub(crate) pos: usize,
    /// False when the whole input has no byte below 0x20, so no string can hold one.
    check_ctrl: bool,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor {
            text,
            pos: 0,
            check_ctrl: has_control_byte(text.as_bytes()),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(super) fn err(&self, what: &'static str) -> ScanError {
        ScanError {
            offset: self.pos,
            what,
        }
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        let b = self.bytes();
        while let Some(c) = b.get(self.pos) {
            match c {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => break,
            }
        }
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// Skips whitespace, then consumes `c` or fails with `what`.
    #[inline]
    pub(super) fn expect(&mut self, c: u8, what: &'static str) -> Result<(), ScanError> {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// True when only whitespace is left.
    pub(super) fn at_end(&mut self) -> bool {
        self.ws();
        self.pos >= self.bytes().len()
    }

    /// Reads a string; the cursor must be on the opening quote.
    pub(super) fn string(&mut self) -> Result<JStr<'a>, ScanError> {
        let b = self.bytes();
        if b.get(self.pos) != Some(&b'"') {
            return Err(self.err("expected a string"));
        }
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            let Some(off) = memchr::memchr2(b'"', b'\\', &b[i..]) else {
                self.pos = b.len();
                return Err(self.err("unterminated string"));
            };
            let j = i + off;
            if b[j] == b'"' {
                let body = &b[start..j];
                if self.check_ctrl && body.iter().any(|&c| c < 0x20) {
                    self.pos = start;
                    return Err(self.err("control character inside a string"));
                }
                self.pos = j + 1;
                // Slicing at ASCII quote positions of a `str` stays on char boundaries.
                let raw = &self.text[start..j];
                return Ok(JStr { raw, escaped });
            }
            escaped = true;
            match b.get(j + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i = j + 2,
                Some(b'u') => {
                    let hex = b.get(j + 2..j + 6);
                    if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                        self.pos = j;
                        return Err(self.err("invalid \\u escape"));
                    }
                    i = j + 6;
                }
                _ => {
                    self.pos = j;
                    return Err(self.err("invalid escape in string"));
                }
            }
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), ScanError> {
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let b = self.bytes();
        let start = self.pos;
        while b.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), ScanError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        Ok(())
    }

    /// Skips one scalar value (string, number, literal). Returns false on a container start.
    fn scalar(&mut self) -> Result<bool, ScanError> {
        match self.peek() {
            Some(b'"') => self.string().map(|_| true),
            Some(b't') => self.literal(b"true").map(|_| true),
            Some(b'f') => self.literal(b"false").map(|_| true),
            Some(b'n') => self.literal(b"null").map(|_| true),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| true),
            Some(b'{' | b'[') => Ok(false),
            None => Err(self.err("unexpected end of input")),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    /// Reads `"key" :` inside an object, returning the key.
    pub(super) fn key(&mut self) -> Result<JStr<'a>, ScanError> {
        self.ws();
        let k = self.string()?;
        self.expect(b':', "expected ':' after an object key")?;
        Ok(k)
    }

    /// Skips any value, validating it. `depth` is the nesting depth the value sits at.
    pub(super) fn skip_value(&mut self, depth: usize) -> Result<(), ScanError> {
        // stack[d] is true for an object, false for an array.
        let mut stack = [false; MAX_DEPTH];
        let mut d = 0usize;
        loop {
            self.ws();
            if !self.scalar()? {
                if depth + d >= MAX_DEPTH {
                    return Err(self.err("nesting deeper than 128 levels"));
                }
                let is_obj = self.peek() == Some(b'{');
                self.pos += 1;
                self.ws();
                let close = if is_obj { b'}' } else { b']' };
                if self.peek() == Some(close) {
                    self.pos += 1;
                } else {
                    stack[d] = is_obj;
                    d += 1;
                    if is_obj {
                        self.key()?;
                    }
                    continue;
                }
            }
            // A value ended: close containers until one wants another element.
            loop {
                if d == 0 {
                    return Ok(());
                }
                let is_obj = stack[d - 1];
                let close = if is_obj { b'}' } else { b']' };
                if self.more(close, "expected ',' or a closing bracket")? {
                    if is_obj {
                        self.key()?;
                    }
                    break;
                }
                d -= 1;
            }
        }
    }

    /// Iterates the members of an object (cursor on `{`), calling `f(cursor, key)` which must
    /// consume the value.
    pub(super) fn object<F>(&mut self, depth: usize, mut f: F) -> Result<(), ScanError>
    where
        F: FnMut(&mut Self, &[u8]) -> Result<(), ScanError>,
    {
        if depth >= MAX_DEPTH {
            return Err(self.err("nesting deeper than 128 levels"));
        }
        self.expect(b'{', "expected an object")?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let k = self.key()?;
            self.ws();
            f(self, k.raw.as_bytes())?;
            if !self.more(b'}', "expected ',' or '}' in an object")? {
                return Ok(());
            }
        }
    }

    /// After an element of an object or array closed by `close`: steps over a `,` (`true`:
    /// another element follows) or over `close` (`false`); anything else is the error `expected`.
    #[inline]
    fn more(&mut self, close: u8, expected: &'static str) -> Result<bool, ScanError> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(false)
            }
            None => Err(self.err("unexpected end of input")),
            Some(_) => Err(self.err(expected)),
        }
    }

    /// Reads a string value, or `null` (as `None`); any other value is skipped and ignored.
    pub(super) fn opt_string(&mut self, depth: usize) -> Result<Option<JStr<'a>>, ScanError> {
        match self.peek() {
            Some(b'"') => self.string().map(Some),
            _ => self.skip_value(depth).map(|_| None),
        }
    }

    /// Reads an array of strings; non-string elements are skipped. Calls `f` per string.
    pub(super) fn string_array<F: FnMut(JStr<'a>)>(
        &mut self,
        depth: usize,
        mut f: F,
    ) -> Result<(), ScanError> {
        if self.peek() != Some(b'[') {
            return self.skip_value(depth);
        }
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() == Some(b'"') {
                f(self.string()?);
            } else {
                self.skip_value(depth + 1)?;
            }
            if !self.more(b']', "expected ',' or ']' in an array")? {
                return Ok(());
            }
        }
    }
}
