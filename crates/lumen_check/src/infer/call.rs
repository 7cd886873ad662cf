//! Calls: cells (with generic instantiation), constructors, builtins, methods (LANGUAGE.md
//! 3.5.3-3.5.4, 4.5), function values.

use std::collections::HashMap;

use lumen_syntax::ast::{Arg, Expr, ExprKind, Ident, ProcessKind};
use lumen_syntax::{Diagnostic, Span};

use super::Checker;
use crate::builtins;
use crate::codes;
use crate::decls::{CellId, Def, Generic, Kind, Owner};
use crate::types::{Ty, assignable, join};

/// A callee's parameters as a call sees them.
struct Sig {
    name: String,
    generics: Vec<Generic>,
    params: Vec<(String, Ty, bool, bool)>,
    ret: Ty,
    /// Whether to report argument-count errors (the compiler reports them for direct calls).
    check_arity: bool,
    code: &'static str,
    /// "argument" or "field", for messages.
    noun: &'static str,
}

/// The receiver (`x` of `x |> f(a)` or `x.f(a)`) and its span.
pub(super) type Receiver = Option<(Ty, Span)>;

impl Checker<'_, '_> {
    pub(super) fn call(&mut self, e: &Expr, callee: &Expr, args: &[Arg], expected: Option<&Ty>, piped: Receiver) -> Ty {
        match &callee.kind {
            ExprKind::Ident(id) if self.lookup(&id.name).is_none() => self.call_name(id, args, expected, piped, e.span),
            ExprKind::Field { target, name, safe } => {
                if piped.is_none()
                    && let Some(t) = self.qualified_call(target, name, args, expected, e.span)
                {
                    return t;
                }
                self.method_call(target, name, args, *safe, piped, e.span, expected)
            }
            _ => {
                let f = self.expr(callee, None);
                let what = match &callee.kind {
                    ExprKind::Ident(id) => format!("`{}`", id.name),
                    _ => "this expression".to_string(),
                };
                self.call_value_args(&f, args, piped, callee.span, &what)
            }
        }
    }

    /// `name(args)` where `name` is not a local.
    fn call_name(&mut self, id: &Ident, args: &[Arg], expected: Option<&Ty>, piped: Receiver, span: Span) -> Ty {
        let name = id.name.as_str();
        match self.def_of(name) {
            Some(Def::Cell(c)) => {
                let sig = self.cell_sig(c, false);
                self.record_call(c, span);
                self.apply_sig(sig, args, piped, None, expected, span)
            }
            Some(Def::Variant(tid, vi)) => self.construct_variant(tid, vi, args, expected, span),
            Some(Def::Type(tid)) => match self.p.types[tid].kind {
                Kind::Record => self.construct_record(tid, args, expected, span),
                _ => {
                    self.args_unchecked(args);
                    let decl = &self.p.types[tid];
                    Ty::Named(tid, decl.name.clone(), Vec::new())
                }
            },
            Some(Def::Tool(t)) => {
                self.args_unchecked(args);
                let effect = self.p.tools[t].effect.clone();
                self.record_effect(&effect, None, span);
                Ty::Json
            }
            Some(Def::Const(i)) => {
                let f = self.const_type(i);
                self.call_value_args(&f, args, piped, id.span, &format!("`{name}`"))
            }
            Some(Def::Unknown) => {
                self.args_unchecked(args);
                Ty::Unknown
            }
            Some(_) => {
                self.args_unchecked(args);
                Ty::Unknown
            }
            None if name == "ok" || name == "err" => self.result_ctor(name == "ok", args, expected, piped),
            None if builtins::is_builtin(name) => self.call_builtin(name, args, piped, id.span),
            None => {
                self.args_unchecked(args);
                Ty::Unknown
            }
        }
    }

    /// `Enum.Variant(args)`, `Enum.cell(args)`, `Tools.tool(args)`; `None` when `target` is a value.
    fn qualified_call(
        &mut self,
        target: &Expr,
        name: &Ident,
        args: &[Arg],
        expected: Option<&Ty>,
        span: Span,
    ) -> Option<Ty> {
        let ExprKind::Ident(id) = &target.kind else { return None };
        if self.lookup(&id.name).is_some() {
            return None;
        }
        match self.def_of(&id.name)? {
            Def::Type(tid) => {
                let decl = &self.p.types[tid];
                if let Some(vi) = decl.variants.iter().position(|v| v.name == name.name) {
                    return Some(self.construct_variant(tid, vi, args, expected, span));
                }
                if let Some(&c) = decl.methods.get(&name.name) {
                    if self.p.cells[c].self_ty.is_some() {
                        // `Enum.method(value, ...)`: the receiver is the first argument.
                        self.args_unchecked(args);
                        self.record_call(c, span);
                        return Some(self.return_type(c));
                    }
                    let sig = self.cell_sig(c, true);
                    self.record_call(c, span);
                    return Some(self.apply_sig(sig, args, None, None, expected, span));
                }
                if let Some(c) = self.p.method(&decl.self_ty(tid), &name.name) {
                    let sig = self.cell_sig(c, true);
                    self.record_call(c, span);
                    return Some(self.apply_sig(sig, args, None, None, expected, span));
                }
                self.args_unchecked(args);
                Some(Ty::Unknown)
            }
            Def::Tool(t) => {
                self.args_unchecked(args);
                let effect = self.p.tools[t].effect.clone();
                self.record_effect(&effect, None, span);
                Some(Ty::Json)
            }
            Def::Unknown => {
                self.args_unchecked(args);
                Some(Ty::Unknown)
            }
            _ => None,
        }
    }

    /// The signature of cell `c` for a call; `arity` asks for argument-count checks.
    fn cell_sig(&mut self, c: CellId, arity: bool) -> Sig {
        let ret = self.return_type(c);
        let (generics, _, _) = self.p.cell_context(c);
        let cell = &self.p.cells[c];
        Sig {
            name: cell.name().to_string(),
            generics,
            params: cell.params.iter().map(|p| (p.name.clone(), p.ty.clone(), p.has_default, p.variadic)).collect(),
            ret,
            check_arity: arity,
            code: codes::ARGUMENT_TYPE,
            noun: "argument",
        }
    }

    /// Checks arguments against a signature, inferring its type parameters; returns the result.
    /// `receiver` is bound to `self_ty` (a method) or to the first parameter (uniform call).
    fn apply_sig(
        &mut self,
        sig: Sig,
        args: &[Arg],
        first: Receiver,
        self_ty: Option<(&Ty, &Ty)>,
        expected: Option<&Ty>,
        span: Span,
    ) -> Ty {
        let vars: Vec<String> = sig.generics.iter().map(|g| g.name.clone()).collect();
        let mut subst: HashMap<String, Ty> = HashMap::new();
        if let Some((declared, actual)) = self_ty {
            bind_generic(declared, actual, &vars, &mut subst);
        }
        // Which parameter each argument binds.
        let mut slots: Vec<Option<usize>> = Vec::new();
        let mut given = vec![false; sig.params.len()];
        let mut next = 0usize;
        let variadic = sig.params.iter().position(|p| p.3);
        let mut arity_errors: Vec<Diagnostic> = Vec::new();
        let mut take_positional = |span: Span, errors: &mut Vec<Diagnostic>| -> Option<usize> {
            if next < sig.params.len() && !sig.params[next].3 {
                next += 1;
                return Some(next - 1);
            }
            if let Some(v) = variadic {
                return Some(v);
            }
            errors.push(
                Diagnostic::error(codes::ARGUMENT_COUNT, format!("too many arguments to `{}`", sig.name), span)
                    .with_label(format!(
                        "`{}` takes {}",
                        sig.name,
                        super::effect::plural(sig.params.len(), "argument")
                    )),
            );
            None
        };
        if let Some((_, rspan)) = &first {
            let slot = take_positional(*rspan, &mut arity_errors);
            if let Some(s) = slot {
                given[s] = true;
            }
            slots.push(slot);
        }
        let spread = args.iter().any(|a| a.spread);
        for arg in args {
            let slot = match &arg.name {
                Some(n) => {
                    let found = sig.params.iter().position(|p| p.0 == n.name);
                    if found.is_none() {
                        let mut d = Diagnostic::error(
                            codes::ARGUMENT_COUNT,
                            format!("`{}` has no parameter named `{}`", sig.name, n.name),
                            n.span,
                        )
                        .with_label("unknown parameter");
                        if let Some(best) = crate::suggest::best(&n.name, sig.params.iter().map(|p| p.0.as_str())) {
                            d = d.with_help(format!("a parameter with a similar name exists: `{best}`"));
                        }
                        arity_errors.push(d);
                    }
                    found
                }
                None if arg.spread => None,
                None => take_positional(arg.span, &mut arity_errors),
            };
            if let Some(s) = slot {
                if given[s] && !sig.params[s].3 {
                    arity_errors.push(
                        Diagnostic::error(
                            codes::ARGUMENT_COUNT,
                            format!("parameter `{}` of `{}` is given twice", sig.params[s].0, sig.name),
                            arg.span,
                        )
                        .with_label("second value"),
                    );
                }
                given[s] = true;
            }
            slots.push(slot);
        }
        if sig.check_arity {
            if !spread {
                for (i, p) in sig.params.iter().enumerate() {
                    if !given[i] && !p.2 && !p.3 {
                        arity_errors.push(
                            Diagnostic::error(
                                codes::ARGUMENT_COUNT,
                                match p.0.strip_prefix('#') {
                                    Some(n) => format!("missing argument {n} of `{}`", sig.name),
                                    None => format!("missing argument for parameter `{}` of `{}`", p.0, sig.name),
                                },
                                span,
                            )
                            .with_label(format!(
                                "`{}` takes {}",
                                sig.name,
                                super::effect::plural(sig.params.len(), "argument")
                            )),
                        );
                    }
                }
            }
            if !spread {
                for d in arity_errors {
                    self.report(d);
                }
            }
        }
        // Arguments: plain values first, lambdas once the others have fixed the type variables.
        let param_of = |s: Option<usize>| s.map(|i| sig.params[i].1.clone());
        let arg_offset = usize::from(first.is_some());
        let mut found: Vec<Option<Ty>> = vec![None; args.len()];
        if let Some((t, _)) = &first
            && let Some(p) = param_of(slots[0])
        {
            bind_generic(&p, t, &vars, &mut subst);
        }
        for pass in 0..2 {
            for (i, arg) in args.iter().enumerate() {
                let is_lambda = matches!(arg.value.kind, ExprKind::Lambda(_));
                if (pass == 0) == is_lambda {
                    continue;
                }
                let param = param_of(slots[i + arg_offset]).map(|p| instantiate(&p, &subst));
                let exp = param.as_ref().filter(|p| !p.has_unknown() || is_lambda);
                let t = if arg.spread { self.expr(&arg.value, None) } else { self.expr(&arg.value, exp) };
                if !arg.spread
                    && let Some(p) = param_of(slots[i + arg_offset])
                {
                    bind_generic(&p, &t, &vars, &mut subst);
                }
                found[i] = Some(t);
            }
        }
        // The expected type instantiates too, when the arguments fit it (`let xs: list[Float] =
        // repeat(1, 3)`); otherwise the mismatch is reported once, where the result is used.
        if let Some(exp) = expected
            && sig.ret.mentions_param()
            && !assignable(&instantiate(&sig.ret, &subst), exp)
        {
            let mut alt: HashMap<String, Ty> = HashMap::new();
            if let Some((declared, actual)) = self_ty {
                bind_generic(declared, actual, &vars, &mut alt);
            }
            bind_generic(&sig.ret, exp, &vars, &mut alt);
            for (k, v) in &subst {
                alt.entry(k.clone()).or_insert_with(|| v.clone());
            }
            let receiver_fits = match (&first, slots.first()) {
                (Some((t, _)), Some(Some(i))) => assignable(t, &instantiate(&sig.params[*i].1, &alt)),
                _ => true,
            };
            let args_fit = args.iter().enumerate().all(|(i, a)| match (&found[i], slots[i + arg_offset]) {
                (Some(t), Some(p)) if !a.spread => assignable(t, &instantiate(&sig.params[p].1, &alt)),
                _ => true,
            });
            if receiver_fits && args_fit {
                subst = alt;
            }
        }
        // Types, with the type variables fixed.
        let check = |s: &mut Self, slot: Option<usize>, t: &Ty, span: Span| {
            if let Some(i) = slot {
                let p = instantiate(&sig.params[i].1, &subst);
                let pname = &sig.params[i].0;
                let what = match pname.strip_prefix('#') {
                    Some(n) => format!("{} {n} of `{}` has the wrong type", sig.noun, sig.name),
                    None => format!("{} `{pname}` of `{}` has the wrong type", sig.noun, sig.name),
                };
                s.expect_ty(t, &p, sig.code, &what, span);
            }
        };
        if let Some((t, rspan)) = &first {
            check(self, slots[0], t, *rspan);
        }
        for (i, arg) in args.iter().enumerate() {
            if let (false, Some(t)) = (arg.spread, &found[i]) {
                check(self, slots[i + arg_offset], t, arg.value.span);
            }
        }
        for g in &sig.generics {
            let Some(t) = subst.get(&g.name) else { continue };
            for b in &g.bounds {
                if !self.bound_holds(t, b) {
                    self.report(
                        Diagnostic::error(
                            codes::UNSATISFIED_BOUND,
                            format!("`{t}` does not satisfy the bound `{}: {b}` of `{}`", g.name, sig.name),
                            span,
                        )
                        .with_label(format!("`{}` is `{t}` here", g.name))
                        .with_help(match b.as_str() {
                            "Ord" => "`Ord` holds for numbers, strings, booleans, bytes, records, enums, and lists or tuples of them".to_string(),
                            "Num" => "`Num` holds for `Int` and `Float`".to_string(),
                            _ => format!("add `impl {b} for {t}`, or pass a type that has it"),
                        }),
                    );
                }
            }
        }
        instantiate(&sig.ret, &subst)
    }

    fn bound_holds(&self, t: &Ty, bound: &str) -> bool {
        if let Ty::Param(name) = t {
            return self.frame_ref().is_none_or(|f| {
                f.generics.iter().find(|g| &g.name == name).is_none_or(|g| g.bounds.iter().any(|b| b == bound))
            });
        }
        self.p.satisfies(t, bound, self.module)
    }

    fn args_unchecked(&mut self, args: &[Arg]) {
        for a in args {
            self.expr(&a.value, None);
        }
    }

    /// `ok(x)` / `err(x)`.
    fn result_ctor(&mut self, is_ok: bool, args: &[Arg], expected: Option<&Ty>, piped: Receiver) -> Ty {
        let (ev, ee) = match expected {
            Some(Ty::Result(v, e)) => (Some((**v).clone()), Some((**e).clone())),
            _ => (None, None),
        };
        let inner_expected = if is_ok { ev.clone() } else { ee.clone() };
        let mut inner = piped.map(|p| p.0);
        for a in args {
            let t = self.expr(&a.value, inner_expected.as_ref());
            inner.get_or_insert(t);
        }
        let mut inner = inner.unwrap_or(Ty::Null);
        if let Some(x) = inner_expected.filter(|x| assignable(&inner, x)) {
            inner = x;
        }
        if is_ok {
            Ty::Result(Box::new(inner), Box::new(ee.unwrap_or(Ty::Unknown)))
        } else {
            Ty::Result(Box::new(ev.unwrap_or(Ty::Unknown)), Box::new(inner))
        }
    }

    fn construct_variant(&mut self, tid: usize, vi: usize, args: &[Arg], expected: Option<&Ty>, span: Span) -> Ty {
        let decl = &self.p.types[tid];
        let Some(payload) = &decl.variants[vi].payload else {
            self.args_unchecked(args);
            return self.variant_value(tid, vi, expected);
        };
        let sig = Sig {
            name: decl.variants[vi].name.clone(),
            generics: decl.generics.clone(),
            params: payload
                .iter()
                .enumerate()
                .map(|(i, (n, t))| (n.clone().unwrap_or_else(|| format!("#{}", i + 1)), t.clone(), false, false))
                .collect(),
            ret: decl.self_ty(tid),
            check_arity: false,
            code: codes::ARGUMENT_TYPE,
            noun: "argument",
        };
        self.apply_sig(sig, args, None, None, expected, span)
    }

    fn construct_record(&mut self, tid: usize, args: &[Arg], expected: Option<&Ty>, span: Span) -> Ty {
        let decl = &self.p.types[tid];
        let sig = Sig {
            name: decl.name.clone(),
            generics: decl.generics.clone(),
            params: decl.fields.iter().map(|f| (f.name.clone(), f.ty.clone(), true, false)).collect(),
            ret: decl.self_ty(tid),
            check_arity: false,
            code: codes::TYPE_MISMATCH,
            noun: "field",
        };
        // `Point(x, y)` is shorthand for `Point(x: x, y: y)`.
        let named: Vec<Arg> = args
            .iter()
            .map(|a| match (&a.name, &a.value.kind) {
                (None, ExprKind::Ident(id)) if !a.spread => Arg { name: Some(id.clone()), ..a.clone() },
                _ => a.clone(),
            })
            .collect();
        if named.iter().any(|a| a.name.is_none()) {
            self.args_unchecked(args);
            return self.p.types[tid].self_ty(tid).erase_params();
        }
        self.apply_sig(sig, &named, None, None, expected, span)
    }

    fn call_builtin(&mut self, name: &str, args: &[Arg], piped: Receiver, span: Span) -> Ty {
        let offset = usize::from(piped.is_some());
        let mut tys: Vec<Ty> = Vec::new();
        if let Some((t, _)) = &piped {
            tys.push(t.clone());
        }
        let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        let mut found: Vec<Option<Ty>> = vec![None; positional.len()];
        for pass in 0..2 {
            for (i, a) in positional.iter().enumerate() {
                let late = builtins::takes_function_at(name, i + offset);
                if (pass == 0) == late {
                    continue;
                }
                let known: Vec<Ty> = (0..positional.len() + offset)
                    .map(|j| if j < offset { tys[j].clone() } else { found[j - offset].clone().unwrap_or(Ty::Unknown) })
                    .collect();
                let hint = builtins::hint(name, i + offset, &known);
                found[i] = Some(self.expr(&a.value, hint.as_ref()));
            }
        }
        for a in args.iter().filter(|a| a.name.is_some()) {
            self.expr(&a.value, None);
        }
        tys.extend(found.into_iter().map(|t| t.unwrap_or(Ty::Unknown)));
        if let Some(kind) = builtins::effect(name) {
            self.record_effect(kind, None, span);
            if self.p.modules[self.module].deterministic {
                self.report(
                    Diagnostic::error(
                        codes::NONDETERMINISTIC,
                        format!("`{name}` has effect `{kind}`, which is not allowed under @deterministic true"),
                        span,
                    )
                    .with_label("nondeterministic builtin")
                    .with_help("deterministic programs get time, randomness and the environment from tools, whose results are recorded"),
                );
            }
        }
        if args.iter().any(|a| a.spread) {
            return Ty::Unknown;
        }
        builtins::result(name, &tys)
    }

    /// `target.name(args)`: a function field, a method of the type, or a uniform call.
    #[allow(clippy::too_many_arguments)]
    fn method_call(
        &mut self,
        target: &Expr,
        name: &Ident,
        args: &[Arg],
        safe: bool,
        piped: Receiver,
        span: Span,
        expected: Option<&Ty>,
    ) -> Ty {
        let t = self.expr(target, None);
        let safe = safe || super::expr::chain_is_safe(target);
        let recv = if safe { t.without_null() } else { t.clone() };
        let result = self.method_on(&recv, target.span, name, args, piped, span, expected);
        if safe && t.is_optional() { Ty::optional(result) } else { result }
    }

    #[allow(clippy::too_many_arguments)]
    fn method_on(
        &mut self,
        recv: &Ty,
        recv_span: Span,
        name: &Ident,
        args: &[Arg],
        piped: Receiver,
        span: Span,
        expected: Option<&Ty>,
    ) -> Ty {
        let m = name.name.as_str();
        // A record field holding a function.
        if let Ty::Named(tid, _, _) = recv
            && let Some(f) = self.p.types[*tid].fields.iter().find(|f| f.name == m)
            && matches!(f.ty, Ty::Fn(_) | Ty::Any | Ty::Unknown)
        {
            let ft = f.ty.clone();
            return self.call_value_args(&ft, args, piped, name.span, &format!("field `{m}`"));
        }
        // A method of the receiver's type.
        if let Some(c) = self.p.method(recv, m) {
            let has_self = self.p.cells[c].self_ty.is_some()
                && self.p.cells[c].decl.params.iter().any(|p| p.kind == lumen_syntax::ast::ParamKind::SelfParam)
                || matches!(self.p.cells[c].owner, Owner::Process(_));
            let sig = self.cell_sig(c, true);
            self.record_call(c, span);
            if has_self {
                let declared = self.p.cells[c].self_ty.clone().unwrap_or(Ty::Unknown);
                return self.apply_sig(sig, args, piped, Some((&declared, recv)), expected, span);
            }
            return self.apply_sig(sig, args, Some((recv.clone(), recv_span)), None, expected, span);
        }
        if let Some(t) = self.bound_method(recv, m, args, piped.clone(), span, expected) {
            return t;
        }
        if let Some(t) = self.builtin_method(recv, m, args) {
            return t;
        }
        // Uniform call syntax: `v.m(args)` is `m(v, args)`.
        let receiver = Some((recv.clone(), recv_span));
        if let Some(local) = self.lookup(m).cloned() {
            return self.call_value_args(&local.ty, args, receiver, name.span, &format!("`{m}`"));
        }
        match self.def_of(m) {
            Some(Def::Cell(c))
                if self.p.cells[c]
                    .params
                    .first()
                    .is_none_or(|p| recv.has_unknown() || assignable(recv, &p.ty) || p.ty.mentions_param()) =>
            {
                let sig = self.cell_sig(c, true);
                self.record_call(c, span);
                return self.apply_sig(sig, args, receiver, None, expected, span);
            }
            Some(Def::Unknown) => {
                self.args_unchecked(args);
                return Ty::Unknown;
            }
            None if builtins::is_builtin(m) => return self.call_builtin(m, args, receiver, name.span),
            None if m == "ok" || m == "err" => return self.result_ctor(m == "ok", args, expected, receiver),
            _ => {}
        }
        self.args_unchecked(args);
        if recv.has_unknown() || matches!(recv, Ty::Fn(_)) || self.instance_kind(recv).is_some() {
            return Ty::Unknown;
        }
        if recv.is_optional() && self.p.method(&recv.without_null(), m).is_some() {
            self.report(
                Diagnostic::error(
                    codes::MAYBE_NULL,
                    format!("`{recv}` may be `null`: method `{m}` needs narrowing"),
                    name.span,
                )
                .with_label(format!("the receiver is `{recv}`"))
                .with_help(format!("use `?.{m}(...)`, check `!= null` first, or assert with `!`")),
            );
            return Ty::Unknown;
        }
        let mut d = Diagnostic::error(codes::METHOD_NOT_FOUND, format!("no method `{m}` on `{recv}`"), name.span)
            .with_label("method not found");
        if let Ty::Union(members) = recv
            && members.iter().all(|t| self.p.method(t, m).is_some())
        {
            d = d.with_help(format!(
                "every member of the union has `{m}`, but methods are resolved statically: narrow first (`if x is T`, `match`)"
            ));
            self.report(d);
            return Ty::Unknown;
        }
        let mut candidates: Vec<String> = builtins::names().map(str::to_string).collect();
        candidates.extend(
            self.p
                .methods
                .keys()
                .filter(|(k, _)| crate::decls::key_of(recv).as_ref() == Some(k))
                .map(|(_, n)| n.clone()),
        );
        if let Ty::Named(tid, ..) = recv {
            candidates.extend(self.p.types[*tid].methods.keys().cloned());
            candidates.extend(self.p.types[*tid].fields.iter().map(|f| f.name.clone()));
        }
        candidates.extend(
            self.p.modules[self.module].names.iter().filter(|(_, d)| matches!(d, Def::Cell(_))).map(|(k, _)| k.clone()),
        );
        let is_field = match recv {
            Ty::Named(tid, ..) => self.p.types[*tid].fields.iter().any(|f| f.name == m),
            _ => false,
        };
        if is_field {
            d = d.with_help(format!("`{m}` is a field of `{recv}`, not a function: read it without parentheses"));
        } else if let Some(best) = crate::suggest::best(m, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("a method with a similar name exists: `{best}`"));
        } else {
            d = d.with_help(format!(
                "methods come from the type's `enum` or `impl` blocks, builtins, and cells whose first parameter takes `{recv}`"
            ));
        }
        self.report(d);
        Ty::Unknown
    }

    /// A trait method on a value of a bounded type parameter (`x.hello()` with `T: Greet`).
    fn bound_method(
        &mut self,
        recv: &Ty,
        m: &str,
        args: &[Arg],
        piped: Receiver,
        span: Span,
        expected: Option<&Ty>,
    ) -> Option<Ty> {
        let Ty::Param(pname) = recv else { return None };
        let bounds: Vec<String> = self.frame_ref()?.generics.iter().find(|g| &g.name == pname)?.bounds.clone();
        for b in bounds {
            let Some(Def::Trait(tid)) = self.p.modules[self.module].names.get(&b).copied() else { continue };
            let found = self.p.traits[tid].methods.iter().copied().find(|&c| self.p.cells[c].name() == m);
            if let Some(c) = found {
                let mut sig = self.cell_sig(c, true);
                let self_ty = recv.clone();
                sig.params = sig.params.into_iter().map(|(n, t, d, v)| (n, subst_self(&t, &self_ty), d, v)).collect();
                sig.ret = subst_self(&sig.ret, &self_ty);
                sig.generics.retain(|g| g.name != "Self");
                return Some(self.apply_sig(sig, args, piped, None, expected, span));
            }
        }
        None
    }

    fn instance_kind(&self, t: &Ty) -> Option<Kind> {
        match t {
            Ty::Named(tid, ..) => match self.p.types[*tid].kind {
                k @ (Kind::Process(_) | Kind::Agent) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }

    /// Methods the runtime gives processes, futures and generators (LANGUAGE.md 7.6-7.8, 5.12).
    fn builtin_method(&mut self, recv: &Ty, m: &str, args: &[Arg]) -> Option<Ty> {
        let result = match (recv, self.instance_kind(recv)) {
            (Ty::Generator(t), _) if m == "next" => Ty::optional((**t).clone()),
            (_, Some(Kind::Process(kind))) => match (kind, m) {
                (ProcessKind::Machine, "step" | "run" | "current_state" | "resume_from") => Ty::String,
                (ProcessKind::Machine, "is_terminal") => Ty::Bool,
                (ProcessKind::Machine, "start") => Ty::Null,
                (ProcessKind::Machine, "steps") => Ty::Int,
                (ProcessKind::Machine, "payload") => Ty::Map(Box::new(Ty::String), Box::new(Ty::Any)),
                (ProcessKind::Memory, "recent" | "recall" | "query") => Ty::list(Ty::Any),
                (ProcessKind::Memory, "get") => Ty::Any,
                (ProcessKind::Memory, "count") => Ty::Int,
                (ProcessKind::Memory, "append" | "remember" | "store" | "upsert" | "delete" | "clear") => Ty::Null,
                (ProcessKind::Eval, "run") => Ty::Named(crate::decls::EVAL_REPORT, "EvalReport".into(), Vec::new()),
                (ProcessKind::Pattern, "run" | "match_text") => {
                    Ty::optional(Ty::Map(Box::new(Ty::String), Box::new(Ty::String)))
                }
                (ProcessKind::Pipeline, "run") => self.pipeline_result(recv),
                _ => return None,
            },
            _ => return None,
        };
        self.args_unchecked(args);
        Some(result)
    }

    fn pipeline_result(&self, recv: &Ty) -> Ty {
        let Ty::Named(tid, ..) = recv else { return Ty::Unknown };
        let decl = &self.p.types[*tid];
        let last = decl.process.and_then(|p| {
            p.members.iter().rev().find_map(|m| match &m.kind {
                lumen_syntax::ast::MemberKind::Stages(s) => s.last(),
                _ => None,
            })
        });
        match last.and_then(|s| decl.methods.get(&s.name)) {
            Some(&c) => self.p.cells[c].ret.clone().unwrap_or(Ty::Unknown),
            None => Ty::Unknown,
        }
    }

    /// Calling a value of type `f` (a local, a field, a call's result).
    pub(super) fn call_value_args(&mut self, f: &Ty, args: &[Arg], first: Receiver, span: Span, what: &str) -> Ty {
        match f {
            Ty::Fn(func) => {
                let sig = Sig {
                    name: what.trim_matches('`').to_string(),
                    generics: Vec::new(),
                    params: func
                        .params
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (format!("#{}", i + 1), t.clone(), false, false))
                        .collect(),
                    ret: func.ret.clone(),
                    check_arity: !args.iter().any(|a| a.name.is_some()),
                    code: codes::ARGUMENT_TYPE,
                    noun: "argument",
                };
                if args.iter().any(|a| a.name.is_some()) {
                    self.args_unchecked(args);
                    return func.ret.clone();
                }
                self.apply_sig(sig, args, first, None, None, span)
            }
            t if t.has_unknown() || matches!(t, Ty::Union(_)) && t.members().iter().any(|m| matches!(m, Ty::Fn(_))) => {
                self.args_unchecked(args);
                Ty::Unknown
            }
            t => {
                self.args_unchecked(args);
                self.report(
                    Diagnostic::error(codes::NOT_CALLABLE, format!("{what} is `{t}`, not a function"), span)
                        .with_label(format!("this is `{t}`"))
                        .with_help("only cells, lambdas, constructors and function values can be called"),
                );
                Ty::Unknown
            }
        }
    }

    /// `x |> f` where `f` is a function value.
    pub(super) fn call_value(&mut self, f: &Ty, args: &[Arg], first: Receiver, span: Span, what: &str) -> Ty {
        self.call_value_args(f, args, first, span, what)
    }
}

/// Binds the type variables `vars` of `param` from the argument type `arg`.
pub(super) fn bind_generic(param: &Ty, arg: &Ty, vars: &[String], subst: &mut HashMap<String, Ty>) {
    if matches!(arg, Ty::Unknown) {
        return;
    }
    match (param, arg) {
        (Ty::Param(n), a) if vars.contains(n) => {
            let merged = match subst.get(n) {
                None => a.clone(),
                Some(prev) if prev.has_unknown() && !a.has_unknown() => a.clone(),
                Some(prev) => join(prev, a),
            };
            subst.insert(n.clone(), merged);
        }
        (Ty::List(p), Ty::List(a))
        | (Ty::Set(p), Ty::Set(a))
        | (Ty::Future(p), Ty::Future(a))
        | (Ty::Generator(p), Ty::Generator(a)) => bind_generic(p, a, vars, subst),
        (Ty::Map(pk, pv), Ty::Map(ak, av)) | (Ty::Result(pk, pv), Ty::Result(ak, av)) => {
            bind_generic(pk, ak, vars, subst);
            bind_generic(pv, av, vars, subst);
        }
        (Ty::Tuple(ps), Ty::Tuple(as_)) if ps.len() == as_.len() => {
            for (p, a) in ps.iter().zip(as_) {
                bind_generic(p, a, vars, subst);
            }
        }
        (Ty::Named(i, _, ps), Ty::Named(j, _, as_)) if i == j => {
            for (p, a) in ps.iter().zip(as_) {
                bind_generic(p, a, vars, subst);
            }
        }
        (Ty::Fn(pf), Ty::Fn(af)) if pf.params.len() == af.params.len() => {
            for (p, a) in pf.params.iter().zip(&af.params) {
                bind_generic(p, a, vars, subst);
            }
            bind_generic(&pf.ret, &af.ret, vars, subst);
        }
        (Ty::Union(ms), a) => {
            let concrete: Vec<&Ty> = ms.iter().filter(|m| !m.mentions_param()).collect();
            let rest: Vec<Ty> =
                a.members().iter().filter(|x| !concrete.iter().any(|c| assignable(x, c))).cloned().collect();
            let params: Vec<&Ty> = ms.iter().filter(|m| m.mentions_param()).collect();
            if let (Some(p), false) = (params.first(), rest.is_empty()) {
                bind_generic(p, &Ty::union(rest), vars, subst);
            }
        }
        _ => {}
    }
}

/// `t` with the bound type variables replaced and the unbound ones unknown.
fn instantiate(t: &Ty, subst: &HashMap<String, Ty>) -> Ty {
    t.subst(&|p| Some(subst.get(p).cloned().unwrap_or(Ty::Unknown)))
}

fn subst_self(t: &Ty, self_ty: &Ty) -> Ty {
    t.subst(&|p| (p == "Self").then(|| self_ty.clone()))
}
