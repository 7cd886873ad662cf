//! Static types as the checker knows them. `Unknown` stands for anything the checker does not
//! (yet) infer: it is compatible with every type, so the checker never rejects what it cannot
//! see.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Int,
    Float,
    String,
    Bool,
    Bytes,
    Null,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Set(Box<Ty>),
    Tuple(Vec<Ty>),
    /// `T?`
    Optional(Box<Ty>),
    Record(String),
    Enum(String),
    Result(Box<Ty>, Box<Ty>),
    Function,
    /// `Any`, `Json` and everything not inferred.
    Unknown,
}

impl Ty {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Unknown)
    }

    /// Whether a value of type `self` may be used where `target` is expected (LANGUAGE.md 4.2).
    /// Unknown parts are assumed to fit.
    pub fn assignable_to(&self, target: &Ty) -> bool {
        use Ty::*;
        match (self, target) {
            (Unknown, _) | (_, Unknown) => true,
            (Int, Float) => true,
            (Null, Optional(_)) => true,
            (Optional(a), Optional(b)) => a.assignable_to(b),
            (a, Optional(b)) => a.assignable_to(b),
            (List(a), List(b)) | (Set(a), Set(b)) => a.assignable_to_inner(b),
            (Map(k1, v1), Map(k2, v2)) => k1.assignable_to_inner(k2) && v1.assignable_to_inner(v2),
            (Tuple(a), Tuple(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.assignable_to_inner(y)),
            (Result(a1, b1), Result(a2, b2)) => a1.assignable_to_inner(a2) && b1.assignable_to_inner(b2),
            (a, b) => a == b,
        }
    }

    /// Inside constructors there is no numeric widening (`list[Int]` is not `list[Float]`).
    fn assignable_to_inner(&self, target: &Ty) -> bool {
        match (self, target) {
            (Ty::Int, Ty::Float) => false,
            _ => self.assignable_to(target),
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int => write!(f, "Int"),
            Ty::Float => write!(f, "Float"),
            Ty::String => write!(f, "String"),
            Ty::Bool => write!(f, "Bool"),
            Ty::Bytes => write!(f, "Bytes"),
            Ty::Null => write!(f, "Null"),
            Ty::List(t) => write!(f, "list[{t}]"),
            Ty::Map(k, v) => write!(f, "map[{k}, {v}]"),
            Ty::Set(t) => write!(f, "set[{t}]"),
            Ty::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, ")")
            }
            Ty::Optional(t) => write!(f, "{t}?"),
            Ty::Record(name) | Ty::Enum(name) => write!(f, "{name}"),
            Ty::Result(a, b) => write!(f, "result[{a}, {b}]"),
            Ty::Function => write!(f, "function"),
            Ty::Unknown => write!(f, "Any"),
        }
    }
}
