//! The lexer: source text to tokens (LANGUAGE.md §2). Implementation in progress.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::Token;

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

/// Lexes `code` (a raw source, or a markdown file with its prose blanked out).
pub fn lex(code: &str) -> LexOutput {
    let _ = code;
    LexOutput::default()
}
