//! Lumen front end: source files (raw and markdown), lexer, parser, AST and diagnostics.

pub mod ast;
pub mod diagnostic;
pub mod span;
pub mod token;

pub use diagnostic::{Diagnostic, Label, Severity, codes};
pub use span::Span;
pub mod lexer;
pub mod source;
