//! The pipeline `check` and `run` share: load the modules, parse, check types, compile.

use std::path::Path;

use lumen_compile::loader::{self, Loaded};
use lumen_compile::{CompileInput, Program};
use lumen_syntax::Diagnostic;

/// Everything known about a program after the front half of the pipeline.
pub struct Build {
    pub loaded: Loaded,
    /// Diagnostics with the index of the module (in `loaded.modules`) they belong to.
    pub diagnostics: Vec<(usize, Diagnostic)>,
    /// The compiled program, when there were no errors and compilation was asked for.
    pub program: Option<Program>,
}

/// Loads `path` and its imports, parses, checks and compiles them. `entry` names the cell to
/// run (`None` for `lumen check`, which needs no entry point).
pub fn build(path: &Path, entry: Option<&str>) -> std::io::Result<Build> {
    let display = path.to_string_lossy().into_owned();
    let loaded = loader::load(path, &display)?;
    let mut diagnostics: Vec<(usize, Diagnostic)> = Vec::new();
    for (i, module) in loaded.modules.iter().enumerate() {
        diagnostics.extend(module.parse.diagnostics.iter().cloned().map(|d| (i, d)));
    }
    diagnostics.extend(loaded.errors.iter().cloned());
    if diagnostics.iter().any(|(_, d)| d.is_error()) {
        return Ok(Build { loaded, diagnostics, program: None });
    }
    // The checker sees every module at once, so imported names have their types.
    let check_inputs: Vec<lumen_check::ModuleInput<'_>> = loaded
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| lumen_check::ModuleInput { name: if i == 0 { "" } else { &m.name }, module: &m.parse.module })
        .collect();
    for (i, found) in lumen_check::check_program(&check_inputs).into_iter().enumerate() {
        diagnostics.extend(found.into_iter().map(|d| (i, d)));
    }
    let inputs: Vec<CompileInput<'_>> = loaded
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| CompileInput {
            path: m.file.path.clone(),
            name: if i == 0 { String::new() } else { m.name.clone() },
            source: &m.file.code,
            module: &m.parse.module,
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
    drop(inputs);
    let program = if diagnostics.iter().any(|(_, d)| d.is_error()) { None } else { program };
    Ok(Build { loaded, diagnostics, program })
}
