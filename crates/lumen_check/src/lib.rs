//! Semantic analysis (ARCHITECTURE.md: `lumen_check`).
//!
//! The checker infers types locally and reports what is certainly wrong: mismatched argument,
//! field, `let` and return types, non-`Bool` conditions, unknown record fields, non-exhaustive
//! matches over enums, booleans and results, and nondeterministic builtins under
//! `@deterministic true`. Wherever it cannot infer a type it assumes the program is right, so it
//! never rejects a valid program; name resolution errors come from the compiler.

mod env;
mod infer;
mod types;

use lumen_syntax::Diagnostic;
use lumen_syntax::ast::Module;

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
}

/// Checks one module. Names it imports are treated as unknown (their uses are not checked).
pub fn check_module(module: &Module, source: &str) -> Vec<Diagnostic> {
    let env = env::Env::collect(module);
    let mut checker = infer::Checker::new(&env, source);
    checker.check_module(module);
    checker.diags
}
