//! Semantic analysis (ARCHITECTURE.md: `lumen_check`).
//!
//! The checker sees the whole program at once (every module, imports resolved) and reports what
//! is certainly wrong: type mismatches, bad operands and casts, unknown fields and methods, calls
//! of non-functions, generic bounds, unions used without narrowing, non-exhaustive matches
//! (unreachable arms are warnings), paths that miss a `return`, control flow leaving `defer`,
//! `resume` outside handlers, unknown effects and operations, effect rows, trait impls,
//! constants, machines and pipelines. Wherever it cannot infer a type it assumes the program is
//! right (the `Unknown` type fits everything), so it never rejects a valid program and one
//! error does not cascade. Undefined variables, argument counts of direct calls and mutability
//! are reported by the compiler.

mod builtins;
mod checks;
mod decls;
mod effects;
mod exhaust;
mod flow;
mod infer;
mod resolve;
mod suggest;
mod types;

use lumen_syntax::Diagnostic;
use lumen_syntax::ast::{ItemKind, Module, Stmt};

pub use suggest::{best as suggest_name, distance as edit_distance};
pub use types::Ty;

/// Stable codes of the checker's diagnostics (documented in docs/errors.md).
pub mod codes {
    pub const TYPE_MISMATCH: &str = "E0300";
    pub const CONDITION_NOT_BOOL: &str = "E0301";
    pub const NON_EXHAUSTIVE: &str = "E0302";
    pub const UNKNOWN_FIELD: &str = "E0303";
    pub const NONDETERMINISTIC: &str = "E0304";
    pub const ARGUMENT_TYPE: &str = "E0305";
    pub const RETURN_TYPE: &str = "E0306";
    pub const UNDEFINED_TYPE: &str = "E0307";
    pub const DUPLICATE_NAME: &str = "E0308";
    pub const PREDECLARED_NAME: &str = "E0309";
    pub const BAD_OPERANDS: &str = "E0310";
    pub const INVALID_CAST: &str = "E0311";
    pub const NOT_CALLABLE: &str = "E0312";
    pub const METHOD_NOT_FOUND: &str = "E0313";
    pub const AWAIT_NON_FUTURE: &str = "E0314";
    pub const MISSING_RETURN: &str = "E0315";
    pub const LEAVES_DEFER: &str = "E0316";
    pub const RESUME_OUTSIDE_HANDLER: &str = "E0317";
    pub const UNDECLARED_EFFECT: &str = "E0318";
    pub const UNKNOWN_EFFECT: &str = "E0319";
    pub const EFFECT_ARGUMENTS: &str = "E0320";
    pub const TRAIT_IMPL: &str = "E0321";
    pub const NOT_CONSTANT: &str = "E0322";
    pub const MACHINE: &str = "E0323";
    pub const PIPELINE_STAGES: &str = "E0324";
    pub const PROPAGATE: &str = "E0325";
    pub const MAYBE_NULL: &str = "E0326";
    pub const INDEX_TYPE: &str = "E0327";
    pub const UNSATISFIED_BOUND: &str = "E0328";
    pub const ARGUMENT_COUNT: &str = "E0329";
    pub const FORMAT_SPEC: &str = "E0330";
    pub const PROCESS_MEMBER: &str = "E0331";
    pub const PATTERN: &str = "E0332";
    pub const PARAMETERS: &str = "E0333";
    pub const UNREACHABLE_ARM: &str = "W0300";
    pub const UNKNOWN_EFFECT_NAME: &str = "W0301";
    pub const EFFECT_NOT_DECLARED: &str = "W0302";
    pub const UNDEFINED_TYPE_DOC_MODE: &str = "W0303";
    pub const PATTERN_NEVER_MATCHES: &str = "W0304";
}

/// One module of the program: its dotted name (as imports write it) and its syntax tree.
pub struct ModuleInput<'a> {
    pub name: &'a str,
    pub module: &'a Module,
}

/// Checks every module of a program; the diagnostics of module `i` are at index `i`, sorted by
/// position.
pub fn check_program(inputs: &[ModuleInput<'_>]) -> Vec<Vec<Diagnostic>> {
    let pairs: Vec<(&str, &Module)> = inputs.iter().map(|m| (m.name, m.module)).collect();
    let program = decls::Program::build(&pairs);
    let mut out: Vec<Vec<Diagnostic>> = program.decl_diags.take();
    checks::declarations(&program, &mut out);
    let mut facts = std::collections::HashMap::new();
    for c in 0..program.cells.len() {
        if program.cells[c].decl.body.is_none() {
            continue;
        }
        let module = program.cells[c].module;
        let mut checker = infer::Checker::new(&program, module);
        let (f, _) = checker.check_cell(c);
        out[module].extend(checker.diags);
        facts.insert(c, f);
    }
    for (i, m) in program.modules.iter().enumerate() {
        let top: Vec<&Stmt> = m
            .ast
            .items
            .iter()
            .filter_map(|it| match &it.kind {
                ItemKind::Stmt(s) => Some(s),
                _ => None,
            })
            .collect();
        if !top.is_empty() {
            let mut checker = infer::Checker::new(&program, i);
            checker.check_main(&top);
            out[i].extend(checker.diags);
        }
    }
    // A cell whose return type is inferred may not call itself (LANGUAGE.md 4.3).
    let mut recursive: Vec<usize> = program.recursive.borrow().iter().copied().collect();
    recursive.sort_unstable();
    for c in recursive {
        let cell = &program.cells[c];
        if cell.ret.is_none() && !cell.decl.is_generator {
            out[cell.module].push(
                Diagnostic::error(
                    codes::RETURN_TYPE,
                    format!("cell `{}` calls itself, so it must declare its return type", cell.name()),
                    cell.decl.name.span,
                )
                .with_label("recursive cell without `-> Type`")
                .with_help("add the return type after the parameters, e.g. `-> Int`"),
            );
        }
    }
    effects::check(&program, &facts, &mut out);
    for (i, diags) in out.iter_mut().enumerate() {
        if program.modules[i].doc_mode {
            for d in diags.iter_mut().filter(|d| d.code == codes::UNDEFINED_TYPE) {
                d.severity = lumen_syntax::Severity::Warning;
                d.code = codes::UNDEFINED_TYPE_DOC_MODE;
            }
        }
        diags.sort_by_key(|d| (d.primary_span().start, d.primary_span().end));
        diags.dedup_by(|a, b| a.primary_span() == b.primary_span() && a.message == b.message);
    }
    out
}

/// Checks a single module on its own (its imports are unknown to the checker).
pub fn check_module(module: &Module, _source: &str) -> Vec<Diagnostic> {
    check_program(&[ModuleInput { name: "", module }]).pop().unwrap_or_default()
}
