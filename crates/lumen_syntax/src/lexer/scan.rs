//! Numbers, format specs and the bracket/string skipping used to delimit interpolations.

use super::Lexer;
use crate::diagnostic::codes;
use crate::token::{Align, FormatSpec, FormatType, Sign, TokenKind};

impl<'a> Lexer<'a> {
    pub(super) fn number(&mut self) {
        let start = self.pos;
        let b = self.bytes;
        let radix = if b[start] == b'0' && self.pos + 1 < self.end {
            match b[start + 1] {
                b'x' | b'X' => 16,
                b'b' | b'B' => 2,
                b'o' | b'O' => 8,
                _ => 10,
            }
        } else {
            10
        };
        if radix != 10 {
            self.pos += 2;
            let digits_start = self.pos;
            while self.pos < self.end && (self.peek().is_ascii_alphanumeric() || self.peek() == b'_') {
                self.pos += 1;
            }
            let text: String = self.src[digits_start..self.pos].chars().filter(|c| *c != '_').collect();
            let valid = !text.is_empty() && self.bytes[digits_start] != b'_' && text.chars().all(|c| c.is_digit(radix));
            if !valid {
                self.bad_number(start);
                return;
            }
            match u64::from_str_radix(&text, radix) {
                Ok(v) if v <= 1 << 63 => self.push(TokenKind::Int(v), start, self.pos),
                _ => self.int_too_large(start),
            }
            return;
        }
        self.digits();
        let mut is_float = false;
        if self.peek() == b'.' && self.peek_at(self.pos + 1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(), b'e' | b'E') {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.pos += 1;
            }
            if self.peek().is_ascii_digit() {
                is_float = true;
                self.digits();
            } else {
                self.pos = save;
            }
        }
        if self.peek().is_ascii_alphanumeric() || self.peek() == b'_' {
            self.bad_number(start);
            return;
        }
        let text: String = self.src[start..self.pos].chars().filter(|c| *c != '_').collect();
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => self.push(TokenKind::Float(v), start, self.pos),
                _ => {
                    let end = self.pos;
                    self.error(codes::FLOAT_OUT_OF_RANGE, "float literal is out of range", start, end).labels[0]
                        .message = "rounds to infinity".into();
                    self.push(TokenKind::Float(0.0), start, end);
                }
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) if v <= 1 << 63 => self.push(TokenKind::Int(v), start, self.pos),
                _ => self.int_too_large(start),
            }
        }
    }

    fn digits(&mut self) {
        while self.pos < self.end && (self.peek().is_ascii_digit() || self.peek() == b'_') {
            self.pos += 1;
        }
    }

    fn bad_number(&mut self, start: usize) {
        while self.pos < self.end && (self.peek().is_ascii_alphanumeric() || self.peek() == b'_' || self.peek() == b'.')
        {
            if self.peek() == b'.' && !self.peek_at(self.pos + 1).is_ascii_digit() {
                break;
            }
            self.pos += 1;
        }
        let end = self.pos;
        let text = self.src[start..end].to_string();
        let diag = self.error(codes::INVALID_NUMBER, format!("invalid numeric literal `{text}`"), start, end);
        diag.labels[0].message = "not a number".into();
        diag.help.push("a number must not run into letters; hex digits need `0x`, binary `0b`, octal `0o`".into());
        self.push(TokenKind::Int(0), start, end);
    }

    fn int_too_large(&mut self, start: usize) {
        let end = self.pos;
        let diag = self.error(codes::INT_OUT_OF_RANGE, "integer literal does not fit in a 64-bit Int", start, end);
        diag.labels[0].message = "larger than 9223372036854775807".into();
        diag.help.push("use a Float literal (with `.0`) for larger magnitudes".into());
        self.push(TokenKind::Int(0), start, end);
    }

    /// Index of the `}` closing an interpolation whose body starts at `from`, counting brackets
    /// and skipping string literals; `None` if not closed before `limit` (or a newline when
    /// `single_line`).
    pub(super) fn interp_end(&self, from: usize, limit: usize, single_line: bool) -> Option<usize> {
        let mut depth = 0i32;
        let mut i = from;
        while i < limit {
            match self.bytes[i] {
                b'\n' if single_line => return None,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' => depth -= 1,
                b'}' => {
                    if depth == 0 {
                        return Some(i);
                    }
                    depth -= 1;
                }
                b'"' => {
                    i = self.skip_string(i, limit)?;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The index just after the string literal starting at `at` (a `"`), interpolations
    /// included.
    pub(super) fn skip_string(&self, at: usize, limit: usize) -> Option<usize> {
        let triple = self.src[at..limit].starts_with("\"\"\"");
        let raw = at > 0 && self.bytes[at - 1] == b'r';
        let mut i = at + if triple { 3 } else { 1 };
        while i < limit {
            match self.bytes[i] {
                b'\\' if !raw => i += 2,
                b'"' if triple => {
                    if self.src[i..limit].starts_with("\"\"\"") {
                        return Some(i + 3);
                    }
                    i += 1;
                }
                b'"' => return Some(i + 1),
                b'\n' if !triple => return None,
                b'{' if !raw && opens_interp(&self.bytes[i + 1..limit]) => {
                    i = self.interp_end(i + 1, limit, !triple)? + 1;
                }
                _ => i += 1,
            }
        }
        None
    }

    /// Splits `{expr:spec}` content at the last depth-0 `:` whose remainder is a format spec.
    pub(super) fn split_spec(&self, start: usize, end: usize) -> (usize, Option<FormatSpec>) {
        let mut colons = Vec::new();
        let mut depth = 0i32;
        let mut i = start;
        while i < end {
            match self.bytes[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'"' => {
                    i = self.skip_string(i, end).unwrap_or(end);
                    continue;
                }
                b':' if depth == 0 => colons.push(i),
                _ => {}
            }
            i += 1;
        }
        // `{x:}`: an empty spec is no spec.
        if let Some(&last) = colons.last()
            && last + 1 == end
        {
            return (last, None);
        }
        for &c in colons.iter().rev() {
            let text = &self.src[c + 1..end];
            if !text.is_empty()
                && let Some(spec) = parse_format_spec(text)
            {
                return (c, Some(spec));
            }
        }
        (end, None)
    }
}

/// Does the text after a `{` start an interpolation (LANGUAGE.md 2.5)?
pub(super) fn opens_interp(rest: &[u8]) -> bool {
    let first = rest.iter().find(|b| **b != b' ');
    matches!(first, Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'(' | b'[' | b'-'))
}

/// Parses `[[fill]align][sign]["#"]["0"][width]["." precision][type]`, all of `text`.
pub fn parse_format_spec(text: &str) -> Option<FormatSpec> {
    let chars: Vec<char> = text.chars().collect();
    let mut spec = FormatSpec { text: text.to_string(), ..FormatSpec::default() };
    let mut i = 0;
    let align_of = |c: char| match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        _ => None,
    };
    if chars.len() >= 2 && align_of(chars[1]).is_some() && chars[0] != '{' && chars[0] != '}' {
        spec.fill = Some(chars[0]);
        spec.align = align_of(chars[1]);
        i = 2;
    } else if let Some(a) = chars.first().and_then(|c| align_of(*c)) {
        spec.align = Some(a);
        i = 1;
    }
    match chars.get(i) {
        Some('+') => {
            spec.sign = Some(Sign::Plus);
            i += 1;
        }
        Some('-') => {
            spec.sign = Some(Sign::Minus);
            i += 1;
        }
        _ => {}
    }
    if chars.get(i) == Some(&'#') {
        spec.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        spec.zero = true;
        i += 1;
    }
    let number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        if *i == start { None } else { chars[start..*i].iter().collect::<String>().parse().ok() }
    };
    spec.width = number(&mut i);
    if chars.get(i) == Some(&'.') {
        i += 1;
        spec.precision = Some(number(&mut i)?);
    }
    if let Some(c) = chars.get(i) {
        spec.ty = Some(match c {
            'd' => FormatType::Decimal,
            'f' => FormatType::Fixed,
            'e' => FormatType::Exp,
            'E' => FormatType::ExpUpper,
            'x' => FormatType::Hex,
            'X' => FormatType::HexUpper,
            'o' => FormatType::Octal,
            'b' => FormatType::Binary,
            's' => FormatType::Str,
            _ => return None,
        });
        i += 1;
    }
    (i == chars.len()).then_some(spec)
}
