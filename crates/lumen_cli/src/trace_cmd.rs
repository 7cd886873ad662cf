//! `lumen trace show TRACE_FILE|RUN_ID [--trace-dir DIR] [--format text|json] [--verify-chain]`:
//! prints a recorded run (LANGUAGE.md 5.15, 9.3) and optionally checks its hash chain.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use lumen_runtime::trace::{read_trace, verify_chain};
use serde_json::{Map, Value};

use crate::Format;

const OK: u8 = 0;
const BAD_INPUT: u8 = 1;
const USAGE: u8 = 2;
/// Longest rendering of an input or output in the text timeline.
const SHOWN_CHARS: usize = 160;

#[derive(Args, Debug)]
pub struct TraceArgs {
    #[command(subcommand)]
    pub command: TraceCommand,
}

#[derive(Subcommand, Debug)]
pub enum TraceCommand {
    /// Print a recorded trace as a timeline
    Show(ShowArgs),
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A trace file, or a run id looked up in --trace-dir
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,
    /// Where to look for a run id's trace
    #[arg(long, value_name = "DIR")]
    pub trace_dir: Option<PathBuf>,
    /// Text timeline, or the events as JSON lines
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check the hash chain; exit 1 naming the first bad event when it is broken
    #[arg(long)]
    pub verify_chain: bool,
}

pub fn trace(args: &TraceArgs) -> u8 {
    match &args.command {
        TraceCommand::Show(show_args) => show(show_args),
    }
}

fn show(args: &ShowArgs) -> u8 {
    let path = if args.trace.is_file() {
        args.trace.clone()
    } else {
        let dir = args.trace_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let candidate = dir.join(format!("{}.jsonl", args.trace.display()));
        if !candidate.is_file() {
            eprintln!("error: no trace `{}` (not a file, nor a run id in `{}`)", args.trace.display(), dir.display());
            return USAGE;
        }
        candidate
    };
    let events = match read_trace(&path) {
        Ok(events) => events,
        Err(message) => {
            eprintln!("error: {message}");
            return BAD_INPUT;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = match args.format {
        Format::Json => events.iter().try_for_each(|e| writeln!(out, "{}", Value::Object(e.clone()))),
        Format::Text => write!(out, "{}", timeline(&events)),
    };
    let _ = out.flush();
    if !args.verify_chain {
        return OK;
    }
    match verify_chain(&events) {
        Ok(()) => {
            eprintln!("chain ok: {} events verified", events.len());
            OK
        }
        Err(broken) => {
            eprintln!("error: hash chain broken at event {}: {}", broken.seq, broken.reason);
            BAD_INPUT
        }
    }
}

/// The events as a readable timeline, one block per event.
pub fn timeline(events: &[Map<String, Value>]) -> String {
    let mut text = String::new();
    for event in events {
        let seq = event.get("seq").map_or("?".to_owned(), Value::to_string);
        let time = field(event, "timestamp");
        // `YYYY-MM-DDTHH:MM:SS.mmmZ` -> `HH:MM:SS.mmm`
        let clock = time.get(11..23).unwrap_or(time);
        let kind = field(event, "kind");
        let line = match kind {
            "run_start" => format!(
                "{} (entry {}, run {}, doc {})",
                field(event, "file"),
                field(event, "entry"),
                field(event, "run_id"),
                field(event, "doc_hash").get(..12).unwrap_or("")
            ),
            "tool_call" => tool_line(event),
            "host_call" => {
                let input = match event.get("input") {
                    None | Some(Value::Null) => String::new(),
                    Some(v) => shown(v),
                };
                let output = if event.get("redacted") == Some(&Value::Bool(true)) {
                    "<redacted>".to_owned()
                } else {
                    event.get("output").map(shown).unwrap_or_default()
                };
                format!("{}({input}) -> {output}", field(event, "call"))
            }
            "error" => field(event, "message").to_owned(),
            "run_end" => match event.get("exit_code") {
                Some(code) => format!("{} (exit code {code})", field(event, "status")),
                None => field(event, "status").to_owned(),
            },
            _ => {
                let mut rest = event.clone();
                for key in ["seq", "kind", "timestamp", "prev_hash", "hash"] {
                    rest.remove(key);
                }
                shown(&Value::Object(rest))
            }
        };
        text.push_str(&format!("{seq:>4}  {clock:<12}  {kind:<10}  {line}\n"));
        if kind == "tool_call" {
            if let Some(input) = event.get("input") {
                text.push_str(&format!("{:34}input:  {}\n", "", shown(input)));
            }
            match (event.get("output"), event.get("error")) {
                (Some(output), _) => text.push_str(&format!("{:34}output: {}\n", "", shown(output))),
                (None, Some(Value::String(error))) => text.push_str(&format!("{:34}error:  {error}\n", "")),
                _ => {}
            }
        }
    }
    text
}

fn tool_line(event: &Map<String, Value>) -> String {
    let mut line = format!("{} [{}]", field(event, "alias"), field(event, "path"));
    if let Some(Value::String(provider)) = event.get("provider") {
        line.push_str(&format!(" via {provider}"));
    }
    line.push_str(&format!(" {}", field(event, "status")));
    if let Some(ms) = event.get("duration_ms").and_then(Value::as_f64) {
        line.push_str(&format!(" {ms:.1} ms"));
    }
    if let Some(retries) = event.get("retries") {
        line.push_str(&format!(", {retries} retries"));
    }
    let tokens: Vec<String> = [("gen_ai.usage.input_tokens", "in"), ("gen_ai.usage.output_tokens", "out")]
        .iter()
        .filter_map(|(key, label)| event.get(*key).map(|n| format!("{n} {label}")))
        .collect();
    if !tokens.is_empty() {
        line.push_str(&format!(", tokens {}", tokens.join(" / ")));
    }
    if let Some(Value::String(model)) = event.get("gen_ai.request.model") {
        line.push_str(&format!(", model {model}"));
    }
    if event.get("replayed") == Some(&Value::Bool(true)) {
        line.push_str(" (replayed)");
    }
    line
}

fn field<'e>(event: &'e Map<String, Value>, key: &str) -> &'e str {
    event.get(key).and_then(Value::as_str).unwrap_or("")
}

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > SHOWN_CHARS {
        format!("{}...", text.chars().take(SHOWN_CHARS - 3).collect::<String>())
    } else {
        text
    }
}
