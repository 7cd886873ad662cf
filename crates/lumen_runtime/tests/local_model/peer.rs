//! The local model peer shared by the tests that talk to a real model: llama-cpp-python's
//! OpenAI-compatible server with the SmolLM2-135M-Instruct GGUF, both installed by
//! `scripts/setup-peers` under `$LUMEN_PEERS` (default `$HOME/.cache/lumen-peers`).
//!
//! One server per test binary, started on first use on a free port of 127.0.0.1. It runs under a
//! small shell watchdog that reads the test process' pipe and stops the server when the pipe
//! closes, which happens however the test process ends (even when it is killed), so no server
//! outlives its tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long the server may take to load the model and answer `/v1/models`.
const STARTUP: Duration = Duration::from_secs(180);

pub struct LocalModel {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// The watchdog; its stdin pipe stays open while the test process lives.
    _watchdog: Mutex<Child>,
}

/// The shared server, started on the first call. Panics with what to do when the peer is not
/// installed or the server does not come up (a missing peer fails the test; it never skips).
/// A failed start is remembered, so the other tests fail at once with the same message.
pub fn local_model() -> &'static LocalModel {
    static SERVER: OnceLock<Result<LocalModel, String>> = OnceLock::new();
    let started = SERVER.get_or_init(|| {
        std::panic::catch_unwind(start).map_err(|panic| {
            panic.downcast_ref::<String>().cloned().unwrap_or_else(|| "the local model server did not start".to_owned())
        })
    });
    match started {
        Ok(model) => model,
        Err(message) => panic!("{message}"),
    }
}

fn peers_dir() -> PathBuf {
    match std::env::var_os("LUMEN_PEERS").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/lumen-peers"),
    }
}

fn missing(what: &str, path: &Path) -> ! {
    panic!(
        "the local model peer is not installed: {what} {} is missing; run scripts/setup-peers \
         (it builds llama-cpp-python[server] and fetches SmolLM2 into LUMEN_PEERS, default ~/.cache/lumen-peers)",
        path.display()
    )
}

fn start() -> LocalModel {
    let peers = peers_dir();
    let python = peers.join("llama-venv/bin/python");
    if !python.is_file() {
        missing("the virtualenv's python", &python);
    }
    let model_file = peers.join("llama-model-path");
    let Ok(model) = std::fs::read_to_string(&model_file) else { missing("the model path file", &model_file) };
    let model = PathBuf::from(model.trim());
    if !model.is_file() {
        missing("the GGUF model", &model);
    }
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let log =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("llama-server-{}-{port}.log", std::process::id()));
    // The server in the background; the shell waits for the end of its stdin (the test process'
    // pipe), then stops the server. Tests run in parallel: by default the server would cut a
    // running stream short when the next request comes (`interrupt_requests`).
    let script = r#""$1" -m llama_cpp.server --model "$2" --host 127.0.0.1 --port "$3" --n_ctx 2048 \
  --chat_format chatml-function-calling --interrupt_requests False >"$4" 2>&1 &
pid=$!
read -r _ || true
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"#;
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("llama-watchdog")
        .arg(&python)
        .arg(&model)
        .arg(port.to_string())
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts");
    let started = Instant::now();
    while !models_answer(port) {
        if started.elapsed() > STARTUP {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: String =
                tail.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
            panic!(
                "the llama.cpp server on port {port} did not answer /v1/models within {} s; its log ({}):\n{tail}",
                STARTUP.as_secs(),
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    LocalModel { base_url: format!("http://127.0.0.1:{port}/v1"), _watchdog: Mutex::new(child) }
}

/// Whether `GET /v1/models` answers 200 with a model list.
fn models_answer(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.1 200") && reply.contains("\"data\"")
}
