//! The `mcp` provider against the reference MCP servers over stdio (`mcp-server-time`,
//! `@modelcontextprotocol/server-everything`, `@modelcontextprotocol/server-filesystem`), through
//! the dispatcher (policy first, then the provider). The servers are installed by
//! `scripts/setup-peers` under `$LUMEN_PEERS` (default `~/.cache/lumen-peers`); a missing one fails
//! the test with that instruction.
#![cfg(feature = "mcp")]

#[path = "support/mcp_peer.rs"]
mod mcp_peer;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lumen_runtime::request::{Grant, ToolRequest};
use lumen_runtime::{Config, ErrorKind, Outcome, Status, Tools};
use serde_json::{Value, json};

/// The command line of an installed peer (`venv/bin/mcp-server-time`, ...), quoted for the shell-like split.
fn peer(relative: &str) -> String {
    format!("'{}'", mcp_peer::installed(relative).display())
}

fn time_server() -> String {
    peer("venv/bin/mcp-server-time")
}

fn everything_server() -> String {
    peer("node_modules/.bin/mcp-server-everything")
}

fn filesystem_server(allowed: &Path) -> String {
    format!("{} '{}'", peer("node_modules/.bin/mcp-server-filesystem"), allowed.display())
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lumen-mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

fn grant(key: &str, value: Value) -> Grant {
    Grant { key: key.to_owned(), value }
}

/// `Alias.tool(args)` of `use tool mcp "command" as Alias`.
fn call_mcp(tools: &mut Tools, command: &str, tool: &str, args: Value, grants: &[Grant]) -> Outcome {
    let req = ToolRequest {
        alias: "Srv",
        path: tool,
        version: None,
        provider: None,
        mcp_command: Some(command),
        args: args.as_object().cloned().expect("object args"),
        grants,
    };
    tools.call(&req)
}

/// A call of tool path `path` (a configured server's `NAME.tool`).
fn call_path(tools: &mut Tools, path: &str, args: Value) -> Outcome {
    let req = ToolRequest {
        alias: "Srv",
        path,
        version: None,
        provider: None,
        mcp_command: None,
        args: args.as_object().cloned().expect("object args"),
        grants: &[],
    };
    tools.call(&req)
}

fn ok(outcome: &Outcome) -> &Value {
    match &outcome.result {
        Ok(value) => value,
        Err(message) => panic!("call failed: {message}"),
    }
}

/// The error message, checking the kind.
fn failed(outcome: &Outcome, kind: ErrorKind) -> &str {
    let message = outcome.result.as_ref().expect_err("the call should fail");
    assert_eq!(outcome.status, Status::Error, "{message}");
    assert_eq!(outcome.error_kind, Some(kind), "{message}");
    message
}

/// Processes whose command line contains `marker`.
fn processes_with(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| std::fs::read(entry.ok()?.path().join("cmdline")).ok())
        .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(marker))
        .count()
}

#[test]
fn time_server_returns_structured_current_time() {
    let server = time_server();
    let mut tools = Tools::new(Config::default());
    let out = call_mcp(&mut tools, &server, "get_current_time", json!({"timezone": "Asia/Tokyo"}), &[]);
    let value = ok(&out);
    assert_eq!(value["timezone"], json!("Asia/Tokyo"));
    let datetime = value["datetime"].as_str().expect("datetime is a String");
    assert!(datetime.ends_with("+09:00"), "{datetime}");
    assert!(value["is_dst"].is_boolean(), "{value}");
    assert!(value["day_of_week"].is_string(), "{value}");
    assert_eq!(out.provider.as_deref(), Some("mcp"));
    assert_eq!(out.attributes["mcp.server"], json!(server));
    assert_eq!(out.attributes["gen_ai.tool.name"], json!("get_current_time"));
}

#[test]
fn time_server_converts_times() {
    let server = time_server();
    let mut tools = Tools::new(Config::default());
    let args = json!({"source_timezone": "Etc/UTC", "time": "12:30", "target_timezone": "Asia/Kolkata"});
    let value = ok(&call_mcp(&mut tools, &server, "convert_time", args, &[])).clone();
    assert_eq!(value["source"]["timezone"], json!("Etc/UTC"));
    assert_eq!(value["target"]["timezone"], json!("Asia/Kolkata"));
    let target = value["target"]["datetime"].as_str().unwrap();
    assert!(target.contains("T18:00:00") && target.ends_with("+05:30"), "{target}");
    assert_eq!(value["time_difference"], json!("+5.5h"));
    // The server's own refusal is a tool error carrying its text.
    let bad = call_mcp(
        &mut tools,
        &server,
        "convert_time",
        json!({"source_timezone": "Etc/UTC", "time": "25:99", "target_timezone": "Asia/Kolkata"}),
        &[],
    );
    let message = failed(&bad, ErrorKind::Failed);
    assert!(message.starts_with("tool error: Srv: failed: `convert_time` failed: "), "{message}");
    assert!(message.to_lowercase().contains("time"), "{message}");
}

#[test]
fn everything_server_text_results_and_dashed_names() {
    let server = everything_server();
    let mut tools = Tools::new(Config::default());
    let echo = call_mcp(&mut tools, &server, "echo", json!({"message": "héllo {json}"}), &[]);
    assert_eq!(ok(&echo), &json!("Echo: héllo {json}"));
    // `get-sum` is called as `get_sum`; Int and Float both fit a `number`.
    let sum = call_mcp(&mut tools, &server, "get_sum", json!({"a": 2, "b": 3.5}), &[]);
    let text = ok(&sum).as_str().expect("a text result").to_owned();
    assert!(text.contains("5.5"), "{text}");
    assert_eq!(sum.attributes["gen_ai.tool.name"], json!("get-sum"));
    // structuredContent wins over the text content.
    let weather = call_mcp(&mut tools, &server, "get_structured_content", json!({"location": "Chicago"}), &[]);
    let weather = ok(&weather);
    assert!(weather.is_object() && weather.get("temperature").is_some(), "{weather}");
}

#[test]
fn arguments_are_checked_against_the_input_schema() {
    let server = everything_server();
    let mut tools = Tools::new(Config::default());
    let missing = call_mcp(&mut tools, &server, "get_sum", json!({"a": 1}), &[]);
    assert_eq!(
        failed(&missing, ErrorKind::InvalidArgs),
        "tool error: Srv: invalid_args: missing argument `b`; the tool takes get_sum(a: Float, b: Float)"
    );
    let wrong = call_mcp(&mut tools, &server, "get_sum", json!({"a": 1, "b": "2"}), &[]);
    assert_eq!(
        failed(&wrong, ErrorKind::InvalidArgs),
        "tool error: Srv: invalid_args: argument `b`: expected Float, got String; the tool takes get_sum(a: Float, b: Float)"
    );
    let unknown = call_mcp(&mut tools, &server, "echo", json!({"message": "x", "loud": true}), &[]);
    assert_eq!(
        failed(&unknown, ErrorKind::InvalidArgs),
        "tool error: Srv: invalid_args: unknown argument `loud`; the tool takes echo(message: String)"
    );
    let not_listed = call_mcp(&mut tools, &server, "no_such_tool", json!({}), &[]);
    let message = failed(&not_listed, ErrorKind::NotFound);
    assert!(message.contains("has no tool `no_such_tool` (it lists: echo, "), "{message}");
    assert!(message.contains("get_sum"), "{message}");
    // The connection is still fine afterwards.
    assert_eq!(ok(&call_mcp(&mut tools, &server, "echo", json!({"message": "still"}), &[])), &json!("Echo: still"));
}

#[test]
fn rejected_arguments_are_never_sent() {
    let dir = scratch("unsent");
    let server = filesystem_server(&dir);
    let mut tools = Tools::new(Config::default());
    let target = dir.join("note.txt");
    let path = target.to_str().unwrap();
    // The server itself would ignore `mode` and write the file: the runtime refuses before sending.
    let unknown = call_mcp(&mut tools, &server, "write_file", json!({"path": path, "content": "x", "mode": 1}), &[]);
    failed(&unknown, ErrorKind::InvalidArgs);
    let wrong = call_mcp(&mut tools, &server, "write_file", json!({"path": path, "content": 42}), &[]);
    failed(&wrong, ErrorKind::InvalidArgs);
    assert!(!target.exists(), "nothing reached the server");
    ok(&call_mcp(&mut tools, &server, "write_file", json!({"path": path, "content": "written"}), &[]));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "written");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn filesystem_server_reads_inside_and_refuses_outside() {
    let dir = scratch("fs");
    std::fs::write(dir.join("a.txt"), "alpha\n").unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    let outside = scratch("fs-outside");
    std::fs::write(outside.join("secret.txt"), "no").unwrap();
    let server = filesystem_server(&dir);
    let mut tools = Tools::new(Config::default());
    let read = call_mcp(&mut tools, &server, "read_text_file", json!({"path": dir.join("a.txt")}), &[]);
    assert_eq!(ok(&read)["content"], json!("alpha\n"));
    let listed = call_mcp(&mut tools, &server, "list_directory", json!({"path": dir}), &[]);
    let listing = ok(&listed)["content"].as_str().expect("listing text").to_owned();
    assert!(listing.contains("[FILE] a.txt") && listing.contains("[DIR] sub"), "{listing}");
    let refused = call_mcp(&mut tools, &server, "read_text_file", json!({"path": outside.join("secret.txt")}), &[]);
    let message = failed(&refused, ErrorKind::Failed);
    assert!(message.contains("`read_text_file` failed: ") && message.contains("denied"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

#[test]
fn grants_deny_before_the_server_sees_the_call() {
    let dir = scratch("grant");
    let server = filesystem_server(&dir);
    let mut tools = Tools::new(Config::default());
    let grants = [grant("max_calls", json!(1))];
    let first = dir.join("first.txt");
    let second = dir.join("second.txt");
    ok(&call_mcp(&mut tools, &server, "write_file", json!({"path": first, "content": "1"}), &grants));
    let denied = call_mcp(&mut tools, &server, "write_file", json!({"path": second, "content": "2"}), &grants);
    assert_eq!(denied.status, Status::Denied);
    let message = denied.result.as_ref().unwrap_err();
    assert!(message.starts_with("tool policy violation: Srv: max_calls: "), "{message}");
    assert!(first.exists() && !second.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deadlines_stop_slow_tools() {
    let server = everything_server();
    let mut tools = Tools::new(Config::default());
    // Warm up, so the deadline covers only the call (a grant's `timeout_ms` is not sent to the tool).
    ok(&call_mcp(&mut tools, &server, "echo", json!({"message": "up"}), &[]));
    let started = Instant::now();
    let slow = call_mcp(
        &mut tools,
        &server,
        "trigger_long_running_operation",
        json!({"duration": 2, "steps": 2}),
        &[grant("timeout_ms", json!(400))],
    );
    let message = failed(&slow, ErrorKind::Timeout);
    assert!(message.contains("did not answer within"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[test]
fn configured_servers_and_their_allow_list() {
    let toml = format!(
        "[providers.mcp.clock]\nuri = {:?}\ntools = [\"clock.get_current_time\"]\n\n[providers.mcp.broken]\nuri = \"lumen-no-such-server --stdio\"\n",
        time_server()
    );
    let mut tools = Tools::new(Config::parse(&toml).unwrap());
    let now = call_path(&mut tools, "clock.get_current_time", json!({"timezone": "Etc/UTC"}));
    assert_eq!(ok(&now)["timezone"], json!("Etc/UTC"));
    assert_eq!(now.provider.as_deref(), Some("mcp"));
    assert_eq!(now.attributes["mcp.server"], json!("clock"));
    let unlisted = call_path(
        &mut tools,
        "clock.convert_time",
        json!({"source_timezone": "Etc/UTC", "time": "10:00", "target_timezone": "Etc/UTC"}),
    );
    assert_eq!(
        failed(&unlisted, ErrorKind::NotFound),
        "tool error: Srv: not_found: `clock.convert_time` is not in the `tools` list of [providers.mcp.clock]"
    );
    let broken = call_path(&mut tools, "broken.anything", json!({}));
    let message = failed(&broken, ErrorKind::Unavailable);
    assert!(
        message.contains("MCP server `lumen-no-such-server --stdio`: command `lumen-no-such-server` not found"),
        "{message}"
    );
}

#[test]
fn servers_that_cannot_start_are_unavailable() {
    let mut tools = Tools::new(Config::default());
    let started = Instant::now();
    let missing = call_mcp(&mut tools, "lumen-definitely-missing-mcp --stdio", "x", json!({}), &[]);
    let message = failed(&missing, ErrorKind::Unavailable);
    assert!(message.contains("command `lumen-definitely-missing-mcp` not found"), "{message}");
    // Not an MCP server: it prints and exits before the handshake.
    let early = call_mcp(&mut tools, "sh -c 'echo not an mcp server >&2'", "x", json!({}), &[]);
    let message = failed(&early, ErrorKind::Unavailable);
    assert!(message.contains("handshake") && message.contains("not an mcp server"), "{message}");
    // Silent and alive: the call's deadline bounds the wait.
    let silent = call_mcp(&mut tools, "sleep 30", "x", json!({}), &[grant("timeout_ms", json!(500))]);
    let message = failed(&silent, ErrorKind::Timeout);
    assert!(message.contains("MCP server `sleep 30` did not start within the deadline of "), "{message}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn one_server_per_run_shut_down_at_the_end() {
    let dir = scratch("lifecycle");
    let marker = dir.to_str().unwrap().to_owned();
    let server = filesystem_server(&dir);
    let mut tools = Tools::new(Config::default());
    for _ in 0..3 {
        ok(&call_mcp(&mut tools, &server, "list_allowed_directories", json!({}), &[]));
    }
    assert_eq!(processes_with(&marker), 1, "one server process serves every call");
    drop(tools);
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_with(&marker) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(processes_with(&marker), 0, "the server exited when the run ended");
    std::fs::remove_dir_all(&dir).unwrap();
}
