//! Providers: the implementations behind tool paths (LANGUAGE.md 7.3).

pub mod env;
pub mod fs;
pub mod http;
pub mod json;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod mcp_schema;
pub mod mock;
pub mod openai;

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{ErrorKind, ToolError};

/// One dispatched call, after the policy check.
pub struct Call<'a> {
    pub alias: &'a str,
    pub path: &'a str,
    pub version: Option<&'a str>,
    /// The arguments with the policy's defaults filled in.
    pub args: &'a Map<String, Value>,
    /// What is left of the call's deadline.
    pub timeout: Option<Duration>,
    /// The provider's name as configured (for messages and trace attributes).
    pub provider: &'a str,
    /// `[providers.config.NAME]`.
    pub settings: &'a Map<String, Value>,
    /// Reads an environment variable for secrets; never recorded in traces.
    pub secret_env: &'a dyn Fn(&str) -> Option<String>,
    /// The MCP server and tool a call of the `mcp` provider goes to.
    pub mcp: Option<McpTarget<'a>>,
}

/// An MCP tool: `use tool mcp "command" as T` (`server` and `uri` are the command), or a tool path
/// `NAME.tool` of a `[providers.mcp.NAME]` server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McpTarget<'a> {
    /// The command, or the configured server's name.
    pub server: &'a str,
    /// The command line (or URL) that starts the server.
    pub uri: &'a str,
    /// The tool's name on the server.
    pub tool: &'a str,
    /// A configured server's `tools` allow-list.
    pub allowed: Option<&'a [String]>,
}

/// A successful call: the result and trace attributes (OpenTelemetry GenAI names where they apply).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    pub value: Value,
    pub attributes: Map<String, Value>,
}

impl Reply {
    pub fn value(value: Value) -> Reply {
        Reply { value, attributes: Map::new() }
    }
}

pub trait Provider {
    /// The tool schema version this provider implements, checked against `@N` pins.
    fn schema_version(&self) -> Option<&'static str> {
        None
    }

    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError>;
}

/// The provider implementing `kind` (a built-in name or a settings table's `kind`).
pub fn instantiate(kind: &str) -> Result<Box<dyn Provider>, ToolError> {
    match kind {
        "builtin-http" => Ok(Box::new(http::HttpProvider)),
        "builtin-fs" => Ok(Box::new(fs::FsProvider)),
        "builtin-env" => Ok(Box::new(env::EnvProvider::default())),
        "builtin-json" => Ok(Box::new(json::JsonProvider)),
        "mock" => Ok(Box::new(mock::MockProvider::default())),
        "openai-compatible" => Ok(Box::new(openai::OpenAiProvider)),
        #[cfg(feature = "mcp")]
        "mcp" => Ok(Box::new(mcp::McpProvider::default())),
        #[cfg(not(feature = "mcp"))]
        "mcp" => Err(ToolError::new(
            ErrorKind::Unavailable,
            "provider kind `mcp` is not available: lumen_runtime was built without its `mcp` feature",
        )),
        "anthropic" | "gemini" => Err(ToolError::new(
            ErrorKind::Unavailable,
            format!("provider kind `{kind}` is not available in this build yet"),
        )),
        other => Err(ToolError::new(ErrorKind::NotFound, format!("unknown provider `{other}`"))),
    }
}

/// A required String argument.
pub fn string_arg<'a>(call: &'a Call<'_>, name: &str) -> Result<&'a str, ToolError> {
    match call.args.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => {
            Err(ToolError::new(ErrorKind::InvalidArgs, format!("`{name}` must be a String, got {}", kind_of(other))))
        }
        None => Err(ToolError::new(ErrorKind::InvalidArgs, format!("missing argument `{name}`"))),
    }
}

/// The JSON kind of a value, for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "Bool",
        Value::Number(n) if n.is_f64() => "Float",
        Value::Number(_) => "Int",
        Value::String(_) => "String",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A settings value as an integer.
pub fn setting_u64(settings: &Map<String, Value>, key: &str) -> Option<u64> {
    settings.get(key).and_then(Value::as_u64)
}
