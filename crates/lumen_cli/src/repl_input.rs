//! Taking a repl input apart: which parts are declarations (and what name each replaces),
//! which are statements, whether the last one is an expression whose value is shown, and which
//! statements a session cannot hold.

use lumen_syntax::ast::{ExprKind, Item, ItemKind, Module, StmtKind, StrSegment};
use lumen_syntax::{Diagnostic, SourceFile};

/// The compiler's code for misplaced control flow (its `codes` module is not public).
const BAD_CONTROL_FLOW: &str = "E0205";

/// One piece of entered source: a byte range of an input's code.
#[derive(Clone, Copy, Debug)]
pub struct Chunk {
    pub input: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug)]
pub struct Decl {
    /// What a redeclaration replaces: `cell f`, `import a.b`, ...; `None` never clashes.
    pub key: Option<String>,
    pub chunk: Chunk,
}

/// An input split into its parts.
pub struct Parts {
    pub directives: Vec<Chunk>,
    pub decls: Vec<Decl>,
    pub stmts: Vec<Chunk>,
    /// A final expression statement, whose value is shown.
    pub echo: Option<Chunk>,
    /// Whether a constant is declared: its initializer runs when the program starts.
    pub constants: bool,
}

/// Splits an input into directives, declarations, statements and a final expression to show.
/// Each part keeps the comments and attributes written before it.
pub fn split(input: usize, file: &SourceFile, module: &Module) -> Parts {
    let constants = module.items.iter().any(|i| matches!(i.kind, ItemKind::Const(_)));
    let mut parts = Parts { directives: Vec::new(), decls: Vec::new(), stmts: Vec::new(), echo: None, constants };
    let mut ends: Vec<(usize, Option<&Item>)> = module.directives.iter().map(|d| (d.span.end as usize, None)).collect();
    ends.extend(module.items.iter().map(|i| (i.span.end as usize, Some(i))));
    ends.sort_by_key(|(end, _)| *end);
    let mut prev = 0;
    for (end, item) in ends {
        let chunk = Chunk { input, start: prev.min(end), end };
        prev = end;
        match item {
            None => parts.directives.push(chunk),
            Some(Item { kind: ItemKind::Stmt(_), .. }) => parts.stmts.push(chunk),
            Some(item) => parts.decls.push(Decl { key: key_of(item, &file.code), chunk }),
        }
    }
    let last_stmt = module.items.iter().rev().find(|i| matches!(i.kind, ItemKind::Stmt(_)));
    if let Some(Item { kind: ItemKind::Stmt(stmt), span, .. }) = last_stmt
        && let StmtKind::Expr(e) = &stmt.kind
        && !matches!(
            e.kind,
            ExprKind::If { .. } | ExprKind::Loop { .. } | ExprKind::While { .. } | ExprKind::For { .. }
        )
        && parts.stmts.last().is_some_and(|c| c.end == span.end as usize)
    {
        parts.stmts.pop();
        parts.echo = Some(Chunk { input, start: e.span.start as usize, end: e.span.end as usize });
    }
    parts
}

/// Top-level statements that cannot work in a session whose statements all share one body:
/// `return` would skip every later input, a `defer` block would run after each of them.
pub fn top_level_misfits(module: &Module) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for item in &module.items {
        let ItemKind::Stmt(stmt) = &item.kind else { continue };
        let what = match stmt.kind {
            StmtKind::Return(_) => "return",
            StmtKind::Defer(_) => "defer",
            StmtKind::Break { .. } => "break",
            StmtKind::Continue { .. } => "continue",
            StmtKind::Yield(_) => "yield",
            _ => continue,
        };
        found.push(
            Diagnostic::error(BAD_CONTROL_FLOW, format!("`{what}` at the top level of the repl"), stmt.span)
                .with_label("not inside a cell")
                .with_help(format!("use `{what}` inside a cell or a block")),
        );
    }
    found
}

/// The name a declaration defines, for replacement on redeclaration.
fn key_of(item: &Item, code: &str) -> Option<String> {
    let named = |kind: &str, name: &str| Some(format!("{kind} {name}"));
    match &item.kind {
        ItemKind::Record(d) => named("type", &d.name.name),
        ItemKind::Enum(d) => named("type", &d.name.name),
        ItemKind::TypeAlias(d) => named("type", &d.name.name),
        ItemKind::Trait(d) => named("type", &d.name.name),
        ItemKind::Cell(d) | ItemKind::Extern(d) => named("value", &d.name.name),
        ItemKind::Const(d) => named("value", &d.name.name),
        ItemKind::Effect(d) => named("effect", &d.name.name),
        ItemKind::Handler(d) => named("value", &d.name.name),
        ItemKind::Agent(d) => named("value", &d.name.name),
        ItemKind::Process(d) => named("value", &d.name.name),
        ItemKind::Macro(d) => named("macro", &d.name.name),
        ItemKind::UseTool(d) => named("value", &d.alias.name),
        ItemKind::Grant(d) => named("grant", &d.alias.name),
        ItemKind::Import(d) => {
            let dotted: Vec<&str> = d.path.segments.iter().map(|s| s.name.as_str()).collect();
            named("import", &dotted.join("."))
        }
        // `impl Show for Point`: its first line, spaces normalized.
        ItemKind::Impl(_) => {
            let text = code.get(item.span.range()).unwrap_or("");
            Some(text.lines().next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" "))
        }
        ItemKind::Bind(_) | ItemKind::Stmt(_) => None,
    }
}

/// Whether re-running an expression could matter: anything that calls, awaits or performs might
/// have effects, so only plain names, literals, operators, fields and indexing count as pure.
pub fn pure_echo(text: &str) -> bool {
    let parse = lumen_syntax::parse_code(text);
    if parse.has_errors() || parse.module.items.len() != 1 {
        return false;
    }
    match &parse.module.items[0].kind {
        ItemKind::Stmt(s) => match &s.kind {
            StmtKind::Expr(e) => pure(e),
            _ => false,
        },
        _ => false,
    }
}

fn pure(e: &lumen_syntax::ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Null | ExprKind::Bytes(_) => true,
        ExprKind::Ident(_) | ExprKind::SelfValue => true,
        ExprKind::Str(segments) => segments.iter().all(|s| match s {
            StrSegment::Text(_) => true,
            StrSegment::Interp { expr, .. } => pure(expr),
        }),
        ExprKind::Paren(inner) => pure(inner),
        ExprKind::Tuple(items) => items.iter().all(pure),
        ExprKind::List(items) | ExprKind::Set(items) => items.iter().all(|el| pure(&el.expr)),
        ExprKind::Unary { operand, .. } => pure(operand),
        ExprKind::Binary { lhs, rhs, .. } => pure(lhs) && pure(rhs),
        ExprKind::CompareChain { operands, .. } => operands.iter().all(pure),
        ExprKind::Field { target, .. } | ExprKind::TupleIndex { target, .. } => pure(target),
        ExprKind::Index { target, index, .. } => pure(target) && pure(index),
        ExprKind::IfThen { cond, then, otherwise } => pure(cond) && pure(then) && pure(otherwise),
        _ => false,
    }
}
