//! `RuntimeHost`: the VM's `Host` for real runs. Output goes to the wrapped host; tool calls go
//! through policy, provider (or replay) and trace; the nondeterministic host calls (time,
//! randomness, environment, files, stdin) are recorded to the trace and answered from it on replay.

use std::io;
use std::time::Duration;

use lumen_vm::host::Host;
use serde_json::{Map, Value, json};

use crate::canon::sha256_hex;
use crate::replay::{Issued, Replay};
use crate::request::ToolRequest;
use crate::tools::{Outcome, Status, Tools};
use crate::trace::TraceWriter;

/// Environment variables whose values are never written to a trace (they are read live on replay).
const SECRET_MARKERS: [&str; 7] = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"];

/// How the program ended, for the `run_end` event.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEnd {
    Ok,
    /// A runtime error (or `main` returning `err`), with its message.
    Error(String),
    /// `exit(code)`.
    Exit(i32),
}

/// What [`RuntimeHost::finish`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finished {
    /// Replay stopped short: recorded calls were never issued.
    pub divergence: Option<String>,
    /// Writing the trace failed at some point.
    pub trace_error: Option<String>,
}

pub struct RuntimeHost<H: Host> {
    inner: H,
    tools: Tools,
    trace: Option<TraceWriter>,
    trace_error: Option<String>,
    replay: Option<Replay>,
    /// Set by the first divergence; later output is suppressed.
    diverged: Option<String>,
    /// xoshiro256** state, seeded once per run from the wrapped host (a recorded `random_seed`
    /// host call), so random numbers cost one trace event per run instead of one each.
    rng: Option<[u64; 4]>,
}

impl<H: Host> RuntimeHost<H> {
    pub fn new(inner: H, tools: Tools) -> RuntimeHost<H> {
        RuntimeHost { inner, tools, trace: None, trace_error: None, replay: None, diverged: None, rng: None }
    }

    /// Records the run to `trace`, starting with its `run_start` event.
    pub fn with_trace(mut self, trace: TraceWriter, file: &str, source: &str, entry: &str) -> RuntimeHost<H> {
        self.trace = Some(trace);
        let mut fields = Map::new();
        fields.insert("file".to_owned(), json!(file));
        fields.insert("doc_hash".to_owned(), json!(sha256_hex(source.as_bytes())));
        fields.insert("entry".to_owned(), json!(entry));
        fields.insert("lumen_version".to_owned(), json!(env!("CARGO_PKG_VERSION")));
        if let Some(id) = self.trace.as_ref().map(|t| t.run_id().to_owned()) {
            fields.insert("run_id".to_owned(), json!(id));
        }
        if let Some(replayed) = self.replay.as_ref().and_then(|r| r.run_id.clone()) {
            fields.insert("replay_of".to_owned(), json!(replayed));
        }
        self.record("run_start", fields);
        self
    }

    /// Answers tool and host calls from `replay` instead of the world. Call before `with_trace`.
    pub fn with_replay(mut self, replay: Replay) -> RuntimeHost<H> {
        self.replay = Some(replay);
        self
    }

    pub fn inner(&mut self) -> &mut H {
        &mut self.inner
    }

    pub fn trace_path(&self) -> Option<&std::path::Path> {
        self.trace.as_ref().map(TraceWriter::path)
    }

    /// Writes `error` and `run_end` events and checks that replay consumed every recorded call.
    pub fn finish(&mut self, end: RunEnd) -> Finished {
        let mut divergence = None;
        if self.diverged.is_none()
            && let Some(replay) = &self.replay
        {
            divergence = replay.leftover();
        }
        let (status, exit_code) = match &end {
            _ if divergence.is_some() || self.diverged.is_some() => ("diverged", None),
            RunEnd::Ok => ("ok", None),
            RunEnd::Error(_) => ("error", None),
            RunEnd::Exit(code) => ("exit", Some(*code)),
        };
        if let RunEnd::Error(message) = &end {
            self.record("error", one("message", json!(message)));
        }
        if let Some(message) = &divergence {
            self.record("error", one("message", json!(message)));
        }
        let mut fields = one("status", json!(status));
        if let Some(code) = exit_code {
            fields.insert("exit_code".to_owned(), json!(code));
        }
        self.record("run_end", fields);
        self.inner.flush();
        Finished { divergence, trace_error: self.trace_error.clone() }
    }

    fn record(&mut self, kind: &str, fields: Map<String, Value>) {
        if let Some(trace) = &mut self.trace
            && let Err(err) = trace.event(kind, fields)
        {
            self.trace_error
                .get_or_insert_with(|| format!("cannot write the trace `{}`: {err}", trace.path().display()));
        }
    }

    /// A divergence in a call that cannot fail: report it and end the process (the `Host` methods
    /// for time, randomness and files have no error channel).
    fn abort(&mut self, message: String) -> ! {
        self.inner.flush();
        self.inner.write_stderr(&format!("error: {message}\n"));
        self.record("error", one("message", json!(message)));
        self.record("run_end", one("status", json!("diverged")));
        self.inner.flush();
        std::process::exit(1)
    }

    /// One nondeterministic host call: answered from the replay log or by the wrapped host, and
    /// recorded as a `host_call` event. `input` identifies the call; `encode`/`decode` convert the result.
    fn host_call<T>(
        &mut self,
        call: &str,
        input: Value,
        live: impl FnOnce(&mut H) -> T,
        encode: impl Fn(&T) -> Value,
        decode: impl Fn(&Value) -> Option<T>,
    ) -> T {
        let result = if let Some(replay) = &mut self.replay {
            let answer = replay
                .next(&Issued::Host { call, input: &input })
                .map(|event| (event.get("output").cloned().unwrap_or(Value::Null), event.get("seq").cloned()));
            match answer {
                Ok((output, seq)) => match decode(&output) {
                    Some(value) => value,
                    None => {
                        let seq = seq.unwrap_or(Value::Null);
                        self.abort(format!("replay log is malformed at event {seq}: cannot read the result of {call}"))
                    }
                },
                Err(message) => self.abort(message),
            }
        } else {
            live(&mut self.inner)
        };
        if self.trace.is_some() {
            let mut fields = one("call", json!(call));
            fields.insert("input".to_owned(), input);
            fields.insert("output".to_owned(), encode(&result));
            self.record("host_call", fields);
        }
        result
    }

    /// A file-system call returning `io::Result`: errors are recorded by kind and message.
    fn io_call<T>(
        &mut self,
        call: &str,
        input: Value,
        live: impl FnOnce(&mut H) -> io::Result<T>,
        encode: impl Fn(&T) -> Value,
        decode: impl Fn(&Value) -> Option<T>,
    ) -> io::Result<T> {
        self.host_call(
            call,
            input,
            live,
            |result| match result {
                Ok(value) => json!({ "ok": encode(value) }),
                Err(err) => json!({ "err": { "kind": format!("{:?}", err.kind()), "message": err.to_string() } }),
            },
            |output| {
                if let Some(value) = output.get("ok") {
                    return decode(value).map(Ok);
                }
                let err = output.get("err")?;
                let message = err.get("message")?.as_str()?.to_owned();
                Some(Err(io::Error::new(io_kind(err.get("kind")?.as_str()?), message)))
            },
        )
    }

    fn is_secret(&self, name: &str) -> bool {
        let upper = name.to_ascii_uppercase();
        SECRET_MARKERS.iter().any(|m| upper.contains(m))
            || self.tools.config().settings.values().any(|s| s.get("api_key_env").and_then(Value::as_str) == Some(name))
    }

    fn tool_event(&mut self, req: &ToolRequest<'_>, outcome: &Outcome, replayed: bool) {
        if self.trace.is_none() {
            return;
        }
        let mut fields = Map::new();
        fields.insert("alias".to_owned(), json!(req.alias));
        fields.insert("path".to_owned(), json!(req.path));
        if let Some(version) = req.version {
            fields.insert("version".to_owned(), json!(version));
        }
        fields.insert("provider".to_owned(), outcome.provider.as_ref().map_or(Value::Null, |p| json!(p)));
        fields.insert("input".to_owned(), Value::Object(outcome.input.clone()));
        match &outcome.result {
            Ok(value) => fields.insert("output".to_owned(), value.clone()),
            Err(message) => fields.insert("error".to_owned(), json!(message)),
        };
        if let Some(kind) = outcome.error_kind {
            fields.insert("error_kind".to_owned(), json!(kind.as_str()));
        }
        fields.insert("status".to_owned(), json!(outcome.status.as_str()));
        // Whole microseconds, so the number prints short.
        fields.insert("duration_ms".to_owned(), json!(outcome.duration.as_micros() as f64 / 1000.0));
        if let Some(hash) = &outcome.policy_hash {
            fields.insert("policy_hash".to_owned(), json!(hash));
        }
        if outcome.retries > 0 {
            fields.insert("retries".to_owned(), json!(outcome.retries));
        }
        if replayed {
            fields.insert("replayed".to_owned(), json!(true));
        }
        for (key, value) in &outcome.attributes {
            fields.insert(key.clone(), value.clone());
        }
        self.record("tool_call", fields);
    }

    /// Replay of one tool call: the policy is checked again (denials and `max_calls` are part of the
    /// program's behaviour), then the recorded result is returned.
    fn replay_tool(&mut self, req: &ToolRequest<'_>) -> Result<Outcome, String> {
        let admitted = self.tools.admit(req, false);
        let (input, denied) = match &admitted {
            Ok(a) => (a.args.clone(), false),
            Err(_) => (req.args.clone(), true),
        };
        let replay = self.replay.as_mut().expect("replaying");
        let event = replay.next(&Issued::Tool { alias: req.alias, path: req.path, input: &input, denied })?;
        let result = match (&admitted, event.get("status").and_then(Value::as_str)) {
            (Err(message), _) => Err(message.clone()),
            (Ok(_), Some("ok")) => Ok(event.get("output").cloned().unwrap_or(Value::Null)),
            (Ok(_), _) => {
                Err(event.get("error").and_then(Value::as_str).unwrap_or("tool error: replayed failure").to_owned())
            }
        };
        let attributes: Map<String, Value> = event
            .iter()
            .filter(|(k, _)| k.starts_with("gen_ai.") || k.starts_with("http."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let status = match (&result, denied) {
            (_, true) => Status::Denied,
            (Ok(_), _) => Status::Ok,
            (Err(_), _) => Status::Error,
        };
        Ok(Outcome {
            input,
            result,
            status,
            error_kind: event.get("error_kind").and_then(Value::as_str).and_then(crate::error::ErrorKind::parse),
            provider: event.get("provider").and_then(Value::as_str).map(str::to_owned),
            policy_hash: admitted.ok().map(|a| a.policy_hash),
            attributes,
            retries: 0,
            duration: Duration::ZERO,
        })
    }
}

impl<H: Host> Host for RuntimeHost<H> {
    fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    fn trace_event(&mut self, kind: &str, fields: Map<String, Value>) {
        self.record(kind, fields);
    }

    fn write_stdout(&mut self, text: &str) {
        if self.diverged.is_none() {
            self.inner.write_stdout(text);
        }
    }

    fn write_stderr(&mut self, text: &str) {
        self.inner.write_stderr(text);
    }

    fn flush(&mut self) {
        self.inner.flush();
    }

    fn now(&mut self) -> f64 {
        self.host_call("now", Value::Null, |h| h.now(), |v| json!(v), Value::as_f64)
    }

    fn hrtime(&mut self) -> i64 {
        self.host_call("hrtime", Value::Null, |h| h.hrtime(), |v| json!(v), Value::as_i64)
    }

    fn random_u64(&mut self) -> u64 {
        let state = match &mut self.rng {
            Some(state) => state,
            None => {
                let seed = self.host_call("random_seed", Value::Null, |h| h.random_u64(), |v| json!(v), Value::as_u64);
                self.rng.insert(seed_state(seed))
            }
        };
        xoshiro256_next(state)
    }

    fn sleep_ms(&mut self, ms: u64) {
        // On replay the clock is recorded; waiting would only slow the run down.
        if self.replay.is_none() {
            self.inner.sleep_ms(ms);
        }
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        if self.is_secret(name) {
            // Recorded as redacted; read from the real environment on replay too.
            let value = self.inner.get_env(name);
            let input = json!(name);
            let diverged =
                self.replay.as_mut().and_then(|r| r.next(&Issued::Host { call: "get_env", input: &input }).err());
            if let Some(message) = diverged {
                self.abort(message);
            }
            let mut fields = one("call", json!("get_env"));
            fields.insert("input".to_owned(), json!(name));
            fields.insert("output".to_owned(), Value::Null);
            fields.insert("redacted".to_owned(), json!(true));
            if self.trace.is_some() {
                self.record("host_call", fields);
            }
            return value;
        }
        self.host_call(
            "get_env",
            json!(name),
            |h| h.get_env(name),
            |v| json!(v),
            |v| match v {
                Value::Null => Some(None),
                Value::String(s) => Some(Some(s.clone())),
                _ => None,
            },
        )
    }

    fn args(&mut self) -> Vec<String> {
        self.host_call("args", Value::Null, |h| h.args(), |v| json!(v), strings)
    }

    fn read_file(&mut self, path: &str) -> io::Result<String> {
        self.io_call("read_file", json!(path), |h| h.read_file(path), |v| json!(v), |v| v.as_str().map(str::to_owned))
    }

    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        let input = json!({"path": path, "bytes": content.len(), "sha256": sha256_hex(content)});
        self.io_call("write_file", input, |h| h.write_file(path, content), |_| Value::Null, |_| Some(()))
    }

    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        let input = json!({"path": path, "bytes": content.len(), "sha256": sha256_hex(content)});
        self.io_call("append_file", input, |h| h.append_file(path, content), |_| Value::Null, |_| Some(()))
    }

    fn exists(&mut self, path: &str) -> bool {
        self.host_call("exists", json!(path), |h| h.exists(path), |v| json!(v), Value::as_bool)
    }

    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>> {
        self.io_call("read_dir", json!(path), |h| h.read_dir(path), |v| json!(v), strings)
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.io_call("mkdir", json!(path), |h| h.mkdir(path), |_| Value::Null, |_| Some(()))
    }

    fn read_line(&mut self) -> Option<String> {
        self.host_call(
            "read_line",
            Value::Null,
            |h| h.read_line(),
            |v| json!(v),
            |v| match v {
                Value::Null => Some(None),
                Value::String(s) => Some(Some(s.clone())),
                _ => None,
            },
        )
    }

    fn read_stdin(&mut self) -> String {
        self.host_call("read_stdin", Value::Null, |h| h.read_stdin(), |v| json!(v), |v| v.as_str().map(str::to_owned))
    }

    fn call_tool(&mut self, req: ToolRequest<'_>) -> Result<Value, String> {
        if let Some(message) = &self.diverged {
            return Err(message.clone());
        }
        let (outcome, replayed) = if self.replay.is_some() {
            match self.replay_tool(&req) {
                Ok(outcome) => (outcome, true),
                Err(message) => {
                    self.diverged = Some(message.clone());
                    self.record("error", one("message", json!(message)));
                    return Err(message);
                }
            }
        } else {
            (self.tools.call(&req), false)
        };
        self.tool_event(&req, &outcome, replayed);
        outcome.result
    }
}

/// Expands a seed into xoshiro256** state with splitmix64 (never all zeros).
fn seed_state(seed: u64) -> [u64; 4] {
    let mut x = seed;
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    [next(), next(), next(), next()]
}

fn xoshiro256_next(s: &mut [u64; 4]) -> u64 {
    let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
    result
}

fn one(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    map
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(str::to_owned)).collect()
}

/// The `io::ErrorKind` recorded by its `Debug` name.
fn io_kind(name: &str) -> io::ErrorKind {
    use io::ErrorKind as K;
    [
        K::NotFound,
        K::PermissionDenied,
        K::AlreadyExists,
        K::InvalidInput,
        K::InvalidData,
        K::IsADirectory,
        K::NotADirectory,
        K::DirectoryNotEmpty,
        K::UnexpectedEof,
        K::Interrupted,
        K::Unsupported,
        K::OutOfMemory,
        K::StorageFull,
        K::ReadOnlyFilesystem,
    ]
    .into_iter()
    .find(|k| format!("{k:?}") == name)
    .unwrap_or(K::Other)
}
