//! Tool failures and their kinds (LANGUAGE.md 5.15 step 5).

use std::fmt;
use std::time::Duration;

/// The kind of a provider failure; its name appears in `tool error: <Alias>: <kind>: <message>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    NotFound,
    InvalidArgs,
    Timeout,
    RateLimit,
    Auth,
    Unavailable,
    OutputInvalid,
    Failed,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::NotFound,
        ErrorKind::InvalidArgs,
        ErrorKind::Timeout,
        ErrorKind::RateLimit,
        ErrorKind::Auth,
        ErrorKind::Unavailable,
        ErrorKind::OutputInvalid,
        ErrorKind::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidArgs => "invalid_args",
            ErrorKind::Timeout => "timeout",
            ErrorKind::RateLimit => "rate_limit",
            ErrorKind::Auth => "auth",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::OutputInvalid => "output_invalid",
            ErrorKind::Failed => "failed",
        }
    }

    pub fn parse(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Failures worth retrying under a grant's `max_retries` (LANGUAGE.md 7.2).
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorKind::RateLimit | ErrorKind::Unavailable | ErrorKind::Timeout)
    }

    /// The kind for an HTTP error status of an API provider.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 409 | 413 | 415 | 422 => ErrorKind::InvalidArgs,
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            408 | 504 => ErrorKind::Timeout,
            429 => ErrorKind::RateLimit,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::Failed,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider failure. `retry_after` carries a server's `Retry-After` hint.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolError {
    pub kind: ErrorKind,
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl ToolError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ToolError {
        ToolError { kind, message: message.into(), retry_after: None }
    }

    /// The complete runtime-error message for the VM.
    pub fn render(&self, alias: &str) -> String {
        format!("tool error: {alias}: {}: {}", self.kind, self.message)
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}
