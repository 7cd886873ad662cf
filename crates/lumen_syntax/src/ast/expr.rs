//! Statements, expressions, patterns and type expressions.

use super::{CellDecl, FormatSpec, Ident, Param};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub attrs: Vec<super::Attribute>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let {
        mutable: bool,
        pattern: Pattern,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `place = value`; `target` is an identifier, field or index chain.
    Assign {
        target: Expr,
        value: Expr,
    },
    /// `place op= value`
    CompoundAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
    },
    Return(Option<Expr>),
    Halt(Expr),
    Break {
        label: Option<Ident>,
        value: Option<Expr>,
    },
    Continue {
        label: Option<Ident>,
    },
    Emit(Expr),
    Defer(Block),
    Yield(Expr),
    /// A named local closure.
    LocalCell(Box<CellDecl>),
    /// Any expression, including block forms (`if ... end`, `match`, loops, role blocks).
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(Vec<StrSegment>),
    Bytes(Vec<u8>),
    Bool(bool),
    Null,
    /// A name; `ok` and `err` are identifiers here too.
    Ident(Ident),
    SelfValue,
    /// `( e )`, kept for the formatter.
    Paren(Box<Expr>),
    Tuple(Vec<Expr>),
    List(Vec<Element>),
    /// `{e, ...}`
    Set(Vec<Element>),
    /// `{k: v, ...}`; `{}` is an empty map.
    Map(Vec<MapEntry>),
    ListComp {
        element: Box<Expr>,
        clauses: Vec<CompClause>,
    },
    SetComp {
        element: Box<Expr>,
        clauses: Vec<CompClause>,
    },
    MapComp {
        key: Box<Expr>,
        value: Box<Expr>,
        clauses: Vec<CompClause>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `a < b <= c`: two or more chained comparisons, each operand evaluated once.
    CompareChain {
        operands: Vec<Expr>,
        ops: Vec<BinOp>,
    },
    Is {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    As {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        inclusive: bool,
        step: Option<Box<Expr>>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `e.name` or `e?.name`
    Field {
        target: Box<Expr>,
        name: Ident,
        safe: bool,
    },
    /// `e.0`
    TupleIndex {
        target: Box<Expr>,
        index: u32,
        index_span: Span,
    },
    /// `e[i]` or `e?[i]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        safe: bool,
    },
    /// postfix `e!`
    Unwrap(Box<Expr>),
    /// postfix `e?`
    Propagate(Box<Expr>),
    /// `try e`, `try e else fallback`, `try e else |x| fallback`
    Try {
        expr: Box<Expr>,
        binding: Option<Ident>,
        fallback: Option<Box<Expr>>,
    },
    Lambda(Box<Lambda>),
    /// `if c then a else b`
    IfThen {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// Block form `if c ... else if c2 ... else ... end`.
    If {
        branches: Vec<IfBranch>,
        otherwise: Option<Block>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    When {
        arms: Vec<WhenArm>,
    },
    Do(Block),
    Loop {
        label: Option<Ident>,
        body: Block,
    },
    While {
        label: Option<Ident>,
        cond: Box<Cond>,
        body: Block,
    },
    For {
        label: Option<Ident>,
        pattern: Pattern,
        iter: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Block,
    },
    Comptime(Block),
    Perform {
        effect: Ident,
        op: Ident,
        args: Vec<Arg>,
    },
    Handle {
        body: Block,
        clauses: Vec<HandleClause>,
    },
    Resume(Option<Box<Expr>>),
    Await(Box<Expr>),
    AwaitBlock {
        kind: AwaitKind,
        branches: Vec<AwaitBranch>,
    },
    /// `await parallel for x in xs NL body NL end`
    AwaitFor {
        pattern: Pattern,
        iter: Box<Expr>,
        body: Box<Expr>,
    },
    Role(Box<RoleBlock>),
    MacroCall {
        name: Ident,
        args: Vec<Expr>,
    },
    /// `e expect schema T`
    ExpectSchema {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    /// Placeholder left by error recovery.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrSegment {
    Text(String),
    Interp { expr: Box<Expr>, spec: Option<FormatSpec>, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub expr: Expr,
    /// `...expr`
    pub spread: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapEntry {
    Pair { key: Expr, value: Expr },
    Spread(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum CompClause {
    For { pattern: Pattern, iter: Expr },
    If(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    BitNot,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Concat,
    Pipe,
    Compose,
    Coalesce,
    In,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Concat => "++",
            BinOp::Pipe => "|>",
            BinOp::Compose => "~>",
            BinOp::Coalesce => "??",
            BinOp::In => "in",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name: value`
    pub name: Option<Ident>,
    pub value: Expr,
    /// `...value`
    pub spread: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: LambdaBody,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LambdaBody {
    Expr(Expr),
    Block(Block),
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    pub cond: Cond,
    pub body: Block,
}

/// The condition of `if` / `while`: an expression or `let pattern = expr`.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Expr(Expr),
    Let { pattern: Pattern, value: Expr },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// Alternatives separated by `|` are an [`PatternKind::Or`] pattern.
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WhenArm {
    /// `None` for the `_` default arm.
    pub cond: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HandleClause {
    pub kind: HandleClauseKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HandleClauseKind {
    /// `Effect.op(params) => body` (effect set) or `Tool(params) => body` (effect `None`).
    Op { effect: Option<Ident>, op: Ident, params: Vec<Param>, body: Block },
    /// A bare line naming a top-level `handler`.
    Handler(Ident),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwaitKind {
    Parallel,
    Race,
    Vote,
    Select,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AwaitBranch {
    pub name: Option<Ident>,
    pub expr: Expr,
}

/// `role NAME: text` (statement, member, initializer) or `role NAME: expr` (call argument).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleBlock {
    pub role: Ident,
    pub content: RoleContent,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RoleContent {
    Text(Vec<StrSegment>),
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    Wildcard,
    /// A fresh binding, or a payload-less variant in scope (decided by name resolution).
    Binding(Ident),
    /// `name: Type`
    Typed {
        name: Ident,
        ty: TypeExpr,
    },
    Literal(LiteralPattern),
    Range {
        start: LiteralPattern,
        end: LiteralPattern,
        inclusive: bool,
    },
    Tuple(Vec<Pattern>),
    /// `[a, b, ...rest, z]`; `rest` is `Some(None)` for an anonymous `...`.
    List {
        before: Vec<Pattern>,
        rest: Option<Option<Ident>>,
        after: Vec<Pattern>,
    },
    /// `V(p, q)`, `E.V(p)`, `ok(p)`.
    Variant {
        path: Vec<Ident>,
        args: Vec<Pattern>,
    },
    /// `Rec(f: p, g, ..)` or a named payload.
    Record {
        path: Vec<Ident>,
        fields: Vec<FieldPattern>,
        rest: bool,
    },
    /// `Enum.Variant` without payload.
    Qualified(Vec<Ident>),
    Or(Vec<Pattern>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum LiteralPattern {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldPattern {
    pub name: Ident,
    /// `None` for the shorthand `name`, which binds the field to a variable of that name.
    pub pattern: Option<Pattern>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `Int`, `list[T]`, `map[K, V]`, `mod.Alias`
    Named {
        path: Vec<Ident>,
        args: Vec<TypeExpr>,
    },
    /// `(A, B)`
    Tuple(Vec<TypeExpr>),
    /// `(T)`, kept for the formatter.
    Paren(Box<TypeExpr>),
    Fn {
        params: Vec<TypeExpr>,
        ret: Option<Box<TypeExpr>>,
        effects: Option<super::EffectRow>,
    },
    /// `T?`
    Optional(Box<TypeExpr>),
    /// `A | B | C`
    Union(Vec<TypeExpr>),
    /// `Null` / `null`
    Null,
    /// Placeholder left by error recovery.
    Error,
}
