//! `lumen test` (LANGUAGE.md §9.4): finds test cells and markdown doc tests, runs each in a
//! fresh program instance, reports `test FILE::NAME ... ok|FAILED` lines, the failures, and a
//! summary; `--format junit` writes JUnit XML instead.
//!
//! A test's output (stdout and stderr of the program) is captured; it is shown with the test's
//! failure message, and for passing tests only under `-v`. A cell with the `@skip` attribute
//! (optionally `@skip("reason")`) is reported as skipped and not run.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use lumen_compile::Program;
use lumen_syntax::ast::{Attribute, ExprKind, ItemKind, Module, ParamKind, StrSegment};
use lumen_syntax::{Diagnostic, SourceFile, SourceKind, render_text};
use lumen_vm::host::{Host, StdHost};
use lumen_vm::interp::{Fault, Vm};
use lumen_vm::value::Value;

use crate::pipeline::{self, Build};
use crate::repl_build::{Stage, Unit, build_units};
use crate::test_doc::{doc_test_code, doc_tests};
use crate::test_report::{Outcome, Report, TestResult};

const OK: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Files or directories to search for tests (default: the current directory)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name contains TEXT
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Report format: text lines, or JUnit XML on stdout
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Also show the captured output of passing tests
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Junit,
}

/// `lumen test [PATH...]`: 0 when every test passed, 1 when any failed, 2 on a bad path.
pub fn test(args: &TestArgs) -> u8 {
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for root in &roots {
        if let Err(err) = discover(root, &mut files) {
            eprintln!("error: cannot read `{}`: {err}", root.display());
            return USAGE;
        }
    }
    let mut report = Report::new(args.format == TestFormat::Text, args.verbose);
    for file in &files {
        test_file(file, args.filter.as_deref(), &mut report);
    }
    report.finish();
    if report.failed() > 0 { FAILED } else { OK }
}

/// Adds the Lumen source files under `root` (or `root` itself) to `out`, sorted per directory;
/// hidden directories and `.lumen/` are skipped, and symbolic links to directories not followed.
fn discover(root: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        out.push(root.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<(String, std::fs::FileType)> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in entries {
        // `./a.lm` reads better as `a.lm`.
        let path = if root == Path::new(".") { PathBuf::from(&name) } else { root.join(&name) };
        if kind.is_dir() {
            if !name.starts_with('.') {
                // An unreadable subdirectory is skipped, not fatal.
                let _ = discover(&path, out);
            }
        } else if SourceFile::kind_for_path(&name).is_some() && std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

/// A test found in a file's syntax tree.
struct Found {
    name: String,
    kind: Kind,
    /// Byte offset, to run tests in source order.
    at: u32,
    skip: Option<String>,
}

enum Kind {
    Cell,
    Doc(lumen_syntax::Span),
}

fn test_file(path: &Path, filter: Option<&str>, report: &mut Report) {
    let shown = path.to_string_lossy().into_owned();
    let build = match pipeline::build(path, None) {
        Ok(build) => build,
        Err(err) => {
            let message = format!("error: cannot read `{shown}`: {err}\n");
            report.add(TestResult::new(&shown, None, Outcome::Failed(message), String::new(), Duration::ZERO));
            return;
        }
    };
    let entry = &build.loaded.modules[0];
    let mut found = test_cells(&entry.parse.module);
    if entry.file.kind == SourceKind::Markdown {
        for doc in doc_tests(&entry.file) {
            found.push(Found { name: doc.name, kind: Kind::Doc(doc.block), at: doc.block.start, skip: None });
        }
    }
    found.sort_by_key(|f| f.at);
    // Under a filter, a file counts only for the tests it keeps, its compile errors included.
    if let Some(text) = filter {
        found.retain(|f| f.name.contains(text));
        if found.is_empty() {
            return;
        }
    }
    let Some(program) = build.program.clone() else {
        let message = render_errors(&build);
        report.add(TestResult::new(&shown, None, Outcome::Failed(message), String::new(), Duration::ZERO));
        return;
    };
    let mut program = program;
    for test in found {
        if let Some(reason) = test.skip {
            report.add(TestResult::new(
                &shown,
                Some(&test.name),
                Outcome::Skipped(reason),
                String::new(),
                Duration::ZERO,
            ));
            continue;
        }
        let result = match test.kind {
            Kind::Cell => run_cell(&mut program, &test.name),
            Kind::Doc(block) => run_doc(&build, block),
        };
        let (outcome, output, time) = result;
        report.add(TestResult::new(&shown, Some(&test.name), outcome, output, time));
    }
}

/// Cells named `test_*` or marked `@test` that take no required parameters.
fn test_cells(module: &Module) -> Vec<Found> {
    let mut found = Vec::new();
    for item in &module.items {
        let ItemKind::Cell(cell) = &item.kind else { continue };
        let attrs = || item.attrs.iter().chain(&cell.attrs);
        let marked = attrs().any(|a| a.name.name == "test");
        if !(cell.name.name.starts_with("test_") || marked) {
            continue;
        }
        let required = cell.params.iter().any(|p| match p.kind {
            ParamKind::SelfParam => true,
            ParamKind::Normal => p.default.is_none(),
            ParamKind::Variadic => false,
        });
        if required {
            continue;
        }
        let skip = attrs().find(|a| a.name.name == "skip").map(skip_reason);
        found.push(Found { name: cell.name.name.clone(), kind: Kind::Cell, at: item.span.start, skip });
    }
    found
}

/// The reason written as `@skip("reason")`, if it is a plain string.
fn skip_reason(attr: &Attribute) -> String {
    let Some(arg) = attr.args.first() else { return String::new() };
    let ExprKind::Str(segments) = &arg.kind else { return String::new() };
    segments
        .iter()
        .map(|s| match s {
            StrSegment::Text(t) => t.as_str(),
            _ => "",
        })
        .collect()
}

/// Runs one test cell in a fresh VM of the file's program.
fn run_cell(program: &mut Program, name: &str) -> (Outcome, String, Duration) {
    // The entry module is file 1 (0 is the prelude); an imported module may reuse the name.
    let func = program.cells.iter().find(|(n, f)| n == name && program.functions[*f as usize].file == 1).map(|c| c.1);
    let Some(func) = func else {
        let message = format!("error: internal error: test cell `{name}` was not compiled\n");
        return (Outcome::Failed(message), String::new(), Duration::ZERO);
    };
    program.entry = Some(func);
    run_program(program)
}

/// Runs a doc test: the file compiled with only the test block's top-level statements.
fn run_doc(build: &Build, block: lumen_syntax::Span) -> (Outcome, String, Duration) {
    let entry = &build.loaded.modules[0];
    let code = doc_test_code(&entry.file, &entry.parse, block);
    let parse = lumen_syntax::parse_code(&code);
    let has_statements = parse.module.items.iter().any(|i| matches!(i.kind, ItemKind::Stmt(_)));
    let units: Vec<Unit<'_>> = std::iter::once(Unit {
        name: "",
        path: &entry.file.path,
        code: &code,
        module: &parse.module,
        parse_diagnostics: &parse.diagnostics,
    })
    .chain(build.loaded.modules[1..].iter().map(|m| Unit {
        name: &m.name,
        path: &m.file.path,
        code: &m.file.code,
        module: &m.parse.module,
        parse_diagnostics: &[],
    }))
    .collect();
    let built = build_units(&units, &[], Stage::Compile(has_statements.then_some("main")));
    let Some(program) = built.program else {
        let files: Vec<&SourceFile> = build.loaded.modules.iter().map(|m| &m.file).collect();
        let message = render_diagnostics(&files, &built.diagnostics);
        return (Outcome::Failed(message), String::new(), Duration::ZERO);
    };
    if !has_statements {
        // Declarations only: compiling is the whole test.
        return (Outcome::Passed, String::new(), Duration::ZERO);
    }
    run_program(&program)
}

/// Runs `program` from its entry with captured output and classifies the result (§9.4).
fn run_program(program: &Program) -> (Outcome, String, Duration) {
    let mut host = CaptureHost { inner: StdHost::new(Vec::new()), output: String::new() };
    let started = Instant::now();
    let result = Vm::new(program, &mut host).run_main();
    let time = started.elapsed();
    let outcome = match result {
        Ok(Value::Bool(false)) => Outcome::Failed("error: the test returned false\n".to_owned()),
        Ok(_) => Outcome::Passed,
        Err(Fault::Error(error)) => Outcome::Failed(error.render()),
        Err(Fault::Exit(code)) => Outcome::Failed(format!("error: the test called exit({code})\n")),
        Err(Fault::Abort) => {
            Outcome::Failed("error: internal error: an aborted computation escaped the interpreter\n".to_owned())
        }
    };
    (outcome, host.output, time)
}

/// The error diagnostics of a build, rendered without colour.
fn render_errors(build: &Build) -> String {
    let files: Vec<&SourceFile> = build.loaded.modules.iter().map(|m| &m.file).collect();
    render_diagnostics(&files, &build.diagnostics)
}

fn render_diagnostics(files: &[&SourceFile], diagnostics: &[(usize, Diagnostic)]) -> String {
    let mut errors: Vec<&(usize, Diagnostic)> = diagnostics.iter().filter(|(_, d)| d.is_error()).collect();
    errors.sort_by_key(|(m, d)| (*m, d.primary_span().start));
    let mut out = String::new();
    for (module, diag) in errors {
        if let Some(file) = files.get(*module) {
            out.push_str(&render_text(diag, file, false));
            out.push('\n');
        }
    }
    out
}

/// The real host, with the program's stdout and stderr collected into one text.
struct CaptureHost {
    inner: StdHost,
    output: String,
}

impl Host for CaptureHost {
    fn write_stdout(&mut self, text: &str) {
        self.output.push_str(text);
    }
    fn write_stderr(&mut self, text: &str) {
        self.output.push_str(text);
    }
    fn now(&mut self) -> f64 {
        self.inner.now()
    }
    fn hrtime(&mut self) -> i64 {
        self.inner.hrtime()
    }
    fn random_u64(&mut self) -> u64 {
        self.inner.random_u64()
    }
    fn sleep_ms(&mut self, ms: u64) {
        self.inner.sleep_ms(ms);
    }
    fn get_env(&mut self, name: &str) -> Option<String> {
        self.inner.get_env(name)
    }
    fn args(&mut self) -> Vec<String> {
        Vec::new()
    }
    fn read_file(&mut self, path: &str) -> io::Result<String> {
        self.inner.read_file(path)
    }
    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.inner.write_file(path, content)
    }
    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.inner.append_file(path, content)
    }
    fn exists(&mut self, path: &str) -> bool {
        self.inner.exists(path)
    }
    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>> {
        self.inner.read_dir(path)
    }
    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.inner.mkdir(path)
    }
    fn read_line(&mut self) -> Option<String> {
        let _ = io::stdout().flush();
        self.inner.read_line()
    }
    fn read_stdin(&mut self) -> String {
        self.inner.read_stdin()
    }
}
