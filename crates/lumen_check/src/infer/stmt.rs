//! Statements, blocks, conditions and narrowing (LANGUAGE.md 3.4, 4.4).

use lumen_syntax::ast::{
    BinOp, Block, CellDecl, Cond, Expr, ExprKind, Ident, IfBranch, ParamKind, Stmt, StmtKind, UnaryOp,
};
use lumen_syntax::{Diagnostic, Span};

use super::{Checker, Frame, Loop};
use crate::codes;
use crate::decls::key_of;
use crate::types::{FnTy, Ty, assignable, join};

/// Bindings narrowed when a condition holds and when it does not.
pub(super) type Facts = (Vec<(String, Ty)>, Vec<(String, Ty)>);

impl Checker<'_, '_> {
    pub(super) fn block(&mut self, b: &Block) {
        self.push_scope();
        self.stmts(b.stmts.iter());
        self.pop_scope();
    }

    /// The block's value: that of its last statement (LANGUAGE.md 3.5.11).
    pub(super) fn block_value(&mut self, b: &Block, expected: Option<&Ty>) -> Ty {
        self.push_scope();
        let n = b.stmts.len();
        let mut value = Ty::Null;
        for (i, s) in b.stmts.iter().enumerate() {
            value = self.stmt(s, if i + 1 == n { expected } else { None });
            self.after_stmt(s);
        }
        self.pop_scope();
        value
    }

    pub(super) fn stmts<'s>(&mut self, stmts: impl Iterator<Item = &'s Stmt>) {
        for s in stmts {
            self.stmt(s, None);
            self.after_stmt(s);
        }
    }

    /// After `if x == null return end`, `x` is not null for the rest of the block.
    fn after_stmt(&mut self, s: &Stmt) {
        let StmtKind::Expr(Expr { kind: ExprKind::If { branches, otherwise }, .. }) = &s.kind else { return };
        let [IfBranch { cond: Cond::Expr(c), body }] = branches.as_slice() else { return };
        let (when_true, when_false) = self.facts(c);
        let then_ends = crate::flow::block_exits(body);
        let else_ends = otherwise.as_ref().is_some_and(crate::flow::block_exits);
        if then_ends && !else_ends {
            for (n, t) in when_false {
                self.narrow(&n, t);
            }
        } else if else_ends && !then_ends {
            for (n, t) in when_true {
                self.narrow(&n, t);
            }
        }
    }

    /// Checks a statement and returns its value type.
    pub(super) fn stmt(&mut self, s: &Stmt, expected: Option<&Ty>) -> Ty {
        match &s.kind {
            StmtKind::Let { mutable, pattern, ty, value } => {
                let declared = ty.as_ref().map(|t| self.resolve_type(t));
                let found = self.expr(value, declared.as_ref());
                if let Some(d) = &declared {
                    self.expect_ty(&found, d, codes::TYPE_MISMATCH, "mismatched types in `let`", value.span);
                }
                let mut bound = declared.unwrap_or(found);
                // `let mut best = null` is filled in later: its type is open.
                if *mutable && ty.is_none() && bound == Ty::Null {
                    bound = Ty::Unknown;
                }
                self.bind_pattern(pattern, &bound);
                Ty::Null
            }
            StmtKind::Assign { target, value } => {
                let place = self.place_type(target);
                let found = self.expr(value, place.as_ref());
                if let Some(p) = &place
                    && self.expect_ty(&found, p, codes::TYPE_MISMATCH, "mismatched types in assignment", value.span)
                    && let ExprKind::Ident(id) = &target.kind
                {
                    self.narrow(&id.name, found);
                }
                Ty::Null
            }
            StmtKind::CompoundAssign { target, op, value } => {
                let place = self.place_type(target);
                let current = self.expr(target, None);
                let rhs = self.expr(value, None);
                let result = self.binary_result(*op, &current, &rhs, s.span);
                if let Some(p) = place {
                    let what = format!("the result of `{}=` does not fit the variable", op.as_str());
                    self.expect_ty(&result, &p, codes::TYPE_MISMATCH, &what, s.span);
                }
                Ty::Null
            }
            StmtKind::Return(value) => {
                self.check_return(value.as_ref(), s.span);
                Ty::Null
            }
            StmtKind::Halt(e) => {
                self.expr(e, None);
                Ty::Null
            }
            StmtKind::Emit(e) => {
                self.expr(e, None);
                self.record_effect("emit", None, s.span);
                Ty::Null
            }
            StmtKind::Yield(e) => {
                let yields = self.frame_ref().and_then(|f| f.yields.clone());
                let found = self.expr(e, yields.as_ref());
                if let Some(y) = yields {
                    self.expect_ty(&found, &y, codes::TYPE_MISMATCH, "mismatched type of `yield`", e.span);
                }
                Ty::Null
            }
            StmtKind::Break { label, value } => {
                let found = value.as_ref().map(|v| self.expr(v, None));
                let target = self.loop_target(label.as_ref().map(|l| l.name.as_str()));
                self.check_leaves_defer(target, "break", s.span);
                if let (Some(i), Some(t)) = (target, found) {
                    self.frame().loops[i].breaks.push(t);
                }
                Ty::Null
            }
            StmtKind::Continue { label } => {
                let target = self.loop_target(label.as_ref().map(|l| l.name.as_str()));
                self.check_leaves_defer(target, "continue", s.span);
                Ty::Null
            }
            StmtKind::Defer(b) => {
                let depth = self.frame().loops.len();
                let saved = self.frame().defer_base.replace(depth);
                self.block(b);
                self.frame().defer_base = saved;
                Ty::Null
            }
            StmtKind::LocalCell(cell) => {
                self.local_cell(cell);
                Ty::Null
            }
            StmtKind::Expr(e) => self.expr(e, expected),
        }
    }

    fn check_return(&mut self, value: Option<&Expr>, span: Span) {
        if self.frame_ref().is_some_and(|f| f.defer_base.is_some()) {
            self.report(
                Diagnostic::error(codes::LEAVES_DEFER, "`return` inside a `defer` block", span)
                    .with_label("cannot leave a deferred block")
                    .with_help("a deferred block runs while its scope is exited; it cannot return a value"),
            );
        }
        let ret = self.frame_ref().and_then(|f| f.ret.clone());
        let found = match value {
            Some(v) => self.expr(v, ret.as_ref()),
            None => Ty::Null,
        };
        match (&ret, value) {
            (Some(r), Some(v)) => {
                self.expect_ty(&found, r, codes::RETURN_TYPE, "mismatched return type", v.span);
            }
            (Some(r), None) if !r.accepts_null() => self.report(
                Diagnostic::error(
                    codes::RETURN_TYPE,
                    format!("`return` without a value in a cell returning `{r}`"),
                    span,
                )
                .with_label("returns `null`")
                .with_help(format!("return a value of type `{r}`")),
            ),
            _ => {}
        }
        self.frame().returns.push(found);
    }

    /// The loop a `break`/`continue` leaves (index into the frame's loops).
    fn loop_target(&mut self, label: Option<&str>) -> Option<usize> {
        let loops = &self.frame().loops;
        match label {
            None => loops.len().checked_sub(1),
            Some(l) => loops.iter().rposition(|lp| lp.label.as_deref() == Some(l)),
        }
    }

    fn check_leaves_defer(&mut self, target: Option<usize>, what: &str, span: Span) {
        let Some(base) = self.frame_ref().and_then(|f| f.defer_base) else { return };
        // Outside any loop the compiler reports the statement itself.
        let Some(t) = target else { return };
        if t < base {
            self.report(
                Diagnostic::error(codes::LEAVES_DEFER, format!("`{what}` would leave a `defer` block"), span)
                    .with_label("the loop it targets is outside the deferred block")
                    .with_help("a deferred block runs while its scope is exited; it cannot jump out of it"),
            );
        }
    }

    /// A named local closure: bound before its body is checked, so it may recurse.
    fn local_cell(&mut self, cell: &CellDecl) {
        let mut frame = self.closure_frame();
        for g in &cell.generics {
            frame.generics.push(crate::decls::Generic {
                name: g.name.name.clone(),
                bounds: g.bounds.iter().map(|b| b.name.clone()).collect(),
            });
        }
        self.frames.push(frame);
        let mut params = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for p in cell.params.iter().filter(|p| p.kind != ParamKind::SelfParam) {
            if let Some(first) = seen.insert(p.name.name.clone(), p.name.span) {
                self.duplicate(&p.name.name, "parameter", p.name.span, first);
            }
            let t = p.ty.as_ref().map_or(Ty::Unknown, |t| self.resolve_type(t));
            params.push((p.name.name.clone(), t, p.kind == ParamKind::Variadic));
        }
        let ret = cell.ret.as_ref().map(|t| self.resolve_type(t));
        self.frames.pop();
        let fn_ty = if params.iter().any(|p| p.2) || cell.is_generator {
            Ty::Unknown
        } else {
            Ty::Fn(Box::new(FnTy {
                params: params.iter().map(|p| p.1.clone()).collect(),
                ret: ret.clone().unwrap_or(Ty::Unknown),
                effects: None,
            }))
        };
        self.bind(&cell.name.name, fn_ty);
        let mut frame = self.closure_frame();
        frame.ret = if cell.is_generator { None } else { ret.clone() };
        frame.yields = if cell.is_generator { ret } else { None };
        self.frames.push(frame);
        self.push_scope();
        for (p, (name, t, variadic)) in cell.params.iter().filter(|p| p.kind != ParamKind::SelfParam).zip(params) {
            if let Some(d) = &p.default {
                let found = self.expr(d, Some(&t));
                self.expect_ty(&found, &t, codes::TYPE_MISMATCH, &format!("default of parameter `{name}`"), d.span);
            }
            self.bind(&name, if variadic { Ty::list(t) } else { t });
        }
        self.cell_body(cell);
        self.pop_scope();
        self.frames.pop();
    }

    /// A frame for a lambda or local cell: it sees the enclosing generics and `self`, but its
    /// effects are its own and `resume` may not be captured.
    pub(super) fn closure_frame(&self) -> Frame {
        let mut frame = Frame::new(None);
        if let Some(outer) = self.frame_ref() {
            frame.generics = outer.generics.clone();
            frame.self_ty = outer.self_ty.clone();
            frame.process = outer.process;
        }
        frame.tracks_effects = false;
        frame
    }

    /// The type a place (`x`, `x.f`, `x[i]`) must keep; `None` when unknown.
    fn place_type(&mut self, target: &Expr) -> Option<Ty> {
        let t = match &target.kind {
            ExprKind::Ident(id) => match self.lookup(&id.name) {
                Some(local) => local.declared.clone(),
                None => return None,
            },
            _ => self.expr(target, None),
        };
        if t.is_dynamic() { None } else { Some(t) }
    }

    /// Checks that a condition is `Bool` (LANGUAGE.md 3.4).
    pub(super) fn condition(&mut self, e: &Expr, what: &str) {
        let t = self.expr(e, Some(&Ty::Bool));
        if !assignable(&t, &Ty::Bool) {
            let mut d =
                Diagnostic::error(codes::CONDITION_NOT_BOOL, format!("{what} must be `Bool`, found `{t}`"), e.span)
                    .with_label(format!("this is `{t}`"));
            d = if t.is_optional() {
                d.with_help("compare explicitly: `x != null`")
            } else {
                d.with_help("conditions are never truthy; compare explicitly, e.g. `count > 0`")
            };
            self.report(d);
        }
    }

    /// Applies narrowing facts to the current scope.
    pub(super) fn apply(&mut self, facts: &[(String, Ty)]) {
        for (n, t) in facts {
            self.narrow(n, t.clone());
        }
    }

    /// What a condition tells about local bindings when it holds and when it does not.
    pub(super) fn facts(&self, e: &Expr) -> Facts {
        self.facts_at(e, 0)
    }

    /// `depth` bounds the walk through `and`/`or`/`not`: every operand of a long chain asks for
    /// the facts of its left side, so an unbounded walk would be quadratic.
    fn facts_at(&self, e: &Expr, depth: usize) -> Facts {
        const LIMIT: usize = 32;
        if depth > LIMIT {
            return (Vec::new(), Vec::new());
        }
        match &e.kind {
            ExprKind::Paren(inner) => self.facts_at(inner, depth + 1),
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                let (t, f) = self.facts_at(operand, depth + 1);
                (f, t)
            }
            ExprKind::Binary { op: BinOp::And, lhs, rhs } => {
                let (mut t, _) = self.facts_at(lhs, depth + 1);
                t.extend(self.facts_at(rhs, depth + 1).0);
                (t, Vec::new())
            }
            ExprKind::Binary { op: BinOp::Or, lhs, rhs } => {
                let (_, mut f) = self.facts_at(lhs, depth + 1);
                f.extend(self.facts_at(rhs, depth + 1).1);
                (Vec::new(), f)
            }
            ExprKind::Binary { op: op @ (BinOp::Eq | BinOp::Ne), lhs, rhs } => {
                let subject = match (&lhs.kind, &rhs.kind) {
                    (_, ExprKind::Null) => lhs,
                    (ExprKind::Null, _) => rhs,
                    _ => return (Vec::new(), Vec::new()),
                };
                let Some((key, current)) = self.path_type(subject) else { return (Vec::new(), Vec::new()) };
                let is_null = vec![(key.clone(), Ty::Null)];
                let not_null = vec![(key, current.without_null())];
                if *op == BinOp::Eq { (is_null, not_null) } else { (not_null, is_null) }
            }
            ExprKind::Is { expr, ty } => {
                let Some((key, current)) = self.path_type(expr) else { return (Vec::new(), Vec::new()) };
                let target = self.p.resolve(self.module, ty, &self.ctx(), &mut Vec::new());
                let (yes, no) = narrow_is(&current, &target);
                (vec![(key.clone(), yes)], vec![(key, no)])
            }
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// The narrowing key and current type of a path (`x`, `x.f.g`) whose root is a local.
    fn path_type(&self, e: &Expr) -> Option<(String, Ty)> {
        let key = super::expr::path_key(e)?;
        if let Some(local) = self.lookup(&key) {
            return Some((key, local.ty.clone()));
        }
        let ExprKind::Field { target, name, .. } = &e.kind else { return None };
        let (_, base) = self.path_type(target)?;
        let Ty::Named(tid, _, args) = base.without_null() else { return None };
        let decl = &self.p.types[tid];
        let field = decl.fields.iter().find(|f| f.name == name.name)?;
        let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
        let ty = field.ty.subst(&|p| {
            Some(generics.iter().position(|g| g == p).and_then(|i| args.get(i).cloned()).unwrap_or(Ty::Unknown))
        });
        Some((key, ty))
    }

    /// `if` (block form): conditions narrow their branches; the value is the taken branch's.
    pub(super) fn if_expr(&mut self, branches: &[IfBranch], otherwise: Option<&Block>, expected: Option<&Ty>) -> Ty {
        let mut negated: Vec<(String, Ty)> = Vec::new();
        let mut value: Option<Ty> = None;
        for br in branches {
            self.push_scope();
            self.apply(&negated.clone());
            let when_false = match &br.cond {
                Cond::Expr(c) => {
                    self.condition(c, "an `if` condition");
                    let (t, f) = self.facts(c);
                    self.apply(&t);
                    f
                }
                Cond::Let { pattern, value } => {
                    let t = self.expr(value, None);
                    self.bind_pattern(pattern, &t);
                    Vec::new()
                }
            };
            let v = self.block_value(&br.body, expected);
            value = Some(value.map_or(v.clone(), |a| join(&a, &v)));
            self.pop_scope();
            negated.extend(when_false);
        }
        match otherwise {
            Some(b) => {
                self.push_scope();
                self.apply(&negated);
                let v = self.block_value(b, expected);
                self.pop_scope();
                value.map_or(v.clone(), |a| join(&a, &v))
            }
            None => Ty::optional(value.unwrap_or(Ty::Null)),
        }
    }

    pub(super) fn while_expr(&mut self, label: Option<&Ident>, cond: &Cond, body: &Block) -> Ty {
        self.push_scope();
        match cond {
            Cond::Expr(c) => {
                self.condition(c, "a `while` condition");
                let (t, _) = self.facts(c);
                self.apply(&t);
            }
            Cond::Let { pattern, value } => {
                let t = self.expr(value, None);
                self.bind_pattern(pattern, &t);
            }
        }
        let breaks = self.in_loop(label, |c| c.block(body));
        self.pop_scope();
        Ty::optional(breaks.unwrap_or(Ty::Null))
    }

    /// Runs `f` inside a loop; returns the join of the `break` values.
    pub(super) fn in_loop(&mut self, label: Option<&Ident>, f: impl FnOnce(&mut Self)) -> Option<Ty> {
        if let Some(l) = label
            && self.frame().loops.iter().any(|lp| lp.label.as_deref() == Some(l.name.as_str()))
        {
            self.report(
                Diagnostic::error(codes::DUPLICATE_NAME, format!("duplicate loop label `@{}`", l.name), l.span)
                    .with_label("an enclosing loop has this label")
                    .with_help("labels are unique among enclosing loops; rename this one"),
            );
        }
        self.frame().loops.push(Loop { label: label.map(|l| l.name.clone()), breaks: Vec::new() });
        f(self);
        let lp = self.frame().loops.pop()?;
        lp.breaks.iter().fold(None, |acc: Option<Ty>, t| Some(acc.map_or(t.clone(), |a| join(&a, t))))
    }
}

/// `x is T`: the type of `x` where the test holds and where it does not.
pub(super) fn narrow_is(current: &Ty, target: &Ty) -> (Ty, Ty) {
    if current.is_dynamic() {
        return (target.clone(), current.clone());
    }
    let matches = |m: &Ty| match (m, target) {
        (_, Ty::Null) => *m == Ty::Null,
        _ => assignable(m, target) || (key_of(m).is_some() && key_of(m) == key_of(target)),
    };
    let members = current.members();
    let yes: Vec<Ty> = members.iter().filter(|m| matches(m)).cloned().collect();
    let no: Vec<Ty> = members.iter().filter(|m| !matches(m)).cloned().collect();
    let yes = if yes.is_empty() { target.clone() } else { Ty::union(yes) };
    let no = if no.is_empty() { current.clone() } else { Ty::union(no) };
    (yes, no)
}
