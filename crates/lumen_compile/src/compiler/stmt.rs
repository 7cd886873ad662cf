//! Statements, blocks and loops.

use lumen_syntax::ast::{Block, Cond, Expr, ExprKind, PatternKind, Stmt, StmtKind, TypeExpr, TypeKind};

use super::{Compiler, Global, LoopCtx, VarRef, codes};
use crate::bytecode::{BinOp as Op, Instr, Kind, Reg};

impl<'a> Compiler<'a> {
    /// Statements in the current scope, values discarded.
    pub(crate) fn block_stmts(&mut self, stmts: &'a [Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    /// A block in a new scope whose value (its last statement's) goes to `dst`.
    pub(crate) fn block_value(&mut self, block: &'a Block, dst: Reg) {
        self.push_scope();
        let mark = self.mark();
        match block.stmts.split_last() {
            Some((last, init)) => {
                for stmt in init {
                    self.stmt(stmt);
                }
                self.stmt_value(last, dst);
            }
            None => {
                self.emit(Instr::LoadNull(dst));
            }
        }
        self.release(mark);
        self.pop_scope();
    }

    /// A statement whose value is wanted (the last one of a block).
    fn stmt_value(&mut self, stmt: &'a Stmt, dst: Reg) {
        match &stmt.kind {
            StmtKind::Expr(expr) => {
                self.set_line(stmt.span);
                self.expr_to(expr, dst);
            }
            _ => {
                self.stmt(stmt);
                self.emit(Instr::LoadNull(dst));
            }
        }
    }

    /// The value of `let x: T = value`: literals take the annotation's shape (`{}` as an empty
    /// set, Int elements of a `list[Float]`), Int widens to Float, and scalar annotations check
    /// dynamic values at run time.
    fn annotated_value(&mut self, ty: &'a TypeExpr, value: &'a Expr, reg: Reg) {
        let (head, args) = match &ty.kind {
            TypeKind::Named { path, args } if path.len() == 1 => (path[0].name.as_str(), args.as_slice()),
            TypeKind::Tuple(types) => {
                // `(Float, Float) = (1, 2)`: each element takes its annotation.
                if let ExprKind::Tuple(items) = &value.kind
                    && items.len() == types.len()
                {
                    let start = self.alloc_n(items.len().max(1));
                    for (i, (t, item)) in types.iter().zip(items).enumerate() {
                        self.annotated_value(t, item, start + i as Reg);
                    }
                    self.emit(Instr::MakeTuple { dst: reg, start, count: items.len() as u16 });
                    return;
                }
                return self.expr_to(value, reg);
            }
            _ => return self.expr_to(value, reg),
        };
        match (head, &value.kind) {
            ("set", ExprKind::Map(entries)) if entries.is_empty() => {
                self.emit(Instr::MakeSet { dst: reg, start: reg, count: 0 });
            }
            ("list" | "set", _) if args.len() == 1 && super::items::is_float_type(&args[0]) => {
                self.expr_to(value, reg);
                self.emit(Instr::WidenElems { reg, only_mixed: false });
            }
            ("Float" | "Int" | "String" | "Bool", _) if args.is_empty() => {
                self.expr_to(value, reg);
                let literal = matches!(
                    (head, &value.kind),
                    ("Int", ExprKind::Int(_)) | ("String", ExprKind::Str(_)) | ("Bool", ExprKind::Bool(_))
                );
                if !literal {
                    let kind = match head {
                        "Float" => Kind::Float,
                        "Int" => Kind::Int,
                        "String" => Kind::String,
                        _ => Kind::Bool,
                    };
                    self.emit(Instr::Convert { dst: reg, src: reg, kind });
                }
            }
            _ => self.expr_to(value, reg),
        }
    }

    pub(crate) fn stmt(&mut self, stmt: &'a Stmt) {
        self.set_line(stmt.span);
        match &stmt.kind {
            StmtKind::Let { mutable, pattern, ty, value } => {
                if let PatternKind::Binding(name) = &pattern.kind
                    && !self.is_unit_variant(&name.name)
                {
                    let reg = self.alloc();
                    match ty {
                        Some(ty) => self.annotated_value(ty, value, reg),
                        None => self.expr_to(value, reg),
                    }
                    self.bind_local(&name.name, reg, *mutable);
                    self.release(reg + 1);
                    return;
                }
                let src = self.alloc();
                self.expr_to(value, src);
                let fail = self.pattern_bind(pattern, src, *mutable);
                if !fail.is_empty() {
                    let ok = self.emit(Instr::Jump(0));
                    for j in fail {
                        self.patch(j);
                    }
                    let msg = self.str_const("let pattern did not match the value");
                    self.emit(Instr::Fail(msg));
                    self.patch(ok);
                }
            }
            StmtKind::Assign { target, value } => self.assign(target, None, value),
            StmtKind::CompoundAssign { target, op, value } => self.assign(target, Some(*op), value),
            StmtKind::Return(value) => {
                let mark = self.mark();
                let r = match value {
                    Some(v) => self.expr_any(v),
                    None => {
                        let r = self.alloc();
                        self.emit(Instr::LoadNull(r));
                        r
                    }
                };
                self.emit_return(r);
                self.release(mark);
            }
            StmtKind::Halt(value) => {
                let mark = self.mark();
                let r = self.expr_any(value);
                self.emit(Instr::Halt(r));
                self.release(mark);
            }
            StmtKind::Break { label, value } => {
                let Some(i) = self.find_loop(label.as_ref().map(|l| l.name.as_str()), stmt) else { return };
                if let Some(v) = value {
                    let result = self.f().loops[i].result;
                    self.expr_to(v, result);
                }
                let depth = self.f().loops[i].scope_depth;
                self.run_defers_above(depth);
                self.close_iterators_from(i);
                let j = self.emit(Instr::Jump(0));
                self.f().loops[i].breaks.push(j);
            }
            StmtKind::Continue { label } => {
                let Some(i) = self.find_loop(label.as_ref().map(|l| l.name.as_str()), stmt) else { return };
                let depth = self.f().loops[i].scope_depth;
                self.run_defers_above(depth);
                let j = self.emit(Instr::Jump(0));
                self.f().loops[i].continues.push(j);
            }
            StmtKind::Emit(value) => {
                let mark = self.mark();
                let r = self.expr_any(value);
                self.emit(Instr::Emit(r));
                self.release(mark);
            }
            StmtKind::Defer(body) => {
                // The block's code sits out of line; `DeferPush` registers it at run time.
                let over = self.emit(Instr::Jump(0));
                let start = self.pc() as u32;
                self.push_scope();
                let mark = self.mark();
                self.block_stmts(&body.stmts);
                self.release(mark);
                self.pop_scope();
                self.emit(Instr::DeferEnd);
                self.patch(over);
                self.emit(Instr::DeferPush(start));
                if let Some(n) = self.f().scope_defers.last_mut() {
                    *n += 1;
                }
            }
            StmtKind::Yield(value) => {
                if !self.f().func.is_generator {
                    self.error(codes::BAD_CONTROL_FLOW, "`yield` outside a generator cell", stmt.span);
                }
                let mark = self.mark();
                let r = self.expr_any(value);
                self.emit(Instr::Yield(r));
                self.release(mark);
            }
            StmtKind::LocalCell(cell) => {
                let reg = self.alloc();
                self.bind_local(&cell.name.name, reg, false);
                self.closure(cell.name.name.as_str(), &cell.params, cell.ret.as_ref(), CellOrLambda::Cell(cell), reg);
            }
            StmtKind::Expr(expr) => {
                if let ExprKind::If { branches, otherwise } = &expr.kind {
                    return self.if_stmt(branches, otherwise.as_ref());
                }
                if let ExprKind::Role(block) = &expr.kind {
                    return self.role_statement(block);
                }
                let mark = self.mark();
                let r = self.alloc();
                self.expr_to(expr, r);
                self.release(mark);
            }
        }
    }

    /// `if` as a statement: like the expression, without computing a value.
    fn if_stmt(&mut self, branches: &'a [lumen_syntax::ast::IfBranch], otherwise: Option<&'a Block>) {
        let mut ends = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            self.push_scope();
            let m = self.mark();
            let fails = self.cond(&branch.cond);
            self.block_unit(&branch.body);
            self.release(m);
            self.pop_scope();
            if i + 1 < branches.len() || otherwise.is_some() {
                ends.push(self.emit(Instr::Jump(0)));
            }
            for j in fails {
                self.patch(j);
            }
        }
        if let Some(block) = otherwise {
            self.block_unit(block);
        }
        for j in ends {
            self.patch(j);
        }
    }

    /// A block in a new scope, its value unused.
    fn block_unit(&mut self, block: &'a Block) {
        self.push_scope();
        let mark = self.mark();
        self.block_stmts(&block.stmts);
        self.release(mark);
        self.pop_scope();
    }

    pub(crate) fn emit_return(&mut self, r: Reg) {
        if self.f().ret_float {
            self.emit(Instr::Convert { dst: r, src: r, kind: Kind::Float });
        }
        self.close_iterators_from(0);
        if self.f().escapes {
            self.emit(Instr::Escape(r));
        }
        self.emit(Instr::Return(r));
    }

    /// Leaving loops `from..` early: close their iterators, innermost first.
    fn close_iterators_from(&mut self, from: usize) {
        let iters: Vec<Reg> = self.f().loops[from..].iter().rev().filter_map(|l| l.iter).collect();
        for it in iters {
            self.emit(Instr::IterClose(it));
        }
    }

    fn find_loop(&mut self, label: Option<&str>, stmt: &Stmt) -> Option<usize> {
        let loops = &self.f().loops;
        let found = match label {
            None => loops.len().checked_sub(1),
            Some(l) => loops.iter().rposition(|lp| lp.label.as_deref() == Some(l)),
        };
        if found.is_none() {
            let msg = match label {
                Some(l) => format!("no enclosing loop labelled `@{l}`"),
                None => "`break` or `continue` outside a loop".to_string(),
            };
            self.error(codes::BAD_CONTROL_FLOW, msg, stmt.span);
        }
        found
    }

    /// Whether a bare name in a pattern is a payload-less variant (not a new binding).
    pub(crate) fn is_unit_variant(&self, name: &str) -> bool {
        match self.globals.get(name) {
            Some(Global::Variant(ty, v)) => self.enums.get(ty).is_some_and(|e| !e.variants[*v as usize].2),
            _ => false,
        }
    }

    /// `target = value` or `target op= value`, with value semantics for nested places.
    /// `reg op= value` for a local variable, with an immediate operand when `value` is a small Int.
    fn compound(&mut self, op: lumen_syntax::ast::BinOp, reg: Reg, value: &'a Expr) {
        use super::expr::{bin_op, imm_operand_op, int_immediate};
        use lumen_syntax::ast::BinOp as B;
        match int_immediate(value) {
            Some(imm) if matches!(op, B::Add | B::Sub) && i16::try_from(imm).is_ok_and(|i| i != i16::MIN) => {
                let imm = if op == B::Add { imm as i16 } else { -(imm as i16) };
                self.emit(Instr::AddImm(reg, reg, imm));
            }
            Some(imm) if imm_operand_op(op) => {
                self.emit(Instr::BinaryImm(bin_op(op), reg, reg, imm));
            }
            _ => {
                let v = self.expr_any(value);
                self.emit(Instr::Binary(bin_op(op), reg, reg, v));
            }
        }
    }

    fn assign(&mut self, target: &'a Expr, op: Option<lumen_syntax::ast::BinOp>, value: &'a Expr) {
        let mark = self.mark();
        // A variable shared with the enclosing cell through a box (inside a `handle` body): assign
        // a copy, then store it back into the box.
        if let Some(root) = assignment_root(target)
            && let Some(VarRef::Capture(i)) = self.resolve_var(&root.name)
            && self.f().boxed.contains(&root.name)
        {
            let tmp = self.alloc();
            self.emit(Instr::LoadCapture(tmp, i));
            self.emit(Instr::Unbox(tmp, tmp));
            self.push_scope();
            self.bind_local(&root.name, tmp, true);
            self.assign(target, op, value);
            self.pop_scope();
            let cell = self.alloc();
            self.emit(Instr::LoadCapture(cell, i));
            self.emit(Instr::BoxSet(cell, tmp));
            self.release(mark);
            return;
        }
        match &target.kind {
            ExprKind::Ident(name) => {
                let Some(reg) = self.mutable_local(name) else {
                    self.release(mark);
                    return;
                };
                if op.is_none() && self.is_append_to(value, &name.name) {
                    // `xs = append(xs, v)` pushes in place.
                    if let ExprKind::Call { args, .. } = &value.kind {
                        let v = self.expr_any(&args[1].value);
                        self.emit(Instr::ListPush(reg, v));
                    }
                } else if op.is_none() && writes_destination_last(value) {
                    // The value's last instruction writes the variable itself: no copy.
                    self.expr_to(value, reg);
                } else {
                    match op {
                        None => {
                            let v = self.expr_any(value);
                            self.emit(Instr::Move(reg, v));
                        }
                        Some(op) => self.compound(op, reg, value),
                    };
                }
            }
            ExprKind::Field { .. } | ExprKind::Index { .. } => {
                // Collect the path from the root variable.
                let mut path: Vec<&'a Expr> = Vec::new();
                let mut cur = target;
                while let ExprKind::Field { target: inner, .. } | ExprKind::Index { target: inner, .. } = &cur.kind {
                    path.push(cur);
                    cur = inner;
                }
                let ExprKind::Ident(root) = &cur.kind else {
                    self.error(codes::UNSUPPORTED, "invalid assignment target", target.span);
                    self.release(mark);
                    return;
                };
                let Some(root_reg) = self.mutable_local(root) else {
                    self.release(mark);
                    return;
                };
                path.reverse();
                // Load each container along the path, set the innermost, then write back.
                let mut containers = vec![root_reg];
                let mut keys = Vec::new();
                for step in &path {
                    let key = self.place_key(step);
                    keys.push(key);
                }
                for (i, key) in keys.iter().enumerate().take(keys.len() - 1) {
                    let next = self.alloc();
                    self.load_place(next, containers[i], key);
                    containers.push(next);
                }
                let last = keys.len() - 1;
                let v = match op {
                    None => self.expr_any(value),
                    Some(op) => {
                        let old = self.alloc();
                        self.load_place(old, containers[last], &keys[last]);
                        let rhs = self.expr_any(value);
                        self.emit(Instr::Binary(super::expr::bin_op(op), old, old, rhs));
                        old
                    }
                };
                self.store_place(containers[last], &keys[last], v);
                for i in (0..last).rev() {
                    self.store_place(containers[i], &keys[i], containers[i + 1]);
                }
            }
            _ => self.error(codes::UNSUPPORTED, "invalid assignment target", target.span),
        }
        self.release(mark);
    }

    fn is_append_to(&self, value: &Expr, var: &str) -> bool {
        if let ExprKind::Call { callee, args } = &value.kind
            && let ExprKind::Ident(f) = &callee.kind
            && (f.name == "append" || f.name == "push")
            && !self.globals.contains_key(&f.name)
            && args.len() == 2
            && args.iter().all(|a| a.name.is_none() && !a.spread)
            && matches!(&args[0].value.kind, ExprKind::Ident(x) if x.name == var)
        {
            return true;
        }
        false
    }

    /// The register of a `let mut` local, or an error naming the variable.
    fn mutable_local(&mut self, name: &lumen_syntax::ast::Ident) -> Option<Reg> {
        match self.resolve_var(&name.name) {
            Some(VarRef::Local(reg, true)) => Some(reg),
            Some(VarRef::Local(_, false)) => {
                self.pending.push(
                    lumen_syntax::Diagnostic::error(
                        codes::ASSIGN_IMMUTABLE,
                        format!("cannot assign twice to immutable variable `{}`", name.name),
                        name.span,
                    )
                    .with_label("assignment to an immutable binding")
                    .with_help(format!("declare it with `let mut {}` to allow assignment", name.name)),
                );
                None
            }
            Some(_) => {
                self.error(
                    codes::ASSIGN_IMMUTABLE,
                    format!("cannot assign to captured variable `{}`", name.name),
                    name.span,
                );
                None
            }
            None => {
                if self.globals.contains_key(&name.name) {
                    self.error(
                        codes::ASSIGN_IMMUTABLE,
                        format!("cannot assign to `{}`: it is not a variable", name.name),
                        name.span,
                    );
                } else {
                    self.undefined(name, "variable");
                }
                None
            }
        }
    }

    // ----- loops -----

    /// `loop`, `while` and `for` as expressions (value: the `break` value, else null).
    pub(crate) fn loop_expr(&mut self, expr: &'a Expr, dst: Reg) {
        self.emit(Instr::LoadNull(dst));
        let mark = self.mark();
        match &expr.kind {
            ExprKind::Loop { label, body } => {
                let top = self.pc();
                self.push_loop(label, dst);
                self.loop_body(body);
                let ctx = self.pop_loop();
                self.patch_continues(&ctx, top);
                self.emit_loop(top);
                self.patch_breaks(&ctx);
            }
            ExprKind::While { label, cond, body } => {
                let top = self.pc();
                self.push_scope();
                let exits = self.cond(cond);
                self.push_loop(label, dst);
                self.loop_body(body);
                let ctx = self.pop_loop();
                self.pop_scope();
                self.patch_continues(&ctx, top);
                self.emit_loop(top);
                for j in exits {
                    self.patch(j);
                }
                self.patch_breaks(&ctx);
            }
            ExprKind::For { label, pattern, iter, filter, body } => {
                let counter = match &pattern.kind {
                    PatternKind::Binding(name) => Some(Some(name)),
                    PatternKind::Wildcard => Some(None),
                    _ => None,
                };
                if let ExprKind::Range { start, end, inclusive, step: None } = &iter.kind
                    && let Some(name) = counter
                {
                    self.for_range(label, name, start, end, *inclusive, filter.as_deref(), body, dst);
                } else {
                    let src = self.expr_any(iter);
                    let it = self.alloc();
                    self.emit(Instr::IterInit { dst: it, src });
                    let elem = self.alloc();
                    let top = self.pc();
                    let next = self.emit(Instr::IterNext { dst: elem, iter: it, exit: 0 });
                    self.push_scope();
                    let inner = self.mark();
                    let fails = self.loop_bind(pattern, elem);
                    self.push_loop(label, dst);
                    self.f().loops.last_mut().expect("loop").iter = Some(it);
                    let mut skips = fails;
                    if let Some(filter) = filter {
                        let c = self.expr_any(filter);
                        skips.push(self.emit(Instr::JumpIfFalse(c, 0)));
                    }
                    self.loop_body(body);
                    let ctx = self.pop_loop();
                    self.release(inner);
                    self.pop_scope();
                    for j in skips {
                        self.patch_to(j, top);
                    }
                    self.patch_continues(&ctx, top);
                    self.emit_loop(top);
                    self.patch(next);
                    self.patch_breaks(&ctx);
                }
            }
            _ => {}
        }
        self.release(mark);
    }

    #[allow(clippy::too_many_arguments)]
    fn for_range(
        &mut self,
        label: &Option<lumen_syntax::ast::Ident>,
        name: Option<&lumen_syntax::ast::Ident>,
        start: &'a Expr,
        end: &'a Expr,
        inclusive: bool,
        filter: Option<&'a Expr>,
        body: &'a Block,
        dst: Reg,
    ) {
        let i = self.alloc();
        self.expr_to(start, i);
        self.emit(Instr::Convert { dst: i, src: i, kind: Kind::Int });
        let limit = self.alloc();
        self.expr_to(end, limit);
        self.emit(Instr::Convert { dst: limit, src: limit, kind: Kind::Int });
        // The test is made once before the loop and again by the step at the bottom, so an
        // iteration costs one jump. The loop variable is immutable: it names the counter itself.
        let exit = self.emit(Instr::JumpIfNot(if inclusive { Op::Le } else { Op::Lt }, i, limit, 0));
        let top = self.pc();
        self.push_scope();
        let inner = self.mark();
        if let Some(name) = name {
            self.bind_local(&name.name, i, false);
        }
        self.push_loop(label, dst);
        let mut skips = Vec::new();
        if let Some(filter) = filter {
            let c = self.expr_any(filter);
            skips.push(self.emit(Instr::JumpIfFalse(c, 0)));
        }
        self.loop_body(body);
        let ctx = self.pop_loop();
        self.release(inner);
        self.pop_scope();
        let step = self.pc();
        for j in skips {
            self.patch_to(j, step);
        }
        self.patch_continues(&ctx, step);
        // The inclusive step tests `i < limit` before adding, so a limit of the largest Int
        // cannot overflow the counter.
        let at = self.emit(if inclusive { Instr::ForLoopInclusive(i, limit, 0) } else { Instr::ForLoop(i, limit, 0) });
        self.patch_to(at, top);
        self.patch(exit);
        self.patch_breaks(&ctx);
    }

    fn loop_body(&mut self, body: &'a Block) {
        self.push_scope();
        let mark = self.mark();
        self.block_stmts(&body.stmts);
        self.release(mark);
        self.pop_scope();
    }

    fn push_loop(&mut self, label: &Option<lumen_syntax::ast::Ident>, result: Reg) {
        let scope_depth = self.scope_depth();
        self.f().loops.push(LoopCtx {
            label: label.as_ref().map(|l| l.name.clone()),
            breaks: Vec::new(),
            continues: Vec::new(),
            result,
            scope_depth,
            iter: None,
        });
    }

    fn pop_loop(&mut self) -> LoopCtx {
        self.f().loops.pop().unwrap_or(LoopCtx {
            label: None,
            breaks: Vec::new(),
            continues: Vec::new(),
            result: 0,
            scope_depth: 0,
            iter: None,
        })
    }

    fn patch_continues(&mut self, ctx: &LoopCtx, target: usize) {
        for &j in &ctx.continues {
            self.patch_to(j, target);
        }
    }

    fn patch_breaks(&mut self, ctx: &LoopCtx) {
        for &j in &ctx.breaks {
            self.patch(j);
        }
    }

    /// Evaluates `e` and jumps (to be patched) when it is false; comparisons branch directly.
    pub(crate) fn jump_unless(&mut self, e: &'a Expr) -> usize {
        if let ExprKind::Binary { op, lhs, rhs } = &e.kind
            && op.is_comparison()
        {
            let a = self.expr_any(lhs);
            if let ExprKind::Int(v) = &rhs.kind
                && let Ok(imm) = i16::try_from(*v)
            {
                return self.emit(Instr::JumpIfNotImm(super::expr::bin_op(*op), a, imm, 0));
            }
            let b = self.expr_any(rhs);
            return self.emit(Instr::JumpIfNot(super::expr::bin_op(*op), a, b, 0));
        }
        let r = self.expr_any(e);
        self.emit(Instr::JumpIfFalse(r, 0))
    }

    /// Compiles an `if`/`while` condition; returns the jumps taken when it does not hold.
    /// A `let` condition binds its pattern's names in the current scope.
    pub(crate) fn cond(&mut self, cond: &'a Cond) -> Vec<usize> {
        match cond {
            Cond::Expr(e) => vec![self.jump_unless(e)],
            Cond::Let { pattern, value } => {
                let src = self.alloc();
                self.expr_to(value, src);
                self.pattern_bind(pattern, src, false)
            }
        }
    }
}

pub(crate) enum CellOrLambda<'a> {
    Cell(&'a lumen_syntax::ast::CellDecl),
    Lambda(&'a lumen_syntax::ast::LambdaBody),
    /// A handler clause: returns its block value.
    Block(&'a Block),
    /// A `handle` body: returns its block value; a `return` in it returns from the enclosing
    /// cell (the value travels out wrapped as an escape).
    HandleBody(&'a Block),
}

/// One step of an assignment path: `.name` or `[index]`.
pub(crate) enum PlaceKey {
    Field(u32),
    Index(Reg),
}

impl<'a> Compiler<'a> {
    fn place_key(&mut self, step: &'a Expr) -> PlaceKey {
        match &step.kind {
            ExprKind::Field { name, .. } => PlaceKey::Field(self.str_const(&name.name)),
            ExprKind::Index { index, .. } => PlaceKey::Index(self.expr_any(index)),
            _ => PlaceKey::Field(0),
        }
    }

    fn load_place(&mut self, dst: Reg, obj: Reg, key: &PlaceKey) {
        match key {
            PlaceKey::Field(name) => self.emit(Instr::GetField { dst, obj, name: *name }),
            PlaceKey::Index(index) => self.emit(Instr::GetIndex { dst, obj, index: *index }),
        };
    }

    fn store_place(&mut self, obj: Reg, key: &PlaceKey, src: Reg) {
        match key {
            PlaceKey::Field(name) => self.emit(Instr::SetField { obj, name: *name, src }),
            PlaceKey::Index(index) => self.emit(Instr::SetIndex { obj, index: *index, src }),
        };
    }
}

/// The variable an assignment target starts from (`x`, `x.f`, `x[i].g`).
/// Whether compiling `e` into a register writes that register only with its last instruction,
/// after every operand is read; then `x = e` can target `x` directly even when `e` reads `x`.
fn writes_destination_last(e: &Expr) -> bool {
    use lumen_syntax::ast::BinOp as B;
    match &e.kind {
        ExprKind::Binary { op, .. } => !matches!(op, B::And | B::Or | B::Coalesce | B::Pipe | B::Compose),
        ExprKind::Paren(inner) => writes_destination_last(inner),
        _ => false,
    }
}

fn assignment_root(target: &Expr) -> Option<&lumen_syntax::ast::Ident> {
    match &target.kind {
        ExprKind::Ident(name) => Some(name),
        ExprKind::Field { target, .. } | ExprKind::Index { target, .. } => assignment_root(target),
        _ => None,
    }
}
