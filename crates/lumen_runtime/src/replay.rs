//! Replay (LANGUAGE.md 9.6): the recorded `tool_call` and `host_call` events of a trace answer the
//! program's calls in order; the first call that differs from the recording is a divergence.

use std::path::Path;

use serde_json::{Map, Value};

use crate::trace::{read_trace, verify_chain};

/// A loaded replay log.
pub struct Replay {
    /// Every event of the trace, in order.
    events: Vec<Map<String, Value>>,
    /// Index into `events` of the next event to consider.
    cursor: usize,
    /// The file recorded in `run_start`, if any.
    pub file: Option<String>,
    pub run_id: Option<String>,
}

/// One call as the program issues it now, for comparison with the recording.
pub enum Issued<'a> {
    Tool { alias: &'a str, path: &'a str, input: &'a Map<String, Value>, denied: bool },
    Host { call: &'a str, input: &'a Value },
}

impl Replay {
    /// Reads and verifies a trace; a broken hash chain is refused.
    pub fn load(path: &Path) -> Result<Replay, String> {
        let events = read_trace(path)?;
        Replay::from_events(events).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_events(events: Vec<Map<String, Value>>) -> Result<Replay, String> {
        if let Err(broken) = verify_chain(&events) {
            return Err(format!("the trace's hash chain is broken at event {}: {}", broken.seq, broken.reason));
        }
        let start = events.iter().find(|e| e.get("kind").and_then(Value::as_str) == Some("run_start"));
        let text = |key: &str| start.and_then(|e| e.get(key)).and_then(Value::as_str).map(str::to_owned);
        Ok(Replay { file: text("file"), run_id: text("run_id"), events, cursor: 0 })
    }

    /// Consumes the next recorded call if it matches `issued`; otherwise the divergence message.
    pub fn next(&mut self, issued: &Issued<'_>) -> Result<&Map<String, Value>, String> {
        let Some(index) = self.next_call_index() else {
            let at = self.events.len();
            return Err(format!("replay diverged at event {at}: expected end of run, got {}", describe_issued(issued)));
        };
        let event = &self.events[index];
        if !matches_event(event, issued) {
            let seq = event.get("seq").and_then(Value::as_u64).unwrap_or(index as u64);
            return Err(format!(
                "replay diverged at event {seq}: expected {}, got {}",
                describe_event(event),
                describe_issued(issued)
            ));
        }
        self.cursor = index + 1;
        Ok(&self.events[index])
    }

    /// After the run: a divergence message when recorded calls were never issued.
    pub fn leftover(&self) -> Option<String> {
        let index = self.next_call_index()?;
        let event = &self.events[index];
        let seq = event.get("seq").and_then(Value::as_u64).unwrap_or(index as u64);
        Some(format!("replay diverged at event {seq}: expected {}, got end of run", describe_event(event)))
    }

    fn next_call_index(&self) -> Option<usize> {
        (self.cursor..self.events.len()).find(|&i| matches!(kind(&self.events[i]), "tool_call" | "host_call"))
    }
}

fn kind(event: &Map<String, Value>) -> &str {
    event.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn text<'e>(event: &'e Map<String, Value>, key: &str) -> &'e str {
    event.get(key).and_then(Value::as_str).unwrap_or("")
}

fn matches_event(event: &Map<String, Value>, issued: &Issued<'_>) -> bool {
    match issued {
        Issued::Tool { alias, path, input, denied } => {
            kind(event) == "tool_call"
                && text(event, "alias") == *alias
                && text(event, "path") == *path
                && event.get("input").and_then(Value::as_object) == Some(*input)
                && (text(event, "status") == "denied") == *denied
        }
        Issued::Host { call, input } => {
            kind(event) == "host_call"
                && text(event, "call") == *call
                && event.get("input").unwrap_or(&Value::Null) == *input
        }
    }
}

/// `Fetch(url: "http://...") [http.get]` or `get_env("HOME")`.
fn describe_issued(issued: &Issued<'_>) -> String {
    match issued {
        Issued::Tool { alias, path, input, denied } => describe_tool(alias, path, input, *denied),
        Issued::Host { call, input } => describe_host(call, input),
    }
}

fn describe_event(event: &Map<String, Value>) -> String {
    match kind(event) {
        "tool_call" => {
            let empty = Map::new();
            let input = event.get("input").and_then(Value::as_object).unwrap_or(&empty);
            describe_tool(text(event, "alias"), text(event, "path"), input, text(event, "status") == "denied")
        }
        _ => describe_host(text(event, "call"), event.get("input").unwrap_or(&Value::Null)),
    }
}

fn describe_tool(alias: &str, path: &str, input: &Map<String, Value>, denied: bool) -> String {
    let args: Vec<String> = input.iter().map(|(k, v)| format!("{k}: {}", short(v))).collect();
    let denied = if denied { " (denied)" } else { "" };
    format!("{alias}({}) [{path}]{denied}", args.join(", "))
}

fn describe_host(call: &str, input: &Value) -> String {
    match input {
        Value::Null => format!("{call}()"),
        Value::Object(fields) => {
            let args: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {}", short(v))).collect();
            format!("{call}({})", args.join(", "))
        }
        other => format!("{call}({})", short(other)),
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 { format!("{}...", text.chars().take(117).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{GENESIS_HASH, seal};
    use serde_json::json;

    fn chain(events: Vec<(&str, Value)>) -> Vec<Map<String, Value>> {
        let mut prev = GENESIS_HASH.to_owned();
        let mut out = Vec::new();
        for (seq, (kind, fields)) in events.into_iter().enumerate() {
            let event = seal(seq as u64, kind, "t", fields.as_object().cloned().unwrap(), &prev);
            prev = event["hash"].as_str().unwrap().to_owned();
            out.push(event);
        }
        out
    }

    fn log() -> Replay {
        Replay::from_events(chain(vec![
            ("run_start", json!({"file": "a.lm", "run_id": "r1"})),
            ("host_call", json!({"call": "now", "input": null, "output": 1.5})),
            (
                "tool_call",
                json!({"alias": "F", "path": "http.get", "input": {"url": "http://x"}, "status": "ok", "output": 7}),
            ),
            ("run_end", json!({"status": "ok"})),
        ]))
        .unwrap()
    }

    #[test]
    fn calls_are_answered_in_order() {
        let mut replay = log();
        assert_eq!(replay.file.as_deref(), Some("a.lm"));
        let now = replay.next(&Issued::Host { call: "now", input: &Value::Null }).unwrap();
        assert_eq!(now["output"], json!(1.5));
        let input = json!({"url": "http://x"}).as_object().cloned().unwrap();
        let tool = replay.next(&Issued::Tool { alias: "F", path: "http.get", input: &input, denied: false }).unwrap();
        assert_eq!(tool["output"], json!(7));
        assert_eq!(replay.leftover(), None);
        let err = replay.next(&Issued::Host { call: "now", input: &Value::Null }).unwrap_err();
        assert_eq!(err, "replay diverged at event 4: expected end of run, got now()");
    }

    #[test]
    fn a_different_call_diverges() {
        let mut replay = log();
        replay.next(&Issued::Host { call: "now", input: &Value::Null }).unwrap();
        let input = json!({"url": "http://y"}).as_object().cloned().unwrap();
        let err =
            replay.next(&Issued::Tool { alias: "F", path: "http.get", input: &input, denied: false }).unwrap_err();
        assert_eq!(
            err,
            r#"replay diverged at event 2: expected F(url: "http://x") [http.get], got F(url: "http://y") [http.get]"#
        );
        assert_eq!(
            replay.leftover().unwrap(),
            r#"replay diverged at event 2: expected F(url: "http://x") [http.get], got end of run"#
        );
    }

    #[test]
    fn a_broken_chain_is_refused() {
        let mut events = log().events;
        events[2].insert("output".to_owned(), json!(8));
        let err = Replay::from_events(events).err().unwrap();
        assert!(err.contains("hash chain is broken at event 2"), "{err}");
    }
}
