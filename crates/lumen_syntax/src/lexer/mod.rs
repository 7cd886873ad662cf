//! The lexer: source text to tokens (LANGUAGE.md §2).
//!
//! Newlines become `Newline` tokens (one per line that holds tokens); the parser decides where
//! they are significant. Every token carries the indentation of the line it starts on. String
//! interpolations are lexed recursively into nested token lists with absolute spans.

mod scan;
mod strings;
#[cfg(test)]
mod tests;

use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, Token, TokenKind};

/// Everything the lexer produces for one source text.
#[derive(Clone, Debug, Default)]
pub struct LexOutput {
    /// Always ends with exactly one `Eof` token.
    pub tokens: Vec<Token>,
    /// Markdown blocks of raw files (LANGUAGE.md 1.2), in source order.
    pub docs: Vec<DocBlock>,
    /// `#` comments, in source order (the formatter keeps them).
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A markdown block (```` ``` ... ``` ````) in a raw file. It is the docstring of the declaration
/// that starts at `tokens[next_token]` when only blank lines or comments separate them.
#[derive(Clone, Debug, PartialEq)]
pub struct DocBlock {
    /// The whole block, fences included.
    pub span: Span,
    /// The text between the fences, verbatim.
    pub text: String,
    /// Index of the first non-`Newline` token after the block.
    pub next_token: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// From `#` to the end of the line (newline excluded).
    pub span: Span,
}

/// Deepest nesting of interpolations inside interpolations.
const MAX_INTERP_DEPTH: u32 = 32;

/// Lexes `code` (a raw source, or a markdown file with its prose blanked out).
pub fn lex(code: &str) -> LexOutput {
    let mut lexer = Lexer::new(code, 0, code.len(), 0);
    lexer.run();
    LexOutput { tokens: lexer.tokens, docs: lexer.docs, comments: lexer.comments, diagnostics: lexer.diags }
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    tokens: Vec<Token>,
    docs: Vec<DocBlock>,
    comments: Vec<Comment>,
    diags: Vec<Diagnostic>,
    /// Indentation of the current physical line.
    indent: u32,
    line_has_tokens: bool,
    at_line_start: bool,
    /// `(`/`[`/`{` nesting, for role text.
    brackets: i32,
    /// Docs waiting for the next token's index.
    pending_docs: Vec<usize>,
    interp_depth: u32,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, start: usize, end: usize, interp_depth: u32) -> Lexer<'a> {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: start,
            end,
            tokens: Vec::new(),
            docs: Vec::new(),
            comments: Vec::new(),
            diags: Vec::new(),
            indent: 0,
            line_has_tokens: false,
            at_line_start: true,
            brackets: 0,
            pending_docs: Vec::new(),
            interp_depth,
        }
    }

    fn peek(&self) -> u8 {
        if self.pos < self.end { self.bytes[self.pos] } else { 0 }
    }

    fn peek_at(&self, i: usize) -> u8 {
        if i < self.end { self.bytes[i] } else { 0 }
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>, start: usize, end: usize) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, message, Span::new(start, end)));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        if kind != TokenKind::Newline {
            for doc in self.pending_docs.drain(..) {
                self.docs[doc].next_token = self.tokens.len();
            }
            self.line_has_tokens = true;
        }
        self.tokens.push(Token { kind, span: Span::new(start, end), indent: self.indent });
    }

    fn push_newline(&mut self, start: usize, end: usize) {
        if self.tokens.last().is_some_and(|t| t.kind != TokenKind::Newline) {
            self.tokens.push(Token { kind: TokenKind::Newline, span: Span::new(start, end), indent: self.indent });
        }
    }

    fn run(&mut self) {
        while self.pos < self.end {
            if self.at_line_start {
                self.at_line_start = false;
                if self.start_line() || self.pos >= self.end {
                    continue;
                }
            }
            let c = self.peek();
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    if self.line_has_tokens {
                        self.push_newline(self.pos, self.pos + 1);
                    }
                    self.line_has_tokens = false;
                    self.pos += 1;
                    self.at_line_start = true;
                }
                b'#' => self.comment(),
                b'\\' => self.backslash(),
                b'"' => self.string(self.pos),
                b'0'..=b'9' => self.number(),
                b'A'..=b'Z' | b'a'..=b'z' | b'_' => self.ident_or_prefixed(),
                _ => self.punct(),
            }
        }
        if self.line_has_tokens {
            self.push_newline(self.end, self.end);
        }
        for doc in self.pending_docs.drain(..) {
            self.docs[doc].next_token = self.tokens.len();
        }
        self.tokens.push(Token { kind: TokenKind::Eof, span: Span::new(self.end, self.end), indent: 0 });
    }

    /// Measures the indentation of a new line and handles markdown blocks. Returns true when
    /// the whole line was consumed.
    fn start_line(&mut self) -> bool {
        let line_start = self.pos;
        let mut indent = 0u32;
        while self.pos < self.end {
            match self.peek() {
                b' ' => indent += 1,
                b'\t' => indent += 2,
                _ => break,
            }
            self.pos += 1;
        }
        if self.peek() == b'`' && self.peek_at(self.pos + 1) == b'`' && self.peek_at(self.pos + 2) == b'`' {
            self.markdown_block(line_start);
            return true;
        }
        match self.peek() {
            b'\n' | b'#' | b'\r' | 0 => {}
            _ => self.indent = indent,
        }
        false
    }

    fn comment(&mut self) {
        let start = self.pos;
        while self.pos < self.end && self.peek() != b'\n' {
            self.pos += 1;
        }
        self.comments.push(Comment { span: Span::new(start, self.pos) });
    }

    /// `\` at the end of a line continues the logical line.
    fn backslash(&mut self) {
        let start = self.pos;
        let mut i = self.pos + 1;
        while i < self.end && matches!(self.bytes[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        if i >= self.end || self.bytes[i] == b'\n' {
            self.pos = (i + 1).min(self.end);
            self.at_line_start = true;
            // The next line's tokens still belong to this logical line.
            return;
        }
        self.pos += 1;
        self.error(codes::UNEXPECTED_CHAR, "unexpected `\\`", start, start + 1).labels[0].message =
            "a backslash continues a line only at its end".into();
    }

    fn markdown_block(&mut self, line_start: usize) {
        let fence_start = self.pos;
        let mut n = 0;
        while self.peek() == b'`' {
            n += 1;
            self.pos += 1;
        }
        let opener_end = self.line_end(self.pos);
        let mut cursor = (opener_end + 1).min(self.end);
        let content_start = cursor;
        loop {
            if cursor >= self.end {
                self.error(
                    codes::UNTERMINATED_MARKDOWN_BLOCK,
                    "unterminated markdown block",
                    fence_start,
                    opener_end,
                )
                .labels[0]
                    .message = format!("this block is never closed by {n} backticks");
                let text = self.src[content_start.min(self.end)..self.end].to_string();
                self.docs.push(DocBlock { span: Span::new(line_start, self.end), text, next_token: 0 });
                self.pos = self.end;
                return;
            }
            let line_end = self.line_end(cursor);
            let trimmed = self.src[cursor..line_end].trim_start();
            if trimmed.bytes().take_while(|b| *b == b'`').count() >= n {
                let text = self.src[content_start..cursor].to_string();
                let doc = self.docs.len();
                self.docs.push(DocBlock { span: Span::new(line_start, line_end), text, next_token: 0 });
                self.pending_docs.push(doc);
                self.pos = line_end;
                return;
            }
            cursor = (line_end + 1).min(self.end);
        }
    }

    pub(crate) fn line_end(&self, from: usize) -> usize {
        self.src[from.min(self.end)..self.end].find('\n').map_or(self.end, |i| from + i)
    }

    fn ident_or_prefixed(&mut self) {
        let start = self.pos;
        while self.pos < self.end && (self.peek().is_ascii_alphanumeric() || self.peek() == b'_') {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        if self.peek() == b'"' {
            match word {
                "r" => return self.raw_string(start),
                "b" => return self.bytes_literal(start),
                _ => {}
            }
        }
        let kind = match Keyword::from_word(word) {
            Some(kw) => TokenKind::Kw(kw),
            None => TokenKind::Ident(word.to_string()),
        };
        self.push(kind, start, self.pos);
    }

    fn punct(&mut self) {
        let start = self.pos;
        let rest = &self.bytes[self.pos..self.end];
        let starts = |p: &[u8]| rest.starts_with(p);
        use TokenKind as T;
        let (kind, len) = if starts(b"...") {
            (T::Ellipsis, 3)
        } else if starts(b"..=") {
            (T::DotDotEq, 3)
        } else if starts(b"//=") {
            (T::SlashSlashEq, 3)
        } else if starts(b"**=") {
            (T::StarStarEq, 3)
        } else if starts(b"<<=") {
            (T::ShlEq, 3)
        } else if starts(b">>=") {
            (T::ShrEq, 3)
        } else if let Some(kind) = two_char(rest) {
            (kind, 2)
        } else if let Some(kind) = one_char(rest[0]) {
            (kind, 1)
        } else {
            let c = self.src[start..].chars().next().unwrap_or('?');
            self.pos += c.len_utf8().max(1);
            let what = if c == '`' { "a backtick".to_string() } else { format!("`{}`", c.escape_debug()) };
            self.error(codes::UNEXPECTED_CHAR, format!("unexpected character {what}"), start, self.pos).labels[0]
                .message = "not part of Lumen's syntax here".into();
            return;
        };
        self.pos += len;
        match kind {
            T::LParen | T::LBracket | T::LBrace | T::QuestionBracket => self.brackets += 1,
            T::RParen | T::RBracket | T::RBrace => self.brackets -= 1,
            _ => {}
        }
        if kind == T::Semi {
            if self.line_has_tokens {
                self.push_newline(start, self.pos);
            }
            return;
        }
        let is_colon = kind == T::Colon;
        self.push(kind, start, self.pos);
        if is_colon && self.brackets <= 0 && self.after_role_header() {
            self.role_text();
        }
    }

    /// The last tokens are `role NAME :`.
    fn after_role_header(&self) -> bool {
        let n = self.tokens.len();
        n >= 3
            && self.tokens[n - 3].kind == TokenKind::Kw(Keyword::Role)
            && matches!(self.tokens[n - 2].kind, TokenKind::Ident(_))
    }
}

fn two_char(rest: &[u8]) -> Option<TokenKind> {
    use TokenKind as T;
    if rest.len() < 2 {
        return None;
    }
    Some(match &rest[..2] {
        b"**" => T::StarStar,
        b"//" => T::SlashSlash,
        b"==" => T::EqEq,
        b"!=" => T::NotEq,
        b"<=" => T::Le,
        b">=" => T::Ge,
        b"->" => T::Arrow,
        b"=>" => T::FatArrow,
        b"+=" => T::PlusEq,
        b"-=" => T::MinusEq,
        b"*=" => T::StarEq,
        b"/=" => T::SlashEq,
        b"%=" => T::PercentEq,
        b"&=" => T::AmpEq,
        b"|=" => T::PipeEq,
        b"^=" => T::CaretEq,
        b"<<" => T::Shl,
        b">>" => T::Shr,
        b"++" => T::PlusPlus,
        b"|>" => T::PipeGt,
        b"~>" => T::TildeGt,
        b"??" => T::QuestionQuestion,
        b"?." => T::QuestionDot,
        b"?[" => T::QuestionBracket,
        b".." => T::DotDot,
        _ => return None,
    })
}

fn one_char(c: u8) -> Option<TokenKind> {
    use TokenKind as T;
    Some(match c {
        b'+' => T::Plus,
        b'-' => T::Minus,
        b'*' => T::Star,
        b'/' => T::Slash,
        b'%' => T::Percent,
        b'<' => T::Lt,
        b'>' => T::Gt,
        b'=' => T::Eq,
        b'.' => T::Dot,
        b',' => T::Comma,
        b':' => T::Colon,
        b';' => T::Semi,
        b'@' => T::At,
        b'&' => T::Amp,
        b'|' => T::Pipe,
        b'^' => T::Caret,
        b'~' => T::Tilde,
        b'?' => T::Question,
        b'!' => T::Bang,
        b'(' => T::LParen,
        b')' => T::RParen,
        b'[' => T::LBracket,
        b']' => T::RBracket,
        b'{' => T::LBrace,
        b'}' => T::RBrace,
        _ => return None,
    })
}
