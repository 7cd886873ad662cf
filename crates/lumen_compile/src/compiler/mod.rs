//! The compiler: name resolution, register allocation and code generation from the AST.
//!
//! Locals live in registers of their function's window; free variables of lambdas and local
//! cells are captured by value when the closure is made (`LoadCapture`); module-level names are
//! resolved at compile time to functions, types, variants, constants or builtins, so the hot
//! path never looks a name up by string.

mod call;
pub(crate) mod expr;
mod grammar;
mod items;
mod pattern;
mod prelude_use;
mod process;
mod prompt;
mod schema;
mod stmt;
mod tools;

use std::collections::HashMap;

use lumen_syntax::ast::{Expr, Ident, Module};
use lumen_syntax::{Diagnostic, Span};

use crate::bytecode::{Const, Function, Instr, Reg};
use crate::program::{Program, TypeInfo};

/// Codes of errors found while compiling (a later checker reports most of these first).
pub mod codes {
    pub const UNDEFINED_NAME: &str = "E0200";
    pub const DUPLICATE_DEFINITION: &str = "E0201";
    pub const ASSIGN_IMMUTABLE: &str = "E0202";
    pub const BAD_ARGUMENTS: &str = "E0203";
    pub const UNKNOWN_FIELD: &str = "E0204";
    pub const BAD_CONTROL_FLOW: &str = "E0205";
    pub const UNSUPPORTED: &str = "E0206";
    pub const NO_ENTRY: &str = "E0207";
    pub const TOO_MANY_REGISTERS: &str = "E0208";
    pub const TOOL_MISUSE: &str = "E0214";
}

/// One module to compile.
pub struct CompileInput<'a> {
    /// The path shown in diagnostics and stack traces.
    pub path: String,
    /// The dotted module path other modules import it by (`lib.strings`); empty for the entry.
    pub name: String,
    pub source: &'a str,
    pub module: &'a Module,
}

/// A compile error and the index of the input it belongs to.
pub type FileDiagnostic = (usize, Diagnostic);

/// The file index of the prelude; input `i` is file `i + 1`.
pub(crate) const PRELUDE_FILE: u32 = 0;

/// Compiles a program. `inputs[0]` is the entry module; the others are the modules it imports
/// (directly or not), each listed once.
pub fn compile(
    inputs: &[CompileInput<'_>],
    entry_cell: Option<&str>,
    builtin_lookup: fn(&str) -> Option<u32>,
) -> Result<Program, Vec<FileDiagnostic>> {
    let sources: Vec<&str> = inputs.iter().map(|i| i.source).collect();
    let prelude = prelude_use::for_sources(&sources);
    match compile_with(inputs, entry_cell, builtin_lookup, prelude) {
        // Diagnostics come from a compile with everything in scope (see `prelude_use`).
        Err(_) if !prelude.complete => compile_with(inputs, entry_cell, builtin_lookup, prelude_use::complete()),
        result => result,
    }
}

fn compile_with(
    inputs: &[CompileInput<'_>],
    entry_cell: Option<&str>,
    builtin_lookup: fn(&str) -> Option<u32>,
    prelude: &'static prelude_use::Prelude,
) -> Result<Program, Vec<FileDiagnostic>> {
    let Some(entry) = inputs.first() else {
        return Err(vec![(0, Diagnostic::error(codes::NO_ENTRY, "nothing to compile", Span::DUMMY))]);
    };
    let mut c = Compiler::new(entry.source, builtin_lookup);
    c.program.files.push("<prelude>".into());
    c.program.files.extend(inputs.iter().map(|i| i.path.clone()));
    c.program.types.push(TypeInfo::Enum {
        name: "result".into(),
        variants: vec!["ok".into(), "err".into()],
        arities: vec![1, 1],
    });
    c.enums.insert(
        crate::program::RESULT_TYPE,
        EnumInfo {
            variants: vec![("ok".into(), vec![None], true), ("err".into(), vec![None], true)],
            assoc: HashMap::new(),
        },
    );
    c.globals.insert("ok".into(), Global::Variant(crate::program::RESULT_TYPE, 0));
    c.globals.insert("err".into(), Global::Variant(crate::program::RESULT_TYPE, 1));
    c.set_source(&prelude.source, PRELUDE_FILE);
    c.declare_module(&prelude.module);
    let base = c.globals.clone();

    // Traits of every module are known before any impl is declared (an impl may implement a
    // trait imported from a module declared later).
    for input in inputs {
        for item in &input.module.items {
            if let lumen_syntax::ast::ItemKind::Trait(t) = &item.kind {
                c.traits.entry(t.name.name.clone()).or_insert(t);
            }
        }
    }
    // Pass 1: each module's own declarations, in a namespace starting from the prelude.
    let mut own: Vec<HashMap<String, Global>> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        c.globals = base.clone();
        c.set_source(input.source, i as u32 + 1);
        c.declare_module(input.module);
        own.push(
            c.globals
                .iter()
                .filter(|(k, _)| !base.contains_key(*k) || c.own_name(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        c.tag_diags(i);
    }
    // Imports: copy names between namespaces.
    let mut spaces: Vec<HashMap<String, Global>> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut space = base.clone();
        space.extend(own[i].clone());
        c.set_source(input.source, i as u32 + 1);
        c.resolve_imports(input.module, inputs, &own, &mut space);
        c.tag_diags(i);
        spaces.push(space);
    }
    c.globals = base;
    c.set_source(&prelude.source, PRELUDE_FILE);
    c.compile_module_bodies(&prelude.module);
    // Pass 2: bodies, each in its module's namespace (in declaration order, which the method
    // slots reserved in pass 1 rely on).
    for (i, input) in inputs.iter().enumerate() {
        c.globals = spaces[i].clone();
        c.set_source(input.source, i as u32 + 1);
        c.compile_module_bodies(input.module);
        c.tag_diags(i);
        // The entry module's top-level statements became an implicit `main`.
        if i == 0
            && let Some(main @ Global::Cell(_)) = c.globals.get("main").cloned()
        {
            spaces[0].insert("main".into(), main);
        }
    }
    if let Some(entry_cell) = entry_cell {
        c.globals = spaces[0].clone();
        c.set_source(entry.source, 1);
        c.finish(entry.module, entry_cell);
        c.tag_diags(0);
    }
    if c.diags.iter().any(|(_, d)| d.is_error()) {
        return Err(c.diags);
    }
    Ok(c.program)
}

/// What a module-level name stands for.
#[derive(Clone, Debug)]
pub(crate) enum Global {
    Cell(u32),
    Const(u32),
    Record(u32),
    Enum(u32),
    /// `(enum type, variant index)`
    Variant(u32, u16),
    /// A process or agent type (its name constructs an instance).
    Process(u32),
    /// A tool alias (`use tool ... as Name`), by index into `Program::tools`.
    Tool(u32),
}

/// Signature facts needed to arrange arguments of direct calls.
#[derive(Clone, Debug)]
pub(crate) struct CellSig<'a> {
    pub params: Vec<String>,
    /// Default expressions by parameter index.
    pub defaults: Vec<Option<&'a Expr>>,
    pub variadic: Option<usize>,
}

#[derive(Clone, Debug)]
pub(crate) struct RecordInfo<'a> {
    pub name: String,
    pub fields: Vec<String>,
    pub defaults: Vec<Option<&'a Expr>>,
    /// Fields declared `Float` (Int values are widened on construction).
    pub float_fields: Vec<bool>,
    /// Declared field types (for `expect schema`).
    pub field_types: Vec<&'a lumen_syntax::ast::TypeExpr>,
    pub validator: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct EnumInfo {
    /// Variant names with their payload field names (`None` for positional fields).
    pub variants: Vec<(String, Vec<Option<String>>, bool)>,
    /// Associated functions (cells without `self`) by name.
    pub assoc: HashMap<String, u32>,
}

#[derive(Clone, Debug)]
struct Local {
    name: String,
    reg: Reg,
    mutable: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum CaptureSource {
    Local(Reg),
    Capture(u16),
    SelfFunc,
}

pub(crate) struct LoopCtx {
    pub label: Option<String>,
    pub breaks: Vec<usize>,
    pub continues: Vec<usize>,
    pub result: Reg,
    /// Number of scopes open when the loop started (their `defer`s outlive an iteration).
    pub scope_depth: usize,
    /// A `for` loop's iterator register: leaving the loop early closes it (a generator runs
    /// its pending `defer`s).
    pub iter: Option<Reg>,
}

/// The function being compiled.
pub(crate) struct FnState {
    pub func: Function,
    scopes: Vec<Vec<Local>>,
    /// `defer` blocks registered so far in each open scope.
    pub scope_defers: Vec<u32>,
    pub next_reg: Reg,
    pub captures: Vec<(String, CaptureSource)>,
    /// The name a local cell uses to call itself.
    pub self_name: Option<String>,
    pub loops: Vec<LoopCtx>,
    pub line: u32,
    /// The cell declares `-> Float`: returned Ints are widened.
    pub ret_float: bool,
    /// A `handle` body: `return` escapes to the enclosing cell.
    pub escapes: bool,
    /// The prompt context of a cell with role statements or agent roles (LANGUAGE.md 7.4).
    pub prompt: Option<Reg>,
    /// Registers holding boxes of variables shared with a `handle` body being compiled.
    pub box_regs: Vec<Reg>,
    /// Names of captures that hold such boxes (read through `Unbox`, written with `BoxSet`).
    pub boxed: Vec<String>,
}

pub(crate) struct Compiler<'a> {
    pub program: Program,
    pub globals: HashMap<String, Global>,
    pub sigs: HashMap<u32, CellSig<'a>>,
    pub records: HashMap<u32, RecordInfo<'a>>,
    pub enums: HashMap<u32, EnumInfo>,
    pub fns: Vec<FnState>,
    /// Diagnostics of modules already processed, with their input index.
    pub diags: Vec<FileDiagnostic>,
    /// Diagnostics of the module being processed.
    pub pending: Vec<Diagnostic>,
    pub source: &'a str,
    pub file: u32,
    line_starts: Vec<u32>,
    /// Constant initializers `(file, global slot, expression)`, compiled into each module's
    /// init function.
    pub const_inits: Vec<(u32, u32, &'a Expr)>,
    /// Maps a builtin's name to its id (the VM owns the builtin table).
    pub builtin_lookup: fn(&str) -> Option<u32>,
    pub processes: HashMap<u32, process::ProcessInfo>,
    pub process_decls: HashMap<u32, process::ProcessRef<'a>>,
    pub machine_tables: HashMap<u32, Vec<process::StateTable>>,
    /// Methods of the process whose cells are being compiled (callable bare, `self` implied).
    pub sibling_methods: HashMap<String, u32>,
    /// Traits of the module being declared, for default methods of impls.
    pub traits: HashMap<String, &'a lumen_syntax::ast::TraitDecl>,
    /// Nesting of macro expansions (macros cannot be recursive).
    pub macro_depth: u32,
    /// Set while compiling the operand of a postfix link (`.f`, `[i]`, `.0`, `.m()`), so that a
    /// `?.`/`?[` anywhere in a chain short-circuits the whole chain (LANGUAGE.md 3.5.7).
    pub chain_link: bool,
    /// Jumps taken by `?.`/`?[` links on `null`, patched at the chain's end.
    pub chain_jumps: Vec<usize>,
    /// The JSON Schema for the tool call being compiled as the operand of `expect schema`.
    pub pending_tool_schema: Option<String>,
    /// Role blocks of the agent whose cells are being compiled.
    pub agent_roles: Vec<&'a lumen_syntax::ast::RoleBlock>,
    /// Macros by name.
    pub macros: HashMap<String, &'a lumen_syntax::ast::MacroDecl>,
    /// Named top-level handlers: `(effect, operation, function)` per handler name.
    pub handlers: HashMap<String, Vec<(String, String, u32)>>,
    /// Function slots of enum and impl methods, in declaration order (pass 2 takes them back).
    pub method_queue: std::collections::VecDeque<u32>,
}

impl<'a> Compiler<'a> {
    fn new(source: &'a str, builtin_lookup: fn(&str) -> Option<u32>) -> Compiler<'a> {
        let mut line_starts = vec![0u32];
        line_starts.extend(source.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u32 + 1));
        Compiler {
            program: Program::default(),
            globals: HashMap::new(),
            sigs: HashMap::new(),
            records: HashMap::new(),
            enums: HashMap::new(),
            fns: Vec::new(),
            diags: Vec::new(),
            pending: Vec::new(),
            source,
            file: 0,
            line_starts,
            const_inits: Vec::new(),
            method_queue: std::collections::VecDeque::new(),
            handlers: HashMap::new(),
            traits: HashMap::new(),
            macros: HashMap::new(),
            macro_depth: 0,
            chain_link: false,
            chain_jumps: Vec::new(),
            pending_tool_schema: None,
            agent_roles: Vec::new(),
            processes: HashMap::new(),
            process_decls: HashMap::new(),
            machine_tables: HashMap::new(),
            sibling_methods: HashMap::new(),
            builtin_lookup,
        }
    }

    /// Switches the source used for line numbers and constraint texts.
    fn set_source(&mut self, source: &'a str, file: u32) {
        self.source = source;
        self.file = file;
        self.line_starts = vec![0u32];
        self.line_starts.extend(source.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u32 + 1));
    }

    pub fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.pending.push(Diagnostic::error(code, message, span));
    }

    /// Files the pending diagnostics under input `i`.
    fn tag_diags(&mut self, i: usize) {
        let pending = std::mem::take(&mut self.pending);
        self.diags.extend(pending.into_iter().map(|d| (i, d)));
    }

    /// Whether `name` is declared by the module being declared (not only by the prelude).
    fn own_name(&self, name: &str) -> bool {
        match self.globals.get(name) {
            Some(Global::Cell(f)) => self.program.functions[*f as usize].file == self.file,
            Some(Global::Variant(ty, _)) => *ty != crate::program::RESULT_TYPE,
            Some(_) => true,
            None => false,
        }
    }

    pub fn line_of(&self, span: Span) -> u32 {
        self.line_starts.partition_point(|&s| s <= span.start).max(1) as u32
    }

    pub fn source_text(&self, span: Span) -> &'a str {
        self.source.get(span.range()).unwrap_or("")
    }

    // ----- functions -----

    /// Starts compiling a function with the given parameters in registers `0..params.len()`.
    pub fn begin_fn(&mut self, name: &str, params: &[String], is_lambda: bool) {
        let func = Function {
            name: name.to_string(),
            file: self.file,
            params: params.to_vec(),
            is_lambda,
            ..Function::default()
        };
        let locals =
            params.iter().enumerate().map(|(i, p)| Local { name: p.clone(), reg: i as Reg, mutable: false }).collect();
        self.fns.push(FnState {
            func,
            scopes: vec![locals],
            scope_defers: vec![0],
            next_reg: params.len() as Reg,
            captures: Vec::new(),
            self_name: None,
            loops: Vec::new(),
            line: 0,
            ret_float: false,
            escapes: false,
            prompt: None,
            box_regs: Vec::new(),
            boxed: Vec::new(),
        });
    }

    /// Finishes the current function and adds it to the program; returns its index and captures.
    pub fn end_fn(&mut self) -> (u32, Vec<(String, CaptureSource)>) {
        let Some(mut state) = self.fns.pop() else { return (0, Vec::new()) };
        state.func.ncaptures = state.captures.len() as u16;
        let idx = self.program.functions.len() as u32;
        self.program.functions.push(state.func);
        (idx, state.captures)
    }

    /// Reserves a function slot to fill later (cells are declared before bodies compile).
    pub fn reserve_fn(&mut self, name: &str) -> u32 {
        let idx = self.program.functions.len() as u32;
        self.program.functions.push(Function { name: name.to_string(), file: self.file, ..Function::default() });
        idx
    }

    /// Finishes the current function into a reserved slot.
    pub fn end_fn_into(&mut self, slot: u32) {
        let Some(mut state) = self.fns.pop() else { return };
        state.func.ncaptures = state.captures.len() as u16;
        self.program.functions[slot as usize] = state.func;
    }

    pub fn f(&mut self) -> &mut FnState {
        let n = self.fns.len();
        &mut self.fns[n - 1]
    }

    pub fn set_line(&mut self, span: Span) {
        let line = self.line_of(span);
        self.f().line = line;
    }

    pub fn emit(&mut self, instr: Instr) -> usize {
        let f = self.f();
        f.func.code.push(instr);
        f.func.lines.push(f.line);
        f.func.code.len() - 1
    }

    pub fn pc(&mut self) -> usize {
        self.f().func.code.len()
    }

    /// Points the jump at `at` to the current position.
    pub fn patch(&mut self, at: usize) {
        let target = self.pc();
        self.patch_to(at, target);
    }

    pub fn patch_to(&mut self, at: usize, target: usize) {
        let offset = target as i32 - (at as i32 + 1);
        let code = &mut self.f().func.code;
        code[at] = match code[at] {
            Instr::Jump(_) => Instr::Jump(offset),
            Instr::JumpIfFalse(r, _) => Instr::JumpIfFalse(r, offset),
            Instr::JumpIfTrue(r, _) => Instr::JumpIfTrue(r, offset),
            Instr::JumpIfNull(r, _) => Instr::JumpIfNull(r, offset),
            Instr::JumpIfNotEscape(r, _) => Instr::JumpIfNotEscape(r, offset),
            Instr::JumpIfNotNull(r, _) => Instr::JumpIfNotNull(r, offset),
            Instr::JumpIfNotLess(a, b, _) => Instr::JumpIfNotLess(a, b, offset),
            Instr::JumpIfNot(op, a, b, _) => Instr::JumpIfNot(op, a, b, offset),
            Instr::JumpIfNotImm(op, a, imm, _) => Instr::JumpIfNotImm(op, a, imm, offset),
            Instr::JumpIfProvided(p, _) => Instr::JumpIfProvided(p, offset),
            Instr::ForLoop(i, limit, _) => Instr::ForLoop(i, limit, offset),
            Instr::ForLoopInclusive(i, limit, _) => Instr::ForLoopInclusive(i, limit, offset),
            Instr::IterNext { dst, iter, .. } => Instr::IterNext { dst, iter, exit: offset },
            other => other,
        };
    }

    /// A jump back to `target`.
    pub fn emit_loop(&mut self, target: usize) {
        let at = self.pc();
        self.emit(Instr::Jump(target as i32 - (at as i32 + 1)));
    }

    pub fn constant(&mut self, c: Const) -> u32 {
        let consts = &mut self.f().func.consts;
        if let Some(i) = consts.iter().position(|x| *x == c) {
            return i as u32;
        }
        consts.push(c);
        (consts.len() - 1) as u32
    }

    pub fn str_const(&mut self, s: &str) -> u32 {
        self.constant(Const::Str(s.to_string()))
    }

    // ----- registers and scopes -----

    pub fn alloc(&mut self) -> Reg {
        let f = self.f();
        let r = f.next_reg;
        if r == Reg::MAX - 1 {
            let span = Span::DUMMY;
            let name = f.func.name.clone();
            self.error(
                codes::TOO_MANY_REGISTERS,
                format!("`{name}` needs more than 65,534 registers; split it into smaller cells"),
                span,
            );
            return r;
        }
        f.next_reg += 1;
        if f.next_reg > f.func.nregs {
            f.func.nregs = f.next_reg;
        }
        r
    }

    /// `n` consecutive registers.
    pub fn alloc_n(&mut self, n: usize) -> Reg {
        let start = self.f().next_reg;
        for _ in 0..n {
            self.alloc();
        }
        start
    }

    pub fn mark(&mut self) -> Reg {
        self.f().next_reg
    }

    pub fn release(&mut self, mark: Reg) {
        self.f().next_reg = mark;
    }

    pub fn push_scope(&mut self) {
        let f = self.f();
        f.scopes.push(Vec::new());
        f.scope_defers.push(0);
    }

    /// Closes a scope, running the `defer` blocks it registered (innermost first).
    pub fn pop_scope(&mut self) {
        let n = self.f().scope_defers.pop().unwrap_or(0);
        for _ in 0..n {
            self.emit(Instr::DeferRun);
        }
        self.f().scopes.pop();
    }

    pub fn scope_depth(&mut self) -> usize {
        self.f().scopes.len()
    }

    /// Runs the `defer` blocks of the scopes deeper than `depth` (for `break`/`continue`).
    pub fn run_defers_above(&mut self, depth: usize) {
        let defers = &self.f().scope_defers;
        let n: u32 = defers[depth.min(defers.len())..].iter().sum();
        for _ in 0..n {
            self.emit(Instr::DeferRun);
        }
    }

    /// Declares a local in the innermost scope, in a fresh register.
    pub fn declare_local(&mut self, name: &str, mutable: bool) -> Reg {
        let reg = self.alloc();
        self.bind_local(name, reg, mutable);
        reg
    }

    pub fn bind_local(&mut self, name: &str, reg: Reg, mutable: bool) {
        if let Some(scope) = self.f().scopes.last_mut() {
            scope.push(Local { name: name.to_string(), reg, mutable });
        }
    }

    fn find_local(state: &FnState, name: &str) -> Option<(Reg, bool)> {
        state.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|l| l.name == name).map(|l| (l.reg, l.mutable))
    }

    /// Resolves `name` among locals and captures of the current function (capturing from
    /// enclosing functions as needed).
    pub fn resolve_var(&mut self, name: &str) -> Option<VarRef> {
        let depth = self.fns.len();
        self.resolve_in(depth - 1, name)
    }

    fn resolve_in(&mut self, level: usize, name: &str) -> Option<VarRef> {
        if let Some((reg, mutable)) = Self::find_local(&self.fns[level], name) {
            return Some(VarRef::Local(reg, mutable));
        }
        if let Some(i) = self.fns[level].captures.iter().position(|(n, _)| n == name) {
            return Some(VarRef::Capture(i as u16));
        }
        if self.fns[level].self_name.as_deref() == Some(name) {
            return Some(VarRef::SelfFunc);
        }
        if level == 0 {
            return None;
        }
        let source = match self.resolve_in(level - 1, name)? {
            VarRef::Local(reg, _) => CaptureSource::Local(reg),
            VarRef::Capture(i) => CaptureSource::Capture(i),
            VarRef::SelfFunc => CaptureSource::SelfFunc,
        };
        // A capture of a shared box (directly or through an enclosing capture) is boxed too.
        let boxed = match source {
            CaptureSource::Local(reg) => self.fns[level - 1].box_regs.contains(&reg),
            CaptureSource::Capture(_) => self.fns[level - 1].boxed.iter().any(|n| n == name),
            CaptureSource::SelfFunc => false,
        };
        if boxed {
            self.fns[level].boxed.push(name.to_string());
        }
        let caps = &mut self.fns[level].captures;
        caps.push((name.to_string(), source));
        Some(VarRef::Capture((caps.len() - 1) as u16))
    }

    /// Names visible at this point, for "did you mean" suggestions.
    pub fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for state in &self.fns {
            for scope in &state.scopes {
                names.extend(scope.iter().map(|l| l.name.clone()));
            }
        }
        names.extend(self.globals.keys().cloned());
        names
    }

    pub fn undefined(&mut self, ident: &Ident, what: &str) {
        let names = self.visible_names();
        let mut diag =
            Diagnostic::error(codes::UNDEFINED_NAME, format!("undefined {what} `{}`", ident.name), ident.span)
                .with_label("not found in this scope");
        if let Some(best) = suggest(&ident.name, names.iter().map(String::as_str)) {
            diag = diag.with_help(format!("a name with a similar spelling exists: `{best}`"));
        }
        self.pending.push(diag);
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum VarRef {
    Local(Reg, bool),
    Capture(u16),
    SelfFunc,
}

/// The closest name by edit distance, if close enough to be a likely typo.
pub fn suggest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .filter(|c| *c != name && !c.starts_with("__"))
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance counting an adjacent transposition as one edit (`widht` is one from `width`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}
