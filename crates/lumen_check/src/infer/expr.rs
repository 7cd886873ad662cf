//! Expressions: literals, names, operators, fields, indexing, casts, lambdas, `match`, loops
//! (LANGUAGE.md 3.5, 4.6, 4.7).

use lumen_syntax::ast::{CompClause, Element, Expr, ExprKind, LambdaBody, MapEntry, StrSegment};
use lumen_syntax::{Diagnostic, Span};

use super::Checker;
use crate::builtins;
use crate::codes;
use crate::decls::{Def, Kind};
use crate::types::{FnTy, Ty, assignable, join, overlaps};

impl Checker<'_, '_> {
    /// The type of `e`; `expected` (when known) types literals, lambdas and constructors.
    pub(super) fn expr(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        // Long operator chains nest deeply; grow the stack instead of overflowing it.
        stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || self.expr_inner(e, expected))
    }

    fn expr_inner(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => Ty::Null,
            ExprKind::Bytes(_) => Ty::Bytes,
            ExprKind::Str(segments) => {
                self.segments(segments);
                Ty::String
            }
            ExprKind::Ident(id) => self.ident(&id.name, expected),
            ExprKind::SelfValue => match self.lookup("self") {
                Some(l) => l.ty.clone(),
                None => self.frame_ref().and_then(|f| f.self_ty.clone()).unwrap_or(Ty::Unknown),
            },
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Tuple(items) => {
                let exp: Vec<Option<Ty>> = match expected {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => ts.iter().cloned().map(Some).collect(),
                    _ => vec![None; items.len()],
                };
                // A literal takes the expected element types it fits (`(1, 2)` as `(Float, Float)`).
                Ty::Tuple(
                    items
                        .iter()
                        .zip(exp)
                        .map(|(i, x)| {
                            let t = self.expr(i, x.as_ref());
                            match x {
                                Some(x) if assignable(&t, &x) => x,
                                _ => t,
                            }
                        })
                        .collect(),
                )
            }
            ExprKind::List(items) => {
                let elem = match expected {
                    Some(Ty::List(t)) => Some((**t).clone()),
                    _ => None,
                };
                Ty::list(self.elements(items, elem.as_ref()))
            }
            ExprKind::Set(items) => {
                let elem = match expected {
                    Some(Ty::Set(t)) => Some((**t).clone()),
                    _ => None,
                };
                Ty::Set(Box::new(self.elements(items, elem.as_ref())))
            }
            ExprKind::Map(entries) => self.map_literal(entries, expected),
            ExprKind::ListComp { element, clauses } => {
                let exp = match expected {
                    Some(Ty::List(t)) => Some((**t).clone()),
                    _ => None,
                };
                self.push_scope();
                self.clauses(clauses);
                let t = self.expr(element, exp.as_ref());
                self.pop_scope();
                match exp {
                    Some(x) if assignable(&t, &x) => Ty::list(x),
                    _ => Ty::list(t),
                }
            }
            ExprKind::SetComp { element, clauses } => {
                self.push_scope();
                self.clauses(clauses);
                let t = self.expr(element, None);
                self.pop_scope();
                Ty::Set(Box::new(t))
            }
            ExprKind::MapComp { key, value, clauses } => {
                self.push_scope();
                self.clauses(clauses);
                let k = self.expr(key, None);
                let v = self.expr(value, None);
                self.pop_scope();
                Ty::Map(Box::new(k), Box::new(v))
            }
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span, expected),
            ExprKind::CompareChain { operands, ops } => {
                let tys: Vec<Ty> = operands.iter().map(|o| self.expr(o, None)).collect();
                for (i, op) in ops.iter().enumerate() {
                    self.binary_result(*op, &tys[i], &tys[i + 1], operands[i].span.to(operands[i + 1].span));
                }
                Ty::Bool
            }
            ExprKind::Is { expr, ty } => {
                self.expr(expr, None);
                self.resolve_type(ty);
                Ty::Bool
            }
            ExprKind::As { expr, ty } => {
                let from = self.expr(expr, None);
                let to = self.resolve_type(ty);
                self.check_cast(&from, &to, e.span);
                to
            }
            ExprKind::Range { start, end, step, .. } => {
                for part in [Some(start), Some(end), step.as_ref()].into_iter().flatten() {
                    let t = self.expr(part, Some(&Ty::Int));
                    self.expect_ty(&t, &Ty::Int, codes::BAD_OPERANDS, "range bounds must be `Int`", part.span);
                }
                Ty::Range
            }
            ExprKind::Call { callee, args } => self.call(e, callee, args, expected, None),
            ExprKind::Field { target, name, safe } => self.field(target, name, *safe, e.span),
            ExprKind::TupleIndex { target, index, index_span } => {
                let t = self.expr(target, None);
                match &t {
                    Ty::Tuple(items) => match items.get(*index as usize) {
                        Some(t) => t.clone(),
                        None => {
                            self.report(
                                Diagnostic::error(
                                    codes::UNKNOWN_FIELD,
                                    format!("tuple `{t}` has no element {index}"),
                                    *index_span,
                                )
                                .with_label(format!("it has {} elements", items.len())),
                            );
                            Ty::Unknown
                        }
                    },
                    _ => Ty::Unknown,
                }
            }
            ExprKind::Index { target, index, safe } => self.index(target, index, *safe, e.span),
            ExprKind::Unwrap(x) => self.expr(x, None).without_null(),
            ExprKind::Propagate(x) => {
                let t = self.expr(x, None);
                self.propagate(&t, e.span, true)
            }
            ExprKind::Try { expr, binding, fallback } => {
                let t = self.expr(expr, None);
                match fallback {
                    None => self.propagate(&t, e.span, false),
                    Some(fb) => {
                        let (value, error) = match &t {
                            Ty::Result(v, err) => ((**v).clone(), (**err).clone()),
                            t if t.is_optional() => (t.without_null(), Ty::Null),
                            _ => (Ty::Unknown, Ty::Unknown),
                        };
                        self.push_scope();
                        if let Some(b) = binding {
                            self.bind(&b.name, error);
                        }
                        let f = self.expr(fb, Some(&value));
                        self.pop_scope();
                        join(&value, &f)
                    }
                }
            }
            ExprKind::Lambda(lambda) => self.lambda(lambda, expected),
            ExprKind::IfThen { cond, then, otherwise } => {
                self.condition(cond, "an `if` condition");
                let (t, f) = self.facts(cond);
                self.push_scope();
                self.apply(&t);
                let a = self.expr(then, expected);
                self.pop_scope();
                self.push_scope();
                self.apply(&f);
                let b = self.expr(otherwise, expected);
                self.pop_scope();
                join(&a, &b)
            }
            ExprKind::If { branches, otherwise } => self.if_expr(branches, otherwise.as_ref(), expected),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, e.span, expected),
            ExprKind::When { arms } => {
                let mut value: Option<Ty> = None;
                let mut has_default = false;
                let mut negated = Vec::new();
                for arm in arms {
                    self.push_scope();
                    self.apply(&negated.clone());
                    match &arm.cond {
                        Some(c) => {
                            self.condition(c, "a `when` condition");
                            let (t, f) = self.facts(c);
                            self.apply(&t);
                            negated.extend(f);
                        }
                        None => has_default = true,
                    }
                    let v = self.block_value(&arm.body, expected);
                    value = Some(value.map_or(v.clone(), |a| join(&a, &v)));
                    self.pop_scope();
                }
                let v = value.unwrap_or(Ty::Null);
                if has_default { v } else { Ty::optional(v) }
            }
            ExprKind::Do(body) | ExprKind::Comptime(body) => self.block_value(body, expected),
            ExprKind::Loop { label, body } => {
                let breaks = self.in_loop(label.as_ref(), |c| c.block(body));
                breaks.unwrap_or(Ty::Unknown)
            }
            ExprKind::While { label, cond, body } => self.while_expr(label.as_ref(), cond, body),
            ExprKind::For { label, pattern, iter, filter, body } => {
                let it = self.expr(iter, None);
                self.check_iterable(&it, iter.span);
                self.push_scope();
                self.bind_pattern(pattern, &builtins::element(&it));
                if let Some(f) = filter {
                    self.condition(f, "a `for` filter");
                    let (t, _) = self.facts(f);
                    self.apply(&t);
                }
                let breaks = self.in_loop(label.as_ref(), |c| c.block(body));
                self.pop_scope();
                Ty::optional(breaks.unwrap_or(Ty::Null))
            }
            ExprKind::Perform { effect, op, args } => self.perform(effect, op, args, e.span),
            ExprKind::Handle { body, clauses } => self.handle(body, clauses, expected),
            ExprKind::Resume(value) => self.resume(value.as_deref(), e.span),
            ExprKind::Await(x) => self.await_expr(x, e.span),
            ExprKind::AwaitBlock { kind, branches } => self.await_block(*kind, branches),
            ExprKind::AwaitFor { pattern, iter, body } => {
                let it = self.expr(iter, None);
                self.push_scope();
                self.bind_pattern(pattern, &builtins::element(&it));
                let t = self.expr(body, None);
                self.pop_scope();
                Ty::list(awaited(&t))
            }
            ExprKind::Role(role) => {
                match &role.content {
                    lumen_syntax::ast::RoleContent::Text(segments) => self.segments(segments),
                    lumen_syntax::ast::RoleContent::Expr(x) => {
                        self.expr(x, None);
                    }
                }
                Ty::Named(crate::decls::MESSAGE, "Message".into(), Vec::new())
            }
            ExprKind::MacroCall { args, .. } => {
                for a in args {
                    self.expr(a, None);
                }
                Ty::Unknown
            }
            ExprKind::ExpectSchema { expr, ty } => {
                self.expr(expr, None);
                self.resolve_type(ty)
            }
            ExprKind::Error => Ty::Unknown,
        }
    }

    fn segments(&mut self, segments: &[StrSegment]) {
        for s in segments {
            if let StrSegment::Interp { expr, spec, span } = s {
                let t = self.expr(expr, None);
                if let Some(spec) = spec {
                    self.format_spec(spec, &t, *span);
                }
            }
        }
    }

    /// `{v:x}` needs an `Int`, `{v:.2f}` a number (LANGUAGE.md 5.11); `null` values are left to
    /// the run time, as are values whose type is not known.
    fn format_spec(&mut self, spec: &lumen_syntax::ast::FormatSpec, t: &Ty, span: Span) {
        use lumen_syntax::ast::FormatType::*;
        let (ok, want): (fn(&Ty) -> bool, &str) = match spec.ty {
            Some(Decimal | Hex | HexUpper | Octal | Binary) => (|t| *t == Ty::Int, "an `Int`"),
            Some(Fixed | Exp | ExpUpper) => (|t| t.is_numeric(), "an `Int` or a `Float`"),
            Some(Str) | None => return,
        };
        let value = t.without_null();
        if value.has_unknown() || value.members().iter().all(ok) {
            return;
        }
        self.report(
            Diagnostic::error(
                codes::FORMAT_SPEC,
                format!("the format spec `{}` needs {want}, found `{t}`", spec.text),
                span,
            )
            .with_label(format!("this is `{t}`"))
            .with_help("`d x X o b` format integers, `f e E` numbers; other values take no type letter"),
        );
    }

    /// The element type of a list or set literal.
    fn elements(&mut self, items: &[Element], expected: Option<&Ty>) -> Ty {
        let mut elem: Option<Ty> = None;
        for item in items {
            let t = if item.spread {
                let t = self.expr(&item.expr, None);
                builtins::element(&t)
            } else {
                let t = self.expr(&item.expr, expected);
                if let Some(x) = expected {
                    self.expect_ty(&t, x, codes::TYPE_MISMATCH, "mismatched element type", item.expr.span);
                }
                t
            };
            elem = Some(elem.map_or(t.clone(), |a| join(&a, &t)));
        }
        match expected {
            Some(x) => x.clone(),
            None => elem.unwrap_or(Ty::Unknown),
        }
    }

    fn map_literal(&mut self, entries: &[MapEntry], expected: Option<&Ty>) -> Ty {
        if entries.is_empty() {
            return match expected {
                Some(t @ (Ty::Map(..) | Ty::Set(_))) => t.clone(),
                _ => Ty::Unknown,
            };
        }
        let (ek, ev) = match expected {
            Some(Ty::Map(k, v)) => (Some((**k).clone()), Some((**v).clone())),
            _ => (None, None),
        };
        let mut keys: Option<Ty> = None;
        let mut values: Option<Ty> = None;
        for entry in entries {
            let (k, v) = match entry {
                MapEntry::Pair { key, value } => {
                    let k = self.expr(key, ek.as_ref());
                    let v = self.expr(value, ev.as_ref());
                    if let Some(x) = &ek {
                        self.expect_ty(&k, x, codes::TYPE_MISMATCH, "mismatched key type", key.span);
                    }
                    if let Some(x) = &ev {
                        self.expect_ty(&v, x, codes::TYPE_MISMATCH, "mismatched value type", value.span);
                    }
                    (k, v)
                }
                MapEntry::Spread(x) => match self.expr(x, None) {
                    Ty::Map(k, v) => (*k, *v),
                    _ => (Ty::Unknown, Ty::Unknown),
                },
            };
            keys = Some(keys.map_or(k.clone(), |a| join(&a, &k)));
            values = Some(values.map_or(v.clone(), |a| join(&a, &v)));
        }
        if let Some(x) = expected.filter(|x| matches!(x, Ty::Map(..))) {
            return x.clone();
        }
        Ty::Map(Box::new(keys.unwrap_or(Ty::Unknown)), Box::new(values.unwrap_or(Ty::Unknown)))
    }

    fn clauses(&mut self, clauses: &[CompClause]) {
        for c in clauses {
            match c {
                CompClause::For { pattern, iter } => {
                    let it = self.expr(iter, None);
                    self.check_iterable(&it, iter.span);
                    self.bind_pattern(pattern, &builtins::element(&it));
                }
                CompClause::If(cond) => {
                    self.condition(cond, "a comprehension filter");
                    let (t, _) = self.facts(cond);
                    self.apply(&t);
                }
            }
        }
    }

    fn check_iterable(&mut self, t: &Ty, span: Span) {
        if !builtins::iterable(t) {
            let mut d = Diagnostic::error(codes::BAD_OPERANDS, format!("`{t}` is not iterable"), span)
                .with_label(format!("this is `{t}`"));
            d = if t.is_optional() {
                d.with_help("the value may be `null`: narrow it first, or iterate `x ?? []`")
            } else {
                d.with_help("`for` accepts lists, sets, maps, strings, ranges and generators")
            };
            self.report(d);
        }
    }

    /// A bare name in value position.
    fn ident(&mut self, name: &str, expected: Option<&Ty>) -> Ty {
        if let Some(local) = self.lookup(name) {
            return local.ty.clone();
        }
        match self.def_of(name) {
            Some(Def::Cell(c)) => self.cell_value(c),
            Some(Def::Const(i)) => self.const_type(i),
            Some(Def::Variant(tid, vi)) => self.variant_value(tid, vi, expected),
            Some(Def::Unknown) | Some(_) => Ty::Unknown,
            None => builtins::constant(name).unwrap_or(Ty::Unknown),
        }
    }

    /// A cell used as a function value.
    pub(super) fn cell_value(&mut self, c: crate::decls::CellId) -> Ty {
        let cell = &self.p.cells[c];
        if cell.params.iter().any(|p| p.variadic || p.has_default) {
            return Ty::Unknown;
        }
        let mut params: Vec<Ty> = cell.params.iter().map(|p| p.ty.erase_params()).collect();
        if let Some(s) = &cell.self_ty
            && cell.decl.params.first().is_some_and(|p| p.kind == lumen_syntax::ast::ParamKind::SelfParam)
        {
            params.insert(0, s.erase_params());
        }
        let ret = self.return_type(c).erase_params();
        Ty::Fn(Box::new(FnTy { params, ret, effects: cell.effects.clone() }))
    }

    /// A variant used as a value: payload-less variants are values of the enum, others are
    /// constructor functions.
    pub(super) fn variant_value(&mut self, tid: usize, vi: usize, expected: Option<&Ty>) -> Ty {
        let decl = &self.p.types[tid];
        let args: Vec<Ty> = match expected {
            Some(Ty::Named(id, _, a)) if *id == tid => a.clone(),
            _ => vec![Ty::Unknown; decl.generics.len()],
        };
        let enum_ty = Ty::Named(tid, decl.name.clone(), args);
        match &decl.variants[vi].payload {
            None => enum_ty,
            Some(payload) => Ty::Fn(Box::new(FnTy {
                params: payload.iter().map(|(_, t)| t.erase_params()).collect(),
                ret: enum_ty.erase_params(),
                effects: None,
            })),
        }
    }

    /// `target.name` (not a call).
    fn field(&mut self, target: &Expr, name: &lumen_syntax::ast::Ident, safe: bool, span: Span) -> Ty {
        // `Enum.Variant`
        if let ExprKind::Ident(id) = &target.kind
            && self.lookup(&id.name).is_none()
            && let Some(Def::Type(tid)) = self.def_of(&id.name)
        {
            let decl = &self.p.types[tid];
            if decl.kind == Kind::Enum {
                if let Some(vi) = decl.variants.iter().position(|v| v.name == name.name) {
                    return self.variant_value(tid, vi, None);
                }
                if let Some(c) = decl.methods.get(&name.name) {
                    return self.cell_value(*c);
                }
            }
            return Ty::Unknown;
        }
        if !safe
            && let Some(key) = path_key(target).map(|k| format!("{k}.{}", name.name))
            && let Some(local) = self.lookup(&key)
        {
            return local.ty.clone();
        }
        let t = self.expr(target, None);
        // After `?.` the rest of the chain runs only on a non-null value.
        let safe = safe || chain_is_safe(target);
        let base = if safe { t.without_null() } else { t.clone() };
        let result = match &base {
            Ty::Named(tid, _, args) => self.named_field(*tid, args, name, span),
            Ty::Map(k, v) if matches!(**k, Ty::String) => (**v).clone(),
            Ty::Union(_) if base.is_optional() => {
                let inner = base.without_null();
                if matches!(inner, Ty::Named(..)) || !inner.has_unknown() {
                    self.report(
                        Diagnostic::error(
                            codes::MAYBE_NULL,
                            format!("`{base}` may be `null`: field `{}` needs narrowing", name.name),
                            span,
                        )
                        .with_label(format!("this is `{base}`"))
                        .with_help(format!(
                            "use `?.{}` (null when absent), check `!= null` first, or assert with `!`",
                            name.name
                        )),
                    );
                }
                return Ty::Unknown;
            }
            _ => Ty::Unknown,
        };
        if safe && t.is_optional() { Ty::optional(result) } else { result }
    }

    fn named_field(&mut self, tid: usize, args: &[Ty], name: &lumen_syntax::ast::Ident, _span: Span) -> Ty {
        let decl = &self.p.types[tid];
        if decl.kind != Kind::Record {
            return Ty::Unknown;
        }
        let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
        match decl.fields.iter().find(|f| f.name == name.name) {
            Some(f) => f
                .ty
                .subst(&|p| generics.iter().position(|g| g == p).map(|i| args.get(i).cloned().unwrap_or(Ty::Unknown))),
            None => {
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("record `{}` has no field `{}`", decl.name, name.name),
                    name.span,
                )
                .with_label("unknown field");
                let names: Vec<&str> = decl.fields.iter().map(|f| f.name.as_str()).collect();
                if let Some(best) = crate::suggest::best(&name.name, names.iter().copied()) {
                    d = d.with_help(format!("a field with a similar name exists: `{best}`"));
                } else if !names.is_empty() {
                    d = d.with_help(format!("fields of `{}`: {}", decl.name, names.join(", ")));
                }
                self.report(d);
                Ty::Unknown
            }
        }
    }

    fn index(&mut self, target: &Expr, index: &Expr, safe: bool, span: Span) -> Ty {
        let t = self.expr(target, None);
        let safe = safe || chain_is_safe(target);
        let base = if safe { t.without_null() } else { t.clone() };
        let key_expected = match &base {
            Ty::Map(k, _) => (**k).clone(),
            Ty::List(_) | Ty::String | Ty::Tuple(_) | Ty::Bytes => Ty::Int,
            _ => Ty::Unknown,
        };
        let i = self.expr(index, Some(&key_expected));
        let what = match &base {
            Ty::Map(..) => "map key has the wrong type",
            _ => "index must be `Int`",
        };
        let fits = key_expected.is_dynamic()
            || assignable(&i, &key_expected)
            || (matches!(base, Ty::Map(..)) && overlaps(&i, &key_expected));
        if !fits {
            self.mismatch(codes::INDEX_TYPE, what, &key_expected, &i, index.span);
            return Ty::Unknown;
        }
        let result = match &base {
            Ty::List(e) => (**e).clone(),
            Ty::Map(_, v) => (**v).clone(),
            Ty::String => Ty::String,
            Ty::Bytes => Ty::Int,
            Ty::Tuple(items) => match &index.kind {
                ExprKind::Int(n) => {
                    let n = if *n < 0 { items.len() as i64 + n } else { *n };
                    items.get(n as usize).cloned().unwrap_or(Ty::Unknown)
                }
                _ => Ty::union(items.clone()),
            },
            t if t.is_optional() => {
                self.report(
                    Diagnostic::error(
                        codes::MAYBE_NULL,
                        format!("`{t}` may be `null`: indexing needs narrowing"),
                        span,
                    )
                    .with_label(format!("this is `{t}`"))
                    .with_help("use `?[i]`, check `!= null` first, or assert with `!`"),
                );
                Ty::Unknown
            }
            t if t.has_unknown() || matches!(t, Ty::Union(_)) => Ty::Unknown,
            t => {
                self.report(
                    Diagnostic::error(codes::INDEX_TYPE, format!("`{t}` cannot be indexed"), target.span)
                        .with_label(format!("this is `{t}`"))
                        .with_help("lists, tuples, strings, bytes and maps can be indexed"),
                );
                Ty::Unknown
            }
        };
        if safe && t.is_optional() { Ty::optional(result) } else { result }
    }

    /// `e?` / `try e`: the cell must return a result (LANGUAGE.md 3.5.7).
    fn propagate(&mut self, t: &Ty, span: Span, postfix: bool) -> Ty {
        let form = if postfix { "`?`" } else { "`try`" };
        let (value, error) = match t {
            Ty::Result(v, e) => ((**v).clone(), (**e).clone()),
            t if t.is_dynamic() => (Ty::Unknown, Ty::Unknown),
            t if t.is_optional() && !postfix => return t.without_null(),
            t => {
                self.report(
                    Diagnostic::error(codes::PROPAGATE, format!("{form} needs a `result`, found `{t}`"), span)
                        .with_label(format!("this is `{t}`"))
                        .with_help("only `result[T, E]` values can propagate their error"),
                );
                return Ty::Unknown;
            }
        };
        match self.frame_ref().and_then(|f| f.ret.clone()) {
            Some(Ty::Result(_, e2)) if !assignable(&error, &e2) => {
                self.mismatch(
                    codes::PROPAGATE,
                    &format!("the error propagated by {form} does not fit the cell's error type"),
                    &e2,
                    &error,
                    span,
                );
            }
            Some(Ty::Result(..)) => {}
            Some(r) if !r.is_dynamic() => {
                self.report(
                    Diagnostic::error(
                        codes::PROPAGATE,
                        format!("{form} used in a cell that returns `{r}`, not a `result`"),
                        span,
                    )
                    .with_label("an `err` here would have to be returned")
                    .with_help("declare the cell `-> result[T, E]`, or handle the error: `try e else fallback`"),
                );
            }
            _ => {}
        }
        value
    }

    fn lambda(&mut self, lambda: &lumen_syntax::ast::Lambda, expected: Option<&Ty>) -> Ty {
        let hint = match expected {
            Some(Ty::Fn(f)) if f.params.len() == lambda.params.len() => Some(f.as_ref().clone()),
            _ => None,
        };
        let mut frame = self.closure_frame();
        frame.ret = lambda.ret.as_ref().map(|t| self.resolve_type(t));
        let declared_ret = frame.ret.clone();
        self.frames.push(frame);
        self.push_scope();
        let mut params = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for (i, p) in lambda.params.iter().enumerate() {
            if let Some(first) = seen.insert(p.name.name.clone(), p.name.span) {
                self.duplicate(&p.name.name, "parameter", p.name.span, first);
            }
            let t = match &p.ty {
                Some(t) => self.resolve_type(t),
                None => hint.as_ref().map_or(Ty::Unknown, |h| h.params[i].clone()),
            };
            self.bind(&p.name.name, t.clone());
            params.push(t);
        }
        let ret = match &lambda.body {
            LambdaBody::Expr(x) => {
                let exp =
                    declared_ret.clone().or_else(|| hint.as_ref().map(|h| h.ret.clone()).filter(|r| !r.is_dynamic()));
                let t = self.expr(x, exp.as_ref());
                if let Some(r) = &declared_ret {
                    self.expect_ty(&t, r, codes::RETURN_TYPE, "mismatched return type", x.span);
                }
                t
            }
            LambdaBody::Block(b) => {
                self.block(b);
                let f = self.frame();
                let joined =
                    f.returns.iter().fold(None, |acc: Option<Ty>, t| Some(acc.map_or(t.clone(), |a| join(&a, t))));
                declared_ret.clone().unwrap_or(joined.unwrap_or(Ty::Null))
            }
        };
        self.pop_scope();
        self.frames.pop();
        Ty::Fn(Box::new(FnTy { params, ret: declared_ret.unwrap_or(ret), effects: None }))
    }
}

/// `x`, `x.f`, `x.f.g`: a path narrowing can apply to (`None` for other expressions).
pub(super) fn path_key(e: &Expr) -> Option<String> {
    let mut fields: Vec<&str> = Vec::new();
    let mut cur = e;
    let root = loop {
        match &cur.kind {
            ExprKind::Ident(id) => break id.name.as_str(),
            ExprKind::SelfValue => break "self",
            ExprKind::Field { target, name, safe: false } => {
                fields.push(&name.name);
                cur = target;
            }
            ExprKind::Paren(inner) => cur = inner,
            _ => return None,
        }
    };
    let mut key = root.to_string();
    for f in fields.iter().rev() {
        key.push('.');
        key.push_str(f);
    }
    Some(key)
}

/// Whether a postfix chain contains `?.` or `?[` (then the rest of it runs only on non-null
/// values, LANGUAGE.md 3.5.3).
pub(super) fn chain_is_safe(e: &Expr) -> bool {
    let mut cur = e;
    loop {
        cur = match &cur.kind {
            ExprKind::Field { safe: true, .. } | ExprKind::Index { safe: true, .. } => return true,
            ExprKind::Field { target, .. } | ExprKind::Index { target, .. } | ExprKind::TupleIndex { target, .. } => {
                target
            }
            ExprKind::Call { callee, .. } => match &callee.kind {
                ExprKind::Field { safe: true, .. } => return true,
                ExprKind::Field { target, .. } => target,
                _ => return false,
            },
            _ => return false,
        };
    }
}

/// The type of `await` on a value of type `t`: futures replaced by their values.
pub(super) fn awaited(t: &Ty) -> Ty {
    match t {
        Ty::Future(inner) => (**inner).clone(),
        Ty::List(e) => Ty::list(awaited(e)),
        Ty::Set(e) => Ty::Set(Box::new(awaited(e))),
        Ty::Map(k, v) => Ty::Map(k.clone(), Box::new(awaited(v))),
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(awaited).collect()),
        Ty::Union(ms) => Ty::union(ms.iter().map(awaited).collect()),
        t => t.clone(),
    }
}

/// Whether a value of type `t` certainly holds no future (then `await` on it is an error).
pub(super) fn certainly_no_future(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Float | Ty::String | Ty::Bool | Ty::Bytes | Ty::Null | Ty::Range => true,
        Ty::List(e) | Ty::Set(e) => certainly_no_future(e),
        Ty::Map(k, v) | Ty::Result(k, v) => certainly_no_future(k) && certainly_no_future(v),
        Ty::Tuple(items) | Ty::Union(items) => items.iter().all(certainly_no_future),
        _ => false,
    }
}
