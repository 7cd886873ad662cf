//! Diagnostics shared by every stage of the toolchain.
//!
//! Each diagnostic has a stable code (see [`codes`]), a message, a primary labelled span, optional
//! secondary labels and optional help lines. Rendering lives in [`crate::render`].

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label { span, message: String::new(), primary: true }],
            help: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, span) }
    }

    /// Sets the text shown under the primary span.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.labels[0].message = message.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn primary_span(&self) -> Span {
        self.labels[0].span
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Stable diagnostic codes. `E00xx` are lexical, `E01xx` syntactic; later stages use higher ranges.
/// Every code is documented in `docs/errors.md`.
pub mod codes {
    // Source and lexical errors.
    pub const INVALID_UTF8: &str = "E0001";
    pub const UNEXPECTED_CHAR: &str = "E0002";
    pub const UNTERMINATED_STRING: &str = "E0003";
    pub const UNKNOWN_ESCAPE: &str = "E0004";
    pub const INVALID_ESCAPE_VALUE: &str = "E0005";
    pub const NEWLINE_IN_STRING: &str = "E0006";
    pub const INVALID_NUMBER: &str = "E0007";
    pub const INT_OUT_OF_RANGE: &str = "E0008";
    pub const FLOAT_OUT_OF_RANGE: &str = "E0009";
    pub const INVALID_BYTES: &str = "E0010";
    pub const UNTERMINATED_MARKDOWN_BLOCK: &str = "E0011";
    pub const UNTERMINATED_INTERPOLATION: &str = "E0012";
    pub const UNTERMINATED_ROLE_TEXT: &str = "E0013";
    pub const INVALID_FORMAT_SPEC: &str = "E0014";
    pub const DECL_SPANS_BLOCKS: &str = "E0015";

    // Syntax errors.
    pub const UNEXPECTED_TOKEN: &str = "E0100";
    pub const MISSING_END: &str = "E0101";
    pub const INVALID_ASSIGN_TARGET: &str = "E0102";
    pub const MISPLACED_ITEM: &str = "E0103";
    pub const INVALID_PATTERN: &str = "E0104";
    pub const POSITIONAL_AFTER_NAMED: &str = "E0105";
    pub const DUPLICATE_REST: &str = "E0106";
    pub const INVALID_DIRECTIVE: &str = "E0107";
    pub const STRAY_END: &str = "E0108";
    pub const INVALID_LITERAL_PATTERN: &str = "E0109";
    pub const VARIADIC_NOT_LAST: &str = "E0110";
    pub const EXPECTED_EXPRESSION: &str = "E0111";
    pub const EXPECTED_TYPE: &str = "E0112";
    pub const NESTING_TOO_DEEP: &str = "E0113";
    pub const INVALID_MEMBER: &str = "E0114";

    // Warnings.
    pub const DUPLICATE_DIRECTIVE: &str = "W0001";
    pub const UNKNOWN_DIRECTIVE: &str = "W0002";
}
