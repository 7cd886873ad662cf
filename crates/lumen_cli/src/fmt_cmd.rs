//! `lumen fmt [PATHS] [--check]`: rewrite source files in the canonical layout (LANGUAGE.md 9.3).
//!
//! Directories are searched recursively for `.lm`, `.lumen`, `.lm.md` and `.lumen.md` files
//! (hidden directories and `.lumen/` are skipped); no path means the current directory. A file
//! is written only when its text changes. `--check` writes nothing, lists the files that would
//! change on stdout and exits 1 if there is any. `-` or `--stdin` formats standard input to
//! standard output. A file with syntax errors is reported and left untouched (exit 1).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use lumen_fmt::{FormatError, format_file, restore_line_endings};
use lumen_syntax::{SourceFile, render_text, summary_line};

use crate::ColorChoice;

const OK: u8 = 0;
const BAD_INPUT: u8 = 1;
const USAGE: u8 = 2;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files or directories to format (default: the current directory); `-` reads standard input
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit with status 1 if any would
    #[arg(long)]
    pub check: bool,
    /// Format standard input and write the result to standard output
    #[arg(long)]
    pub stdin: bool,
    /// File name used for standard input: its extension picks raw or markdown mode
    #[arg(long, value_name = "NAME", default_value = "<stdin>.lm")]
    pub stdin_name: String,
    /// When to colour diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn fmt(args: &FmtArgs) -> u8 {
    let color = args.color.for_stderr();
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    if args.stdin || dash {
        if args.paths.iter().any(|p| p.as_os_str() != "-") {
            eprintln!("error: standard input cannot be formatted together with files");
            return USAGE;
        }
        return fmt_stdin(args, color);
    }
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    let mut status = OK;
    for root in &roots {
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_dir() => collect(root, &mut files),
            Ok(_) => files.push(root.clone()),
            Err(err) => {
                eprintln!("error: cannot read `{}`: {}", root.display(), describe(&err));
                status = USAGE;
            }
        }
    }
    for path in &files {
        status = status.max(fmt_path(path, args.check, color));
    }
    status
}

/// Source files under `dir`, sorted, recursively; hidden directories and `.lumen/` skipped.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("warning: cannot read directory `{}`", dir.display());
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') {
                collect(&path, out);
            }
        } else if SourceFile::kind_for_path(&name).is_some() {
            out.push(path);
        }
    }
}

/// Formats one file in place (or checks it); returns its exit status.
fn fmt_path(path: &Path, check: bool, color: bool) -> u8 {
    let display = path.to_string_lossy().into_owned();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: cannot read `{display}`: {}", describe(&err));
            return USAGE;
        }
    };
    let Some(new) = format_bytes(&display, bytes.clone(), color) else {
        return BAD_INPUT;
    };
    if new.as_bytes() == bytes.as_slice() {
        return OK;
    }
    if check {
        println!("{display}");
        return BAD_INPUT;
    }
    match std::fs::write(path, new) {
        Ok(()) => OK,
        Err(err) => {
            eprintln!("error: cannot write `{display}`: {}", describe(&err));
            USAGE
        }
    }
}

fn fmt_stdin(args: &FmtArgs, color: bool) -> u8 {
    let mut bytes = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: cannot read standard input: {}", describe(&err));
        return USAGE;
    }
    let Some(new) = format_bytes(&args.stdin_name, bytes.clone(), color) else {
        return BAD_INPUT;
    };
    if args.check {
        if new.as_bytes() == bytes.as_slice() {
            return OK;
        }
        println!("{}", args.stdin_name);
        return BAD_INPUT;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(new.as_bytes());
    let _ = out.flush();
    OK
}

/// The formatted text of a file's bytes, or `None` after reporting why it cannot be formatted.
fn format_bytes(name: &str, bytes: Vec<u8>, color: bool) -> Option<String> {
    let original = String::from_utf8_lossy(&bytes).into_owned();
    let file = match SourceFile::new(name, bytes.clone()) {
        Ok(file) => file,
        Err(diag) => {
            let lossy = SourceFile::new_lossy(name, bytes);
            eprintln!("{}\n", render_text(&diag, &lossy, color));
            eprintln!("error: could not format {name}: {}", summary_line(1, 0));
            return None;
        }
    };
    match format_file(&file) {
        Ok(text) => Some(restore_line_endings(&original, text)),
        Err(FormatError::Syntax(diags)) => {
            let mut err = std::io::stderr().lock();
            for d in &diags {
                let _ = writeln!(err, "{}\n", render_text(d, &file, color));
            }
            let _ = writeln!(err, "error: could not format {name}: {}", summary_line(diags.len(), 0));
            None
        }
        Err(e @ FormatError::Unsafe { .. }) => {
            eprintln!("error: could not format {name}: {e}; the file is left unchanged");
            None
        }
    }
}

fn describe(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}
