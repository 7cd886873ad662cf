//! Lumen front end: source files (raw and markdown), lexer, parser, AST and diagnostics.

pub mod ast;
pub mod diagnostic;
pub mod span;
pub mod token;

pub use diagnostic::{Diagnostic, Label, Severity, codes};
pub use span::Span;
pub mod lexer;
pub mod render;
pub mod source;

pub use render::{render_json, render_text, summary_line};
pub use source::{SourceFile, SourceKind};
pub mod parser;

pub use parser::{ParseOutput, parse_code};

/// Parses a source file (raw or markdown). Items of a markdown file that span two Lumen blocks
/// are reported, since each block must be complete at top level (LANGUAGE.md 1.3).
pub fn parse_file(file: &source::SourceFile) -> ParseOutput {
    let mut out = parse_code(&file.code);
    if !file.code_blocks.is_empty() {
        for item in &out.module.items {
            let inside_one = file.code_blocks.iter().any(|b| b.start <= item.span.start && item.span.end <= b.end);
            if !inside_one {
                out.diagnostics.push(
                    Diagnostic::error(
                        codes::DECL_SPANS_BLOCKS,
                        "a declaration may not span two Lumen blocks",
                        item.span,
                    )
                    .with_label("this declaration continues in a later block")
                    .with_help("close the declaration inside the block that opens it"),
                );
            }
        }
    }
    out
}
