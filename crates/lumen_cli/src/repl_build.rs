//! Checking and compiling modules that are already parsed and held in memory: the repl's
//! session program and the doc tests of `lumen test` are not files on disk, so they cannot go
//! through `pipeline::build`, which reads the entry file itself. Same stages, same order.

use lumen_compile::{CompileInput, Program};
use lumen_syntax::Diagnostic;
use lumen_syntax::ast::Module;

/// One parsed module; the first unit given to [`build_units`] is the entry module.
pub struct Unit<'a> {
    /// Dotted module name as imports write it (ignored for the entry).
    pub name: &'a str,
    /// Path shown in diagnostics and stack traces.
    pub path: &'a str,
    /// The text the lexer read (spans index into it).
    pub code: &'a str,
    pub module: &'a Module,
    /// The parser's diagnostics for this module.
    pub parse_diagnostics: &'a [Diagnostic],
}

pub struct Built {
    /// Diagnostics with the index of the unit they belong to.
    pub diagnostics: Vec<(usize, Diagnostic)>,
    /// The program, when there were no errors and compilation was asked for.
    pub program: Option<Program>,
}

/// What to do after parsing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stage<'e> {
    /// Type-check only (no program).
    Check,
    /// Check and compile; `Some(cell)` selects the entry cell.
    Compile(Option<&'e str>),
}

/// Checks (and compiles) the units; `extra` diagnostics (e.g. loader errors) count as found.
pub fn build_units(units: &[Unit<'_>], extra: &[(usize, Diagnostic)], stage: Stage<'_>) -> Built {
    let mut diagnostics: Vec<(usize, Diagnostic)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        diagnostics.extend(unit.parse_diagnostics.iter().cloned().map(|d| (i, d)));
    }
    diagnostics.extend(extra.iter().cloned());
    if diagnostics.iter().any(|(_, d)| d.is_error()) {
        return Built { diagnostics, program: None };
    }
    let check_inputs: Vec<lumen_check::ModuleInput<'_>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| lumen_check::ModuleInput { name: if i == 0 { "" } else { u.name }, module: u.module })
        .collect();
    for (i, found) in lumen_check::check_program(&check_inputs).into_iter().enumerate() {
        diagnostics.extend(found.into_iter().map(|d| (i, d)));
    }
    let Stage::Compile(entry) = stage else {
        return Built { diagnostics, program: None };
    };
    let inputs: Vec<CompileInput<'_>> = units
        .iter()
        .enumerate()
        .map(|(i, u)| CompileInput {
            path: u.path.to_owned(),
            name: if i == 0 { String::new() } else { u.name.to_owned() },
            source: u.code,
            module: u.module,
        })
        .collect();
    let program = match lumen_compile::compile(&inputs, entry, lumen_vm::builtins::lookup) {
        Ok(program) => Some(program),
        Err(errors) => {
            // Name errors the checker also found are reported once.
            for (i, d) in errors {
                let duplicate = diagnostics.iter().any(|(j, e)| *j == i && e.primary_span() == d.primary_span());
                if !duplicate {
                    diagnostics.push((i, d));
                }
            }
            None
        }
    };
    let program = if diagnostics.iter().any(|(_, d)| d.is_error()) { None } else { program };
    Built { diagnostics, program }
}
