//! The `openai-compatible` provider against a real local model: llama-cpp-python's server with
//! SmolLM2-135M-Instruct (installed by `scripts/setup-peers`). The model is small and its text is
//! not predictable, so these tests check the plumbing (shapes, streaming, constrained decoding,
//! tool calls, timeouts), never the words.

#[path = "local_model/peer.rs"]
mod peer;

use lumen_runtime::request::{Grant, ToolRequest};
use lumen_runtime::{Config, ErrorKind, Outcome, Tools};
use serde_json::{Value, json};

fn tools(extra: &str) -> Tools {
    let model = peer::local_model();
    let config = Config::parse(&format!(
        r#"
[providers]
"llm.chat" = "openai-compatible"

[providers.config.openai-compatible]
base_url = "{}"
default_model = "smollm2"
temperature = 0
seed = 7
max_tokens = 24
grammar = true
{extra}
"#,
        model.base_url
    ))
    .expect("the test's lumen.toml parses");
    Tools::new(config)
}

fn chat(tools: &mut Tools, args: Value, grants: &[Grant]) -> Outcome {
    tools.call(&ToolRequest {
        alias: "Chat",
        path: "llm.chat",
        version: None,
        provider: None,
        mcp_command: None,
        args: args.as_object().cloned().expect("object arguments"),
        grants,
    })
}

fn grant(key: &str, value: Value) -> Grant {
    Grant { key: key.to_owned(), value }
}

fn tokens(outcome: &Outcome, key: &str) -> u64 {
    outcome.attributes.get(key).and_then(Value::as_u64).unwrap_or_else(|| panic!("no {key}: {:?}", outcome.attributes))
}

#[test]
fn chat_returns_text_and_token_usage() {
    let mut tools = tools("");
    let out = chat(&mut tools, json!({"system": "Answer briefly.", "prompt": "Say hello."}), &[]);
    let text = out.result.clone().expect("a reply");
    assert!(text.as_str().is_some_and(|t| !t.trim().is_empty()), "a non-empty String, got {text}");
    assert!(tokens(&out, "gen_ai.usage.input_tokens") > 0);
    assert!(tokens(&out, "gen_ai.usage.output_tokens") > 0);
    assert!(tokens(&out, "gen_ai.usage.output_tokens") <= 24, "max_tokens from the settings applies");
    assert!(out.attributes["gen_ai.response.id"].as_str().is_some());
}

#[test]
fn streaming_returns_text_and_the_time_to_first_token() {
    let mut tools = tools("");
    let out = chat(&mut tools, json!({"prompt": "Name a colour.", "stream": true, "max_tokens": 12}), &[]);
    let text = out.result.clone().expect("a streamed reply");
    assert!(text.as_str().is_some_and(|t| !t.is_empty()), "a non-empty String, got {text}");
    let ttft = out.attributes["lumen.time_to_first_token_ms"].as_f64().expect("time to first token");
    assert!(ttft > 0.0);
    assert_eq!(out.attributes["gen_ai.response.finish_reasons"].as_array().map(Vec::len), Some(1));
}

#[test]
fn tight_limits_are_timeouts() {
    let mut tools = tools("");
    let first = chat(&mut tools, json!({"prompt": "Count to ten.", "stream": true, "ttft_timeout_ms": 1}), &[]);
    assert_eq!(first.error_kind, Some(ErrorKind::Timeout), "{:?}", first.result);
    assert!(first.result.unwrap_err().contains("ttft_timeout_ms"));
    let total = chat(&mut tools, json!({"prompt": "Count to ten."}), &[grant("timeout_ms", json!(1))]);
    assert_eq!(total.error_kind, Some(ErrorKind::Timeout), "{:?}", total.result);
    // The server still answers afterwards.
    let after = chat(&mut tools, json!({"prompt": "Say yes.", "max_tokens": 4}), &[]);
    assert!(after.result.is_ok(), "{:?}", after.result);
}

fn point_schema() -> Value {
    json!({"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]})
}

fn assert_point(out: &Outcome) {
    let point = out.result.clone().expect("a point");
    assert!(point["x"].is_i64() && point["y"].is_i64(), "integers x and y, got {point}");
}

#[test]
fn grammar_constrained_output_parses() {
    let mut tools = tools("");
    let grammar = r#"root ::= "{\"x\": " int ", \"y\": " int "}"
int ::= "-"? [0-9] [0-9]?"#;
    let args = json!({"prompt": "A point on a grid, as JSON.", "schema": point_schema(), "grammar": grammar, "max_tokens": 40});
    assert_point(&chat(&mut tools, args, &[]));
    // The schema alone: the server compiles it into a grammar (json_object with schema).
    let args = json!({"prompt": "A point on a grid, as JSON.", "schema": point_schema(), "max_tokens": 40});
    assert_point(&chat(&mut tools, args, &[]));
    // Streamed, the result is the same kind of value.
    let args = json!({"prompt": "A point, as JSON.", "schema": point_schema(), "max_tokens": 40, "stream": true});
    assert_point(&chat(&mut tools, args, &[]));
}

fn weather_tool() -> Value {
    json!({"name": "weather", "description": "The current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}})
}

fn assert_tool_calls(out: &Outcome) {
    let value = out.result.clone().expect("a reply with tool calls");
    assert!(value["content"].is_null() || value["content"].is_string(), "{value}");
    let calls = value["tool_calls"].as_array().unwrap_or_else(|| panic!("tool_calls, got {value}"));
    assert!(!calls.is_empty());
    for call in calls {
        assert_eq!(call["name"], json!("weather"), "{value}");
        assert!(call["id"].as_str().is_some_and(|id| !id.is_empty()), "{value}");
        assert!(call["arguments"].is_object(), "{value}");
    }
}

#[test]
fn forced_tool_calls_have_the_documented_shape() {
    let mut tools = tools("");
    let args = json!({"prompt": "What is the weather in Oslo?", "tools": [weather_tool()], "tool_choice": "weather", "max_tokens": 40});
    let out = chat(&mut tools, args.clone(), &[]);
    assert_tool_calls(&out);
    assert_eq!(out.attributes["gen_ai.response.finish_reasons"], json!(["tool_calls"]));
    let mut streamed = args;
    streamed["stream"] = json!(true);
    assert_tool_calls(&chat(&mut tools, streamed, &[]));
}
