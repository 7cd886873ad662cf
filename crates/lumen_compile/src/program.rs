//! A compiled program: functions, types and method tables, ready for the VM.

use crate::bytecode::{Function, Kind};

#[derive(Clone, Debug)]
pub enum TypeInfo {
    Record {
        name: String,
        fields: Vec<String>,
        validator: Option<u32>,
    },
    Enum {
        name: String,
        variants: Vec<String>,
        arities: Vec<u32>,
    },
    /// A process or agent declaration; instances are handles.
    Process {
        name: String,
        kind: String,
    },
}

impl TypeInfo {
    pub fn name(&self) -> &str {
        match self {
            TypeInfo::Record { name, .. } | TypeInfo::Enum { name, .. } | TypeInfo::Process { name, .. } => name,
        }
    }
}

/// Index of the predeclared `result` enum (`ok` = variant 0, `err` = variant 1).
pub const RESULT_TYPE: u32 = 0;

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub files: Vec<String>,
    pub functions: Vec<Function>,
    pub types: Vec<TypeInfo>,
    /// `(receiver kind, method name, function)`: enum methods, impl methods, trait defaults.
    pub methods: Vec<(Kind, String, u32)>,
    /// Module-level cells by name, for uniform call syntax (`xs.map(f)` is `map(xs, f)`).
    pub cells: Vec<(String, u32)>,
    /// Number of global slots (module constants).
    pub nglobals: u32,
    /// Run before the entry cell, in order: evaluate module constants.
    pub init: Vec<u32>,
    /// The entry cell (`main`, or the cell named by `--cell`).
    pub entry: Option<u32>,
}
