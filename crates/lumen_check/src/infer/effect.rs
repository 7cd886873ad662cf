//! `perform`, `handle`, `resume` and `await` (LANGUAGE.md 3.5.13, 5.9, 5.13).

use lumen_syntax::ast::{Arg, AwaitBranch, AwaitKind, Block, Expr, HandleClause, HandleClauseKind, Ident};
use lumen_syntax::{Diagnostic, Span};

use super::Checker;
use super::expr::{awaited, certainly_no_future};
use crate::codes;
use crate::decls::Def;
use crate::types::{Ty, join};

impl Checker<'_, '_> {
    /// The operation `effect.op` if both exist; reports unknown effects and operations.
    fn operation(&mut self, effect: &Ident, op: &Ident) -> Option<Option<(usize, usize)>> {
        match self.p.effect(self.module, &effect.name) {
            Some(Def::Effect(id)) => {
                let info = &self.p.effects[id];
                match info.ops.iter().position(|o| o.name == op.name) {
                    Some(i) => Some(Some((id, i))),
                    None => {
                        let mut d = Diagnostic::error(
                            codes::UNKNOWN_EFFECT,
                            format!("effect `{}` has no operation `{}`", effect.name, op.name),
                            op.span,
                        )
                        .with_label("unknown operation");
                        let names: Vec<&str> = info.ops.iter().map(|o| o.name.as_str()).collect();
                        d = match crate::suggest::best(&op.name, names.iter().copied()) {
                            Some(best) => d.with_help(format!("an operation with a similar name exists: `{best}`")),
                            None => d.with_help(format!("operations of `{}`: {}", effect.name, names.join(", "))),
                        };
                        self.report(d);
                        None
                    }
                }
            }
            Some(_) => Some(None),
            None => {
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_EFFECT,
                    format!("undefined effect `{}`", effect.name),
                    effect.span,
                )
                .with_label("no effect with this name");
                let names: Vec<&str> = self.p.modules[self.module]
                    .names
                    .iter()
                    .filter(|(_, d)| matches!(d, Def::Effect(_)))
                    .map(|(k, _)| k.as_str())
                    .collect();
                d = match crate::suggest::best(&effect.name, names.iter().copied()) {
                    Some(best) => d.with_help(format!("an effect with a similar name exists: `{best}`")),
                    None => d.with_help(format!("declare it: `effect {}` with its operations as cells", effect.name)),
                };
                self.report(d);
                None
            }
        }
    }

    pub(super) fn perform(&mut self, effect: &Ident, op: &Ident, args: &[Arg], span: Span) -> Ty {
        let Some(found) = self.operation(effect, op) else {
            for a in args {
                self.expr(&a.value, None);
            }
            return Ty::Unknown;
        };
        self.record_effect(&effect.name, Some(&op.name), span);
        let Some((id, i)) = found else {
            for a in args {
                self.expr(&a.value, None);
            }
            return Ty::Unknown;
        };
        let info = &self.p.effects[id].ops[i];
        let params = info.params.clone();
        let ret = info.ret.clone();
        if args.len() != params.len() && !args.iter().any(|a| a.spread) {
            self.report(
                Diagnostic::error(
                    codes::EFFECT_ARGUMENTS,
                    format!(
                        "`{}.{}` takes {}, got {}",
                        effect.name,
                        op.name,
                        plural(params.len(), "argument"),
                        args.len()
                    ),
                    span,
                )
                .with_label("wrong number of arguments"),
            );
        }
        for (k, a) in args.iter().enumerate() {
            let slot = match &a.name {
                Some(n) => params.iter().position(|p| p.0 == n.name),
                None => Some(k),
            };
            let expected = slot.and_then(|s| params.get(s)).map(|p| p.1.clone());
            let t = self.expr(&a.value, expected.as_ref());
            if let Some(x) = expected {
                let what = format!("argument of `{}.{}` has the wrong type", effect.name, op.name);
                self.expect_ty(&t, &x, codes::EFFECT_ARGUMENTS, &what, a.value.span);
            }
        }
        ret
    }

    pub(super) fn handle(&mut self, body: &Block, clauses: &[HandleClause], expected: Option<&Ty>) -> Ty {
        let mut handled: Vec<String> = Vec::new();
        for c in clauses {
            match &c.kind {
                HandleClauseKind::Op { effect: Some(e), op, .. } => handled.push(format!("{}.{}", e.name, op.name)),
                HandleClauseKind::Op { effect: None, op, .. } => {
                    if let Some(Def::Tool(t)) = self.def_of(&op.name) {
                        handled.push(self.p.tools[t].effect.clone());
                    }
                }
                HandleClauseKind::Handler(h) => {
                    if let Some(Def::Handler(i)) = self.def_of(&h.name) {
                        for op in &self.p.handlers[i].ops {
                            handled.push(format!("{}.{}", op.effect.name, op.op.name));
                        }
                    }
                }
            }
        }
        // An effect is handled as a whole for callees when any of its operations is.
        let whole: Vec<String> = handled.iter().filter_map(|h| h.split('.').next().map(str::to_string)).collect();
        handled.extend(whole);
        self.frame().handled.push(handled);
        let mut value = self.block_value(body, expected);
        self.frame().handled.pop();
        for c in clauses {
            match &c.kind {
                HandleClauseKind::Op { effect: Some(effect), op, params, body } => {
                    let found = self.operation(effect, op).flatten();
                    let (param_tys, resume_ty) = match found {
                        Some((id, i)) => {
                            let info = &self.p.effects[id].ops[i];
                            if info.params.len() != params.len() {
                                self.report(
                                    Diagnostic::error(
                                        codes::EFFECT_ARGUMENTS,
                                        format!(
                                            "the clause for `{}.{}` takes {}, the operation has {}",
                                            effect.name,
                                            op.name,
                                            plural(params.len(), "parameter"),
                                            info.params.len()
                                        ),
                                        c.span,
                                    )
                                    .with_label("wrong number of parameters"),
                                );
                            }
                            (info.params.iter().map(|p| p.1.clone()).collect::<Vec<_>>(), info.ret.clone())
                        }
                        None => (Vec::new(), Ty::Unknown),
                    };
                    let v = self.clause(params, &param_tys, resume_ty, body);
                    value = join(&value, &v);
                }
                HandleClauseKind::Op { effect: None, op, params, body } => {
                    match self.def_of(&op.name) {
                        Some(Def::Tool(_) | Def::Unknown) => {}
                        _ => self.report(
                            Diagnostic::error(
                                codes::UNKNOWN_EFFECT,
                                format!("`{}` is not a tool alias", op.name),
                                op.span,
                            )
                            .with_label("a handler clause names `Effect.operation` or a tool alias")
                            .with_help("declare the tool with `use tool path as Alias`, or write `Effect.op(...)`"),
                        ),
                    }
                    let v = self.clause(params, &[], Ty::Unknown, body);
                    value = join(&value, &v);
                }
                HandleClauseKind::Handler(h) => match self.def_of(&h.name) {
                    Some(Def::Handler(_) | Def::Unknown) => {}
                    _ => {
                        let mut d =
                            Diagnostic::error(codes::UNKNOWN_EFFECT, format!("undefined handler `{}`", h.name), h.span)
                                .with_label("no top-level `handler` with this name");
                        let names: Vec<&str> = self.p.modules[self.module]
                            .names
                            .iter()
                            .filter(|(_, d)| matches!(d, Def::Handler(_)))
                            .map(|(k, _)| k.as_str())
                            .collect();
                        if let Some(best) = crate::suggest::best(&h.name, names.iter().copied()) {
                            d = d.with_help(format!("a handler with a similar name exists: `{best}`"));
                        }
                        self.report(d);
                    }
                },
            }
        }
        value
    }

    /// A handler clause body: parameters bound, `resume` allowed with the operation's type.
    fn clause(&mut self, params: &[lumen_syntax::ast::Param], tys: &[Ty], resume: Ty, body: &Block) -> Ty {
        self.push_scope();
        let mut seen = std::collections::HashMap::new();
        for (i, p) in params.iter().enumerate() {
            if let Some(prev) = seen.insert(p.name.name.clone(), p.span) {
                self.duplicate(&p.name.name, "parameter", p.span, prev);
            }
            let t = match &p.ty {
                Some(t) => self.resolve_type(t),
                None => tys.get(i).cloned().unwrap_or(Ty::Unknown),
            };
            self.bind(&p.name.name, t);
        }
        let saved = self.frame().resume.replace(resume);
        let v = self.block_value(body, None);
        self.frame().resume = saved;
        self.pop_scope();
        v
    }

    pub(super) fn resume(&mut self, value: Option<&Expr>, span: Span) -> Ty {
        let allowed = self.frame_ref().and_then(|f| f.resume.clone());
        let found = value.map(|v| self.expr(v, allowed.as_ref()));
        match allowed {
            None => self.report(
                Diagnostic::error(codes::RESUME_OUTSIDE_HANDLER, "`resume` outside a handler clause", span)
                    .with_label("no operation to resume here")
                    .with_help(
                        "`resume` is allowed directly in the clauses of a `handle ... with` expression, not in closures or top-level handlers",
                    ),
            ),
            Some(expected) => {
                let t = found.unwrap_or(Ty::Null);
                if let Some(v) = value {
                    self.expect_ty(&t, &expected, codes::ARGUMENT_TYPE, "`resume` value has the wrong type", v.span);
                } else {
                    self.expect_ty(&t, &expected, codes::ARGUMENT_TYPE, "`resume()` resumes with `null`", span);
                }
            }
        }
        Ty::Unknown
    }

    pub(super) fn await_expr(&mut self, x: &Expr, span: Span) -> Ty {
        let t = self.expr(x, None);
        if certainly_no_future(&t) {
            self.report(
                Diagnostic::error(codes::AWAIT_NON_FUTURE, format!("`await` on `{t}`, which holds no future"), span)
                    .with_label(format!("this is `{t}`"))
                    .with_help("`await` waits for futures: call an `async` cell or `spawn(f)` to get one"),
            );
            return t;
        }
        awaited(&t)
    }

    pub(super) fn await_block(&mut self, kind: AwaitKind, branches: &[AwaitBranch]) -> Ty {
        let tys: Vec<Ty> = branches.iter().map(|b| awaited(&self.expr(&b.expr, None))).collect();
        for (b, t) in branches.iter().zip(&tys) {
            if let Some(n) = &b.name {
                self.bind(&n.name, t.clone());
            }
        }
        match kind {
            AwaitKind::Parallel => Ty::Tuple(tys),
            AwaitKind::Select => Ty::optional(tys.iter().fold(Ty::Null, |a, t| join(&a, t))),
            AwaitKind::Race | AwaitKind::Vote => {
                tys.iter().skip(1).fold(tys.first().cloned().unwrap_or(Ty::Unknown), |a, t| join(&a, t))
            }
        }
    }

    /// A top-level `handler`: each operation's body returns the operation's value (it may not
    /// call `resume`, LANGUAGE.md 5.9).
    pub fn check_handler_decl(&mut self, h: &lumen_syntax::ast::HandlerDecl) {
        for op in &h.ops {
            let found = self.operation(&op.effect, &op.op).flatten();
            let (tys, ret) = match found {
                Some((id, i)) => {
                    let info = &self.p.effects[id].ops[i];
                    (info.params.iter().map(|p| p.1.clone()).collect::<Vec<_>>(), Some(info.ret.clone()))
                }
                None => (Vec::new(), None),
            };
            let declared = op.ret.as_ref().map(|t| self.resolve_type(t));
            let mut bindings = Vec::new();
            for (i, prm) in op.params.iter().enumerate() {
                let t = match &prm.ty {
                    Some(t) => self.resolve_type(t),
                    None => tys.get(i).cloned().unwrap_or(Ty::Unknown),
                };
                bindings.push((prm.name.name.clone(), t));
            }
            self.check_block(&op.body, &bindings, declared.or(ret), None);
        }
    }

    pub(super) fn duplicate(&mut self, name: &str, what: &str, span: Span, first: Span) {
        self.report(
            Diagnostic::error(codes::DUPLICATE_NAME, format!("duplicate {what} `{name}`"), span)
                .with_label(format!("`{name}` is already bound"))
                .with_secondary(first, "first bound here")
                .with_help(format!("rename one of the {what}s")),
        );
    }
}

/// `1 argument`, `2 arguments`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
