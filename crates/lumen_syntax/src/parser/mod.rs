//! Recursive-descent parser with Pratt expressions (LANGUAGE.md §3).
//!
//! The parser works on the lexer's token vector. Newlines are significant at statement level and
//! insignificant inside brackets, except inside block constructs opened within brackets; a stack of
//! layout modes tracks this. Errors are recorded and parsing resumes at the next line or `end`, so
//! one run reports every syntax error of a file. The parser never panics and always makes progress.

mod control;
mod expr;
mod items;
mod pattern;
mod primary;
mod process;
mod stmt;
mod types;

use crate::ast::{Ident, Module};
use crate::diagnostic::{Diagnostic, codes};
use crate::lexer::{Comment, DocBlock, LexOutput};
use crate::span::Span;
use crate::token::{Keyword, Token, TokenKind};

/// Deepest nesting of expressions, blocks, types and patterns the parser accepts.
const MAX_DEPTH: u32 = 256;
/// Diagnostics beyond this many per file are dropped (the count is reported).
const MAX_DIAGNOSTICS: usize = 200;

/// The result of parsing one source text.
#[derive(Clone, Debug)]
pub struct ParseOutput {
    pub module: Module,
    pub diagnostics: Vec<Diagnostic>,
    pub comments: Vec<Comment>,
}

impl ParseOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses the code of one file (raw text, or markdown with prose blanked out).
pub fn parse_code(code: &str) -> ParseOutput {
    let LexOutput { tokens, docs, comments, diagnostics } = crate::lexer::lex(code);
    let mut parser = Parser::new(code, &tokens, &docs);
    parser.diags = diagnostics;
    let module = parser.parse_module();
    let mut diagnostics = parser.diags;
    if diagnostics.len() > MAX_DIAGNOSTICS {
        let dropped = diagnostics.len() - MAX_DIAGNOSTICS;
        diagnostics.truncate(MAX_DIAGNOSTICS);
        let span = diagnostics[MAX_DIAGNOSTICS - 1].primary_span();
        diagnostics.push(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, format!("{dropped} more syntax errors not shown"), span)
                .with_help("fix the errors above first"),
        );
    }
    ParseOutput { module, diagnostics, comments }
}

/// An open block, remembered for "missing `end`" diagnostics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenBlock {
    keyword: &'static str,
    span: Span,
    indent: u32,
}

/// A block whose closing `end` was indented differently from its opening line: the likely
/// place of a missing `end` when the file ends with blocks still open.
#[derive(Clone, Copy, Debug)]
struct MisalignedEnd {
    block: OpenBlock,
    end_span: Span,
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    docs: &'a [DocBlock],
    pub(crate) diags: Vec<Diagnostic>,
    line_starts: Vec<u32>,
    /// Layout modes: `true` means newlines are insignificant (inside brackets).
    newline_modes: Vec<bool>,
    /// Indentation of the first line of the statement being parsed (leading-operator continuation).
    stmt_indent: u32,
    open_blocks: Vec<OpenBlock>,
    misaligned: Option<MisalignedEnd>,
    depth: u32,
    /// Set once the nesting limit was hit: the rest of the file is skipped.
    abandoned: bool,
    eof_reported: bool,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, tokens: &'a [Token], docs: &'a [DocBlock]) -> Parser<'a> {
        let mut line_starts = vec![0u32];
        line_starts.extend(src.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u32 + 1));
        Parser {
            src,
            tokens,
            pos: 0,
            docs,
            diags: Vec::new(),
            line_starts,
            newline_modes: Vec::new(),
            stmt_indent: 0,
            open_blocks: Vec::new(),
            misaligned: None,
            depth: 0,
            abandoned: false,
            eof_reported: false,
        }
    }

    // ----- token cursor -----

    fn newlines_ignored(&self) -> bool {
        self.newline_modes.last().copied().unwrap_or(false)
    }

    /// Skips insignificant newlines; afterwards `tokens[pos]` is the current token.
    fn sync(&mut self) {
        if self.newlines_ignored() {
            while self.tokens[self.pos].kind == TokenKind::Newline {
                self.pos += 1;
            }
        }
    }

    fn tok(&mut self) -> &'a Token {
        self.sync();
        &self.tokens[self.pos]
    }

    fn peek(&mut self) -> &'a TokenKind {
        &self.tok().kind
    }

    fn span(&mut self) -> Span {
        self.tok().span
    }

    /// The token after the current one (newline handling as for the current one).
    fn peek_nth(&mut self, n: usize) -> &'a TokenKind {
        self.sync();
        let ignore = self.newlines_ignored();
        let mut i = self.pos;
        let mut left = n;
        while left > 0 && i + 1 < self.tokens.len() {
            i += 1;
            if ignore && self.tokens[i].kind == TokenKind::Newline {
                continue;
            }
            left -= 1;
        }
        &self.tokens[i].kind
    }

    fn at(&mut self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_kw(&mut self, kw: Keyword) -> bool {
        matches!(self.peek(), TokenKind::Kw(k) if *k == kw)
    }

    /// Is the current token the identifier `word` (a contextual keyword)?
    fn at_word(&mut self, word: &str) -> bool {
        matches!(self.peek(), TokenKind::Ident(name) if name == word)
    }

    fn at_eof(&mut self) -> bool {
        self.at(&TokenKind::Eof)
    }

    fn bump(&mut self) -> &'a Token {
        self.sync();
        let tok = &self.tokens[self.pos];
        if tok.kind != TokenKind::Eof {
            self.pos += 1;
        }
        tok
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: Keyword) -> bool {
        if self.at_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The span of the last token before the current one that is not a newline.
    fn prev_significant_span(&self) -> Span {
        self.tokens[..self.pos].iter().rev().find(|t| t.kind != TokenKind::Newline).map_or(Span::DUMMY, |t| t.span)
    }

    /// The span of the previous token.
    fn prev_span(&self) -> Span {
        if self.pos == 0 { Span::DUMMY } else { self.tokens[self.pos - 1].span }
    }

    fn skip_newlines(&mut self) {
        while self.tokens[self.pos].kind == TokenKind::Newline {
            self.pos += 1;
        }
    }

    /// Runs `f` with newlines insignificant (inside brackets).
    fn in_brackets<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.newline_modes.push(true);
        let out = f(self);
        self.newline_modes.pop();
        out
    }

    /// Runs `f` with newlines significant (a block construct, possibly inside brackets).
    fn in_lines<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.newline_modes.push(false);
        let out = f(self);
        self.newline_modes.pop();
        out
    }

    // ----- errors -----

    pub(crate) fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1] as usize;
        let end = (offset as usize).min(self.src.len());
        let col = self.src.get(start..end).map_or(end - start, |s| s.chars().count()) + 1;
        (line as u32, col as u32)
    }

    fn pos_text(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.start);
        format!("{line}:{col}")
    }

    fn error(&mut self, diag: Diagnostic) {
        if !self.abandoned {
            self.diags.push(diag);
        }
    }

    /// "expected X, found Y" at the current token.
    fn error_expected(&mut self, what: &str) {
        let tok = self.tok();
        let found = tok.kind.describe();
        let span = tok.span;
        self.error(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, format!("expected {what}, found {found}"), span)
                .with_label(format!("expected {what}")),
        );
    }

    fn expect(&mut self, kind: &TokenKind, what: &str) -> bool {
        if self.eat(kind) {
            true
        } else {
            self.error_expected(what);
            false
        }
    }

    fn expect_kw(&mut self, kw: Keyword) -> bool {
        if self.eat_kw(kw) {
            true
        } else {
            self.error_expected(&format!("`{}`", kw.as_str()));
            false
        }
    }

    /// An identifier (not a reserved word).
    fn expect_ident(&mut self, what: &str) -> Option<Ident> {
        let tok = self.tok();
        if let TokenKind::Ident(name) = &tok.kind {
            self.bump();
            Some(Ident { name: name.clone(), span: tok.span })
        } else {
            if let TokenKind::Kw(kw) = &tok.kind {
                let span = tok.span;
                self.error(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        format!("expected {what}, found reserved word `{}`", kw.as_str()),
                        span,
                    )
                    .with_label("reserved word")
                    .with_help(format!("`{}` is reserved and cannot be used as a name here", kw.as_str())),
                );
            } else {
                self.error_expected(what);
            }
            None
        }
    }

    /// A name in field position: identifiers and reserved words alike.
    fn field_name(&mut self) -> Option<Ident> {
        let tok = self.tok();
        let name = match &tok.kind {
            TokenKind::Ident(name) => name.clone(),
            TokenKind::Kw(kw) => kw.as_str().to_string(),
            _ => return None,
        };
        self.bump();
        Some(Ident { name, span: tok.span })
    }

    fn expect_field_name(&mut self, what: &str) -> Option<Ident> {
        let name = self.field_name();
        if name.is_none() {
            self.error_expected(what);
        }
        name
    }

    /// Skips the rest of a malformed line: up to and including the next newline at bracket depth
    /// 0, or up to (not including) an `end` at depth 0 or the end of the file.
    fn recover_line(&mut self) {
        let mut depth = 0usize;
        loop {
            let kind = &self.tokens[self.pos].kind;
            match kind {
                TokenKind::Eof => return,
                TokenKind::Newline if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                TokenKind::Kw(Keyword::End) if depth == 0 => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace | TokenKind::QuestionBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Expects the end of a statement or declaration line.
    fn expect_line_end(&mut self) {
        if self.pos > 0 && self.tokens[self.pos - 1].kind == TokenKind::Newline {
            return;
        }
        match self.tokens[self.pos].kind {
            TokenKind::Newline => self.pos += 1,
            TokenKind::Eof | TokenKind::Kw(Keyword::End) => {}
            // `else`, `with` and `)` may legitimately follow a one-line body.
            TokenKind::Kw(Keyword::Else) | TokenKind::Kw(Keyword::With) => {}
            _ => {
                if self.newlines_ignored() {
                    return;
                }
                self.error_expected("end of line");
                self.recover_line();
            }
        }
    }

    // ----- depth guard -----

    /// Enters one level of nesting; `false` once the limit is exceeded (the file is abandoned).
    fn enter(&mut self) -> bool {
        if self.abandoned {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.span();
            self.error(
                Diagnostic::error(
                    codes::NESTING_TOO_DEEP,
                    format!("nesting is too deep (more than {MAX_DEPTH} levels)"),
                    span,
                )
                .with_label("the parser stops here")
                .with_help("split the expression into smaller parts with `let`"),
            );
            self.abandoned = true;
            self.pos = self.tokens.len() - 1;
            return false;
        }
        true
    }

    /// Runs `f` on a larger stack segment when the current one runs low, so deep (but legal)
    /// nesting never overflows the native stack.
    fn grow<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || f(self))
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ----- blocks and `end` -----

    /// Opens a block started by the token `opener` (`cell`, `if`, ...).
    fn open_block(&mut self, keyword: &'static str, opener: &Token) -> OpenBlock {
        let block = OpenBlock { keyword, span: opener.span, indent: opener.indent };
        self.open_blocks.push(block);
        block
    }

    /// Consumes the `end` closing `block`, or reports it missing.
    fn close_block(&mut self, block: OpenBlock) -> Span {
        self.open_blocks.pop();
        let tok = self.tok();
        if tok.kind == TokenKind::Kw(Keyword::End) {
            if tok.indent != block.indent && self.misaligned.is_none() {
                self.misaligned = Some(MisalignedEnd { block, end_span: tok.span });
            }
            self.bump();
            return tok.span;
        }
        if tok.kind == TokenKind::Eof {
            self.report_missing_end(block);
        } else {
            let found = tok.kind.describe();
            let span = tok.span;
            let opened = self.pos_text(block.span);
            self.error(
                Diagnostic::error(
                    codes::MISSING_END,
                    format!("expected `end` to close the `{}` opened at {opened}, found {found}", block.keyword),
                    span,
                )
                .with_label("expected `end`")
                .with_secondary(block.span, format!("`{}` opened here", block.keyword))
                .with_help(format!("add `end` to close the `{}` opened at {opened}", block.keyword)),
            );
        }
        self.prev_span()
    }

    /// Reports one "missing `end`" error for the whole file, blaming the most likely block.
    fn report_missing_end(&mut self, block: OpenBlock) {
        if self.eof_reported {
            return;
        }
        self.eof_reported = true;
        let eof = self.tokens[self.tokens.len() - 1].span;
        if let Some(m) = self.misaligned {
            let opened = self.pos_text(m.block.span);
            let end_at = self.pos_text(m.end_span);
            let kw = m.block.keyword;
            self.error(
                Diagnostic::error(codes::MISSING_END, format!("missing `end` for the `{kw}` opened at {opened}"), m.block.span)
                    .with_label(format!("this `{kw}` is never closed"))
                    .with_secondary(
                        m.end_span,
                        format!("this `end` at {end_at} closes the `{kw}` (its indentation suggests it belongs to an outer block)"),
                    )
                    .with_secondary(eof, "the file ends while blocks are still open")
                    .with_help(format!("add `end` to close the `{kw}` opened at {opened}")),
            );
            return;
        }
        // Blame the innermost open block.
        let block = self.open_blocks.last().copied().unwrap_or(block);
        let opened = self.pos_text(block.span);
        let kw = block.keyword;
        self.error(
            Diagnostic::error(
                codes::MISSING_END,
                format!("missing `end` for the `{kw}` opened at {opened}"),
                block.span,
            )
            .with_label(format!("this `{kw}` is never closed"))
            .with_secondary(eof, "the file ends here")
            .with_help(format!("add `end` to close the `{kw}` opened at {opened}")),
        );
    }

    /// The docstring attached to the declaration starting at the current token, if any.
    fn take_doc(&mut self) -> Option<String> {
        self.sync();
        let idx = self.docs.partition_point(|d| d.next_token < self.pos);
        self.docs.get(idx).filter(|d| d.next_token == self.pos).map(|d| d.text.clone())
    }

    fn source_text(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }
}
