//! Control flow: whether a block always ends by leaving the cell (LANGUAGE.md 4.11: paths end at
//! `return`, `halt`, `exit(...)`, a `loop` without `break`, or an `if`/`match` all of whose
//! branches end).

use lumen_syntax::ast::{Block, Cond, Expr, ExprKind, HandleClauseKind, Stmt, StmtKind};

/// Whether control can never fall off the end of `b` (it leaves the cell on every path).
pub fn block_ends(b: &Block) -> bool {
    b.stmts.iter().any(|s| stmt_ends(s, false))
}

/// Whether control always leaves `b` early: leaving the cell, or `break`/`continue` (after such
/// a block, what its condition ruled out stays ruled out, LANGUAGE.md 4.4).
pub fn block_exits(b: &Block) -> bool {
    b.stmts.iter().any(|s| stmt_ends(s, true))
}

fn ends(b: &Block, jumps: bool) -> bool {
    if jumps { block_exits(b) } else { block_ends(b) }
}

fn stmt_ends(s: &Stmt, jumps: bool) -> bool {
    match &s.kind {
        StmtKind::Return(_) | StmtKind::Halt(_) => true,
        StmtKind::Break { .. } | StmtKind::Continue { .. } => jumps,
        StmtKind::Expr(e) => expr_ends(e, jumps),
        _ => false,
    }
}

fn expr_ends(e: &Expr, jumps: bool) -> bool {
    match &e.kind {
        ExprKind::Paren(x) => expr_ends(x, jumps),
        ExprKind::Call { callee, .. } => matches!(&callee.kind, ExprKind::Ident(id) if id.name == "exit"),
        ExprKind::If { branches, otherwise: Some(o) } => {
            branches.iter().all(|b| ends(&b.body, jumps)) && ends(o, jumps)
        }
        ExprKind::Match { arms, .. } => !arms.is_empty() && arms.iter().all(|a| ends(&a.body, jumps)),
        ExprKind::When { arms } => arms.iter().any(|a| a.cond.is_none()) && arms.iter().all(|a| ends(&a.body, jumps)),
        ExprKind::Loop { label, body } => !breaks_out(body, label.as_ref().map(|l| l.name.as_str()), 0),
        // `while true` without a `break` never finishes either.
        ExprKind::While { label, cond, body } => {
            matches!(&**cond, Cond::Expr(Expr { kind: ExprKind::Bool(true), .. }))
                && !breaks_out(body, label.as_ref().map(|l| l.name.as_str()), 0)
        }
        ExprKind::Do(b) => ends(b, jumps),
        ExprKind::Handle { body, clauses } => {
            ends(body, jumps)
                && clauses.iter().all(|c| match &c.kind {
                    HandleClauseKind::Op { body, .. } => ends(body, jumps),
                    HandleClauseKind::Handler(_) => true,
                })
        }
        _ => false,
    }
}

/// Whether a `break` in `b` leaves the loop whose body `b` is (`depth` loops nested inside it).
fn breaks_out(b: &Block, label: Option<&str>, depth: usize) -> bool {
    b.stmts.iter().any(|s| match &s.kind {
        StmtKind::Break { label: l, .. } => match l {
            None => depth == 0,
            Some(l) => Some(l.name.as_str()) == label,
        },
        StmtKind::Expr(e) | StmtKind::Let { value: e, .. } | StmtKind::Assign { value: e, .. } => {
            expr_breaks(e, label, depth)
        }
        StmtKind::Return(Some(e)) => expr_breaks(e, label, depth),
        StmtKind::Defer(body) => breaks_out(body, label, depth),
        _ => false,
    })
}

fn expr_breaks(e: &Expr, label: Option<&str>, depth: usize) -> bool {
    let inner = |b: &Block| breaks_out(b, label, depth);
    let nested = |b: &Block| breaks_out(b, label, depth + 1);
    match &e.kind {
        ExprKind::Paren(x) => expr_breaks(x, label, depth),
        ExprKind::If { branches, otherwise } => {
            branches.iter().any(|b| inner(&b.body)) || otherwise.as_ref().is_some_and(inner)
        }
        ExprKind::Match { arms, .. } => arms.iter().any(|a| inner(&a.body)),
        ExprKind::When { arms } => arms.iter().any(|a| inner(&a.body)),
        ExprKind::Do(b) | ExprKind::Comptime(b) => inner(b),
        ExprKind::Handle { body, clauses } => {
            inner(body)
                || clauses.iter().any(|c| match &c.kind {
                    HandleClauseKind::Op { body, .. } => inner(body),
                    HandleClauseKind::Handler(_) => false,
                })
        }
        ExprKind::Loop { body, .. } | ExprKind::While { body, .. } | ExprKind::For { body, .. } => nested(body),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(src: &str) -> bool {
        let out = lumen_syntax::parse_code(src);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let lumen_syntax::ast::ItemKind::Cell(c) = &out.module.items[0].kind else { panic!("a cell") };
        let Some(lumen_syntax::ast::CellBody::Block(b)) = &c.body else { panic!("a block body") };
        block_ends(b)
    }

    #[test]
    fn returns_on_every_path() {
        assert!(ends("cell f(n: Int) -> Int\n  if n > 0\n    return 1\n  else\n    return 2\n  end\nend\n"));
        assert!(!ends("cell f(n: Int) -> Int\n  if n > 0\n    return 1\n  end\nend\n"));
        assert!(ends("cell f() -> Int\n  loop\n    print(1)\n  end\nend\n"));
        assert!(!ends("cell f() -> Int\n  loop\n    break\n  end\nend\n"));
        assert!(ends("cell f() -> Int\n  loop\n    for i in 0..3\n      break\n    end\n  end\nend\n"));
        assert!(ends("cell f() -> Int\n  halt \"no\"\nend\n"));
        assert!(!ends("cell f() -> Int\n  for i in 0..3\n    continue\n  end\nend\n"));
    }
}
