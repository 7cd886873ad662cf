//! Streamed chat completions (`"stream": true`): server-sent events read as they arrive, deltas
//! assembled into the same [`Completion`] a non-streamed reply gives, with the time to the first
//! token measured and bounded (`ttft_timeout_ms`) and the call's deadline over the whole stream.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{ArgumentsText, Completion, RawToolCall, completion_of, invalid_output, status_error, ttft_error};
use crate::error::{ErrorKind, ToolError};
use crate::providers::http::{Exchange, Piece, Received, stream};

/// A streamed reply: the assembled completion and how long the first token took.
pub(super) struct Streamed {
    pub completion: Completion,
    pub first_token: Option<Duration>,
}

/// Sends `exchange` (a request with `"stream": true`) and reads the event stream. `total` is what
/// is left of the call's deadline, `ttft` the limit for the first token (content or tool call).
pub(super) fn run(
    exchange: &Exchange<'_>,
    total: Option<Duration>,
    ttft: Option<Duration>,
    secret: Option<&str>,
) -> Result<Streamed, ToolError> {
    let started = Instant::now();
    let reader = Reader { rx: stream(exchange, ttft), started, total, ttft };
    let (status, headers) = match reader.next(false)? {
        Some(Piece::Head { status, headers }) => (status, headers),
        _ => return Err(ToolError::new(ErrorKind::Unavailable, "the server closed the connection without a reply")),
    };
    let is_json = headers.get("content-type").and_then(Value::as_str).is_some_and(|t| t.contains("application/json"));
    if !(200..300).contains(&status) || is_json {
        // An error, or a server that ignored `stream` and answered in one piece.
        let body = reader.rest()?;
        let received = Received { status, headers, body };
        if !(200..300).contains(&status) {
            return Err(status_error(&received, secret));
        }
        let response: Value = serde_json::from_slice(&received.body)
            .map_err(|e| invalid_output(&format!("the reply is not JSON: {e}")))?;
        let first_token = Some(started.elapsed());
        return Ok(Streamed { completion: completion_of(&response)?, first_token });
    }
    let mut events = Events::default();
    let mut assembly = Assembly::default();
    let mut first_token = None;
    'read: loop {
        let piece = reader.next(first_token.is_some())?;
        let ended = !matches!(piece, Some(Piece::Data(_)));
        let payloads = match piece {
            Some(Piece::Data(bytes)) => events.feed(&bytes),
            Some(Piece::End) | None => events.finish(),
            Some(Piece::Failed(err)) => return Err(ttft_error(err, ttft, started, total)),
            Some(Piece::Head { .. }) => Vec::new(),
        };
        for payload in payloads {
            if payload.trim() == "[DONE]" {
                break 'read;
            }
            let chunk: Value = serde_json::from_str(&payload).map_err(|e| {
                let shown: String = payload.chars().take(200).collect();
                invalid_output(&format!("a streamed event is not JSON ({e}): {shown}"))
            })?;
            if assembly.apply(&chunk)? && first_token.is_none() {
                first_token = Some(started.elapsed());
            }
        }
        if ended {
            break;
        }
    }
    let completion = assembly.finish();
    if completion.content.is_none() && completion.tool_calls.is_empty() {
        return Err(invalid_output("the stream ended without message content"));
    }
    Ok(Streamed { completion, first_token })
}

/// The receiving end of a streamed exchange, with the call's deadlines.
struct Reader {
    rx: Receiver<Piece>,
    started: Instant,
    total: Option<Duration>,
    ttft: Option<Duration>,
}

impl Reader {
    /// The next piece, waiting no longer than the deadline that applies (`None`: the sending
    /// thread is gone).
    fn next(&self, had_token: bool) -> Result<Option<Piece>, ToolError> {
        let first = if had_token { None } else { self.ttft };
        let limit = match (first, self.total) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let Some(limit) = limit else { return Ok(self.rx.recv().ok()) };
        let left = limit.saturating_sub(self.started.elapsed());
        match self.rx.recv_timeout(left) {
            Ok(piece) => Ok(Some(piece)),
            Err(RecvTimeoutError::Disconnected) => Ok(None),
            Err(RecvTimeoutError::Timeout) => Err(match first {
                Some(ttft) if self.total.is_none_or(|total| ttft < total) => ToolError::new(
                    ErrorKind::Timeout,
                    format!("no first token within {} ms (ttft_timeout_ms)", ttft.as_millis()),
                ),
                _ => ToolError::new(
                    ErrorKind::Timeout,
                    format!("the reply did not finish within the call's deadline ({} ms)", limit.as_millis()),
                ),
            }),
        }
    }

    /// The rest of the body, for replies that are not event streams.
    fn rest(&self) -> Result<Vec<u8>, ToolError> {
        let mut body = Vec::new();
        loop {
            match self.next(true)? {
                Some(Piece::Data(bytes)) => body.extend_from_slice(&bytes),
                Some(Piece::Failed(err)) => return Err(err),
                Some(Piece::End | Piece::Head { .. }) | None => return Ok(body),
            }
        }
    }
}

/// Server-sent events split from bytes that arrive in arbitrary pieces: the `data` of each event
/// (several `data:` lines joined by newlines); comments and other fields are ignored.
#[derive(Default)]
struct Events {
    line: Vec<u8>,
    data: Vec<String>,
}

impl Events {
    fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &byte in bytes {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, &mut out);
            } else {
                self.line.push(byte);
            }
        }
        out
    }

    /// The end of the stream: a last line or event without its terminating blank line counts.
    fn finish(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line_done(&line, &mut out);
        }
        self.line_done(b"", &mut out);
        out
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<String>) {
        let line = String::from_utf8_lossy(line);
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.is_empty() {
            if !self.data.is_empty() {
                out.push(std::mem::take(&mut self.data).join("\n"));
            }
        } else if let Some(value) = line.strip_prefix("data:") {
            self.data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
        }
    }
}

/// Deltas of `chat.completion.chunk` events, added up.
#[derive(Default)]
struct Assembly {
    completion: Completion,
    calls: Vec<RawToolCall>,
}

impl Assembly {
    /// Adds one chunk; true when it carried a token (text or part of a tool call).
    fn apply(&mut self, chunk: &Value) -> Result<bool, ToolError> {
        if let Some(error) = chunk.get("error").filter(|e| !e.is_null()) {
            let message = error.get("message").and_then(Value::as_str).map_or_else(|| error.to_string(), str::to_owned);
            return Err(ToolError::new(
                ErrorKind::Failed,
                format!("the server reported an error mid-stream: {message}"),
            ));
        }
        let c = &mut self.completion;
        for (field, slot) in [("model", &mut c.model), ("id", &mut c.id)] {
            if slot.is_none() {
                *slot = chunk.get(field).filter(|v| v.is_string()).cloned();
            }
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            c.usage = Some(usage.clone());
        }
        let Some(choice) = chunk.pointer("/choices/0") else { return Ok(false) };
        if let Some(reason) = choice.get("finish_reason").filter(|r| !r.is_null()) {
            c.finish_reason = Some(reason.clone());
        }
        let delta = choice.get("delta").unwrap_or(choice);
        let mut token = false;
        if let Some(Value::String(text)) = delta.get("content").or_else(|| choice.get("text")) {
            c.content.get_or_insert_with(String::new).push_str(text);
            token |= !text.is_empty();
        }
        if let Some(Value::Array(calls)) = delta.get("tool_calls") {
            for (position, part) in calls.iter().enumerate() {
                let index = part.get("index").and_then(Value::as_u64).map_or(position, |i| i as usize);
                if index >= 1024 {
                    return Err(invalid_output("a streamed tool call has an index over 1023"));
                }
                if self.calls.len() <= index {
                    self.calls.resize_with(index + 1, RawToolCall::default);
                }
                let call = &mut self.calls[index];
                if let Some(id) = part.get("id").and_then(Value::as_str).filter(|id| !id.is_empty()) {
                    call.id = id.to_owned();
                }
                let function = part.get("function").unwrap_or(part);
                // OpenAI names the function in the call's first part only; llama-cpp-python
                // repeats the name in every part. The first name stands.
                if let Some(name) = function.get("name").and_then(Value::as_str)
                    && call.name.is_empty()
                {
                    call.name = name.to_owned();
                }
                match (function.get("arguments"), &mut call.arguments) {
                    (Some(Value::String(more)), ArgumentsText::Text(text)) => text.push_str(more),
                    (Some(value @ Value::Object(_)), arguments) => *arguments = ArgumentsText::Json(value.clone()),
                    _ => {}
                }
                token = true;
            }
        }
        Ok(token)
    }

    fn finish(self) -> Completion {
        let mut completion = self.completion;
        completion.tool_calls = self.calls.into_iter().filter(|c| !c.name.is_empty()).collect();
        completion
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn events_survive_any_split() {
        let text = "data: {\"a\":1}\r\n\r\n: comment\n\ndata: x\ndata: y\n\nevent: ping\ndata: [DONE]";
        for cut in 0..text.len() {
            let mut events = Events::default();
            let mut got = events.feed(&text.as_bytes()[..cut]);
            got.extend(events.feed(&text.as_bytes()[cut..]));
            got.extend(events.finish());
            assert_eq!(got, vec!["{\"a\":1}", "x\ny", "[DONE]"], "cut at {cut}");
        }
    }

    #[test]
    fn deltas_add_up() {
        let mut assembly = Assembly::default();
        let chunks = [
            json!({"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant"}}]}),
            json!({"choices": [{"delta": {"content": "Hel"}}]}),
            json!({"choices": [{"delta": {"content": "lo"}, "finish_reason": null}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "t1", "function": {"name": "add", "arguments": "{\"a\""}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": "add", "arguments": ": 1}"}}]}, "finish_reason": "tool_calls"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}}),
        ];
        let tokens: Vec<bool> = chunks.iter().map(|c| assembly.apply(c).unwrap()).collect();
        assert_eq!(tokens, [false, true, true, true, true, false]);
        let done = assembly.finish();
        assert_eq!(done.content.as_deref(), Some("Hello"));
        assert_eq!(done.finish_reason, Some(json!("tool_calls")));
        assert_eq!(done.usage, Some(json!({"prompt_tokens": 5, "completion_tokens": 2})));
        assert_eq!((done.model, done.id), (Some(json!("m")), Some(json!("c"))));
        assert_eq!(done.tool_calls.len(), 1);
        assert_eq!((done.tool_calls[0].id.as_str(), done.tool_calls[0].name.as_str()), ("t1", "add"));
        assert!(matches!(&done.tool_calls[0].arguments, ArgumentsText::Text(t) if t == "{\"a\": 1}"));
        let error = Assembly::default().apply(&json!({"error": {"message": "out of memory"}})).unwrap_err();
        assert_eq!(error.message, "the server reported an error mid-stream: out of memory");
    }
}
