//! Static types as the checker knows them (LANGUAGE.md §4).
//!
//! `Unknown` stands for anything the checker does not infer, and for the type of an expression
//! that already produced an error: it is compatible with every type and every operation, so one
//! mistake never cascades and nothing the checker cannot see is rejected. `Any` and `Json` are the
//! language's dynamic types and behave the same way for checking, but print by their names.

use std::fmt;

/// Index of a record, enum, process or agent declaration in the program's type table.
pub type TypeId = usize;

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Int,
    Float,
    String,
    Bool,
    Bytes,
    Null,
    Range,
    TraceRef,
    Any,
    Json,
    Unknown,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    Result(Box<Ty>, Box<Ty>),
    Future(Box<Ty>),
    Generator(Box<Ty>),
    /// Flattened, without duplicates, at least two members (see [`Ty::union`]).
    Union(Vec<Ty>),
    /// A record, enum, process or agent with its type arguments.
    Named(TypeId, String, Vec<Ty>),
    Fn(Box<FnTy>),
    /// A generic type parameter inside the declaration that binds it.
    Param(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnTy {
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// `None`: no row written (any effects).
    pub effects: Option<Vec<String>>,
}

impl Ty {
    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }

    pub fn optional(t: Ty) -> Ty {
        Ty::union(vec![t, Ty::Null])
    }

    pub fn func(params: Vec<Ty>, ret: Ty) -> Ty {
        Ty::Fn(Box::new(FnTy { params, ret, effects: None }))
    }

    /// The union of `members`, flattened and deduplicated; `Unknown` or a dynamic member absorbs
    /// the rest.
    pub fn union(members: Vec<Ty>) -> Ty {
        let mut out: Vec<Ty> = Vec::new();
        let mut stack = members;
        stack.reverse();
        while let Some(t) = stack.pop() {
            match t {
                Ty::Union(inner) => stack.extend(inner.into_iter().rev()),
                Ty::Unknown => return Ty::Unknown,
                Ty::Any => return Ty::Any,
                Ty::Json => return Ty::Json,
                t if !out.contains(&t) => out.push(t),
                _ => {}
            }
        }
        match out.len() {
            0 => Ty::Unknown,
            1 => out.pop().unwrap_or(Ty::Unknown),
            _ => Ty::Union(out),
        }
    }

    /// `Unknown`, `Any` or `Json`: checked at run time, never rejected statically.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Any | Ty::Json)
    }

    /// Whether the type has an unknown or dynamic part anywhere (then "certainly wrong" checks
    /// stay silent).
    pub fn has_unknown(&self) -> bool {
        match self {
            Ty::Unknown | Ty::Any | Ty::Json | Ty::Param(_) => true,
            Ty::List(t) | Ty::Set(t) | Ty::Future(t) | Ty::Generator(t) => t.has_unknown(),
            Ty::Map(a, b) | Ty::Result(a, b) => a.has_unknown() || b.has_unknown(),
            Ty::Tuple(ts) | Ty::Union(ts) | Ty::Named(_, _, ts) => ts.iter().any(Ty::has_unknown),
            Ty::Fn(f) => f.params.iter().any(Ty::has_unknown) || f.ret.has_unknown(),
            _ => false,
        }
    }

    pub fn members(&self) -> &[Ty] {
        match self {
            Ty::Union(ms) => ms,
            t => std::slice::from_ref(t),
        }
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Union(ms) if ms.contains(&Ty::Null))
    }

    /// Whether `null` may be used where this type is expected.
    pub fn accepts_null(&self) -> bool {
        match self {
            Ty::Null => true,
            Ty::Union(ms) => ms.iter().any(Ty::accepts_null),
            t => t.is_dynamic(),
        }
    }

    /// The type without its `Null` member (`T?` becomes `T`).
    pub fn without_null(&self) -> Ty {
        match self {
            Ty::Union(ms) => Ty::union(ms.iter().filter(|m| **m != Ty::Null).cloned().collect()),
            t => t.clone(),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// Replaces the type parameters for which `subst` has a type.
    pub fn subst(&self, subst: &dyn Fn(&str) -> Option<Ty>) -> Ty {
        match self {
            Ty::Param(name) => subst(name).unwrap_or_else(|| self.clone()),
            Ty::List(t) => Ty::List(Box::new(t.subst(subst))),
            Ty::Set(t) => Ty::Set(Box::new(t.subst(subst))),
            Ty::Future(t) => Ty::Future(Box::new(t.subst(subst))),
            Ty::Generator(t) => Ty::Generator(Box::new(t.subst(subst))),
            Ty::Map(a, b) => Ty::Map(Box::new(a.subst(subst)), Box::new(b.subst(subst))),
            Ty::Result(a, b) => Ty::Result(Box::new(a.subst(subst)), Box::new(b.subst(subst))),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| t.subst(subst)).collect()),
            Ty::Union(ts) => Ty::union(ts.iter().map(|t| t.subst(subst)).collect()),
            Ty::Named(id, name, ts) => Ty::Named(*id, name.clone(), ts.iter().map(|t| t.subst(subst)).collect()),
            Ty::Fn(f) => Ty::Fn(Box::new(FnTy {
                params: f.params.iter().map(|t| t.subst(subst)).collect(),
                ret: f.ret.subst(subst),
                effects: f.effects.clone(),
            })),
            t => t.clone(),
        }
    }

    /// Every type parameter replaced by `Unknown`.
    pub fn erase_params(&self) -> Ty {
        self.subst(&|_| Some(Ty::Unknown))
    }

    pub fn mentions_param(&self) -> bool {
        match self {
            Ty::Param(_) => true,
            Ty::List(t) | Ty::Set(t) | Ty::Future(t) | Ty::Generator(t) => t.mentions_param(),
            Ty::Map(a, b) | Ty::Result(a, b) => a.mentions_param() || b.mentions_param(),
            Ty::Tuple(ts) | Ty::Union(ts) | Ty::Named(_, _, ts) => ts.iter().any(Ty::mentions_param),
            Ty::Fn(f) => f.params.iter().any(Ty::mentions_param) || f.ret.mentions_param(),
            _ => false,
        }
    }
}

/// Whether a value of type `s` may be used where `t` is expected (LANGUAGE.md 4.2).
pub fn assignable(s: &Ty, t: &Ty) -> bool {
    assign(s, t, true)
}

/// `top`: numeric widening applies only at the top level of a value, not inside constructors.
fn assign(s: &Ty, t: &Ty, top: bool) -> bool {
    use Ty::*;
    if s.is_dynamic() || t.is_dynamic() || s == t {
        return true;
    }
    match (s, t) {
        (Union(ms), _) => ms.iter().all(|m| assign(m, t, top)),
        (_, Union(ms)) => ms.iter().any(|m| assign(s, m, top)),
        (Int, Float) => top,
        (List(a), List(b)) | (Set(a), Set(b)) | (Future(a), Future(b)) | (Generator(a), Generator(b)) => {
            assign(a, b, false)
        }
        (Map(k1, v1), Map(k2, v2)) | (Result(k1, v1), Result(k2, v2)) => assign(k1, k2, false) && assign(v1, v2, false),
        (Tuple(a), Tuple(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| assign(x, y, false)),
        (Named(i, _, a), Named(j, _, b)) => {
            i == j && (a.len() != b.len() || a.iter().zip(b).all(|(x, y)| assign(x, y, false)))
        }
        // Arguments and results are whole values: numeric widening applies to them.
        (Fn(f), Fn(g)) => {
            f.params.len() == g.params.len()
                && g.params.iter().zip(&f.params).all(|(gp, fp)| assign(gp, fp, true))
                && assign(&f.ret, &g.ret, true)
                && match (&f.effects, &g.effects) {
                    (Some(fe), Some(ge)) => fe.iter().all(|e| ge.contains(e)),
                    _ => true,
                }
        }
        _ => false,
    }
}

/// Whether two types can share a value, i.e. have a common supertype other than `Any`
/// (`==` between them is allowed, LANGUAGE.md 4.6).
pub fn overlaps(a: &Ty, b: &Ty) -> bool {
    use Ty::*;
    if a.is_dynamic() || b.is_dynamic() || a == b {
        return true;
    }
    match (a, b) {
        (Param(_), _) | (_, Param(_)) => true,
        (Union(ms), other) | (other, Union(ms)) => ms.iter().any(|m| overlaps(m, other)),
        (Int, Float) | (Float, Int) => true,
        (List(x), List(y)) | (Set(x), Set(y)) | (Future(x), Future(y)) | (Generator(x), Generator(y)) => overlaps(x, y),
        (Map(k1, v1), Map(k2, v2)) | (Result(k1, v1), Result(k2, v2)) => overlaps(k1, k2) && overlaps(v1, v2),
        (Tuple(x), Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| overlaps(p, q)),
        (Named(i, _, _), Named(j, _, _)) => i == j,
        (Fn(_), Fn(_)) => true,
        _ => false,
    }
}

/// The common type of two values (branches of an `if`, elements of a literal).
pub fn join(a: &Ty, b: &Ty) -> Ty {
    if matches!((a, b), (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int)) {
        return Ty::Float;
    }
    if assignable_exact(a, b) {
        return b.clone();
    }
    if assignable_exact(b, a) {
        return a.clone();
    }
    Ty::union(vec![a.clone(), b.clone()])
}

/// Assignability without numeric widening: joining `Int` and `Float` keeps both.
fn assignable_exact(s: &Ty, t: &Ty) -> bool {
    !matches!((s, t), (Ty::Int, Ty::Float)) && assign(s, t, false)
}

/// For a message: where in `expected` the `found` type differs, when that is deeper than the top.
pub fn diff(expected: &Ty, found: &Ty) -> Option<String> {
    fn walk(e: &Ty, f: &Ty, path: &mut Vec<std::string::String>) -> Option<(std::string::String, std::string::String)> {
        use Ty::*;
        let inner = |path: &mut Vec<std::string::String>, what: &str, e: &Ty, f: &Ty| {
            path.push(what.to_string());
            let r = walk(e, f, path);
            if r.is_none() {
                path.pop();
            }
            r
        };
        match (e, f) {
            (List(a), List(b)) | (Set(a), Set(b)) => inner(path, "the element type", a, b),
            (Map(k1, v1), Map(k2, v2)) if !assign(k2, k1, false) => inner(path, "the key type", k1, k2),
            (Map(_, v1), Map(_, v2)) => inner(path, "the value type", v1, v2),
            (Result(o1, _), Result(o2, _)) if !assign(o2, o1, false) => inner(path, "the `ok` type", o1, o2),
            (Result(_, e1), Result(_, e2)) => inner(path, "the `err` type", e1, e2),
            (Tuple(a), Tuple(b)) if a.len() == b.len() => {
                let i = a.iter().zip(b).position(|(x, y)| !assign(y, x, false))?;
                inner(path, &format!("element {i} of the tuple"), &a[i], &b[i])
            }
            (Fn(g), Fn(h)) if g.params.len() == h.params.len() => {
                if let Some(i) = g.params.iter().zip(&h.params).position(|(x, y)| !assign(x, y, false)) {
                    return inner(path, &format!("parameter {} of the function", i + 1), &g.params[i], &h.params[i]);
                }
                inner(path, "the function's result", &g.ret, &h.ret)
            }
            _ => Some((e.to_string(), f.to_string())),
        }
    }
    let mut path = Vec::new();
    let (e, f) = walk(expected, found, &mut path)?;
    if path.is_empty() {
        return None;
    }
    let path: Vec<&str> = path.iter().rev().map(String::as_str).collect();
    Some(format!("in {}: expected `{e}`, found `{f}`", path.join(" of ")))
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, items: &[Ty]) -> fmt::Result {
            for (i, t) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{t}")?;
            }
            Ok(())
        }
        match self {
            Ty::Int => write!(f, "Int"),
            Ty::Float => write!(f, "Float"),
            Ty::String => write!(f, "String"),
            Ty::Bool => write!(f, "Bool"),
            Ty::Bytes => write!(f, "Bytes"),
            Ty::Null => write!(f, "Null"),
            Ty::Range => write!(f, "Range"),
            Ty::TraceRef => write!(f, "TraceRef"),
            Ty::Any | Ty::Unknown => write!(f, "Any"),
            Ty::Json => write!(f, "Json"),
            Ty::List(t) => write!(f, "list[{t}]"),
            Ty::Set(t) => write!(f, "set[{t}]"),
            Ty::Future(t) => write!(f, "Future[{t}]"),
            Ty::Generator(t) => write!(f, "Generator[{t}]"),
            Ty::Map(k, v) => write!(f, "map[{k}, {v}]"),
            Ty::Result(a, b) => write!(f, "result[{a}, {b}]"),
            Ty::Tuple(items) => {
                write!(f, "(")?;
                list(f, items)?;
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            Ty::Union(ms) => {
                let non_null: Vec<&Ty> = ms.iter().filter(|m| **m != Ty::Null).collect();
                if non_null.len() == 1 && ms.len() == 2 {
                    let inner = non_null[0];
                    return if matches!(inner, Ty::Fn(_)) { write!(f, "({inner})?") } else { write!(f, "{inner}?") };
                }
                for (i, m) in ms.iter().enumerate() {
                    if i > 0 {
                        write!(f, " | ")?;
                    }
                    if matches!(m, Ty::Fn(_)) { write!(f, "({m})")? } else { write!(f, "{m}")? }
                }
                Ok(())
            }
            Ty::Named(_, name, args) => {
                write!(f, "{name}")?;
                if !args.is_empty() {
                    write!(f, "[")?;
                    list(f, args)?;
                    write!(f, "]")?;
                }
                Ok(())
            }
            Ty::Fn(func) => {
                write!(f, "fn(")?;
                list(f, &func.params)?;
                write!(f, ") -> {}", func.ret)?;
                if let Some(effects) = &func.effects {
                    write!(f, " / {{{}}}", effects.join(", "))?;
                }
                Ok(())
            }
            Ty::Param(name) => write!(f, "{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_only_at_top_level() {
        assert!(assignable(&Ty::Int, &Ty::Float));
        assert!(!assignable(&Ty::list(Ty::Int), &Ty::list(Ty::Float)));
        assert!(assignable(&Ty::list(Ty::Int), &Ty::list(Ty::union(vec![Ty::Int, Ty::String]))));
    }

    #[test]
    fn unions_and_null() {
        let opt = Ty::optional(Ty::Int);
        assert_eq!(opt.to_string(), "Int?");
        assert!(assignable(&Ty::Null, &opt));
        assert!(assignable(&Ty::Int, &opt));
        assert!(!assignable(&opt, &Ty::Int));
        assert!(!assignable(&Ty::Null, &Ty::Int));
        assert_eq!(opt.without_null(), Ty::Int);
        assert_eq!(Ty::union(vec![Ty::Int, Ty::Unknown]), Ty::Unknown);
    }

    #[test]
    fn overlap_of_disjoint_types() {
        assert!(!overlaps(&Ty::Int, &Ty::String));
        assert!(overlaps(&Ty::Int, &Ty::Float));
        assert!(overlaps(&Ty::optional(Ty::String), &Ty::String));
        assert!(!overlaps(&Ty::list(Ty::Int), &Ty::list(Ty::String)));
    }

    #[test]
    fn join_prefers_the_wider_type() {
        assert_eq!(join(&Ty::Null, &Ty::optional(Ty::Int)), Ty::optional(Ty::Int));
        assert_eq!(join(&Ty::Int, &Ty::String).to_string(), "Int | String");
        assert_eq!(join(&Ty::Int, &Ty::Float), Ty::Float);
    }

    #[test]
    fn diff_points_inside_constructors() {
        let e = Ty::list(Ty::Map(Box::new(Ty::String), Box::new(Ty::Int)));
        let f = Ty::list(Ty::Map(Box::new(Ty::String), Box::new(Ty::Bool)));
        assert_eq!(
            diff(&e, &f).as_deref(),
            Some("in the value type of the element type: expected `Int`, found `Bool`")
        );
        assert_eq!(diff(&Ty::Int, &Ty::String), None);
    }
}
