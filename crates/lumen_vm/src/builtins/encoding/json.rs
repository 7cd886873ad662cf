//! JSON parsing and encoding (LANGUAGE.md 6.11).

use std::fmt::Write;

use super::super::{BuiltinError, BuiltinResult, Ctx};
use super::{result_value, text_arg};
use crate::display::{display, write_float};
use crate::value::{MapObj, Value};
use base64::Engine;

/// How deeply encoders and walkers recurse before giving up (values this deep are not data).
pub(super) const MAX_DEPTH: usize = 512;

/// `json_parse(s)`: `ok(value)` or `err(message)`.
pub(super) fn parse(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let text = text_arg("json_parse", &args[0])?;
    Ok(match super::json_read::parse_value(text) {
        Ok(v) => result_value(true, v),
        Err(e) => result_value(false, Value::string(format!("invalid JSON: {e}"))),
    })
}

/// Objects become maps with String keys in document order; integers that fit an Int become
/// Int, every other number a Float.
pub(super) fn from_json(v: serde_json::Value) -> Value {
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
            let mut out = MapObj::with_capacity_and_hasher(map.len(), Default::default());
            for (k, v) in map {
                out.insert(Value::string(k), from_json(v));
            }
            Value::map(out)
        }
    }
}

/// `to_json(v)`: compact JSON.
pub(super) fn encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut out = String::new();
    Encoder { out: &mut out, indent: None }.value(&args[0], 0)?;
    Ok(Value::string(out))
}

/// A value as JSON (records become objects, Bytes base64 strings, as `to_json`); the message
/// of `to_json`'s error for values that are not data.
pub(crate) fn to_json_value(v: &Value) -> Result<serde_json::Value, String> {
    let mut out = String::new();
    Encoder { out: &mut out, indent: None }.value(v, 0).map_err(|e| e.0)?;
    serde_json::from_str(&out).map_err(|e| e.to_string())
}

/// A JSON value as a Lumen value (objects become maps).
pub(crate) fn json_to_value(v: serde_json::Value) -> Value {
    from_json(v)
}

/// `json_pretty(v)`: two-space indentation, `": "` after keys.
pub(super) fn pretty(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut out = String::new();
    Encoder { out: &mut out, indent: Some(2) }.value(&args[0], 0)?;
    Ok(Value::string(out))
}

/// Whether `to_json` accepts the value.
pub(super) fn representable(v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let all = |items: &mut dyn Iterator<Item = &Value>| {
        for x in items {
            if !representable(x, depth + 1) {
                return false;
            }
        }
        true
    };
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Str(_) | Value::Bytes(_) => true,
        Value::Float(f) => f.is_finite(),
        Value::List(items) | Value::Tuple(items) => all(&mut items.iter()),
        Value::Set(items) => all(&mut items.iter()),
        Value::Map(m) => all(&mut m.values()),
        Value::Record(r) => all(&mut r.fields.iter()),
        Value::Enum(e) => all(&mut e.payload.iter()),
        Value::Range(_) | Value::Func(_) | Value::Handle(_) => false,
    }
}

/// The text of a map key as a JSON object member name: strings as they are, other keys in
/// their display form (`1`, `true`).
pub(super) fn key_text(k: &Value) -> String {
    match k {
        Value::Str(s) => s.to_string(),
        other => display(other),
    }
}

/// Writes a JSON string literal.
pub(super) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Encoder<'o> {
    out: &'o mut String,
    /// `None` for the compact form, else spaces per level.
    indent: Option<usize>,
}

impl Encoder<'_> {
    fn newline(&mut self, level: usize) {
        if let Some(step) = self.indent {
            self.out.push('\n');
            self.out.extend(std::iter::repeat_n(' ', step * level));
        }
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), BuiltinError> {
        if depth > MAX_DEPTH {
            return Err(BuiltinError::new("to_json: value is nested too deeply"));
        }
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) if f.is_finite() => write_float(self.out, *f),
            Value::Float(f) => {
                let shown = crate::display::float_to_string(*f);
                return Err(BuiltinError::new(format!("to_json: {shown} is not representable in JSON")));
            }
            Value::Str(s) => write_string(self.out, s),
            Value::Bytes(b) => write_string(self.out, &base64::engine::general_purpose::STANDARD.encode(b.as_slice())),
            Value::List(items) | Value::Tuple(items) => self.array(&mut items.iter(), depth)?,
            Value::Set(items) => self.array(&mut items.iter(), depth)?,
            Value::Map(m) => {
                let mut entries = m.iter().map(|(k, v)| (key_text(k), v));
                self.object(&mut entries, depth)?;
            }
            Value::Record(r) => {
                let mut entries = r.ty.fields.iter().map(|f| f.to_string()).zip(r.fields.iter());
                self.object(&mut entries, depth)?;
            }
            Value::Enum(e) => {
                let tag =
                    e.ty.variants.get(e.variant as usize).map_or_else(|| e.variant.to_string(), |n| n.to_string());
                let tag = Value::string(tag);
                let values = Value::list(e.payload.clone());
                let mut entries = [("tag".to_string(), &tag), ("values".to_string(), &values)].into_iter();
                self.object(&mut entries, depth)?;
            }
            Value::Range(_) | Value::Func(_) | Value::Handle(_) => {
                return Err(BuiltinError::new(format!("to_json: a {} cannot be encoded as JSON", v.type_name())));
            }
        }
        Ok(())
    }

    fn array(&mut self, items: &mut dyn Iterator<Item = &Value>, depth: usize) -> Result<(), BuiltinError> {
        self.out.push('[');
        let mut empty = true;
        for item in items {
            if !empty {
                self.out.push(',');
            }
            empty = false;
            self.newline(depth + 1);
            self.value(item, depth + 1)?;
        }
        if !empty {
            self.newline(depth);
        }
        self.out.push(']');
        Ok(())
    }

    fn object(
        &mut self,
        entries: &mut dyn Iterator<Item = (String, &Value)>,
        depth: usize,
    ) -> Result<(), BuiltinError> {
        self.out.push('{');
        let mut empty = true;
        for (key, item) in entries {
            if !empty {
                self.out.push(',');
            }
            empty = false;
            self.newline(depth + 1);
            write_string(self.out, &key);
            self.out.push_str(if self.indent.is_some() { ": " } else { ":" });
            self.value(item, depth + 1)?;
        }
        if !empty {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }
}
