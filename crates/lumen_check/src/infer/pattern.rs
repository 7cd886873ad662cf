//! Patterns: the types of their bindings, duplicate bindings, and `match` (LANGUAGE.md 3.6,
//! 4.10).

use std::collections::HashMap;

use lumen_syntax::ast::{Expr, ExprKind, Ident, LiteralPattern, MatchArm, Pattern, PatternKind};
use lumen_syntax::{Diagnostic, Span};

use super::Checker;
use super::stmt::narrow_is;
use crate::codes;
use crate::decls::{Def, Kind};
use crate::types::{Ty, join, overlaps};

impl Checker<'_, '_> {
    /// Binds the names of `pat` matched against a value of type `ty`.
    pub(super) fn bind_pattern(&mut self, pat: &Pattern, ty: &Ty) {
        let mut seen = HashMap::new();
        self.pattern(pat, ty, &mut seen);
    }

    fn pattern(&mut self, pat: &Pattern, ty: &Ty, seen: &mut HashMap<String, Span>) {
        match &pat.kind {
            PatternKind::Wildcard => {}
            PatternKind::Binding(id) => {
                if self.payloadless_variant(&id.name).is_some() {
                    return;
                }
                self.bind_name(id, ty.clone(), seen);
            }
            PatternKind::Typed { name, ty: t } => {
                let target = self.resolve_type(t);
                let (yes, _) = narrow_is(ty, &target);
                self.bind_name(name, yes, seen);
            }
            PatternKind::Literal(l) => self.literal_pattern(l, ty, pat.span),
            PatternKind::Range { start, .. } => self.literal_pattern(start, ty, pat.span),
            PatternKind::Tuple(items) => {
                let tys: Vec<Ty> = match ty {
                    Ty::Tuple(ts) if ts.len() == items.len() => ts.clone(),
                    _ => vec![Ty::Unknown; items.len()],
                };
                for (p, t) in items.iter().zip(&tys) {
                    self.pattern(p, t, seen);
                }
            }
            PatternKind::List { before, rest, after } => {
                let elem = match ty {
                    Ty::List(e) => (**e).clone(),
                    _ => Ty::Unknown,
                };
                for p in before.iter().chain(after) {
                    self.pattern(p, &elem, seen);
                }
                if let Some(Some(name)) = rest {
                    self.bind_name(name, Ty::list(elem), seen);
                }
            }
            PatternKind::Variant { path, args } => {
                // `Point(x, y)` on a record is the field shorthand.
                if let Some(fields) = self.record_fields_of(path, ty) {
                    for arg in args {
                        match &arg.kind {
                            PatternKind::Binding(id) => {
                                let t = fields.iter().find(|(n, _)| n.as_deref() == Some(id.name.as_str()));
                                self.bind_name(id, t.map_or(Ty::Unknown, |(_, t)| t.clone()), seen);
                            }
                            _ => self.pattern(arg, &Ty::Unknown, seen),
                        }
                    }
                    return;
                }
                let payload = self.variant_payload(path, ty);
                for (i, p) in args.iter().enumerate() {
                    let t = payload.as_ref().and_then(|ps| ps.get(i)).map_or(Ty::Unknown, |(_, t)| t.clone());
                    self.pattern(p, &t, seen);
                }
            }
            PatternKind::Record { path, fields, rest } => {
                if !rest && let Some(all) = self.record_fields_of(path, ty) {
                    let missing: Vec<&str> = all
                        .iter()
                        .filter_map(|(n, _)| n.as_deref())
                        .filter(|n| !fields.iter().any(|f| f.name.name == *n))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                        self.report(
                            Diagnostic::error(
                                codes::PATTERN,
                                format!("this record pattern does not list {list}"),
                                pat.span,
                            )
                            .with_label("fields left out")
                            .with_help("list every field, or end the pattern with `..` to ignore the rest"),
                        );
                    }
                }
                let named = self.record_pattern_fields(path, ty);
                for f in fields {
                    let t = named
                        .as_ref()
                        .and_then(|ns| ns.iter().find(|(n, _)| n.as_deref() == Some(f.name.name.as_str())))
                        .map_or(Ty::Unknown, |(_, t)| t.clone());
                    match &f.pattern {
                        Some(p) => self.pattern(p, &t, seen),
                        None => self.bind_name(&f.name, t, seen),
                    }
                }
            }
            PatternKind::Qualified(_) => {}
            PatternKind::Or(alts) => {
                // Every alternative binds the same names (LANGUAGE.md 3.6).
                let names: Vec<Vec<String>> = alts.iter().map(|a| self.bound_names(a)).collect();
                for (alt, ns) in alts.iter().zip(&names).skip(1) {
                    let first = &names[0];
                    let odd: Vec<&String> = first
                        .iter()
                        .filter(|n| !ns.contains(n))
                        .chain(ns.iter().filter(|n| !first.contains(n)))
                        .collect();
                    if let Some(n) = odd.first() {
                        self.report(
                            Diagnostic::error(
                                codes::PATTERN,
                                format!("`{n}` is not bound in every alternative of this or-pattern"),
                                alt.span,
                            )
                            .with_label("binds different names than the first alternative")
                            .with_help("each alternative must bind the same names, with the same types"),
                        );
                        break;
                    }
                }
                let before = seen.clone();
                for (i, alt) in alts.iter().enumerate() {
                    if i == 0 {
                        self.pattern(alt, ty, seen);
                    } else {
                        let mut own = before.clone();
                        self.pattern(alt, ty, &mut own);
                    }
                }
            }
        }
    }

    /// The names a pattern binds, sorted.
    fn bound_names(&self, p: &Pattern) -> Vec<String> {
        fn walk(c: &Checker<'_, '_>, p: &Pattern, out: &mut Vec<String>) {
            match &p.kind {
                PatternKind::Binding(id) if c.payloadless_variant(&id.name).is_none() => out.push(id.name.clone()),
                PatternKind::Typed { name, .. } => out.push(name.name.clone()),
                PatternKind::Tuple(items) => items.iter().for_each(|i| walk(c, i, out)),
                PatternKind::List { before, rest, after } => {
                    before.iter().chain(after).for_each(|i| walk(c, i, out));
                    if let Some(Some(n)) = rest {
                        out.push(n.name.clone());
                    }
                }
                PatternKind::Variant { args, .. } => args.iter().for_each(|a| walk(c, a, out)),
                PatternKind::Record { fields, .. } => {
                    for f in fields {
                        match &f.pattern {
                            Some(p) => walk(c, p, out),
                            None => out.push(f.name.name.clone()),
                        }
                    }
                }
                PatternKind::Or(alts) => {
                    if let Some(a) = alts.first() {
                        walk(c, a, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, p, &mut out);
        out.retain(|n| n != "_");
        out.sort();
        out.dedup();
        out
    }

    fn bind_name(&mut self, id: &Ident, ty: Ty, seen: &mut HashMap<String, Span>) {
        if id.name == "_" {
            return;
        }
        if let Some(first) = seen.insert(id.name.clone(), id.span) {
            self.duplicate(&id.name, "binding", id.span, first);
        }
        self.bind(&id.name, ty);
    }

    fn literal_pattern(&mut self, l: &LiteralPattern, ty: &Ty, span: Span) {
        let lt = match l {
            LiteralPattern::Int(_) => Ty::Int,
            LiteralPattern::Float(_) => Ty::Float,
            LiteralPattern::Str(_) => Ty::String,
            LiteralPattern::Bool(_) => Ty::Bool,
            LiteralPattern::Null => return,
        };
        if !ty.has_unknown() && !overlaps(&lt, ty) {
            // Dead, but not ill-typed by the letter of §4.11: a warning.
            self.report(
                Diagnostic::warning(
                    codes::PATTERN_NEVER_MATCHES,
                    format!("a `{lt}` pattern can never match a value of type `{ty}`"),
                    span,
                )
                .with_label(format!("this pattern is `{lt}`"))
                .with_help("the arm never runs; compare with a value of the scrutinee's type"),
            );
        }
    }

    /// A bare name that is a payload-less variant in scope (then the pattern tests for it).
    pub(crate) fn payloadless_variant(&self, name: &str) -> Option<(usize, usize)> {
        match self.def_of(name) {
            Some(Def::Variant(tid, vi)) if self.p.types[tid].variants[vi].payload.is_none() => Some((tid, vi)),
            _ => None,
        }
    }

    /// The enum and variant a pattern path names (`V`, `E.V`).
    pub(crate) fn variant_of_path(&self, path: &[Ident]) -> Option<(usize, usize)> {
        match path {
            [v] => match self.def_of(&v.name) {
                Some(Def::Variant(tid, vi)) => Some((tid, vi)),
                _ => None,
            },
            [e, v] => match self.def_of(&e.name) {
                Some(Def::Type(tid)) => {
                    self.p.types[tid].variants.iter().position(|x| x.name == v.name).map(|vi| (tid, vi))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Payload names and types of the variant `path` for a scrutinee of type `ty`.
    fn variant_payload(&self, path: &[Ident], ty: &Ty) -> Option<Vec<(Option<String>, Ty)>> {
        if let [single] = path
            && (single.name == "ok" || single.name == "err")
            && self.def_of(&single.name).is_none()
        {
            let inner = match ty.members().iter().find(|m| matches!(m, Ty::Result(..))) {
                Some(Ty::Result(v, e)) => {
                    if single.name == "ok" {
                        (**v).clone()
                    } else {
                        (**e).clone()
                    }
                }
                _ => Ty::Unknown,
            };
            return Some(vec![(None, inner)]);
        }
        let (tid, vi) = self.variant_of_path(path)?;
        let decl = &self.p.types[tid];
        let args: Vec<Ty> = ty
            .members()
            .iter()
            .find_map(|m| match m {
                Ty::Named(id, _, a) if *id == tid => Some(a.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
        let sub = |t: &Ty| {
            t.subst(&|p| {
                Some(generics.iter().position(|g| g == p).and_then(|i| args.get(i).cloned()).unwrap_or(Ty::Unknown))
            })
        };
        decl.variants[vi].payload.as_ref().map(|ps| ps.iter().map(|(n, t)| (n.clone(), sub(t))).collect())
    }

    /// Field names and types for `Rec(f: p, ..)` or a variant with named payload fields.
    fn record_pattern_fields(&self, path: &[Ident], ty: &Ty) -> Option<Vec<(Option<String>, Ty)>> {
        self.record_fields_of(path, ty).or_else(|| self.variant_payload(path, ty))
    }

    /// The fields of the record `path` names (for a value of type `ty`), if it names a record.
    fn record_fields_of(&self, path: &[Ident], ty: &Ty) -> Option<Vec<(Option<String>, Ty)>> {
        if let [name] = path
            && let Some(Def::Type(tid)) = self.def_of(&name.name)
            && self.p.types[tid].kind == Kind::Record
        {
            let decl = &self.p.types[tid];
            let args: Vec<Ty> = match ty {
                Ty::Named(id, _, a) if *id == tid => a.clone(),
                _ => Vec::new(),
            };
            let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
            return Some(
                decl.fields
                    .iter()
                    .map(|f| {
                        let t = f.ty.subst(&|p| {
                            Some(
                                generics
                                    .iter()
                                    .position(|g| g == p)
                                    .and_then(|i| args.get(i).cloned())
                                    .unwrap_or(Ty::Unknown),
                            )
                        });
                        (Some(f.name.clone()), t)
                    })
                    .collect(),
            );
        }
        None
    }

    pub(super) fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], span: Span, expected: Option<&Ty>) -> Ty {
        let t = self.expr(scrutinee, None);
        let name = match &scrutinee.kind {
            ExprKind::Ident(id) if self.lookup(&id.name).is_some() => Some(id.name.clone()),
            _ => None,
        };
        let mut remaining = t.clone();
        let mut value: Option<Ty> = None;
        for arm in arms {
            self.push_scope();
            if let Some(n) = &name {
                self.narrow(n, remaining.clone());
            }
            self.bind_pattern(&arm.pattern, &remaining);
            // In `n: Int -> ...` and `null -> ...` the scrutinee itself is narrowed too.
            if let Some(n) = &name {
                match &arm.pattern.kind {
                    PatternKind::Typed { ty, .. } => {
                        let target = self.resolve_quiet(ty);
                        self.narrow(n, narrow_is(&remaining, &target).0);
                    }
                    PatternKind::Literal(LiteralPattern::Null) => self.narrow(n, Ty::Null),
                    _ => {}
                }
            }
            if let Some(g) = &arm.guard {
                self.condition(g, "a match guard");
                let (facts, _) = self.facts(g);
                self.apply(&facts);
            }
            let v = self.block_value(&arm.body, expected);
            value = Some(value.map_or(v.clone(), |a| join(&a, &v)));
            self.pop_scope();
            if arm.guard.is_none() {
                remaining = self.without_covered(&remaining, &arm.pattern);
            }
        }
        if !self.quiet {
            let scrutinee_ty =
                if t.is_dynamic() && matches!(t, Ty::Unknown) { self.infer_scrutinee(arms) } else { Some(t) };
            if let Some(st) = scrutinee_ty {
                let report = crate::exhaust::check(self, &st, arms);
                if let Some(missing) = report.missing {
                    let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                    // Point at `match scrutinee`, not at the whole block.
                    let head = Span { start: span.start, end: scrutinee.span.end.max(span.start) };
                    let d = Diagnostic::error(
                        codes::NON_EXHAUSTIVE,
                        format!("non-exhaustive match: {list} not covered"),
                        head,
                    )
                    .with_label(format!("missing {list}"))
                    .with_help(format!("add an arm for each missing case, or a `_ ->` arm (the scrutinee is `{st}`)"));
                    self.report(d);
                }
                for i in report.unreachable {
                    let arm = &arms[i];
                    self.report(
                        Diagnostic::warning(codes::UNREACHABLE_ARM, "unreachable match arm", arm.pattern.span)
                            .with_label("earlier arms already cover every value this pattern matches")
                            .with_help("remove the arm, or move it before the arm that covers it"),
                    );
                }
            }
        }
        value.unwrap_or(Ty::Null)
    }

    /// The scrutinee type implied by the patterns when the checker could not infer it.
    fn infer_scrutinee(&self, arms: &[MatchArm]) -> Option<Ty> {
        let mut found: Option<usize> = None;
        fn walk(c: &Checker<'_, '_>, p: &Pattern, found: &mut Option<usize>, ok: &mut bool) {
            let tid = match &p.kind {
                PatternKind::Variant { path, .. } | PatternKind::Qualified(path) | PatternKind::Record { path, .. } => {
                    c.variant_of_path(path).map(|(t, _)| t)
                }
                PatternKind::Binding(id) => c.payloadless_variant(&id.name).map(|(t, _)| t),
                PatternKind::Or(alts) => {
                    for a in alts {
                        walk(c, a, found, ok);
                    }
                    return;
                }
                PatternKind::Wildcard => return,
                _ => {
                    *ok = false;
                    return;
                }
            };
            match (tid, *found) {
                (Some(t), None) => *found = Some(t),
                (Some(t), Some(f)) if t == f => {}
                (None, _) if matches!(p.kind, PatternKind::Binding(_)) => {}
                _ => *ok = false,
            }
        }
        let mut ok = true;
        for arm in arms {
            walk(self, &arm.pattern, &mut found, &mut ok);
        }
        let tid = found.filter(|_| ok)?;
        let decl = &self.p.types[tid];
        (decl.kind == Kind::Enum).then(|| Ty::Named(tid, decl.name.clone(), vec![Ty::Unknown; decl.generics.len()]))
    }

    /// What remains of a union after an arm without guard (`null ->`, `n: Int ->`).
    fn without_covered(&mut self, ty: &Ty, pat: &Pattern) -> Ty {
        if !matches!(ty, Ty::Union(_)) {
            return ty.clone();
        }
        match &pat.kind {
            PatternKind::Literal(LiteralPattern::Null) => ty.without_null(),
            PatternKind::Typed { ty: t, .. } => {
                let target = self.p.resolve(self.module, t, &self.ctx(), &mut Vec::new());
                narrow_is(ty, &target).1
            }
            PatternKind::Or(alts) => alts.iter().fold(ty.clone(), |acc, a| self.without_covered(&acc, a)),
            _ => ty.clone(),
        }
    }
}
