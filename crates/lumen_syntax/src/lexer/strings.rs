//! String, raw string, bytes literals and role text (LANGUAGE.md 2.5, 2.6, 3.3.12).

use super::scan::opens_interp;
use super::{Lexer, MAX_INTERP_DEPTH};
use crate::diagnostic::codes;
use crate::span::Span;
use crate::token::{StrPart, TokenKind};

/// Which escapes a piece of literal text understands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escapes {
    /// `"..."` and `"""..."""`: the full escape table, interpolation.
    Full,
    /// Role text: only `\{` and `\}`, interpolation.
    Role,
    /// Raw strings: nothing.
    Raw,
}

fn push_text(parts: &mut Vec<StrPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(StrPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StrPart::Text(text.to_string()));
    }
}

impl<'a> Lexer<'a> {
    pub(super) fn string(&mut self, start: usize) {
        if self.src[start..self.end].starts_with("\"\"\"") {
            return self.triple_string(start, Escapes::Full);
        }
        let mut parts = Vec::new();
        let mut i = start + 1;
        loop {
            if i >= self.end {
                self.error(codes::UNTERMINATED_STRING, "unterminated string literal", start, self.end).labels[0]
                    .message = "the string starts here and is never closed".into();
                break;
            }
            match self.bytes[i] {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\n' => {
                    let diag = self.error(codes::NEWLINE_IN_STRING, "newline in string literal", start, i);
                    diag.labels[0].message = "string not closed on this line".into();
                    diag.help.push("close the string with `\"`, or use `\"\"\"` for multi-line text".into());
                    break;
                }
                _ => {
                    let line_end = self.line_end(i);
                    let stop = self.piece_end(i, line_end);
                    i = self.process(i, stop, &mut parts, Escapes::Full, true);
                }
            }
        }
        self.pos = i;
        self.push(TokenKind::Str(parts), start, i);
    }

    /// End of the plain run starting at `i`: the next unescaped `"` (or `limit`).
    fn piece_end(&self, i: usize, limit: usize) -> usize {
        let mut j = i;
        while j < limit {
            match self.bytes[j] {
                b'\\' => j += 2,
                b'"' => return j,
                b'{' if opens_interp(&self.bytes[j + 1..limit]) => match self.interp_end(j + 1, limit, true) {
                    Some(close) => j = close + 1,
                    None => j += 1,
                },
                _ => j += 1,
            }
        }
        limit.min(j)
    }

    fn triple_string(&mut self, start: usize, escapes: Escapes) {
        let open_len = if escapes == Escapes::Raw { 4 } else { 3 };
        let content_start = start + open_len;
        // Find the closing `"""`, skipping escapes and interpolations.
        let mut i = content_start;
        let mut close = None;
        while i < self.end {
            match self.bytes[i] {
                b'\\' if escapes != Escapes::Raw => i += 2,
                b'"' if self.src[i..self.end].starts_with("\"\"\"") => {
                    close = Some(i);
                    break;
                }
                b'{' if escapes != Escapes::Raw && opens_interp(&self.bytes[i + 1..self.end]) => {
                    match self.interp_end(i + 1, self.end, false) {
                        Some(c) => i = c + 1,
                        None => i += 1,
                    }
                }
                _ => i += 1,
            }
        }
        let Some(close) = close else {
            self.error(codes::UNTERMINATED_STRING, "unterminated triple-quoted string", start, self.end).labels[0]
                .message = "never closed by `\"\"\"`".into();
            self.pos = self.end;
            self.push(TokenKind::Str(Vec::new()), start, self.end);
            return;
        };
        let lines = self.dedented_lines(content_start, close);
        let mut parts = Vec::new();
        for (n, (a, b)) in lines.iter().enumerate() {
            if n > 0 {
                push_text(&mut parts, "\n");
            }
            self.process(*a, *b, &mut parts, escapes, escapes != Escapes::Raw);
        }
        self.pos = close + 3;
        let kind = if escapes == Escapes::Raw {
            TokenKind::RawStr(parts.iter().map(|p| if let StrPart::Text(t) = p { t.as_str() } else { "" }).collect())
        } else {
            TokenKind::Str(parts)
        };
        self.push(kind, start, self.pos);
    }

    /// Steps 1-3 of triple-quoted strings: drop the opener's line break and the closer's line,
    /// then the common indentation. Returns the byte ranges of the remaining lines.
    fn dedented_lines(&self, mut start: usize, mut end: usize) -> Vec<(usize, usize)> {
        let text = &self.src[start..end];
        if let Some(nl) = text.find('\n')
            && text[..nl].bytes().all(|b| b == b' ' || b == b'\r')
        {
            start += nl + 1;
        }
        let text = &self.src[start..end];
        if let Some(nl) = text.rfind('\n')
            && text[nl + 1..].bytes().all(|b| b == b' ')
        {
            end = start + nl;
        } else if text.bytes().all(|b| b == b' ') && start < end && text.contains('\n') {
            end = start;
        }
        let mut lines = Vec::new();
        let mut line_start = start;
        for (i, b) in self.src[start..end].bytes().enumerate() {
            if b == b'\n' {
                lines.push((line_start, start + i));
                line_start = start + i + 1;
            }
        }
        lines.push((line_start, end));
        let common = lines
            .iter()
            .filter(|(a, b)| self.src[*a..*b].trim() != "")
            .map(|(a, b)| self.src[*a..*b].bytes().take_while(|c| *c == b' ').count())
            .min()
            .unwrap_or(0);
        lines
            .into_iter()
            .map(|(a, b)| {
                let strip = self.src[a..b].bytes().take_while(|c| *c == b' ').count().min(common);
                (a + strip, b)
            })
            .collect()
    }

    /// Escapes and interpolations of `start..end` into `parts`; returns where it stopped.
    fn process(&mut self, start: usize, end: usize, parts: &mut Vec<StrPart>, escapes: Escapes, interp: bool) -> usize {
        let mut text = String::new();
        let mut i = start;
        while i < end {
            let c = self.bytes[i];
            if c == b'\\' && escapes != Escapes::Raw {
                let next = self.src[i + 1..].chars().next();
                match (escapes, next) {
                    (Escapes::Role, Some(b @ ('{' | '}'))) => {
                        text.push(b);
                        i += 2;
                    }
                    (Escapes::Role, _) => {
                        text.push('\\');
                        i += 1;
                    }
                    (_, Some(e)) => i = self.escape(i, e, &mut text),
                    (_, None) => {
                        text.push('\\');
                        i += 1;
                    }
                }
                continue;
            }
            if c == b'{' && interp && opens_interp(&self.bytes[i + 1..end]) {
                match self.interp_end(i + 1, end, true) {
                    Some(close) => {
                        push_text(parts, &text);
                        text.clear();
                        parts.push(self.interpolation(i, close));
                        i = close + 1;
                        continue;
                    }
                    None => {
                        self.error(codes::UNTERMINATED_INTERPOLATION, "unterminated interpolation", i, i + 1).labels
                            [0]
                        .message = "this `{` is never closed on its line".into();
                    }
                }
            }
            let ch = self.src[i..].chars().next().unwrap_or('\u{FFFD}');
            text.push(ch);
            i += ch.len_utf8().max(1);
        }
        push_text(parts, &text);
        i
    }

    /// One escape sequence at `i` (the backslash); returns the index after it.
    fn escape(&mut self, i: usize, e: char, text: &mut String) -> usize {
        let simple = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            '{' => Some('{'),
            '}' => Some('}'),
            _ => None,
        };
        if let Some(c) = simple {
            text.push(c);
            return i + 2;
        }
        match e {
            'x' => {
                let hex = self.src.get(i + 2..i + 4).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) if v <= 0x7F && hex.len() == 2 => {
                        text.push(v as char);
                        i + 4
                    }
                    _ => {
                        let end = (i + 4).min(self.end);
                        let end = (i + 2..=end).rev().find(|e| self.src.is_char_boundary(*e)).unwrap_or(i + 2);
                        let diag = self.error(codes::INVALID_ESCAPE_VALUE, "invalid `\\x` escape", i, end);
                        diag.help.push("`\\xHH` takes two hex digits up to `7F`; use `\\u{...}` beyond ASCII".into());
                        end
                    }
                }
            }
            'u' => {
                let rest = &self.src[i + 2..self.end];
                let close = rest.find('}');
                let valid = rest.starts_with('{') && close.is_some_and(|c| (2..=7).contains(&c));
                if let (true, Some(c)) = (valid, close) {
                    let digits = &rest[1..c];
                    if let Some(ch) = u32::from_str_radix(digits, 16).ok().and_then(char::from_u32) {
                        text.push(ch);
                        return i + 2 + c + 1;
                    }
                }
                let end = match close {
                    Some(c) if c < 12 => i + 2 + c + 1,
                    _ => i + 2,
                };
                let diag = self.error(codes::INVALID_ESCAPE_VALUE, "invalid `\\u{...}` escape", i, end);
                diag.help.push("write 1 to 6 hex digits of a Unicode scalar value, e.g. `\\u{1F600}`".into());
                end
            }
            other => {
                let end = i + 1 + other.len_utf8();
                let diag =
                    self.error(codes::UNKNOWN_ESCAPE, format!("unknown escape `\\{}`", other.escape_debug()), i, end);
                diag.labels[0].message = "not a valid escape".into();
                diag.help.push(
                    "valid escapes: \\n \\t \\r \\0 \\\\ \\\" \\{ \\} \\xHH \\u{H...}; use r\"...\" for raw text"
                        .into(),
                );
                end
            }
        }
    }

    /// Lexes the interpolation `{...}` whose braces are at `open` and `close`.
    fn interpolation(&mut self, open: usize, close: usize) -> StrPart {
        let span = Span::new(open, close + 1);
        let (expr_end, spec) = self.split_spec(open + 1, close);
        if self.interp_depth + 1 > MAX_INTERP_DEPTH {
            self.error(codes::UNTERMINATED_INTERPOLATION, "interpolations are nested too deeply", open, close + 1);
            return StrPart::Interp { tokens: vec![eof(close)], spec, span };
        }
        let mut sub = Lexer::new(self.src, open + 1, expr_end, self.interp_depth + 1);
        sub.indent = self.indent;
        sub.at_line_start = false;
        sub.run();
        self.diags.append(&mut sub.diags);
        let mut tokens: Vec<_> = sub.tokens.into_iter().filter(|t| t.kind != TokenKind::Newline).collect();
        if let Some(last) = tokens.last_mut() {
            last.span = Span::new(expr_end, expr_end);
        }
        StrPart::Interp { tokens, spec, span }
    }

    pub(super) fn raw_string(&mut self, start: usize) {
        let quote = self.pos;
        if self.src[quote..self.end].starts_with("\"\"\"") {
            return self.triple_string(start, Escapes::Raw);
        }
        let line_end = self.line_end(quote);
        match self.src[quote + 1..line_end].find('"') {
            Some(rel) => {
                let close = quote + 1 + rel;
                let text = self.src[quote + 1..close].to_string();
                self.pos = close + 1;
                self.push(TokenKind::RawStr(text), start, self.pos);
            }
            None => {
                self.error(codes::UNTERMINATED_STRING, "unterminated raw string", start, line_end).labels[0].message =
                    "a raw string ends at the next `\"` on the same line".into();
                self.pos = line_end;
                self.push(TokenKind::RawStr(String::new()), start, line_end);
            }
        }
    }

    pub(super) fn bytes_literal(&mut self, start: usize) {
        let quote = self.pos;
        let line_end = self.line_end(quote);
        let Some(rel) = self.src[quote + 1..line_end].find('"') else {
            self.error(codes::UNTERMINATED_STRING, "unterminated bytes literal", start, line_end);
            self.pos = line_end;
            self.push(TokenKind::Bytes(Vec::new()), start, line_end);
            return;
        };
        let close = quote + 1 + rel;
        let digits = &self.src[quote + 1..close];
        self.pos = close + 1;
        let valid = digits.len().is_multiple_of(2) && digits.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            let diag = self.error(codes::INVALID_BYTES, "invalid bytes literal", start, close + 1);
            diag.labels[0].message = "expected an even number of hex digits".into();
            diag.help.push("write two hex digits per byte, e.g. b\"cafe\"".into());
            self.push(TokenKind::Bytes(Vec::new()), start, close + 1);
            return;
        }
        let bytes =
            (0..digits.len()).step_by(2).filter_map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok()).collect();
        self.push(TokenKind::Bytes(bytes), start, close + 1);
    }

    /// Raw text after `role NAME:`: the rest of the line, or the following lines up to `end`.
    pub(super) fn role_text(&mut self) {
        let colon_end = self.pos;
        let line_end = self.line_end(colon_end);
        let rest = &self.src[colon_end..line_end];
        let trimmed = rest.trim();
        if !trimmed.is_empty() {
            let lead = rest.len() - rest.trim_start().len();
            let a = colon_end + lead;
            let b = a + trimmed.len();
            let mut parts = Vec::new();
            self.process(a, b, &mut parts, Escapes::Role, true);
            self.pos = line_end;
            self.push(TokenKind::RoleText(parts), a, b);
            return;
        }
        let role_indent = self.indent;
        let mut lines = Vec::new();
        let mut cursor = (line_end + 1).min(self.end);
        let mut closed_at = None;
        while cursor < self.end {
            let le = self.line_end(cursor);
            let line = &self.src[cursor..le];
            let indent = line.bytes().take_while(|b| *b == b' ' || *b == b'\t').count() as u32;
            if line.trim() == "end" && indent <= role_indent {
                closed_at = Some(le);
                break;
            }
            lines.push((cursor, le));
            cursor = le + 1;
        }
        let Some(end) = closed_at else {
            let diag = self.error(
                codes::UNTERMINATED_ROLE_TEXT,
                "unterminated role text",
                colon_end.saturating_sub(1),
                colon_end,
            );
            diag.labels[0].message = "the text after this `:` needs a closing `end`".into();
            diag.help.push("close multi-line role text with `end` on its own line".into());
            self.push(TokenKind::RoleText(Vec::new()), colon_end, colon_end);
            return;
        };
        let common = lines
            .iter()
            .filter(|(a, b)| !self.src[*a..*b].trim().is_empty())
            .map(|(a, b)| self.src[*a..*b].bytes().take_while(|c| *c == b' ' || *c == b'\t').count())
            .min()
            .unwrap_or(0);
        let mut parts = Vec::new();
        for (n, (a, b)) in lines.iter().enumerate() {
            if n > 0 {
                push_text(&mut parts, "\n");
            }
            let strip = self.src[*a..*b].bytes().take_while(|c| *c == b' ' || *c == b'\t').count().min(common);
            self.process(a + strip, *b, &mut parts, Escapes::Role, true);
        }
        self.pos = end;
        self.push(TokenKind::RoleText(parts), colon_end, end);
    }
}

fn eof(at: usize) -> crate::token::Token {
    crate::token::Token { kind: TokenKind::Eof, span: Span::new(at, at), indent: 0 }
}
