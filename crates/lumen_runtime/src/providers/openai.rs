//! `openai-compatible`: `llm.chat` / `llm.complete` over `POST {base_url}/chat/completions`, and
//! `llm.embed` over `POST {base_url}/embeddings` (OpenAI's wire format, which llama.cpp's server,
//! llama-cpp-python, vLLM, Ollama and most gateways speak).
//!
//! Settings: `base_url` (required), `api_key_env` (the *name* of the variable holding the key),
//! `default_model`, defaults for `max_tokens`, `temperature`, `top_p`, `stop`, `seed`, and
//! `stream`, `ttft_timeout_ms`, `stream_include_usage` (default true), `grammar` (true for
//! llama.cpp servers, which accept a GBNF `grammar` field). Retries on 429/5xx are done by the
//! dispatcher (`max_retries`); this module reports `Retry-After`.
//!
//! Chat arguments beyond the spec's table: `stream` (Bool), `ttft_timeout_ms` (Int), `tools` (a
//! list of `{name, description, parameters}` or OpenAI's `{type: "function", function: {...}}`),
//! `tool_choice`, and `grammar` (a GBNF String; sent only where the provider's `grammar` setting is
//! true, dropped otherwise). When the reply calls tools, the result is
//! `{"content": String or null, "tool_calls": [{"id", "name", "arguments": {...}}]}`; arguments
//! that are not a JSON object are an `output_invalid` error.

#[path = "openai_stream.rs"]
mod stream;
#[path = "openai_tools.rs"]
mod tools;

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::http::{Exchange, Received, exchange_timed};
use super::{Call, Provider, Reply, kind_of};
use crate::error::{ErrorKind, ToolError};

/// Request parameters passed through from the call (or the provider's settings) when present.
const PASSED: [&str; 7] = ["max_tokens", "temperature", "top_p", "stop", "seed", "user", "parallel_tool_calls"];
/// The largest JSON body read from an API.
const MAX_BODY: u64 = 32 * 1024 * 1024;

pub struct OpenAiProvider;

impl Provider for OpenAiProvider {
    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        match call.path {
            "llm.chat" | "llm.complete" => chat(call),
            "llm.embed" => embed(call),
            other => Err(ToolError::new(ErrorKind::NotFound, format!("{} has no tool `{other}`", call.provider))),
        }
    }
}

/// A chat reply, from one JSON body or assembled from a stream.
#[derive(Debug, Default)]
struct Completion {
    content: Option<String>,
    tool_calls: Vec<RawToolCall>,
    finish_reason: Option<Value>,
    usage: Option<Value>,
    model: Option<Value>,
    id: Option<Value>,
}

/// A tool call as the server sent it (arguments still JSON text, or already an object).
#[derive(Debug, Default)]
struct RawToolCall {
    id: String,
    name: String,
    arguments: ArgumentsText,
}

#[derive(Debug)]
enum ArgumentsText {
    Text(String),
    Json(Value),
}

impl Default for ArgumentsText {
    fn default() -> ArgumentsText {
        ArgumentsText::Text(String::new())
    }
}

fn chat(call: &Call<'_>) -> Result<Reply, ToolError> {
    let model = model(call)?;
    let mut body = Map::new();
    body.insert("model".to_owned(), Value::String(model.clone()));
    body.insert("messages".to_owned(), Value::Array(messages(call)?));
    for key in PASSED {
        if let Some(value) = call.args.get(key).or_else(|| call.settings.get(key)) {
            body.insert(key.to_owned(), value.clone());
        }
    }
    tools::add_tools(call, &mut body)?;
    let schema = call.args.get("schema").filter(|s| !s.is_null());
    if let Some(schema) = schema
        && !schema.is_object()
    {
        return Err(ToolError::new(
            ErrorKind::InvalidArgs,
            format!("`schema` must be a JSON schema object, got {}", kind_of(schema)),
        ));
    }
    let grammar = grammar(call)?;
    match (grammar, schema) {
        // llama.cpp servers constrain decoding with the grammar itself.
        (Some(grammar), _) => {
            body.insert("grammar".to_owned(), Value::String(grammar.to_owned()));
        }
        // llama.cpp servers compile a schema given in this form into a grammar.
        (None, Some(schema)) if flag(call, "grammar", false)? => {
            body.insert("response_format".to_owned(), json!({"type": "json_object", "schema": schema}));
        }
        (None, Some(schema)) => {
            body.insert(
                "response_format".to_owned(),
                json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}),
            );
        }
        (None, None) => {}
    }
    let streaming = flag(call, "stream", false)?;
    if streaming {
        body.insert("stream".to_owned(), Value::Bool(true));
        if flag(call, "stream_include_usage", true)? {
            body.insert("stream_options".to_owned(), json!({"include_usage": true}));
        }
    }
    let ttft = millis(call, "ttft_timeout_ms")?;
    let mut attributes = Map::new();
    attributes.insert("gen_ai.operation.name".to_owned(), json!("chat"));
    attributes.insert("gen_ai.provider.name".to_owned(), json!(call.provider));
    attributes.insert("gen_ai.request.model".to_owned(), json!(model));
    for (key, attr) in [("max_tokens", "max_tokens"), ("temperature", "temperature"), ("top_p", "top_p")] {
        if let Some(v) = body.get(key) {
            attributes.insert(format!("gen_ai.request.{attr}"), v.clone());
        }
    }
    let Endpoint { url, headers, secret } = endpoint(call, "chat/completions")?;
    let exchange = Exchange {
        method: "POST",
        url: &url,
        headers,
        body: Some(Value::Object(body).to_string().into_bytes()),
        timeout: call.timeout,
        max_body: MAX_BODY,
    };
    let completion = if streaming {
        attributes.insert("gen_ai.request.stream".to_owned(), json!(true));
        let streamed = stream::run(&exchange, call.timeout, ttft, secret.as_deref())?;
        if let Some(first) = streamed.first_token {
            attributes.insert("lumen.time_to_first_token_ms".to_owned(), json!(first.as_micros() as f64 / 1000.0));
        }
        streamed.completion
    } else {
        let started = Instant::now();
        let received = exchange_timed(&exchange, ttft).map_err(|e| ttft_error(e, ttft, started, call.timeout))?;
        let response = json_reply(&received, secret.as_deref())?;
        completion_of(&response)?
    };
    if let Some(reason) = completion.finish_reason.clone().filter(Value::is_string) {
        attributes.insert("gen_ai.response.finish_reasons".to_owned(), Value::Array(vec![reason]));
    }
    usage_attributes(completion.usage.as_ref(), &mut attributes);
    for (value, to) in [(&completion.model, "gen_ai.response.model"), (&completion.id, "gen_ai.response.id")] {
        if let Some(v) = value.as_ref().filter(|v| v.is_string()) {
            attributes.insert(to.to_owned(), v.clone());
        }
    }
    let value = result(completion, schema.is_some())?;
    Ok(Reply { value, attributes })
}

/// The call's value: the tool calls when the reply has any, else the text (parsed under a schema).
fn result(completion: Completion, parse_json: bool) -> Result<Value, ToolError> {
    if !completion.tool_calls.is_empty() {
        let calls = completion.tool_calls.into_iter().map(tools::tool_call_value).collect::<Result<Vec<_>, _>>()?;
        return Ok(json!({"content": completion.content, "tool_calls": calls}));
    }
    let Some(content) = completion.content else {
        return Err(invalid_output("the reply has no message content"));
    };
    if parse_json {
        serde_json::from_str(strip_code_fence(&content))
            .map_err(|e| invalid_output(&format!("the reply is not the JSON the schema asks for: {e}")))
    } else {
        Ok(Value::String(content))
    }
}

/// A non-streamed chat reply.
fn completion_of(response: &Value) -> Result<Completion, ToolError> {
    let choice = response.pointer("/choices/0").ok_or_else(|| invalid_output("the reply has no choices"))?;
    let content = match choice.pointer("/message/content").or_else(|| choice.get("text")) {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Null) | None => None,
        Some(other) => return Err(invalid_output(&format!("the reply's content is {}", kind_of(other)))),
    };
    let mut tool_calls = Vec::new();
    if let Some(Value::Array(calls)) = choice.pointer("/message/tool_calls") {
        for call in calls {
            tool_calls.push(tools::raw_tool_call(call)?);
        }
    }
    if content.is_none() && tool_calls.is_empty() {
        return Err(invalid_output("the reply has no message content"));
    }
    Ok(Completion {
        content,
        tool_calls,
        finish_reason: choice.get("finish_reason").cloned(),
        usage: response.get("usage").cloned(),
        model: response.get("model").cloned(),
        id: response.get("id").cloned(),
    })
}

fn embed(call: &Call<'_>) -> Result<Reply, ToolError> {
    let model = model(call)?;
    let input = ["input", "text", "prompt"]
        .iter()
        .find_map(|k| call.args.get(*k))
        .ok_or_else(|| ToolError::new(ErrorKind::InvalidArgs, "missing argument `input`"))?;
    let many = input.is_array();
    let Endpoint { url, headers, secret } = endpoint(call, "embeddings")?;
    let received = exchange_timed(
        &Exchange {
            method: "POST",
            url: &url,
            headers,
            body: Some(json!({"model": model, "input": input}).to_string().into_bytes()),
            timeout: call.timeout,
            max_body: MAX_BODY,
        },
        None,
    )?;
    let response = json_reply(&received, secret.as_deref())?;
    let data = response.get("data").and_then(Value::as_array).ok_or_else(|| invalid_output("the reply has no data"))?;
    let vectors: Vec<Value> = data.iter().filter_map(|item| item.get("embedding").cloned()).collect();
    if vectors.len() != data.len() || vectors.is_empty() {
        return Err(invalid_output("the reply has no embeddings"));
    }
    let mut attributes = Map::new();
    attributes.insert("gen_ai.operation.name".to_owned(), json!("embeddings"));
    attributes.insert("gen_ai.provider.name".to_owned(), json!(call.provider));
    attributes.insert("gen_ai.request.model".to_owned(), json!(model));
    usage_attributes(response.get("usage"), &mut attributes);
    for (from, to) in [("model", "gen_ai.response.model"), ("id", "gen_ai.response.id")] {
        if let Some(v) = response.get(from).filter(|v| v.is_string()) {
            attributes.insert(to.to_owned(), v.clone());
        }
    }
    let value = if many { Value::Array(vectors) } else { vectors.into_iter().next().unwrap_or(Value::Null) };
    Ok(Reply { value, attributes })
}

fn model(call: &Call<'_>) -> Result<String, ToolError> {
    match call.args.get("model").or_else(|| call.settings.get("default_model")) {
        Some(Value::String(model)) => Ok(model.clone()),
        Some(other) => {
            Err(ToolError::new(ErrorKind::InvalidArgs, format!("`model` must be a String, got {}", kind_of(other))))
        }
        None => Err(ToolError::new(
            ErrorKind::InvalidArgs,
            format!("no model: pass `model` or set default_model in [providers.config.{}]", call.provider),
        )),
    }
}

/// The `grammar` argument, where the provider's `grammar` setting says the server takes one.
fn grammar<'a>(call: &'a Call<'_>) -> Result<Option<&'a str>, ToolError> {
    if !flag(call, "grammar", false)? {
        return Ok(None);
    }
    match call.args.get("grammar") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(ToolError::new(
            ErrorKind::InvalidArgs,
            format!("`grammar` must be a String (GBNF), got {}", kind_of(other)),
        )),
    }
}

/// A Bool from the call's arguments, else the provider's settings, else `default`. The `grammar`
/// key is only read from the settings (the argument of that name is the grammar text).
fn flag(call: &Call<'_>, key: &str, default: bool) -> Result<bool, ToolError> {
    let from_args = if key == "grammar" { None } else { call.args.get(key) };
    match from_args.or_else(|| call.settings.get(key)) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => {
            Err(ToolError::new(ErrorKind::InvalidArgs, format!("`{key}` must be a Bool, got {}", kind_of(other))))
        }
    }
}

/// A positive number of milliseconds from the call's arguments or the provider's settings.
fn millis(call: &Call<'_>, key: &str) -> Result<Option<Duration>, ToolError> {
    match call.args.get(key).or_else(|| call.settings.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_u64() {
            Some(ms) if ms > 0 => Ok(Some(Duration::from_millis(ms))),
            _ => Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("`{key}` must be a positive Int (milliseconds), got {value}"),
            )),
        },
    }
}

/// A timeout that hit while waiting for the response head of a non-streamed call, before the
/// call's own deadline: the first token did not come in time.
fn ttft_error(error: ToolError, ttft: Option<Duration>, started: Instant, total: Option<Duration>) -> ToolError {
    match ttft {
        Some(ttft)
            if error.kind == ErrorKind::Timeout
                && started.elapsed() >= ttft
                && total.is_none_or(|total| started.elapsed() < total) =>
        {
            ToolError::new(
                ErrorKind::Timeout,
                format!("no first token within {} ms (ttft_timeout_ms)", ttft.as_millis()),
            )
        }
        _ => error,
    }
}

/// `messages` as given (with `system` put first), or built from `system` and `prompt`.
fn messages(call: &Call<'_>) -> Result<Vec<Value>, ToolError> {
    let mut out = Vec::new();
    match call.args.get("system") {
        None | Some(Value::Null) => {}
        Some(Value::String(system)) => out.push(json!({"role": "system", "content": system})),
        Some(other) => {
            return Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("`system` must be a String, got {}", kind_of(other)),
            ));
        }
    }
    match (call.args.get("messages"), call.args.get("prompt")) {
        (Some(Value::Array(list)), prompt) => {
            for message in list {
                out.push(tools::wire_message(message)?);
            }
            if let Some(Value::String(prompt)) = prompt {
                out.push(json!({"role": "user", "content": prompt}));
            }
        }
        (Some(other), _) => {
            return Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("`messages` must be a list, got {}", kind_of(other)),
            ));
        }
        (None, Some(Value::String(prompt))) => out.push(json!({"role": "user", "content": prompt})),
        (None, Some(other)) => {
            return Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("`prompt` must be a String, got {}", kind_of(other)),
            ));
        }
        (None, None) => return Err(ToolError::new(ErrorKind::InvalidArgs, "pass `prompt` or `messages`")),
    }
    Ok(out)
}

/// Where and how to send a request.
struct Endpoint {
    /// `{base_url}/{path}`.
    url: String,
    headers: Vec<(String, String)>,
    /// The API key, when one is configured (masked in error messages).
    secret: Option<String>,
}

fn endpoint(call: &Call<'_>, path: &str) -> Result<Endpoint, ToolError> {
    let Some(Value::String(base)) = call.settings.get("base_url") else {
        return Err(ToolError::new(
            ErrorKind::Unavailable,
            format!(
                "provider `{}` has no base_url in [providers.config.{}] of lumen.toml",
                call.provider, call.provider
            ),
        ));
    };
    let url = format!("{}/{path}", base.trim_end_matches('/'));
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let mut secret = None;
    if let Some(var) = call.settings.get("api_key_env").and_then(Value::as_str) {
        match (call.secret_env)(var) {
            Some(key) if !key.is_empty() => {
                headers.push(("authorization".to_owned(), format!("Bearer {key}")));
                secret = Some(key);
            }
            _ => {
                return Err(ToolError::new(
                    ErrorKind::Auth,
                    format!("environment variable {var} (api_key_env) is not set"),
                ));
            }
        }
    }
    Ok(Endpoint { url, headers, secret })
}

/// The parsed JSON of a 2xx reply; other statuses become tool errors.
fn json_reply(received: &Received, secret: Option<&str>) -> Result<Value, ToolError> {
    if !(200..300).contains(&received.status) {
        return Err(status_error(received, secret));
    }
    serde_json::from_slice(&received.body).map_err(|e| invalid_output(&format!("the reply is not JSON: {e}")))
}

/// The tool error for a non-2xx reply. A server may echo the request's credentials back; they
/// never reach messages or traces.
fn status_error(received: &Received, secret: Option<&str>) -> ToolError {
    let detail = serde_json::from_slice::<Value>(&received.body)
        .ok()
        .and_then(|v| v.pointer("/error/message").or_else(|| v.get("error")).or_else(|| v.get("message")).cloned())
        .map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_else(|| received.text());
    let detail: String = detail.chars().take(300).collect();
    let mut error =
        ToolError::new(ErrorKind::from_status(received.status), format!("HTTP {}: {}", received.status, detail.trim()));
    if let Some(key) = secret.filter(|k| k.len() >= 4) {
        error.message = error.message.replace(key, "***");
    }
    error.retry_after = received.header("retry-after").and_then(parse_retry_after);
    error
}

/// `Retry-After` in (possibly fractional) seconds; the HTTP-date form is ignored.
pub fn parse_retry_after(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn usage_attributes(usage: Option<&Value>, attributes: &mut Map<String, Value>) {
    let Some(usage) = usage else { return };
    for (from, to) in
        [("prompt_tokens", "gen_ai.usage.input_tokens"), ("completion_tokens", "gen_ai.usage.output_tokens")]
    {
        if let Some(n) = usage.get(from).filter(|n| n.is_u64()) {
            attributes.insert(to.to_owned(), n.clone());
        }
    }
}

/// Models often wrap JSON in a markdown fence even when asked not to.
fn strip_code_fence(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(inner) = trimmed.strip_prefix("```") else { return trimmed };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

fn invalid_output(message: &str) -> ToolError {
    ToolError::new(ErrorKind::OutputInvalid, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.25 "), Some(Duration::from_millis(250)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn code_fences_are_stripped() {
        assert_eq!(strip_code_fence("```json\n{\"a\": 1}\n```"), "{\"a\": 1}");
        assert_eq!(strip_code_fence(" {\"a\": 1} "), "{\"a\": 1}");
    }

    #[test]
    fn tool_calls_win_over_text_and_schemas() {
        let completion = Completion {
            content: None,
            tool_calls: vec![RawToolCall {
                id: "c1".to_owned(),
                name: "weather".to_owned(),
                arguments: ArgumentsText::Text("{\"city\": \"Oslo\"}".to_owned()),
            }],
            ..Completion::default()
        };
        assert_eq!(
            result(completion, true).unwrap(),
            json!({"content": null, "tool_calls": [{"id": "c1", "name": "weather", "arguments": {"city": "Oslo"}}]})
        );
        let empty = Completion::default();
        assert_eq!(result(empty, false).unwrap_err().kind, ErrorKind::OutputInvalid);
    }
}
