//! Lists, maps and sets (LANGUAGE.md 6.6, 6.7, 6.8), without the higher-order builtins of 6.9,
//! which are written in Lumen.
//!
//! Every builtin here returns a new value and leaves its arguments untouched (value semantics,
//! LANGUAGE.md 5.2). Read-only sequence builtins accept any iterable (5.12: list, tuple, set, map
//! as `(key, value)` tuples, string as characters, range) and return lists.

use std::borrow::Cow;

use super::{BuiltinDef, BuiltinError, type_error};
use crate::value::{RangeObj, Value};

mod lists;
mod maps;
pub(super) mod order;

use lists::*;
use maps::*;
use order::{sort, sort_desc};

pub(super) const DEFS: &[BuiltinDef] = &[
    // 6.6 lists and sequences
    BuiltinDef { names: &["append", "push"], func: append, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["prepend"], func: prepend, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["insert"], func: insert, min_args: 3, max_args: Some(3), effect: None },
    BuiltinDef { names: &["remove_at"], func: remove_at, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["remove"], func: remove, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["range"], func: range, min_args: 2, max_args: Some(3), effect: None },
    BuiltinDef { names: &["first"], func: first, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["last"], func: last, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["take"], func: take, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["drop"], func: drop, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["sort"], func: sort, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["sort_desc"], func: sort_desc, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["flatten"], func: flatten, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["unique"], func: unique, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["zip"], func: zip, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["enumerate"], func: enumerate, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["chunk"], func: chunk, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["window"], func: window, min_args: 2, max_args: Some(2), effect: None },
    // 6.7 maps
    BuiltinDef { names: &["keys"], func: keys, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["values"], func: values, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["entries"], func: entries, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["has_key"], func: has_key, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["get"], func: get, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["get_or"], func: get_or, min_args: 3, max_args: Some(3), effect: None },
    BuiltinDef { names: &["merge"], func: merge, min_args: 2, max_args: Some(2), effect: None },
    // 6.8 sets
    BuiltinDef { names: &["add"], func: add, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["union"], func: union, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["intersection"], func: intersection, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["difference"], func: difference, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["is_subset"], func: is_subset, min_args: 2, max_args: Some(2), effect: None },
];

/// The elements of an iterable value (LANGUAGE.md 5.12), borrowed when it already is a sequence.
/// Generators are not accepted: draining one needs the interpreter.
pub(super) fn items<'a>(name: &str, v: &'a Value) -> Result<Cow<'a, [Value]>, BuiltinError> {
    Ok(match v {
        Value::List(xs) | Value::Tuple(xs) => Cow::Borrowed(xs.as_slice()),
        Value::Set(s) => Cow::Owned(s.iter().cloned().collect()),
        Value::Map(m) => Cow::Owned(m.iter().map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])).collect()),
        Value::Str(s) => Cow::Owned(s.chars().map(|c| Value::string(c.to_string())).collect()),
        Value::Range(r) => Cow::Owned(range_items(name, r)?),
        other => return Err(type_error(name, "an iterable", other)),
    })
}

/// The `Int` argument of builtin `name`.
pub(super) fn int_arg(name: &str, v: &Value) -> Result<i64, BuiltinError> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_error(name, "Int", other)),
    }
}

/// The position `i` designates in a sequence of `len` elements, negative indices counting from
/// the end, when it lies in `0..limit` (`limit` is `len` for element indices, `len + 1` for
/// insertion points).
fn resolve_index(i: i64, len: usize, limit: usize) -> Result<usize, BuiltinError> {
    let n = i128::try_from(len).unwrap_or(i128::MAX);
    let pos = if i < 0 { i128::from(i) + n } else { i128::from(i) };
    match usize::try_from(pos) {
        Ok(p) if p < limit => Ok(p),
        _ => Err(BuiltinError::new(format!("index out of range: {i} (length {len})"))),
    }
}

/// The elements of a range (`start..end` or `start..=end` by a non-zero `step`), computed
/// without materializing them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RangeSeq {
    start: i128,
    step: i128,
    len: u128,
}

impl RangeSeq {
    pub(super) fn new(name: &str, start: i64, end: i64, inclusive: bool, step: i64) -> Result<RangeSeq, BuiltinError> {
        if step == 0 {
            return Err(BuiltinError::new(format!("{name}: range step cannot be zero")));
        }
        let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
        // Distance to cover in the direction of `step`, made inclusive.
        let span = if step > 0 { end - start } else { start - end };
        let span = if inclusive { span + 1 } else { span };
        // `span` is at most 2^64, so everything here fits an i128.
        let len = if span <= 0 { 0 } else { (span - 1) / step.abs() + 1 };
        Ok(RangeSeq { start, step, len: len.unsigned_abs() })
    }

    pub(super) fn of(name: &str, r: &RangeObj) -> Result<RangeSeq, BuiltinError> {
        RangeSeq::new(name, r.start, r.end, r.inclusive, r.step)
    }

    /// Element `k` (from 0), if the range has one.
    pub(super) fn get(&self, k: u128) -> Option<i64> {
        if k >= self.len {
            return None;
        }
        // `k < len <= 2^64` and `|step| <= 2^63`: the product fits an i128, and every element
        // lies between `start` and `end`, so it fits an i64.
        let k = i128::try_from(k).ok()?;
        i64::try_from(self.start + k * self.step).ok()
    }

    pub(super) fn first(&self) -> Option<i64> {
        self.get(0)
    }

    pub(super) fn last(&self) -> Option<i64> {
        self.get(self.len.checked_sub(1)?)
    }

    /// The sum of the elements, `None` when it leaves the Int range.
    pub(super) fn sum(&self) -> Option<i64> {
        let (Some(first), Some(last)) = (self.first(), self.last()) else {
            return Some(0);
        };
        // An arithmetic series: len * (first + last) is even.
        let len = i128::try_from(self.len).ok()?;
        let twice = len.checked_mul(i128::from(first) + i128::from(last))?;
        i64::try_from(twice / 2).ok()
    }

    /// The elements as a list, or an error when there are too many to hold.
    pub(super) fn to_values(self, name: &str) -> Result<Vec<Value>, BuiltinError> {
        self.slice_values(name, 0, self.len)
    }

    /// Elements `from..to` (clamped to the range) as a list.
    pub(super) fn slice_values(self, name: &str, from: u128, to: u128) -> Result<Vec<Value>, BuiltinError> {
        let to = to.min(self.len);
        let count = to.saturating_sub(from);
        let too_large = || BuiltinError::new(format!("{name}: range too large to materialize ({count} elements)"));
        let mut out = Vec::new();
        out.try_reserve_exact(usize::try_from(count).map_err(|_| too_large())?).map_err(|_| too_large())?;
        for k in from..to {
            out.push(Value::Int(self.get(k).ok_or_else(too_large)?));
        }
        Ok(out)
    }
}

/// The elements of the range `start..end` (or `..=`) by `step`, as a list.
fn range_values(name: &str, start: i64, end: i64, inclusive: bool, step: i64) -> Result<Vec<Value>, BuiltinError> {
    RangeSeq::new(name, start, end, inclusive, step)?.to_values(name)
}

fn range_items(name: &str, r: &RangeObj) -> Result<Vec<Value>, BuiltinError> {
    RangeSeq::of(name, r)?.to_values(name)
}

#[cfg(test)]
pub(super) mod test_util {
    use std::rc::Rc;

    use crate::builtins::{BuiltinDef, BuiltinError, BuiltinResult, Ctx};
    use crate::host::TestHost;
    use crate::value::{RangeObj, Value};

    /// Calls the builtin named `name` from `defs` directly (argument counts are checked the way
    /// `builtins::call` checks them).
    pub fn call_in(defs: &[BuiltinDef], name: &str, args: &[Value]) -> BuiltinResult {
        let def = defs.iter().find(|d| d.names.contains(&name)).unwrap_or_else(|| panic!("no builtin {name}"));
        let n = args.len();
        assert!(n >= def.min_args as usize && def.max_args.is_none_or(|m| n <= m as usize), "{name}: bad arity {n}");
        let mut host = TestHost::default();
        let mut ctx = Ctx { host: &mut host };
        (def.func)(&mut ctx, args)
    }

    pub fn err_in(defs: &[BuiltinDef], name: &str, args: &[Value]) -> String {
        match call_in(defs, name, args) {
            Err(BuiltinError(message)) => message,
            Ok(v) => panic!("{name} returned {v:?}, expected an error"),
        }
    }

    pub fn i(n: i64) -> Value {
        Value::Int(n)
    }

    pub fn f(x: f64) -> Value {
        Value::Float(x)
    }

    pub fn s(text: &str) -> Value {
        Value::str(text)
    }

    pub fn ints(ns: &[i64]) -> Value {
        Value::list(ns.iter().map(|&n| Value::Int(n)).collect())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    pub fn pair(a: Value, b: Value) -> Value {
        Value::tuple(vec![a, b])
    }

    pub fn range_obj(start: i64, end: i64, inclusive: bool, step: i64) -> Value {
        Value::Range(Rc::new(RangeObj { start, end, inclusive, step, explicit_step: step != 1 }))
    }

    /// Exact Float identity (`-0.0` differs from `0.0`, NaN equals NaN).
    pub fn same_float(v: &Value, expected: f64) -> bool {
        matches!(v, Value::Float(x) if x.to_bits() == expected.to_bits())
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    fn call(name: &str, args: &[Value]) -> crate::builtins::BuiltinResult {
        call_in(DEFS, name, args)
    }

    #[test]
    fn items_of_every_iterable() {
        let m = {
            let mut m = crate::value::MapObj::default();
            m.insert(s("a"), i(1));
            Value::map(m)
        };
        assert_eq!(&*items("t", &ints(&[1, 2])).unwrap(), &[i(1), i(2)]);
        assert_eq!(&*items("t", &Value::tuple(vec![i(1)])).unwrap(), &[i(1)]);
        assert_eq!(&*items("t", &m).unwrap(), &[pair(s("a"), i(1))]);
        assert_eq!(&*items("t", &s("hé")).unwrap(), &[s("h"), s("é")]);
        assert_eq!(&*items("t", &range_obj(1, 3, true, 1)).unwrap(), &[i(1), i(2), i(3)]);
        assert_eq!(items("t", &i(3)).unwrap_err().0, "t: expected an iterable, got Int");
    }

    #[test]
    fn range_values_follow_range_semantics() {
        let r = |a, b, inc, st| range_values("r", a, b, inc, st).unwrap();
        assert_eq!(r(0, 5, false, 1), vec![i(0), i(1), i(2), i(3), i(4)]);
        assert_eq!(r(0, 5, true, 2), vec![i(0), i(2), i(4)]);
        assert_eq!(r(10, 0, false, -3), vec![i(10), i(7), i(4), i(1)]);
        assert_eq!(r(10, 1, true, -3), vec![i(10), i(7), i(4), i(1)]);
        assert_eq!(r(3, 3, false, 1), vec![]);
        assert_eq!(r(3, 3, true, 1), vec![i(3)]);
        assert_eq!(r(5, 0, false, 1), vec![]);
        assert_eq!(r(0, 5, false, -1), vec![]);
        assert_eq!(r(i64::MAX - 1, i64::MAX, true, 1), vec![i(i64::MAX - 1), i(i64::MAX)]);
        assert_eq!(r(i64::MIN, i64::MAX, true, i64::MAX), vec![i(i64::MIN), i(-1), i(i64::MAX - 1)]);
        assert_eq!(r(i64::MAX, i64::MIN, true, i64::MIN), vec![i(i64::MAX), i(-1)]);
        assert!(range_values("r", 0, 1, false, 0).unwrap_err().0.contains("step cannot be zero"));
        assert!(range_values("r", i64::MIN, i64::MAX, true, 1).unwrap_err().0.contains("too large"));
    }

    #[test]
    fn range_seq_without_materializing() {
        let seq = |a, b, inc, st| RangeSeq::new("r", a, b, inc, st).unwrap();
        let huge = seq(0, i64::MAX, true, 1);
        assert_eq!(huge.len, 1u128 << 63);
        assert_eq!((huge.first(), huge.last()), (Some(0), Some(i64::MAX)));
        assert_eq!(huge.get(1u128 << 63), None);
        assert_eq!(huge.sum(), None);
        let all = seq(i64::MIN, i64::MAX, true, 1);
        assert_eq!(all.len, 1u128 << 64);
        assert_eq!((all.first(), all.last(), all.sum()), (Some(i64::MIN), Some(i64::MAX), Some(i64::MIN)));
        let down = seq(10, 0, false, -3);
        assert_eq!((down.len, down.first(), down.last(), down.sum()), (4, Some(10), Some(1), Some(22)));
        let empty = seq(5, 5, false, 1);
        assert_eq!((empty.len, empty.first(), empty.last(), empty.sum()), (0, None, None, Some(0)));
        assert_eq!(seq(1, 100, true, 1).sum(), Some(5050));
        assert_eq!(seq(-3, 3, true, 2).sum(), Some(0));
        assert_eq!(seq(i64::MAX, i64::MAX, true, -1).sum(), Some(i64::MAX));
        assert_eq!(seq(i64::MAX - 1, i64::MAX, true, 1).sum(), None);
    }

    #[test]
    fn resolve_index_counts_from_the_end() {
        assert_eq!(resolve_index(0, 3, 3), Ok(0));
        assert_eq!(resolve_index(-1, 3, 3), Ok(2));
        assert_eq!(resolve_index(-3, 3, 3), Ok(0));
        assert_eq!(resolve_index(3, 3, 4), Ok(3));
        assert_eq!(resolve_index(3, 3, 3).unwrap_err().0, "index out of range: 3 (length 3)");
        assert!(resolve_index(-4, 3, 3).is_err());
        assert!(resolve_index(i64::MIN, 0, 1).is_err());
        assert!(resolve_index(i64::MAX, 0, 1).is_err());
    }

    #[test]
    fn int_arg_checks_the_type() {
        assert_eq!(int_arg("take", &i(2)), Ok(2));
        assert_eq!(int_arg("take", &f(2.0)).unwrap_err().0, "take: expected Int, got Float");
    }

    #[test]
    fn every_def_is_reachable_by_name() {
        for def in DEFS {
            for name in def.names {
                assert!(DEFS.iter().filter(|d| d.names.contains(name)).count() == 1, "{name} twice");
            }
        }
        assert!(call("range", &[i(0), i(2)]).is_ok());
    }
}
