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

// ---- Streaming, tool calling, grammar, time to first token -------------------------------------

/// A server that answers every request with an event stream written in timed pieces (chunked
/// transfer encoding, so each piece may arrive in a read of its own). Request bodies are recorded.
struct SseServer {
    port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl SseServer {
    fn start(script: impl Fn(&Value) -> Vec<(u64, Vec<u8>)> + Send + Sync + 'static) -> SseServer {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let (seen, script) = (bodies.clone(), Arc::new(script));
        std::thread::spawn(move || {
            for stream in listener.incoming().take(50) {
                let Ok(stream) = stream else { continue };
                let (seen, script) = (seen.clone(), script.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let body: Value = serde_json::from_slice(&body).unwrap();
                    let pieces = script(&body);
                    seen.lock().unwrap().push(body);
                    let mut out = stream;
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
                    if out.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for (delay, piece) in pieces {
                        std::thread::sleep(Duration::from_millis(delay));
                        let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
                        chunk.extend_from_slice(&piece);
                        chunk.extend_from_slice(b"\r\n");
                        if out.write_all(&chunk).and_then(|()| out.flush()).is_err() {
                            return;
                        }
                    }
                    let _ = out.write_all(b"0\r\n\r\n");
                });
            }
        });
        SseServer { port, bodies }
    }

    fn config(&self, extra: &str) -> Config {
        Config::parse(&format!(
            "[providers]\n\"llm.chat\" = \"openai-compatible\"\n\n[providers.config.openai-compatible]\n\
             base_url = \"http://127.0.0.1:{}/v1\"\ndefault_model = \"tiny-1\"\n{extra}\n",
            self.port
        ))
        .unwrap()
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

fn event(chunk: Value) -> String {
    format!("data: {chunk}\n\n")
}

fn delta(delta: Value) -> String {
    event(json!({"id": "s1", "model": "tiny-1-2025", "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]}))
}

fn finish(reason: &str) -> String {
    event(json!({"id": "s1", "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}))
}

/// The pieces of a streamed "Hello wörld" with a usage chunk, cut inside events and inside the
/// two bytes of `ö`, so that events and characters span reads.
fn hello_stream(first_token_after: u64) -> Vec<(u64, Vec<u8>)> {
    let all = [
        delta(json!({"role": "assistant", "content": ""})),
        delta(json!({"content": "Hel"})),
        delta(json!({"content": "lo wörld"})),
        finish("stop"),
        event(json!({"id": "s1", "choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 4}})),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let bytes = all.as_bytes();
    let first_cut = all.find("Hel").unwrap() + 1;
    let second_cut = all.find('ö').unwrap() + 1;
    assert!(!all.is_char_boundary(second_cut));
    let end = bytes.len();
    vec![
        (0, bytes[..first_cut].to_vec()),
        (first_token_after, bytes[first_cut..second_cut].to_vec()),
        (10, bytes[second_cut..end - 5].to_vec()),
        (10, bytes[end - 5..].to_vec()),
    ]
}

/// Text pieces as bytes.
fn pieces(list: Vec<(u64, String)>) -> Vec<(u64, Vec<u8>)> {
    list.into_iter().map(|(delay, text)| (delay, text.into_bytes())).collect()
}

fn stream_tools(config: Config) -> Tools {
    let waits = Arc::new(Mutex::new(Vec::new()));
    tools(config, None, &waits)
}

#[test]
fn streaming_assembles_the_reply_usage_and_time_to_first_token() {
    let server = SseServer::start(|_| hello_stream(60));
    let mut tools = stream_tools(server.config(""));
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "Hi", "stream": true, "max_tokens": 8}), &[]);
    assert_eq!(out.result, Ok(json!("Hello wörld")));
    let body = &server.bodies()[0];
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["max_tokens"], json!(8));
    let attrs = &out.attributes;
    assert_eq!(attrs["gen_ai.usage.input_tokens"], json!(7));
    assert_eq!(attrs["gen_ai.usage.output_tokens"], json!(4));
    assert_eq!(attrs["gen_ai.response.finish_reasons"], json!(["stop"]));
    assert_eq!(attrs["gen_ai.response.model"], json!("tiny-1-2025"));
    assert_eq!(attrs["gen_ai.request.stream"], json!(true));
    let ttft = attrs["lumen.time_to_first_token_ms"].as_f64().expect("a time to first token");
    assert!(ttft >= 60.0, "the first token came after the 60 ms pause, got {ttft}");
}

#[test]
fn streaming_can_be_a_provider_setting_and_parses_under_a_schema() {
    let server = SseServer::start(|_| {
        pieces(vec![
            (0, delta(json!({"content": "{\"x\": "}))),
            (5, delta(json!({"content": "3}"}))),
            (5, finish("stop")),
        ])
    });
    let mut tools = stream_tools(server.config("stream = true\nstream_include_usage = false"));
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "a point", "schema": {"type": "object"}}), &[]);
    // No [DONE]: the end of the body ends the stream too.
    assert_eq!(out.result, Ok(json!({"x": 3})));
    let body = &server.bodies()[0];
    assert_eq!(body["stream"], json!(true));
    assert!(body.get("stream_options").is_none());
    assert!(out.attributes.get("gen_ai.usage.input_tokens").is_none());
}

#[test]
fn a_first_token_later_than_ttft_timeout_ms_is_a_timeout() {
    let server = SseServer::start(|_| hello_stream(1500));
    let mut tools = stream_tools(server.config(""));
    let started = std::time::Instant::now();
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "Hi", "stream": true, "ttft_timeout_ms": 150}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::Timeout));
    assert_eq!(out.result, Err("tool error: Chat: timeout: no first token within 150 ms (ttft_timeout_ms)".to_owned()));
    assert!(started.elapsed() < Duration::from_millis(1200), "aborted early, took {:?}", started.elapsed());
    // From the settings as well, and a generous limit lets the same stream through.
    let mut tools = stream_tools(server.config("ttft_timeout_ms = 100"));
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "Hi", "stream": true}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::Timeout));
    let server = SseServer::start(|_| hello_stream(20));
    let mut tools = stream_tools(server.config(""));
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "Hi", "stream": true, "ttft_timeout_ms": 2000}), &[]);
    assert_eq!(out.result, Ok(json!("Hello wörld")));
}

#[test]
fn the_call_deadline_covers_the_whole_stream() {
    // The first token is quick; the stream then trickles on for two seconds.
    let server = SseServer::start(|_| {
        let mut list = vec![(0, delta(json!({"content": "a"})))];
        list.extend((0..20).map(|_| (100, delta(json!({"content": "b"})))));
        pieces(list)
    });
    let mut tools = stream_tools(server.config(""));
    let started = std::time::Instant::now();
    let out = chat(
        &mut tools,
        "llm.chat",
        json!({"prompt": "Hi", "stream": true, "ttft_timeout_ms": 1000}),
        &[grant("timeout_ms", json!(300))],
    );
    assert_eq!(out.error_kind, Some(ErrorKind::Timeout), "{:?}", out.result);
    assert!(started.elapsed() < Duration::from_millis(1500), "took {:?}", started.elapsed());
}

#[test]
fn a_non_streamed_reply_slower_than_ttft_timeout_ms_is_a_timeout() {
    let server = Server::start(|_, _| Response::json(200, &completion("late")).delayed(Duration::from_millis(800)));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "ttft_timeout_ms": 100}), &[]);
    assert_eq!(out.result, Err("tool error: Chat: timeout: no first token within 100 ms (ttft_timeout_ms)".to_owned()));
}

#[test]
fn streamed_errors_and_plain_json_replies() {
    let server = Server::start(|req, _| {
        if req.body_json()["model"] == "busy" {
            Response::json(429, &json!({"error": {"message": "busy"}})).with_header("retry-after", "1")
        } else {
            // A server that ignores `stream` and answers in one piece.
            Response::json(200, &completion("whole"))
        }
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let busy = chat(&mut tools, "llm.chat", json!({"prompt": "x", "stream": true, "model": "busy"}), &[]);
    assert_eq!(busy.result, Err("tool error: Chat: rate_limit: HTTP 429: busy".to_owned()));
    let whole = chat(&mut tools, "llm.chat", json!({"prompt": "x", "stream": true}), &[]);
    assert_eq!(whole.result, Ok(json!("whole")));
    assert_eq!(whole.attributes["gen_ai.usage.output_tokens"], json!(3));
    let bad = chat(&mut tools, "llm.chat", json!({"prompt": "x", "stream": "yes"}), &[]);
    assert_eq!(bad.error_kind, Some(ErrorKind::InvalidArgs));
}

fn weather_tool() -> Value {
    json!({"name": "weather", "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}})
}

#[test]
fn tool_calls_are_sent_and_returned_in_lumens_shape() {
    let server = Server::start(|_, _| {
        Response::json(
            200,
            &json!({"id": "c", "model": "tiny-1", "choices": [{"index": 0, "finish_reason": "tool_calls",
                "message": {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}},
                    {"id": "call_2", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Rome\"}"}}]}}],
                "usage": {"prompt_tokens": 30, "completion_tokens": 12}}),
        )
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let history = json!([
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_0", "name": "weather", "arguments": {"city": "Oslo"}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": "3 degrees"}
    ]);
    let out = chat(
        &mut tools,
        "llm.chat",
        json!({"messages": history, "tools": [weather_tool()], "tool_choice": "weather"}),
        &[],
    );
    assert_eq!(
        out.result,
        Ok(json!({"content": null, "tool_calls": [
            {"id": "call_1", "name": "weather", "arguments": {"city": "Oslo"}},
            {"id": "call_2", "name": "weather", "arguments": {"city": "Rome"}}]}))
    );
    assert_eq!(out.attributes["gen_ai.response.finish_reasons"], json!(["tool_calls"]));
    let body = server.requests()[0].body_json();
    assert_eq!(body["tools"], json!([{"type": "function", "function": weather_tool()}]));
    assert_eq!(body["tool_choice"], json!({"type": "function", "function": {"name": "weather"}}));
    assert_eq!(
        body["messages"][1]["tool_calls"],
        json!([{"id": "call_0", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}}])
    );
    assert_eq!(body["messages"][2], json!({"role": "tool", "tool_call_id": "call_0", "content": "3 degrees"}));
    let unknown =
        chat(&mut tools, "llm.chat", json!({"prompt": "x", "tools": [weather_tool()], "tool_choice": "nope"}), &[]);
    assert_eq!(unknown.error_kind, Some(ErrorKind::InvalidArgs));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn tool_call_arguments_that_are_not_json_are_output_invalid() {
    let server = Server::start(|_, _| {
        Response::json(
            200,
            &json!({"choices": [{"message": {"role": "assistant", "content": "",
                "tool_calls": [{"id": "c", "function": {"name": "weather", "arguments": "{\"city\": Oslo"}}]}}]}),
        )
    });
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut tools = tools(config(&server, ""), Some("k"), &waits);
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "tools": [weather_tool()]}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::OutputInvalid));
    assert!(out.result.unwrap_err().contains("the arguments of tool call `weather` are not JSON"));
}

#[test]
fn streamed_tool_calls_are_assembled() {
    let server = SseServer::start(|_| {
        let call = |index: u64, id: Option<&str>, name: Option<&str>, args: &str| {
            let mut function = json!({"arguments": args});
            if let Some(name) = name {
                function["name"] = json!(name);
            }
            let mut part = json!({"index": index, "type": "function", "function": function});
            if let Some(id) = id {
                part["id"] = json!(id);
            }
            delta(json!({"tool_calls": [part]}))
        };
        pieces(vec![
            (0, delta(json!({"role": "assistant", "content": null}))),
            (5, call(0, Some("a"), Some("weather"), "{\"ci")),
            (5, call(1, Some("b"), Some("weather"), "")),
            // llama-cpp-python repeats the id and name in every part.
            (5, call(0, Some("a"), Some("weather"), "ty\": \"Oslo\"}")),
            (5, call(1, None, None, "{\"city\": \"Rome\"}")),
            (5, finish("tool_calls")),
            (0, "data: [DONE]\n\n".to_owned()),
        ])
    });
    let mut tools = stream_tools(server.config(""));
    let out = chat(&mut tools, "llm.chat", json!({"prompt": "x", "stream": true, "tools": [weather_tool()]}), &[]);
    assert_eq!(
        out.result,
        Ok(json!({"content": null, "tool_calls": [
            {"id": "a", "name": "weather", "arguments": {"city": "Oslo"}},
            {"id": "b", "name": "weather", "arguments": {"city": "Rome"}}]}))
    );
    assert!(out.attributes.contains_key("lumen.time_to_first_token_ms"));
}

#[test]
fn grammar_is_sent_only_where_the_provider_takes_it() {
    let server = Server::start(|_, _| Response::json(200, &completion("{\"x\": 1}")));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let schema = json!({"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]});
    let grammar = "root ::= \"{\\\"x\\\": \" [0-9]+ \"}\"";
    let args = json!({"prompt": "p", "schema": schema, "grammar": grammar});
    // Without the setting: the schema as OpenAI's response_format, no grammar.
    let mut plain = tools(config(&server, ""), Some("k"), &waits);
    assert_eq!(chat(&mut plain, "llm.chat", args.clone(), &[]).result, Ok(json!({"x": 1})));
    // With `grammar = true` (llama.cpp): the grammar instead of response_format.
    let mut llama = tools(config(&server, "grammar = true"), Some("k"), &waits);
    assert_eq!(chat(&mut llama, "llm.chat", args.clone(), &[]).result, Ok(json!({"x": 1})));
    // With the setting but no grammar: the schema in the json_object form llama.cpp compiles.
    let no_grammar = json!({"prompt": "p", "schema": schema});
    assert_eq!(chat(&mut llama, "llm.chat", no_grammar, &[]).result, Ok(json!({"x": 1})));
    let bad = chat(&mut llama, "llm.chat", json!({"prompt": "p", "grammar": 3}), &[]);
    assert_eq!(bad.error_kind, Some(ErrorKind::InvalidArgs));
    let bodies: Vec<Value> = server.requests().iter().map(|r| r.body_json()).collect();
    assert_eq!(bodies.len(), 3);
    assert!(bodies[0].get("grammar").is_none());
    assert_eq!(bodies[0]["response_format"]["type"], json!("json_schema"));
    assert_eq!(bodies[1]["grammar"], json!(grammar));
    assert!(bodies[1].get("response_format").is_none());
    assert!(bodies[2].get("grammar").is_none());
    assert_eq!(bodies[2]["response_format"], json!({"type": "json_object", "schema": schema}));
}
