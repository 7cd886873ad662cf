//! End-to-end tests of tool calls through the `lumen` binary: real HTTP against a server in the test,
//! grants, `lumen.toml` providers, traces (`--trace-dir`, `lumen trace show --verify-chain`) and
//! replay (`--replay`).

#[path = "../../lumen_runtime/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::{Response, Server};

/// A fresh directory with an empty `lumen.toml`, so no configuration from outside the test applies.
fn workdir(name: &str, toml: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tools-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lumen.toml"), toml).unwrap();
    dir
}

fn lumen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
        .env("NO_COLOR", "1")
        .env("LUMEN_TEST_LLM_KEY", "sk-e2e-secret")
        .output()
        .expect("the lumen binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The single trace file in `dir/traces`.
fn trace_file(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("traces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.remove(0)
}

fn events(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn fetch_program(url: &str) -> String {
    format!(
        r#"use tool http.get as Fetch
grant Fetch domain "127.0.0.1" timeout_ms 5000

cell main()
  let r = Fetch(url: "{url}")
  print(r["status"])
  print(r["body"])
  print(r["headers"]["x-served-by"])
  print(uuid())
  print(timestamp())
  print(random())
end
"#
    )
}

#[test]
fn http_call_is_traced_then_replayed_without_the_server() {
    let dir = workdir("replay", "");
    let server = Server::start(|req, _| {
        Response::new(200, format!("hello from {}", req.target)).with_header("x-served-by", "test")
    });
    std::fs::write(dir.join("fetch.lm"), fetch_program(&server.url("/greeting"))).unwrap();
    let recorded = lumen(&dir, &["run", "fetch.lm", "--trace-dir", "traces"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded.stderr));
    let stdout = text(&recorded.stdout);
    assert!(stdout.starts_with("200\nhello from /greeting\ntest\n"), "{stdout}");
    assert_eq!(server.requests().len(), 1);
    drop(server);

    let trace = trace_file(&dir);
    let all = events(&trace);
    let tool: Vec<&Value> = all.iter().filter(|e| e["kind"] == "tool_call").collect();
    assert_eq!(tool.len(), 1);
    assert_eq!(tool[0]["alias"], json!("Fetch"));
    assert_eq!(tool[0]["provider"], json!("builtin-http"));
    assert_eq!(tool[0]["status"], json!("ok"));
    assert_eq!(tool[0]["output"]["body"], json!("hello from /greeting"));
    assert_eq!(all[0]["kind"], json!("run_start"));
    assert_eq!(all[0]["file"], json!("fetch.lm"));
    assert_eq!(all.last().unwrap()["kind"], json!("run_end"));

    // Nothing listens on the port any more: the answers must come from the trace.
    let trace_arg = trace.to_string_lossy().into_owned();
    for _ in 0..2 {
        let replayed = lumen(&dir, &["run", "--replay", &trace_arg, "fetch.lm"]);
        assert_eq!(replayed.status.code(), Some(0), "{}", text(&replayed.stderr));
        assert_eq!(replayed.stdout, recorded.stdout, "replayed stdout is byte-identical");
        assert!(replayed.stderr.is_empty(), "{}", text(&replayed.stderr));
    }

    let shown = lumen(&dir, &["trace", "show", &trace_arg, "--verify-chain"]);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let timeline = text(&shown.stdout);
    assert!(timeline.contains("run_start"), "{timeline}");
    assert!(timeline.contains("Fetch [http.get] via builtin-http ok"), "{timeline}");
    assert!(timeline.contains("random_seed() -> "), "{timeline}");
    assert!(text(&shown.stderr).contains("chain ok"), "{}", text(&shown.stderr));
    let json_lines = lumen(&dir, &["trace", "show", &trace_arg, "--format", "json"]);
    assert_eq!(text(&json_lines.stdout).lines().count(), all.len());
    // A run id is looked up in --trace-dir.
    let run_id = trace.file_stem().unwrap().to_string_lossy().into_owned();
    let by_id = lumen(&dir, &["trace", "show", &run_id, "--trace-dir", "traces"]);
    assert_eq!(by_id.stdout, shown.stdout);
}

#[test]
fn replay_divergence_stops_the_run() {
    let dir = workdir("diverge", "");
    let server = Server::start(|_, _| Response::new(200, "ok").with_header("x-served-by", "s"));
    std::fs::write(dir.join("fetch.lm"), fetch_program(&server.url("/one"))).unwrap();
    let recorded = lumen(&dir, &["run", "fetch.lm", "--trace-dir", "traces"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded.stderr));
    let trace = trace_file(&dir).to_string_lossy().into_owned();
    std::fs::write(dir.join("changed.lm"), fetch_program(&server.url("/two"))).unwrap();
    let replayed = lumen(&dir, &["run", "--replay", &trace, "changed.lm"]);
    assert_eq!(replayed.status.code(), Some(1));
    let stderr = text(&replayed.stderr);
    let expected = format!(
        "error: replay diverged at event 2: expected Fetch(url: \"{}\", timeout_ms: 5000) [http.get], got Fetch(url: \"{}\", timeout_ms: 5000) [http.get]",
        server.url("/one"),
        server.url("/two")
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(replayed.stdout.is_empty());
    assert_eq!(server.requests().len(), 1, "replay contacted no provider");

    // A program that stops before the recorded calls are used up also diverges.
    std::fs::write(dir.join("short.lm"), "cell main()\n  print(\"short\")\nend\n").unwrap();
    let short = lumen(&dir, &["run", "--replay", &trace, "short.lm"]);
    assert_eq!(short.status.code(), Some(1));
    assert!(text(&short.stderr).contains("replay diverged at event 2: expected Fetch("), "{}", text(&short.stderr));
    assert!(text(&short.stderr).contains("got end of run"));

    // Host calls diverge too: here the program asks for the time where the trace has a tool call.
    std::fs::write(dir.join("clock.lm"), "cell main()\n  print(\"before\")\n  print(timestamp())\nend\n").unwrap();
    let clock = lumen(&dir, &["run", "--replay", &trace, "clock.lm"]);
    assert_eq!(clock.status.code(), Some(1));
    assert_eq!(text(&clock.stdout), "before\n");
    assert!(text(&clock.stderr).contains("replay diverged at event 2: expected Fetch("), "{}", text(&clock.stderr));
    assert!(text(&clock.stderr).contains("got now()"));
}

#[test]
fn tampering_breaks_the_chain() {
    let dir = workdir("tamper", "");
    let server = Server::start(|_, _| Response::new(200, "the real answer").with_header("x-served-by", "s"));
    std::fs::write(dir.join("fetch.lm"), fetch_program(&server.url("/"))).unwrap();
    assert_eq!(lumen(&dir, &["run", "fetch.lm", "--trace-dir", "traces"]).status.code(), Some(0));
    let trace = trace_file(&dir);
    let original = std::fs::read_to_string(&trace).unwrap();
    let tool_seq = events(&trace).iter().find(|e| e["kind"] == "tool_call").unwrap()["seq"].as_u64().unwrap();
    std::fs::write(&trace, original.replace("the real answer", "a forged answer")).unwrap();
    let trace_arg = trace.to_string_lossy().into_owned();
    let verify = lumen(&dir, &["trace", "show", &trace_arg, "--verify-chain"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        text(&verify.stderr).contains(&format!("hash chain broken at event {tool_seq}: the hash does not match")),
        "{}",
        text(&verify.stderr)
    );
    let replay = lumen(&dir, &["run", "--replay", &trace_arg, "fetch.lm"]);
    assert_eq!(replay.status.code(), Some(1));
    assert!(text(&replay.stderr).contains("hash chain is broken"), "{}", text(&replay.stderr));
    // Dropping a line breaks the sequence.
    let lines: Vec<&str> = original.lines().collect();
    let without: String = lines.iter().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&trace, without).unwrap();
    let verify = lumen(&dir, &["trace", "show", &trace_arg, "--verify-chain"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(text(&verify.stderr).contains("hash chain broken at event 1: expected seq 1"), "{}", text(&verify.stderr));
    let missing = lumen(&dir, &["trace", "show", "no-such-run"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn grants_deny_before_anything_is_sent() {
    let dir = workdir("deny", "");
    let server = Server::start(|_, _| Response::new(200, "should not be reached"));
    let program = format!(
        "use tool http.get as Fetch\ngrant Fetch domain \"api.example.com\"\n\ncell main()\n  print(\"start\")\n  print(Fetch(url: \"{}\"))\nend\n",
        server.url("/")
    );
    std::fs::write(dir.join("deny.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "deny.lm", "--trace-dir", "traces"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "start\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "error: tool policy violation: Fetch: domain: host \"127.0.0.1\" is not granted (granted: api.example.com)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("at main (deny.lm:6)"), "{stderr}");
    assert!(server.requests().is_empty());
    let all = events(&trace_file(&dir));
    let tool = all.iter().find(|e| e["kind"] == "tool_call").unwrap();
    assert_eq!(tool["status"], json!("denied"));
    assert_eq!(all.last().unwrap()["status"], json!("error"));
}

#[test]
fn fs_tools_stay_inside_path_prefix() {
    let dir = workdir("fs", "");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/in.txt"), "input text").unwrap();
    let program = r#"use tool fs.read as Read
use tool fs.write as Write
use tool fs.list as List
grant Read path_prefix "./data"
grant Write path_prefix "./data"
grant List path_prefix "./data"

cell main()
  print(Read(path: "data/in.txt"))
  Write(path: "data/out.txt", content: "written")
  print(List(path: "data"))
  print(Read(path: "data/../secret.txt"))
end
"#;
    std::fs::write(dir.join("fs.lm"), program).unwrap();
    std::fs::write(dir.join("secret.txt"), "secret").unwrap();
    let out = lumen(&dir, &["run", "fs.lm"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "input text\n[\"in.txt\", \"out.txt\"]\n");
    assert_eq!(std::fs::read_to_string(dir.join("data/out.txt")).unwrap(), "written");
    assert!(
        text(&out.stderr).starts_with("error: tool policy violation: Read: path_prefix: path \"data/../secret.txt\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mock_provider_from_lumen_toml() {
    let toml = r#"
[providers]
"weather.get" = "mock"

[providers.config.mock]
"weather.get" = [{ city = "Oslo", temp = -3 }, { city = "Rome", temp = 18 }]
"#;
    let dir = workdir("mock", toml);
    let program = r#"use tool weather.get as Weather
grant Weather max_calls 2

cell main()
  for city in ["Oslo", "Rome"]
    let w = Weather(city: city)
    print("{w["city"]}: {w["temp"]}")
  end
  Weather(city: "Lima")
end
"#;
    std::fs::write(dir.join("weather.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "weather.lm"]);
    assert_eq!(text(&out.stdout), "Oslo: -3\nRome: 18\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("tool policy violation: Weather: max_calls: limit of 2 call(s) per run reached")
    );
    // The lumen.toml of the working directory's ancestors is found too.
    std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    let nested = lumen(&dir.join("sub/deeper"), &["run", "../../weather.lm"]);
    assert_eq!(text(&nested.stdout), "Oslo: -3\nRome: 18\n");
    std::fs::write(dir.join("lumen.toml"), "[providers\n").unwrap();
    let broken = lumen(&dir, &["run", "weather.lm"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(text(&broken.stderr).starts_with("error: bad configuration: "), "{}", text(&broken.stderr));
}

#[test]
fn llm_chat_through_an_openai_compatible_server() {
    let server = Server::start(|req, i| {
        if i == 0 {
            return Response::json(429, &json!({"error": {"message": "slow down"}})).with_header("retry-after", "0");
        }
        let prompt = req.body_json()["messages"][0]["content"].as_str().unwrap_or("").to_owned();
        Response::json(
            200,
            &json!({
                "model": "tiny",
                "choices": [{"message": {"role": "assistant", "content": format!("echo: {prompt}")}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 2}
            }),
        )
    });
    let toml = format!(
        r#"
[providers]
"llm.chat" = "openai-compatible"

[providers.config.openai-compatible]
base_url = "{}/v1"
api_key_env = "LUMEN_TEST_LLM_KEY"
default_model = "tiny"
retry_base_ms = 1
"#,
        server.url("")
    );
    let dir = workdir("llm", &toml);
    let program = "use tool llm.chat as Chat\ngrant Chat max_tokens 64 max_retries 2\n\ncell main()\n  print(Chat(prompt: \"Hi\"))\nend\n";
    std::fs::write(dir.join("chat.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "chat.lm", "--trace-dir", "traces"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "echo: Hi\n");
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "one 429, one success");
    assert_eq!(seen[1].header("authorization"), Some("Bearer sk-e2e-secret"));
    assert_eq!(seen[1].body_json()["max_tokens"], json!(64));
    let trace = trace_file(&dir);
    let raw = std::fs::read_to_string(&trace).unwrap();
    assert!(!raw.contains("sk-e2e-secret"), "the key never reaches the trace");
    let tool = events(&trace).into_iter().find(|e| e["kind"] == "tool_call").unwrap();
    assert_eq!(tool["gen_ai.usage.input_tokens"], json!(5));
    assert_eq!(tool["gen_ai.usage.output_tokens"], json!(2));
    assert_eq!(tool["gen_ai.request.model"], json!("tiny"));
    assert_eq!(tool["retries"], json!(1));
    drop(server);
    let replayed = lumen(&dir, &["run", "chat.lm", "--replay", &trace.to_string_lossy()]);
    assert_eq!(replayed.status.code(), Some(0), "{}", text(&replayed.stderr));
    assert_eq!(replayed.stdout, out.stdout);
}

fn example(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/tools").join(path)
}

#[test]
fn examples_run() {
    // mock/: its own lumen.toml is found in the working directory.
    let mock = lumen(&example("mock"), &["run", "weather.lm"]);
    assert_eq!(mock.status.code(), Some(0), "{}", text(&mock.stderr));
    assert_eq!(text(&mock.stdout), "Oslo: -3 degrees, snow\nWear a warm coat.\nTake the bus.\n");

    // fs_notes.lm writes under the working directory, then is refused outside its prefix.
    let dir = workdir("example-fs", "");
    let fs = lumen(&dir, &["run", &example("fs_notes.lm").to_string_lossy()]);
    assert_eq!(text(&fs.stdout), "[\"today.txt\"]\nwater the plants\n");
    assert_eq!(fs.status.code(), Some(1));
    assert!(text(&fs.stderr).starts_with("error: tool policy violation: Load: path_prefix:"), "{}", text(&fs.stderr));

    // http_get.lm against the test server, the URL passed as a program argument.
    let server = Server::start(|_, _| Response::new(200, "plain answer"));
    let http = lumen(&dir, &["run", &example("http_get.lm").to_string_lossy(), "--", &server.url("/")]);
    assert_eq!(http.status.code(), Some(0), "{}", text(&http.stderr));
    assert_eq!(text(&http.stdout), "status 200, 12 bytes\nplain answer\n");
    assert_eq!(server.requests()[0].header("accept"), Some("text/plain"));
}

#[test]
fn llm_example_with_structured_output() {
    let server = Server::start(|req, _| {
        let body = req.body_json();
        let content = if body.get("response_format").is_some() {
            r#"{"city": "Oslo", "country": "Norway"}"#
        } else {
            "Because of Rayleigh scattering."
        };
        Response::json(200, &json!({"choices": [{"message": {"role": "assistant", "content": content}}]}))
    });
    let toml = format!(
        "[providers]\n\"llm.chat\" = \"openai-compatible\"\n\n[providers.config.openai-compatible]\nbase_url = \"{}/v1\"\ndefault_model = \"m\"\n",
        server.url("")
    );
    let dir = workdir("example-llm", &toml);
    let out = lumen(&dir, &["run", &example("llm/chat.lm").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Because of Rayleigh scattering.\nOslo is in Norway\n");
    let first = server.requests()[0].body_json();
    assert_eq!(first["messages"][0], json!({"role": "system", "content": "Answer in one sentence."}));
    assert_eq!(first["temperature"], json!(0.2));
    assert_eq!(first["max_tokens"], json!(200));
}

#[test]
fn replay_command_reruns_the_recorded_file_without_its_providers() {
    let toml = r#"
[providers]
"weather.get" = "mock"

[providers.config.mock]
"weather.get" = ["sunny", "rainy"]
"#;
    let dir = workdir("replay-cmd", toml);
    let program = r#"agent Forecaster
  use tool weather.get as Weather
  grant Weather max_calls 5

  cell today(self, city: String) -> String = "{city}: {Weather(city: city)}"
end

cell main()
  let f = Forecaster()
  print(f.today("Oslo"))
  print(f.today("Bergen"))
end
"#;
    std::fs::write(dir.join("forecast.lm"), program).unwrap();
    let recorded = lumen(&dir, &["run", "--trace-dir", "traces", "forecast.lm"]);
    assert_eq!(text(&recorded.stdout), "Oslo: sunny\nBergen: rainy\n", "{}", text(&recorded.stderr));
    let trace = trace_file(&dir);
    // Without the mock configuration, only the trace can answer.
    std::fs::write(dir.join("lumen.toml"), "").unwrap();
    let replayed = lumen(&dir, &["replay", trace.to_str().unwrap()]);
    assert_eq!(replayed.status.code(), Some(0), "{}", text(&replayed.stderr));
    assert_eq!(text(&replayed.stdout), text(&recorded.stdout));
    // The program changed: the first call that differs stops the replay.
    std::fs::write(dir.join("forecast.lm"), program.replace("Bergen", "Tromso")).unwrap();
    let diverged = lumen(&dir, &["replay", trace.to_str().unwrap()]);
    assert_eq!(diverged.status.code(), Some(1));
    assert!(text(&diverged.stderr).contains("replay diverged at event"), "{}", text(&diverged.stderr));
}

#[test]
fn program_events_are_traced() {
    let dir = workdir("program-events", "");
    let program = r#"effect Ask
  cell get() -> Int
end

record P
  a: Int
end

cell main()
  emit "hello"
  let v = handle
    perform Ask.get() + 1
  with
    Ask.get() => resume(41)
  end
  print(v)
  let p = "{\"a\": 3}" expect schema P
  print(p.a)
end
"#;
    std::fs::write(dir.join("events.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "--trace-dir", "traces", "events.lm"]);
    assert_eq!(text(&out.stdout), "hello\n42\n3\n", "{}", text(&out.stderr));
    let kinds: Vec<String> =
        events(&trace_file(&dir)).iter().map(|e| e["kind"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(
        kinds,
        ["run_start", "cell_start", "emit", "effect", "schema_validate", "cell_end", "run_end"],
        "{kinds:?}"
    );
    let evs = events(&trace_file(&dir));
    assert_eq!(evs[2]["value"], json!("hello"));
    assert_eq!(evs[3]["operation"], json!("get"));
    assert_eq!(evs[4]["valid"], json!(true));
}

#[test]
fn env_and_json_tools_are_builtin_and_granted() {
    let dir = workdir("env-json", "");
    std::fs::write(
        dir.join("env.lm"),
        r#"use tool env.get as Env
use tool json.parse as Parse
use tool json.get as Pick
grant Env names ["LUMEN_E2E_*"]
grant Parse
grant Pick

cell main()
  print(Env(name: "LUMEN_E2E_MODE"))
  print(Env(name: "LUMEN_E2E_UNSET") == null)
  let doc = Parse(text: "{\"items\": [{\"id\": 7}, {\"id\": 9}]}")
  print(Pick(value: doc, pointer: "/items/1/id"))
  print(Env(name: "HOME"))
end
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(["run", "env.lm"])
        .current_dir(&dir)
        .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
        .env("NO_COLOR", "1")
        .env("LUMEN_E2E_MODE", "staging")
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "staging\ntrue\n9\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("tool error: Env: invalid_args: `HOME` is not among the granted names (LUMEN_E2E_*)"),
        "{stderr}"
    );
}
