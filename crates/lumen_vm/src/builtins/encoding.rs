//! Text formats, encodings, hashing and data integrity (LANGUAGE.md 6.11, 6.12).
//!
//! Child modules: `json` (parsing and encoding), `patch` (JSON Patch `diff`/`patch`), `text`
//! (CSV, base64, hex, percent-encoding) and `pattern` (regular expressions).

mod json;
mod json_read;
pub(crate) use json::{json_to_value, to_json_value};
mod patch;
mod pattern;
mod text;

use std::cell::RefCell;
use std::rc::Rc;

use sha2::{Digest, Sha256, Sha512};

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx, type_error};
use crate::value::{HandleObj, MapObj, SetObj, Value};

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
    def(&["regex_match"], pattern::regex_match, 2, 2),
    def(&["regex_find_all"], pattern::regex_find_all, 2, 2),
    def(&["regex_replace"], pattern::regex_replace, 3, 3),
    def(&["hash"], hash, 1, 1),
    def(&["sha256"], sha256, 1, 1),
    def(&["sha512"], sha512, 1, 1),
    def(&["diff"], patch::diff, 2, 2),
    def(&["patch"], patch::patch, 2, 2),
    def(&["redact"], redact, 2, 2),
    def(&["matches"], matches, 1, 1),
    def(&["validate"], validate, 1, 1),
    def(&["trace_ref"], trace_ref, 0, 0),
];

/// `ok(v)` or `err(v)`: an enum value of the predeclared `result` type (shared with the VM, so
/// results built here compare equal to results built by Lumen code).
pub(crate) fn result_value(is_ok: bool, v: Value) -> Value {
    crate::value::make_result(is_ok, v)
}

/// A String argument.
pub(crate) fn text_arg<'v>(name: &str, v: &'v Value) -> Result<&'v str, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(type_error(name, "String", other)),
    }
}

/// The bytes of a String (UTF-8) or Bytes argument.
pub(crate) fn bytes_of<'v>(name: &str, v: &'v Value) -> Result<&'v [u8], BuiltinError> {
    match v {
        Value::Str(s) => Ok(s.as_bytes()),
        Value::Bytes(b) => Ok(b),
        other => Err(type_error(name, "String or Bytes", other)),
    }
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
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

/// Truthiness, as `to_bool`.
fn matches(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(args[0].truthy()))
}

/// True when `to_json` could encode the value (finite floats, no functions, handles or ranges).
///
/// Records' `where` constraints are not re-checked here: the VM checks them whenever a record is
/// built or a field assigned, so a record value normally satisfies them already. (Values produced
/// by `patch` or `redact` bypass those checks; a builtin cannot call the validator back.)
fn validate(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(json::representable(&args[0], 0)))
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

const REDACTED: &str = "[REDACTED]";

/// Copy of a map or record (recursively through nested maps, records and lists) with the named
/// keys and fields hidden: map values become `"[REDACTED]"`; record fields become
/// `"[REDACTED]"` when they hold a String, else the zero value of their kind.
fn redact(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let names: Vec<&str> = match &args[1] {
        Value::List(items) => items.iter().map(|v| text_arg("redact", v)).collect::<Result<_, _>>()?,
        Value::Set(items) => items.iter().map(|v| text_arg("redact", v)).collect::<Result<_, _>>()?,
        other => return Err(type_error("redact", "list[String]", other)),
    };
    Ok(redact_walk(&args[0], &names, 0))
}

fn redact_walk(v: &Value, names: &[&str], depth: usize) -> Value {
    if depth > json::MAX_DEPTH {
        return v.clone();
    }
    let named = |key: &str| names.contains(&key);
    match v {
        Value::Map(m) => {
            let mut out = MapObj::with_capacity_and_hasher(m.len(), Default::default());
            for (k, x) in m.iter() {
                let hide = matches!(k, Value::Str(s) if named(s));
                out.insert(k.clone(), if hide { Value::str(REDACTED) } else { redact_walk(x, names, depth + 1) });
            }
            Value::map(out)
        }
        Value::Record(r) => {
            let mut copy = (**r).clone();
            for (name, field) in r.ty.fields.iter().zip(copy.fields.iter_mut()) {
                *field = if named(name) { hidden_field(field, 0) } else { redact_walk(field, names, depth + 1) };
            }
            Value::Record(Rc::new(copy))
        }
        Value::List(items) => Value::list(items.iter().map(|x| redact_walk(x, names, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// The replacement for a redacted record field: `"[REDACTED]"` for strings, otherwise the zero
/// of the value's kind (so the field keeps its type). Kinds without a zero (enum values,
/// functions, handles) become `"[REDACTED]"` too.
fn hidden_field(v: &Value, depth: usize) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Bool(_) => Value::Bool(false),
        Value::Int(_) => Value::Int(0),
        Value::Float(_) => Value::Float(0.0),
        Value::Bytes(_) => Value::bytes(Vec::new()),
        Value::List(_) => Value::list(Vec::new()),
        Value::Map(_) => Value::map(MapObj::default()),
        Value::Set(_) => Value::set(SetObj::default()),
        Value::Tuple(items) if depth < json::MAX_DEPTH => {
            Value::tuple(items.iter().map(|x| hidden_field(x, depth + 1)).collect())
        }
        Value::Record(r) if depth < json::MAX_DEPTH => {
            let mut copy = (**r).clone();
            for field in copy.fields.iter_mut() {
                *field = hidden_field(field, depth + 1);
            }
            Value::Record(Rc::new(copy))
        }
        _ => Value::str(REDACTED),
    }
}

#[cfg(test)]
mod tests;
