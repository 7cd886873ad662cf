//! Expressions.

use lumen_syntax::ast::{self, CompClause, Element, Expr, ExprKind, MapEntry, StrSegment, UnaryOp};

use super::stmt::CellOrLambda;
use super::{CaptureSource, Compiler, Global, VarRef, codes};
use crate::bytecode::{BinOp as Op, Const, Instr, Reg, UnOp};

pub(crate) fn bin_op(op: ast::BinOp) -> Op {
    use ast::BinOp as B;
    match op {
        B::Add => Op::Add,
        B::Sub => Op::Sub,
        B::Mul => Op::Mul,
        B::Div => Op::Div,
        B::FloorDiv => Op::FloorDiv,
        B::Mod => Op::Mod,
        B::Pow => Op::Pow,
        B::Eq => Op::Eq,
        B::Ne => Op::Ne,
        B::Lt => Op::Lt,
        B::Le => Op::Le,
        B::Gt => Op::Gt,
        B::Ge => Op::Ge,
        B::BitAnd => Op::BitAnd,
        B::BitOr => Op::BitOr,
        B::BitXor => Op::BitXor,
        B::Shl => Op::Shl,
        B::Shr => Op::Shr,
        B::Concat => Op::Concat,
        B::In => Op::In,
        // Handled before lowering to a plain binary instruction.
        B::And | B::Or | B::Pipe | B::Compose | B::Coalesce => Op::Eq,
    }
}

/// An Int literal that fits an instruction's immediate operand.
pub(crate) fn int_immediate(e: &Expr) -> Option<i32> {
    match &e.kind {
        ExprKind::Int(v) => i32::try_from(*v).ok(),
        ExprKind::Paren(inner) => int_immediate(inner),
        _ => None,
    }
}

/// Operators compiled to `BinaryImm` when the right operand is a small Int literal (`&&`-like
/// and other operators with their own lowering are not among them).
pub(crate) fn imm_operand_op(op: ast::BinOp) -> bool {
    use ast::BinOp as B;
    matches!(
        op,
        B::Add
            | B::Sub
            | B::Mul
            | B::Div
            | B::FloorDiv
            | B::Mod
            | B::Pow
            | B::Eq
            | B::Ne
            | B::Lt
            | B::Le
            | B::Gt
            | B::Ge
            | B::BitAnd
            | B::BitOr
            | B::BitXor
            | B::Shl
            | B::Shr
    )
}

/// Predeclared constants (LANGUAGE.md 6.5).
fn predeclared(name: &str) -> Option<Const> {
    Some(match name {
        "PI" => Const::Float(std::f64::consts::PI),
        "E" => Const::Float(std::f64::consts::E),
        "TAU" => Const::Float(std::f64::consts::TAU),
        "INFINITY" => Const::Float(f64::INFINITY),
        "NAN" => Const::Float(f64::NAN),
        "MAX_INT" => Const::Int(i64::MAX),
        "MIN_INT" => Const::Int(i64::MIN),
        _ => return None,
    })
}

impl<'a> Compiler<'a> {
    /// Some register holding the value of `e` (a local's own register when `e` is a local).
    pub(crate) fn expr_any(&mut self, e: &'a Expr) -> Reg {
        let local = match &e.kind {
            ExprKind::Ident(name) => Some(name.name.as_str()),
            ExprKind::SelfValue => Some("self"),
            _ => None,
        };
        if let Some(name) = local
            && let Some(VarRef::Local(reg, _)) = self.resolve_var(name)
        {
            return reg;
        }
        let r = self.alloc();
        self.expr_to(e, r);
        r
    }

    pub(crate) fn load_int(&mut self, dst: Reg, v: i64) {
        match i32::try_from(v) {
            Ok(small) => self.emit(Instr::LoadInt(dst, small)),
            Err(_) => {
                let c = self.constant(Const::Int(v));
                self.emit(Instr::LoadConst(dst, c))
            }
        };
    }

    /// Evaluates `e` into `dst`.
    pub(crate) fn expr_to(&mut self, e: &'a Expr, dst: Reg) {
        let as_link = std::mem::take(&mut self.chain_link);
        if !as_link && chain_has_safe_link(e) {
            return self.chain_root(e, dst);
        }
        let mark = self.mark();
        match &e.kind {
            ExprKind::Int(v) => self.load_int(dst, *v),
            ExprKind::Float(f) => {
                let c = self.constant(Const::Float(*f));
                self.emit(Instr::LoadConst(dst, c));
            }
            ExprKind::Str(segments) => self.string(segments, dst),
            ExprKind::Bytes(b) => {
                let c = self.constant(Const::Bytes(b.clone()));
                self.emit(Instr::LoadConst(dst, c));
            }
            ExprKind::Bool(b) => {
                self.emit(Instr::LoadBool(dst, *b));
            }
            ExprKind::Null | ExprKind::Error => {
                self.emit(Instr::LoadNull(dst));
            }
            ExprKind::Ident(name) => self.name(name, dst),
            ExprKind::SelfValue => {
                let ident = ast::Ident { name: "self".into(), span: e.span };
                self.name(&ident, dst);
            }
            ExprKind::Paren(inner) => self.expr_to(inner, dst),
            ExprKind::Tuple(items) => {
                let start = self.alloc_n(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.expr_to(item, start + i as Reg);
                }
                self.emit(Instr::MakeTuple { dst, start, count: items.len() as u16 });
            }
            ExprKind::List(elems) => self.sequence(elems, dst, false),
            ExprKind::Set(elems) => self.sequence(elems, dst, true),
            ExprKind::Map(entries) => self.map_literal(entries, dst),
            ExprKind::ListComp { element, clauses } => {
                self.emit(Instr::MakeList { dst, start: dst, count: 0 });
                self.comprehension(clauses, &mut |c| {
                    let v = c.expr_any(element);
                    c.emit(Instr::ListPush(dst, v));
                });
            }
            ExprKind::SetComp { element, clauses } => {
                self.emit(Instr::MakeSet { dst, start: dst, count: 0 });
                self.comprehension(clauses, &mut |c| {
                    let v = c.expr_any(element);
                    c.emit(Instr::SetAdd(dst, v));
                });
            }
            ExprKind::MapComp { key, value, clauses } => {
                self.emit(Instr::MakeMap { dst, start: dst, count: 0 });
                self.comprehension(clauses, &mut |c| {
                    let k = c.expr_any(key);
                    let v = c.expr_any(value);
                    c.emit(Instr::MapInsert(dst, k, v));
                });
            }
            ExprKind::Unary { op, operand } => {
                // Fold negative literals.
                if *op == UnaryOp::Neg {
                    match &operand.kind {
                        ExprKind::Int(v) => {
                            self.load_int(dst, v.wrapping_neg());
                            self.release(mark);
                            return;
                        }
                        ExprKind::Float(f) => {
                            let c = self.constant(Const::Float(-f));
                            self.emit(Instr::LoadConst(dst, c));
                            self.release(mark);
                            return;
                        }
                        _ => {}
                    }
                }
                let r = self.expr_any(operand);
                let op = match op {
                    UnaryOp::Neg => UnOp::Neg,
                    UnaryOp::BitNot => UnOp::BitNot,
                    UnaryOp::Not => UnOp::Not,
                };
                self.emit(Instr::Unary(op, dst, r));
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, dst),
            ExprKind::CompareChain { operands, ops } => {
                let mut exits = Vec::new();
                let mut prev = self.expr_any(&operands[0]);
                for (i, op) in ops.iter().enumerate() {
                    let next = self.expr_any(&operands[i + 1]);
                    self.emit(Instr::Binary(bin_op(*op), dst, prev, next));
                    if i + 1 < ops.len() {
                        exits.push(self.emit(Instr::JumpIfFalse(dst, 0)));
                    }
                    prev = next;
                }
                for j in exits {
                    self.patch(j);
                }
            }
            ExprKind::Is { expr, ty } => {
                let r = self.expr_any(expr);
                let kind = self.kind_of_type(ty);
                self.emit(Instr::IsKind { dst, src: r, kind });
            }
            ExprKind::As { expr, ty } => {
                let r = self.expr_any(expr);
                let kind = self.kind_of_type(ty);
                self.emit(Instr::Cast { dst, src: r, kind });
            }
            ExprKind::Range { start, end, inclusive, step } => {
                let s = self.expr_any(start);
                let en = self.expr_any(end);
                let st = match step {
                    Some(step) => self.expr_any(step),
                    None => {
                        let r = self.alloc();
                        self.emit(Instr::LoadInt(r, 1));
                        r
                    }
                };
                self.emit(Instr::MakeRange {
                    dst,
                    start: s,
                    end: en,
                    step: st,
                    inclusive: *inclusive,
                    has_step: step.is_some(),
                });
            }
            ExprKind::Call { callee, args } => self.call(callee, args, dst, e.span),
            ExprKind::Field { target, name, safe } => self.field(target, name, *safe, dst),
            ExprKind::TupleIndex { target, index, .. } => {
                let r = self.link_target(target);
                self.emit(Instr::TupleGet { dst, obj: r, index: (*index).min(u16::MAX as u32) as u16 });
            }
            ExprKind::Index { target, index, safe } => {
                let obj = self.link_target(target);
                if *safe {
                    let j = self.emit(Instr::JumpIfNull(obj, 0));
                    self.chain_jumps.push(j);
                }
                let i = self.expr_any(index);
                self.emit(Instr::GetIndex { dst, obj, index: i });
            }
            ExprKind::Unwrap(inner) => {
                let r = self.expr_any(inner);
                self.emit(Instr::Unwrap(dst, r));
            }
            ExprKind::Propagate(inner) => {
                let r = self.expr_any(inner);
                let t = self.alloc();
                self.emit(Instr::IsVariant { dst: t, src: r, ty: crate::program::RESULT_TYPE, variant: 1 });
                let ok = self.emit(Instr::JumpIfFalse(t, 0));
                self.emit_return(r);
                self.patch(ok);
                self.emit(Instr::GetPayload { dst, src: r, index: 0 });
            }
            ExprKind::Try { expr, binding, fallback } => {
                self.try_expr(expr, binding.as_ref(), fallback.as_deref(), dst)
            }
            ExprKind::Lambda(lambda) => {
                self.closure("", &lambda.params, lambda.ret.as_ref(), CellOrLambda::Lambda(&lambda.body), dst);
            }
            ExprKind::IfThen { cond, then, otherwise } => {
                let jf = self.jump_unless(cond);
                self.expr_to(then, dst);
                let end = self.emit(Instr::Jump(0));
                self.patch(jf);
                self.expr_to(otherwise, dst);
                self.patch(end);
            }
            ExprKind::If { branches, otherwise } => {
                let mut ends = Vec::new();
                for branch in branches {
                    self.push_scope();
                    let m = self.mark();
                    let fails = self.cond(&branch.cond);
                    self.block_value(&branch.body, dst);
                    self.release(m);
                    self.pop_scope();
                    ends.push(self.emit(Instr::Jump(0)));
                    for j in fails {
                        self.patch(j);
                    }
                }
                match otherwise {
                    Some(block) => self.block_value(block, dst),
                    None => {
                        self.emit(Instr::LoadNull(dst));
                    }
                }
                for j in ends {
                    self.patch(j);
                }
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, dst),
            ExprKind::When { arms } => {
                let mut ends = Vec::new();
                let mut has_default = false;
                for arm in arms {
                    match &arm.cond {
                        Some(cond) => {
                            let jf = self.jump_unless(cond);
                            self.block_value(&arm.body, dst);
                            ends.push(self.emit(Instr::Jump(0)));
                            self.patch(jf);
                        }
                        None => {
                            self.block_value(&arm.body, dst);
                            ends.push(self.emit(Instr::Jump(0)));
                            has_default = true;
                            break;
                        }
                    }
                }
                if !has_default {
                    self.emit(Instr::LoadNull(dst));
                }
                for j in ends {
                    self.patch(j);
                }
            }
            ExprKind::Do(block) | ExprKind::Comptime(block) => self.block_value(block, dst),
            ExprKind::Loop { .. } | ExprKind::While { .. } | ExprKind::For { .. } => self.loop_expr(e, dst),
            ExprKind::Perform { effect, op, args } => {
                let start = self.alloc_n(args.len());
                for (i, arg) in args.iter().enumerate() {
                    self.expr_to(&arg.value, start + i as Reg);
                }
                let effect = self.str_const(&effect.name);
                let op = self.str_const(&op.name);
                self.emit(Instr::Perform { dst, effect, op, args: start, argc: args.len() as u16 });
            }
            ExprKind::Handle { body, clauses } => self.handle(body, clauses, dst),
            ExprKind::Resume(value) => {
                let v = match value {
                    Some(v) => self.expr_any(v),
                    None => {
                        let r = self.alloc();
                        self.emit(Instr::LoadNull(r));
                        r
                    }
                };
                self.emit(Instr::Resume { dst, src: v });
            }
            ExprKind::Await(inner) => {
                let r = self.expr_any(inner);
                self.emit(Instr::Await { dst, src: r });
            }
            ExprKind::AwaitFor { pattern, iter, body } => {
                // Each branch's value (a future, usually) is collected, then all are awaited.
                let list = self.alloc();
                self.emit(Instr::MakeList { dst: list, start: list, count: 0 });
                let src = self.expr_any(iter);
                let it = self.alloc();
                self.emit(Instr::IterInit { dst: it, src });
                let elem = self.alloc();
                let top = self.pc();
                let next = self.emit(Instr::IterNext { dst: elem, iter: it, exit: 0 });
                self.push_scope();
                let fails = self.loop_bind(pattern, elem);
                let v = self.expr_any(body);
                self.emit(Instr::ListPush(list, v));
                self.pop_scope();
                for j in fails {
                    self.patch_to(j, top);
                }
                self.emit_loop(top);
                self.patch(next);
                self.emit(Instr::Await { dst, src: list });
            }
            ExprKind::AwaitBlock { kind, branches } => self.await_block(*kind, branches, dst),
            ExprKind::MacroCall { name, args } => self.macro_call(name, args, dst, e.span),
            ExprKind::ExpectSchema { expr, ty } => self.expect_schema(expr, ty, dst),
            ExprKind::Role(block) => self.role_message(block, dst),
        }
        self.release(mark);
    }

    /// `await parallel/race/vote/select` blocks: the branches' values are awaited together, then
    /// combined (race and select take the first branch that completes, in branch order).
    fn await_block(&mut self, kind: ast::AwaitKind, branches: &'a [ast::AwaitBranch], dst: Reg) {
        let start = self.alloc_n(branches.len());
        for (i, branch) in branches.iter().enumerate() {
            self.expr_to(&branch.expr, start + i as Reg);
        }
        let tuple = self.alloc();
        self.emit(Instr::MakeTuple { dst: tuple, start, count: branches.len() as u16 });
        if matches!(kind, ast::AwaitKind::Race | ast::AwaitKind::Select) {
            self.emit(Instr::AwaitFirst { dst, src: tuple, non_null: kind == ast::AwaitKind::Select });
            return;
        }
        let done = self.alloc();
        self.emit(Instr::Await { dst: done, src: tuple });
        let combine = match kind {
            ast::AwaitKind::Parallel => None,
            ast::AwaitKind::Race | ast::AwaitKind::Select => None,
            ast::AwaitKind::Vote => Some("__await_vote"),
        };
        match combine.and_then(|name| self.globals.get(name).cloned()) {
            Some(Global::Cell(f)) => {
                self.emit(Instr::CallDirect { dst, func: f, args: done, argc: 1 });
            }
            _ => {
                self.emit(Instr::Move(dst, done));
            }
        }
        if kind == ast::AwaitKind::Parallel {
            for (i, branch) in branches.iter().enumerate() {
                if let Some(name) = &branch.name {
                    let r = self.declare_local(&name.name, false);
                    self.emit(Instr::TupleGet { dst: r, obj: done, index: i as u16 });
                }
            }
        }
    }

    /// Code that fails with `message` when reached (features of the language not built yet).
    pub(crate) fn not_yet(&mut self, dst: Reg, message: &str) {
        let msg = self.str_const(message);
        self.emit(Instr::Fail(msg));
        self.emit(Instr::LoadNull(dst));
    }

    /// `name!(args)`: the macro body, inline, with each parameter bound to its argument's value
    /// (each argument evaluated once); names declared in the body stay inside the expansion.
    fn macro_call(&mut self, name: &ast::Ident, args: &'a [Expr], dst: Reg, span: lumen_syntax::Span) {
        let Some(decl) = self.macros.get(&name.name).copied() else {
            self.undefined(name, "macro");
            return;
        };
        if decl.params.len() != args.len() {
            self.error(
                codes::BAD_ARGUMENTS,
                format!("macro `{}!` takes {} arguments, got {}", name.name, decl.params.len(), args.len()),
                span,
            );
            return;
        }
        if self.macro_depth > 32 {
            self.error(codes::BAD_ARGUMENTS, format!("macro `{}!` expands recursively", name.name), span);
            return;
        }
        self.macro_depth += 1;
        self.push_scope();
        for (param, arg) in decl.params.iter().zip(args) {
            let r = self.alloc();
            self.expr_to(arg, r);
            self.bind_local(&param.name, r, false);
        }
        self.block_value(&decl.body, dst);
        self.pop_scope();
        self.macro_depth -= 1;
    }

    /// `handle body with clauses end`: the body and each clause become closures.
    fn handle(&mut self, body: &'a ast::Block, clauses: &'a [ast::HandleClause], dst: Reg) {
        // The body runs as a closure; the cell's mutable variables it mentions are shared with
        // it through boxes (shadowing them while it compiles) and copied back when it completes.
        let shared = self.shared_with_handle_body(body);
        let boxes_before = self.f().box_regs.len();
        self.push_scope();
        let mut copies = Vec::new();
        for (name, local) in shared {
            let cell = self.alloc();
            self.emit(Instr::MakeBox(cell, local));
            self.f().box_regs.push(cell);
            self.bind_local(&name, cell, false);
            copies.push((local, cell));
        }
        let b = self.alloc();
        self.closure("", &[], None, CellOrLambda::HandleBody(body), b);
        self.f().box_regs.truncate(boxes_before);
        self.pop_scope();
        let mut entries: Vec<(String, String, ClauseFn<'a>)> = Vec::new();
        for clause in clauses {
            match &clause.kind {
                ast::HandleClauseKind::Op { effect: Some(effect), op, params, body } => {
                    entries.push((effect.name.clone(), op.name.clone(), ClauseFn::Closure(params, body)));
                }
                ast::HandleClauseKind::Op { effect: None, op, params, body } => {
                    // `Tool(params) => body` intercepts calls of a tool alias (LANGUAGE.md 7.1).
                    if matches!(self.globals.get(&op.name), Some(Global::Tool(_))) {
                        entries.push((TOOL_EFFECT.to_string(), op.name.clone(), ClauseFn::Closure(params, body)));
                    } else {
                        self.error(
                            codes::UNDEFINED_NAME,
                            format!(
                                "`{}` is not a tool alias (write `Effect.op(...)` for an effect operation)",
                                op.name
                            ),
                            op.span,
                        );
                    }
                }
                ast::HandleClauseKind::Handler(name) => match self.handlers.get(&name.name).cloned() {
                    Some(ops) => {
                        for (effect, op, f) in ops {
                            entries.push((effect, op, ClauseFn::Named(f)));
                        }
                    }
                    None => self.undefined(name, "handler"),
                },
            }
        }
        let start = self.alloc_n(entries.len() * 4);
        for (i, (effect, op, f)) in entries.iter().enumerate() {
            let at = start + 4 * i as Reg;
            let e = self.str_const(effect);
            let o = self.str_const(op);
            self.emit(Instr::LoadConst(at, e));
            self.emit(Instr::LoadConst(at + 1, o));
            match f {
                ClauseFn::Closure(params, body) => {
                    // Named after the operation, so stack traces show `at Ask.get (...)`.
                    self.closure(&format!("{effect}.{op}"), params, None, CellOrLambda::Block(body), at + 2);
                    self.emit(Instr::LoadBool(at + 3, false));
                }
                ClauseFn::Named(func) => {
                    self.emit(Instr::LoadFunc(at + 2, *func));
                    self.emit(Instr::LoadBool(at + 3, true));
                }
            }
        }
        self.emit(Instr::Handle { dst, body: b, clauses: start, count: entries.len() as u16 });
        for (local, cell) in copies {
            self.emit(Instr::Unbox(local, cell));
        }
        // A `return` inside the body arrives as an escape: return it from this cell.
        let normal = self.emit(Instr::JumpIfNotEscape(dst, 0));
        self.emit_return(dst);
        self.patch(normal);
    }

    /// The cell's mutable locals whose names appear in a `handle` body (an over-approximation of
    /// those it assigns: sharing one it only reads is harmless).
    fn shared_with_handle_body(&mut self, body: &'a ast::Block) -> Vec<(String, Reg)> {
        let text = self.source_text(body.span);
        let mut out: Vec<(String, Reg)> = Vec::new();
        let scopes = &self.f().scopes;
        for scope in scopes.iter().rev() {
            for local in scope.iter().rev() {
                if !local.mutable || out.iter().any(|(n, _)| *n == local.name) || local.name.starts_with('<') {
                    continue;
                }
                if mentions(text, &local.name) {
                    out.push((local.name.clone(), local.reg));
                }
            }
        }
        out
    }

    pub(crate) fn string(&mut self, segments: &'a [StrSegment], dst: Reg) {
        match segments {
            [] => {
                let c = self.str_const("");
                self.emit(Instr::LoadConst(dst, c));
            }
            [StrSegment::Text(text)] => {
                let c = self.str_const(text);
                self.emit(Instr::LoadConst(dst, c));
            }
            _ => {
                let start = self.alloc_n(segments.len());
                for (i, seg) in segments.iter().enumerate() {
                    let slot = start + i as Reg;
                    match seg {
                        StrSegment::Text(text) => {
                            let c = self.str_const(text);
                            self.emit(Instr::LoadConst(slot, c));
                        }
                        StrSegment::Interp { expr, spec, .. } => {
                            let m = self.mark();
                            let r = self.expr_any(expr);
                            let spec = match spec {
                                Some(spec) => self.str_const(&spec.text),
                                None => u32::MAX,
                            };
                            self.emit(Instr::Format { dst: slot, src: r, spec });
                            self.release(m);
                        }
                    }
                }
                self.emit(Instr::ConcatStrings { dst, start, count: segments.len() as u16 });
            }
        }
    }

    fn sequence(&mut self, elems: &'a [Element], dst: Reg, is_set: bool) {
        if elems.iter().all(|e| !e.spread) {
            let start = self.alloc_n(elems.len());
            for (i, el) in elems.iter().enumerate() {
                self.expr_to(&el.expr, start + i as Reg);
            }
            let count = elems.len() as u16;
            self.emit(if is_set {
                Instr::MakeSet { dst, start, count }
            } else {
                Instr::MakeList { dst, start, count }
            });
            if !is_set && may_mix_numbers(elems) {
                self.emit(Instr::WidenElems { reg: dst, only_mixed: true });
            }
            return;
        }
        let acc = self.alloc();
        self.emit(if is_set {
            Instr::MakeSet { dst: acc, start: acc, count: 0 }
        } else {
            Instr::MakeList { dst: acc, start: acc, count: 0 }
        });
        for el in elems {
            let m = self.mark();
            let v = self.expr_any(&el.expr);
            self.emit(match (el.spread, is_set) {
                (true, _) => Instr::ListExtend(acc, v),
                (false, true) => Instr::SetAdd(acc, v),
                (false, false) => Instr::ListPush(acc, v),
            });
            self.release(m);
        }
        self.emit(Instr::Move(dst, acc));
    }

    fn map_literal(&mut self, entries: &'a [MapEntry], dst: Reg) {
        if entries.iter().all(|e| matches!(e, MapEntry::Pair { .. })) {
            let start = self.alloc_n(entries.len() * 2);
            for (i, entry) in entries.iter().enumerate() {
                if let MapEntry::Pair { key, value } = entry {
                    self.expr_to(key, start + 2 * i as Reg);
                    self.expr_to(value, start + 2 * i as Reg + 1);
                }
            }
            self.emit(Instr::MakeMap { dst, start, count: entries.len() as u16 });
            return;
        }
        let acc = self.alloc();
        self.emit(Instr::MakeMap { dst: acc, start: acc, count: 0 });
        for entry in entries {
            let m = self.mark();
            match entry {
                MapEntry::Pair { key, value } => {
                    let k = self.expr_any(key);
                    let v = self.expr_any(value);
                    self.emit(Instr::MapInsert(acc, k, v));
                }
                MapEntry::Spread(e) => {
                    let v = self.expr_any(e);
                    self.emit(Instr::MapMerge(acc, v));
                }
            }
            self.release(m);
        }
        self.emit(Instr::Move(dst, acc));
    }

    /// Nested loops for comprehension clauses; `body` runs innermost.
    fn comprehension(&mut self, clauses: &'a [CompClause], body: &mut dyn FnMut(&mut Self)) {
        let Some((first, rest)) = clauses.split_first() else {
            body(self);
            return;
        };
        let mark = self.mark();
        match first {
            CompClause::If(cond) => {
                let c = self.expr_any(cond);
                let jf = self.emit(Instr::JumpIfFalse(c, 0));
                self.comprehension(rest, body);
                self.patch(jf);
            }
            CompClause::For { pattern, iter } => {
                let src = self.expr_any(iter);
                let it = self.alloc();
                self.emit(Instr::IterInit { dst: it, src });
                let elem = self.alloc();
                let top = self.pc();
                let next = self.emit(Instr::IterNext { dst: elem, iter: it, exit: 0 });
                self.push_scope();
                let fails = self.loop_bind(pattern, elem);
                self.comprehension(rest, body);
                self.pop_scope();
                for j in fails {
                    self.patch_to(j, top);
                }
                self.emit_loop(top);
                self.patch(next);
            }
        }
        self.release(mark);
    }

    fn binary(&mut self, op: ast::BinOp, lhs: &'a Expr, rhs: &'a Expr, dst: Reg) {
        use ast::BinOp as B;
        match op {
            B::And | B::Or => {
                self.expr_to(lhs, dst);
                let skip = self.emit(if op == B::And { Instr::JumpIfFalse(dst, 0) } else { Instr::JumpIfTrue(dst, 0) });
                self.expr_to(rhs, dst);
                self.patch(skip);
            }
            B::Coalesce => {
                self.expr_to(lhs, dst);
                let skip = self.emit(Instr::JumpIfNotNull(dst, 0));
                self.expr_to(rhs, dst);
                self.patch(skip);
            }
            B::Pipe => self.pipe(lhs, rhs, dst),
            B::Compose => {
                // `f ~> g` is the prelude's `__compose(f, g)`, a closure calling `g(f(v))`.
                match self.globals.get("__compose").cloned() {
                    Some(Global::Cell(compose)) => {
                        let start = self.alloc_n(2);
                        self.compose_operand(lhs, start);
                        self.compose_operand(rhs, start + 1);
                        self.emit(Instr::CallDirect { dst, func: compose, args: start, argc: 2 });
                    }
                    _ => {
                        let f = self.expr_any(lhs);
                        let g = self.expr_any(rhs);
                        self.emit(Instr::Compose(dst, f, g));
                    }
                }
            }
            B::Add | B::Sub if matches!(&rhs.kind, ExprKind::Int(v) if i16::try_from(*v).is_ok()) => {
                let ExprKind::Int(v) = &rhs.kind else { return };
                let a = self.expr_any(lhs);
                let imm = if op == B::Add { *v as i16 } else { (-*v) as i16 };
                self.emit(Instr::AddImm(dst, a, imm));
            }
            _ => {
                let a = self.expr_any(lhs);
                match int_immediate(rhs) {
                    Some(imm) if imm_operand_op(op) => self.emit(Instr::BinaryImm(bin_op(op), dst, a, imm)),
                    _ => {
                        let b = self.expr_any(rhs);
                        self.emit(Instr::Binary(bin_op(op), dst, a, b))
                    }
                };
            }
        }
    }

    /// An operand of `~>`: a call `h(a)` stands for `fn(v) => h(v, a)` (LANGUAGE.md 3.5.6).
    fn compose_operand(&mut self, e: &'a Expr, dst: Reg) {
        let ExprKind::Call { callee, args } = &e.kind else { return self.expr_to(e, dst) };
        let Some(Global::Cell(insert)) = self.globals.get("__insert_first").cloned() else {
            return self.expr_to(e, dst);
        };
        if args.iter().any(|a| a.name.is_some() || a.spread) {
            return self.expr_to(e, dst);
        }
        let start = self.alloc_n(2);
        self.expr_to(callee, start);
        let values: Vec<&'a Expr> = args.iter().map(|a| &a.value).collect();
        let first = self.alloc_n(values.len().max(1));
        for (i, v) in values.iter().enumerate() {
            self.expr_to(v, first + i as u16);
        }
        self.emit(Instr::MakeList { dst: start + 1, start: first, count: values.len() as u16 });
        self.emit(Instr::CallDirect { dst, func: insert, args: start, argc: 2 });
    }

    fn try_expr(&mut self, expr: &'a Expr, binding: Option<&'a ast::Ident>, fallback: Option<&'a Expr>, dst: Reg) {
        let v = self.alloc();
        self.expr_to(expr, v);
        let t = self.alloc();
        let Some(fallback) = fallback else {
            // `try e` without `else` propagates like `e?`.
            self.emit(Instr::IsVariant { dst: t, src: v, ty: crate::program::RESULT_TYPE, variant: 1 });
            let ok = self.emit(Instr::JumpIfFalse(t, 0));
            self.emit_return(v);
            self.patch(ok);
            self.emit(Instr::GetPayload { dst, src: v, index: 0 });
            return;
        };
        // ok(x) -> x
        self.emit(Instr::IsVariant { dst: t, src: v, ty: crate::program::RESULT_TYPE, variant: 0 });
        let not_ok = self.emit(Instr::JumpIfFalse(t, 0));
        self.emit(Instr::GetPayload { dst, src: v, index: 0 });
        let end1 = self.emit(Instr::Jump(0));
        self.patch(not_ok);
        // err(e) -> fallback with e bound; null -> fallback with null bound; anything else passes.
        self.push_scope();
        let bound = binding.map(|name| self.declare_local(&name.name, false));
        self.emit(Instr::IsVariant { dst: t, src: v, ty: crate::program::RESULT_TYPE, variant: 1 });
        let not_err = self.emit(Instr::JumpIfFalse(t, 0));
        if let Some(e) = bound {
            self.emit(Instr::GetPayload { dst: e, src: v, index: 0 });
        }
        let to_fallback = self.emit(Instr::Jump(0));
        self.patch(not_err);
        let not_null = self.emit(Instr::JumpIfNotNull(v, 0));
        if let Some(e) = bound {
            self.emit(Instr::LoadNull(e));
        }
        self.patch(to_fallback);
        self.expr_to(fallback, dst);
        self.pop_scope();
        let end2 = self.emit(Instr::Jump(0));
        self.patch(not_null);
        self.emit(Instr::Move(dst, v));
        for j in [end1, end2] {
            self.patch(j);
        }
    }

    /// A name in expression position.
    fn name(&mut self, name: &ast::Ident, dst: Reg) {
        match self.resolve_var(&name.name) {
            Some(VarRef::Local(reg, _)) => {
                if reg != dst {
                    self.emit(Instr::Move(dst, reg));
                }
                return;
            }
            Some(VarRef::Capture(i)) => {
                self.emit(Instr::LoadCapture(dst, i));
                if self.f().boxed.contains(&name.name) {
                    self.emit(Instr::Unbox(dst, dst));
                }
                return;
            }
            Some(VarRef::SelfFunc) => {
                self.emit(Instr::LoadSelfFunc(dst));
                return;
            }
            None => {}
        }
        match self.globals.get(&name.name).cloned() {
            Some(Global::Cell(idx)) => {
                self.emit(Instr::LoadFunc(dst, idx));
            }
            Some(Global::Const(slot)) => {
                self.emit(Instr::LoadGlobal(dst, slot));
            }
            Some(Global::Variant(ty, v)) => {
                let has_payload = self.enums.get(&ty).is_some_and(|e| e.variants[v as usize].2);
                if has_payload {
                    self.emit(Instr::LoadVariantFn(dst, ty, v));
                } else {
                    self.emit(Instr::MakeVariant { dst, ty, variant: v, start: dst, count: 0 });
                }
            }
            Some(Global::Record(_)) | Some(Global::Enum(_)) | Some(Global::Process(_)) | Some(Global::Tool(_)) => {
                self.error(codes::UNSUPPORTED, format!("type `{}` cannot be used as a value", name.name), name.span);
            }
            None => {
                if let Some(c) = predeclared(&name.name) {
                    let c = self.constant(c);
                    self.emit(Instr::LoadConst(dst, c));
                } else if let Some(id) = self.builtin_id(&name.name) {
                    self.emit(Instr::LoadBuiltin(dst, id));
                } else {
                    self.undefined(name, "variable");
                }
            }
        }
    }

    /// `target.name` (field, map key, `Enum.Variant`) or `target?.name`.
    fn field(&mut self, target: &'a Expr, name: &'a ast::Ident, safe: bool, dst: Reg) {
        if let ExprKind::Ident(type_name) = &target.kind
            && self.resolve_var(&type_name.name).is_none()
            && let Some(Global::Enum(ty)) = self.globals.get(&type_name.name).cloned()
        {
            let info = self.enums.get(&ty).cloned();
            match info.as_ref().and_then(|e| e.variants.iter().position(|v| v.0 == name.name)) {
                Some(v) => {
                    let has_payload = info.as_ref().is_some_and(|e| e.variants[v].2);
                    if has_payload {
                        self.emit(Instr::LoadVariantFn(dst, ty, v as u16));
                    } else {
                        self.emit(Instr::MakeVariant { dst, ty, variant: v as u16, start: dst, count: 0 });
                    }
                }
                None => match info.and_then(|e| e.assoc.get(&name.name).copied()) {
                    Some(f) => {
                        self.emit(Instr::LoadFunc(dst, f));
                    }
                    None => {
                        self.error(
                            codes::UNKNOWN_FIELD,
                            format!("enum `{}` has no variant `{}`", type_name.name, name.name),
                            name.span,
                        );
                    }
                },
            }
            return;
        }
        let obj = self.link_target(target);
        if safe {
            let j = self.emit(Instr::JumpIfNull(obj, 0));
            self.chain_jumps.push(j);
        }
        let n = self.str_const(&name.name);
        self.emit(Instr::GetField { dst, obj, name: n });
    }

    /// Compiles the operand of a postfix link as part of the same chain.
    pub(crate) fn link_target(&mut self, target: &'a Expr) -> Reg {
        self.chain_link = true;
        let r = self.expr_any(target);
        self.chain_link = false;
        r
    }

    /// The outermost link of a chain with `?.`/`?[`: a `null` at any safe link makes the whole
    /// chain `null`.
    fn chain_root(&mut self, e: &'a Expr, dst: Reg) {
        let outer = std::mem::take(&mut self.chain_jumps);
        self.chain_link = true;
        self.expr_to(e, dst);
        self.chain_link = false;
        let jumps = std::mem::replace(&mut self.chain_jumps, outer);
        let over = self.emit(Instr::Jump(0));
        for j in jumps {
            self.patch(j);
        }
        self.emit(Instr::LoadNull(dst));
        self.patch(over);
    }

    pub(crate) fn builtin_id(&self, name: &str) -> Option<u32> {
        (self.builtin_lookup)(name)
    }

    /// Compiles a lambda or local cell into a closure value in `dst`.
    pub(crate) fn closure(
        &mut self,
        name: &str,
        params: &'a [ast::Param],
        ret: Option<&'a ast::TypeExpr>,
        body: CellOrLambda<'a>,
        dst: Reg,
    ) {
        let names: Vec<String> = params.iter().map(|p| p.name.name.clone()).collect();
        self.begin_fn(if name.is_empty() { "<lambda>" } else { name }, &names, name.is_empty());
        self.f().func.required = super::items::required_params(params);
        if let CellOrLambda::Cell(cell) = &body {
            self.f().func.is_generator = cell.is_generator;
        }
        if !name.is_empty() {
            self.f().self_name = Some(name.to_string());
        }
        self.f().func.variadic = params.iter().position(|p| p.kind == ast::ParamKind::Variadic).map(|i| i as u16);
        self.f().ret_float = ret.is_some_and(super::items::is_float_type);
        self.prologue(params);
        match body {
            CellOrLambda::Cell(cell) => match &cell.body {
                Some(ast::CellBody::Block(block)) => {
                    self.block_stmts(&block.stmts);
                    let r = self.alloc();
                    self.emit(Instr::LoadNull(r));
                    self.emit(Instr::Return(r));
                }
                Some(ast::CellBody::Expr(e)) => {
                    let r = self.expr_any(e);
                    self.emit_return(r);
                }
                None => {
                    let r = self.alloc();
                    self.emit(Instr::LoadNull(r));
                    self.emit(Instr::Return(r));
                }
            },
            CellOrLambda::Lambda(ast::LambdaBody::Expr(e)) => {
                let r = self.expr_any(e);
                self.emit_return(r);
            }
            CellOrLambda::Block(block) | CellOrLambda::HandleBody(block) => {
                self.f().escapes = matches!(body, CellOrLambda::HandleBody(_));
                let r = self.alloc();
                self.block_value(block, r);
                self.emit(Instr::Return(r));
            }
            CellOrLambda::Lambda(ast::LambdaBody::Block(block)) => {
                self.block_stmts(&block.stmts);
                let r = self.alloc();
                self.emit(Instr::LoadNull(r));
                self.emit(Instr::Return(r));
            }
        }
        let (func, captures) = self.end_fn();
        let start = self.alloc_n(captures.len());
        for (i, (_, source)) in captures.iter().enumerate() {
            let slot = start + i as Reg;
            match source {
                CaptureSource::Local(reg) => self.emit(Instr::Move(slot, *reg)),
                CaptureSource::Capture(c) => self.emit(Instr::LoadCapture(slot, *c)),
                CaptureSource::SelfFunc => self.emit(Instr::LoadSelfFunc(slot)),
            };
        }
        self.emit(Instr::MakeClosure { dst, func, start, count: captures.len() as u16 });
    }
}

enum ClauseFn<'a> {
    Closure(&'a [ast::Param], &'a ast::Block),
    Named(u32),
}

/// The effect name under which tool-interception clauses are installed (not a valid identifier,
/// so no user effect can collide with it).
pub const TOOL_EFFECT: &str = "<tool>";

/// Whether a postfix chain ending in `e` has a `?.` or `?[` link.
pub(crate) fn chain_has_safe_link(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field { target, safe, .. } | ExprKind::Index { target, safe, .. } => {
            *safe || chain_has_safe_link(target)
        }
        ExprKind::TupleIndex { target, .. } => chain_has_safe_link(target),
        ExprKind::Call { callee, .. } => chain_has_safe_link(callee),
        _ => false,
    }
}

/// Whether a list literal could hold both Ints and Floats (then its Ints widen, LANGUAGE.md 4.3):
/// not when every element is a literal of one kind.
fn may_mix_numbers(elems: &[Element]) -> bool {
    if elems.len() < 2 {
        return false;
    }
    let literal_kind = |e: &Element| match &e.expr.kind {
        ExprKind::Int(_) => Some(0),
        ExprKind::Float(_) => Some(1),
        ExprKind::Str(_) => Some(2),
        ExprKind::Bool(_) => Some(3),
        _ => None,
    };
    let first = literal_kind(&elems[0]);
    !(first.is_some() && elems.iter().all(|e| literal_kind(e) == first))
}

/// Whether `name` occurs in `text` as a whole identifier.
fn mentions(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}
