//! `lumen run` against a real local model (llama-cpp-python's server with SmolLM2, installed by
//! `scripts/setup-peers`): `expect schema` with grammar-constrained decoding yields values of the
//! Lumen type, and a recorded run replays to byte-identical output with no model reachable. The
//! model's words are not predictable; the programs print types and shapes, not text.

#[path = "../../lumen_runtime/tests/local_model/peer.rs"]
mod peer;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("local-model-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `lumen.toml` for the provider at `base_url`, as examples/tools/local_model.toml has it.
fn write_config(dir: &Path, base_url: &str) {
    let example = include_str!("../../../examples/tools/local_model.toml");
    let toml = example.replace("http://127.0.0.1:8080/v1", base_url);
    assert_ne!(toml, example, "the example's base_url is replaced");
    std::fs::write(dir.join("lumen.toml"), toml).unwrap();
}

/// A base URL where nothing listens.
fn closed_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/v1")
}

fn lumen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the lumen binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `file` with a trace, then replays the trace with the provider pointed at a closed port:
/// the replay must print exactly what the run printed. Returns the run's stdout and tool calls.
fn record_and_replay(dir: &Path, file: &str) -> (String, Vec<Value>) {
    write_config(dir, &peer::local_model().base_url);
    let recorded = lumen(dir, &["run", file, "--trace-dir", "traces"]);
    assert_eq!(
        recorded.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&recorded.stdout),
        text(&recorded.stderr)
    );
    let traces: Vec<PathBuf> = std::fs::read_dir(dir.join("traces")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(traces.len(), 1, "{traces:?}");
    let trace = traces[0].to_string_lossy().into_owned();
    let calls: Vec<Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| event["kind"] == "tool_call")
        .collect();
    write_config(dir, &closed_url());
    let replayed = lumen(dir, &["run", "--replay", &trace, file]);
    assert_eq!(replayed.status.code(), Some(0), "{}", text(&replayed.stderr));
    assert_eq!(text(&replayed.stdout), text(&recorded.stdout), "replayed stdout is byte-identical");
    // The trace is intact.
    let shown = lumen(dir, &["trace", "show", &trace, "--verify-chain"]);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    (text(&recorded.stdout), calls)
}

const TYPED: &str = r#"use tool llm.chat as Chat
grant Chat max_tokens 48 timeout_ms 120000

record Point
  x: Int
  y: Int
end

cell main()
  let p = Chat(system: "Reply with JSON only.", prompt: "Give a point with integer coordinates x and y.") expect schema Point
  print(type_of(p))
  print(type_of(p.x))
  print(type_of(p.y))
  let streamed = Chat(prompt: "Another point, as JSON.", stream: true) expect schema Point
  print(type_of(streamed.x))
end
"#;

#[test]
fn expect_schema_decodes_into_the_lumen_type_and_replays() {
    let dir = workdir("typed");
    std::fs::write(dir.join("point.lm"), TYPED).unwrap();
    let (stdout, calls) = record_and_replay(&dir, "point.lm");
    assert_eq!(stdout, "Point\nInt\nInt\nInt\n");
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call["status"], json!("ok"), "{call}");
        assert_eq!(call["provider"], json!("openai-compatible"));
        // `expect schema` sent the type's schema and grammar.
        assert!(call["input"]["schema"].is_object(), "{call}");
        assert!(call["input"]["grammar"].as_str().is_some_and(|g| g.contains("root")), "{call}");
        assert!(call["output"]["x"].is_i64() && call["output"]["y"].is_i64(), "{call}");
        assert!(
            call["gen_ai.usage.input_tokens"].as_u64().is_some_and(|n| n > 0)
                || call["gen_ai.request.stream"] == json!(true)
        );
    }
    assert!(calls[1]["lumen.time_to_first_token_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{}", calls[1]);
}

#[test]
fn the_local_model_example_runs_and_replays() {
    let dir = workdir("example");
    let example = include_str!("../../../examples/tools/local_model.lm.md");
    std::fs::write(dir.join("local_model.lm.md"), example).unwrap();
    let (stdout, calls) = record_and_replay(&dir, "local_model.lm.md");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 3, "{stdout}");
    assert!(lines[0].starts_with("a point: ("), "{stdout}");
    assert_eq!(lines[1], "streamed String: true");
    assert!(lines[2..].iter().all(|l| *l == "tool call: weather with Map arguments"), "{stdout}");
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[2]["gen_ai.response.finish_reasons"], json!(["tool_calls"]));
}

#[test]
fn a_first_token_deadline_of_one_millisecond_stops_the_run() {
    let dir = workdir("ttft");
    write_config(&dir, &peer::local_model().base_url);
    let program = "use tool llm.chat as Chat\ngrant Chat max_tokens 8\n\ncell main()\n  print(Chat(prompt: \"Hi\", stream: true, ttft_timeout_ms: 1))\nend\n";
    std::fs::write(dir.join("late.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "late.lm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("tool error: Chat: timeout: no first token within 1 ms (ttft_timeout_ms)"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
