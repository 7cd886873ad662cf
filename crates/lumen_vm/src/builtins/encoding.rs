//! Text formats, encodings, hashing and data integrity (LANGUAGE.md 6.11, 6.12).

mod json;
mod text;

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx};
use crate::value::{HandleObj, MapObj, Value};
use sha2::{Digest, Sha256, Sha512};
use std::cell::RefCell;
use std::rc::Rc;

const fn def(names: &'static [&'static str], func: super::BuiltinFn, min: u8, max: u8) -> BuiltinDef {
    BuiltinDef { names, func, min_args: min, max_args: Some(max), effect: None }
}

pub(super) const DEFS: &[BuiltinDef] = &[
    def(&["json_parse", "parse_json"], json::parse, 1, 1),
    def(&["to_json", "json_encode", "json_stringify"], json::encode, 1, 1),
    def(&["json_pretty"], json::pretty, 1, 1),
    def(&["csv_parse"], text::csv_parse, 1, 1),
    def(&["csv_encode"], text::csv_encode, 1, 1),
    def(&["base64_encode"], text::base64_encode, 1, 1),
    def(&["base64_decode"], text::base64_decode, 1, 1),
    def(&["hex_encode"], text::hex_encode, 1, 1),
    def(&["hex_decode"], text::hex_decode, 1, 1),
    def(&["url_encode"], text::url_encode, 1, 1),
    def(&["url_decode"], text::url_decode, 1, 1),
    def(&["regex_match"], text::regex_match, 2, 2),
    def(&["regex_find_all"], text::regex_find_all, 2, 2),
    def(&["regex_replace"], text::regex_replace, 3, 3),
    def(&["hash"], hash, 1, 1),
    def(&["sha256"], sha256, 1, 1),
    def(&["sha512"], sha512, 1, 1),
    def(&["diff"], json::diff, 2, 2),
    def(&["patch"], json::patch, 2, 2),
    def(&["redact"], redact, 2, 2),
    def(&["matches"], matches, 1, 1),
    def(&["validate"], validate, 1, 1),
    def(&["trace_ref"], trace_ref, 0, 0),
];

/// The bytes of a String (UTF-8) or Bytes argument.
pub(crate) fn bytes_of(name: &str, v: &Value) -> Result<Vec<u8>, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s.as_bytes().to_vec()),
        Value::Bytes(b) => Ok(b.to_vec()),
        other => Err(super::type_error(name, "String or Bytes", other)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(format!("sha256:{}", hex(&Sha256::digest(bytes_of("hash", &args[0])?)))))
}

fn sha256(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(hex(&Sha256::digest(bytes_of("sha256", &args[0])?))))
}

fn sha512(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(hex(&Sha512::digest(bytes_of("sha512", &args[0])?))))
}

fn matches(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(args[0].truthy()))
}

/// True when the value holds only JSON-representable data (records' `where` constraints are
/// checked whenever a record is built or updated, so a record value already satisfies them).
fn validate(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    fn ok(v: &Value) -> bool {
        match v {
            Value::Float(f) => f.is_finite(),
            Value::List(items) | Value::Tuple(items) => items.iter().all(ok),
            Value::Set(items) => items.iter().all(ok),
            Value::Map(m) => m.iter().all(|(k, v)| matches!(k, Value::Str(_)) && ok(v)),
            Value::Record(r) => r.fields.iter().all(ok),
            Value::Enum(e) => e.payload.iter().all(ok),
            Value::Func(_) | Value::Handle(_) | Value::Range(_) => false,
            _ => true,
        }
    }
    Ok(Value::Bool(ok(&args[0])))
}

/// A reference to the current run and the next trace sequence number. Without a trace
/// (`--trace-dir`), the run id is `local`.
fn trace_ref(_ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    let mut state = MapObj::default();
    state.insert(Value::str("run"), Value::str("local"));
    state.insert(Value::str("seq"), Value::Int(0));
    let obj = HandleObj::Instance { kind: Rc::from("trace"), name: Rc::from("TraceRef"), id: u32::MAX, state };
    Ok(Value::Handle(Rc::new(RefCell::new(obj))))
}

/// Copy of a map or record with the named keys/fields replaced (recursively).
fn redact(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let names: Vec<String> = match &args[1] {
        Value::List(items) => items.iter().map(crate::display::display).collect(),
        other => return Err(super::type_error("redact", "list[String]", other)),
    };
    fn hidden(v: &Value) -> Value {
        match v {
            Value::Int(_) => Value::Int(0),
            Value::Float(_) => Value::Float(0.0),
            Value::Bool(_) => Value::Bool(false),
            Value::List(_) => Value::list(Vec::new()),
            Value::Null => Value::Null,
            _ => Value::str("[REDACTED]"),
        }
    }
    fn walk(v: &Value, names: &[String]) -> Value {
        match v {
            Value::Map(m) => {
                let mut out = MapObj::default();
                for (k, x) in m.iter() {
                    let hide = matches!(k, Value::Str(s) if names.iter().any(|n| n == s.as_str()));
                    out.insert(k.clone(), if hide { Value::str("[REDACTED]") } else { walk(x, names) });
                }
                Value::map(out)
            }
            Value::Record(r) => {
                let mut r2 = (**r).clone();
                for (name, field) in r.ty.fields.iter().zip(r2.fields.iter_mut()) {
                    *field = if names.iter().any(|n| n == &**name) { hidden(field) } else { walk(field, names) };
                }
                Value::Record(Rc::new(r2))
            }
            Value::List(items) => Value::list(items.iter().map(|x| walk(x, names)).collect()),
            other => other.clone(),
        }
    }
    Ok(walk(&args[0], &names))
}

#[cfg(test)]
mod tests;
