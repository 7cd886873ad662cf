//! `lumen fmt`: the canonical layout of Lumen source.
//!
//! The layout comes from the AST: two-space indentation, single spaces around binary operators
//! and after commas and colons, one statement per line, bracketed lists wrapped one item per line
//! (with a trailing comma) when a line would pass 100 columns. Comments and markdown blocks are
//! re-attached from a lexer scan by position; literals, role text, `use tool` lines and
//! attributes keep their spelling. Blank lines: exactly one around top-level declarations, at
//! most one elsewhere, none at the start or end of a body.
//!
//! Every result is checked before it is returned: it must parse, with the same AST (spans
//! ignored), the same tokens (newlines and trailing commas ignored) and the same comments as the
//! original. A top-level item that fails the check is printed exactly as written; when even that
//! does not help, formatting fails with [`FormatError::Unsafe`] and the caller keeps the file.
//!
//! In markdown files (`.lm.md`, `.lumen.md`) only the contents of Lumen fences are formatted;
//! prose and other fences are kept byte for byte.

pub mod doc;
mod expr;
mod items;
mod pattern;
mod printer;
mod stmt;
mod trivia;
pub mod verify;

use std::collections::HashSet;

use lumen_syntax::ast::Module;
use lumen_syntax::lexer::LexOutput;
use lumen_syntax::{Diagnostic, SourceFile, SourceKind, Span};

use crate::printer::Printer;
use crate::trivia::Source;
use crate::verify::{Mismatch, Original};

/// Why a text could not be formatted. The text is then left as it is.
#[derive(Clone, Debug)]
pub enum FormatError {
    /// The source has syntax errors (spans are offsets into the text that was given).
    Syntax(Vec<Diagnostic>),
    /// No layout could be verified to keep the program's meaning (a formatter limitation).
    Unsafe { message: String, span: Span },
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(d) => write!(f, "the source has {} syntax error(s)", d.len()),
            FormatError::Unsafe { message, .. } => write!(f, "cannot format safely: {message}"),
        }
    }
}

/// Attempts before giving up: each attempt prints more items as written.
const MAX_ROUNDS: usize = 4;

/// Formats source text of the given kind. The result uses `\n` line endings; a byte-order mark
/// and CRLF line endings of the input are kept.
pub fn format_source(text: &str, kind: SourceKind) -> Result<String, FormatError> {
    let file = SourceFile::from_str("<input>", text, kind);
    let formatted = format_file(&file)?;
    Ok(restore_line_endings(text, formatted))
}

/// Formats a source file; the result is the new normalized text (`file.text` with its Lumen
/// code laid out). Syntax errors are reported for the whole file, as `lumen check` would.
pub fn format_file(file: &SourceFile) -> Result<String, FormatError> {
    format_file_counted(file).map(|(text, _)| text)
}

/// Like [`format_file`], also counting the top-level items that had to be printed exactly as
/// written because no verified layout was found for them.
pub fn format_file_counted(file: &SourceFile) -> Result<(String, usize), FormatError> {
    let parsed = lumen_syntax::parse_file(file);
    if parsed.has_errors() {
        return Err(FormatError::Syntax(parsed.diagnostics.into_iter().filter(Diagnostic::is_error).collect()));
    }
    match file.kind {
        SourceKind::Raw => format_code(&file.text),
        SourceKind::Markdown => format_markdown(file),
    }
}

/// Re-applies the byte-order mark and CRLF line endings of `original` to `formatted`.
pub fn restore_line_endings(original: &str, formatted: String) -> String {
    let bom = original.starts_with('\u{feff}');
    let body = original.strip_prefix('\u{feff}').unwrap_or(original);
    let newlines = body.matches('\n').count();
    let crlf = newlines > 0 && body.matches("\r\n").count() == newlines && !body.replace("\r\n", "").contains('\r');
    let text = if crlf { formatted.replace('\n', "\r\n") } else { formatted };
    if bom { format!("\u{feff}{text}") } else { text }
}

/// Formats raw Lumen code (a `.lm` file, or the contents of one fence); also returns how many
/// items were kept as written.
fn format_code(code: &str) -> Result<(String, usize), FormatError> {
    let parsed = lumen_syntax::parse_code(code);
    if parsed.has_errors() {
        return Err(FormatError::Syntax(parsed.diagnostics.into_iter().filter(Diagnostic::is_error).collect()));
    }
    let lexed = lumen_syntax::lexer::lex(code);
    let original = Original { module: &parsed.module, lexed: &lexed, code };
    let mut verbatim: HashSet<usize> = HashSet::new();
    let mut last = String::new();
    for _ in 0..MAX_ROUNDS {
        let out = print(code, &lexed, &parsed.module, &verbatim);
        match verify::check(&original, &out) {
            Ok(()) => return Ok((out, verbatim.len())),
            Err(Mismatch::Items(bad)) => {
                let before = verbatim.len();
                verbatim.extend(bad.iter().copied());
                last = format!("item {} could not be laid out", bad.first().map_or(0, |i| i + 1));
                if verbatim.len() == before {
                    break;
                }
            }
            Err(Mismatch::Whole(message)) => {
                last = message;
                break;
            }
        }
    }
    Err(FormatError::Unsafe { message: last, span: Span::new(0, code.len()) })
}

/// Prints a module; the items in `verbatim` are copied from the source.
fn print(code: &str, lexed: &LexOutput, module: &Module, verbatim: &HashSet<usize>) -> String {
    let mut printer = Printer::new(Source::new(code, lexed), verbatim);
    let doc = printer.module(module);
    let mut out = doc::render(&doc);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Formats the Lumen fences of a markdown file and keeps everything else byte for byte.
fn format_markdown(file: &SourceFile) -> Result<(String, usize), FormatError> {
    let text = &file.text;
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut kept = 0;
    for block in &file.code_blocks {
        let range = block.range();
        if !formattable_block(file, range.clone()) {
            continue;
        }
        let content = &text[range.clone()];
        let (formatted, verbatim) = format_code(content).map_err(|e| shift_error(e, block.start))?;
        kept += verbatim;
        let formatted = if content.ends_with('\n') || formatted.is_empty() {
            formatted
        } else {
            formatted.trim_end_matches('\n').to_string()
        };
        out.push_str(&text[pos..range.start]);
        out.push_str(&formatted);
        pos = range.end;
    }
    out.push_str(&text[pos..]);
    Ok((out, kept))
}

/// Only fences at column 0 outside containers (lists, block quotes) with some code are touched:
/// elsewhere the fence's indentation or prefixes are part of the markdown structure.
fn formattable_block(file: &SourceFile, range: std::ops::Range<usize>) -> bool {
    let text = &file.text;
    let content = &text[range.clone()];
    if content.trim().is_empty() || file.code.get(range.clone()) != Some(content) {
        return false;
    }
    let Some(before) = range.start.checked_sub(1).map(|i| &text[..i]) else {
        return false;
    };
    let fence_line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    fence_line.starts_with("```") || fence_line.starts_with("~~~")
}

fn shift_error(e: FormatError, offset: u32) -> FormatError {
    let shift = |s: Span| Span { start: s.start + offset, end: s.end + offset };
    match e {
        FormatError::Syntax(mut diags) => {
            for d in &mut diags {
                for label in &mut d.labels {
                    label.span = shift(label.span);
                }
            }
            FormatError::Syntax(diags)
        }
        FormatError::Unsafe { message, span } => FormatError::Unsafe { message, span: shift(span) },
    }
}
