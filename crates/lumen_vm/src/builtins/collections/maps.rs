//! Map and set builtins (LANGUAGE.md 6.7, 6.8). `remove` is shared with lists (`lists.rs`).

use super::resolve_index;
use crate::builtins::{BuiltinError, BuiltinResult, Ctx, type_error};
use crate::value::{MapObj, SetObj, Value};

fn map_arg<'a>(name: &str, v: &'a Value) -> Result<&'a MapObj, BuiltinError> {
    match v {
        Value::Map(m) => Ok(m),
        other => Err(type_error(name, "Map", other)),
    }
}

fn set_arg<'a>(name: &str, v: &'a Value) -> Result<&'a SetObj, BuiltinError> {
    match v {
        Value::Set(s) => Ok(s),
        other => Err(type_error(name, "Set", other)),
    }
}

/// The part of `v` that cannot be a map key or set element (functions and handles, LANGUAGE.md
/// 5.6), if any.
fn unhashable(v: &Value) -> Option<&Value> {
    match v {
        Value::Func(_) | Value::Handle(_) => Some(v),
        Value::List(xs) | Value::Tuple(xs) => xs.iter().find_map(unhashable),
        Value::Set(s) => s.iter().find_map(unhashable),
        Value::Map(m) => m.iter().find_map(|(k, v)| unhashable(k).or_else(|| unhashable(v))),
        Value::Record(r) => r.fields.iter().find_map(unhashable),
        Value::Enum(e) => e.payload.iter().find_map(unhashable),
        _ => None,
    }
}

/// The value at `key`: a map entry, or a list or tuple element for an Int key (negative from the
/// end); `None` when absent.
fn lookup<'a>(name: &str, container: &'a Value, key: &Value) -> Result<Option<&'a Value>, BuiltinError> {
    match (container, key) {
        (Value::Map(m), _) => Ok(m.get(key)),
        (Value::List(xs) | Value::Tuple(xs), Value::Int(i)) => {
            Ok(resolve_index(*i, xs.len(), xs.len()).ok().map(|at| &xs[at]))
        }
        (Value::List(_) | Value::Tuple(_), other) => Err(type_error(name, "Int", other)),
        (other, _) => Err(type_error(name, "Map", other)),
    }
}

pub(super) fn keys(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::list(map_arg("keys", &args[0])?.keys().cloned().collect()))
}

pub(super) fn values(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::list(map_arg("values", &args[0])?.values().cloned().collect()))
}

pub(super) fn entries(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let m = map_arg("entries", &args[0])?;
    Ok(Value::list(m.iter().map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])).collect()))
}

pub(super) fn has_key(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(map_arg("has_key", &args[0])?.contains_key(&args[1])))
}

/// `get(m, k)`: the value or `null`. Also `get(xs, i)` on lists and tuples.
pub(super) fn get(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(lookup("get", &args[0], &args[1])?.cloned().unwrap_or(Value::Null))
}

/// `get_or(m, k, default)`: the value, or `default` when the key is absent.
pub(super) fn get_or(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(lookup("get_or", &args[0], &args[1])?.unwrap_or(&args[2]).clone())
}

/// `b`'s entries override `a`'s in place; `b`'s new keys follow in `b`'s order.
pub(super) fn merge(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let a = map_arg("merge", &args[0])?;
    let b = map_arg("merge", &args[1])?;
    if b.is_empty() {
        return Ok(args[0].clone());
    }
    let mut out = a.clone();
    for (k, v) in b {
        out.insert(k.clone(), v.clone());
    }
    Ok(Value::map(out))
}

pub(super) fn add(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = set_arg("add", &args[0])?;
    let x = &args[1];
    if let Some(bad) = unhashable(x) {
        return Err(BuiltinError::new(format!("add: a {} cannot be a set element", bad.type_name())));
    }
    if s.contains(x) {
        return Ok(args[0].clone());
    }
    let mut out = s.clone();
    out.insert(x.clone());
    Ok(Value::set(out))
}

pub(super) fn union(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let a = set_arg("union", &args[0])?;
    let b = set_arg("union", &args[1])?;
    let mut out = a.clone();
    out.extend(b.iter().cloned());
    Ok(Value::set(out))
}

pub(super) fn intersection(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let a = set_arg("intersection", &args[0])?;
    let b = set_arg("intersection", &args[1])?;
    Ok(Value::set(a.iter().filter(|x| b.contains(*x)).cloned().collect()))
}

pub(super) fn difference(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let a = set_arg("difference", &args[0])?;
    let b = set_arg("difference", &args[1])?;
    Ok(Value::set(a.iter().filter(|x| !b.contains(*x)).cloned().collect()))
}

pub(super) fn is_subset(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let a = set_arg("is_subset", &args[0])?;
    let b = set_arg("is_subset", &args[1])?;
    Ok(Value::Bool(a.iter().all(|x| b.contains(x))))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::super::DEFS;
    use super::super::test_util::*;
    use super::*;
    use crate::display::display;
    use crate::value::{FuncObj, HandleObj};

    fn call(name: &str, args: &[Value]) -> Value {
        call_in(DEFS, name, args).unwrap_or_else(|e| panic!("{name}: {}", e.0))
    }

    fn shown(name: &str, args: &[Value]) -> String {
        display(&call(name, args))
    }

    fn err(name: &str, args: &[Value]) -> String {
        err_in(DEFS, name, args)
    }

    fn map(entries: &[(&str, i64)]) -> Value {
        Value::map(entries.iter().map(|(k, v)| (s(k), i(*v))).collect())
    }

    fn set(ns: &[i64]) -> Value {
        Value::set(ns.iter().map(|&n| i(n)).collect())
    }

    fn func() -> Value {
        Value::Func(Rc::new(FuncObj::Builtin { id: 0, name: "print".into() }))
    }

    #[test]
    fn keys_values_entries_in_insertion_order() {
        let m = map(&[("beta", 2), ("alpha", 1), ("gamma", 3)]);
        assert_eq!(shown("keys", std::slice::from_ref(&m)), "[\"beta\", \"alpha\", \"gamma\"]");
        assert_eq!(shown("values", std::slice::from_ref(&m)), "[2, 1, 3]");
        assert_eq!(shown("entries", std::slice::from_ref(&m)), "[(\"beta\", 2), (\"alpha\", 1), (\"gamma\", 3)]");
        let empty = map(&[]);
        assert_eq!(shown("keys", std::slice::from_ref(&empty)), "[]");
        assert_eq!(shown("values", std::slice::from_ref(&empty)), "[]");
        assert_eq!(shown("entries", &[empty]), "[]");
        assert_eq!(err("keys", &[ints(&[1])]), "keys: expected Map, got List");
        assert_eq!(err("values", &[set(&[1])]), "values: expected Map, got Set");
        assert_eq!(err("entries", &[Value::Null]), "entries: expected Map, got Null");
    }

    #[test]
    fn has_key_get_and_get_or() {
        let m = map(&[("a", 1), ("b", 2)]);
        assert_eq!(call("has_key", &[m.clone(), s("a")]), Value::Bool(true));
        assert_eq!(call("has_key", &[m.clone(), s("z")]), Value::Bool(false));
        assert_eq!(call("get", &[m.clone(), s("b")]), i(2));
        assert_eq!(call("get", &[m.clone(), s("z")]), Value::Null);
        assert_eq!(call("get_or", &[m.clone(), s("a"), i(0)]), i(1));
        assert_eq!(call("get_or", &[m.clone(), s("z"), i(0)]), i(0));
        // Int and Float keys that compare equal find each other.
        let nums = Value::map([(i(1), s("one"))].into_iter().collect());
        assert_eq!(call("get", &[nums.clone(), f(1.0)]), s("one"));
        assert_eq!(call("has_key", &[nums, f(f64::NAN)]), Value::Bool(false));
        assert_eq!(err("has_key", &[ints(&[1]), i(0)]), "has_key: expected Map, got List");
        assert_eq!(err("get", &[s("abc"), i(0)]), "get: expected Map, got String");
        assert_eq!(err("get_or", &[i(1), i(0), i(0)]), "get_or: expected Map, got Int");
    }

    #[test]
    fn get_on_lists_by_index() {
        let xs = ints(&[10, 20, 30]);
        assert_eq!(call("get", &[xs.clone(), i(1)]), i(20));
        assert_eq!(call("get", &[xs.clone(), i(-1)]), i(30));
        assert_eq!(call("get", &[xs.clone(), i(3)]), Value::Null);
        assert_eq!(call("get", &[xs.clone(), i(i64::MIN)]), Value::Null);
        assert_eq!(call("get_or", &[xs.clone(), i(5), i(-1)]), i(-1));
        assert_eq!(call("get", &[Value::tuple(vec![i(1), i(2)]), i(0)]), i(1));
        assert_eq!(err("get", &[xs, s("0")]), "get: expected Int, got String");
    }

    #[test]
    fn merge_overrides_in_place_and_appends() {
        let base = map(&[("a", 1), ("b", 2)]);
        let other = map(&[("c", 30), ("b", 20)]);
        assert_eq!(shown("merge", &[base.clone(), other.clone()]), "{\"a\": 1, \"b\": 20, \"c\": 30}");
        assert_eq!(shown("merge", &[other, base.clone()]), "{\"c\": 30, \"b\": 2, \"a\": 1}");
        assert_eq!(call("merge", &[base.clone(), map(&[])]), base);
        assert_eq!(shown("merge", &[map(&[]), base.clone()]), "{\"a\": 1, \"b\": 2}");
        assert_eq!(display(&base), "{\"a\": 1, \"b\": 2}");
        assert_eq!(err("merge", &[base.clone(), ints(&[])]), "merge: expected Map, got List");
        assert_eq!(err("merge", &[set(&[]), base]), "merge: expected Map, got Set");
    }

    #[test]
    fn add_keeps_first_insertion_order() {
        let s1 = set(&[4, 1, 2]);
        assert_eq!(shown("add", &[s1.clone(), i(3)]), "set[4, 1, 2, 3]");
        assert_eq!(shown("add", &[s1.clone(), i(4)]), "set[4, 1, 2]");
        assert_eq!(call("add", &[s1.clone(), i(4)]), s1);
        assert_eq!(shown("add", &[set(&[]), ints(&[1, 2])]), "set[[1, 2]]");
        assert_eq!(display(&s1), "set[4, 1, 2]");
        assert_eq!(err("add", &[ints(&[]), i(1)]), "add: expected Set, got List");
    }

    #[test]
    fn add_rejects_functions_and_handles() {
        assert_eq!(err("add", &[set(&[]), func()]), "add: a Function cannot be a set element");
        assert_eq!(err("add", &[set(&[]), list(vec![i(1), func()])]), "add: a Function cannot be a set element");
        let future = Value::Handle(Rc::new(RefCell::new(HandleObj::Future(crate::value::Opaque(Box::new(()))))));
        assert_eq!(err("add", &[set(&[]), pair(i(1), future)]), "add: a Future cannot be a set element");
    }

    #[test]
    fn set_algebra_keeps_order() {
        let a = set(&[1, 2, 3, 4]);
        let b = set(&[5, 4, 2]);
        assert_eq!(shown("union", &[a.clone(), b.clone()]), "set[1, 2, 3, 4, 5]");
        assert_eq!(shown("union", &[b.clone(), a.clone()]), "set[5, 4, 2, 1, 3]");
        assert_eq!(shown("intersection", &[a.clone(), b.clone()]), "set[2, 4]");
        assert_eq!(shown("intersection", &[b.clone(), a.clone()]), "set[4, 2]");
        assert_eq!(shown("difference", &[a.clone(), b.clone()]), "set[1, 3]");
        assert_eq!(shown("difference", &[b.clone(), a.clone()]), "set[5]");
        assert_eq!(shown("union", &[set(&[]), set(&[])]), "set[]");
        assert_eq!(shown("intersection", &[a.clone(), set(&[])]), "set[]");
        assert_eq!(shown("difference", &[a.clone(), set(&[])]), "set[1, 2, 3, 4]");
        assert_eq!(display(&a), "set[1, 2, 3, 4]");
        assert_eq!(err("union", &[a.clone(), ints(&[1])]), "union: expected Set, got List");
        assert_eq!(err("intersection", &[map(&[]), a.clone()]), "intersection: expected Set, got Map");
        assert_eq!(err("difference", &[a.clone(), Value::Null]), "difference: expected Set, got Null");
    }

    #[test]
    fn is_subset_of_sets() {
        assert_eq!(call("is_subset", &[set(&[2, 1]), set(&[1, 2, 3])]), Value::Bool(true));
        assert_eq!(call("is_subset", &[set(&[1, 2, 3]), set(&[1, 2])]), Value::Bool(false));
        assert_eq!(call("is_subset", &[set(&[]), set(&[])]), Value::Bool(true));
        assert_eq!(call("is_subset", &[set(&[1]), set(&[1])]), Value::Bool(true));
        assert_eq!(err("is_subset", &[ints(&[1]), set(&[1])]), "is_subset: expected Set, got List");
    }
}
