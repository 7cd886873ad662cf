//! Expressions.

use lumen_syntax::Span;
use lumen_syntax::ast::{
    Arg, BinOp, CompClause, Element, Expr, ExprKind, Lambda, LambdaBody, MapEntry, RoleBlock, RoleContent, UnaryOp,
};

use crate::cat;
use crate::doc::Doc;
use crate::printer::Printer;

impl Printer<'_> {
    pub fn expr(&mut self, e: &Expr) -> Doc {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &Expr) -> Doc {
        match &e.kind {
            // `-9223372036854775808` is one literal of two tokens.
            ExprKind::Int(_) => Doc::text(self.compact(e.span)),
            ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bytes(_) => self.literal(e.span),
            ExprKind::Bool(b) => Doc::text(b.to_string()),
            ExprKind::Null => "null".into(),
            ExprKind::Ident(i) => Doc::text(&i.name),
            ExprKind::SelfValue => "self".into(),
            ExprKind::Paren(inner) => cat!["(", self.expr(inner), ")"],
            ExprKind::Tuple(items) if items.len() == 1 => cat!["(", self.expr(&items[0]), ",)"],
            ExprKind::Tuple(items) => {
                let close = self.end_kw(e.span);
                self.list("(", items, |_, x| x.span, |p, x| p.expr(x), ")", close, is_block)
            }
            ExprKind::List(elems) => self.elements("[", elems, "]", e.span),
            ExprKind::Set(elems) => self.elements("{", elems, "}", e.span),
            ExprKind::Map(entries) => {
                let close = self.end_kw(e.span);
                self.list("{", entries, map_entry_span, |p, m| p.map_entry(m), "}", close, |_| false)
            }
            ExprKind::ListComp { element, clauses } => {
                let element = self.expr(element);
                self.comprehension("[", element, clauses, "]")
            }
            ExprKind::SetComp { element, clauses } => {
                let element = self.expr(element);
                self.comprehension("{", element, clauses, "}")
            }
            ExprKind::MapComp { key, value, clauses } => {
                let element = cat![self.expr(key), ": ", self.expr(value)];
                self.comprehension("{", element, clauses, "}")
            }
            ExprKind::Unary { op, operand } => {
                // `- -x`, not `--x`.
                let negative_operand = matches!(operand.kind, ExprKind::Unary { op: UnaryOp::Neg, .. })
                    || self.src.slice(operand.span).starts_with('-');
                let op = match op {
                    UnaryOp::Neg if negative_operand => "- ",
                    UnaryOp::Neg => "-",
                    UnaryOp::BitNot => "~",
                    UnaryOp::Not => "not ",
                };
                cat![op, self.expr(operand)]
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            ExprKind::CompareChain { operands, ops } => {
                let mut parts = Vec::new();
                for (i, operand) in operands.iter().enumerate() {
                    if i > 0 {
                        let op = ops.get(i - 1).map_or("==", |o| o.as_str());
                        parts.push(format!(" {op} ").into());
                    }
                    parts.push(self.expr(operand));
                }
                Doc::Concat(parts)
            }
            ExprKind::Is { expr, ty } => cat![self.expr(expr), " is ", self.ty(ty)],
            ExprKind::As { expr, ty } => cat![self.expr(expr), " as ", self.ty(ty)],
            ExprKind::Range { start, end, inclusive, step } => {
                // `0..n` for simple bounds, `a + 1 .. b` when a bound is an operator expression.
                let spaced = !is_simple(start) || !is_simple(end);
                let op = if *inclusive { "..=" } else { ".." };
                let op = if spaced { format!(" {op} ") } else { op.to_string() };
                let mut parts = vec![self.expr(start), op.into(), self.expr(end)];
                if let Some(s) = step {
                    parts.push(" step ".into());
                    parts.push(self.expr(s));
                }
                Doc::Concat(parts)
            }
            ExprKind::Call { callee, args } => {
                let callee = self.expr(callee);
                let args = self.args(args, e.span);
                cat![callee, args]
            }
            ExprKind::Field { target, name, safe } => {
                let dot = if *safe { "?." } else { "." };
                let target_end = self.end(target.span);
                let target = self.expr(target);
                // A chain written with `.method()` on the next line keeps that layout.
                if self.break_before(target_end) {
                    cat![target, Doc::indent(cat![Doc::HardLine, dot, name.name.as_str()])]
                } else {
                    cat![target, dot, name.name.as_str()]
                }
            }
            ExprKind::TupleIndex { target, index, .. } => cat![self.expr(target), format!(".{index}")],
            ExprKind::Index { target, index, safe } => {
                cat![self.expr(target), if *safe { "?[" } else { "[" }, self.expr(index), "]"]
            }
            ExprKind::Unwrap(inner) => cat![self.expr(inner), "!"],
            ExprKind::Propagate(inner) => cat![self.expr(inner), "?"],
            ExprKind::Try { expr, binding, fallback } => {
                let mut parts = vec![Doc::text("try "), self.expr(expr)];
                if let Some(f) = fallback {
                    parts.push(" else ".into());
                    if let Some(b) = binding {
                        parts.push(format!("|{}| ", b.name).into());
                    }
                    parts.push(self.expr(f));
                }
                Doc::Concat(parts)
            }
            ExprKind::Lambda(l) => self.lambda(l, e.span),
            ExprKind::IfThen { cond, then, otherwise } => {
                cat!["if ", self.expr(cond), " then ", self.expr(then), " else ", self.expr(otherwise)]
            }
            ExprKind::If { branches, otherwise } => self.if_block(branches, otherwise.as_ref(), e.span),
            ExprKind::Match { scrutinee, arms } => self.match_block(scrutinee, arms, e.span),
            ExprKind::When { arms } => self.when_block(arms, e.span),
            ExprKind::Do(b) => self.block_with("do".into(), &b.stmts, e.span),
            ExprKind::Loop { label, body } => {
                let head = self.loop_head("loop", label.as_ref());
                self.block_with(head.into(), &body.stmts, e.span)
            }
            ExprKind::While { label, cond, body } => {
                let head = cat![self.loop_head("while", label.as_ref()), " ", self.cond(cond)];
                self.block_with(head, &body.stmts, e.span)
            }
            ExprKind::For { label, pattern, iter, filter, body } => {
                let mut head = vec![
                    Doc::text(self.loop_head("for", label.as_ref())),
                    " ".into(),
                    self.pattern(pattern),
                    " in ".into(),
                    self.expr(iter),
                ];
                if let Some(f) = filter {
                    head.push(" if ".into());
                    head.push(self.expr(f));
                }
                self.block_with(Doc::Concat(head), &body.stmts, e.span)
            }
            ExprKind::Comptime(b) => self.comptime(b, e.span),
            ExprKind::Perform { effect, op, args } => {
                let args = self.args(args, e.span);
                cat![format!("perform {}.{}", effect.name, op.name), args]
            }
            ExprKind::Handle { body, clauses } => self.handle_block(body, clauses, e.span),
            ExprKind::Resume(value) => match value {
                Some(v) => cat!["resume(", self.expr(v), ")"],
                None => "resume()".into(),
            },
            ExprKind::Await(inner) => cat!["await ", self.expr(inner)],
            ExprKind::AwaitBlock { kind, branches } => self.await_block(*kind, branches, e.span),
            ExprKind::AwaitFor { pattern, iter, body } => self.await_for(pattern, iter, body, e.span),
            ExprKind::Role(r) => self.role(r),
            ExprKind::MacroCall { name, args } => {
                let close = self.end_kw(e.span);
                let list = self.list("(", args, |_, a| a.span, |p, a| p.expr(a), ")", close, is_block);
                cat![format!("{}!", name.name), list]
            }
            ExprKind::ExpectSchema { expr, ty } => cat![self.expr(expr), " expect schema ", self.ty(ty)],
            ExprKind::Error => self.source(e.span),
        }
    }

    /// `role NAME: text` on one line, `role NAME: expr` in arguments; multi-line role text is
    /// kept as written (re-indented as a whole).
    pub fn role(&mut self, r: &RoleBlock) -> Doc {
        match &r.content {
            RoleContent::Expr(e) => cat![format!("role {}: ", r.role.name), self.expr(e)],
            RoleContent::Text(_) => {
                let text = self
                    .src
                    .token_at_or_after(r.role.span.end)
                    .and_then(|colon| self.src.token_at_or_after(colon.span.end));
                match text {
                    Some(t) if t.span.start < r.span.end && !self.src.newline_between(r.span.start, r.span.end) => {
                        Doc::text(format!("role {}: {}", r.role.name, self.src.slice(t.span)))
                    }
                    _ => self.source(r.span),
                }
            }
        }
    }

    /// Whether the source breaks the line between `pos` and the next token.
    fn break_before(&self, pos: u32) -> bool {
        self.src.token_at_or_after(pos).is_some_and(|t| self.src.newline_between(pos, t.span.start))
    }

    /// A chain of operators of one precedence level, `a + b - c`. It breaks before each operator
    /// (after it for operators that cannot start a line) when it does not fit on the line, or
    /// when the source already broke it somewhere (so pipelines written vertically stay so).
    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr) -> Doc {
        let mut rest = vec![(op, rhs)];
        let mut first = lhs;
        if op != BinOp::Pow {
            while let ExprKind::Binary { op: inner, lhs, rhs } = &first.kind
                && precedence(*inner) == precedence(op)
            {
                rest.push((*inner, rhs));
                first = lhs;
            }
        }
        rest.reverse();
        let mut prev_end = self.end(first.span);
        let mut any_break = false;
        for (_, operand) in &rest {
            any_break |= self.src.newline_between(prev_end, operand.span.start);
            prev_end = self.end(operand.span);
        }
        // One style per chain: operators lead the lines unless one of them cannot (`-`).
        let leading = rest.iter().all(|(op, _)| can_lead_line(op.as_str()));
        let head = self.expr(first);
        let mut tail = Vec::with_capacity(rest.len() * 3);
        for (op, operand) in &rest {
            let op = op.as_str();
            let operand = self.expr(operand);
            let line = if any_break { Doc::HardLine } else { Doc::Line };
            if leading {
                tail.push(line);
                tail.push(format!("{op} ").into());
            } else {
                tail.push(format!(" {op}").into());
                tail.push(line);
            }
            tail.push(operand);
        }
        let doc = cat![head, Doc::indent(Doc::Concat(tail))];
        if any_break { doc } else { Doc::group(doc) }
    }

    /// Call arguments; `span` is the whole call (it ends with the `)`).
    pub fn args(&mut self, args: &[Arg], span: Span) -> Doc {
        let close = self.end_kw(span);
        // A sole list, map or set argument hugs the parentheses: `f([` ... `])`.
        if let [arg] = args
            && arg.name.is_none()
            && !arg.spread
            && matches!(arg.value.kind, ExprKind::List(_) | ExprKind::Map(_) | ExprKind::Set(_))
            && self.src.peek_before(arg.span.start).is_none()
        {
            let saved = self.src.next;
            let doc = self.expr(&arg.value);
            if self.src.peek_before(close).is_none() {
                return cat!["(", doc, ")"];
            }
            self.src.next = saved;
        }
        self.list("(", args, |_, a| a.span, |p, a| p.arg(a), ")", close, |a| is_block(&a.value))
    }

    fn arg(&mut self, a: &Arg) -> Doc {
        let value = self.expr(&a.value);
        match (&a.name, a.spread) {
            (_, true) => cat!["...", value],
            (Some(n), _) => cat![format!("{}: ", n.name), value],
            (None, false) => value,
        }
    }

    fn elements(&mut self, open: &str, elems: &[Element], close: &str, span: Span) -> Doc {
        let close_pos = self.end_kw(span);
        self.list(
            open,
            elems,
            |_, el| el.expr.span,
            |p, el| {
                let doc = p.expr(&el.expr);
                if el.spread { cat!["...", doc] } else { doc }
            },
            close,
            close_pos,
            |el| is_block(&el.expr),
        )
    }

    fn map_entry(&mut self, m: &MapEntry) -> Doc {
        match m {
            MapEntry::Pair { key, value } => cat![self.expr(key), ": ", self.expr(value)],
            MapEntry::Spread(e) => cat!["...", self.expr(e)],
        }
    }

    fn comprehension(&mut self, open: &str, element: Doc, clauses: &[CompClause], close: &str) -> Doc {
        let mut inner = vec![Doc::SoftLine, element];
        for c in clauses {
            inner.push(Doc::Line);
            match c {
                CompClause::For { pattern, iter } => {
                    inner.push(cat!["for ", self.pattern(pattern), " in ", self.expr(iter)]);
                }
                CompClause::If(cond) => inner.push(cat!["if ", self.expr(cond)]),
            }
        }
        Doc::group(cat![open, Doc::indent(Doc::Concat(inner)), Doc::SoftLine, close])
    }

    fn lambda(&mut self, l: &Lambda, span: Span) -> Doc {
        let mut head = vec![Doc::text("fn"), self.params(&l.params, span.start)];
        if let Some(ret) = &l.ret {
            head.push(" -> ".into());
            head.push(self.ty(ret));
        }
        match &l.body {
            LambdaBody::Expr(e) => {
                head.push(" => ".into());
                head.push(self.expr(e));
                Doc::Concat(head)
            }
            LambdaBody::Block(b) => self.block_with(Doc::Concat(head), &b.stmts, span),
        }
    }
}

fn map_entry_span(_: &Printer<'_>, m: &MapEntry) -> Span {
    match m {
        MapEntry::Pair { key, value } => key.span.to(value.span),
        MapEntry::Spread(e) => e.span,
    }
}

/// Binding strength of binary operators (LANGUAGE.md 3.5.1).
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Coalesce => 1,
        BinOp::Or => 2,
        BinOp::And => 3,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In => 5,
        BinOp::BitOr => 6,
        BinOp::BitXor => 7,
        BinOp::BitAnd => 8,
        BinOp::Pipe | BinOp::Compose => 9,
        BinOp::Concat => 10,
        BinOp::Shl | BinOp::Shr => 12,
        BinOp::Add | BinOp::Sub => 13,
        BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod => 14,
        BinOp::Pow => 15,
    }
}

/// Operators that may start a continuation line (LANGUAGE.md 2.1); `-` may not.
fn can_lead_line(op: &str) -> bool {
    matches!(
        op,
        "|>" | "~>"
            | "??"
            | "++"
            | "+"
            | "*"
            | "/"
            | "//"
            | "%"
            | "**"
            | "=="
            | "!="
            | "<"
            | "<="
            | ">"
            | ">="
            | "&"
            | "|"
            | "^"
            | "<<"
            | ">>"
            | "and"
            | "or"
            | "in"
    )
}

/// Block forms, which end with `end`: as the last item of a list they hug its brackets.
pub fn is_block(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lambda(l) => matches!(l.body, LambdaBody::Block(_)),
        ExprKind::If { .. }
        | ExprKind::Match { .. }
        | ExprKind::When { .. }
        | ExprKind::Do(_)
        | ExprKind::Loop { .. }
        | ExprKind::While { .. }
        | ExprKind::For { .. }
        | ExprKind::Handle { .. }
        | ExprKind::AwaitBlock { .. }
        | ExprKind::AwaitFor { .. } => true,
        _ => false,
    }
}

/// Operands that read well next to `..` without spaces.
fn is_simple(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Ident(_) | ExprKind::SelfValue | ExprKind::Paren(_) => true,
        ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Null => true,
        ExprKind::Field { target, .. } | ExprKind::TupleIndex { target, .. } => is_simple(target),
        ExprKind::Call { callee, .. } | ExprKind::Index { target: callee, .. } => is_simple(callee),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => is_simple(operand),
        _ => false,
    }
}
