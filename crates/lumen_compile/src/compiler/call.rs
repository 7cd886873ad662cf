//! Calls: direct calls of cells (named and default arguments arranged at compile time),
//! record and variant construction, builtins, methods and calls of function values.

use lumen_syntax::Span;
use lumen_syntax::ast::{self, Arg, Expr, ExprKind};

use super::{Compiler, Global, VarRef, codes};
use crate::bytecode::{Instr, Kind, Reg};

impl<'a> Compiler<'a> {
    pub(crate) fn call(&mut self, callee: &'a Expr, args: &'a [Arg], dst: Reg, span: Span) {
        match &callee.kind {
            ExprKind::Ident(name) if self.resolve_var(&name.name).is_none() => {
                if let Some(f) = self.sibling_methods.get(&name.name).copied() {
                    let this = match self.resolve_var("self") {
                        Some(VarRef::Local(r, _)) => r,
                        _ => 0,
                    };
                    self.direct_call_with(f, &name.name, Some(First::Reg(this)), args, dst, span);
                    return;
                }
                match self.globals.get(&name.name).cloned() {
                    Some(Global::Tool(tool)) => self.tool_call(tool, None, args, dst, span),
                    Some(Global::Process(ty)) => {
                        if !args.is_empty() {
                            self.error(codes::BAD_ARGUMENTS, format!("`{}()` takes no arguments", name.name), span);
                        }
                        self.construct_process(ty, dst);
                    }
                    Some(Global::Cell(f)) => self.direct_call(f, &name.name, args, dst, span),
                    Some(Global::Record(ty)) => self.construct_record(ty, args, dst, span),
                    Some(Global::Variant(ty, v)) => self.construct_variant(ty, v, args, dst, span),
                    Some(Global::Const(_)) | Some(Global::Enum(_)) => self.dynamic_call(callee, args, dst),
                    None if name.name == "spawn" && !args.is_empty() && !Self::has_spread(args) => {
                        let (start, argc) = self.positional_args(args, None);
                        self.emit(Instr::Spawn { dst, args: start, argc });
                    }
                    None if name.name == "exit" && args.len() <= 1 && !Self::has_spread(args) => {
                        let code = self.alloc();
                        match args.first() {
                            Some(arg) => self.expr_to(&arg.value, code),
                            None => {
                                self.emit(Instr::LoadInt(code, 0));
                            }
                        }
                        self.emit(Instr::Exit(code));
                        self.emit(Instr::LoadNull(dst));
                    }
                    None => match self.builtin_id(&name.name) {
                        Some(id) => self.builtin_call(id, None, args, dst),
                        None => {
                            self.undefined(name, "cell");
                        }
                    },
                }
            }
            ExprKind::Field { target, name, safe } => {
                // `Enum.Variant(...)` and `Enum.assoc(...)`
                if !safe
                    && let ExprKind::Ident(type_name) = &target.kind
                    && self.resolve_var(&type_name.name).is_none()
                    && let Some(Global::Enum(ty)) = self.globals.get(&type_name.name).cloned()
                {
                    let info = self.enums.get(&ty).cloned();
                    if let Some(v) = info.as_ref().and_then(|e| e.variants.iter().position(|v| v.0 == name.name)) {
                        self.construct_variant(ty, v as u16, args, dst, span);
                        return;
                    }
                    if let Some(f) = info.and_then(|e| e.assoc.get(&name.name).copied()) {
                        self.direct_call(f, &name.name, args, dst, span);
                        return;
                    }
                    self.error(
                        codes::UNKNOWN_FIELD,
                        format!("enum `{}` has no variant or function `{}`", type_name.name, name.name),
                        name.span,
                    );
                    return;
                }
                // `Server.tool(...)` on an MCP tool alias.
                if !safe
                    && let ExprKind::Ident(alias) = &target.kind
                    && self.resolve_var(&alias.name).is_none()
                    && let Some(Global::Tool(tool)) = self.globals.get(&alias.name).cloned()
                {
                    self.tool_call(tool, Some(&name.name), args, dst, span);
                    return;
                }
                self.method_call(target, name, *safe, args, dst);
            }
            _ => self.dynamic_call(callee, args, dst),
        }
    }

    /// Positional argument values in consecutive registers (spreads are not allowed here).
    fn put_first(&mut self, first: First<'a>, dst: Reg) {
        match first {
            First::Expr(e) => self.expr_to(e, dst),
            First::Reg(r) => {
                self.emit(Instr::Move(dst, r));
            }
        }
    }

    fn first_reg(&mut self, first: First<'a>) -> Reg {
        match first {
            First::Expr(e) => self.expr_any(e),
            First::Reg(r) => r,
        }
    }

    fn positional_args(&mut self, args: &'a [Arg], extra_first: Option<First<'a>>) -> (Reg, u16) {
        let n = args.len() + usize::from(extra_first.is_some());
        let start = self.alloc_n(n);
        let mut i = 0;
        if let Some(first) = extra_first {
            self.put_first(first, start);
            i = 1;
        }
        for arg in args {
            self.expr_to(&arg.value, start + i as Reg);
            i += 1;
        }
        (start, n as u16)
    }

    fn has_spread(args: &[Arg]) -> bool {
        args.iter().any(|a| a.spread)
    }

    /// A call of a function value; spreads are expanded at run time.
    fn dynamic_call(&mut self, callee: &'a Expr, args: &'a [Arg], dst: Reg) {
        let f = self.expr_any(callee);
        if Self::has_spread(args) {
            let list = self.spread_list(args, None);
            self.emit(Instr::Call { dst, callee: f, args: list, argc: u16::MAX });
            return;
        }
        let (start, argc) = self.positional_args(args, None);
        self.emit(Instr::Call { dst, callee: f, args: start, argc });
    }

    /// All arguments collected into one list (for calls with `...xs`).
    fn spread_list(&mut self, args: &'a [Arg], first: Option<Reg>) -> Reg {
        let acc = self.alloc();
        self.emit(Instr::MakeList { dst: acc, start: acc, count: 0 });
        if let Some(first) = first {
            self.emit(Instr::ListPush(acc, first));
        }
        for arg in args {
            let m = self.mark();
            let v = self.expr_any(&arg.value);
            self.emit(if arg.spread { Instr::ListExtend(acc, v) } else { Instr::ListPush(acc, v) });
            self.release(m);
        }
        acc
    }

    fn builtin_call(&mut self, id: u32, receiver: Option<First<'a>>, args: &'a [Arg], dst: Reg) {
        if Self::has_spread(args) {
            let first = receiver.map(|r| self.first_reg(r));
            let list = self.spread_list(args, first);
            let f = self.alloc();
            self.emit(Instr::LoadBuiltin(f, id));
            self.emit(Instr::Call { dst, callee: f, args: list, argc: u16::MAX });
            return;
        }
        let (start, argc) = self.positional_args(args, receiver);
        self.emit(Instr::CallBuiltin { dst, id, args: start, argc });
    }

    /// A call of a known cell: arguments are placed by parameter, defaults filled in here.
    pub(crate) fn direct_call(&mut self, func: u32, name: &str, args: &'a [Arg], dst: Reg, span: Span) {
        self.direct_call_with(func, name, None, args, dst, span);
    }

    fn direct_call_with(
        &mut self,
        func: u32,
        name: &str,
        receiver: Option<First<'a>>,
        args: &'a [Arg],
        dst: Reg,
        span: Span,
    ) {
        let Some(sig) = self.sigs.get(&func).cloned() else {
            let f = self.alloc();
            self.emit(Instr::LoadFunc(f, func));
            let (start, argc) = self.positional_args(args, receiver);
            self.emit(Instr::Call { dst, callee: f, args: start, argc });
            return;
        };
        if Self::has_spread(args) {
            let first = receiver.map(|r| self.first_reg(r));
            let list = self.spread_list(args, first);
            let f = self.alloc();
            self.emit(Instr::LoadFunc(f, func));
            self.emit(Instr::Call { dst, callee: f, args: list, argc: u16::MAX });
            return;
        }
        let nparams = sig.params.len();
        let start = self.alloc_n(nparams);
        let mut filled = vec![false; nparams];
        let mut variadic_items: Vec<&'a Expr> = Vec::new();
        let mut next_positional = 0usize;
        let npositional = args.iter().filter(|a| a.name.is_none()).count() + usize::from(receiver.is_some());
        // Arguments are evaluated left to right as written.
        let mut ordered: Vec<(usize, First<'a>, Span)> = Vec::new();
        if let Some(first) = receiver {
            if nparams == 0 {
                self.error(codes::BAD_ARGUMENTS, format!("`{name}` takes no arguments"), span);
                return;
            }
            ordered.push((0, first, span));
            next_positional = 1;
        }
        for arg in args {
            match &arg.name {
                None => {
                    if sig.variadic.is_some_and(|v| next_positional >= v) {
                        variadic_items.push(&arg.value);
                        continue;
                    }
                    if next_positional >= nparams {
                        self.pending.push(
                            lumen_syntax::Diagnostic::error(
                                codes::BAD_ARGUMENTS,
                                format!("too many arguments to `{name}`: expected {nparams}, got {npositional}"),
                                arg.span,
                            )
                            .with_label("extra argument"),
                        );
                        return;
                    }
                    ordered.push((next_positional, First::Expr(&arg.value), arg.span));
                    next_positional += 1;
                }
                Some(n) => match sig.params.iter().position(|p| *p == n.name) {
                    Some(i) => ordered.push((i, First::Expr(&arg.value), arg.span)),
                    None => {
                        self.pending.push(
                            lumen_syntax::Diagnostic::error(
                                codes::BAD_ARGUMENTS,
                                format!("`{name}` has no parameter named `{}`", n.name),
                                n.span,
                            )
                            .with_label("unknown parameter"),
                        );
                        return;
                    }
                },
            }
        }
        for (i, value, arg_span) in ordered {
            if filled[i] {
                self.error(
                    codes::BAD_ARGUMENTS,
                    format!("parameter `{}` of `{name}` is given twice", sig.params[i]),
                    arg_span,
                );
                return;
            }
            filled[i] = true;
            self.put_first(value, start + i as Reg);
        }
        if let Some(v) = sig.variadic {
            let reg = start + v as Reg;
            let count = variadic_items.len();
            let items = self.alloc_n(count);
            for (k, item) in variadic_items.iter().enumerate() {
                self.expr_to(item, items + k as Reg);
            }
            self.emit(Instr::MakeList { dst: reg, start: items, count: count as u16 });
            filled[v] = true;
        }
        for (i, &done) in filled.iter().enumerate() {
            if done {
                continue;
            }
            match sig.defaults[i] {
                Some(default) => {
                    // A default may refer to earlier parameters.
                    self.push_scope();
                    for (j, p) in sig.params.iter().enumerate().take(i) {
                        self.bind_local(p, start + j as Reg, false);
                    }
                    self.expr_to(default, start + i as Reg);
                    self.pop_scope();
                }
                None => {
                    self.pending.push(
                        lumen_syntax::Diagnostic::error(
                            codes::BAD_ARGUMENTS,
                            format!("missing argument for parameter `{}` of `{name}`", sig.params[i]),
                            span,
                        )
                        .with_label(format!("`{name}` takes {nparams} arguments"))
                        .with_help(format!("pass a value for `{}`", sig.params[i])),
                    );
                    return;
                }
            }
        }
        self.emit(Instr::CallDirect { dst, func, args: start, argc: nparams as u16 });
    }

    fn construct_record(&mut self, ty: u32, args: &'a [Arg], dst: Reg, span: Span) {
        let Some(info) = self.records.get(&ty).cloned() else { return };
        let n = info.fields.len();
        let mut given: Vec<Option<Reg>> = vec![None; n];
        for arg in args {
            let (field, value_expr): (&str, &'a Expr) = match (&arg.name, &arg.value.kind) {
                (Some(name), _) => (name.name.as_str(), &arg.value),
                (None, ExprKind::Ident(id)) if !arg.spread => (id.name.as_str(), &arg.value),
                _ => {
                    self.pending.push(
                        lumen_syntax::Diagnostic::error(
                            codes::BAD_ARGUMENTS,
                            format!("fields of record `{}` must be named", info.name),
                            arg.span,
                        )
                        .with_label("positional argument")
                        .with_help("write `field: value`"),
                    );
                    return;
                }
            };
            let Some(i) = info.fields.iter().position(|f| f == field) else {
                let mut diag = lumen_syntax::Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("record `{}` has no field `{field}`", info.name),
                    arg.span,
                )
                .with_label("unknown field");
                if let Some(best) = super::suggest(field, info.fields.iter().map(String::as_str)) {
                    diag = diag.with_help(format!("a field with a similar name exists: `{best}`"));
                }
                self.pending.push(diag);
                return;
            };
            if given[i].is_some() {
                self.error(codes::BAD_ARGUMENTS, format!("field `{field}` is given twice"), arg.span);
                return;
            }
            let r = self.alloc();
            self.expr_to(value_expr, r);
            given[i] = Some(r);
        }
        let start = self.alloc_n(n);
        for (i, &given_reg) in given.iter().enumerate() {
            let slot = start + i as Reg;
            match (given_reg, info.defaults[i]) {
                (Some(r), _) => {
                    self.emit(Instr::Move(slot, r));
                }
                (None, Some(default)) => self.expr_to(default, slot),
                (None, None) => {
                    self.pending.push(
                        lumen_syntax::Diagnostic::error(
                            codes::BAD_ARGUMENTS,
                            format!("missing field `{}` in `{}`", info.fields[i], info.name),
                            span,
                        )
                        .with_label("field not given")
                        .with_help(format!("add `{}: ...`", info.fields[i])),
                    );
                    return;
                }
            }
            if info.float_fields[i] {
                self.emit(Instr::Convert { dst: slot, src: slot, kind: Kind::Float });
            }
        }
        if let Some(validator) = info.validator {
            // Calls move their arguments, so the validator gets copies of the fields.
            let args = self.alloc_n(n);
            for i in 0..n {
                self.emit(Instr::Move(args + i as Reg, start + i as Reg));
            }
            self.emit(Instr::CallDirect { dst: args, func: validator, args, argc: n as u16 });
        }
        self.emit(Instr::MakeRecord { dst, ty, start });
    }

    fn construct_variant(&mut self, ty: u32, variant: u16, args: &'a [Arg], dst: Reg, span: Span) {
        let Some(info) = self.enums.get(&ty).cloned() else { return };
        let (vname, field_names, _) = &info.variants[variant as usize];
        let n = field_names.len();
        if args.len() != n || Self::has_spread(args) {
            self.pending.push(
                lumen_syntax::Diagnostic::error(
                    codes::BAD_ARGUMENTS,
                    format!("variant `{vname}` takes {n} values, got {}", args.len()),
                    span,
                )
                .with_label("wrong number of values"),
            );
            return;
        }
        let start = self.alloc_n(n);
        let mut next = 0usize;
        for arg in args {
            let i = match &arg.name {
                Some(name) => match field_names.iter().position(|f| f.as_deref() == Some(name.name.as_str())) {
                    Some(i) => i,
                    None => {
                        self.error(
                            codes::UNKNOWN_FIELD,
                            format!("variant `{vname}` has no field `{}`", name.name),
                            name.span,
                        );
                        return;
                    }
                },
                None => {
                    next += 1;
                    next - 1
                }
            };
            self.expr_to(&arg.value, start + i as Reg);
        }
        self.emit(Instr::MakeVariant { dst, ty, variant, start, count: n as u16 });
    }

    /// `receiver.name(args)`: user methods are resolved at run time; otherwise uniform call
    /// syntax picks a cell or builtin of that name now.
    fn method_call(&mut self, receiver: &'a Expr, name: &'a ast::Ident, safe: bool, args: &'a [Arg], dst: Reg) {
        // A receiver inside a `?.` chain is compiled as a link of that chain.
        let receiver_first = if safe || super::expr::chain_has_safe_link(receiver) {
            let linked = self.link_target(receiver);
            if safe {
                let j = self.emit(Instr::JumpIfNull(linked, 0));
                self.chain_jumps.push(j);
            }
            First::Reg(linked)
        } else {
            First::Expr(receiver)
        };
        let is_method = self.program.methods.iter().any(|(_, m, _)| *m == name.name);
        if !is_method && !Self::has_spread(args) && args.iter().all(|a| a.name.is_none()) {
            if let Some(Global::Cell(f)) = self.globals.get(&name.name).cloned() {
                self.direct_call_with(f, &name.name, Some(receiver_first), args, dst, name.span);
                return;
            }
            if !matches!(self.resolve_var(&name.name), Some(VarRef::Local(..)))
                && let Some(id) = self.builtin_id(&name.name)
            {
                self.builtin_call(id, Some(receiver_first), args, dst);
                return;
            }
        }
        let (start, argc) = self.positional_args(args, Some(receiver_first));
        let n = self.str_const(&name.name);
        self.emit(Instr::CallMethod { dst, name: n, args: start, argc });
    }

    /// `x |> f(a)` is `f(x, a)`; `x |> f` is `f(x)`.
    pub(crate) fn pipe(&mut self, lhs: &'a Expr, rhs: &'a Expr, dst: Reg) {
        if let ExprKind::Call { callee, args } = &rhs.kind {
            let x = self.alloc();
            self.expr_to(lhs, x);
            // Re-use the call machinery with the piped value as first argument: evaluate the
            // callee's other arguments after `x`.
            match &callee.kind {
                ExprKind::Ident(name) if self.resolve_var(&name.name).is_none() => {
                    self.piped_call(name, args, x, dst, rhs.span);
                    return;
                }
                _ => {
                    let f = self.expr_any(callee);
                    let start = self.alloc_n(args.len() + 1);
                    self.emit(Instr::Move(start, x));
                    for (i, arg) in args.iter().enumerate() {
                        self.expr_to(&arg.value, start + 1 + i as Reg);
                    }
                    self.emit(Instr::Call { dst, callee: f, args: start, argc: args.len() as u16 + 1 });
                    return;
                }
            }
        }
        let x = self.alloc();
        self.expr_to(lhs, x);
        let f = self.expr_any(rhs);
        let start = self.alloc();
        self.emit(Instr::Move(start, x));
        self.emit(Instr::Call { dst, callee: f, args: start, argc: 1 });
    }

    fn piped_call(&mut self, name: &'a ast::Ident, args: &'a [Arg], x: Reg, dst: Reg, span: Span) {
        let first = Some(First::Reg(x));
        match self.globals.get(&name.name).cloned() {
            Some(Global::Cell(f)) => self.direct_call_with(f, &name.name, first, args, dst, span),
            Some(Global::Variant(ty, v)) => {
                let (start, count) = self.positional_args(args, first);
                self.emit(Instr::MakeVariant { dst, ty, variant: v, start, count });
            }
            _ => match self.builtin_id(&name.name) {
                Some(id) => self.builtin_call(id, first, args, dst),
                None => self.undefined(name, "cell"),
            },
        }
    }
}

/// A first argument given before the written ones: a method receiver or a piped value.
#[derive(Clone, Copy)]
pub(crate) enum First<'a> {
    Expr(&'a Expr),
    Reg(Reg),
}
