//! `lumen check` and `lumen run`: build the program, report diagnostics, run it.

use std::io::{BufWriter, Write};
use std::path::Path;

use lumen_syntax::{Diagnostic, SourceFile, render_json, render_text, summary_line};
use lumen_vm::display::display;
use lumen_vm::host::Host;
use lumen_vm::interp::{Fault, Vm};

use crate::pipeline::{self, Build};
use crate::{CheckArgs, Format, RunArgs};

/// Exit statuses (LANGUAGE.md §9.1).
const OK: u8 = 0;
const BAD_INPUT: u8 = 1;
const USAGE: u8 = 2;
const INTERNAL_ERROR: u8 = 101;

/// The diagnostics of one file, sorted by position.
struct Checked<'a> {
    file: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Checked<'_> {
    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// `lumen check FILE...`: 0 when no file has errors, 1 when some has, 2 when a file is unreadable.
pub fn check(args: &CheckArgs) -> u8 {
    let color = args.color.for_stderr();
    let mut status = OK;
    for path in &args.files {
        let Some(build) = build_or_report(path, None) else {
            status = status.max(USAGE);
            continue;
        };
        if report_build(&build, args.format, color) {
            status = status.max(BAD_INPUT);
        }
        if let (Some(crate::Emit::Bytecode), Some(program)) = (args.emit, &build.program) {
            print_bytecode(program);
        }
    }
    status
}

/// `lumen check --emit bytecode`: each function with its registers, constants and instructions.
fn print_bytecode(program: &lumen_compile::program::Program) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (index, f) in program.functions.iter().enumerate() {
        let _ = writeln!(out, "fn #{index} {} (params {}, regs {})", f.name, f.params.len(), f.nregs);
        for (i, c) in f.consts.iter().enumerate() {
            let _ = writeln!(out, "  const {i}: {c:?}");
        }
        for (pc, instr) in f.code.iter().enumerate() {
            let _ = writeln!(out, "  {pc:4} L{:<4} {instr:?}", f.line_at(pc));
        }
    }
}

/// `lumen run FILE [--cell NAME] [-- ARGS]`: compiles the program and runs its entry cell. Only
/// the program's own output goes to stdout.
pub fn run(args: &RunArgs) -> u8 {
    let color = args.color.for_stderr();
    let Some(build) = build_or_report(&args.file, Some(&args.cell)) else {
        return USAGE;
    };
    if report_build(&build, Format::Text, color) {
        return BAD_INPUT;
    }
    let Some(program) = &build.program else { return BAD_INPUT };
    let mut host = match crate::run_host::make(args, &build) {
        Ok(host) => host,
        Err(status) => return status,
    };
    let outcome = Vm::new(program, &mut host).run_main();
    host.flush();
    let status = match &outcome {
        Ok(value) => match value.as_result() {
            // `main` returning `err(e)` fails the run (LANGUAGE.md 1.5).
            Some((false, e)) => {
                eprintln!("{}: {}", paint("error", RED, color), display(e));
                BAD_INPUT
            }
            _ => OK,
        },
        Err(Fault::Exit(code)) => u8::try_from((*code).clamp(0, 255)).unwrap_or(BAD_INPUT),
        Err(Fault::Abort) => {
            eprintln!("{}: internal error: an aborted computation escaped the interpreter", paint("error", RED, color));
            INTERNAL_ERROR
        }
        Err(Fault::Error(error)) => {
            let text = error.render();
            let text = match text.strip_prefix("error:") {
                Some(rest) => format!("{}:{rest}", paint("error", RED, color)),
                None => text,
            };
            eprint!("{text}");
            BAD_INPUT
        }
    };
    crate::run_host::finish(&mut host, &outcome, status)
}

/// Runs the pipeline on `path`; prints a message and returns `None` when it cannot be read.
fn build_or_report(path: &Path, entry: Option<&str>) -> Option<Build> {
    match pipeline::build(path, entry) {
        Ok(build) => Some(build),
        Err(err) => {
            let display = path.to_string_lossy();
            eprintln!("error: cannot read `{display}`: {}", describe_io_error(&err));
            None
        }
    }
}

/// Prints the diagnostics of every module of the build; true when there were errors.
fn report_build(build: &Build, format: Format, color: bool) -> bool {
    let mut any_errors = false;
    for (i, module) in build.loaded.modules.iter().enumerate() {
        let mut diagnostics: Vec<Diagnostic> =
            build.diagnostics.iter().filter(|(m, _)| *m == i).map(|(_, d)| d.clone()).collect();
        if diagnostics.is_empty() {
            continue;
        }
        diagnostics.sort_by_key(|d| d.labels.first().map(|label| (label.span.start, label.span.end)));
        let checked = Checked { file: &module.file, diagnostics };
        any_errors |= checked.errors() > 0;
        report(&checked, format, color);
    }
    any_errors
}

/// An I/O error without the "(os error N)" suffix.
fn describe_io_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}

/// Prints a file's diagnostics: text on stderr (then a summary line), or JSON lines on stdout.
/// Write errors (a closed pipe) are ignored: there is nobody left to tell.
fn report(checked: &Checked<'_>, format: Format, color: bool) {
    match format {
        Format::Json => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            for diag in &checked.diagnostics {
                let _ = writeln!(out, "{}", render_json(diag, checked.file));
            }
            let _ = out.flush();
        }
        Format::Text => {
            let mut err = BufWriter::new(std::io::stderr().lock());
            for diag in &checked.diagnostics {
                let _ = writeln!(err, "{}\n", render_text(diag, checked.file, color));
            }
            let (errors, warnings) = (checked.errors(), checked.warnings());
            let path = &checked.file.path;
            let counts = summary_line(errors, warnings);
            if errors > 0 {
                let _ = writeln!(err, "{}: could not check {path}: {counts}", paint("error", RED, color));
            } else if warnings > 0 {
                let _ = writeln!(err, "{}: {path}: {counts}", paint("warning", YELLOW, color));
            }
            let _ = err.flush();
        }
    }
}

const RED: &str = "\x1b[1;91m";
const YELLOW: &str = "\x1b[1;33m";

fn paint(word: &str, style: &str, color: bool) -> String {
    if color { format!("{style}{word}\x1b[0m") } else { word.to_owned() }
}
