//! What the AST does not hold: comments, markdown blocks, blank lines and token positions.
//!
//! Comments (`#`) and markdown blocks of raw files are collected from a lexer run over the same
//! source, in source order. The printer consumes them front to back through a cursor; a block
//! that could not place a comment restores the cursor and prints its source instead, so nothing
//! is ever dropped.

use lumen_syntax::Span;
use lumen_syntax::lexer::LexOutput;
use lumen_syntax::token::{Token, TokenKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriviaKind {
    /// `# ...` to the end of the line.
    Comment,
    /// A markdown block (docstring or prose), fences included, whole lines.
    Block,
}

#[derive(Clone, Copy, Debug)]
pub struct Trivia {
    pub kind: TriviaKind,
    pub span: Span,
}

/// The source with its tokens and trivia, and the trivia cursor.
pub struct Source<'a> {
    pub text: &'a str,
    /// Significant tokens (no `Newline`, no `Eof`), in source order.
    tokens: Vec<&'a Token>,
    pub trivia: Vec<Trivia>,
    /// Index of the first trivia not yet printed.
    pub next: usize,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, lexed: &'a LexOutput) -> Source<'a> {
        let tokens = lexed.tokens.iter().filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Eof)).collect();
        let mut trivia: Vec<Trivia> = lexed
            .comments
            .iter()
            .map(|c| Trivia { kind: TriviaKind::Comment, span: c.span })
            .chain(lexed.docs.iter().map(|d| Trivia { kind: TriviaKind::Block, span: d.span }))
            .collect();
        trivia.sort_by_key(|t| t.span.start);
        Source { text, tokens, trivia, next: 0 }
    }

    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The text of a trivia item as printed: comments lose trailing blanks.
    pub fn trivia_text(&self, t: &Trivia) -> &'a str {
        let s = self.slice(t.span);
        match t.kind {
            TriviaKind::Comment => s.trim_end(),
            TriviaKind::Block => s,
        }
    }

    /// The first significant token starting at or after `pos`.
    pub fn token_at_or_after(&self, pos: u32) -> Option<&'a Token> {
        let i = self.tokens.partition_point(|t| t.span.start < pos);
        self.tokens.get(i).copied()
    }

    /// The last significant token ending at or before `pos`.
    pub fn token_before(&self, pos: u32) -> Option<&'a Token> {
        let i = self.tokens.partition_point(|t| t.span.end <= pos);
        i.checked_sub(1).and_then(|i| self.tokens.get(i).copied())
    }

    /// Start of the first token at or after `pos` (or `fallback` when there is none).
    pub fn next_token_start(&self, pos: u32, fallback: u32) -> u32 {
        self.token_at_or_after(pos).map_or(fallback, |t| t.span.start)
    }

    /// Whether a newline separates `a` from `b` (`a <= b`).
    pub fn newline_between(&self, a: u32, b: u32) -> bool {
        self.text.get(a as usize..b as usize).is_some_and(|s| s.contains('\n'))
    }

    /// Byte offset of the start of the line holding `pos`.
    pub fn line_start(&self, pos: u32) -> usize {
        let pos = (pos as usize).min(self.text.len());
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Whether only blanks precede `pos` on its line.
    pub fn starts_line(&self, pos: u32) -> bool {
        let start = self.line_start(pos);
        self.text[start..(pos as usize).min(self.text.len())].bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// Leading spaces of the line holding `pos` (a tab counts as one column here).
    pub fn indent_of_line(&self, pos: u32) -> usize {
        let start = self.line_start(pos);
        self.text[start..].bytes().take_while(|b| *b == b' ' || *b == b'\t').count()
    }

    /// Whether `pos` starts its line and the line above it is blank.
    pub fn blank_line_before(&self, pos: u32) -> bool {
        if !self.starts_line(pos) {
            return false;
        }
        let start = self.line_start(pos);
        if start == 0 {
            return false;
        }
        let prev_start = self.text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        self.text[prev_start..start - 1].trim().is_empty()
    }

    /// The next unprinted trivia, if it starts before `pos`.
    pub fn peek_before(&self, pos: u32) -> Option<Trivia> {
        self.trivia.get(self.next).copied().filter(|t| t.span.start < pos)
    }

    /// The next unprinted trivia when it is a comment on the same line as `pos`, after it.
    pub fn take_trailing(&mut self, pos: u32) -> Option<Trivia> {
        let t = self.trivia.get(self.next).copied()?;
        if t.kind != TriviaKind::Comment || t.span.start < pos || self.newline_between(pos, t.span.start) {
            return None;
        }
        self.next += 1;
        Some(t)
    }

    /// Marks every trivia starting before `pos` as printed (their text is printed by the caller).
    pub fn consume_until(&mut self, pos: u32) {
        while self.trivia.get(self.next).is_some_and(|t| t.span.start < pos) {
            self.next += 1;
        }
    }

    /// 0-based numbers of the lines of `span`'s text (after its first line) that start inside a
    /// string literal or a markdown block: shifting them would change the program or its docs.
    pub fn fixed_lines(&self, span: Span) -> Vec<usize> {
        let text = self.slice(span);
        let mut fixed = Vec::new();
        let mut line = 0;
        for (i, b) in text.bytes().enumerate() {
            if b != b'\n' {
                continue;
            }
            line += 1;
            let pos = span.start + i as u32 + 1;
            let i = self.tokens.partition_point(|t| t.span.start < pos);
            let in_string = i
                .checked_sub(1)
                .and_then(|i| self.tokens.get(i))
                .is_some_and(|t| matches!(t.kind, TokenKind::Str(_) | TokenKind::RawStr(_)) && pos < t.span.end);
            let in_block =
                self.trivia.iter().any(|t| t.kind == TriviaKind::Block && t.span.start < pos && pos <= t.span.end);
            if in_string || in_block {
                fixed.push(line);
            }
        }
        fixed
    }
}
