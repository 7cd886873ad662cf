//! The `mcp` provider (LANGUAGE.md 7.1, 7.3): tools of Model Context Protocol servers, reached over
//! stdio through the official Rust SDK (`rmcp`).
//!
//! A server is started on its first call (`use tool mcp "command" as T`, or a configured
//! `[providers.mcp.NAME]`), its tools are listed once, and the connection is kept for the rest of
//! the run; dropping the provider closes every connection (stdin closed, then SIGTERM, then kill).
//! Each connection owns a current-thread tokio runtime that runs only while a call waits.
//!
//! Before a call is sent its named arguments are checked against the tool's `inputSchema`
//! ([`ToolSpec::check_args`]); a failing check sends nothing. The result is the tool's
//! `structuredContent` when present, else its content: one item gives that item (a text item its
//! String, unparsed), several give a list, none gives `null`.

use std::collections::HashMap;
use std::io::Read;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::TokioChildProcess;
use serde_json::{Map, Value};

use super::mcp_schema::ToolSpec;
use super::{Call, Provider, Reply};
use crate::error::{ErrorKind, ToolError};

/// The longest a server may take to start, answer the handshake and list its tools, unless the
/// call's deadline is shorter.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long closing a connection may take before the server is killed.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a server's stderr is kept for error messages.
const STDERR_TAIL: usize = 1500;

/// Connections by server (`use tool mcp` command, or configured name and its `uri`).
#[derive(Default)]
pub struct McpProvider {
    servers: HashMap<(String, String), Connection>,
}

impl Provider for McpProvider {
    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let Some(target) = &call.mcp else {
            return Err(ToolError::new(
                ErrorKind::NotFound,
                format!("no MCP server is configured for tool path `{}` (add [providers.mcp.NAME])", call.path),
            ));
        };
        if let Some(allowed) = target.allowed
            && !is_allowed(allowed, target.server, target.tool)
        {
            return Err(ToolError::new(
                ErrorKind::NotFound,
                format!("`{}` is not in the `tools` list of [providers.mcp.{}]", call.path, target.server),
            ));
        }
        let deadline = call.timeout.map(|t| Instant::now() + t);
        let key = (target.server.to_owned(), target.uri.to_owned());
        if !self.servers.contains_key(&key) {
            let connection = Connection::start(target.server, target.uri, call.timeout)?;
            self.servers.insert(key.clone(), connection);
        }
        let connection = self.servers.get_mut(&key).expect("inserted above");
        let tool_name = connection.tool(target.tool).map_or_else(|| target.tool.to_owned(), |t| t.name.clone());
        let result = connection.call(target.tool, call.args, deadline);
        if connection.closed {
            // Started again on the next call.
            self.servers.remove(&key);
        }
        let value = result?;
        let mut attributes = Map::new();
        attributes.insert("mcp.server".to_owned(), Value::from(target.server));
        attributes.insert("gen_ai.operation.name".to_owned(), Value::from("execute_tool"));
        attributes.insert("gen_ai.tool.name".to_owned(), Value::from(tool_name));
        Ok(Reply { value, attributes })
    }
}

/// Whether a configured server's `tools` allow-list admits `tool`: an entry is a tool path
/// (`tickets.open`), a bare tool name (`open`), or `NAME.*`.
pub fn is_allowed(allowed: &[String], server: &str, tool: &str) -> bool {
    allowed.iter().any(|entry| {
        entry == tool
            || entry
                .strip_prefix(server)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|rest| rest == tool || rest == "*")
    })
}

/// One running server: its client, the tools it listed, and the tail of its stderr.
pub struct Connection {
    label: String,
    runtime: tokio::runtime::Runtime,
    client: RunningService<RoleClient, ()>,
    tools: Vec<ToolSpec>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
    /// The server went away; the connection must not be reused.
    closed: bool,
}

impl Connection {
    /// Starts `uri` (a command line, split like a shell would: quotes group words), completes the
    /// MCP handshake and lists the server's tools. `label` names the server in messages. Every
    /// failure is an `unavailable` error naming the command (`timeout` when `timeout`, the call's
    /// deadline, ran out first).
    pub fn start(label: &str, uri: &str, timeout: Option<Duration>) -> Result<Connection, ToolError> {
        let unavailable =
            |detail: String| ToolError::new(ErrorKind::Unavailable, format!("MCP server `{uri}`: {detail}"));
        if uri.starts_with("http://") || uri.starts_with("https://") {
            return Err(unavailable(
                "streamable HTTP MCP servers are not supported yet (use a stdio command)".to_owned(),
            ));
        }
        let words =
            shlex::split(uri).ok_or_else(|| unavailable("cannot split the command (unbalanced quotes?)".to_owned()))?;
        let Some((program, args)) = words.split_first() else {
            return Err(unavailable("the command is empty".to_owned()));
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unavailable(format!("cannot create the async runtime: {e}")))?;
        let mut command = tokio::process::Command::new(program);
        command.args(args).kill_on_drop(true);
        let spawned = {
            let _guard = runtime.enter();
            TokioChildProcess::builder(command)
                .stderr(Stdio::piped())
                .spawn()
                .map(|(transport, pipe)| (transport, pipe.and_then(|pipe| pipe.into_owned_fd().ok())))
        };
        let (transport, stderr_fd) = spawned.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => unavailable(format!("command `{program}` not found")),
            std::io::ErrorKind::PermissionDenied => unavailable(format!("command `{program}` is not executable")),
            _ => unavailable(format!("cannot start `{program}`: {e}")),
        })?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_reader = stderr_fd.map(|fd| {
            let tail = Arc::clone(&stderr);
            std::thread::spawn(move || keep_tail(std::fs::File::from(fd), &tail))
        });
        let limit = timeout.map_or(START_TIMEOUT, |t| t.min(START_TIMEOUT));
        let started = runtime.block_on(async {
            tokio::time::timeout(limit, async {
                let client = ().serve(transport).await.map_err(|e| format!("the handshake failed: {e}"))?;
                match client.list_all_tools().await {
                    Ok(tools) => Ok((client, tools)),
                    Err(e) => {
                        let _ = client.cancel().await;
                        Err(format!("listing its tools failed: {e}"))
                    }
                }
            })
            .await
        });
        let mut connection_parts = None;
        let failure = match started {
            Ok(Ok(parts)) => {
                connection_parts = Some(parts);
                None
            }
            Ok(Err(detail)) => Some(unavailable(detail)),
            Err(_) if timeout.is_some_and(|t| t <= START_TIMEOUT) => Some(ToolError::new(
                ErrorKind::Timeout,
                format!("MCP server `{uri}` did not start within the deadline of {} ms", limit.as_millis()),
            )),
            Err(_) => Some(unavailable(format!("no answer to the handshake within {} s", limit.as_secs()))),
        };
        if let Some(mut err) = failure {
            drop(runtime);
            err.message.push_str(&stderr_note(&stderr, stderr_reader));
            return Err(err);
        }
        let (client, tools) = connection_parts.expect("set when there is no failure");
        let tools = tools
            .into_iter()
            .map(|tool| ToolSpec {
                name: tool.name.into_owned(),
                description: tool.description.map(|d| d.into_owned()),
                input_schema: (*tool.input_schema).clone(),
            })
            .collect();
        Ok(Connection { label: label.to_owned(), runtime, client, tools, stderr, stderr_reader, closed: false })
    }

    /// The tools the server listed, in its order.
    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    /// The tool called `name` in Lumen: its own name, or with `_` where the server's name has `-`
    /// (`get_sum` for `get-sum`), since a Lumen call names it with an identifier.
    pub fn tool(&self, name: &str) -> Option<&ToolSpec> {
        self.tools.iter().find(|t| t.name == name).or_else(|| self.tools.iter().find(|t| t.lumen_name() == name))
    }

    /// Calls `tool` with `args` after checking them against its input schema.
    pub fn call(
        &mut self,
        tool: &str,
        args: &Map<String, Value>,
        deadline: Option<Instant>,
    ) -> Result<Value, ToolError> {
        let Some(spec) = self.tool(tool) else {
            let names: Vec<String> = self.tools.iter().map(ToolSpec::lumen_name).collect();
            return Err(ToolError::new(
                ErrorKind::NotFound,
                format!("MCP server `{}` has no tool `{tool}` (it lists: {})", self.label, names.join(", ")),
            ));
        };
        let arguments = spec.check_args(args).map_err(|problems| {
            ToolError::new(
                ErrorKind::InvalidArgs,
                format!("{}; the tool takes {}", problems.join("; "), spec.signature()),
            )
        })?;
        let timeout = match deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Err(ToolError::new(ErrorKind::Timeout, "the deadline ran out before the call was sent")),
            },
            None => None,
        };
        let params = CallToolRequestParams::new(spec.name.clone()).with_arguments(arguments);
        let client = &self.client;
        let answer = self.runtime.block_on(async {
            match timeout {
                Some(limit) => tokio::time::timeout(limit, client.call_tool(params)).await.map_err(|_| limit),
                None => Ok(client.call_tool(params).await),
            }
        });
        let result = match answer {
            Err(limit) => {
                return Err(ToolError::new(
                    ErrorKind::Timeout,
                    format!("`{tool}` did not answer within {} ms", limit.as_millis()),
                ));
            }
            Ok(Err(err)) => return Err(self.service_error(tool, err)),
            Ok(Ok(result)) => result,
        };
        let result = serde_json::to_value(&result).map_err(|e| {
            ToolError::new(ErrorKind::OutputInvalid, format!("`{tool}` returned a result that is not JSON: {e}"))
        })?;
        convert_result(result).map_err(|text| ToolError::new(ErrorKind::Failed, format!("`{tool}` failed: {text}")))
    }

    fn service_error(&mut self, tool: &str, err: ServiceError) -> ToolError {
        match err {
            ServiceError::McpError(data) => {
                // JSON-RPC codes: -32601 method not found, -32602 invalid params.
                let kind = match data.code.0 {
                    -32602 => ErrorKind::InvalidArgs,
                    -32601 => ErrorKind::NotFound,
                    _ => ErrorKind::Failed,
                };
                ToolError::new(kind, format!("`{tool}`: {}", data.message))
            }
            ServiceError::Timeout { timeout } => {
                ToolError::new(ErrorKind::Timeout, format!("`{tool}` did not answer within {} ms", timeout.as_millis()))
            }
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
                self.closed = true;
                let note = stderr_note(&self.stderr, self.stderr_reader.take());
                ToolError::new(
                    ErrorKind::Unavailable,
                    format!("MCP server `{}` closed the connection during `{tool}`{note}", self.label),
                )
            }
            other => ToolError::new(ErrorKind::Failed, format!("`{tool}`: {other}")),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let client = &mut self.client;
        let _ = self.runtime.block_on(client.close_with_timeout(CLOSE_TIMEOUT));
    }
}

/// A `tools/call` result (as JSON) to the Lumen value, or the error text when `isError` is set.
pub fn convert_result(result: Value) -> Result<Value, String> {
    let Value::Object(mut result) = result else { return Ok(result) };
    let content = match result.remove("content") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        let texts: Vec<&str> = content.iter().filter_map(|item| item.get("text").and_then(Value::as_str)).collect();
        return Err(if texts.is_empty() { "the tool reported an error".to_owned() } else { texts.join("\n") });
    }
    if let Some(structured) = result.remove("structuredContent") {
        return Ok(structured);
    }
    let mut values: Vec<Value> = content.into_iter().map(content_value).collect();
    Ok(match values.len() {
        0 => Value::Null,
        1 => values.pop().expect("one item"),
        _ => Value::Array(values),
    })
}

/// A text item is its String; any other item (image, audio, resource) stays its JSON object.
fn content_value(item: Value) -> Value {
    if item.get("type").and_then(Value::as_str) == Some("text")
        && let Some(Value::String(text)) = item.get("text")
    {
        return Value::String(text.clone());
    }
    item
}

/// Reads a pipe to its end, keeping the last `STDERR_TAIL` bytes.
fn keep_tail(mut pipe: std::fs::File, tail: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        let Ok(mut kept) = tail.lock() else { break };
        kept.extend_from_slice(&buf[..n]);
        let excess = kept.len().saturating_sub(STDERR_TAIL);
        kept.drain(..excess);
    }
}

/// `; its stderr ends with: ...` once the server's stderr has been read to its end (waiting up to
/// half a second for that), or nothing when it wrote nothing.
fn stderr_note(stderr: &Mutex<Vec<u8>>, reader: Option<JoinHandle<()>>) -> String {
    if let Some(reader) = reader {
        let waited = Instant::now();
        while !reader.is_finished() && waited.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(10));
        }
        if reader.is_finished() {
            let _ = reader.join();
        }
    }
    let Ok(kept) = stderr.lock() else { return String::new() };
    let text = String::from_utf8_lossy(&kept);
    let text = text.trim();
    if text.is_empty() { String::new() } else { format!("; its stderr ends with: {text}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_convert_predictably() {
        assert_eq!(
            convert_result(json!({"content": [{"type": "text", "text": "{}"}], "structuredContent": {"a": 1}})),
            Ok(json!({"a": 1}))
        );
        // Text stays text, even when it looks like JSON (`expect schema` parses it).
        assert_eq!(convert_result(json!({"content": [{"type": "text", "text": "[1, 2]"}]})), Ok(json!("[1, 2]")));
        let image = json!({"type": "image", "data": "AAAA", "mimeType": "image/png"});
        assert_eq!(
            convert_result(json!({"content": [{"type": "text", "text": "a"}, image.clone()]})),
            Ok(json!(["a", image]))
        );
        assert_eq!(convert_result(json!({"content": []})), Ok(Value::Null));
        assert_eq!(
            convert_result(json!({"content": [{"type": "text", "text": "no such file"}], "isError": true})),
            Err("no such file".to_owned())
        );
    }

    #[test]
    fn allow_lists_take_paths_names_and_wildcards() {
        let allowed = vec!["tickets.open".to_owned(), "close".to_owned()];
        assert!(is_allowed(&allowed, "tickets", "open"));
        assert!(is_allowed(&allowed, "tickets", "close"));
        assert!(!is_allowed(&allowed, "tickets", "delete"));
        assert!(!is_allowed(&allowed, "other", "open"));
        assert!(is_allowed(&["tickets.*".to_owned()], "tickets", "anything"));
    }

    #[test]
    fn commands_that_cannot_start_are_unavailable() {
        let err = Connection::start("x", "lumen-no-such-mcp-server --stdio", None).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Unavailable);
        assert!(err.message.contains("command `lumen-no-such-mcp-server` not found"), "{}", err.message);
        let err = Connection::start("x", "https://mcp.example.test/mcp", None).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Unavailable);
        assert!(err.message.contains("not supported yet"), "{}", err.message);
        let err = Connection::start("x", "server 'unclosed", None).err().unwrap();
        assert!(err.message.contains("unbalanced quotes"), "{}", err.message);
        // A process that exits at once never completes the handshake.
        let err = Connection::start("x", "sh -c 'echo broken >&2; exit 3'", None).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Unavailable);
        assert!(err.message.contains("handshake"), "{}", err.message);
        assert!(err.message.contains("broken"), "{}", err.message);
    }
}
