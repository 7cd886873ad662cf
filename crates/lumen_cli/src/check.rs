//! `lumen check` and the front half of `lumen run`: read, parse, report diagnostics.

use std::io::{BufWriter, Write};
use std::path::Path;

use lumen_syntax::{Diagnostic, SourceFile, render_json, render_text, summary_line};

use crate::{CheckArgs, Format, RunArgs};

/// Exit statuses (LANGUAGE.md §9.1).
const OK: u8 = 0;
const BAD_INPUT: u8 = 1;
const USAGE: u8 = 2;

/// The diagnostics of one file, sorted by position.
struct Checked {
    file: SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Checked {
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
        let Some(checked) = read_and_parse(path) else {
            status = status.max(USAGE);
            continue;
        };
        report(&checked, args.format, color);
        if checked.errors() > 0 {
            status = status.max(BAD_INPUT);
        }
    }
    status
}

/// `lumen run FILE`: the file is checked, but nothing runs yet.
pub fn run(args: &RunArgs) -> u8 {
    let Some(checked) = read_and_parse(&args.file) else {
        return USAGE;
    };
    report(&checked, Format::Text, args.color.for_stderr());
    if checked.errors() == 0 {
        eprintln!("error: lumen run is not implemented yet (the VM is under construction)");
    }
    BAD_INPUT
}

/// Reads and parses one file. Prints a message and returns `None` when it cannot be read.
fn read_and_parse(path: &Path) -> Option<Checked> {
    let display = path.to_string_lossy().into_owned();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: cannot read `{display}`: {}", describe_io_error(&err));
            return None;
        }
    };
    let (file, mut diagnostics) = match SourceFile::new(display.clone(), bytes) {
        Ok(file) => {
            let mut output = lumen_syntax::parse_file(&file);
            let diagnostics = std::mem::take(&mut output.diagnostics);
            // Freeing the syntax tree of a large file takes a noticeable share of the run and
            // nothing waits for it: free it on another thread, which dies with the process.
            // (If the thread cannot start, the closure and the tree are dropped right here.)
            let _ = std::thread::Builder::new().spawn(move || drop(output));
            (file, diagnostics)
        }
        Err(diag) => {
            // Shown against a lossy decoding, identical up to the first bad byte.
            let bytes = std::fs::read(path).unwrap_or_default();
            (SourceFile::new_lossy(display, bytes), vec![diag])
        }
    };
    diagnostics.sort_by_key(|d| d.labels.first().map(|label| (label.span.start, label.span.end)));
    Some(Checked { file, diagnostics })
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
fn report(checked: &Checked, format: Format, color: bool) {
    match format {
        Format::Json => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            for diag in &checked.diagnostics {
                let _ = writeln!(out, "{}", render_json(diag, &checked.file));
            }
            let _ = out.flush();
        }
        Format::Text => {
            let mut err = BufWriter::new(std::io::stderr().lock());
            for diag in &checked.diagnostics {
                let _ = writeln!(err, "{}\n", render_text(diag, &checked.file, color));
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
