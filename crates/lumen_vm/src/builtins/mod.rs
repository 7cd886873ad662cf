//! Native builtins (LANGUAGE.md §6) that do not call back into Lumen code.
//!
//! Builtins that take function arguments (`map`, `filter`, `sort_by`, ...) are written in Lumen
//! in the prelude, so that their calls run on the interpreter's explicit frames like any other
//! call (a builtin never re-enters the interpreter).
//!
//! Each submodule exports `DEFS`, its table of builtins; [`all`] concatenates them and ids are
//! indexes into that list.

use std::sync::OnceLock;

use crate::host::Host;
use crate::value::Value;

mod collections;
mod convert;
pub(crate) mod encoding;
mod math;
mod output;
mod process;
mod results;
mod strings;
mod system;

/// Context a builtin runs with.
pub struct Ctx<'h> {
    pub host: &'h mut dyn Host,
}

/// A builtin failed: the message of the runtime error (the VM adds the Lumen stack trace).
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltinError(pub String);

impl BuiltinError {
    pub fn new(message: impl Into<String>) -> BuiltinError {
        BuiltinError(message.into())
    }
}

pub type BuiltinResult = Result<Value, BuiltinError>;
pub type BuiltinFn = fn(&mut Ctx<'_>, &[Value]) -> BuiltinResult;

/// Effect kinds of impure builtins (LANGUAGE.md 4.9, 6.13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Time,
    Random,
    Env,
    Fs,
    Process,
}

pub struct BuiltinDef {
    /// The primary name followed by its aliases (`["length", "len", "count", "size"]`).
    pub names: &'static [&'static str],
    pub func: BuiltinFn,
    pub min_args: u8,
    /// `None` for variadic builtins.
    pub max_args: Option<u8>,
    pub effect: Option<Effect>,
}

/// Every native builtin, in id order.
pub fn all() -> &'static [&'static BuiltinDef] {
    static ALL: OnceLock<Vec<&'static BuiltinDef>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            output::DEFS,
            process::DEFS,
            results::DEFS,
            convert::DEFS,
            strings::DEFS,
            math::DEFS,
            collections::DEFS,
            encoding::DEFS,
            system::DEFS,
        ]
        .iter()
        .flat_map(|defs| defs.iter())
        .collect()
    })
}

/// The id of the builtin called `name` (primary name or alias).
pub fn lookup(name: &str) -> Option<u32> {
    all().iter().position(|d| d.names.contains(&name)).map(|i| i as u32)
}

pub fn get(id: u32) -> Option<&'static BuiltinDef> {
    all().get(id as usize).copied()
}

/// Calls builtin `id`, checking the argument count.
pub fn call(id: u32, ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Some(def) = get(id) else {
        return Err(BuiltinError::new(format!("unknown builtin #{id}")));
    };
    let n = args.len();
    if n < def.min_args as usize || def.max_args.is_some_and(|m| n > m as usize) {
        let expected = match def.max_args {
            Some(max) if max == def.min_args => format!("{max}"),
            Some(max) => format!("{} to {max}", def.min_args),
            None => format!("at least {}", def.min_args),
        };
        return Err(BuiltinError::new(format!("{} expects {expected} arguments, got {n}", def.names[0])));
    }
    (def.func)(ctx, args)
}

/// "expected T, got U" for a wrongly typed argument.
pub fn type_error(builtin: &str, expected: &str, got: &Value) -> BuiltinError {
    BuiltinError::new(format!("{builtin}: expected {expected}, got {}", got.type_name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for def in all() {
            for name in def.names {
                assert!(seen.insert(*name), "builtin name `{name}` defined twice");
            }
        }
    }
}
