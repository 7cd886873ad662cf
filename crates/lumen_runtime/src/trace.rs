//! Run traces (LANGUAGE.md 5.15): one JSON object per line, hash-chained.
//!
//! Every event has `seq` (from 0), `kind`, `timestamp` (RFC 3339 UTC), `prev_hash` and `hash`, the
//! SHA-256 hex of the event's canonical JSON without `hash`; the first `prev_hash` is 64 zeros.
//! Besides the kinds of 5.15 the runtime writes `host_call` events (results of the host's
//! nondeterministic calls: time, randomness, environment, files, stdin), which make the trace a
//! replay log (9.6).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::canon::{canonical_json_without, sha256_hex};

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends events to `DIR/<run_id>.jsonl`. Events are buffered (a program may read the clock in a
/// loop) and flushed after each tool call and at the end of the run; lines are always whole.
pub struct TraceWriter {
    out: BufWriter<File>,
    path: PathBuf,
    run_id: String,
    seq: u64,
    prev_hash: String,
}

impl TraceWriter {
    /// Creates `dir` if needed and a new trace file in it; never overwrites an existing file.
    pub fn create(dir: &Path, run_id: &str) -> io::Result<TraceWriter> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{run_id}.jsonl"));
        let out = BufWriter::with_capacity(64 * 1024, File::options().write(true).create_new(true).open(&path)?);
        Ok(TraceWriter { out, path, run_id: run_id.to_owned(), seq: 0, prev_hash: GENESIS_HASH.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The sequence number the next event gets.
    pub fn next_seq(&self) -> u64 {
        self.seq
    }

    /// Writes one event with `fields` after the common ones; returns its sequence number. Events
    /// other than `host_call` are flushed at once.
    pub fn event(&mut self, kind: &str, fields: Map<String, Value>) -> io::Result<u64> {
        let mut event = seal(self.seq, kind, &rfc3339_now(), fields, &self.prev_hash);
        serde_json::to_writer(&mut self.out, &event)?;
        self.out.write_all(b"\n")?;
        if kind != "host_call" {
            self.out.flush()?;
        }
        if let Some(Value::String(hash)) = event.remove("hash") {
            self.prev_hash = hash;
        }
        self.seq += 1;
        Ok(self.seq - 1)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Builds a complete event: `seq`, `kind`, `timestamp`, the fields, `prev_hash`, then `hash` over the
/// canonical JSON of all of those.
pub fn seal(seq: u64, kind: &str, timestamp: &str, fields: Map<String, Value>, prev_hash: &str) -> Map<String, Value> {
    let mut event = Map::new();
    event.insert("seq".to_owned(), Value::from(seq));
    event.insert("kind".to_owned(), Value::String(kind.to_owned()));
    event.insert("timestamp".to_owned(), Value::String(timestamp.to_owned()));
    for (key, value) in fields {
        if !matches!(key.as_str(), "seq" | "kind" | "timestamp" | "prev_hash" | "hash") {
            event.insert(key, value);
        }
    }
    event.insert("prev_hash".to_owned(), Value::String(prev_hash.to_owned()));
    let hash = event_hash(&event);
    event.insert("hash".to_owned(), Value::String(hash));
    event
}

/// SHA-256 hex of the canonical JSON of `event` without its `hash` key.
pub fn event_hash(event: &Map<String, Value>) -> String {
    sha256_hex(canonical_json_without(event, "hash").as_bytes())
}

/// Reads a trace file: one JSON object per non-empty line.
pub fn read_trace(path: &Path) -> Result<Vec<Map<String, Value>>, String> {
    let file = File::open(path).map_err(|e| format!("cannot read `{}`: {}", path.display(), plain_io(&e)))?;
    let mut events = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read `{}`: {}", path.display(), plain_io(&e)))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(event)) => events.push(event),
            Ok(_) => return Err(format!("{}:{}: an event must be a JSON object", path.display(), index + 1)),
            Err(e) => return Err(format!("{}:{}: not JSON: {e}", path.display(), index + 1)),
        }
    }
    Ok(events)
}

/// Where a hash chain breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The position of the bad event in the file (its expected `seq`).
    pub seq: u64,
    pub reason: String,
}

/// Checks sequence numbers, `prev_hash` links and every event's hash.
pub fn verify_chain(events: &[Map<String, Value>]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS_HASH.to_owned();
    for (index, event) in events.iter().enumerate() {
        let seq = index as u64;
        let fail = |reason: String| Err(ChainBreak { seq, reason });
        if event.get("seq").and_then(Value::as_u64) != Some(seq) {
            return fail(format!(
                "expected seq {seq}, found {}",
                event.get("seq").map_or("none".to_owned(), Value::to_string)
            ));
        }
        if event.get("prev_hash").and_then(Value::as_str) != Some(prev.as_str()) {
            return fail("prev_hash does not match the previous event's hash".to_owned());
        }
        let Some(hash) = event.get("hash").and_then(Value::as_str) else {
            return fail("the event has no hash".to_owned());
        };
        if event_hash(event) != hash {
            return fail("the hash does not match the event's content".to_owned());
        }
        prev = hash.to_owned();
    }
    Ok(())
}

/// A new run id: UTC time and random bits, e.g. `20251123T093000Z-1a2b3c4d`.
pub fn new_run_id() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let (date, time) = civil(now.as_secs() as i64);
    let mut bits = u64::from(now.subsec_nanos()) ^ u64::from(std::process::id()).rotate_left(32);
    // Mix in an address so two runs in the same nanosecond of one process differ too.
    bits ^= (&bits as *const u64 as u64).rotate_left(17);
    bits = bits.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z-{:08x}",
        date.0,
        date.1,
        date.2,
        time.0,
        time.1,
        time.2,
        (bits >> 32) as u32
    )
}

/// The current time as RFC 3339 UTC with milliseconds.
pub fn rfc3339_now() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(now.as_secs() as i64, now.subsec_millis())
}

/// `seconds` since the epoch (and `millis`) as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn rfc3339(seconds: i64, millis: u32) -> String {
    let ((y, m, d), (hh, mm, ss)) = civil(seconds);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{millis:03}Z")
}

/// Calendar date and time of day (UTC) for seconds since the epoch (Howard Hinnant's days-to-civil).
fn civil(seconds: i64) -> ((i64, u32, u32), (u32, u32, u32)) {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    ((year, month, day), (secs / 3600, secs / 60 % 60, secs % 60))
}

fn plain_io(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(1_763_890_245, 999), "2025-11-23T09:30:45.999Z");
        assert_eq!(rfc3339(-1, 0), "1969-12-31T23:59:59.000Z");
        assert_eq!(rfc3339(4_102_444_800, 0), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn run_ids_differ() {
        let a = new_run_id();
        assert_eq!(a.len(), "20251123T093000Z-1a2b3c4d".len(), "{a}");
        assert_ne!(a, new_run_id());
    }

    #[test]
    fn chain_of_sealed_events_verifies_and_detects_tampering() {
        let first = seal(0, "run_start", "2025-01-01T00:00:00.000Z", fields(json!({"file": "a.lm"})), GENESIS_HASH);
        let second = seal(
            1,
            "run_end",
            "2025-01-01T00:00:01.000Z",
            fields(json!({"status": "ok"})),
            first["hash"].as_str().unwrap(),
        );
        let mut events = vec![first, second];
        assert_eq!(verify_chain(&events), Ok(()));

        events[1].insert("status".to_owned(), json!("error"));
        assert_eq!(verify_chain(&events).unwrap_err().seq, 1);

        events[1] = seal(1, "run_end", "x", fields(json!({"status": "ok"})), "f00d");
        assert!(verify_chain(&events).unwrap_err().reason.contains("prev_hash"));

        events.swap(0, 1);
        assert_eq!(verify_chain(&events).unwrap_err().seq, 0);
    }

    #[test]
    fn floats_survive_writing_and_reading_back() {
        // Needs serde_json's exact float parsing: otherwise the recomputed hash differs by one ULP.
        let tricky = json!({"a": 0.024487000000000002, "b": 1795430639.1183095, "c": 1e-7, "d": 5e300});
        let event = seal(0, "k", "t", fields(tricky), GENESIS_HASH);
        let line = Value::Object(event.clone()).to_string();
        let parsed: Map<String, Value> = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed, event);
        assert_eq!(verify_chain(&[parsed]), Ok(()));
    }

    #[test]
    fn hash_ignores_key_order() {
        let a = seal(0, "k", "t", fields(json!({"a": 1, "b": {"x": 1, "y": 2}})), GENESIS_HASH);
        let b = seal(0, "k", "t", fields(json!({"b": {"y": 2, "x": 1}, "a": 1})), GENESIS_HASH);
        assert_eq!(a["hash"], b["hash"]);
    }

    #[test]
    fn writer_chains_and_reader_reads_back() {
        let dir = std::env::temp_dir().join(format!("lumen-trace-unit-{}", std::process::id()));
        let mut writer = TraceWriter::create(&dir, "run1").unwrap();
        writer.event("run_start", fields(json!({"file": "x.lm"}))).unwrap();
        writer.event("run_end", fields(json!({"status": "ok"}))).unwrap();
        assert!(TraceWriter::create(&dir, "run1").is_err(), "an existing trace is never overwritten");
        let events = read_trace(writer.path()).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["prev_hash"], json!(GENESIS_HASH));
        assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
        assert_eq!(verify_chain(&events), Ok(()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
