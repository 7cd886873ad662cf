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
    /// Tool aliases (`use tool`), indexed by `ToolSite::tool`.
    pub tools: Vec<ToolInfo>,
    /// Tool call sites, indexed by `Instr::CallTool::site`.
    pub tool_sites: Vec<ToolSite>,
    /// Target types of `expect schema`, indexed by `Instr::ExpectSchema::schema`.
    pub schemas: Vec<Schema>,
    /// Field and variant shapes of the record and enum types schemas name, by type index.
    pub type_schemas: std::collections::HashMap<u32, TypeSchema>,
}

/// The shape a dynamic value is converted to by `expect schema` (LANGUAGE.md 7.5).
#[derive(Clone, Debug, PartialEq)]
pub enum Schema {
    Any,
    Int,
    Float,
    String,
    Bool,
    Null,
    List(Box<Schema>),
    Set(Box<Schema>),
    Map(Box<Schema>),
    Tuple(Vec<Schema>),
    Optional(Box<Schema>),
    Union(Vec<Schema>),
    /// A record or enum type, described in `Program::type_schemas`.
    Named(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeSchema {
    /// Fields in declaration order: name, shape, and the default as JSON text when it is a
    /// literal (`Some("null")` for an optional field without one).
    Record { name: String, fields: Vec<(String, Schema, Option<String>)> },
    /// Variants with their payload shapes.
    Enum { name: String, variants: Vec<(String, Vec<Schema>)> },
}

/// A `use tool` declaration with the grants visible for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolInfo {
    pub alias: String,
    /// `llm.chat`; empty for an MCP alias.
    pub path: String,
    pub version: Option<String>,
    pub provider: Option<String>,
    pub mcp_command: Option<String>,
    /// `(key, value as JSON text)` of each grant constraint, in source order.
    pub grants: Vec<(String, String)>,
    /// Whether any `grant` names the alias (a bare `grant X` has no constraints).
    pub granted: bool,
}

/// One call of a tool alias: which tool, the tool path for MCP method calls, and the names of
/// its arguments (their values are in consecutive registers).
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSite {
    pub tool: u32,
    pub path: Option<String>,
    pub arg_names: Vec<String>,
    /// A call written `Tool(...) expect schema T`: the JSON Schema of `T`, passed as the `schema`
    /// argument unless the call gives one (LANGUAGE.md 7.3, structured output).
    pub schema_json: Option<String>,
    /// The GBNF grammar of the same shape (start rule `root`), passed as the `grammar` argument
    /// when `schema` is added automatically and the call gives no `grammar` of its own.
    pub grammar: Option<String>,
}
