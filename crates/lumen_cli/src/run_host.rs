//! The host `lumen run` gives the VM: the runtime's `RuntimeHost` over the real world, with the
//! configuration from `lumen.toml`, and the trace (`--trace-dir`) and replay (`--replay`) the flags
//! ask for (LANGUAGE.md 5.15, 7.3, 9.6).

use lumen_runtime::trace::new_run_id;
use lumen_runtime::{Config, Replay, RunEnd, RuntimeHost, Tools, TraceWriter};
use lumen_vm::display::display;
use lumen_vm::host::StdHost;
use lumen_vm::interp::Fault;
use lumen_vm::value::Value;

use crate::RunArgs;
use crate::pipeline::Build;

const BAD_INPUT: u8 = 1;
const USAGE: u8 = 2;

pub type RunHost = RuntimeHost<StdHost>;

/// The host for a run, or the exit status after printing why it cannot be made.
pub fn make(args: &RunArgs, build: &Build) -> Result<RunHost, u8> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let config = Config::discover(&cwd).map_err(|err| {
        eprintln!("error: bad configuration: {err}");
        BAD_INPUT
    })?;
    let mut host = RuntimeHost::new(StdHost::new(args.args.clone()), Tools::new(config));
    if let Some(path) = &args.replay {
        if !path.is_file() {
            eprintln!("error: cannot read the replay log `{}`: no such file", path.display());
            return Err(USAGE);
        }
        let replay = Replay::load(path).map_err(|err| {
            eprintln!("error: cannot replay: {err}");
            BAD_INPUT
        })?;
        host = host.with_replay(replay);
    }
    if let Some(dir) = &args.trace_dir {
        let writer = TraceWriter::create(dir, &new_run_id()).map_err(|err| {
            let reason = err.to_string();
            let reason = reason.split(" (os error").next().unwrap_or(&reason);
            eprintln!("error: cannot create a trace in `{}`: {reason}", dir.display());
            USAGE
        })?;
        let file = args.file.to_string_lossy();
        // The hash of the bytes on disk, so `sha256sum FILE` matches `doc_hash`.
        let source = match std::fs::read(&args.file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => build.loaded.modules.first().map(|m| m.file.text.clone()).unwrap_or_default(),
        };
        host = host.with_trace(writer, &file, &source, &args.cell);
    }
    Ok(host)
}

/// Records how the run ended and reports replay divergence or trace failures; returns the final
/// exit status.
pub fn finish(host: &mut RunHost, outcome: &Result<Value, Fault>, status: u8) -> u8 {
    let end = match outcome {
        Ok(value) => match value.as_result() {
            Some((false, e)) => RunEnd::Error(display(e)),
            _ => RunEnd::Ok,
        },
        Err(Fault::Exit(code)) => RunEnd::Exit(*code),
        Err(Fault::Error(error)) => RunEnd::Error(error.message.clone()),
        Err(_) => RunEnd::Error("internal error".to_owned()),
    };
    let finished = host.finish(end);
    let mut status = status;
    if let Some(message) = finished.divergence {
        eprintln!("error: {message}");
        status = BAD_INPUT;
    }
    if let Some(message) = finished.trace_error {
        eprintln!("error: {message}");
        status = status.max(BAD_INPUT);
    }
    status
}
