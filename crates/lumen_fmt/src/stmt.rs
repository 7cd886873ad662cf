//! Statements and the block forms of expressions (`if`, `match`, `when`, loops, `handle`...).

use lumen_syntax::Span;
use lumen_syntax::ast::{
    AwaitBranch, AwaitKind, Block, Cond, Expr, HandleClause, HandleClauseKind, Ident, IfBranch, MatchArm, Pattern,
    Stmt, StmtKind, WhenArm,
};

use crate::cat;
use crate::doc::Doc;
use crate::items::stmt_start;
use crate::printer::{Body, Printer};

impl Printer<'_> {
    pub fn stmt(&mut self, s: &Stmt) -> Doc {
        match &s.kind {
            StmtKind::Let { mutable, pattern, ty, value } => {
                let mut parts = vec![Doc::text(if *mutable { "let mut " } else { "let " }), self.pattern(pattern)];
                if let Some(ty) = ty {
                    parts.push(": ".into());
                    parts.push(self.ty(ty));
                }
                parts.push(" = ".into());
                parts.push(self.expr(value));
                Doc::Concat(parts)
            }
            StmtKind::Assign { target, value } => cat![self.expr(target), " = ", self.expr(value)],
            StmtKind::CompoundAssign { target, op, value } => {
                cat![self.expr(target), format!(" {}= ", op.as_str()), self.expr(value)]
            }
            StmtKind::Return(None) => "return".into(),
            StmtKind::Return(Some(e)) => cat!["return ", self.expr(e)],
            StmtKind::Halt(e) => self.keyword_call("halt", e),
            StmtKind::Break { label, value } => {
                let mut parts = vec![Doc::text("break")];
                if let Some(l) = label {
                    parts.push(format!(" @{}", l.name).into());
                }
                if let Some(v) = value {
                    parts.push(" ".into());
                    parts.push(self.expr(v));
                }
                Doc::Concat(parts)
            }
            StmtKind::Continue { label } => match label {
                Some(l) => Doc::text(format!("continue @{}", l.name)),
                None => "continue".into(),
            },
            StmtKind::Emit(e) => self.keyword_call("emit", e),
            StmtKind::Defer(b) => self.block_with("defer".into(), &b.stmts, s.span),
            StmtKind::Yield(e) => cat!["yield ", self.expr(e)],
            StmtKind::LocalCell(c) => self.cell(c, false),
            StmtKind::Expr(e) => self.expr(e),
        }
    }

    /// `halt x`, but `halt(x)` when the operand is parenthesized (it reads as a call).
    fn keyword_call(&mut self, kw: &str, e: &Expr) -> Doc {
        let sep = if matches!(e.kind, lumen_syntax::ast::ExprKind::Paren(_)) { "" } else { " " };
        cat![format!("{kw}{sep}"), self.expr(e)]
    }

    pub fn cond(&mut self, c: &Cond) -> Doc {
        match c {
            Cond::Expr(e) => self.expr(e),
            Cond::Let { pattern, value } => cat!["let ", self.pattern(pattern), " = ", self.expr(value)],
        }
    }

    fn cond_end(&self, c: &Cond) -> u32 {
        match c {
            Cond::Expr(e) | Cond::Let { value: e, .. } => self.end(e.span),
        }
    }

    /// Start of the first token after the statements of a block (or after `from`).
    fn after_stmts(&self, stmts: &[Stmt], from: u32, fallback: u32) -> u32 {
        let after = stmts.last().map_or(from, |s| self.end(s.span));
        self.src.next_token_start(after, fallback)
    }

    pub fn if_block(&mut self, branches: &[IfBranch], otherwise: Option<&Block>, span: Span) -> Doc {
        let end_kw = self.end_kw(span);
        let mut parts = Vec::new();
        for (i, br) in branches.iter().enumerate() {
            let head = cat![if i == 0 { "if " } else { "else if " }, self.cond(&br.cond)];
            let close = self.after_stmts(&br.body.stmts, self.cond_end(&br.cond), end_kw);
            if i > 0 {
                parts.push(Doc::HardLine);
            }
            parts.push(head);
            parts.push(self.body(&br.body.stmts, close));
        }
        if let Some(b) = otherwise {
            parts.push(Doc::HardLine);
            parts.push("else".into());
            parts.push(self.body(&b.stmts, end_kw));
        }
        parts.push(Doc::HardLine);
        parts.push("end".into());
        Doc::Concat(parts)
    }

    /// Lines of a `match`, `when`, `handle ... with` or `await` block, each an entry.
    fn arms<T>(
        &mut self,
        items: &[T],
        span_of: impl Fn(&Self, &T) -> Span,
        print: impl Fn(&mut Self, &T) -> Doc,
    ) -> Body {
        let mut body = Body::new();
        for item in items {
            let span = span_of(self, item);
            self.entry(&mut body, &[], span, |p| print(p, item));
        }
        body
    }

    pub fn match_block(&mut self, scrutinee: &Expr, arms: &[MatchArm], span: Span) -> Doc {
        let head = cat!["match ", self.expr(scrutinee)];
        let close = self.end_kw(span);
        let first = arms.first().map_or(close, |a| a.span.start);
        let trailing = self.header_comment(first);
        let body = self.arms(arms, |_, a| a.span, |p, a| p.arm(&a.pattern, a.guard.as_ref(), &a.body.stmts));
        self.close_body(head, trailing, body, close)
    }

    fn arm(&mut self, pattern: &Pattern, guard: Option<&Expr>, stmts: &[Stmt]) -> Doc {
        let mut parts = vec![self.pattern(pattern)];
        if let Some(g) = guard {
            parts.push(" if ".into());
            parts.push(self.expr(g));
        }
        parts.push(" ".into());
        parts.push(self.arm_body(stmts, "->"));
        Doc::Concat(parts)
    }

    /// The body after `->` / `=>`: one short statement stays on the arrow's line; anything
    /// longer goes on the following lines, indented (the offside rule delimits it).
    pub fn arm_body(&mut self, stmts: &[Stmt], arrow: &str) -> Doc {
        let Some(first_stmt) = stmts.first() else {
            return arrow.into();
        };
        let first = stmt_start(first_stmt);
        let comment = self.header_comment(first);
        if stmts.len() == 1 && first_stmt.attrs.is_empty() && self.src.peek_before(first).is_none() {
            let end = self.end(first_stmt.span);
            let saved = self.src.next;
            let mut doc = self.stmt(first_stmt);
            if self.src.peek_before(end).is_some() {
                self.src.next = saved;
                doc = self.source(Span { start: first_stmt.span.start, end });
                self.src.consume_until(end);
            }
            // The statement's own trailing comment is taken by the caller's entry.
            if doc.is_multiline() {
                return cat![arrow, comment, Doc::indent(cat![Doc::HardLine, doc])];
            }
            return Doc::group(cat![arrow, comment, Doc::indent(cat![Doc::Line, doc])]);
        }
        let mut body = Body::new();
        for s in stmts {
            self.entry(&mut body, &s.attrs, s.span, |p| p.stmt(s));
        }
        cat![arrow, comment, Doc::indent(body.into_doc())]
    }

    pub fn when_block(&mut self, arms: &[WhenArm], span: Span) -> Doc {
        let close = self.end_kw(span);
        let first = arms.first().map_or(close, |a| a.span.start);
        let trailing = self.header_comment(first);
        let body = self.arms(
            arms,
            |_, a| a.span,
            |p, a| {
                let cond = match &a.cond {
                    Some(c) => p.expr(c),
                    None => "_".into(),
                };
                cat![cond, " ", p.arm_body(&a.body.stmts, "->")]
            },
        );
        self.close_body("when".into(), trailing, body, close)
    }

    pub fn loop_head(&mut self, kw: &str, label: Option<&Ident>) -> String {
        match label {
            Some(l) => format!("{kw} @{}", l.name),
            None => kw.to_string(),
        }
    }

    pub fn handle_block(&mut self, body: &Block, clauses: &[HandleClause], span: Span) -> Doc {
        let close = self.end_kw(span);
        let handle_end = self.src.token_at_or_after(span.start).map_or(span.start, |t| t.span.end);
        let with_pos = self.after_stmts(&body.stmts, handle_end, close);
        let body_doc = self.body(&body.stmts, with_pos);
        let first = clauses.first().map_or(close, |c| c.span.start);
        let trailing = self.header_comment(first);
        let clauses = self.arms(clauses, |_, c| c.span, |p, c| p.handle_clause(c));
        let with = self.close_body("with".into(), trailing, clauses, close);
        cat!["handle", body_doc, Doc::HardLine, with]
    }

    fn handle_clause(&mut self, c: &HandleClause) -> Doc {
        match &c.kind {
            HandleClauseKind::Handler(name) => Doc::text(&name.name),
            HandleClauseKind::Op { effect, op, params, body } => {
                let name = match effect {
                    Some(e) => format!("{}.{}", e.name, op.name),
                    None => op.name.clone(),
                };
                let params = self.params(params, op.span.end);
                cat![name, params, " ", self.arm_body(&body.stmts, "=>")]
            }
        }
    }

    pub fn await_block(&mut self, kind: AwaitKind, branches: &[AwaitBranch], span: Span) -> Doc {
        let word = match kind {
            AwaitKind::Parallel => "parallel",
            AwaitKind::Race => "race",
            AwaitKind::Vote => "vote",
            AwaitKind::Select => "select",
        };
        let close = self.end_kw(span);
        let branch_span = |p: &Self, b: &AwaitBranch| Span {
            start: b.name.as_ref().map_or(b.expr.span.start, |n| n.span.start),
            end: p.end(b.expr.span),
        };
        let first = branches.first().map_or(close, |b| branch_span(self, b).start);
        let trailing = self.header_comment(first);
        let body = self.arms(branches, branch_span, |p, b| match &b.name {
            Some(n) => cat![format!("{} = ", n.name), p.expr(&b.expr)],
            None => p.expr(&b.expr),
        });
        self.close_body(format!("await {word}").into(), trailing, body, close)
    }

    pub fn await_for(&mut self, pattern: &Pattern, iter: &Expr, body: &Expr, span: Span) -> Doc {
        let head = cat!["await parallel for ", self.pattern(pattern), " in ", self.expr(iter)];
        let close = self.end_kw(span);
        let trailing = self.header_comment(body.span.start);
        let lines = self.arms(std::slice::from_ref(body), |_, b| b.span, |p, b| p.expr(b));
        self.close_body(head, trailing, lines, close)
    }

    /// `comptime expr end` stays on one line when written so; otherwise a block.
    pub fn comptime(&mut self, body: &Block, span: Span) -> Doc {
        let kw_end = self.src.token_at_or_after(span.start).map_or(span.start, |t| t.span.end);
        let inline = body.stmts.len() == 1
            && matches!(body.stmts[0].kind, StmtKind::Expr(_))
            && !self.src.newline_between(kw_end, body.stmts[0].span.start);
        if inline && let StmtKind::Expr(e) = &body.stmts[0].kind {
            let end = self.end(span);
            let saved = self.src.next;
            let doc = self.expr(e);
            if self.src.peek_before(end).is_none() && !doc.is_multiline() {
                return cat!["comptime ", doc, " end"];
            }
            self.src.next = saved;
            return self.source(span);
        }
        self.block_with("comptime".into(), &body.stmts, span)
    }
}
