//! `builtin-http` against a local server and `builtin-fs` in a temporary directory, through the
//! dispatcher (policy first, then the provider).

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lumen_runtime::request::{Grant, ToolRequest};
use lumen_runtime::{Config, ErrorKind, Outcome, Status, Tools};
use serde_json::{Value, json};
use support::{Response, Server};

fn grant(key: &str, value: Value) -> Grant {
    Grant { key: key.to_owned(), value }
}

fn call(tools: &mut Tools, path: &str, args: Value, grants: &[Grant]) -> Outcome {
    let req = ToolRequest {
        alias: "T",
        path,
        version: None,
        provider: None,
        mcp_command: None,
        args: args.as_object().cloned().expect("object args"),
        grants,
    };
    tools.call(&req)
}

fn ok(outcome: &Outcome) -> &Value {
    match &outcome.result {
        Ok(value) => value,
        Err(message) => panic!("call failed: {message}"),
    }
}

fn err(outcome: &Outcome) -> &str {
    outcome.result.as_ref().expect_err("call should fail")
}

fn tools() -> Tools {
    Tools::new(Config::default())
}

#[test]
fn get_returns_status_headers_and_body() {
    let server = Server::start(|req, _| {
        Response::new(200, format!("you asked for {}", req.target)).with_header("x-answer", "42")
    });
    let mut tools = tools();
    let out = call(
        &mut tools,
        "http.get",
        json!({"url": server.url("/a?b=1"), "headers": {"X-Test": "yes", "X-Num": 7}}),
        &[grant("domain", json!("127.0.0.1"))],
    );
    let value = ok(&out);
    assert_eq!(value["status"], json!(200));
    assert_eq!(value["body"], json!("you asked for /a?b=1"));
    assert_eq!(value["headers"]["x-answer"], json!("42"));
    assert_eq!(out.status, Status::Ok);
    assert_eq!(out.provider.as_deref(), Some("builtin-http"));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("x-test"), Some("yes"));
    assert_eq!(seen[0].header("x-num"), Some("7"));
}

#[test]
fn post_sends_json_bodies_and_strings() {
    let server = Server::start(|req, _| Response::new(201, req.body_text()));
    let mut tools = tools();
    let out =
        call(&mut tools, "http.post", json!({"url": server.url("/items"), "body": {"name": "x", "n": [1, 2]}}), &[]);
    assert_eq!(ok(&out)["status"], json!(201));
    let text = call(&mut tools, "http.put", json!({"url": server.url("/raw"), "body": "plain text"}), &[]);
    assert_eq!(ok(&text)["body"], json!("plain text"));
    let seen = server.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].body_json(), json!({"name": "x", "n": [1, 2]}));
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(seen[1].header("content-type"), None);
}

#[test]
fn request_and_delete_use_their_methods() {
    let server = Server::start(|req, _| Response::new(204, "").with_header("x-method", &req.method));
    let mut tools = tools();
    let del = call(&mut tools, "http.delete", json!({"url": server.url("/x")}), &[]);
    assert_eq!(ok(&del)["headers"]["x-method"], json!("DELETE"));
    let patch = call(&mut tools, "http.request", json!({"url": server.url("/x"), "method": "patch"}), &[]);
    assert_eq!(ok(&patch)["headers"]["x-method"], json!("PATCH"));
}

#[test]
fn redirects_are_returned_not_followed() {
    let server = Server::start(|req, _| {
        if req.target == "/old" {
            Response::new(302, "").with_header("location", "http://evil.test/steal")
        } else {
            Response::new(200, "followed")
        }
    });
    let grants = [grant("domain", json!("127.0.0.1"))];
    let out = call(&mut tools(), "http.get", json!({"url": server.url("/old")}), &grants);
    assert_eq!(ok(&out)["status"], json!(302));
    assert_eq!(ok(&out)["headers"]["location"], json!("http://evil.test/steal"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn error_statuses_are_results() {
    let server = Server::start(|_, _| Response::new(503, "down"));
    let out = call(&mut tools(), "http.get", json!({"url": server.url("/")}), &[]);
    assert_eq!(ok(&out)["status"], json!(503));
    assert_eq!(ok(&out)["body"], json!("down"));
}

#[test]
fn policy_violations_send_nothing() {
    let server = Server::start(|_, _| Response::new(200, "should not be reached"));
    let mut tools = tools();
    let denied =
        call(&mut tools, "http.get", json!({"url": server.url("/")}), &[grant("domain", json!("api.example.com"))]);
    assert_eq!(denied.status, Status::Denied);
    assert_eq!(
        err(&denied),
        r#"tool policy violation: T: domain: host "127.0.0.1" is not granted (granted: api.example.com)"#
    );
    let methods = call(&mut tools, "http.post", json!({"url": server.url("/")}), &[grant("methods", json!(["GET"]))]);
    assert!(err(&methods).starts_with("tool policy violation: T: methods: method POST is not granted"));
    let once = [grant("max_calls", json!(1))];
    assert_eq!(call(&mut tools, "http.get", json!({"url": server.url("/")}), &once).status, Status::Ok);
    let second = call(&mut tools, "http.get", json!({"url": server.url("/")}), &once);
    assert_eq!(err(&second), "tool policy violation: T: max_calls: limit of 1 call(s) per run reached");
    assert_eq!(server.requests().len(), 1, "only the one allowed call reached the server");
}

#[test]
fn timeout_from_the_policy_is_a_deadline() {
    let server = Server::start(|_, _| Response::new(200, "late").delayed(Duration::from_millis(1500)));
    let started = Instant::now();
    let out = call(&mut tools(), "http.get", json!({"url": server.url("/slow")}), &[grant("timeout_ms", json!(200))]);
    assert_eq!(out.error_kind, Some(ErrorKind::Timeout), "{:?}", out.result);
    assert!(err(&out).starts_with("tool error: T: timeout: "), "{}", err(&out));
    assert!(started.elapsed() < Duration::from_millis(1200), "gave up after {:?}", started.elapsed());
    assert_eq!(out.input["timeout_ms"], json!(200));
}

#[test]
fn transport_failures_map_to_kinds() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let refused = call(&mut tools(), "http.get", json!({"url": format!("http://127.0.0.1:{port}/")}), &[]);
    assert_eq!(refused.error_kind, Some(ErrorKind::Unavailable), "{:?}", refused.result);
    let no_scheme = call(&mut tools(), "http.get", json!({"url": "ftp://127.0.0.1/"}), &[]);
    assert_eq!(no_scheme.error_kind, Some(ErrorKind::InvalidArgs));
    let missing = call(&mut tools(), "http.get", json!({}), &[]);
    assert_eq!(err(&missing), "tool error: T: invalid_args: missing argument `url`");
    let headers = call(&mut tools(), "http.get", json!({"url": "http://127.0.0.1:1/", "headers": [1]}), &[]);
    assert_eq!(headers.error_kind, Some(ErrorKind::InvalidArgs));
    if !cfg!(feature = "tls") {
        let https = call(&mut tools(), "http.get", json!({"url": "https://127.0.0.1:1/"}), &[]);
        assert!(err(&https).contains("tls"), "{}", err(&https));
    }
    let unknown = call(&mut tools(), "http.fetch", json!({"url": "http://127.0.0.1:1/"}), &[]);
    assert_eq!(unknown.error_kind, Some(ErrorKind::NotFound));
}

#[test]
fn version_pins_are_checked() {
    let req = ToolRequest {
        alias: "T",
        path: "http.get",
        version: Some("2"),
        provider: None,
        mcp_command: None,
        args: json!({"url": "http://127.0.0.1:1/"}).as_object().cloned().unwrap(),
        grants: &[],
    };
    let out = tools().call(&req);
    assert_eq!(out.result.unwrap_err(), "tool error: T: invalid_args: builtin-http implements http.get@1, not @2");
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fs_round_trip_within_the_prefix() {
    let dir = scratch("roundtrip");
    let root = dir.to_string_lossy().into_owned();
    let grants = [grant("path_prefix", json!(root.clone()))];
    let mut tools = tools();
    let file = format!("{root}/notes.txt");
    assert_eq!(ok(&call(&mut tools, "fs.write", json!({"path": file, "content": "hello"}), &grants)), &Value::Null);
    assert_eq!(ok(&call(&mut tools, "fs.read", json!({"path": file}), &grants)), &json!("hello"));
    std::fs::write(dir.join("b.txt"), "b").unwrap();
    assert_eq!(ok(&call(&mut tools, "fs.list", json!({"path": root}), &grants)), &json!(["b.txt", "notes.txt"]));
    assert_eq!(ok(&call(&mut tools, "fs.delete", json!({"path": file}), &grants)), &Value::Null);
    assert!(!dir.join("notes.txt").exists());
    let gone = call(&mut tools, "fs.read", json!({"path": file}), &grants);
    assert_eq!(gone.error_kind, Some(ErrorKind::NotFound));
    assert!(err(&gone).starts_with(&format!("tool error: T: not_found: {file}: ")), "{}", err(&gone));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fs_outside_the_prefix_is_denied_before_touching_disk() {
    let dir = scratch("escape");
    let inner = dir.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    let root = inner.to_string_lossy().into_owned();
    let grants = [grant("path_prefix", json!(root.clone()))];
    let target = format!("{root}/../outside.txt");
    let out = call(&mut tools(), "fs.write", json!({"path": target, "content": "x"}), &grants);
    assert_eq!(out.status, Status::Denied);
    assert!(err(&out).starts_with("tool policy violation: T: path_prefix: path "), "{}", err(&out));
    assert!(!dir.join("outside.txt").exists());
    let bad = call(&mut tools(), "fs.write", json!({"path": format!("{root}/a"), "content": 5}), &grants);
    assert_eq!(err(&bad), "tool error: T: invalid_args: `content` must be a String, got Int");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unmapped_tool_paths_are_not_found() {
    let out = call(&mut tools(), "weather.get", json!({"city": "Oslo"}), &[]);
    assert_eq!(out.error_kind, Some(ErrorKind::NotFound));
    assert_eq!(
        err(&out),
        "tool error: T: not_found: no provider for tool path `weather.get` (map it under [providers] in lumen.toml)"
    );
}

#[test]
fn mock_values_in_turn_and_failures() {
    let config = Config::parse(
        r#"
[providers]
"llm.chat" = "mock"
"weather.get" = "mock"
"search.web" = "mock"

[providers.config.mock]
"llm.chat" = ["one", { text = "two" }]
"weather.get" = { temp = 21, city = "Oslo" }
"search.web" = { "$error" = "rate_limit", message = "slow down" }
"#,
    )
    .unwrap();
    let mut tools = Tools::new(config);
    assert_eq!(ok(&call(&mut tools, "llm.chat", json!({}), &[])), &json!("one"));
    assert_eq!(ok(&call(&mut tools, "llm.chat", json!({}), &[])), &json!({"text": "two"}));
    assert!(err(&call(&mut tools, "llm.chat", json!({}), &[])).contains("all 2 responses for `llm.chat` were used"));
    let weather = call(&mut tools, "weather.get", json!({}), &[]);
    assert_eq!(serde_json::to_string(ok(&weather)).unwrap(), r#"{"temp":21,"city":"Oslo"}"#, "file order is kept");
    assert_eq!(ok(&call(&mut tools, "weather.get", json!({}), &[])), ok(&weather));
    assert_eq!(err(&call(&mut tools, "search.web", json!({}), &[])), "tool error: T: rate_limit: slow down");
}

#[cfg(unix)]
#[test]
fn fs_symlinks_cannot_leave_the_prefix() {
    let dir = scratch("symlink");
    let inner = dir.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(dir.join("outside/secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(dir.join("outside"), inner.join("link")).unwrap();
    std::fs::write(inner.join("plain.txt"), "plain").unwrap();
    let root = inner.to_string_lossy().into_owned();
    let grants = [grant("path_prefix", json!(root.clone()))];
    let mut tools = tools();
    let read = call(&mut tools, "fs.read", json!({"path": format!("{root}/link/secret.txt")}), &grants);
    assert_eq!(read.status, Status::Denied);
    assert!(err(&read).ends_with("leads outside the granted prefixes through a symbolic link"), "{}", err(&read));
    let write = call(&mut tools, "fs.write", json!({"path": format!("{root}/link/new.txt"), "content": "x"}), &grants);
    assert_eq!(write.status, Status::Denied);
    assert!(!dir.join("outside/new.txt").exists());
    // Paths that stay inside, existing or not, are fine.
    assert_eq!(
        ok(&call(&mut tools, "fs.read", json!({"path": format!("{root}/plain.txt")}), &grants)),
        &json!("plain")
    );
    let fresh = call(&mut tools, "fs.write", json!({"path": format!("{root}/new.txt"), "content": "y"}), &grants);
    assert_eq!(fresh.status, Status::Ok, "{:?}", fresh.result);
    std::fs::remove_dir_all(&dir).unwrap();
}
