//! `RuntimeHost`: traces of tool and host calls, replay from them, divergence.

use std::io;
use std::path::{Path, PathBuf};

use lumen_runtime::request::{Grant, ToolRequest};
use lumen_runtime::trace::{GENESIS_HASH, read_trace, verify_chain};
use lumen_runtime::{Config, Replay, RunEnd, RuntimeHost, Tools, TraceWriter};
use lumen_vm::host::{Host, TestHost};
use serde_json::{Map, Value, json};

const MOCK: &str = r#"
[providers]
"weather.get" = "mock"

[providers.config.mock]
"weather.get" = [{ temp = 1 }, { temp = 2 }]
"#;

/// A test host whose environment has every variable set to `value-of-NAME`.
struct EnvHost(TestHost);

impl Host for EnvHost {
    fn write_stdout(&mut self, text: &str) {
        self.0.write_stdout(text);
    }
    fn write_stderr(&mut self, text: &str) {
        self.0.write_stderr(text);
    }
    fn now(&mut self) -> f64 {
        self.0.now()
    }
    fn hrtime(&mut self) -> i64 {
        self.0.hrtime()
    }
    fn random_u64(&mut self) -> u64 {
        self.0.random_u64()
    }
    fn sleep_ms(&mut self, ms: u64) {
        self.0.sleep_ms(ms);
    }
    fn get_env(&mut self, name: &str) -> Option<String> {
        Some(format!("value-of-{name}"))
    }
    fn args(&mut self) -> Vec<String> {
        self.0.args()
    }
    fn read_file(&mut self, path: &str) -> io::Result<String> {
        self.0.read_file(path)
    }
    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.0.write_file(path, content)
    }
    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.0.append_file(path, content)
    }
    fn exists(&mut self, path: &str) -> bool {
        self.0.exists(path)
    }
    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>> {
        self.0.read_dir(path)
    }
    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.0.mkdir(path)
    }
    fn read_line(&mut self) -> Option<String> {
        self.0.read_line()
    }
    fn read_stdin(&mut self) -> String {
        self.0.read_stdin()
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn weather(host: &mut dyn Host, city: &str, grants: &[Grant]) -> Result<Value, String> {
    host.call_tool(ToolRequest {
        alias: "Weather",
        path: "weather.get",
        version: None,
        provider: None,
        mcp_command: None,
        args: json!({ "city": city }).as_object().cloned().unwrap(),
        grants,
    })
}

fn grants() -> Vec<Grant> {
    vec![
        Grant { key: "units".to_owned(), value: json!("metric") },
        Grant { key: "max_calls".to_owned(), value: json!(2) },
    ]
}

/// A little "program": reads the clock, randomness, the environment and a file, calls the tool
/// three times (the third is denied by `max_calls`), printing what it gets.
fn program(host: &mut dyn Host) {
    let now = host.now();
    let r = (host.random_u64(), host.random_u64());
    let home = host.get_env("HOME");
    let missing = host.read_file("missing.txt").map_err(|e| e.to_string());
    host.write_stdout(&format!("{now} {r:?} {home:?} {missing:?}\n"));
    let grants = grants();
    for city in ["Oslo", "Rome", "Lima"] {
        let answer = weather(host, city, &grants);
        host.write_stdout(&format!("{city}: {answer:?}\n"));
    }
}

fn record(dir: &Path) -> (PathBuf, String) {
    let writer = TraceWriter::create(dir, "run-a").unwrap();
    let inner = TestHost { clock: 1234.5, rng: 99, ..TestHost::default() };
    let mut host = RuntimeHost::new(inner, Tools::new(Config::parse(MOCK).unwrap()))
        .with_trace(writer, "prog.lm", "source", "main");
    program(&mut host);
    let finished = host.finish(RunEnd::Ok);
    assert_eq!(finished, Default::default());
    (host.trace_path().unwrap().to_owned(), host.inner().stdout.clone())
}

fn kinds(events: &[Map<String, Value>]) -> Vec<String> {
    events
        .iter()
        .map(|e| format!("{}:{}", e["kind"].as_str().unwrap(), e.get("call").and_then(Value::as_str).unwrap_or("")))
        .collect()
}

#[test]
fn a_run_is_recorded_as_a_chained_trace() {
    let dir = scratch("record");
    let (path, stdout) = record(&dir);
    assert_eq!(path, dir.join("run-a.jsonl"));
    assert!(stdout.contains("Oslo: Ok(Object {\"temp\": Number(1)})"), "{stdout}");
    assert!(
        stdout.contains("Lima: Err(\"tool policy violation: Weather: max_calls: limit of 2 call(s) per run reached\")")
    );
    let events = read_trace(&path).unwrap();
    assert_eq!(verify_chain(&events), Ok(()));
    assert_eq!(events[0]["prev_hash"], json!(GENESIS_HASH));
    assert_eq!(
        kinds(&events),
        [
            "run_start:",
            "host_call:now",
            "host_call:random_seed",
            "host_call:get_env",
            "host_call:read_file",
            "tool_call:",
            "tool_call:",
            "tool_call:",
            "run_end:"
        ]
    );
    let start = &events[0];
    assert_eq!(start["file"], json!("prog.lm"));
    assert_eq!(start["doc_hash"], json!(lumen_runtime::canon::sha256_hex(b"source")));
    assert_eq!(start["run_id"], json!("run-a"));
    assert_eq!(events[1]["output"], json!(1234.5));
    assert_eq!(events[4]["output"]["err"]["kind"], json!("NotFound"));
    let first = &events[5];
    assert_eq!(first["alias"], json!("Weather"));
    assert_eq!(first["path"], json!("weather.get"));
    assert_eq!(first["provider"], json!("mock"));
    assert_eq!(first["status"], json!("ok"));
    // The policy's exact key was filled in as an argument.
    assert_eq!(first["input"], json!({"city": "Oslo", "units": "metric"}));
    assert_eq!(first["output"], json!({"temp": 1}));
    assert_eq!(first["policy_hash"].as_str().unwrap().len(), 64);
    assert!(first["duration_ms"].is_number());
    let denied = &events[7];
    assert_eq!(denied["status"], json!("denied"));
    assert_eq!(denied["input"], json!({"city": "Lima"}));
    assert!(denied.get("output").is_none());
    assert_eq!(events[8]["status"], json!("ok"));
    for event in &events {
        let stamp = event["timestamp"].as_str().unwrap();
        assert!(stamp.len() == 24 && stamp.ends_with('Z') && &stamp[10..11] == "T", "{stamp}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replay_answers_from_the_trace_without_providers() {
    let dir = scratch("replay");
    let (path, recorded) = record(&dir);
    // Another clock, another seed, and no provider configured at all: everything must come from the log.
    let inner = TestHost { clock: 1.0, rng: 7, ..TestHost::default() };
    let mut host = RuntimeHost::new(inner, Tools::new(Config::default())).with_replay(Replay::load(&path).unwrap());
    program(&mut host);
    assert_eq!(host.finish(RunEnd::Ok), Default::default());
    assert_eq!(host.inner().stdout, recorded);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_replayed_run_can_be_traced_again() {
    let dir = scratch("retrace");
    let (path, _) = record(&dir);
    let writer = TraceWriter::create(&dir, "run-b").unwrap();
    let mut host = RuntimeHost::new(TestHost::default(), Tools::new(Config::default()))
        .with_replay(Replay::load(&path).unwrap())
        .with_trace(writer, "prog.lm", "source", "main");
    program(&mut host);
    host.finish(RunEnd::Ok);
    let again = read_trace(&dir.join("run-b.jsonl")).unwrap();
    let first = read_trace(&path).unwrap();
    assert_eq!(kinds(&again), kinds(&first));
    assert_eq!(again[0]["replay_of"], json!("run-a"));
    assert_eq!(again[5]["output"], first[5]["output"]);
    assert_eq!(again[5]["replayed"], json!(true));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_different_tool_call_diverges_and_silences_output() {
    let dir = scratch("diverge");
    let (path, _) = record(&dir);
    let mut host =
        RuntimeHost::new(TestHost::default(), Tools::new(Config::default())).with_replay(Replay::load(&path).unwrap());
    host.now();
    host.random_u64();
    host.get_env("HOME");
    let _ = host.read_file("missing.txt");
    let err = weather(&mut host, "Paris", &grants()).unwrap_err();
    assert_eq!(
        err,
        r#"replay diverged at event 5: expected Weather(city: "Oslo", units: "metric") [weather.get], got Weather(city: "Paris", units: "metric") [weather.get]"#
    );
    host.write_stdout("after the divergence\n");
    assert_eq!(host.inner().stdout, "");
    assert_eq!(weather(&mut host, "Oslo", &grants()).unwrap_err(), err, "the run stays diverged");
    assert_eq!(host.finish(RunEnd::Error(err)).divergence, None, "already reported");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stopping_early_on_replay_is_a_divergence() {
    let dir = scratch("early");
    let (path, _) = record(&dir);
    let mut host =
        RuntimeHost::new(TestHost::default(), Tools::new(Config::default())).with_replay(Replay::load(&path).unwrap());
    host.now();
    let finished = host.finish(RunEnd::Ok);
    assert_eq!(
        finished.divergence.as_deref(),
        Some("replay diverged at event 2: expected random_seed(), got end of run")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn secret_environment_values_are_not_recorded() {
    let dir = scratch("secret");
    let writer = TraceWriter::create(&dir, "run-s").unwrap();
    let mut host = RuntimeHost::new(EnvHost(TestHost::default()), Tools::new(Config::default()))
        .with_trace(writer, "p.lm", "", "main");
    assert_eq!(host.get_env("OPENAI_API_KEY").as_deref(), Some("value-of-OPENAI_API_KEY"));
    assert_eq!(host.get_env("HOME").as_deref(), Some("value-of-HOME"));
    host.finish(RunEnd::Ok);
    let text = std::fs::read_to_string(dir.join("run-s.jsonl")).unwrap();
    assert!(!text.contains("value-of-OPENAI_API_KEY"));
    assert!(text.contains("value-of-HOME"));
    let events = read_trace(&dir.join("run-s.jsonl")).unwrap();
    assert_eq!(events[1]["redacted"], json!(true));
    // On replay the secret is read from the live environment, the rest from the log.
    let mut replay = RuntimeHost::new(EnvHost(TestHost::default()), Tools::new(Config::default()))
        .with_replay(Replay::load(&dir.join("run-s.jsonl")).unwrap());
    assert_eq!(replay.get_env("OPENAI_API_KEY").as_deref(), Some("value-of-OPENAI_API_KEY"));
    assert_eq!(replay.get_env("HOME").as_deref(), Some("value-of-HOME"));
    assert_eq!(replay.finish(RunEnd::Ok).divergence, None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runtime_errors_and_exits_end_the_trace() {
    let dir = scratch("end");
    let writer = TraceWriter::create(&dir, "e").unwrap();
    let mut host =
        RuntimeHost::new(TestHost::default(), Tools::new(Config::default())).with_trace(writer, "p.lm", "", "main");
    host.finish(RunEnd::Error("division by zero".to_owned()));
    let events = read_trace(&dir.join("e.jsonl")).unwrap();
    assert_eq!(events[1]["kind"], json!("error"));
    assert_eq!(events[1]["message"], json!("division by zero"));
    assert_eq!(events[2]["status"], json!("error"));
    let writer = TraceWriter::create(&dir, "x").unwrap();
    let mut host =
        RuntimeHost::new(TestHost::default(), Tools::new(Config::default())).with_trace(writer, "p.lm", "", "main");
    host.finish(RunEnd::Exit(3));
    let events = read_trace(&dir.join("x.jsonl")).unwrap();
    assert_eq!(events[1]["status"], json!("exit"));
    assert_eq!(events[1]["exit_code"], json!(3));
    std::fs::remove_dir_all(&dir).unwrap();
}
