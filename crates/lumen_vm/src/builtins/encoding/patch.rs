//! JSON Patch (RFC 6902) between Lumen values: `diff` and `patch` (LANGUAGE.md 6.12).
//!
//! Paths are JSON Pointers (RFC 6901). Besides maps and lists, `patch` can address record fields
//! by name and tuple elements by index (replace only), so `diff` descends into records of the
//! same type and tuples of the same length. Maps whose keys are not all Strings are compared as
//! a whole (a pointer cannot say which kind of key it means).

use std::rc::Rc;

use super::super::{BuiltinError, BuiltinResult, Ctx, type_error};
use super::json::{MAX_DEPTH, key_text};
use crate::value::{MapObj, Value};

/// `diff(a, b)`: the operations turning `a` into `b` (`[]` when they are equal).
pub(super) fn diff(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut ops = Vec::new();
    let mut path = String::new();
    diff_walk(&args[0], &args[1], &mut path, &mut ops, 0);
    Ok(Value::list(ops))
}

fn operation(kind: &str, path: &str, value: Option<&Value>) -> Value {
    let mut m = MapObj::with_capacity_and_hasher(3, Default::default());
    m.insert(Value::str("op"), Value::str(kind));
    m.insert(Value::str("path"), Value::str(path));
    if let Some(v) = value {
        m.insert(Value::str("value"), v.clone());
    }
    Value::map(m)
}

/// Appends `/token` (escaped) to a pointer.
fn push_token(path: &mut String, token: &str) {
    path.push('/');
    for c in token.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

fn string_keys(m: &MapObj) -> bool {
    m.keys().all(|k| matches!(k, Value::Str(_)))
}

fn diff_walk(a: &Value, b: &Value, path: &mut String, ops: &mut Vec<Value>, depth: usize) {
    let len = path.len();
    match (a, b) {
        _ if depth > MAX_DEPTH => {
            if a != b {
                ops.push(operation("replace", path, Some(b)));
            }
        }
        (Value::Map(x), Value::Map(y)) if string_keys(x) && string_keys(y) => {
            for (k, va) in x.iter() {
                push_token(path, &key_text(k));
                match y.get(k) {
                    Some(vb) => diff_walk(va, vb, path, ops, depth + 1),
                    None => ops.push(operation("remove", path, None)),
                }
                path.truncate(len);
            }
            for (k, vb) in y.iter() {
                if !x.contains_key(k) {
                    push_token(path, &key_text(k));
                    ops.push(operation("add", path, Some(vb)));
                    path.truncate(len);
                }
            }
        }
        (Value::List(x), Value::List(y)) => {
            for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                push_token(path, &i.to_string());
                diff_walk(va, vb, path, ops, depth + 1);
                path.truncate(len);
            }
            // Remove surplus elements from the end, so earlier indexes stay valid.
            for i in (y.len()..x.len()).rev() {
                push_token(path, &i.to_string());
                ops.push(operation("remove", path, None));
                path.truncate(len);
            }
            for (i, vb) in y.iter().enumerate().skip(x.len()) {
                push_token(path, &i.to_string());
                ops.push(operation("add", path, Some(vb)));
                path.truncate(len);
            }
        }
        (Value::Tuple(x), Value::Tuple(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                push_token(path, &i.to_string());
                diff_walk(va, vb, path, ops, depth + 1);
                path.truncate(len);
            }
        }
        (Value::Record(x), Value::Record(y)) if x.ty.id == y.ty.id => {
            for ((name, va), vb) in x.ty.fields.iter().zip(x.fields.iter()).zip(y.fields.iter()) {
                push_token(path, name);
                diff_walk(va, vb, path, ops, depth + 1);
                path.truncate(len);
            }
        }
        _ if a == b => {}
        _ => ops.push(operation("replace", path, Some(b))),
    }
}

/// `patch(v, ops)`: applies `add`, `remove`, `replace`, `move`, `copy` and `test` operations in
/// order; any operation that does not apply is an error.
pub(super) fn patch(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let ops: &[Value] = match &args[1] {
        Value::List(ops) => ops,
        other => return Err(type_error("patch", "a list of operations", other)),
    };
    let mut doc = args[0].clone();
    for (n, op) in ops.iter().enumerate() {
        let Value::Map(m) = op else {
            return Err(BuiltinError::new(format!("patch: operation {n} must be a map, got {}", op.type_name())));
        };
        let field = |name: &str| m.get(&Value::str(name));
        let pointer = |name: &str| match field(name) {
            Some(Value::Str(s)) => Ok(s.as_str()),
            _ => Err(BuiltinError::new(format!("patch: operation {n} has no `{name}` string"))),
        };
        let kind = pointer("op")?;
        let path = pointer("path")?;
        let fail = |reason: String| BuiltinError::new(format!("patch: {kind} {path}: {reason}"));
        let tokens = parse_pointer(path).map_err(fail)?;
        let value = || field("value").cloned().ok_or_else(|| fail("missing `value`".into()));
        match kind {
            "add" => add(&mut doc, &tokens, value()?).map_err(fail)?,
            "remove" => remove(&mut doc, &tokens).map(drop).map_err(fail)?,
            "replace" => *resolve_mut(&mut doc, &tokens).map_err(fail)? = value()?,
            "move" | "copy" => {
                let from_path = pointer("from")?;
                let from = parse_pointer(from_path).map_err(fail)?;
                if kind == "move" && from.len() < tokens.len() && tokens.starts_with(&from) {
                    return Err(fail(format!("cannot move `{from_path}` into itself")));
                }
                let moved = if kind == "move" { remove(&mut doc, &from) } else { resolve(&doc, &from).cloned() };
                add(&mut doc, &tokens, moved.map_err(|e| fail(format!("from {from_path}: {e}")))?).map_err(fail)?;
            }
            "test" => {
                let expected = value()?;
                if *resolve(&doc, &tokens).map_err(fail)? != expected {
                    return Err(fail("test failed".into()));
                }
            }
            other => return Err(fail(format!("unknown operation `{other}`"))),
        }
    }
    Ok(doc)
}

/// The reference tokens of a JSON Pointer (`""` is the whole document).
fn parse_pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err("a JSON Pointer must be empty or start with `/`".into());
    };
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

/// An array index token: decimal digits without leading zeros, below `len` (or equal to it when
/// `end_ok`, where `-` also means the end).
fn index(token: &str, len: usize, end_ok: bool) -> Result<usize, String> {
    if token == "-" && end_ok {
        return Ok(len);
    }
    let digits = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits || (token.len() > 1 && token.starts_with('0')) {
        return Err(format!("invalid array index `{token}`"));
    }
    match token.parse::<usize>() {
        Ok(i) if i < len || (end_ok && i == len) => Ok(i),
        _ => Err(format!("index {token} out of range (length {len})")),
    }
}

/// The map key a token names: the String key, else a non-String key whose display matches.
fn find_key(m: &MapObj, token: &str) -> Option<Value> {
    let key = Value::str(token);
    if m.contains_key(&key) {
        return Some(key);
    }
    m.keys().find(|k| !matches!(k, Value::Str(_)) && key_text(k) == token).cloned()
}

fn field_index(fields: &[Rc<str>], token: &str) -> Result<usize, String> {
    fields.iter().position(|f| &**f == token).ok_or_else(|| format!("no field `{token}`"))
}

fn child<'v>(v: &'v Value, token: &str) -> Result<&'v Value, String> {
    match v {
        Value::Map(m) => find_key(m, token).and_then(|k| m.get(&k)).ok_or_else(|| format!("no key `{token}`")),
        Value::List(items) | Value::Tuple(items) => Ok(&items[index(token, items.len(), false)?]),
        Value::Record(r) => Ok(&r.fields[field_index(&r.ty.fields, token)?]),
        other => Err(format!("cannot index into a {}", other.type_name())),
    }
}

fn child_mut<'v>(v: &'v mut Value, token: &str) -> Result<&'v mut Value, String> {
    match v {
        Value::Map(m) => {
            let key = find_key(m, token).ok_or_else(|| format!("no key `{token}`"))?;
            Rc::make_mut(m).get_mut(&key).ok_or_else(|| format!("no key `{token}`"))
        }
        Value::List(items) | Value::Tuple(items) => {
            let i = index(token, items.len(), false)?;
            Ok(&mut Rc::make_mut(items)[i])
        }
        Value::Record(r) => {
            let i = field_index(&r.ty.fields, token)?;
            Ok(&mut Rc::make_mut(r).fields[i])
        }
        other => Err(format!("cannot index into a {}", other.type_name())),
    }
}

fn resolve<'v>(doc: &'v Value, tokens: &[String]) -> Result<&'v Value, String> {
    tokens.iter().try_fold(doc, |v, t| child(v, t))
}

fn resolve_mut<'v>(doc: &'v mut Value, tokens: &[String]) -> Result<&'v mut Value, String> {
    tokens.iter().try_fold(doc, |v, t| child_mut(v, t))
}

fn add(doc: &mut Value, tokens: &[String], value: Value) -> Result<(), String> {
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match resolve_mut(doc, parents)? {
        Value::Map(m) => {
            // Adding an existing member replaces it (in place, keeping the key's position).
            let key = find_key(m, last).unwrap_or_else(|| Value::str(last));
            Rc::make_mut(m).insert(key, value);
        }
        Value::List(items) => {
            let i = index(last, items.len(), true)?;
            Rc::make_mut(items).insert(i, value);
        }
        Value::Record(r) => {
            let i = field_index(&r.ty.fields, last)?;
            Rc::make_mut(r).fields[i] = value;
        }
        other => return Err(format!("cannot add to a {}", other.type_name())),
    }
    Ok(())
}

fn remove(doc: &mut Value, tokens: &[String]) -> Result<Value, String> {
    let Some((last, parents)) = tokens.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    match resolve_mut(doc, parents)? {
        Value::Map(m) => {
            let key = find_key(m, last).ok_or_else(|| format!("no key `{last}`"))?;
            Rc::make_mut(m).shift_remove(&key).ok_or_else(|| format!("no key `{last}`"))
        }
        Value::List(items) => {
            let i = index(last, items.len(), false)?;
            Ok(Rc::make_mut(items).remove(i))
        }
        other => Err(format!("cannot remove from a {}", other.type_name())),
    }
}
