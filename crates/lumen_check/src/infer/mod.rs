//! Type checking of cell bodies: local inference with expected types pushed into literals and
//! lambdas, narrowing of unions, generic instantiation at call sites. The checker reports only
//! what is certainly wrong; anything it cannot type becomes `Unknown`, which fits everywhere.

mod call;
mod effect;
mod expr;
mod ops;
mod pattern;
mod stmt;

use std::collections::HashMap;

use lumen_syntax::ast::{CellBody, CellDecl, Expr, ParamKind, Stmt};
use lumen_syntax::{Diagnostic, Span};

use crate::codes;
use crate::decls::{CellId, Def, Generic, Owner, Program, TyCtx};
use crate::types::{Ty, TypeId, assignable, diff, join};

#[derive(Clone, Debug)]
pub struct Local {
    /// The type here, after narrowing.
    pub ty: Ty,
    /// The type the binding was declared with (what assignments must fit).
    pub declared: Ty,
}

/// Effects a cell causes by itself and the cells it calls (LANGUAGE.md 4.9).
#[derive(Default, Debug)]
pub struct Facts {
    /// Effect name and the span of what causes it (`perform`, `emit`, a builtin or tool call).
    pub direct: Vec<(String, Span)>,
    /// Callees, the call's span, and the effects handled around the call.
    pub calls: Vec<(CellId, Span, Vec<String>)>,
}

struct Loop {
    label: Option<String>,
    breaks: Vec<Ty>,
}

/// One function body being checked: a cell, lambda, local cell, the implicit `main`, or a
/// constant or default expression.
struct Frame {
    /// The declared return type; `None` when it is inferred.
    ret: Option<Ty>,
    returns: Vec<Ty>,
    /// `Some(T)` in a generator cell `-> yield T`.
    yields: Option<Ty>,
    generics: Vec<Generic>,
    self_ty: Option<Ty>,
    /// The process or agent whose method this is (sibling methods are callable bare).
    process: Option<TypeId>,
    loops: Vec<Loop>,
    /// `loops.len()` when the innermost enclosing `defer` block started.
    defer_base: Option<usize>,
    /// The return type of the operation whose handler clause encloses this point.
    resume: Option<Ty>,
    /// Effects (and `Effect.op` names) handled by the enclosing `handle` expressions.
    handled: Vec<Vec<String>>,
    facts: Facts,
    /// Whether effects found here belong to a cell (lambdas' do not, 4.9).
    tracks_effects: bool,
}

impl Frame {
    fn new(ret: Option<Ty>) -> Frame {
        Frame {
            ret,
            returns: Vec::new(),
            yields: None,
            generics: Vec::new(),
            self_ty: None,
            process: None,
            loops: Vec::new(),
            defer_base: None,
            resume: None,
            handled: Vec::new(),
            facts: Facts::default(),
            tracks_effects: true,
        }
    }
}

pub struct Checker<'p, 'a> {
    p: &'p Program<'a>,
    module: usize,
    scopes: Vec<HashMap<String, Local>>,
    frames: Vec<Frame>,
    pub diags: Vec<Diagnostic>,
    /// Inferring a return type: diagnostics are dropped (the body is checked again later).
    quiet: bool,
}

impl<'p, 'a> Checker<'p, 'a> {
    pub fn new(p: &'p Program<'a>, module: usize) -> Checker<'p, 'a> {
        Checker { p, module, scopes: Vec::new(), frames: Vec::new(), diags: Vec::new(), quiet: false }
    }

    fn report(&mut self, d: Diagnostic) {
        if !self.quiet {
            self.diags.push(d);
        }
    }

    fn frame(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::new(None));
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    fn frame_ref(&self) -> Option<&Frame> {
        self.frames.last()
    }

    fn ctx(&self) -> TyCtx {
        let f = self.frame_ref();
        TyCtx {
            generics: f.map(|f| f.generics.iter().map(|g| g.name.clone()).collect()).unwrap_or_default(),
            self_ty: f.and_then(|f| f.self_ty.clone()),
        }
    }

    fn resolve_type(&mut self, t: &lumen_syntax::ast::TypeExpr) -> Ty {
        let ctx = self.ctx();
        let mut diags = Vec::new();
        let ty = self.p.resolve(self.module, t, &ctx, &mut diags);
        for d in diags {
            self.report(d);
        }
        ty
    }

    pub fn module(&self) -> usize {
        self.module
    }

    pub fn program(&self) -> &'p Program<'a> {
        self.p
    }

    /// Adds diagnostics found on the checker's behalf.
    pub fn extend(&mut self, diags: Vec<Diagnostic>) {
        for d in diags {
            self.report(d);
        }
    }

    pub fn mismatch_pub(&mut self, code: &'static str, what: &str, expected: &Ty, found: &Ty, span: Span) {
        self.mismatch(code, what, expected, found, span);
    }

    /// Resolves a type without reporting (the expression checker already did).
    pub fn resolve_quiet(&self, t: &lumen_syntax::ast::TypeExpr) -> Ty {
        self.p.resolve(self.module, t, &self.ctx(), &mut Vec::new())
    }

    pub fn def_of_name(&self, name: &str) -> Option<Def> {
        if self.lookup(name).is_some() {
            return None;
        }
        self.def_of(name)
    }

    // ---- scopes -------------------------------------------------------------------------

    fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn lookup(&self, name: &str) -> Option<&Local> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn bind(&mut self, name: &str, ty: Ty) {
        if name == "_" {
            return;
        }
        if self.scopes.is_empty() {
            self.push_scope();
        }
        let local = Local { declared: ty.clone(), ty };
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), local);
        }
    }

    /// Narrows a binding (or a field path `x.f`) in the current scope.
    fn narrow(&mut self, name: &str, ty: Ty) {
        let declared = match self.lookup(name) {
            Some(old) => old.declared.clone(),
            None if name.contains('.') => ty.clone(),
            None => return,
        };
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), Local { ty, declared });
        }
    }

    // ---- diagnostics --------------------------------------------------------------------

    /// Reports `found` not fitting `expected` (unless it does); true when it fits.
    fn expect_ty(&mut self, found: &Ty, expected: &Ty, code: &'static str, what: &str, span: Span) -> bool {
        if assignable(found, expected) {
            return true;
        }
        self.mismatch(code, what, expected, found, span);
        false
    }

    fn mismatch(&mut self, code: &'static str, what: &str, expected: &Ty, found: &Ty, span: Span) {
        let mut d = Diagnostic::error(code, format!("{what}: expected `{expected}`, found `{found}`"), span)
            .with_label(format!("this is `{found}`"));
        if let Some(detail) = diff(expected, found) {
            d = d.with_help(detail);
        } else if *found == Ty::Null {
            d = d.with_help(format!("`null` fits only optional types; write the type as `{expected}?`"));
        } else if found.is_optional() && assignable(&found.without_null(), expected) {
            d = d.with_help("the value may be `null`: narrow it first (`if x != null`), or use `??` or `!`");
        }
        self.report(d);
    }

    // ---- entry points -------------------------------------------------------------------

    /// Checks a cell's body (with its `where` clause and parameter defaults); returns its effects.
    pub fn check_cell(&mut self, c: CellId) -> (Facts, Ty) {
        let p = self.p;
        let cell = &p.cells[c];
        let (generics, self_ty, _) = p.cell_context(c);
        let mut frame = Frame::new(if cell.decl.is_generator { None } else { cell.ret.clone() });
        frame.yields = if cell.decl.is_generator { Some(cell.ret.clone().unwrap_or(Ty::Unknown)) } else { None };
        frame.generics = generics;
        frame.self_ty = self_ty.clone();
        frame.process = match cell.owner {
            Owner::Process(id) => Some(id),
            _ => None,
        };
        self.frames.push(frame);
        self.push_scope();
        if let Some(s) = &cell.self_ty {
            self.bind("self", s.clone());
        }
        for (param, info) in cell.decl.params.iter().filter(|p| p.kind != ParamKind::SelfParam).zip(&cell.params) {
            if let Some(default) = &param.default {
                let found = self.expr(default, Some(&info.ty));
                let what = format!("default of parameter `{}`", info.name);
                self.expect_ty(&found, &info.ty, codes::TYPE_MISMATCH, &what, default.span);
            }
            let ty = if info.variadic { Ty::list(info.ty.clone()) } else { info.ty.clone() };
            self.bind(&info.name, ty);
        }
        if let Some(w) = &cell.decl.where_clause {
            self.condition(w, "a `where` clause");
        }
        let value = self.cell_body(cell.decl);
        self.pop_scope();
        let frame = self.frames.pop().expect("pushed above");
        let ret = match (&cell.decl.body, cell.ret.is_some()) {
            (Some(CellBody::Expr(_)), false) => value,
            _ => frame
                .returns
                .iter()
                .fold(None, |acc: Option<Ty>, t| Some(acc.map_or(t.clone(), |a| join(&a, t))))
                .unwrap_or(Ty::Null),
        };
        (frame.facts, ret)
    }

    /// Checks the body and reports a path that can reach its end (LANGUAGE.md 4.11).
    fn cell_body(&mut self, decl: &CellDecl) -> Ty {
        match &decl.body {
            Some(CellBody::Block(b)) => {
                self.block(b);
                if let Some(Some(ret)) = self.frame_ref().map(|f| f.ret.clone())
                    && !ret.accepts_null()
                    && !decl.is_generator
                    && !crate::flow::block_ends(b)
                {
                    let end = Span { start: b.span.end.saturating_sub(3).max(b.span.start), end: b.span.end };
                    let d = Diagnostic::error(
                        codes::MISSING_RETURN,
                        format!(
                            "cell `{}` can reach its end without returning a value of type `{ret}`",
                            decl.name.name
                        ),
                        end,
                    )
                    .with_label("the body can finish here")
                    .with_secondary(decl.name.span, format!("declared to return `{ret}`"))
                    .with_help("add a `return` on every path (an `else` branch, or a `return` after the last block)");
                    self.report(d);
                }
                Ty::Null
            }
            Some(CellBody::Expr(e)) => {
                let expected = self.frame_ref().and_then(|f| f.ret.clone());
                let found = self.expr(e, expected.as_ref());
                if let Some(ret) = expected {
                    self.expect_ty(&found, &ret, codes::RETURN_TYPE, "mismatched return type", e.span);
                }
                found
            }
            None => Ty::Null,
        }
    }

    /// Checks top-level statements as the body of the implicit `main`.
    pub fn check_main(&mut self, stmts: &[&Stmt]) -> Facts {
        self.frames.push(Frame::new(None));
        self.push_scope();
        self.stmts(stmts.iter().copied());
        self.pop_scope();
        self.frames.pop().map(|f| f.facts).unwrap_or_default()
    }

    /// Checks a stand-alone expression (constant, default, constraint) against `expected`.
    pub fn check_expr(&mut self, e: &Expr, expected: Option<&Ty>, bindings: &[(String, Ty)]) -> Ty {
        self.frames.push(Frame::new(None));
        self.push_scope();
        for (n, t) in bindings {
            self.bind(n, t.clone());
        }
        let t = self.expr(e, expected);
        self.pop_scope();
        self.frames.pop();
        t
    }

    /// Checks a condition-like expression (`where`, `guard:`) with bindings in scope.
    pub fn check_condition(&mut self, e: &Expr, what: &str, bindings: &[(String, Ty)], self_ty: Option<Ty>) {
        let mut frame = Frame::new(None);
        frame.self_ty = self_ty;
        self.frames.push(frame);
        self.push_scope();
        for (n, t) in bindings {
            self.bind(n, t.clone());
        }
        self.condition(e, what);
        self.pop_scope();
        self.frames.pop();
    }

    /// Checks a block with bindings in scope (machine `on_enter`, handler operations).
    pub fn check_block(
        &mut self,
        b: &lumen_syntax::ast::Block,
        bindings: &[(String, Ty)],
        ret: Option<Ty>,
        self_ty: Option<Ty>,
    ) {
        let mut frame = Frame::new(ret);
        frame.self_ty = self_ty;
        self.frames.push(frame);
        self.push_scope();
        for (n, t) in bindings {
            self.bind(n, t.clone());
        }
        self.block(b);
        self.pop_scope();
        self.frames.pop();
    }

    // ---- names --------------------------------------------------------------------------

    /// What a bare name means at this point, locals first.
    fn def_of(&self, name: &str) -> Option<Def> {
        if let Some(pid) = self.frame_ref().and_then(|f| f.process)
            && let Some(c) = self.p.types[pid].methods.get(name)
        {
            return Some(Def::Cell(*c));
        }
        if let Some(pid) = self.frame_ref().and_then(|f| f.process)
            && let Some(t) = self.p.types[pid].tools.get(name)
        {
            return Some(Def::Tool(*t));
        }
        let m = &self.p.modules[self.module];
        match m.names.get(name) {
            Some(d) => Some(*d),
            None if m.open => Some(Def::Unknown),
            None => None,
        }
    }

    /// The return type callers see for cell `c`: declared, or inferred from its body; futures
    /// for async cells and generators for `-> yield T` cells.
    fn return_type(&mut self, c: CellId) -> Ty {
        let cell = &self.p.cells[c];
        let base = if cell.decl.is_generator {
            return Ty::Generator(Box::new(cell.ret.clone().unwrap_or(Ty::Unknown)));
        } else if let Some(r) = &cell.ret {
            r.clone()
        } else if cell.decl.body.is_none() {
            if cell.owner == Owner::Extern { Ty::Null } else { Ty::Unknown }
        } else {
            infer_return(self.p, c)
        };
        if cell.decl.is_async { Ty::Future(Box::new(base)) } else { base }
    }

    /// The type of constant `i`: declared, or inferred from its initializer.
    fn const_type(&mut self, i: usize) -> Ty {
        let (module, decl) = self.p.consts[i];
        if let Some(t) = &decl.ty {
            return self.p.resolve(module, t, &TyCtx::default(), &mut Vec::new());
        }
        if let Some(known) = self.p.const_types.borrow().get(&i) {
            return known.clone().unwrap_or(Ty::Unknown);
        }
        self.p.const_types.borrow_mut().insert(i, None);
        let mut sub = Checker::new(self.p, module);
        sub.quiet = true;
        let t = sub.check_expr(&decl.value, None, &[]);
        self.p.const_types.borrow_mut().insert(i, Some(t.clone()));
        t
    }

    fn record_effect(&mut self, effect: &str, op: Option<&str>, span: Span) {
        let frame = self.frame();
        if !frame.tracks_effects {
            return;
        }
        let handled = frame.handled.iter().flatten().any(|h| match op {
            Some(op) => *h == format!("{effect}.{op}") || h == effect,
            None => h == effect,
        });
        if !handled {
            frame.facts.direct.push((effect.to_string(), span));
        }
    }

    fn record_call(&mut self, c: CellId, span: Span) {
        let frame = self.frame();
        if frame.tracks_effects {
            let handled: Vec<String> = frame.handled.iter().flatten().filter(|h| !h.contains('.')).cloned().collect();
            frame.facts.calls.push((c, span, handled));
        }
    }
}

/// The return type of a cell that declares none, inferred from its `return` statements (or its
/// `= expression`); `Unknown` while a recursive inference is in progress.
pub fn infer_return(p: &Program<'_>, c: CellId) -> Ty {
    if let Some(known) = p.inferred.borrow().get(&c) {
        if known.is_none() {
            p.recursive.borrow_mut().insert(c);
        }
        return known.clone().unwrap_or(Ty::Unknown);
    }
    p.inferred.borrow_mut().insert(c, None);
    let mut sub = Checker::new(p, p.cells[c].module);
    sub.quiet = true;
    let (_, ret) = sub.check_cell(c);
    p.inferred.borrow_mut().insert(c, Some(ret.clone()));
    ret
}
