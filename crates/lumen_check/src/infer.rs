//! Local type inference over cell bodies, reporting certain errors only.

use std::collections::HashMap;

use lumen_syntax::ast::{
    Arg, BinOp, Block, CellBody, CellDecl, Cond, Expr, ExprKind, ItemKind, LambdaBody, LiteralPattern, MatchArm,
    Module, Pattern, PatternKind, Stmt, StmtKind, UnaryOp,
};
use lumen_syntax::{Diagnostic, Span};

use crate::codes;
use crate::env::{Env, builtin_result, nondeterministic_builtin};
use crate::types::Ty;

pub struct Checker<'e> {
    env: &'e Env,
    scopes: Vec<HashMap<String, Ty>>,
    /// Declared return type of the cell being checked (`None`: inferred, not checked).
    ret: Vec<Option<Ty>>,
    pub diags: Vec<Diagnostic>,
}

impl<'e> Checker<'e> {
    pub fn new(env: &'e Env, _source: &str) -> Checker<'e> {
        Checker { env, scopes: Vec::new(), ret: Vec::new(), diags: Vec::new() }
    }

    pub fn check_module(&mut self, module: &Module) {
        let mut top_level: Vec<&Stmt> = Vec::new();
        for item in &module.items {
            match &item.kind {
                ItemKind::Cell(cell) => self.check_cell(cell),
                ItemKind::Enum(e) => e.methods.iter().for_each(|m| self.check_cell(m)),
                ItemKind::Impl(i) => i.methods.iter().for_each(|m| self.check_cell(m)),
                ItemKind::Stmt(s) => top_level.push(s),
                _ => {}
            }
        }
        self.scopes.push(HashMap::new());
        self.ret.push(None);
        for s in top_level {
            self.stmt(s);
        }
        self.ret.pop();
        self.scopes.pop();
    }

    fn check_cell(&mut self, cell: &CellDecl) {
        let sig = self.env.cell_ty(cell);
        let mut scope = HashMap::new();
        for (name, ty, _) in &sig.params {
            scope.insert(name.clone(), ty.clone());
        }
        for p in &cell.params {
            if p.kind != lumen_syntax::ast::ParamKind::Normal {
                scope.insert(p.name.name.clone(), Ty::Unknown);
            }
        }
        self.scopes.push(scope);
        self.ret.push(sig.ret.clone());
        match &cell.body {
            Some(CellBody::Block(b)) => self.block(b),
            Some(CellBody::Expr(e)) => {
                let t = self.expr(e);
                self.check_return(&t, e.span);
            }
            None => {}
        }
        self.ret.pop();
        self.scopes.pop();
    }

    fn lookup(&self, name: &str) -> Option<&Ty> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn bind(&mut self, name: &str, ty: Ty) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), ty);
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    fn mismatch(&mut self, code: &'static str, what: String, expected: &Ty, found: &Ty, span: Span) {
        self.diags.push(
            Diagnostic::error(code, format!("{what}: expected {expected}, found {found}"), span)
                .with_label(format!("this is {found}"))
                .with_help(format!("expected `{expected}`\n   found `{found}`")),
        );
    }

    fn check_return(&mut self, found: &Ty, span: Span) {
        if let Some(Some(expected)) = self.ret.last().cloned()
            && !found.assignable_to(&expected)
        {
            self.mismatch(codes::RETURN_TYPE, "mismatched return type".into(), &expected, found, span);
        }
    }

    fn block(&mut self, block: &Block) {
        self.scopes.push(HashMap::new());
        for s in &block.stmts {
            self.stmt(s);
        }
        self.scopes.pop();
    }

    /// The block's value type (its last expression statement), for `if`/`match` expressions.
    fn block_ty(&mut self, block: &Block) -> Ty {
        self.scopes.push(HashMap::new());
        let mut ty = Ty::Null;
        for (i, s) in block.stmts.iter().enumerate() {
            if i + 1 == block.stmts.len()
                && let StmtKind::Expr(e) = &s.kind
            {
                ty = self.expr(e);
            } else {
                self.stmt(s);
                ty = Ty::Unknown;
            }
        }
        self.scopes.pop();
        ty
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { pattern, ty, value, .. } => {
                let found = self.expr(value);
                let declared = ty.as_ref().map(|t| self.env.ty_of(t, &[]));
                if let Some(expected) = &declared
                    && !found.assignable_to(expected)
                {
                    self.mismatch(
                        codes::TYPE_MISMATCH,
                        "mismatched types in `let`".into(),
                        expected,
                        &found,
                        value.span,
                    );
                }
                let bound = declared.unwrap_or(found);
                self.bind_pattern(pattern, bound);
            }
            StmtKind::Assign { target, value } | StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::Return(value) => {
                if let Some(v) = value {
                    let t = self.expr(v);
                    self.check_return(&t, v.span);
                }
            }
            StmtKind::Halt(e) | StmtKind::Emit(e) | StmtKind::Yield(e) => {
                self.expr(e);
            }
            StmtKind::Break { value, .. } => {
                if let Some(v) = value {
                    self.expr(v);
                }
            }
            StmtKind::Continue { .. } => {}
            StmtKind::Defer(b) => self.block(b),
            StmtKind::LocalCell(cell) => {
                self.bind(&cell.name.name, Ty::Function);
                let scopes = std::mem::take(&mut self.scopes);
                // A local cell sees the enclosing names (captured), but types stay unknown.
                let mut outer: HashMap<String, Ty> = HashMap::new();
                for s in &scopes {
                    for k in s.keys() {
                        outer.insert(k.clone(), Ty::Unknown);
                    }
                }
                self.scopes = vec![outer];
                self.check_cell(cell);
                self.scopes = scopes;
            }
            StmtKind::Expr(e) => {
                self.expr(e);
            }
        }
    }

    fn bind_pattern(&mut self, pattern: &Pattern, ty: Ty) {
        match &pattern.kind {
            PatternKind::Binding(name) => self.bind(&name.name, ty),
            PatternKind::Typed { name, ty } => {
                let t = self.env.ty_of(ty, &[]);
                self.bind(&name.name, t);
            }
            _ => {
                let mut names = Vec::new();
                pattern_names(pattern, &mut names);
                for n in names {
                    self.bind(&n, Ty::Unknown);
                }
            }
        }
    }

    fn cond(&mut self, cond: &Cond) {
        match cond {
            Cond::Expr(e) => {
                let t = self.expr(e);
                if !t.assignable_to(&Ty::Bool) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::CONDITION_NOT_BOOL,
                            format!("condition must be Bool, found {t}"),
                            e.span,
                        )
                        .with_label(format!("this is {t}"))
                        .with_help("conditions are never truthy; compare explicitly, e.g. `count > 0`"),
                    );
                }
            }
            Cond::Let { pattern, value } => {
                self.expr(value);
                self.bind_pattern(pattern, Ty::Unknown);
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Str(segments) => {
                for s in segments {
                    if let lumen_syntax::ast::StrSegment::Interp { expr, .. } = s {
                        self.expr(expr);
                    }
                }
                Ty::String
            }
            ExprKind::Bytes(_) => Ty::Bytes,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => Ty::Null,
            ExprKind::Ident(id) => match self.lookup(&id.name) {
                Some(t) => t.clone(),
                None => match self.env.variant_enum.get(&id.name) {
                    Some(en) if !self.env.imported.contains(&id.name) => Ty::Enum(en.clone()),
                    _ => Ty::Unknown,
                },
            },
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Unary { op, operand } => {
                let t = self.expr(operand);
                match op {
                    UnaryOp::Not => Ty::Bool,
                    UnaryOp::Neg => t,
                    UnaryOp::BitNot => Ty::Int,
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs);
                let b = self.expr(rhs);
                binary_ty(*op, &a, &b)
            }
            ExprKind::CompareChain { operands, .. } => {
                for o in operands {
                    self.expr(o);
                }
                Ty::Bool
            }
            ExprKind::Is { expr, .. } => {
                self.expr(expr);
                Ty::Bool
            }
            ExprKind::As { expr, ty } => {
                self.expr(expr);
                self.env.ty_of(ty, &[])
            }
            ExprKind::Call { callee, args } => self.call(callee, args),
            ExprKind::Field { target, name, safe } => {
                let t = self.expr(target);
                match &t {
                    Ty::Record(rec) => {
                        let fields = self.env.records.get(rec).map(Vec::as_slice).unwrap_or(&[]);
                        match fields.iter().find(|(f, _)| *f == name.name) {
                            Some((_, ft)) if !*safe => ft.clone(),
                            Some(_) => Ty::Unknown,
                            None => {
                                let mut d = Diagnostic::error(
                                    codes::UNKNOWN_FIELD,
                                    format!("record `{rec}` has no field `{}`", name.name),
                                    name.span,
                                )
                                .with_label("unknown field");
                                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                                if !names.is_empty() {
                                    d = d.with_help(format!("fields of `{rec}`: {}", names.join(", ")));
                                }
                                self.diags.push(d);
                                Ty::Unknown
                            }
                        }
                    }
                    _ => Ty::Unknown,
                }
            }
            ExprKind::Index { target, index, .. } => {
                let t = self.expr(target);
                self.expr(index);
                match t {
                    Ty::List(inner) => *inner,
                    Ty::Map(_, v) => *v,
                    Ty::String => Ty::String,
                    _ => Ty::Unknown,
                }
            }
            ExprKind::TupleIndex { target, index, .. } => match self.expr(target) {
                Ty::Tuple(items) => items.get(*index as usize).cloned().unwrap_or(Ty::Unknown),
                _ => Ty::Unknown,
            },
            ExprKind::List(items) | ExprKind::Set(items) => {
                let tys: Vec<Ty> = items.iter().map(|i| self.expr(&i.expr)).collect();
                let spread = items.iter().any(|i| i.spread);
                let elem = if spread { Ty::Unknown } else { common(&tys) };
                if matches!(e.kind, ExprKind::Set(_)) { Ty::Set(Box::new(elem)) } else { Ty::List(Box::new(elem)) }
            }
            ExprKind::Tuple(items) => Ty::Tuple(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Map(entries) => {
                let mut keys = Vec::new();
                let mut values = Vec::new();
                for entry in entries {
                    match entry {
                        lumen_syntax::ast::MapEntry::Pair { key, value } => {
                            keys.push(self.expr(key));
                            values.push(self.expr(value));
                        }
                        lumen_syntax::ast::MapEntry::Spread(x) => {
                            self.expr(x);
                            keys.push(Ty::Unknown);
                            values.push(Ty::Unknown);
                        }
                    }
                }
                // `{}` may be a map or a set: unknown.
                if entries.is_empty() {
                    Ty::Unknown
                } else {
                    Ty::Map(Box::new(common(&keys)), Box::new(common(&values)))
                }
            }
            ExprKind::IfThen { cond, then, otherwise } => {
                self.cond(&Cond::Expr((**cond).clone()));
                let a = self.expr(then);
                let b = self.expr(otherwise);
                if a == b { a } else { Ty::Unknown }
            }
            ExprKind::If { branches, otherwise } => {
                for br in branches {
                    self.scopes.push(HashMap::new());
                    self.cond(&br.cond);
                    self.block(&br.body);
                    self.scopes.pop();
                }
                if let Some(b) = otherwise {
                    self.block(b);
                }
                Ty::Unknown
            }
            ExprKind::While { cond, body, .. } => {
                self.scopes.push(HashMap::new());
                self.cond(cond);
                self.block(body);
                self.scopes.pop();
                Ty::Unknown
            }
            ExprKind::For { pattern, iter, filter, body, .. } => {
                let it = self.expr(iter);
                self.scopes.push(HashMap::new());
                let elem = match (&it, &iter.kind) {
                    (Ty::List(t) | Ty::Set(t), _) => (**t).clone(),
                    (_, ExprKind::Range { .. }) => Ty::Int,
                    _ => Ty::Unknown,
                };
                self.bind_pattern(pattern, elem);
                if let Some(f) = filter {
                    self.cond(&Cond::Expr((**f).clone()));
                }
                self.block(body);
                self.scopes.pop();
                Ty::Unknown
            }
            ExprKind::Loop { body, .. } | ExprKind::Do(body) | ExprKind::Comptime(body) => {
                self.block(body);
                Ty::Unknown
            }
            ExprKind::Match { scrutinee, arms } => {
                let t = self.expr(scrutinee);
                self.check_exhaustive(&t, arms, e.span);
                let mut tys = Vec::new();
                for arm in arms {
                    self.scopes.push(HashMap::new());
                    let mut names = Vec::new();
                    pattern_names(&arm.pattern, &mut names);
                    for n in names {
                        self.bind(&n, Ty::Unknown);
                    }
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    tys.push(self.block_ty(&arm.body));
                    self.scopes.pop();
                }
                Ty::Unknown
            }
            ExprKind::When { arms } => {
                for arm in arms {
                    if let Some(c) = &arm.cond {
                        self.cond(&Cond::Expr(c.clone()));
                    }
                    self.block(&arm.body);
                }
                Ty::Unknown
            }
            ExprKind::Lambda(lambda) => {
                let mut scope = HashMap::new();
                for p in &lambda.params {
                    scope.insert(p.name.name.clone(), p.ty.as_ref().map_or(Ty::Unknown, |t| self.env.ty_of(t, &[])));
                }
                self.scopes.push(scope);
                self.ret.push(None);
                match &lambda.body {
                    LambdaBody::Expr(x) => {
                        self.expr(x);
                    }
                    LambdaBody::Block(b) => self.block(b),
                }
                self.ret.pop();
                self.scopes.pop();
                Ty::Function
            }
            ExprKind::Handle { body, clauses } => {
                self.ret.push(None);
                self.block(body);
                for c in clauses {
                    if let lumen_syntax::ast::HandleClauseKind::Op { params, body, .. } = &c.kind {
                        let scope = params.iter().map(|p| (p.name.name.clone(), Ty::Unknown)).collect();
                        self.scopes.push(scope);
                        self.block(body);
                        self.scopes.pop();
                    }
                }
                self.ret.pop();
                Ty::Unknown
            }
            ExprKind::Range { start, end, step, .. } => {
                self.expr(start);
                self.expr(end);
                if let Some(s) = step {
                    self.expr(s);
                }
                Ty::Unknown
            }
            ExprKind::Unwrap(x) | ExprKind::Propagate(x) | ExprKind::Await(x) => {
                self.expr(x);
                Ty::Unknown
            }
            _ => Ty::Unknown,
        }
    }

    fn call(&mut self, callee: &Expr, args: &[Arg]) -> Ty {
        let arg_tys: Vec<Ty> = args.iter().map(|a| self.expr(&a.value)).collect();
        let ExprKind::Ident(name) = &callee.kind else {
            // `v.m(...)` may be a method or uniform call: only the receiver is checked.
            match &callee.kind {
                ExprKind::Field { target, .. } => {
                    self.expr(target);
                }
                _ => {
                    self.expr(callee);
                }
            }
            return Ty::Unknown;
        };
        if self.is_local(&name.name) || self.env.imported.contains(&name.name) {
            return Ty::Unknown;
        }
        if let Some(sig) = self.env.cells.get(&name.name) {
            if !sig.variadic && !args.iter().any(|a| a.spread) {
                let mut next = 0usize;
                for (arg, found) in args.iter().zip(&arg_tys) {
                    let param = match &arg.name {
                        Some(n) => sig.params.iter().find(|p| p.0 == n.name),
                        None => {
                            next += 1;
                            sig.params.get(next - 1)
                        }
                    };
                    if let Some((pname, expected, _)) = param
                        && !found.assignable_to(expected)
                    {
                        let what = format!("argument `{pname}` of `{}` has the wrong type", name.name);
                        self.mismatch(codes::ARGUMENT_TYPE, what, expected, found, arg.value.span);
                    }
                }
            }
            return sig.ret.clone().unwrap_or(Ty::Unknown);
        }
        if let Some(fields) = self.env.records.get(&name.name) {
            for (arg, found) in args.iter().zip(&arg_tys) {
                let field = arg.name.as_ref().map(|n| n.name.as_str()).or(match &arg.value.kind {
                    ExprKind::Ident(id) => Some(id.name.as_str()),
                    _ => None,
                });
                if let Some(f) = field
                    && let Some((_, expected)) = fields.iter().find(|(n, _)| n == f)
                    && !found.assignable_to(expected)
                {
                    let what = format!("field `{f}` of `{}` has the wrong type", name.name);
                    self.mismatch(codes::TYPE_MISMATCH, what, expected, found, arg.value.span);
                }
            }
            return Ty::Record(name.name.clone());
        }
        if let Some(en) = self.env.variant_enum.get(&name.name) {
            return Ty::Enum(en.clone());
        }
        if self.env.deterministic
            && let Some(effect) = nondeterministic_builtin(&name.name)
        {
            self.diags.push(
                Diagnostic::error(
                    codes::NONDETERMINISTIC,
                    format!("`{}` has effect `{effect}`, which is not allowed under @deterministic true", name.name),
                    name.span,
                )
                .with_label("nondeterministic builtin")
                .with_help("deterministic programs get time, randomness and the environment from tools, whose results are recorded"),
            );
        }
        builtin_result(&name.name).unwrap_or(Ty::Unknown)
    }

    /// Matches over enums, `Bool` and results must cover every case (guards do not count).
    fn check_exhaustive(&mut self, scrutinee: &Ty, arms: &[MatchArm], span: Span) {
        let all: Vec<String> = match scrutinee {
            Ty::Enum(name) => match self.env.enums.get(name) {
                Some(vs) => vs.iter().map(|(v, _)| v.clone()).collect(),
                None => return,
            },
            Ty::Bool => vec!["true".into(), "false".into()],
            Ty::Result(..) => vec!["ok".into(), "err".into()],
            _ => return,
        };
        let mut covered: Vec<String> = Vec::new();
        for arm in arms.iter().filter(|a| a.guard.is_none()) {
            if covers(&arm.pattern, &all, &mut covered) {
                return;
            }
        }
        let missing: Vec<&String> = all.iter().filter(|v| !covered.contains(v)).collect();
        if missing.is_empty() {
            return;
        }
        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        self.diags.push(
            Diagnostic::error(codes::NON_EXHAUSTIVE, format!("non-exhaustive match: {list} not covered"), span)
                .with_label(format!("missing {list}"))
                .with_help("add an arm for each missing case, or a `_ ->` arm"),
        );
    }
}

/// Whether `pattern` matches everything (returns true) or else which cases it covers.
fn covers(pattern: &Pattern, all: &[String], covered: &mut Vec<String>) -> bool {
    match &pattern.kind {
        PatternKind::Wildcard => true,
        PatternKind::Binding(name) => {
            if all.contains(&name.name) {
                covered.push(name.name.clone());
                false
            } else {
                true
            }
        }
        // Payload patterns are not analysed yet: a variant that appears at all counts as covered
        // (this can miss a gap inside payloads, but never rejects a complete match).
        PatternKind::Variant { path, .. } | PatternKind::Record { path, .. } => {
            covered.push(path[path.len() - 1].name.clone());
            false
        }
        PatternKind::Qualified(path) => {
            covered.push(path[path.len() - 1].name.clone());
            false
        }
        PatternKind::Literal(LiteralPattern::Bool(b)) => {
            covered.push(b.to_string());
            false
        }
        PatternKind::Or(alts) => alts.iter().any(|a| covers(a, all, covered)),
        _ => false,
    }
}

fn pattern_names(p: &Pattern, out: &mut Vec<String>) {
    match &p.kind {
        PatternKind::Binding(n) => out.push(n.name.clone()),
        PatternKind::Typed { name, .. } => out.push(name.name.clone()),
        PatternKind::Tuple(items) => items.iter().for_each(|i| pattern_names(i, out)),
        PatternKind::List { before, rest, after } => {
            before.iter().chain(after).for_each(|i| pattern_names(i, out));
            if let Some(Some(n)) = rest {
                out.push(n.name.clone());
            }
        }
        PatternKind::Variant { args, .. } => args.iter().for_each(|i| pattern_names(i, out)),
        PatternKind::Record { fields, .. } => {
            for f in fields {
                match &f.pattern {
                    Some(p) => pattern_names(p, out),
                    None => out.push(f.name.name.clone()),
                }
            }
        }
        PatternKind::Or(alts) => {
            if let Some(first) = alts.first() {
                pattern_names(first, out);
            }
        }
        _ => {}
    }
}

/// The common type of list elements; Int and Float mix to Float; anything else is unknown.
fn common(tys: &[Ty]) -> Ty {
    let Some(first) = tys.first() else { return Ty::Unknown };
    if tys.iter().all(|t| t == first) {
        return first.clone();
    }
    if tys.iter().all(|t| matches!(t, Ty::Int | Ty::Float)) {
        return Ty::Float;
    }
    Ty::Unknown
}

fn binary_ty(op: BinOp, a: &Ty, b: &Ty) -> Ty {
    use BinOp::*;
    match op {
        Eq | Ne | Lt | Le | Gt | Ge | And | Or | In => Ty::Bool,
        Add | Sub | Mul | Mod | Pow | FloorDiv | Div => match (a, b) {
            (Ty::Int, Ty::Int) => Ty::Int,
            (Ty::Float, Ty::Int | Ty::Float) | (Ty::Int, Ty::Float) => Ty::Float,
            (Ty::String, Ty::String) if op == Add => Ty::String,
            _ => Ty::Unknown,
        },
        Concat => match (a, b) {
            (Ty::String, Ty::String) => Ty::String,
            _ => Ty::Unknown,
        },
        BitAnd | BitOr | BitXor | Shl | Shr => Ty::Int,
        Coalesce => match a {
            Ty::Optional(inner) => (**inner).clone(),
            Ty::Null => b.clone(),
            _ => Ty::Unknown,
        },
        Pipe | Compose => Ty::Unknown,
    }
}
