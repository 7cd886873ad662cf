//! The abstract syntax tree. Every node carries a [`Span`] into the original file.
//!
//! The tree keeps what a formatter needs to reproduce a program (parentheses, statement vs
//! expression forms of `if`), and nothing that later stages compute (types, resolved names).

pub mod dump;
mod expr;

pub use expr::*;

use crate::span::Span;
pub use crate::token::{Align, FormatSpec, FormatType, Sign};

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub directives: Vec<Directive>,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: Ident,
    pub value: DirectiveValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DirectiveValue {
    Bool(bool),
    Str(String),
    Int(i64),
    Ident(String),
}

/// `@name` or `@name(args)` before a declaration, member or statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// A top-level entry of a module: a declaration or a top-level statement (part of implicit `main`).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub is_pub: bool,
    pub attrs: Vec<Attribute>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Record(RecordDecl),
    Enum(EnumDecl),
    Cell(CellDecl),
    /// `extern cell` (a signature; `body` is `None`).
    Extern(CellDecl),
    TypeAlias(TypeAlias),
    Const(ConstDecl),
    Trait(TraitDecl),
    Impl(ImplDecl),
    Import(ImportDecl),
    Effect(EffectDecl),
    Handler(HandlerDecl),
    Bind(BindDecl),
    UseTool(UseToolDecl),
    Grant(GrantDecl),
    Agent(AgentDecl),
    Process(ProcessDecl),
    Macro(MacroDecl),
    Stmt(Stmt),
}

#[derive(Clone, Debug, PartialEq)]
pub struct GenericParam {
    pub name: Ident,
    pub bounds: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub constraint: Option<Expr>,
    pub attrs: Vec<Attribute>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub variants: Vec<Variant>,
    pub methods: Vec<CellDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: Ident,
    /// `None` for a payload-less variant, `Some(vec![])` for `V()`.
    pub payload: Option<Vec<PayloadField>>,
    pub attrs: Vec<Attribute>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PayloadField {
    pub name: Option<Ident>,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CellDecl {
    pub is_async: bool,
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    /// `-> yield T`: a generator cell.
    pub is_generator: bool,
    pub effects: Option<EffectRow>,
    pub where_clause: Option<Expr>,
    /// `None` for signatures (trait, effect, extern).
    pub body: Option<CellBody>,
    pub attrs: Vec<Attribute>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CellBody {
    Block(Block),
    /// `= expression`
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `self` or `self: T`
    SelfParam,
    Normal,
    /// `...name: T`
    Variadic,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub kind: ParamKind,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EffectRow {
    pub effects: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeAlias {
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub ty: TypeExpr,
    pub constraint: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraitDecl {
    pub name: Ident,
    pub parents: Vec<Ident>,
    /// Signatures have `body: None`; default methods have a body.
    pub methods: Vec<CellDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImplDecl {
    pub generics: Vec<GenericParam>,
    pub trait_name: Ident,
    pub target: TypeExpr,
    pub methods: Vec<CellDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportDecl {
    pub path: ModulePath,
    pub names: ImportNames,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ModulePath {
    /// `@ns/name` of a package path.
    pub package: Option<(Ident, Ident)>,
    pub segments: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportNames {
    /// `import m: *`
    All(Span),
    Names(Vec<ImportName>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportName {
    pub name: Ident,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EffectDecl {
    pub name: Ident,
    /// Operations, written as bodiless cells.
    pub ops: Vec<CellDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HandlerDecl {
    pub name: Ident,
    pub ops: Vec<HandlerOp>,
}

/// `handle Effect.op(params) -> T ... end` inside a top-level `handler`.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlerOp {
    pub effect: Ident,
    pub op: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    pub span: Span,
}

/// `bind effect E[.op] to Tool`
#[derive(Clone, Debug, PartialEq)]
pub struct BindDecl {
    pub effect: Ident,
    pub op: Option<Ident>,
    pub tool: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UseToolDecl {
    pub source: ToolSource,
    pub alias: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ToolSource {
    /// `use tool a.b[@version] as X [from "provider"]`
    Path { path: Vec<Ident>, version: Option<String>, provider: Option<String> },
    /// `use tool mcp "command" as X`
    Mcp(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct GrantDecl {
    pub alias: Ident,
    pub constraints: Vec<GrantConstraint>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GrantConstraint {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentDecl {
    pub name: Ident,
    pub members: Vec<Member>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessKind {
    Pipeline,
    Machine,
    Memory,
    Orchestration,
    Guardrail,
    Eval,
    Pattern,
}

impl ProcessKind {
    pub fn from_word(word: &str) -> Option<ProcessKind> {
        Some(match word {
            "pipeline" => ProcessKind::Pipeline,
            "machine" => ProcessKind::Machine,
            "memory" => ProcessKind::Memory,
            "orchestration" => ProcessKind::Orchestration,
            "guardrail" => ProcessKind::Guardrail,
            "eval" => ProcessKind::Eval,
            "pattern" => ProcessKind::Pattern,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProcessKind::Pipeline => "pipeline",
            ProcessKind::Machine => "machine",
            ProcessKind::Memory => "memory",
            ProcessKind::Orchestration => "orchestration",
            ProcessKind::Guardrail => "guardrail",
            ProcessKind::Eval => "eval",
            ProcessKind::Pattern => "pattern",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProcessDecl {
    pub kind: ProcessKind,
    pub name: Ident,
    pub members: Vec<Member>,
}

/// A member of an agent or process body.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub kind: MemberKind,
    pub attrs: Vec<Attribute>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MemberKind {
    Cell(Box<CellDecl>),
    UseTool(UseToolDecl),
    Grant(GrantDecl),
    /// `role NAME: text` at agent level.
    Role(RoleBlock),
    /// `key: expression`
    Config {
        key: Ident,
        value: Expr,
    },
    /// `stages:` followed by `-> name` lines.
    Stages(Vec<Ident>),
    /// `initial: State`
    Initial(Ident),
    State(StateDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub items: Vec<StateItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateItem {
    pub kind: StateItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StateItemKind {
    Terminal(bool),
    Guard(Expr),
    Transition { target: Ident, args: Vec<Expr> },
    OnEnter(Block),
    OnExit(Block),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MacroDecl {
    pub name: Ident,
    pub bang: bool,
    pub params: Vec<Ident>,
    pub body: Block,
}
