//! Runtime values (ARCHITECTURE.md "Values").
//!
//! A `Value` is 16 bytes: immediates for null, bool, int and float, and reference-counted heap
//! objects for everything else. Collections and records have value semantics: they are shared
//! and copied on write (`Rc::make_mut`), so data never forms cycles. Handles (futures,
//! generators, process and agent instances) alias one mutable object.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::{IndexMap, IndexSet};

pub use crate::rcstr::RcStr;

/// Maps and sets keep insertion order (IndexMap); the hasher is foldhash's, much faster than
/// SipHash on the short keys programs use, and seeded per process.
pub type MapObj = IndexMap<Value, Value, foldhash::fast::RandomState>;
pub type SetObj = IndexSet<Value, foldhash::fast::RandomState>;

/// `repr(C, u8)` fixes the layout: the tag in byte 0 and every payload (one word) at offset 8, so
/// the interpreter can move a value as two loads that each match an earlier store (see
/// `interp::move_value`).
#[derive(Clone, Debug, Default)]
#[repr(C, u8)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(RcStr),
    Bytes(Rc<Vec<u8>>),
    List(Rc<Vec<Value>>),
    Tuple(Rc<Vec<Value>>),
    Map(Rc<MapObj>),
    Set(Rc<SetObj>),
    Record(Rc<RecordObj>),
    /// Enum values, including `ok`/`err` results (see [`EnumType::is_result`]).
    Enum(Rc<EnumObj>),
    Range(Rc<RangeObj>),
    Func(Rc<FuncObj>),
    /// Futures, generators, process and agent instances: aliased, mutable.
    Handle(Rc<RefCell<HandleObj>>),
}

/// A declared record type; values point at it, so display and equality need no registry.
#[derive(Debug)]
pub struct RecordType {
    /// Index into the program's type table.
    pub id: u32,
    pub name: Rc<str>,
    pub fields: Vec<Rc<str>>,
    /// The function checking the record's `where` constraints, if any.
    pub validator: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct RecordObj {
    pub ty: Rc<RecordType>,
    pub fields: Vec<Value>,
}

#[derive(Debug)]
pub struct EnumType {
    /// Index into the program's type table (0 is `result`).
    pub id: u32,
    pub name: Rc<str>,
    pub variants: Vec<Rc<str>>,
}

thread_local! {
    static RESULT_TYPE: Rc<EnumType> = Rc::new(EnumType {
        id: 0,
        name: Rc::from("result"),
        variants: vec![Rc::from("ok"), Rc::from("err")],
    });
}

thread_local! {
    /// The wrapper of a `return` travelling out of a `handle` body (internal; never visible).
    static ESCAPE_TYPE: Rc<EnumType> = Rc::new(EnumType {
        id: u32::MAX,
        name: Rc::from("<escape>"),
        variants: vec![Rc::from("return")],
    });
}

/// A `return` value leaving a `handle` body.
pub fn make_escape(v: Value) -> Value {
    Value::Enum(Rc::new(EnumObj { ty: ESCAPE_TYPE.with(Rc::clone), variant: 0, payload: vec![v] }))
}

/// The predeclared `result` enum, shared by the VM and the builtins.
pub fn result_type() -> Rc<EnumType> {
    RESULT_TYPE.with(Rc::clone)
}

/// `ok(v)` or `err(v)`.
pub fn make_result(is_ok: bool, v: Value) -> Value {
    Value::Enum(Rc::new(EnumObj { ty: result_type(), variant: u32::from(!is_ok), payload: vec![v] }))
}

impl EnumType {
    /// The predeclared `result` type has exactly the variants `ok` and `err`.
    pub fn is_result(&self) -> bool {
        &*self.name == "result"
    }
}

#[derive(Clone, Debug)]
pub struct EnumObj {
    pub ty: Rc<EnumType>,
    pub variant: u32,
    pub payload: Vec<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeObj {
    pub start: i64,
    pub end: i64,
    pub inclusive: bool,
    pub step: i64,
    /// Whether `step` was written (display shows it).
    pub explicit_step: bool,
}

/// Function values. The interpreter interprets `Closure::proto`.
#[derive(Debug)]
pub enum FuncObj {
    Closure {
        proto: u32,
        name: Option<Rc<str>>,
        captures: Vec<Value>,
    },
    Builtin {
        id: u32,
        name: Rc<str>,
    },
    /// A variant constructor used as a function (`map(xs, Just)`).
    Variant {
        ty: Rc<EnumType>,
        variant: u32,
        arity: u32,
    },
    /// `f ~> g`
    Compose(Value, Value),
}

#[derive(Debug)]
pub enum HandleObj {
    /// A task's state; the interpreter owns its representation.
    Future(Opaque),
    /// A generator's state; the interpreter owns its representation.
    Generator(Opaque),
    /// A process or agent instance: its kind (`memory`, `agent`...), declared name, type index
    /// and state (configuration entries and the built-in methods' data).
    Instance { kind: Rc<str>, name: Rc<str>, id: u32, state: MapObj },
    /// The state of a `for` loop or comprehension over a collection (internal).
    Iter(IterState),
    /// A variable shared between a cell and its `handle` bodies (internal).
    Cell(Value),
}

#[derive(Debug)]
pub enum IterState {
    Seq { items: Rc<Vec<Value>>, next: usize },
    Range { next: i64, end: i64, step: i64, inclusive: bool },
    Chars { text: RcStr, next: usize },
    Map { map: Rc<MapObj>, next: usize },
    Set { set: Rc<SetObj>, next: usize },
    Bytes { bytes: Rc<Vec<u8>>, next: usize },
}

/// State only the interpreter understands (a suspended frame stack).
pub struct Opaque(pub Box<dyn std::any::Any>);

impl std::fmt::Debug for Opaque {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<opaque>")
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(RcStr::new(s))
    }

    pub fn string(s: String) -> Value {
        Value::Str(RcStr::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }

    pub fn bytes(bytes: Vec<u8>) -> Value {
        Value::Bytes(Rc::new(bytes))
    }

    pub fn map(map: MapObj) -> Value {
        Value::Map(Rc::new(map))
    }

    pub fn set(set: SetObj) -> Value {
        Value::Set(Rc::new(set))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The runtime kind name (`type_of`, LANGUAGE.md 5.1).
    pub fn type_name(&self) -> String {
        match self {
            Value::Null => "Null".into(),
            Value::Bool(_) => "Bool".into(),
            Value::Int(_) => "Int".into(),
            Value::Float(_) => "Float".into(),
            Value::Str(_) => "String".into(),
            Value::Bytes(_) => "Bytes".into(),
            Value::List(_) => "List".into(),
            Value::Tuple(_) => "Tuple".into(),
            Value::Map(_) => "Map".into(),
            Value::Set(_) => "Set".into(),
            Value::Record(r) => r.ty.name.to_string(),
            Value::Enum(e) if e.ty.is_result() => "Result".into(),
            Value::Enum(e) => e.ty.name.to_string(),
            Value::Range(_) => "Range".into(),
            Value::Func(_) => "Function".into(),
            Value::Handle(h) => match &*h.borrow() {
                HandleObj::Future(_) => "Future".into(),
                HandleObj::Generator(_) => "Generator".into(),
                HandleObj::Instance { name, .. } => name.to_string(),
                HandleObj::Iter(_) => "Iterator".into(),
                HandleObj::Cell(v) => v.type_name(),
            },
        }
    }

    /// Truthiness (`to_bool`, `matches`): false for null, false, 0, 0.0, NaN and empty
    /// strings, bytes and collections.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0 && !f.is_nan(),
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Set(s) => !s.is_empty(),
            _ => true,
        }
    }

    /// `ok(v)` / `err(e)` as `(is_ok, payload)`.
    pub fn as_result(&self) -> Option<(bool, &Value)> {
        match self {
            Value::Enum(e) if e.ty.is_result() => Some((e.variant == 0, e.payload.first().unwrap_or(&Value::Null))),
            _ => None,
        }
    }

    /// Structural ordering (LANGUAGE.md 5.5); `None` for unordered pairs (NaN, maps, mixed kinds).
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Null, Null) => Some(Ordering::Equal),
            (Null, _) => Some(Ordering::Less),
            (_, Null) => Some(Ordering::Greater),
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(a), Float(b)) => (*a as f64).partial_cmp(b),
            (Float(a), Int(b)) => a.partial_cmp(&(*b as f64)),
            (Float(a), Float(b)) => a.partial_cmp(b),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Str(a), Str(b)) => Some(a.cmp(b)),
            (Bytes(a), Bytes(b)) => Some(a.cmp(b)),
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => compare_seq(a, b),
            (Record(a), Record(b)) if a.ty.id == b.ty.id => compare_seq(&a.fields, &b.fields),
            (Enum(a), Enum(b)) if a.ty.id == b.ty.id => match a.variant.cmp(&b.variant) {
                Ordering::Equal => compare_seq(&a.payload, &b.payload),
                other => Some(other),
            },
            _ => None,
        }
    }
}

fn compare_seq(a: &[Value], b: &[Value]) -> Option<Ordering> {
    for (x, y) in a.iter().zip(b) {
        match x.compare(y)? {
            Ordering::Equal => continue,
            other => return Some(other),
        }
    }
    Some(a.len().cmp(&b.len()))
}

/// Structural equality (LANGUAGE.md 5.5): numbers across Int/Float, IEEE for floats, maps and
/// sets ignoring order, handles by identity.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Int(a), Float(b)) | (Float(b), Int(a)) => (*a as f64) == *b,
            (Float(a), Float(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Map(a), Map(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v)),
            (Set(a), Set(b)) => a.len() == b.len() && a.iter().all(|k| b.contains(k)),
            (Record(a), Record(b)) => a.ty.id == b.ty.id && a.fields == b.fields,
            (Enum(a), Enum(b)) => a.ty.id == b.ty.id && a.variant == b.variant && a.payload == b.payload,
            (Range(a), Range(b)) => a == b,
            (Func(a), Func(b)) => Rc::ptr_eq(a, b) || func_eq(a, b),
            (Handle(a), Handle(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

fn func_eq(a: &FuncObj, b: &FuncObj) -> bool {
    match (a, b) {
        (FuncObj::Closure { proto: p, captures: c, .. }, FuncObj::Closure { proto: q, captures: d, .. }) => {
            p == q && c == d
        }
        (FuncObj::Builtin { id: x, .. }, FuncObj::Builtin { id: y, .. }) => x == y,
        (FuncObj::Variant { ty: t, variant: v, .. }, FuncObj::Variant { ty: u, variant: w, .. }) => {
            Rc::ptr_eq(t, u) && v == w
        }
        _ => false,
    }
}

/// Values are map keys and set elements. `Eq` is not reflexive for NaN, which only means a NaN
/// key is never found (LANGUAGE.md 5.6).
impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        use Value::*;
        match self {
            Null => 0u8.hash(state),
            Bool(b) => b.hash(state),
            // Int and Float that compare equal must hash equally.
            Int(i) => i.hash(state),
            Float(f) => {
                if f.fract() == 0.0 && *f >= -9.2e18 && *f <= 9.2e18 {
                    (*f as i64).hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Str(s) => s.hash(state),
            Bytes(b) => b.hash(state),
            List(l) | Tuple(l) => l.hash(state),
            Map(m) => m.len().hash(state),
            Set(s) => s.len().hash(state),
            Record(r) => r.fields.hash(state),
            Enum(e) => {
                e.variant.hash(state);
                e.payload.hash(state);
            }
            Range(r) => (r.start, r.end, r.step).hash(state),
            Func(_) | Handle(_) => 1u8.hash(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    /// The interpreter copies values as tag byte + payload word and writes `Null` as tag 0.
    #[test]
    fn value_layout_is_tag_then_payload_word() {
        let v = Value::Bool(true);
        let bytes = &v as *const Value as *const u8;
        // SAFETY: reads bytes 0 and 8 of a live value: the tag and the bool payload.
        unsafe {
            assert_eq!(*bytes.add(8), 1);
        }
        let null = Value::Null;
        // SAFETY: byte 0 of a live value is its tag.
        assert_eq!(unsafe { *(&null as *const Value as *const u8) }, 0);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
    }
}
