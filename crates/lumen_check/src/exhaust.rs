//! Exhaustiveness and reachability of `match` arms (LANGUAGE.md 4.10), by the usefulness
//! algorithm of Maranget ("Warnings for pattern matching", 2007): a pattern vector is useful
//! against a matrix of earlier rows when some value matches it and no earlier row. The match is
//! exhaustive when a wildcard is not useful after all arms without guards; an arm is unreachable
//! when it is not useful after the arms before it.
//!
//! Finite domains (enums, `Bool`, `result`, `Null` in unions, tuples, records) are enumerated;
//! lists are split into the lengths the patterns mention plus "longer than that"; infinite
//! domains (`Int`, `String`, ...) are covered only by wildcards, bindings or whole-type tests.

use lumen_syntax::ast::{Ident, LiteralPattern, MatchArm, Pattern, PatternKind};

use crate::decls::Kind;
use crate::infer::Checker;
use crate::types::{Ty, TypeId, assignable};

#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Variant(TypeId, usize),
    Bool(bool),
    Ok,
    Err,
    Null,
    Tuple(usize),
    Record(TypeId),
    /// Lists of exactly this length.
    Len(usize),
    /// Lists of at least this length.
    MinLen(usize),
    /// A literal or range of an infinite domain (never completes a signature).
    Lit(String),
    /// A whole member of a union that cannot be enumerated (`n: Int`).
    TypeTest(String),
}

#[derive(Clone, Debug)]
enum Pat {
    Wild,
    Ctor(Ctor, Vec<Pat>),
    /// A list pattern with a rest: `[p.., ...rest, ..s]`.
    List(Vec<Pat>, Vec<Pat>),
    Or(Vec<Pat>),
}

pub struct Report {
    /// Values no arm covers, as patterns (`Plasma`, `err(_)`, `[_, ..._]`).
    pub missing: Option<Vec<String>>,
    /// Indices of arms that earlier arms already cover.
    pub unreachable: Vec<usize>,
}

pub fn check(c: &Checker<'_, '_>, ty: &Ty, arms: &[MatchArm]) -> Report {
    let cx = Cx { c };
    let mut rows: Vec<Vec<Pat>> = Vec::new();
    let mut unreachable = Vec::new();
    for (i, arm) in arms.iter().enumerate() {
        let p = cx.lower(&arm.pattern, ty);
        if !cx.useful(&rows, std::slice::from_ref(&p), std::slice::from_ref(ty)) {
            unreachable.push(i);
        }
        if arm.guard.is_none() {
            rows.push(vec![p]);
        }
    }
    let missing = cx.missing(&rows, std::slice::from_ref(ty), 0).map(|w| vec![cx.show(&w[0])]);
    Report { missing, unreachable }
}

#[derive(Clone, Debug)]
enum Witness {
    Wild,
    Ctor(Ctor, Vec<Witness>),
}

struct Cx<'c, 'p, 'a> {
    c: &'c Checker<'p, 'a>,
}

/// Patterns nested deeper than this are treated as wildcards (keeps the search bounded).
const MAX_DEPTH: usize = 64;

impl Cx<'_, '_, '_> {
    fn types(&self) -> &[crate::decls::TypeDecl<'_>] {
        &self.c.program().types
    }

    fn lower(&self, p: &Pattern, ty: &Ty) -> Pat {
        match &p.kind {
            PatternKind::Wildcard => Pat::Wild,
            PatternKind::Binding(id) => match self.c.payloadless_variant(&id.name) {
                Some((tid, vi)) => Pat::Ctor(Ctor::Variant(tid, vi), Vec::new()),
                None => Pat::Wild,
            },
            PatternKind::Typed { ty: t, .. } => {
                let target = self.c.resolve_quiet(t);
                self.type_test(ty, &target)
            }
            PatternKind::Literal(l) => match l {
                LiteralPattern::Bool(b) => Pat::Ctor(Ctor::Bool(*b), Vec::new()),
                LiteralPattern::Null => Pat::Ctor(Ctor::Null, Vec::new()),
                LiteralPattern::Int(i) => Pat::Ctor(Ctor::Lit(format!("i{i}")), Vec::new()),
                LiteralPattern::Float(f) => Pat::Ctor(Ctor::Lit(format!("f{}", f.to_bits())), Vec::new()),
                LiteralPattern::Str(s) => Pat::Ctor(Ctor::Lit(format!("s{s}")), Vec::new()),
            },
            PatternKind::Range { start, end, inclusive } => {
                Pat::Ctor(Ctor::Lit(format!("r{start:?}{end:?}{inclusive}")), Vec::new())
            }
            PatternKind::Tuple(items) => {
                let tys = self.sub_types(ty, &Ctor::Tuple(items.len()));
                Pat::Ctor(Ctor::Tuple(items.len()), items.iter().zip(&tys).map(|(p, t)| self.lower(p, t)).collect())
            }
            PatternKind::List { before, rest, after } => {
                let elem = list_elem(ty);
                let lower = |ps: &[Pattern]| ps.iter().map(|p| self.lower(p, &elem)).collect::<Vec<_>>();
                match rest {
                    None => Pat::Ctor(Ctor::Len(before.len()), lower(before)),
                    Some(_) => Pat::List(lower(before), lower(after)),
                }
            }
            PatternKind::Variant { path, args } => {
                // `Point(x, y)` on a record binds fields: it matches every `Point`.
                if let [name] = path.as_slice()
                    && let Some(tid) = self.record_id(&name.name)
                {
                    let n = self.types()[tid].fields.len();
                    let all_bindings = args.iter().all(|a| matches!(a.kind, PatternKind::Binding(_)));
                    return if all_bindings { Pat::Ctor(Ctor::Record(tid), vec![Pat::Wild; n]) } else { opaque() };
                }
                let Some(ctor) = self.variant_ctor(path) else { return opaque() };
                let tys = self.sub_types(ty, &ctor);
                let mut sub: Vec<Pat> = args.iter().zip(&tys).map(|(p, t)| self.lower(p, t)).collect();
                sub.resize(tys.len(), Pat::Wild);
                Pat::Ctor(ctor, sub)
            }
            PatternKind::Record { path, fields, .. } => {
                let (ctor, names) = match path.as_slice() {
                    [name] if let Some(tid) = self.record_id(&name.name) => {
                        let names: Vec<Option<String>> =
                            self.types()[tid].fields.iter().map(|f| Some(f.name.clone())).collect();
                        (Ctor::Record(tid), names)
                    }
                    _ => match self.c.variant_of_path(path) {
                        Some((tid, vi)) => {
                            let names = self.types()[tid].variants[vi]
                                .payload
                                .as_ref()
                                .map(|ps| ps.iter().map(|(n, _)| n.clone()).collect())
                                .unwrap_or_default();
                            (Ctor::Variant(tid, vi), names)
                        }
                        None => return opaque(),
                    },
                };
                let tys = self.sub_types(ty, &ctor);
                let sub = names
                    .iter()
                    .zip(&tys)
                    .map(|(n, t)| match fields.iter().find(|f| Some(f.name.name.as_str()) == n.as_deref()) {
                        Some(f) => f.pattern.as_ref().map_or(Pat::Wild, |p| self.lower(p, t)),
                        None => Pat::Wild,
                    })
                    .collect();
                Pat::Ctor(ctor, sub)
            }
            PatternKind::Qualified(path) => match self.c.variant_of_path(path) {
                Some((tid, vi)) => Pat::Ctor(Ctor::Variant(tid, vi), Vec::new()),
                None => opaque(),
            },
            PatternKind::Or(alts) => Pat::Or(alts.iter().map(|a| self.lower(a, ty)).collect()),
        }
    }

    fn record_id(&self, name: &str) -> Option<TypeId> {
        match self.c.def_of_name(name) {
            Some(crate::decls::Def::Type(tid)) if self.types()[tid].kind == Kind::Record => Some(tid),
            _ => None,
        }
    }

    fn variant_ctor(&self, path: &[Ident]) -> Option<Ctor> {
        if let [single] = path
            && self.c.def_of_name(&single.name).is_none()
        {
            match single.name.as_str() {
                "ok" => return Some(Ctor::Ok),
                "err" => return Some(Ctor::Err),
                _ => {}
            }
        }
        self.c.variant_of_path(path).map(|(tid, vi)| Ctor::Variant(tid, vi))
    }

    /// `x: T` against a value of type `ty`.
    fn type_test(&self, ty: &Ty, target: &Ty) -> Pat {
        if target.is_dynamic() || (!ty.is_dynamic() && assignable(ty, target)) {
            return Pat::Wild;
        }
        match self.enumerate(target, &[]) {
            Some(ctors) => Pat::Or(
                ctors
                    .into_iter()
                    .map(|c| match c {
                        Ctor::MinLen(0) => Pat::List(Vec::new(), Vec::new()),
                        c => {
                            let n = self.sub_types(target, &c).len();
                            Pat::Ctor(c, vec![Pat::Wild; n])
                        }
                    })
                    .collect(),
            ),
            None => Pat::Ctor(Ctor::TypeTest(test_key(target)), Vec::new()),
        }
    }

    /// The constructors of a finite type (`None` for infinite or unknown ones). Lists are split
    /// by the lengths that the `heads` mention.
    fn enumerate(&self, ty: &Ty, heads: &[&Pat]) -> Option<Vec<Ctor>> {
        match ty {
            Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
            Ty::Null => Some(vec![Ctor::Null]),
            Ty::Result(..) => Some(vec![Ctor::Ok, Ctor::Err]),
            Ty::Tuple(items) => Some(vec![Ctor::Tuple(items.len())]),
            Ty::List(_) => Some(list_split(heads)),
            Ty::Named(tid, ..) => match self.types()[*tid].kind {
                Kind::Enum => Some((0..self.types()[*tid].variants.len()).map(|vi| Ctor::Variant(*tid, vi)).collect()),
                Kind::Record => Some(vec![Ctor::Record(*tid)]),
                _ => None,
            },
            Ty::Union(ms) => {
                let mut out = Vec::new();
                for m in ms {
                    match self.enumerate(m, heads) {
                        Some(cs) => out.extend(cs),
                        None if m.is_dynamic() || matches!(m, Ty::Param(_)) => return None,
                        None => out.push(Ctor::TypeTest(test_key(m))),
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// The signature of a column: from its type, or (for an unknown type) from its patterns.
    /// `Err(())` means the column's type is unknown and cannot be told from the patterns.
    fn signature(&self, ty: &Ty, heads: &[&Pat]) -> Result<Option<Vec<Ctor>>, ()> {
        if !matches!(ty, Ty::Unknown) {
            return Ok(self.enumerate(ty, heads));
        }
        for h in heads {
            let guess = match h {
                Pat::Ctor(Ctor::Bool(_), _) => Ty::Bool,
                Pat::Ctor(Ctor::Ok | Ctor::Err, _) => Ty::Result(Box::new(Ty::Unknown), Box::new(Ty::Unknown)),
                Pat::Ctor(Ctor::Tuple(n), _) => Ty::Tuple(vec![Ty::Unknown; *n]),
                Pat::Ctor(Ctor::Len(_), _) | Pat::List(..) => Ty::list(Ty::Unknown),
                Pat::Ctor(Ctor::Variant(tid, _) | Ctor::Record(tid), _) => {
                    Ty::Named(*tid, String::new(), vec![Ty::Unknown; self.types()[*tid].generics.len()])
                }
                Pat::Ctor(Ctor::Null | Ctor::TypeTest(_), _) => return Err(()),
                _ => continue,
            };
            return Ok(self.enumerate(&guess, heads));
        }
        Ok(None)
    }

    /// Types of the fields a constructor has, for a value of type `ty`.
    fn sub_types(&self, ty: &Ty, ctor: &Ctor) -> Vec<Ty> {
        let member = |pred: &dyn Fn(&Ty) -> bool| ty.members().iter().find(|m| pred(m)).cloned();
        match ctor {
            Ctor::Variant(tid, vi) => {
                let decl = &self.types()[*tid];
                let args = match member(&|m| matches!(m, Ty::Named(i, ..) if i == tid)) {
                    Some(Ty::Named(_, _, a)) => a,
                    _ => Vec::new(),
                };
                let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
                let sub = |t: &Ty| {
                    t.subst(&|p| {
                        Some(
                            generics
                                .iter()
                                .position(|g| g == p)
                                .and_then(|i| args.get(i).cloned())
                                .unwrap_or(Ty::Unknown),
                        )
                    })
                };
                decl.variants[*vi]
                    .payload
                    .as_ref()
                    .map(|ps| ps.iter().map(|(_, t)| sub(t)).collect())
                    .unwrap_or_default()
            }
            Ctor::Record(tid) => {
                let decl = &self.types()[*tid];
                let args = match member(&|m| matches!(m, Ty::Named(i, ..) if i == tid)) {
                    Some(Ty::Named(_, _, a)) => a,
                    _ => Vec::new(),
                };
                let generics: Vec<String> = decl.generics.iter().map(|g| g.name.clone()).collect();
                decl.fields
                    .iter()
                    .map(|f| {
                        f.ty.subst(&|p| {
                            Some(
                                generics
                                    .iter()
                                    .position(|g| g == p)
                                    .and_then(|i| args.get(i).cloned())
                                    .unwrap_or(Ty::Unknown),
                            )
                        })
                    })
                    .collect()
            }
            Ctor::Ok | Ctor::Err => match member(&|m| matches!(m, Ty::Result(..))) {
                Some(Ty::Result(v, e)) => vec![if *ctor == Ctor::Ok { *v } else { *e }],
                _ => vec![Ty::Unknown],
            },
            Ctor::Tuple(n) => match member(&|m| matches!(m, Ty::Tuple(ts) if ts.len() == *n)) {
                Some(Ty::Tuple(ts)) => ts,
                _ => vec![Ty::Unknown; *n],
            },
            Ctor::Len(n) | Ctor::MinLen(n) => vec![list_elem(ty); *n],
            _ => Vec::new(),
        }
    }

    fn useful(&self, rows: &[Vec<Pat>], v: &[Pat], tys: &[Ty]) -> bool {
        self.useful_at(rows, v, tys, 0)
    }

    fn useful_at(&self, rows: &[Vec<Pat>], v: &[Pat], tys: &[Ty], depth: usize) -> bool {
        let Some(head) = v.first() else { return rows.is_empty() };
        if depth > MAX_DEPTH {
            return true;
        }
        let rows = expand_or(rows);
        let ty = &tys[0];
        match head {
            Pat::Or(alts) => alts.iter().any(|a| {
                let mut w = vec![a.clone()];
                w.extend_from_slice(&v[1..]);
                self.useful_at(&rows, &w, tys, depth + 1)
            }),
            Pat::Ctor(c, _) => self.useful_ctor(&rows, v, tys, c, depth),
            Pat::List(..) => {
                let mut heads: Vec<&Pat> = rows.iter().map(|r| &r[0]).collect();
                heads.push(head);
                list_split(&heads)
                    .into_iter()
                    .filter(|c| specialize_one(head, c, self.arity(ty, c)).is_some())
                    .any(|c| self.useful_ctor(&rows, v, tys, &c, depth))
            }
            Pat::Wild => {
                let heads: Vec<&Pat> = rows.iter().map(|r| &r[0]).collect();
                match self.signature(ty, &heads) {
                    Err(()) => true,
                    Ok(Some(sig)) if sig.iter().all(|c| present(&heads, c)) => {
                        sig.iter().any(|c| self.useful_ctor(&rows, v, tys, c, depth))
                    }
                    _ => {
                        let d = default_rows(&rows);
                        self.useful_at(&d, &v[1..], &tys[1..], depth + 1)
                    }
                }
            }
        }
    }

    fn useful_ctor(&self, rows: &[Vec<Pat>], v: &[Pat], tys: &[Ty], c: &Ctor, depth: usize) -> bool {
        let arity = self.arity(&tys[0], c);
        let Some(sv) = specialize_row(v, c, arity) else { return false };
        let srows: Vec<Vec<Pat>> = rows.iter().filter_map(|r| specialize_row(r, c, arity)).collect();
        let mut stys = self.sub_types(&tys[0], c);
        stys.resize(arity, Ty::Unknown);
        stys.extend_from_slice(&tys[1..]);
        self.useful_at(&srows, &sv, &stys, depth + 1)
    }

    fn arity(&self, ty: &Ty, c: &Ctor) -> usize {
        match c {
            Ctor::Ok | Ctor::Err => 1,
            Ctor::Tuple(n) | Ctor::Len(n) | Ctor::MinLen(n) => *n,
            Ctor::Variant(..) | Ctor::Record(_) => self.sub_types(ty, c).len(),
            _ => 0,
        }
    }

    /// A vector of values (as witness patterns) that no row matches, if any.
    fn missing(&self, rows: &[Vec<Pat>], tys: &[Ty], depth: usize) -> Option<Vec<Witness>> {
        let Some(ty) = tys.first() else { return rows.is_empty().then(Vec::new) };
        if depth > MAX_DEPTH {
            return None;
        }
        let rows = expand_or(rows);
        let heads: Vec<&Pat> = rows.iter().map(|r| &r[0]).collect();
        let sig = match self.signature(ty, &heads) {
            Err(()) => return None,
            Ok(sig) => sig,
        };
        if let Some(sig) = &sig
            && sig.iter().all(|c| present(&heads, c))
        {
            for c in sig {
                let arity = self.arity(ty, c);
                let srows: Vec<Vec<Pat>> = rows.iter().filter_map(|r| specialize_row(r, c, arity)).collect();
                let mut stys = self.sub_types(ty, c);
                stys.resize(arity, Ty::Unknown);
                stys.extend_from_slice(&tys[1..]);
                if let Some(mut w) = self.missing(&srows, &stys, depth + 1) {
                    let rest = w.split_off(arity);
                    let mut out = vec![Witness::Ctor(c.clone(), w)];
                    out.extend(rest);
                    return Some(out);
                }
            }
            return None;
        }
        let d = default_rows(&rows);
        let mut w = self.missing(&d, &tys[1..], depth + 1)?;
        let head = match sig.as_ref().and_then(|s| s.iter().find(|c| !present(&heads, c))) {
            // No constructor is mentioned at all: any value is missing.
            Some(_) if heads.iter().all(|h| matches!(h, Pat::Wild)) => Witness::Wild,
            Some(c) => Witness::Ctor(c.clone(), vec![Witness::Wild; self.arity(ty, c)]),
            None => Witness::Wild,
        };
        w.insert(0, head);
        Some(w)
    }

    fn show(&self, w: &Witness) -> String {
        let list = |ws: &[Witness]| ws.iter().map(|w| self.show(w)).collect::<Vec<_>>().join(", ");
        match w {
            Witness::Wild => "_".into(),
            Witness::Ctor(c, args) => match c {
                Ctor::Variant(tid, vi) => {
                    let v = &self.types()[*tid].variants[*vi];
                    match &v.payload {
                        None => v.name.clone(),
                        Some(_) => format!("{}({})", v.name, list(args)),
                    }
                }
                Ctor::Bool(b) => b.to_string(),
                Ctor::Null => "null".into(),
                Ctor::Ok => format!("ok({})", list(args)),
                Ctor::Err => format!("err({})", list(args)),
                Ctor::Tuple(_) => format!("({})", list(args)),
                Ctor::Record(tid) => {
                    let decl = &self.types()[*tid];
                    let shown: Vec<String> = decl
                        .fields
                        .iter()
                        .zip(args)
                        .filter(|(_, w)| !matches!(w, Witness::Wild))
                        .map(|(f, w)| format!("{}: {}", f.name, self.show(w)))
                        .collect();
                    if shown.is_empty() {
                        format!("{}(..)", decl.name)
                    } else {
                        format!("{}({}, ..)", decl.name, shown.join(", "))
                    }
                }
                Ctor::Len(_) => format!("[{}]", list(args)),
                Ctor::MinLen(_) => {
                    if args.is_empty() {
                        "[..._]".into()
                    } else {
                        format!("[{}, ..._]", list(args))
                    }
                }
                Ctor::Lit(_) => "_".into(),
                Ctor::TypeTest(k) => format!("_: {k}"),
            },
        }
    }
}

fn opaque() -> Pat {
    Pat::Ctor(Ctor::Lit("?".into()), Vec::new())
}

fn list_elem(ty: &Ty) -> Ty {
    match ty.members().iter().find(|m| matches!(m, Ty::List(_))) {
        Some(Ty::List(e)) => (**e).clone(),
        _ => Ty::Unknown,
    }
}

fn test_key(t: &Ty) -> String {
    match t {
        Ty::Named(_, name, _) => name.clone(),
        Ty::List(_) => "list".into(),
        Ty::Map(..) => "map".into(),
        Ty::Set(_) => "set".into(),
        Ty::Tuple(_) => "tuple".into(),
        Ty::Result(..) => "result".into(),
        Ty::Future(_) => "Future".into(),
        Ty::Generator(_) => "Generator".into(),
        Ty::Fn(_) => "fn".into(),
        t => t.to_string(),
    }
}

/// List lengths to distinguish: every exact length up to the longest mentioned, then "longer".
fn list_split(heads: &[&Pat]) -> Vec<Ctor> {
    let mut exact = 0usize;
    let mut min = 0usize;
    for h in heads {
        match h {
            Pat::Ctor(Ctor::Len(n), _) => exact = exact.max(*n + 1),
            Pat::List(p, s) => min = min.max(p.len() + s.len()),
            _ => {}
        }
    }
    let bound = exact.max(min);
    let mut out: Vec<Ctor> = (0..bound).map(Ctor::Len).collect();
    out.push(Ctor::MinLen(bound));
    out
}

/// Whether some head pattern is built with constructor `c` (not only a wildcard).
fn present(heads: &[&Pat], c: &Ctor) -> bool {
    heads.iter().any(|h| match h {
        Pat::Ctor(hc, _) => hc == c,
        Pat::List(p, s) => match c {
            Ctor::Len(n) | Ctor::MinLen(n) => p.len() + s.len() <= *n,
            _ => false,
        },
        _ => false,
    })
}

fn expand_or(rows: &[Vec<Pat>]) -> Vec<Vec<Pat>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match r.first() {
            Some(Pat::Or(alts)) => {
                for a in alts {
                    let mut row = vec![a.clone()];
                    row.extend_from_slice(&r[1..]);
                    out.extend(expand_or(&[row]));
                }
            }
            _ => out.push(r.clone()),
        }
    }
    out
}

/// The head pattern specialized to constructor `c` of `arity` fields.
fn specialize_one(head: &Pat, c: &Ctor, arity: usize) -> Option<Vec<Pat>> {
    match head {
        Pat::Wild => Some(vec![Pat::Wild; arity]),
        Pat::Ctor(hc, args) => (hc == c).then(|| {
            let mut a = args.clone();
            a.resize(arity, Pat::Wild);
            a
        }),
        Pat::List(p, s) => match c {
            Ctor::Len(n) | Ctor::MinLen(n) if p.len() + s.len() <= *n => {
                let mut out = p.clone();
                out.extend(std::iter::repeat_n(Pat::Wild, n - p.len() - s.len()));
                out.extend(s.iter().cloned());
                Some(out)
            }
            _ => None,
        },
        Pat::Or(_) => None,
    }
}

fn specialize_row(row: &[Pat], c: &Ctor, arity: usize) -> Option<Vec<Pat>> {
    let mut out = specialize_one(&row[0], c, arity)?;
    out.extend_from_slice(&row[1..]);
    Some(out)
}

fn default_rows(rows: &[Vec<Pat>]) -> Vec<Vec<Pat>> {
    rows.iter().filter(|r| matches!(r[0], Pat::Wild)).map(|r| r[1..].to_vec()).collect()
}
