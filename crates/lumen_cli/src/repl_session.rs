//! The state of a repl session and how an input is evaluated.
//!
//! The session keeps the *source* of what was entered: declarations (a redeclared name replaces
//! the old declaration) and the statements that ran without error. Each input becomes one
//! program: the declarations, then a cell whose body is the earlier statements, a marker line,
//! and the new statements; the value of a final expression statement is the cell's result. The
//! program is checked and compiled as a whole, so every input is typed exactly as it would be in
//! a file. Running it re-executes the earlier statements silently: [`ReplayHost`] swallows their
//! output and answers their clock, randomness and file reads from the log of the first run, so
//! values stay what they were and nothing visible happens twice. Costs grow with the session
//! (earlier statements run again on each input); `:reset` starts afresh.

use lumen_compile::loader::{self, LoadedModule};
use lumen_syntax::{Diagnostic, ParseOutput, SourceFile, SourceKind, Span, render_text};
use lumen_vm::display::display;
use lumen_vm::host::{Host, StdHost};
use lumen_vm::interp::{Fault, RuntimeError, Vm};

use crate::repl_build::{Stage, Unit, build_units};
use crate::repl_host::{Event, ReplayHost};
use crate::repl_input::{Chunk, Decl, Parts, pure_echo, split, top_level_misfits};

/// Names of the generated glue; user code is unlikely to use them.
const MAIN: &str = "__lumen_repl_main";
const VALUE: &str = "__lumen_repl_value";
const PROBE_TYPE: &str = "__LumenReplProbe";
const PROBE_VAR: &str = "__lumen_repl_probe";
/// Path of the generated program in traces and glue diagnostics.
const GENERATED: &str = "<repl session>";

/// What evaluating an input asks of the loop.
pub enum Step {
    Continue,
    /// The program called `exit(code)`.
    Exit(i32),
}

pub struct Session {
    /// Every input entered, by number; chunks point into their code.
    inputs: Vec<SourceFile>,
    directives: Vec<Chunk>,
    decls: Vec<Decl>,
    stmts: Vec<Chunk>,
    /// Imported modules, by dotted name.
    libs: Vec<LoadedModule>,
    log: Vec<Event>,
    host: StdHost,
    marker: String,
    pub color: bool,
}

/// The generated program and where each chunk went.
struct Generated {
    text: String,
    /// `(offset in text, chunk)`, in text order.
    placed: Vec<(usize, Chunk)>,
}

impl Generated {
    fn glue(&mut self, s: &str) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.text.push_str(s);
    }

    fn chunk(&mut self, inputs: &[SourceFile], c: Chunk) {
        self.glue("");
        self.placed.push((self.text.len(), c));
        self.text.push_str(&inputs[c.input].code[c.start..c.end]);
        self.text.push('\n');
    }

    /// The chunk holding a byte offset of the text, and the offset in its input.
    fn locate(&self, offset: usize) -> Option<(Chunk, usize)> {
        let i = self.placed.partition_point(|(at, _)| *at <= offset).checked_sub(1)?;
        let (at, c) = self.placed[i];
        let inside = offset - at;
        (inside <= c.end - c.start).then_some((c, c.start + inside))
    }
}

impl Session {
    pub fn new(color: bool) -> Session {
        let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Session {
            inputs: Vec::new(),
            directives: Vec::new(),
            decls: Vec::new(),
            stmts: Vec::new(),
            libs: Vec::new(),
            log: Vec::new(),
            host: StdHost::new(Vec::new()),
            marker: format!("\u{1}lumen-repl-{seed:x}-{}", std::process::id()),
            color,
        }
    }

    /// Evaluates one complete input typed at the prompt.
    pub fn eval(&mut self, text: &str) -> Step {
        let path = format!("<repl {}>", self.inputs.len() + 1);
        let file = SourceFile::from_str(path, text, SourceKind::Raw);
        let parse = lumen_syntax::parse_file(&file);
        self.inputs.push(file);
        self.eval_parsed(self.inputs.len() - 1, &parse, true)
    }

    /// `:load FILE`: the file's declarations join the session and its statements run; modules it
    /// imports are loaded with it.
    pub fn load(&mut self, path: &str) -> Step {
        let loaded = match loader::load(std::path::Path::new(path), path) {
            Ok(loaded) => loaded,
            Err(err) => {
                eprintln!("error: cannot read `{path}`: {err}");
                return Step::Continue;
            }
        };
        let mut modules = loaded.modules.into_iter();
        let Some(entry) = modules.next() else { return Step::Continue };
        let errors: Vec<&Diagnostic> = loaded.errors.iter().filter(|(m, _)| *m == 0).map(|(_, d)| d).collect();
        if !errors.is_empty() {
            for d in errors {
                eprintln!("{}", render_text(d, &entry.file, self.color));
            }
            return Step::Continue;
        }
        for module in modules {
            self.libs.retain(|m| m.name != module.name);
            self.libs.push(module);
        }
        let parse = entry.parse;
        self.inputs.push(entry.file);
        self.eval_parsed(self.inputs.len() - 1, &parse, false)
    }

    /// `:type EXPR`: the static type of an expression in the session's context.
    pub fn type_of(&mut self, text: &str) {
        let file = SourceFile::from_str("<type>", text, SourceKind::Raw);
        let parse = lumen_syntax::parse_file(&file);
        self.inputs.push(file);
        let input = self.inputs.len() - 1;
        if !self.report(&parse.diagnostics, input) {
            let parts = split(input, &self.inputs[input], &parse.module);
            if parts.echo.is_some() && parts.stmts.is_empty() && parts.decls.is_empty() {
                let (ty, generated, diagnostics) =
                    self.static_type(&self.directives, &self.decls, &self.stmts, &[], parts.echo);
                if !self.report_generated(&generated, &diagnostics, input) {
                    println!("{}", ty.unwrap_or_else(|| "Any".to_owned()));
                }
            } else {
                eprintln!("error: `:type` takes one expression");
            }
        }
        self.inputs.pop();
    }

    fn eval_parsed(&mut self, input: usize, parse: &ParseOutput, show_value: bool) -> Step {
        if self.report(&parse.diagnostics, input) || self.report(&top_level_misfits(&parse.module), input) {
            return Step::Continue;
        }
        let mut parts = split(input, &self.inputs[input], &parse.module);
        if !show_value && let Some(echo) = parts.echo.take() {
            parts.stmts.push(echo);
        }
        if let Err(message) = self.resolve_imports(&parts) {
            eprintln!("{message}");
            return Step::Continue;
        }
        let new_keys: Vec<&String> = parts.decls.iter().filter_map(|d| d.key.as_ref()).collect();
        let mut decls: Vec<Decl> =
            self.decls.iter().filter(|d| d.key.as_ref().is_none_or(|k| !new_keys.contains(&k))).cloned().collect();
        decls.extend(parts.decls.iter().cloned());
        let mut old = self.stmts.clone();
        let mut directives = self.directives.clone();
        directives.extend(parts.directives.iter().copied());
        // A redeclaration can break earlier inputs; those are dropped (with a note), the rest kept.
        let mut notes: Vec<String> = Vec::new();
        let (generated, built) = loop {
            let generated = self.generate_with(&directives, &decls, &old, &parts.stmts, parts.echo, false);
            let built = self.build(&generated, Stage::Compile(Some(MAIN)));
            let before = old.len() + decls.len();
            for c in self.broken_chunks(&generated, &built.diagnostics, input) {
                old.retain(|s| !same(s, &c));
                decls.retain(|d| !same(&d.chunk, &c));
                let what = self.inputs[c.input].code[c.start..c.end].trim().lines().next().unwrap_or("").to_owned();
                notes.push(format!("note: dropped `{what}` from {}: it no longer compiles", self.inputs[c.input].path));
            }
            if old.len() + decls.len() == before {
                break (generated, built);
            }
        };
        if self.report_generated(&generated, &built.diagnostics, input) {
            return Step::Continue;
        }
        let Some(program) = built.program else { return Step::Continue };
        let commit = |s: &mut Session, old: Vec<Chunk>| {
            for note in &notes {
                eprintln!("{note}");
            }
            s.decls = decls.clone();
            s.directives = directives.clone();
            s.stmts = old;
            s.stmts.extend(parts.stmts.iter().copied());
            // A value shown without side effects need not run again.
            if let Some(echo) = parts.echo
                && !pure_echo(&s.inputs[echo.input].code[echo.start..echo.end])
            {
                s.stmts.push(echo);
            }
        };
        if parts.stmts.is_empty() && parts.echo.is_none() && !parts.constants {
            // Declarations only: compiling them is all there is to do.
            commit(self, old);
            return Step::Continue;
        }
        let ty = match parts.echo {
            Some(_) => self.static_type(&directives, &decls, &old, &parts.stmts, parts.echo).0,
            None => None,
        };
        let mut host = ReplayHost::new(&mut self.host, self.log.clone(), self.marker.clone());
        let result = Vm::new(&program, &mut host).run_main();
        let (live, log) = (host.live, host.log);
        // On failure the session, its log included, stays as it was.
        self.host.flush();
        match result {
            Ok(value) => {
                self.log = log;
                commit(self, old);
                if parts.echo.is_some() && !value.is_null() {
                    println!("{} : {}", display(&value), ty.unwrap_or_else(|| value.type_name()));
                }
                Step::Continue
            }
            Err(Fault::Exit(code)) if live => Step::Exit(code),
            Err(Fault::Exit(code)) => {
                eprintln!("error: an earlier input called exit({code}) when run again; the input was not kept");
                Step::Continue
            }
            Err(Fault::Error(error)) => {
                let error = self.map_trace(&generated, error);
                let text = error.render();
                // Before the marker, but in the new input: a new constant's initializer.
                let own = error.trace.iter().any(|t| t.file == self.inputs[input].path);
                if live || own {
                    eprint!("{text}");
                } else {
                    eprintln!("{text}note: the error happened while re-running earlier inputs; the input was not kept");
                }
                Step::Continue
            }
            Err(Fault::Abort) => {
                eprintln!("error: internal error: an aborted computation escaped the interpreter");
                Step::Continue
            }
        }
    }

    /// Loads modules named by new `import` declarations, relative to the working directory.
    fn resolve_imports(&mut self, parts: &Parts) -> Result<(), String> {
        for decl in &parts.decls {
            let Some(dotted) = decl.key.as_ref().and_then(|k| k.strip_prefix("import ")) else { continue };
            if self.libs.iter().any(|m| m.name == dotted) {
                continue;
            }
            let base: std::path::PathBuf = dotted.split('.').collect();
            let candidates = ["lm", "lumen", "lm.md", "lumen.md"].iter().flat_map(|ext| {
                [
                    std::path::PathBuf::from(format!("{}.{ext}", base.display())),
                    base.join(format!("mod.{ext}")),
                    base.join(format!("main.{ext}")),
                ]
            });
            let found: Vec<std::path::PathBuf> = candidates.filter(|p| p.is_file()).collect();
            let Some(path) = found.first() else {
                return Err(format!("error: module `{dotted}` not found (searched the working directory)"));
            };
            let shown = path.to_string_lossy().into_owned();
            let loaded = loader::load(path, &shown).map_err(|e| format!("error: cannot read `{shown}`: {e}"))?;
            if let Some((m, d)) = loaded.errors.first() {
                let file = &loaded.modules[*m].file;
                return Err(render_text(d, file, self.color));
            }
            for (i, mut module) in loaded.modules.into_iter().enumerate() {
                if i == 0 {
                    module.name = dotted.to_owned();
                }
                if !self.libs.iter().any(|m| m.name == module.name) {
                    self.libs.push(module);
                }
            }
        }
        Ok(())
    }

    /// The static type of the echoed expression, found by assigning it to a type nothing else
    /// fits and reading the checker's mismatch message (the checker has no query interface).
    fn static_type(
        &self,
        directives: &[Chunk],
        decls: &[Decl],
        old: &[Chunk],
        new: &[Chunk],
        echo: Option<Chunk>,
    ) -> (Option<String>, Generated, Vec<(usize, Diagnostic)>) {
        let generated = self.generate_with(directives, decls, old, new, echo, true);
        let built = self.build(&generated, Stage::Check);
        let probe_at = generated.text.find(&format!("let {PROBE_VAR}")).unwrap_or(usize::MAX);
        let mut ty = None;
        let mut rest = Vec::new();
        for (m, d) in built.diagnostics {
            if m == 0 && d.code == lumen_check::codes::TYPE_MISMATCH && d.primary_span().start as usize >= probe_at {
                let found = d.message.split_once("found `").map(|(_, t)| t.strip_suffix('`').unwrap_or(t));
                ty = found.map(str::to_owned);
            } else {
                rest.push((m, d));
            }
        }
        (ty, generated, rest)
    }

    fn generate_with(
        &self,
        directives: &[Chunk],
        decls: &[Decl],
        old: &[Chunk],
        new: &[Chunk],
        echo: Option<Chunk>,
        probe: bool,
    ) -> Generated {
        let mut g = Generated { text: String::new(), placed: Vec::new() };
        for &c in directives {
            g.chunk(&self.inputs, c);
        }
        for d in decls {
            g.chunk(&self.inputs, d.chunk);
        }
        if probe {
            g.glue(&format!("enum {PROBE_TYPE}\n  {PROBE_TYPE}Only\nend\n"));
        }
        g.glue(&format!("cell {MAIN}() -> Any\n"));
        for &c in old {
            g.chunk(&self.inputs, c);
        }
        g.glue(&format!("print(\"{}\")\n", self.marker.escape_default()));
        for &c in new {
            g.chunk(&self.inputs, c);
        }
        match echo {
            Some(c) => {
                g.glue(&format!("let {VALUE} =\n"));
                g.chunk(&self.inputs, c);
                if probe {
                    g.glue(&format!("let {PROBE_VAR}: {PROBE_TYPE} = {VALUE}\n"));
                }
                g.glue(&format!("return {VALUE}\nend\n"));
            }
            None => g.glue("return null\nend\n"),
        }
        g
    }

    fn build(&self, g: &Generated, stage: Stage<'_>) -> crate::repl_build::Built {
        let parse = lumen_syntax::parse_code(&g.text);
        let units: Vec<Unit<'_>> = std::iter::once(Unit {
            name: "",
            path: GENERATED,
            code: &g.text,
            module: &parse.module,
            parse_diagnostics: &parse.diagnostics,
        })
        .chain(self.libs.iter().map(|m| Unit {
            name: &m.name,
            path: &m.file.path,
            code: &m.file.code,
            module: &m.parse.module,
            parse_diagnostics: &m.parse.diagnostics,
        }))
        .collect();
        build_units(&units, &[], stage)
    }

    /// Earlier chunks with errors when the current input has none: what a redeclaration broke.
    fn broken_chunks(&self, g: &Generated, diagnostics: &[(usize, Diagnostic)], input: usize) -> Vec<Chunk> {
        let errors: Vec<Option<(Chunk, usize)>> = diagnostics
            .iter()
            .filter(|(m, d)| *m == 0 && d.is_error())
            .map(|(_, d)| g.locate(d.primary_span().start as usize))
            .collect();
        if errors.iter().any(|e| e.is_none_or(|(c, _)| c.input == input)) {
            return Vec::new();
        }
        let mut broken: Vec<Chunk> = Vec::new();
        for (c, _) in errors.into_iter().flatten() {
            if !broken.iter().any(|b| same(b, &c)) {
                broken.push(c);
            }
        }
        broken
    }

    /// Prints parse diagnostics of an input; true when there were errors.
    fn report(&self, diagnostics: &[Diagnostic], input: usize) -> bool {
        for d in diagnostics {
            eprintln!("{}", render_text(d, &self.inputs[input], self.color));
        }
        diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Prints the diagnostics of a generated program against the inputs they come from (warnings
    /// only for the current input); true when there were errors.
    fn report_generated(&self, g: &Generated, diagnostics: &[(usize, Diagnostic)], input: usize) -> bool {
        let mut any = false;
        for (m, d) in diagnostics {
            any |= d.is_error();
            if *m > 0 {
                if let Some(lib) = self.libs.get(m - 1) {
                    eprintln!("{}", render_text(d, &lib.file, self.color));
                }
                continue;
            }
            match g.locate(d.primary_span().start as usize) {
                Some((c, _)) if c.input == input || d.is_error() => {
                    let mapped = map_diagnostic(g, d, c.input);
                    eprintln!("{}", render_text(&mapped, &self.inputs[c.input], self.color));
                }
                Some(_) => {}
                None if d.is_error() => {
                    let file = SourceFile::from_str(GENERATED, &g.text, SourceKind::Raw);
                    eprintln!("{}", render_text(d, &file, self.color));
                }
                None => {}
            }
        }
        any
    }

    /// A runtime error with trace lines pointing into the inputs instead of the generated program.
    fn map_trace(&self, g: &Generated, mut error: RuntimeError) -> RuntimeError {
        let line_starts: Vec<usize> =
            std::iter::once(0).chain(g.text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        for t in &mut error.trace {
            if t.file != GENERATED {
                continue;
            }
            if t.cell == MAIN {
                t.cell = "<repl>".to_owned();
            }
            // A glue line (`let <value> =`) stands for the chunk that starts on the next line.
            let at = |line: u32| line_starts.get((line as usize).wrapping_sub(1)).copied();
            let located = at(t.line).and_then(|at| g.locate(at)).or_else(|| {
                let next = at(t.line + 1)?;
                g.placed.iter().find(|(p, _)| *p == next).map(|&(_, c)| (c, c.start))
            });
            if let Some((c, offset)) = located {
                let file = &self.inputs[c.input];
                t.file = file.path.clone();
                t.line = file.line_col(offset as u32).0;
            }
        }
        error
    }
}

fn same(a: &Chunk, b: &Chunk) -> bool {
    a.input == b.input && a.start == b.start && a.end == b.end
}

/// A diagnostic of the generated program with its labels moved into one input (labels pointing
/// elsewhere are dropped; the primary one always stays).
fn map_diagnostic(g: &Generated, d: &Diagnostic, input: usize) -> Diagnostic {
    let mut mapped = d.clone();
    mapped.labels = d
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (c, start) = g.locate(l.span.start as usize)?;
            if c.input != input && i > 0 {
                return None;
            }
            let end = start + (l.span.len()).min(c.end - start);
            let mut l = l.clone();
            l.span = Span::new(start, end);
            Some(l)
        })
        .collect();
    if mapped.labels.is_empty() {
        mapped.labels = vec![d.labels[0].clone()];
    }
    mapped
}
