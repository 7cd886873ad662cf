//! JSON: parsing, compact and pretty encoding, JSON Patch `diff` and `patch`.

use super::super::{BuiltinError, BuiltinResult, Ctx, type_error};
use crate::display::write_float;
use crate::value::{MapObj, Value, make_result};
use base64::Engine;

pub(super) fn parse(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Str(text) = &args[0] else { return Err(type_error("json_parse", "String", &args[0])) };
    Ok(match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => make_result(true, from_json(v)),
        Err(e) => make_result(false, Value::string(format!("invalid JSON: {e}"))),
    })
}

fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(items) => Value::list(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            let mut out = MapObj::default();
            for (k, v) in map {
                out.insert(Value::string(k), from_json(v));
            }
            Value::map(out)
        }
    }
}

pub(super) fn encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut out = String::new();
    write_json(&mut out, &args[0], None, 0)?;
    Ok(Value::string(out))
}

pub(super) fn pretty(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut out = String::new();
    write_json(&mut out, &args[0], Some(2), 0)?;
    Ok(Value::string(out))
}

fn quote(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// Writes `v` as JSON; `indent` is `None` for the compact form.
fn write_json(out: &mut String, v: &Value, indent: Option<usize>, depth: usize) -> Result<(), BuiltinError> {
    if depth > 512 {
        return Err(BuiltinError::new("to_json: value is nested too deeply"));
    }
    let newline = |out: &mut String, level: usize| {
        if let Some(step) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(step * level));
        }
    };
    let seq = |out: &mut String, items: &mut dyn Iterator<Item = &Value>| -> Result<(), BuiltinError> {
        let items: Vec<&Value> = items.collect();
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, depth + 1);
            write_json(out, item, indent, depth + 1)?;
        }
        if !items.is_empty() {
            newline(out, depth);
        }
        out.push(']');
        Ok(())
    };
    let object = |out: &mut String, entries: Vec<(String, &Value)>| -> Result<(), BuiltinError> {
        out.push('{');
        for (i, (k, item)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, depth + 1);
            quote(out, k);
            out.push_str(if indent.is_some() { ": " } else { ":" });
            write_json(out, item, indent, depth + 1)?;
        }
        if !entries.is_empty() {
            newline(out, depth);
        }
        out.push('}');
        Ok(())
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(BuiltinError::new(format!("to_json: {f} is not representable in JSON")));
            }
            write_float(out, *f);
        }
        Value::Str(s) => quote(out, s),
        Value::Bytes(b) => quote(out, &base64::engine::general_purpose::STANDARD.encode(b.as_slice())),
        Value::List(items) | Value::Tuple(items) => seq(out, &mut items.iter())?,
        Value::Set(items) => seq(out, &mut items.iter())?,
        Value::Map(m) => object(out, m.iter().map(|(k, v)| (crate::display::display(k), v)).collect())?,
        Value::Record(r) => object(out, r.ty.fields.iter().map(|f| f.to_string()).zip(r.fields.iter()).collect())?,
        Value::Enum(e) => {
            let tag = Value::string(e.ty.variants.get(e.variant as usize).map_or("?".to_string(), |v| v.to_string()));
            let values = Value::list(e.payload.clone());
            object(out, vec![("tag".to_string(), &tag), ("values".to_string(), &values)])?;
        }
        other => return Err(BuiltinError::new(format!("to_json: a {} cannot be encoded as JSON", other.type_name()))),
    }
    Ok(())
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn op(kind: &str, path: &str, value: Option<Value>) -> Value {
    let mut m = MapObj::default();
    m.insert(Value::str("op"), Value::str(kind));
    m.insert(Value::str("path"), Value::str(path));
    if let Some(v) = value {
        m.insert(Value::str("value"), v);
    }
    Value::map(m)
}

/// JSON Patch operations turning `a` into `b`.
pub(super) fn diff(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    fn walk(a: &Value, b: &Value, path: &str, ops: &mut Vec<Value>) {
        match (a, b) {
            (Value::Map(x), Value::Map(y)) => {
                for (k, va) in x.iter() {
                    let p = format!("{path}/{}", pointer_escape(&crate::display::display(k)));
                    match y.get(k) {
                        Some(vb) => walk(va, vb, &p, ops),
                        None => ops.push(op("remove", &p, None)),
                    }
                }
                for (k, vb) in y.iter() {
                    if !x.contains_key(k) {
                        let p = format!("{path}/{}", pointer_escape(&crate::display::display(k)));
                        ops.push(op("add", &p, Some(vb.clone())));
                    }
                }
            }
            (Value::List(x), Value::List(y)) if x.len() == y.len() => {
                for (i, (va, vb)) in x.iter().zip(y.iter()).enumerate() {
                    walk(va, vb, &format!("{path}/{i}"), ops);
                }
            }
            _ if a == b => {}
            _ => ops.push(op("replace", path, Some(b.clone()))),
        }
    }
    let mut ops = Vec::new();
    walk(&args[0], &args[1], "", &mut ops);
    Ok(Value::list(ops))
}

/// Applies JSON Patch operations (`add`, `remove`, `replace`).
pub(super) fn patch(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::List(ops) = &args[1] else { return Err(type_error("patch", "list of operations", &args[1])) };
    let mut doc = args[0].clone();
    for o in ops.iter() {
        let Value::Map(m) = o else { return Err(BuiltinError::new("patch: each operation must be a map")) };
        let get = |k: &str| m.get(&Value::str(k));
        let kind = match get("op") {
            Some(Value::Str(s)) => s.to_string(),
            _ => return Err(BuiltinError::new("patch: operation without `op`")),
        };
        let path = match get("path") {
            Some(Value::Str(s)) => s.to_string(),
            _ => return Err(BuiltinError::new("patch: operation without `path`")),
        };
        let tokens: Vec<String> = if path.is_empty() {
            Vec::new()
        } else if let Some(rest) = path.strip_prefix('/') {
            rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
        } else {
            return Err(BuiltinError::new(format!("patch: invalid path `{path}`")));
        };
        let value = get("value").cloned();
        apply(&mut doc, &tokens, &kind, value).map_err(|e| BuiltinError::new(format!("patch: {kind} {path}: {e}")))?;
    }
    Ok(doc)
}

fn apply(doc: &mut Value, tokens: &[String], kind: &str, value: Option<Value>) -> Result<(), String> {
    let Some((last, parents)) = tokens.split_last() else {
        return match (kind, value) {
            ("add" | "replace", Some(v)) => {
                *doc = v;
                Ok(())
            }
            _ => Err("cannot remove the whole document".into()),
        };
    };
    let mut cur = doc;
    for t in parents {
        cur = match cur {
            Value::Map(m) => std::rc::Rc::make_mut(m).get_mut(&Value::str(t)).ok_or("no such key")?,
            Value::List(items) => {
                let i: usize = t.parse().map_err(|_| "bad index")?;
                std::rc::Rc::make_mut(items).get_mut(i).ok_or("index out of range")?
            }
            _ => return Err("path goes through a value that is not a container".into()),
        };
    }
    match cur {
        Value::Map(m) => {
            let m = std::rc::Rc::make_mut(m);
            let key = Value::str(last);
            match kind {
                "add" => {
                    m.insert(key, value.ok_or("missing value")?);
                }
                "replace" => {
                    let slot = m.get_mut(&key).ok_or("no such key")?;
                    *slot = value.ok_or("missing value")?;
                }
                "remove" => {
                    m.shift_remove(&key).ok_or("no such key")?;
                }
                other => return Err(format!("unsupported operation `{other}`")),
            }
        }
        Value::List(items) => {
            let items = std::rc::Rc::make_mut(items);
            let index = if last == "-" { items.len() } else { last.parse::<usize>().map_err(|_| "bad index")? };
            match kind {
                "add" if index <= items.len() => items.insert(index, value.ok_or("missing value")?),
                "replace" if index < items.len() => items[index] = value.ok_or("missing value")?,
                "remove" if index < items.len() => {
                    items.remove(index);
                }
                _ => return Err("index out of range or unsupported operation".into()),
            }
        }
        _ => return Err("the target is not a container".into()),
    }
    Ok(())
}
