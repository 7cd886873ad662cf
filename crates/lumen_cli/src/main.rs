//! `lumen`: the command-line interface of the Lumen toolchain (LANGUAGE.md §9).
//!
//! Exit status: 0 success, 1 bad input (compile errors, failed program), 2 usage or I/O error,
//! 101 internal error (a panic anywhere in the toolchain is reported as such, never as a crash).

mod check;
mod fmt_cmd;
mod lsp_cmd;
mod mcp_cmd;
mod pipeline;
mod repl;
mod repl_build;
mod repl_host;
mod repl_input;
mod repl_session;
mod run_host;
mod test_cmd;
mod test_doc;
mod test_report;
mod trace_cmd;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stack size of the thread that does the work; the parser is recursive.
const WORK_STACK_BYTES: usize = 256 * 1024 * 1024;
/// Exit status of an internal error (the same as Rust's for an uncaught panic).
const INTERNAL_ERROR: u8 = 101;

#[derive(Parser, Debug)]
#[command(
    name = "lumen",
    version,
    about = "The Lumen programming language toolchain",
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check source files without running anything
    Check(CheckArgs),
    /// Compile and run a program
    Run(RunArgs),
    /// Rewrite source files in the canonical layout
    Fmt(fmt_cmd::FmtArgs),
    /// Inspect recorded run traces
    Trace(trace_cmd::TraceArgs),
    /// Re-run a recorded program from its trace, contacting nothing (same as `run --replay`)
    Replay(ReplayArgs),
    /// Run the test cells and doc tests under a path
    Test(test_cmd::TestArgs),
    /// Evaluate declarations and statements interactively
    Repl(repl::ReplArgs),
    /// Serve the Language Server Protocol over stdio
    Lsp(lsp_cmd::LspArgs),
    /// Inspect MCP servers (`lumen mcp list SERVER`)
    Mcp(mcp_cmd::McpArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Source files (.lm, .lumen, .lm.md, .lumen.md)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How to print diagnostics: text on stderr, or one JSON object per line on stdout
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to colour text diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Also print the compiled program (`bytecode`: every function's instructions) on stdout
    #[arg(long, value_enum, value_name = "WHAT")]
    pub emit: Option<Emit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    Bytecode,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The entry source file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The entry cell
    #[arg(long, value_name = "NAME", default_value = "main")]
    pub cell: String,
    /// When to colour text diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Write the run's trace (also its replay log) to DIR/<run_id>.jsonl
    #[arg(long, value_name = "DIR")]
    pub trace_dir: Option<PathBuf>,
    /// Answer tool and host calls from a recorded trace instead of the outside world
    #[arg(long, value_name = "TRACE")]
    pub replay: Option<PathBuf>,
    /// Arguments passed to the program
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The trace written by `lumen run --trace-dir`
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,
    /// The program (default: the file the trace recorded)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The entry cell
    #[arg(long, value_name = "NAME", default_value = "main")]
    pub cell: String,
    /// When to colour text diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether text written to stderr should carry ANSI colours.
    pub fn for_stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

fn main() -> ExitCode {
    // Usage errors exit with 2, `--help` and `--version` with 0 (clap's behaviour).
    let cli = Cli::parse();
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("note: this is a bug in lumen, not in your program; please report it");
    }));
    let worker = std::thread::Builder::new()
        .name("lumen".to_owned())
        .stack_size(WORK_STACK_BYTES)
        .spawn(move || run_command(cli.command));
    let status = match worker.map(|handle| handle.join()) {
        Ok(Ok(status)) => status,
        // The panic hook has already printed the message.
        Ok(Err(_)) => INTERNAL_ERROR,
        Err(err) => {
            eprintln!("error: internal error: cannot start the worker thread: {err}");
            INTERNAL_ERROR
        }
    };
    ExitCode::from(status)
}

fn run_command(command: Command) -> u8 {
    match command {
        Command::Check(args) => check::check(&args),
        Command::Run(args) => check::run(&args),
        Command::Fmt(args) => fmt_cmd::fmt(&args),
        Command::Lsp(args) => lsp_cmd::lsp(&args),
        Command::Trace(args) => trace_cmd::trace(&args),
        Command::Replay(args) => replay(args),
        Command::Test(args) => test_cmd::test(&args),
        Command::Repl(args) => repl::repl(&args),
        Command::Mcp(args) => mcp_cmd::mcp(&args),
    }
}

/// `lumen replay TRACE [FILE]`: `lumen run --replay TRACE FILE`, the file defaulting to the one
/// the trace recorded.
fn replay(args: ReplayArgs) -> u8 {
    let file = match args.file {
        Some(file) => file,
        None => match lumen_runtime::Replay::load(&args.trace) {
            Ok(replay) => match replay.file {
                Some(file) => PathBuf::from(file),
                None => {
                    eprintln!("error: {}: the trace does not name its program; pass FILE", args.trace.display());
                    return 2;
                }
            },
            Err(message) => {
                eprintln!("error: {}: {message}", args.trace.display());
                return 2;
            }
        },
    };
    let run = RunArgs {
        file,
        cell: args.cell,
        color: args.color,
        trace_dir: None,
        replay: Some(args.trace),
        args: Vec::new(),
    };
    check::run(&run)
}
