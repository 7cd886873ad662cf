//! `openai-compatible`: `llm.chat` / `llm.complete` over `POST {base_url}/chat/completions`, and
//! `llm.embed` over `POST {base_url}/embeddings` (OpenAI's wire format, which llama.cpp's server,
//! vLLM, Ollama and most gateways speak).
//!
//! Settings: `base_url` (required), `api_key_env` (the *name* of the variable holding the key),
//! `default_model`, and defaults for `max_tokens`, `temperature`, `top_p`, `stop`, `seed`.
//! Retries on 429/5xx are done by the dispatcher (`max_retries`); this module reports `Retry-After`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::http::{Exchange, Received, exchange};
use super::{Call, Provider, Reply, kind_of};
use crate::error::{ErrorKind, ToolError};

/// Request parameters passed through from the call (or the provider's settings) when present.
const PASSED: [&str; 6] = ["max_tokens", "temperature", "top_p", "stop", "seed", "user"];
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
    let schema = call.args.get("schema").filter(|s| !s.is_null());
    if let Some(schema) = schema {
        if !schema.is_object() {
            return Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("`schema` must be a JSON schema object, got {}", kind_of(schema)),
            ));
        }
        body.insert(
            "response_format".to_owned(),
            json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}),
        );
    }
    let mut attributes = Map::new();
    attributes.insert("gen_ai.operation.name".to_owned(), json!("chat"));
    attributes.insert("gen_ai.provider.name".to_owned(), json!(call.provider));
    attributes.insert("gen_ai.request.model".to_owned(), json!(model));
    for (key, attr) in [("max_tokens", "max_tokens"), ("temperature", "temperature"), ("top_p", "top_p")] {
        if let Some(v) = body.get(key) {
            attributes.insert(format!("gen_ai.request.{attr}"), v.clone());
        }
    }
    let response = post(call, "chat/completions", &Value::Object(body))?;
    let choice = response.pointer("/choices/0").ok_or_else(|| invalid_output("the reply has no choices"))?;
    let content = match choice.pointer("/message/content").or_else(|| choice.get("text")) {
        Some(Value::String(text)) => text.clone(),
        _ => return Err(invalid_output("the reply has no message content")),
    };
    if let Some(reason) = choice.get("finish_reason").filter(|r| r.is_string()) {
        attributes.insert("gen_ai.response.finish_reasons".to_owned(), Value::Array(vec![reason.clone()]));
    }
    usage_attributes(&response, &mut attributes);
    let value = if schema.is_some() {
        serde_json::from_str(strip_code_fence(&content))
            .map_err(|e| invalid_output(&format!("the reply is not the JSON the schema asks for: {e}")))?
    } else {
        Value::String(content)
    };
    Ok(Reply { value, attributes })
}

fn embed(call: &Call<'_>) -> Result<Reply, ToolError> {
    let model = model(call)?;
    let input = ["input", "text", "prompt"]
        .iter()
        .find_map(|k| call.args.get(*k))
        .ok_or_else(|| ToolError::new(ErrorKind::InvalidArgs, "missing argument `input`"))?;
    let many = input.is_array();
    let response = post(call, "embeddings", &json!({"model": model, "input": input}))?;
    let data = response.get("data").and_then(Value::as_array).ok_or_else(|| invalid_output("the reply has no data"))?;
    let vectors: Vec<Value> = data.iter().filter_map(|item| item.get("embedding").cloned()).collect();
    if vectors.len() != data.len() || vectors.is_empty() {
        return Err(invalid_output("the reply has no embeddings"));
    }
    let mut attributes = Map::new();
    attributes.insert("gen_ai.operation.name".to_owned(), json!("embeddings"));
    attributes.insert("gen_ai.provider.name".to_owned(), json!(call.provider));
    attributes.insert("gen_ai.request.model".to_owned(), json!(model));
    usage_attributes(&response, &mut attributes);
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
                let ok = message.get("role").is_some_and(Value::is_string) && message.get("content").is_some();
                if !ok {
                    return Err(ToolError::new(ErrorKind::InvalidArgs, "each message needs `role` and `content`"));
                }
                out.push(message.clone());
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

/// POSTs JSON to `{base_url}/{endpoint}` and returns the parsed reply; HTTP errors become tool errors.
fn post(call: &Call<'_>, endpoint: &str, body: &Value) -> Result<Value, ToolError> {
    let Some(Value::String(base)) = call.settings.get("base_url") else {
        return Err(ToolError::new(
            ErrorKind::Unavailable,
            format!(
                "provider `{}` has no base_url in [providers.config.{}] of lumen.toml",
                call.provider, call.provider
            ),
        ));
    };
    let url = format!("{}/{endpoint}", base.trim_end_matches('/'));
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
    let received = exchange(&Exchange {
        method: "POST",
        url: &url,
        headers,
        body: Some(body.to_string().into_bytes()),
        timeout: call.timeout,
        max_body: MAX_BODY,
    })?;
    if !(200..300).contains(&received.status) {
        let mut error = status_error(&received);
        // A server may echo the request's credentials back; they never reach messages or traces.
        if let Some(key) = secret.filter(|k| k.len() >= 4) {
            error.message = error.message.replace(&key, "***");
        }
        return Err(error);
    }
    serde_json::from_slice(&received.body).map_err(|e| invalid_output(&format!("the reply is not JSON: {e}")))
}

fn status_error(received: &Received) -> ToolError {
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
    error.retry_after = received.header("retry-after").and_then(parse_retry_after);
    error
}

/// `Retry-After` in (possibly fractional) seconds; the HTTP-date form is ignored.
pub fn parse_retry_after(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn usage_attributes(response: &Value, attributes: &mut Map<String, Value>) {
    if let Some(usage) = response.get("usage") {
        for (from, to) in
            [("prompt_tokens", "gen_ai.usage.input_tokens"), ("completion_tokens", "gen_ai.usage.output_tokens")]
        {
            if let Some(n) = usage.get(from).filter(|n| n.is_u64()) {
                attributes.insert(to.to_owned(), n.clone());
            }
        }
    }
    for (from, to) in [("model", "gen_ai.response.model"), ("id", "gen_ai.response.id")] {
        if let Some(v) = response.get(from).filter(|v| v.is_string()) {
            attributes.insert(to.to_owned(), v.clone());
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
}
