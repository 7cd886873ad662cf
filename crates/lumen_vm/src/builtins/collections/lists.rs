//! List and sequence builtins (LANGUAGE.md 6.6), except sorting (`order.rs`).

use indexmap::IndexSet;

use super::{RangeSeq, int_arg, items, range_values, resolve_index};
use crate::builtins::{BuiltinError, BuiltinResult, Ctx, type_error};
use crate::value::Value;

/// The elements of a list argument.
fn list_arg<'a>(name: &str, v: &'a Value) -> Result<&'a [Value], BuiltinError> {
    match v {
        Value::List(xs) => Ok(xs),
        other => Err(type_error(name, "List", other)),
    }
}

/// A size argument that must be positive (`chunk`, `window`).
fn size_arg(name: &str, v: &Value) -> Result<usize, BuiltinError> {
    let n = int_arg(name, v)?;
    match usize::try_from(n) {
        Ok(size) if size > 0 => Ok(size),
        _ => Err(BuiltinError::new(format!("{name}: size must be positive, got {n}"))),
    }
}

/// A count argument clamped to `0..=len` (`take`, `drop`).
fn clamped_count(name: &str, v: &Value, len: usize) -> Result<usize, BuiltinError> {
    let n = int_arg(name, v)?;
    Ok(usize::try_from(n).map_or(0, |n| n.min(len)))
}

pub(super) fn append(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = list_arg("append", &args[0])?;
    let mut out = Vec::with_capacity(xs.len() + 1);
    out.extend_from_slice(xs);
    out.push(args[1].clone());
    Ok(Value::list(out))
}

pub(super) fn prepend(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = list_arg("prepend", &args[0])?;
    let mut out = Vec::with_capacity(xs.len() + 1);
    out.push(args[1].clone());
    out.extend_from_slice(xs);
    Ok(Value::list(out))
}

pub(super) fn insert(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = list_arg("insert", &args[0])?;
    let at = resolve_index(int_arg("insert", &args[1])?, xs.len(), xs.len() + 1)?;
    let mut out = Vec::with_capacity(xs.len() + 1);
    out.extend_from_slice(&xs[..at]);
    out.push(args[2].clone());
    out.extend_from_slice(&xs[at..]);
    Ok(Value::list(out))
}

pub(super) fn remove_at(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = list_arg("remove_at", &args[0])?;
    let at = resolve_index(int_arg("remove_at", &args[1])?, xs.len(), xs.len())?;
    let mut out = Vec::with_capacity(xs.len() - 1);
    out.extend_from_slice(&xs[..at]);
    out.extend_from_slice(&xs[at + 1..]);
    Ok(Value::list(out))
}

/// `remove(xs, x)` drops the first element equal to `x`; `remove(m, k)` a key; `remove(s, x)` an
/// element. Removing something absent returns the collection unchanged.
pub(super) fn remove(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let target = &args[1];
    match &args[0] {
        Value::List(xs) => match xs.iter().position(|x| x == target) {
            Some(at) => {
                let mut out = Vec::with_capacity(xs.len() - 1);
                out.extend_from_slice(&xs[..at]);
                out.extend_from_slice(&xs[at + 1..]);
                Ok(Value::list(out))
            }
            None => Ok(args[0].clone()),
        },
        Value::Map(m) if m.contains_key(target) => {
            let mut out = (**m).clone();
            // `shift_remove` keeps the order of the remaining entries (LANGUAGE.md 5.6).
            out.shift_remove(target);
            Ok(Value::map(out))
        }
        Value::Set(s) if s.contains(target) => {
            let mut out = (**s).clone();
            out.shift_remove(target);
            Ok(Value::set(out))
        }
        Value::Map(_) | Value::Set(_) => Ok(args[0].clone()),
        other => Err(type_error("remove", "List, Map or Set", other)),
    }
}

pub(super) fn range(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let start = int_arg("range", &args[0])?;
    let end = int_arg("range", &args[1])?;
    let step = match args.get(2) {
        Some(step) => int_arg("range", step)?,
        None => 1,
    };
    Ok(Value::list(range_values("range", start, end, false, step)?))
}

pub(super) fn first(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Str(s) => Ok(s.chars().next().map_or(Value::Null, |c| Value::string(c.to_string()))),
        Value::Range(r) => Ok(RangeSeq::of("first", r)?.first().map_or(Value::Null, Value::Int)),
        other => Ok(items("first", other)?.first().cloned().unwrap_or(Value::Null)),
    }
}

pub(super) fn last(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Str(s) => Ok(s.chars().next_back().map_or(Value::Null, |c| Value::string(c.to_string()))),
        Value::Range(r) => Ok(RangeSeq::of("last", r)?.last().map_or(Value::Null, Value::Int)),
        other => Ok(items("last", other)?.last().cloned().unwrap_or(Value::Null)),
    }
}

/// `take(xs, n)`: the first `n` elements (`n` clamped to `0..=length`). On a string, the first
/// `n` characters as a string.
pub(super) fn take(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if let Value::Str(s) = &args[0] {
        let n = clamped_count("take", &args[1], usize::MAX)?;
        return Ok(Value::string(s.chars().take(n).collect()));
    }
    if let Value::Range(r) = &args[0] {
        let n = int_arg("take", &args[1])?.max(0).unsigned_abs();
        return Ok(Value::list(RangeSeq::of("take", r)?.slice_values("take", 0, n.into())?));
    }
    let xs = items("take", &args[0])?;
    let n = clamped_count("take", &args[1], xs.len())?;
    Ok(Value::list(xs[..n].to_vec()))
}

/// `drop(xs, n)`: all but the first `n` elements. On a string, the characters after the first `n`.
pub(super) fn drop(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if let Value::Str(s) = &args[0] {
        let n = clamped_count("drop", &args[1], usize::MAX)?;
        return Ok(Value::string(s.chars().skip(n).collect()));
    }
    if let Value::Range(r) = &args[0] {
        let n = int_arg("drop", &args[1])?.max(0).unsigned_abs();
        return Ok(Value::list(RangeSeq::of("drop", r)?.slice_values("drop", n.into(), u128::MAX)?));
    }
    let xs = items("drop", &args[0])?;
    let n = clamped_count("drop", &args[1], xs.len())?;
    Ok(Value::list(xs[n..].to_vec()))
}

/// One level: list elements are spliced in, other elements are kept as they are.
pub(super) fn flatten(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xss = items("flatten", &args[0])?;
    let mut out = Vec::new();
    for xs in xss.iter() {
        match xs {
            Value::List(inner) => out.extend_from_slice(inner),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::list(out))
}

pub(super) fn unique(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("unique", &args[0])?;
    let seen: IndexSet<Value> = xs.iter().cloned().collect();
    Ok(Value::list(seen.into_iter().collect()))
}

pub(super) fn zip(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("zip", &args[0])?;
    let ys = items("zip", &args[1])?;
    Ok(Value::list(xs.iter().zip(ys.iter()).map(|(x, y)| Value::tuple(vec![x.clone(), y.clone()])).collect()))
}

pub(super) fn enumerate(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("enumerate", &args[0])?;
    let mut out = Vec::with_capacity(xs.len());
    for (index, x) in (0i64..).zip(xs.iter()) {
        out.push(Value::tuple(vec![Value::Int(index), x.clone()]));
    }
    Ok(Value::list(out))
}

pub(super) fn chunk(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("chunk", &args[0])?;
    let n = size_arg("chunk", &args[1])?;
    Ok(Value::list(xs.chunks(n).map(|piece| Value::list(piece.to_vec())).collect()))
}

pub(super) fn window(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let xs = items("window", &args[0])?;
    let n = size_arg("window", &args[1])?;
    Ok(Value::list(xs.windows(n).map(|run| Value::list(run.to_vec())).collect()))
}

#[cfg(test)]
mod tests {
    use super::super::DEFS;
    use super::super::test_util::*;
    use crate::display::display;
    use crate::value::{MapObj, SetObj};

    use super::*;

    fn call(name: &str, args: &[Value]) -> Value {
        call_in(DEFS, name, args).unwrap_or_else(|e| panic!("{name}: {}", e.0))
    }

    fn shown(name: &str, args: &[Value]) -> String {
        display(&call(name, args))
    }

    fn err(name: &str, args: &[Value]) -> String {
        err_in(DEFS, name, args)
    }

    #[test]
    fn append_and_prepend_build_new_lists() {
        let xs = ints(&[1, 2]);
        assert_eq!(call("append", &[xs.clone(), i(3)]), ints(&[1, 2, 3]));
        assert_eq!(call("push", &[ints(&[]), s("x")]), list(vec![s("x")]));
        assert_eq!(call("prepend", &[xs.clone(), i(0)]), ints(&[0, 1, 2]));
        assert_eq!(call("prepend", &[ints(&[]), i(0)]), ints(&[0]));
        assert_eq!(xs, ints(&[1, 2]));
        assert_eq!(err("append", &[Value::tuple(vec![]), i(1)]), "append: expected List, got Tuple");
        assert_eq!(err("prepend", &[Value::Null, i(1)]), "prepend: expected List, got Null");
    }

    #[test]
    fn insert_before_an_index() {
        let xs = ints(&[1, 2, 3]);
        assert_eq!(call("insert", &[xs.clone(), i(0), i(9)]), ints(&[9, 1, 2, 3]));
        assert_eq!(call("insert", &[xs.clone(), i(1), i(9)]), ints(&[1, 9, 2, 3]));
        assert_eq!(call("insert", &[xs.clone(), i(3), i(9)]), ints(&[1, 2, 3, 9]));
        assert_eq!(call("insert", &[xs.clone(), i(-1), i(9)]), ints(&[1, 2, 9, 3]));
        assert_eq!(call("insert", &[xs.clone(), i(-3), i(9)]), ints(&[9, 1, 2, 3]));
        assert_eq!(call("insert", &[ints(&[]), i(0), i(9)]), ints(&[9]));
        assert_eq!(err("insert", &[xs.clone(), i(4), i(9)]), "index out of range: 4 (length 3)");
        assert_eq!(err("insert", &[xs.clone(), i(-4), i(9)]), "index out of range: -4 (length 3)");
        assert_eq!(
            err("insert", &[xs.clone(), i(i64::MIN), i(9)]),
            format!("index out of range: {} (length 3)", i64::MIN)
        );
        assert_eq!(err("insert", &[xs.clone(), s("0"), i(9)]), "insert: expected Int, got String");
        assert_eq!(xs, ints(&[1, 2, 3]));
    }

    #[test]
    fn remove_at_uses_index_rules() {
        let xs = ints(&[1, 2, 3]);
        assert_eq!(call("remove_at", &[xs.clone(), i(0)]), ints(&[2, 3]));
        assert_eq!(call("remove_at", &[xs.clone(), i(2)]), ints(&[1, 2]));
        assert_eq!(call("remove_at", &[xs.clone(), i(-1)]), ints(&[1, 2]));
        assert_eq!(call("remove_at", &[xs.clone(), i(-3)]), ints(&[2, 3]));
        assert_eq!(err("remove_at", &[xs.clone(), i(3)]), "index out of range: 3 (length 3)");
        assert_eq!(err("remove_at", &[xs.clone(), i(-4)]), "index out of range: -4 (length 3)");
        assert_eq!(err("remove_at", &[ints(&[]), i(0)]), "index out of range: 0 (length 0)");
        assert_eq!(err("remove_at", &[ints(&[]), i(-1)]), "index out of range: -1 (length 0)");
        assert_eq!(xs, ints(&[1, 2, 3]));
    }

    #[test]
    fn remove_from_lists_maps_and_sets() {
        let xs = ints(&[1, 2, 1]);
        assert_eq!(call("remove", &[xs.clone(), i(1)]), ints(&[2, 1]));
        assert_eq!(call("remove", &[xs.clone(), f(2.0)]), ints(&[1, 1]));
        assert_eq!(call("remove", &[xs.clone(), i(7)]), xs);
        assert_eq!(call("remove", &[ints(&[]), i(7)]), ints(&[]));

        let mut m = MapObj::default();
        m.insert(s("a"), i(1));
        m.insert(s("b"), i(2));
        m.insert(s("c"), i(3));
        let m = Value::map(m);
        assert_eq!(shown("remove", &[m.clone(), s("a")]), "{\"b\": 2, \"c\": 3}");
        assert_eq!(shown("remove", &[m.clone(), s("b")]), "{\"a\": 1, \"c\": 3}");
        assert_eq!(call("remove", &[m.clone(), s("z")]), m);
        assert_eq!(display(&m), "{\"a\": 1, \"b\": 2, \"c\": 3}");

        let set = Value::set(SetObj::from_iter([i(6), i(5), i(7)]));
        assert_eq!(shown("remove", &[set.clone(), i(5)]), "set[6, 7]");
        assert_eq!(shown("remove", &[set.clone(), i(9)]), "set[6, 5, 7]");
        assert_eq!(display(&set), "set[6, 5, 7]");

        assert_eq!(err("remove", &[s("abc"), s("a")]), "remove: expected List, Map or Set, got String");
    }

    #[test]
    fn range_builds_a_list() {
        assert_eq!(call("range", &[i(0), i(5)]), ints(&[0, 1, 2, 3, 4]));
        assert_eq!(call("range", &[i(3), i(3)]), ints(&[]));
        assert_eq!(call("range", &[i(5), i(0)]), ints(&[]));
        assert_eq!(call("range", &[i(0), i(10), i(3)]), ints(&[0, 3, 6, 9]));
        assert_eq!(call("range", &[i(10), i(0), i(-3)]), ints(&[10, 7, 4, 1]));
        assert_eq!(call("range", &[i(-2), i(1)]), ints(&[-2, -1, 0]));
        assert!(err("range", &[i(0), i(5), i(0)]).contains("step cannot be zero"));
        assert!(err("range", &[i(0), i(i64::MAX)]).contains("too large"));
        assert_eq!(err("range", &[i(0), f(5.0)]), "range: expected Int, got Float");
    }

    #[test]
    fn first_and_last() {
        assert_eq!(call("first", &[ints(&[7, 8, 9])]), i(7));
        assert_eq!(call("last", &[ints(&[7, 8, 9])]), i(9));
        assert_eq!(call("first", &[ints(&[])]), Value::Null);
        assert_eq!(call("last", &[ints(&[])]), Value::Null);
        assert_eq!(call("last", &[list(vec![s("only")])]), s("only"));
        assert_eq!(call("first", &[range_obj(3, 6, false, 1)]), i(3));
        assert_eq!(call("last", &[range_obj(3, 6, false, 1)]), i(5));
        assert_eq!(call("last", &[range_obj(10, 0, false, -3)]), i(1));
        assert_eq!(call("first", &[range_obj(3, 3, false, 1)]), Value::Null);
        assert_eq!(call("last", &[range_obj(0, i64::MAX, true, 1)]), i(i64::MAX));
        assert_eq!(call("first", &[range_obj(i64::MIN, i64::MAX, true, 1)]), i(i64::MIN));
        assert_eq!(call("first", &[s("héllo")]), s("h"));
        assert_eq!(call("last", &[s("hé")]), s("é"));
        assert_eq!(call("last", &[s("")]), Value::Null);
        assert_eq!(err("first", &[i(1)]), "first: expected an iterable, got Int");
    }

    #[test]
    fn take_and_drop_clamp() {
        let xs = ints(&[1, 2, 3, 4, 5]);
        assert_eq!(call("take", &[xs.clone(), i(2)]), ints(&[1, 2]));
        assert_eq!(call("drop", &[xs.clone(), i(2)]), ints(&[3, 4, 5]));
        assert_eq!(call("take", &[xs.clone(), i(0)]), ints(&[]));
        assert_eq!(call("take", &[xs.clone(), i(10)]), xs);
        assert_eq!(call("drop", &[xs.clone(), i(10)]), ints(&[]));
        assert_eq!(call("take", &[xs.clone(), i(-3)]), ints(&[]));
        assert_eq!(call("drop", &[xs.clone(), i(-3)]), xs);
        assert_eq!(call("take", &[xs.clone(), i(i64::MAX)]), xs);
        assert_eq!(call("take", &[Value::tuple(vec![i(1), i(2)]), i(1)]), ints(&[1]));
        assert_eq!(call("take", &[range_obj(0, i64::MAX, true, 1), i(3)]), ints(&[0, 1, 2]));
        assert_eq!(call("take", &[range_obj(0, 3, false, 1), i(10)]), ints(&[0, 1, 2]));
        assert_eq!(call("take", &[range_obj(0, 3, false, 1), i(-1)]), ints(&[]));
        assert_eq!(call("drop", &[range_obj(0, i64::MAX, true, 1), i(i64::MAX - 1)]), ints(&[i64::MAX - 1, i64::MAX]));
        assert_eq!(call("drop", &[range_obj(5, 0, false, -2), i(1)]), ints(&[3, 1]));
        assert_eq!(call("drop", &[range_obj(0, 3, false, 1), i(-5)]), ints(&[0, 1, 2]));
        assert!(err("drop", &[range_obj(0, i64::MAX, true, 1), i(0)]).contains("too large"));
        assert_eq!(call("take", &[s("héllo"), i(2)]), s("hé"));
        assert_eq!(call("drop", &[s("héllo"), i(2)]), s("llo"));
        assert_eq!(call("drop", &[s("abc"), i(-1)]), s("abc"));
        assert_eq!(err("take", &[xs.clone(), f(1.0)]), "take: expected Int, got Float");
        assert_eq!(err("drop", &[i(3), i(1)]), "drop: expected an iterable, got Int");
        assert_eq!(xs, ints(&[1, 2, 3, 4, 5]));
    }

    #[test]
    fn flatten_one_level() {
        let xss = list(vec![ints(&[1, 2]), ints(&[3]), ints(&[]), ints(&[4, 5])]);
        assert_eq!(call("flatten", &[xss]), ints(&[1, 2, 3, 4, 5]));
        assert_eq!(shown("flatten", &[list(vec![list(vec![ints(&[1])]), list(vec![ints(&[2, 3])])])]), "[[1], [2, 3]]");
        assert_eq!(call("flatten", &[ints(&[])]), ints(&[]));
        assert_eq!(shown("flatten", &[list(vec![ints(&[1]), i(2), pair(i(3), i(4))])]), "[1, 2, (3, 4)]");
        assert_eq!(err("flatten", &[i(1)]), "flatten: expected an iterable, got Int");
    }

    #[test]
    fn unique_keeps_first_occurrences() {
        assert_eq!(call("unique", &[ints(&[3, 1, 3, 2, 1])]), ints(&[3, 1, 2]));
        assert_eq!(call("unique", &[list(vec![s("b"), s("a"), s("b")])]), list(vec![s("b"), s("a")]));
        assert_eq!(call("unique", &[ints(&[])]), ints(&[]));
        assert_eq!(shown("unique", &[list(vec![i(1), f(1.0), f(2.0), i(2)])]), "[1, 2.0]");
        assert_eq!(shown("unique", &[list(vec![ints(&[1]), ints(&[1]), ints(&[2])])]), "[[1], [2]]");
        assert_eq!(err("unique", &[Value::Null]), "unique: expected an iterable, got Null");
    }

    #[test]
    fn zip_stops_at_the_shorter() {
        assert_eq!(
            shown("zip", &[ints(&[1, 2, 3]), list(vec![s("a"), s("b"), s("c")])]),
            "[(1, \"a\"), (2, \"b\"), (3, \"c\")]"
        );
        assert_eq!(shown("zip", &[ints(&[1, 2, 3]), list(vec![s("x")])]), "[(1, \"x\")]");
        assert_eq!(call("zip", &[ints(&[]), ints(&[1, 2])]), ints(&[]));
        assert_eq!(shown("zip", &[range_obj(0, 10, false, 1), s("ab")]), "[(0, \"a\"), (1, \"b\")]");
        assert_eq!(err("zip", &[ints(&[1]), i(2)]), "zip: expected an iterable, got Int");
    }

    #[test]
    fn enumerate_any_iterable() {
        assert_eq!(shown("enumerate", &[list(vec![s("p"), s("q")])]), "[(0, \"p\"), (1, \"q\")]");
        assert_eq!(call("enumerate", &[ints(&[])]), ints(&[]));
        assert_eq!(shown("enumerate", &[s("ab")]), "[(0, \"a\"), (1, \"b\")]");
        assert_eq!(shown("enumerate", &[range_obj(5, 7, true, 1)]), "[(0, 5), (1, 6), (2, 7)]");
        assert_eq!(shown("enumerate", &[Value::set(SetObj::from_iter([i(9), i(8)]))]), "[(0, 9), (1, 8)]");
        let mut m = MapObj::default();
        m.insert(s("k"), i(1));
        assert_eq!(shown("enumerate", &[Value::map(m)]), "[(0, (\"k\", 1))]");
        assert_eq!(shown("enumerate", &[Value::tuple(vec![i(4)])]), "[(0, 4)]");
        assert_eq!(err("enumerate", &[f(1.0)]), "enumerate: expected an iterable, got Float");
    }

    #[test]
    fn chunk_and_window() {
        let xs = ints(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(shown("chunk", &[xs.clone(), i(3)]), "[[1, 2, 3], [4, 5, 6], [7]]");
        assert_eq!(shown("chunk", &[ints(&[1, 2]), i(5)]), "[[1, 2]]");
        assert_eq!(shown("chunk", &[ints(&[]), i(2)]), "[]");
        assert_eq!(shown("window", &[ints(&[1, 2, 3, 4]), i(2)]), "[[1, 2], [2, 3], [3, 4]]");
        assert_eq!(shown("window", &[ints(&[1, 2]), i(3)]), "[]");
        assert_eq!(shown("window", &[ints(&[1, 2]), i(2)]), "[[1, 2]]");
        assert_eq!(shown("window", &[ints(&[]), i(1)]), "[]");
        assert_eq!(err("chunk", &[xs.clone(), i(0)]), "chunk: size must be positive, got 0");
        assert_eq!(err("window", &[xs.clone(), i(-2)]), "window: size must be positive, got -2");
        assert_eq!(err("chunk", &[xs.clone(), i(i64::MIN)]), format!("chunk: size must be positive, got {}", i64::MIN));
        assert_eq!(shown("chunk", &[xs.clone(), i(i64::MAX)]), "[[1, 2, 3, 4, 5, 6, 7]]");
        assert_eq!(shown("window", &[xs, i(i64::MAX)]), "[]");
        assert_eq!(err("window", &[i(1), i(1)]), "window: expected an iterable, got Int");
    }
}
