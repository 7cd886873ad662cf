//! The `openai-compatible` provider against a fake OpenAI-style server in the test.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lumen_runtime::request::{Grant, ToolRequest};
use lumen_runtime::{Config, ErrorKind, Outcome, Tools};
use serde_json::{Value, json};
use support::{Response, Server};

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "tiny-1-2025",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    })
}

fn config(server: &Server, extra: &str) -> Config {
    Config::parse(&format!(
        r#"
[providers]
"llm.chat" = "openai-compatible"
"llm.embed" = "openai-compatible"

[providers.config.openai-compatible]
base_url = "{}/v1/"
api_key_env = "FAKE_LLM_KEY"
default_model = "tiny-1"
retry_base_ms = 10
{extra}
"#,
        server.url("")
    ))
    .unwrap()
}

/// Tools whose secret lookup sees only `FAKE_LLM_KEY` (no process-wide environment changes), and
/// whose backoff waits are recorded instead of slept.
fn tools(config: Config, key: Option<&str>, waits: &Arc<Mutex<Vec<Duration>>>) -> Tools {
    let mut tools = Tools::new(config);
    let key = key.map(str::to_owned);
    tools.secret_env = Box::new(move |name| if name == "FAKE_LLM_KEY" { key.clone() } else { None });
    let waits = waits.clone();
    WAITS.with(|w| *w.borrow_mut() = Some(waits));
    tools.sleep = record_wait;
    tools
}

thread_local! {
    static WAITS: std::cell::RefCell<Option<Arc<Mutex<Vec<Duration>>>>> = const { std::cell::RefCell::new(None) };
}

fn record_wait(d: Duration) {
    WAITS.with(|w| {
        if let Some(waits) = &*w.borrow() {
            waits.lock().unwrap().push(d);
        }
    });
}

fn chat(tools: &mut Tools, path: &str, args: Value, grants: &[Grant]) -> Outcome {
    tools.call(&ToolRequest {
        alias: "Chat",
        path,
        version: None,
        provider: None,
        mcp_command: None,
        args: args.as_object().cloned().unwrap(),
        grants,
    })
}

fn grant(key: &str, value: Value) -> Grant {
    Grant { key: key.to_owned(), value }
}

#[test]
fn prompt_becomes_messages_and_usage_is_captured() {
    let server = Server::start(|_, _| Response::json(200, &completion("Hello there")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("sk-test-123"), &waits);
    let out = chat(
        &mut tools,
        "llm.chat",
        json!({"prompt": "Hi", "system": "Be brief"}),
        &[grant("max_tokens", json!(50)), grant("temperature", json!(0.2))],
    );
    assert_eq!(out.result, Ok(json!("Hello there")));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/v1/chat/completions");
    assert_eq!(seen[0].header("authorization"), Some("Bearer sk-test-123"));
    let body = seen[0].body_json();
    assert_eq!(body["model"], json!("tiny-1"));
    assert_eq!(body["messages"], json!([{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]));
    assert_eq!(body["max_tokens"], json!(50));
    assert_eq!(body["temperature"], json!(0.2));
    assert!(body.get("timeout_ms").is_none() && body.get("response_format").is_none());
    let attrs = &out.attributes;
    assert_eq!(attrs["gen_ai.request.model"], json!("tiny-1"));
    assert_eq!(attrs["gen_ai.response.model"], json!("tiny-1-2025"));
    assert_eq!(attrs["gen_ai.usage.input_tokens"], json!(11));
    assert_eq!(attrs["gen_ai.usage.output_tokens"], json!(3));
    assert_eq!(attrs["gen_ai.response.finish_reasons"], json!(["stop"]));
    assert_eq!(attrs["gen_ai.request.max_tokens"], json!(50));
    assert!(waits.lock().unwrap().is_empty());
}

#[test]
fn schema_asks_for_json_and_parses_the_reply() {
    let server =
        Server::start(|_, _| Response::json(200, &completion("```json\n{\"city\": \"Oslo\", \"temp\": 3}\n```")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]});
    let messages = json!([{"role": "user", "content": "weather?"}]);
    let out = chat(&mut tools, "llm.chat", json!({"messages": messages, "schema": schema, "model": "other"}), &[]);
    assert_eq!(out.result, Ok(json!({"city": "Oslo", "temp": 3})));
    let body = server.requests()[0].body_json();
    assert_eq!(body["model"], json!("other"));
    assert_eq!(body["messages"], messages);
    assert_eq!(body["response_format"]["type"], json!("json_schema"));
    assert_eq!(body["response_format"]["json_schema"]["schema"], schema);
}

#[test]
fn a_reply_that_is_not_json_under_a_schema_is_output_invalid() {
    let server = Server::start(|_, _| Response::json(200, &completion("sorry, no")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "schema": {"type": "object"}}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::OutputInvalid));
}

#[test]
fn rate_limits_are_retried_honouring_retry_after() {
    let server = Server::start(|_, i| {
        if i == 0 {
            Response::json(429, &json!({"error": {"message": "slow down"}})).with_header("retry-after", "0.05")
        } else if i == 1 {
            Response::json(503, &json!({"error": {"message": "overloaded"}}))
        } else {
            Response::json(200, &completion("finally"))
        }
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x"}), &[grant("max_retries", json!(3))]);
    assert_eq!(out.result, Ok(json!("finally")));
    assert_eq!(out.retries, 2);
    assert_eq!(server.requests().len(), 3);
    // The first wait is the server's Retry-After; the second the doubled backoff (10 ms base).
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_millis(50), Duration::from_millis(20)]);
}

#[test]
fn retries_stop_at_max_retries() {
    let server = Server::start(|_, _| Response::json(429, &json!({"error": {"message": "quota"}})));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let none = chat(&mut tools, "llm.chat", json!({"prompt": "x"}), &[]);
    assert_eq!(none.result, Err("tool error: Chat: rate_limit: HTTP 429: quota".to_owned()));
    assert_eq!(server.requests().len(), 1, "no max_retries grant: no retry");
    let two = chat(&mut tools, "llm.chat", json!({"prompt": "x"}), &[grant("max_retries", json!(2))]);
    assert_eq!(two.error_kind, Some(ErrorKind::RateLimit));
    assert_eq!(two.retries, 2);
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn errors_map_to_kinds_and_never_show_the_key() {
    let server = Server::start(|req, _| {
        let status = match req.body_json()["model"].as_str() {
            Some("auth") => 401,
            Some("bad") => 400,
            Some("missing") => 404,
            _ => 500,
        };
        Response::json(
            status,
            &json!({"error": {"message": format!("failed for {}", req.header("authorization").unwrap_or(""))}}),
        )
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("sk-secret"), &waits);
    for (model, kind) in [("auth", ErrorKind::Auth), ("bad", ErrorKind::InvalidArgs), ("missing", ErrorKind::NotFound)]
    {
        let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "model": model}), &[]);
        assert_eq!(out.error_kind, Some(kind), "{model}");
    }
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "model": "boom"}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::Unavailable));
    // The fake server echoes the credentials back; the message keeps the rest and masks the key.
    let message = out.result.unwrap_err();
    assert_eq!(message, "tool error: Chat: unavailable: HTTP 500: failed for Bearer ***");
    assert!(!message.contains("sk-secret"));
}

#[test]
fn a_missing_key_is_an_auth_error_naming_only_the_variable() {
    let server = Server::start(|_, _| Response::json(200, &completion("unreachable")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), None, &waits);
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x"}), &[]);
    assert_eq!(
        out.result,
        Err("tool error: Chat: auth: environment variable FAKE_LLM_KEY (api_key_env) is not set".to_owned())
    );
    assert!(server.requests().is_empty());
}

#[test]
fn bad_arguments_are_invalid_args() {
    let server = Server::start(|_, _| Response::json(200, &completion("unreachable")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    for args in [
        json!({}),
        json!({"prompt": 3}),
        json!({"messages": [{"content": "no role"}]}),
        json!({"prompt": "x", "schema": "s"}),
    ] {
        let out = chat(&mut tools, "llm.chat", args.clone(), &[]);
        assert_eq!(out.error_kind, Some(ErrorKind::InvalidArgs), "{args}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn model_grants_are_enforced_before_sending() {
    let server = Server::start(|_, _| Response::json(200, &completion("unreachable")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let out = chat(
        &mut tools,
        "llm.chat",
        json!({"prompt": "x", "model": "big", "max_tokens": 900}),
        &[grant("model", json!("tiny-1"))],
    );
    assert_eq!(
        out.result,
        Err("tool policy violation: Chat: model: \"big\" is not the granted value \"tiny-1\"".to_owned())
    );
    let too_many =
        chat(&mut tools, "llm.chat", json!({"prompt": "x", "max_tokens": 900}), &[grant("max_tokens", json!(100))]);
    assert!(too_many.result.unwrap_err().contains("max_tokens: 900 exceeds the granted maximum 100"));
    assert!(server.requests().is_empty());
}

#[test]
fn embeddings() {
    let server = Server::start(|req, _| {
        let n = req.body_json()["input"].as_array().map_or(1, Vec::len);
        let data: Vec<Value> = (0..n).map(|i| json!({"index": i, "embedding": [0.5, i as f64]})).collect();
        Response::json(200, &json!({"data": data, "model": "emb", "usage": {"prompt_tokens": 4}}))
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let one = chat(&mut tools, "llm.embed", json!({"input": "hello"}), &[]);
    assert_eq!(one.result, Ok(json!([0.5, 0.0])));
    let many = chat(&mut tools, "llm.embed", json!({"input": ["a", "b"]}), &[]);
    assert_eq!(many.result, Ok(json!([[0.5, 0.0], [0.5, 1.0]])));
    assert_eq!(server.requests()[0].target, "/v1/embeddings");
    assert_eq!(one.attributes["gen_ai.usage.input_tokens"], json!(4));
}

#[test]
fn provider_without_base_url_is_unavailable() {
    let config = Config::parse("[providers]\n\"llm.chat\" = \"openai-compatible\"\n").unwrap();
    let out = Tools::new(config).call(&ToolRequest {
        alias: "Chat",
        path: "llm.chat",
        version: None,
        provider: None,
        mcp_command: None,
        args: json!({"prompt": "x", "model": "m"}).as_object().cloned().unwrap(),
        grants: &[],
    });
    assert_eq!(out.error_kind, Some(ErrorKind::Unavailable));
}
