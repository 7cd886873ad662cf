//! The ordering used by `sort`, `sort_desc`, `min`, `max` and `clamp` (LANGUAGE.md 5.5), and a
//! stable merge sort that stops at the first unorderable pair.
//!
//! [`total_cmp`] extends `<` to a total order on orderable values: NaN sorts after every other
//! number (and equal to itself), and Int/Float pairs compare exactly rather than through a lossy
//! conversion, so sorting never sees an inconsistent comparison.

use std::cmp::Ordering;

use super::items;
use crate::builtins::{BuiltinError, BuiltinResult, Ctx};
use crate::value::Value;

/// Two values with no order between them, by kind name (the innermost such pair in nested
/// values).
#[derive(Clone, Debug, PartialEq)]
pub(in crate::builtins) struct Unordered(pub String, pub String);

impl Unordered {
    pub(in crate::builtins) fn into_error(self, builtin: &str) -> BuiltinError {
        BuiltinError::new(format!("{builtin}: cannot compare {} and {}", self.0, self.1))
    }
}

/// Total order on orderable values: null first, numbers numerically with NaN last, then as
/// `Value::compare`. Maps, sets, functions, handles, ranges and mixed kinds are unordered.
pub(in crate::builtins) fn total_cmp(a: &Value, b: &Value) -> Result<Ordering, Unordered> {
    use Value::*;
    match (a, b) {
        (Null, Null) => Ok(Ordering::Equal),
        (Null, _) => Ok(Ordering::Less),
        (_, Null) => Ok(Ordering::Greater),
        (Int(x), Int(y)) => Ok(x.cmp(y)),
        (Int(x), Float(y)) => Ok(cmp_int_float(*x, *y)),
        (Float(x), Int(y)) => Ok(cmp_int_float(*y, *x).reverse()),
        (Float(x), Float(y)) => Ok(cmp_float(*x, *y)),
        (Bool(x), Bool(y)) => Ok(x.cmp(y)),
        (Str(x), Str(y)) => Ok(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Ok(x.cmp(y)),
        (List(x), List(y)) | (Tuple(x), Tuple(y)) => cmp_seq(x, y),
        (Record(x), Record(y)) if x.ty.id == y.ty.id => cmp_seq(&x.fields, &y.fields),
        (Enum(x), Enum(y)) if x.ty.id == y.ty.id => match x.variant.cmp(&y.variant) {
            Ordering::Equal => cmp_seq(&x.payload, &y.payload),
            other => Ok(other),
        },
        _ => Err(Unordered(a.type_name(), b.type_name())),
    }
}

fn cmp_seq(a: &[Value], b: &[Value]) -> Result<Ordering, Unordered> {
    for (x, y) in a.iter().zip(b) {
        match total_cmp(x, y)? {
            Ordering::Equal => continue,
            other => return Ok(other),
        }
    }
    Ok(a.len().cmp(&b.len()))
}

/// IEEE order with NaN greater than everything and equal to itself (`-0.0 == 0.0`).
fn cmp_float(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Exact comparison of an Int with a Float (NaN is greater).
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    // `f` lies in [-2^63, 2^63), so its integral part is an exact i64.
    let whole = f.trunc();
    match i.cmp(&(whole as i64)) {
        Ordering::Equal if f > whole => Ordering::Less,
        Ordering::Equal if f < whole => Ordering::Greater,
        other => other,
    }
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

/// Stable sort by a fallible comparison, always called with the earlier element first; the first
/// error stops it. A merge sort written here
/// because `slice::sort_by` may panic when an (erroring) comparison is not a total order.
pub(in crate::builtins) fn stable_sort<E>(
    mut items: Vec<Value>,
    mut cmp: impl FnMut(&Value, &Value) -> Result<Ordering, E>,
) -> Result<Vec<Value>, E> {
    const RUN: usize = 16;
    let n = items.len();
    for run in items.chunks_mut(RUN) {
        insertion_sort(run, &mut cmp)?;
    }
    let mut width = RUN;
    let mut buffer = Vec::with_capacity(n);
    while width < n {
        buffer.clear();
        for pair in items.chunks_mut(width.saturating_mul(2)) {
            let split = width.min(pair.len());
            let (left, right) = pair.split_at_mut(split);
            merge(left, right, &mut buffer, &mut cmp)?;
        }
        std::mem::swap(&mut items, &mut buffer);
        width = width.saturating_mul(2);
    }
    Ok(items)
}

fn insertion_sort<E>(run: &mut [Value], cmp: &mut impl FnMut(&Value, &Value) -> Result<Ordering, E>) -> Result<(), E> {
    for i in 1..run.len() {
        let mut j = i;
        while j > 0 && cmp(&run[j - 1], &run[j])? == Ordering::Greater {
            run.swap(j, j - 1);
            j -= 1;
        }
    }
    Ok(())
}

/// Moves the sorted runs `left` and `right` into `out`, taking from `left` on ties.
fn merge<E>(
    left: &mut [Value],
    right: &mut [Value],
    out: &mut Vec<Value>,
    cmp: &mut impl FnMut(&Value, &Value) -> Result<Ordering, E>,
) -> Result<(), E> {
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if cmp(&left[i], &right[j])? == Ordering::Greater {
            out.push(std::mem::take(&mut right[j]));
            j += 1;
        } else {
            out.push(std::mem::take(&mut left[i]));
            i += 1;
        }
    }
    out.extend(left[i..].iter_mut().map(std::mem::take));
    out.extend(right[j..].iter_mut().map(std::mem::take));
    Ok(())
}

/// `sort(xs)`: ascending, stable, NaN last.
pub(super) fn sort(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("sort", &args[0])?.into_owned();
    let sorted = stable_sort(xs, total_cmp).map_err(|u| u.into_error("sort"))?;
    Ok(Value::list(sorted))
}

/// `sort_desc(xs)`: descending, stable; NaN still last.
pub(super) fn sort_desc(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("sort_desc", &args[0])?.into_owned();
    let descending = |a: &Value, b: &Value| match (is_nan(a), is_nan(b)) {
        (true, true) => Ok(Ordering::Equal),
        (true, false) => Ok(Ordering::Greater),
        (false, true) => Ok(Ordering::Less),
        (false, false) => total_cmp(a, b).map(Ordering::reverse),
    };
    let sorted = stable_sort(xs, descending).map_err(|u| u.into_error("sort_desc"))?;
    Ok(Value::list(sorted))
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::super::DEFS;
    use super::super::test_util::*;
    use super::*;
    use crate::display::display;
    use crate::value::{EnumObj, EnumType, RecordObj, RecordType};

    fn call(name: &str, args: &[Value]) -> Value {
        call_in(DEFS, name, args).unwrap_or_else(|e| panic!("{name}: {}", e.0))
    }

    fn shown(name: &str, args: &[Value]) -> String {
        display(&call(name, args))
    }

    #[test]
    fn sort_ascending_stable() {
        assert_eq!(call("sort", &[ints(&[5, 3, 9, 1])]), ints(&[1, 3, 5, 9]));
        assert_eq!(shown("sort", &[list(vec![s("pear"), s("Apple"), s("fig")])]), "[\"Apple\", \"fig\", \"pear\"]");
        assert_eq!(shown("sort", &[list(vec![f(2.5), f(-1.0), f(0.0)])]), "[-1.0, 0.0, 2.5]");
        assert_eq!(call("sort", &[ints(&[])]), ints(&[]));
        // Int 1 and Float 1.0 are equal: stable order keeps them as given.
        assert_eq!(shown("sort", &[list(vec![f(1.0), i(0), i(1), f(0.5)])]), "[0, 0.5, 1.0, 1]");
        assert_eq!(shown("sort", &[list(vec![i(1), f(1.0)])]), "[1, 1.0]");
        assert_eq!(shown("sort", &[list(vec![i(2), Value::Null, i(1)])]), "[null, 1, 2]");
        assert_eq!(shown("sort", &[list(vec![Value::Bool(true), Value::Bool(false)])]), "[false, true]");
        let xs = ints(&[3, 1, 2]);
        call("sort", std::slice::from_ref(&xs));
        assert_eq!(xs, ints(&[3, 1, 2]));
    }

    #[test]
    fn sort_places_nan_last() {
        let xs = list(vec![f(f64::NAN), f(2.0), i(1), f(f64::NAN), f(f64::NEG_INFINITY), f(f64::INFINITY)]);
        assert_eq!(shown("sort", std::slice::from_ref(&xs)), "[-inf, 1, 2.0, inf, NaN, NaN]");
        assert_eq!(shown("sort_desc", &[xs]), "[inf, 2.0, 1, -inf, NaN, NaN]");
        let nested = list(vec![list(vec![f(f64::NAN)]), list(vec![f(1.0)])]);
        assert_eq!(shown("sort", &[nested]), "[[1.0], [NaN]]");
    }

    #[test]
    fn sort_sequences_lexicographically() {
        let xs = list(vec![ints(&[1, 2]), ints(&[1]), ints(&[0, 9]), ints(&[])]);
        assert_eq!(shown("sort", &[xs]), "[[], [0, 9], [1], [1, 2]]");
        let ts = list(vec![pair(s("b"), i(1)), pair(s("a"), i(2)), pair(s("a"), i(1))]);
        assert_eq!(shown("sort", &[ts]), "[(\"a\", 1), (\"a\", 2), (\"b\", 1)]");
        let bytes = list(vec![Value::bytes(vec![2]), Value::bytes(vec![1, 5])]);
        assert_eq!(shown("sort", &[bytes]), "[b\"0105\", b\"02\"]");
    }

    #[test]
    fn sort_records_and_enums_by_declaration_order() {
        let point =
            Rc::new(RecordType { id: 1, name: "P".into(), fields: vec!["x".into(), "y".into()], validator: None });
        let p = |x, y| Value::Record(Rc::new(RecordObj { ty: point.clone(), fields: vec![i(x), i(y)] }));
        assert_eq!(
            shown("sort", &[list(vec![p(2, 0), p(1, 5), p(1, 2)])]),
            "[P(x: 1, y: 2), P(x: 1, y: 5), P(x: 2, y: 0)]"
        );
        let shape = Rc::new(EnumType { id: 3, name: "S".into(), variants: vec!["Big".into(), "Small".into()] });
        let e = |v, payload| Value::Enum(Rc::new(EnumObj { ty: shape.clone(), variant: v, payload }));
        let xs = list(vec![e(1, vec![]), e(0, vec![i(3)]), e(0, vec![i(1)])]);
        assert_eq!(shown("sort", &[xs]), "[Big(1), Big(3), Small]");
        let other = Rc::new(RecordType { id: 2, name: "Q".into(), fields: vec![], validator: None });
        let q = Value::Record(Rc::new(RecordObj { ty: other, fields: vec![] }));
        assert_eq!(err_in(DEFS, "sort", &[list(vec![p(1, 1), q])]), "sort: cannot compare P and Q");
    }

    #[test]
    fn sort_desc_is_stable() {
        assert_eq!(call("sort_desc", &[ints(&[5, 3, 9, 1])]), ints(&[9, 5, 3, 1]));
        assert_eq!(shown("sort_desc", &[list(vec![i(1), f(1.0), i(2)])]), "[2, 1, 1.0]");
        assert_eq!(call("sort_desc", &[ints(&[])]), ints(&[]));
    }

    #[test]
    fn sort_accepts_other_iterables() {
        assert_eq!(call("sort", &[Value::set([i(3), i(1)].into_iter().collect())]), ints(&[1, 3]));
        assert_eq!(call("sort_desc", &[range_obj(0, 3, false, 1)]), ints(&[2, 1, 0]));
        assert_eq!(shown("sort", &[s("cab")]), "[\"a\", \"b\", \"c\"]");
    }

    #[test]
    fn sort_errors_on_unorderable_values() {
        assert_eq!(err_in(DEFS, "sort", &[list(vec![i(1), s("a")])]), "sort: cannot compare Int and String");
        assert_eq!(
            err_in(DEFS, "sort", &[list(vec![ints(&[1]), list(vec![s("a")])])]),
            "sort: cannot compare Int and String"
        );
        let m = Value::map(Default::default());
        assert_eq!(err_in(DEFS, "sort", &[list(vec![m.clone(), m])]), "sort: cannot compare Map and Map");
        assert_eq!(
            err_in(DEFS, "sort_desc", &[list(vec![Value::Bool(true), i(1)])]),
            "sort_desc: cannot compare Bool and Int"
        );
        assert_eq!(err_in(DEFS, "sort", &[i(1)]), "sort: expected an iterable, got Int");
        // A single unorderable element is never compared.
        let lone = list(vec![Value::map(Default::default())]);
        assert_eq!(call("sort", std::slice::from_ref(&lone)), lone);
    }

    #[test]
    fn stable_sort_matches_std_on_many_inputs() {
        // A deterministic pseudo-random sweep over lengths around the run and merge boundaries.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for len in [0usize, 1, 2, 15, 16, 17, 31, 32, 33, 100, 257, 1000] {
            let keys: Vec<(i64, usize)> = (0..len)
                .map(|index| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (((seed >> 33) % 10) as i64, index)
                })
                .collect();
            let values: Vec<Value> = keys.iter().map(|&(k, index)| pair(i(k), i(index as i64))).collect();
            let by_key = |a: &Value, b: &Value| -> Result<Ordering, Unordered> {
                match (a, b) {
                    (Value::Tuple(x), Value::Tuple(y)) => total_cmp(&x[0], &y[0]),
                    _ => Err(Unordered(a.type_name(), b.type_name())),
                }
            };
            let sorted = stable_sort(values, by_key).unwrap();
            let mut expected = keys.clone();
            expected.sort_by_key(|&(k, _)| k);
            let expected: Vec<Value> = expected.iter().map(|&(k, index)| pair(i(k), i(index as i64))).collect();
            assert_eq!(sorted, expected, "length {len}");
        }
    }

    #[test]
    fn total_cmp_compares_int_and_float_exactly() {
        use Ordering::*;
        let cmp = |a: &Value, b: &Value| total_cmp(a, b).unwrap();
        assert_eq!(cmp(&i(1), &f(1.0)), Equal);
        assert_eq!(cmp(&i(1), &f(1.5)), Less);
        assert_eq!(cmp(&i(-1), &f(-1.5)), Greater);
        assert_eq!(cmp(&f(-0.5), &i(0)), Less);
        assert_eq!(cmp(&i((1 << 53) + 1), &f(9007199254740992.0)), Greater);
        assert_eq!(cmp(&i(i64::MAX), &f(9223372036854775808.0)), Less);
        assert_eq!(cmp(&i(i64::MIN), &f(-9223372036854775808.0)), Equal);
        assert_eq!(cmp(&i(i64::MIN), &f(f64::NEG_INFINITY)), Greater);
        assert_eq!(cmp(&i(i64::MAX), &f(f64::INFINITY)), Less);
        assert_eq!(cmp(&f(f64::NAN), &i(i64::MAX)), Greater);
        assert_eq!(cmp(&f(f64::NAN), &f(f64::NAN)), Equal);
        assert_eq!(cmp(&f(-0.0), &f(0.0)), Equal);
        assert_eq!(cmp(&Value::Null, &f(f64::NAN)), Less);
        assert_eq!(total_cmp(&i(1), &s("1")), Err(Unordered("Int".into(), "String".into())));
        assert_eq!(
            total_cmp(&range_obj(0, 1, false, 1), &range_obj(0, 1, false, 1)),
            Err(Unordered("Range".into(), "Range".into()))
        );
    }
}
