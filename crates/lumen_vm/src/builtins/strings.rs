//! Strings (LANGUAGE.md 6.4), and the sequence forms of `index_of`, `last_index_of`, `slice` and
//! `reverse` (6.6). All indices and widths count Unicode scalar values.

use super::convert::iter_items;
use super::{BuiltinDef, BuiltinError, BuiltinFn, BuiltinResult, Ctx, type_error};
use crate::display::{display_nested, write_value};
use crate::format::{format_value, parse_spec};
use crate::value::Value;

mod case;

pub(super) const DEFS: &[BuiltinDef] = &[
    def(&["upper"], case::upper, 1, Some(1)),
    def(&["lower"], case::lower, 1, Some(1)),
    def(&["capitalize"], case::capitalize, 1, Some(1)),
    def(&["title_case"], case::title_case, 1, Some(1)),
    def(&["snake_case"], case::snake_case, 1, Some(1)),
    def(&["camel_case"], case::camel_case, 1, Some(1)),
    def(&["trim"], trim, 1, Some(1)),
    def(&["trim_start"], trim_start, 1, Some(1)),
    def(&["trim_end"], trim_end, 1, Some(1)),
    def(&["split"], split, 1, Some(2)),
    def(&["lines"], lines, 1, Some(1)),
    def(&["join"], join, 1, Some(2)),
    def(&["replace"], replace, 3, Some(3)),
    def(&["starts_with"], starts_with, 2, Some(2)),
    def(&["ends_with"], ends_with, 2, Some(2)),
    def(&["index_of"], index_of, 2, Some(2)),
    def(&["last_index_of"], last_index_of, 2, Some(2)),
    def(&["slice", "substring"], slice, 2, Some(3)),
    def(&["chars"], chars, 1, Some(1)),
    def(&["pad_left"], pad_left, 2, Some(3)),
    def(&["pad_right"], pad_right, 2, Some(3)),
    def(&["repeat"], repeat, 2, Some(2)),
    def(&["reverse"], reverse, 1, Some(1)),
    def(&["format"], format, 1, None),
];

/// A pure builtin taking `min..=max` arguments (`None`: variadic).
const fn def(names: &'static [&'static str], func: BuiltinFn, min_args: u8, max_args: Option<u8>) -> BuiltinDef {
    BuiltinDef { names, func, min_args, max_args, effect: None }
}

/// Results larger than this many bytes are an error rather than an allocation failure.
const MAX_RESULT_BYTES: u128 = 1 << 28;

/// The text of a `String` argument.
fn text<'a>(name: &str, v: &'a Value) -> Result<&'a str, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(type_error(name, "String", other)),
    }
}

fn int(name: &str, v: &Value) -> Result<i64, BuiltinError> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_error(name, "Int", other)),
    }
}

fn strings<'a>(parts: impl Iterator<Item = &'a str>) -> Value {
    Value::list(parts.map(Value::str).collect())
}

/// `args[0]` itself when `result` is all of it (no new allocation), else a new string.
fn same_or_new(args: &[Value], original: &str, result: &str) -> Value {
    if result.len() == original.len() { args[0].clone() } else { Value::str(result) }
}

fn trim(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("trim", &args[0])?;
    Ok(same_or_new(args, s, s.trim()))
}

fn trim_start(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("trim_start", &args[0])?;
    Ok(same_or_new(args, s, s.trim_start()))
}

fn trim_end(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("trim_end", &args[0])?;
    Ok(same_or_new(args, s, s.trim_end()))
}

fn char_strings(s: &str) -> Value {
    Value::list(s.chars().map(|c| Value::string(c.to_string())).collect())
}

fn split(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("split", &args[0])?;
    let Some(sep) = args.get(1) else {
        return Ok(strings(s.split_whitespace()));
    };
    match text("split", sep)? {
        "" => Ok(char_strings(s)),
        sep => Ok(strings(s.split(sep))),
    }
}

fn lines(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    // `str::lines` splits on `\n`, drops a `\r` before it, and ignores a final newline.
    Ok(strings(text("lines", &args[0])?.lines()))
}

fn join(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let sep = match args.get(1) {
        Some(v) => text("join", v)?,
        None => "",
    };
    let owned;
    let items: &[Value] = match &args[0] {
        Value::List(items) | Value::Tuple(items) => items,
        other => {
            owned = iter_items("join", other)?;
            &owned
        }
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write_value(&mut out, item, false);
    }
    Ok(Value::string(out))
}

fn replace(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("replace", &args[0])?;
    let old = text("replace", &args[1])?;
    let new = text("replace", &args[2])?;
    if old.is_empty() || !s.contains(old) {
        return Ok(args[0].clone());
    }
    let count = s.matches(old).count() as u128;
    let size = s.len() as u128 - count * old.len() as u128 + count * new.len() as u128;
    if size > MAX_RESULT_BYTES {
        return Err(BuiltinError::new("replace: result too large"));
    }
    Ok(Value::string(s.replace(old, new)))
}

fn starts_with(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("starts_with", &args[0])?;
    Ok(Value::Bool(s.starts_with(text("starts_with", &args[1])?)))
}

fn ends_with(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("ends_with", &args[0])?;
    Ok(Value::Bool(s.ends_with(text("ends_with", &args[1])?)))
}

/// The character index of byte offset `at` (a char boundary) in `s`.
fn char_index(s: &str, at: usize) -> i64 {
    s.get(..at).map_or(0, |before| before.chars().count() as i64)
}

fn index_of(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Int(match &args[0] {
        Value::Str(s) => {
            let sub = text("index_of", &args[1])?;
            s.find(sub).map_or(-1, |at| char_index(s, at))
        }
        Value::List(items) | Value::Tuple(items) => items.iter().position(|x| *x == args[1]).map_or(-1, |i| i as i64),
        other => return Err(type_error("index_of", "String or list", other)),
    }))
}

fn last_index_of(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Int(match &args[0] {
        Value::Str(s) => {
            let sub = text("last_index_of", &args[1])?;
            s.rfind(sub).map_or(-1, |at| char_index(s, at))
        }
        Value::List(items) | Value::Tuple(items) => items.iter().rposition(|x| *x == args[1]).map_or(-1, |i| i as i64),
        other => return Err(type_error("last_index_of", "String or list", other)),
    }))
}

/// `start..end` over a sequence of `len` elements: negative indices count from the end, both
/// are clamped to `0..=len`, and the range is empty when `start >= end`.
fn bounds(len: usize, start: i64, end: i64) -> (usize, usize) {
    let len = len as i128;
    let clamp = |i: i64| {
        let i = i128::from(i);
        (if i < 0 { i + len } else { i }).clamp(0, len) as usize
    };
    let (start, end) = (clamp(start), clamp(end));
    (start, end.max(start))
}

/// The byte offset of character `n` of `s`, or `s.len()` past the end.
fn byte_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(at, _)| at)
}

fn slice(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let start = int("slice", &args[1])?;
    let end = match args.get(2) {
        Some(v) => int("slice", v)?,
        None => i64::MAX,
    };
    match &args[0] {
        Value::Str(s) => {
            let (start, end) = bounds(s.chars().count(), start, end);
            Ok(Value::str(s.get(byte_offset(s, start)..byte_offset(s, end)).unwrap_or("")))
        }
        Value::List(items) | Value::Tuple(items) => {
            let (start, end) = bounds(items.len(), start, end);
            Ok(Value::list(items.get(start..end).unwrap_or(&[]).to_vec()))
        }
        Value::Bytes(bytes) => {
            let (start, end) = bounds(bytes.len(), start, end);
            Ok(Value::bytes(bytes.get(start..end).unwrap_or(&[]).to_vec()))
        }
        other => Err(type_error("slice", "String, list, tuple or Bytes", other)),
    }
}

fn chars(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(char_strings(text("chars", &args[0])?))
}

/// `pad_left` / `pad_right`.
fn pad(name: &str, args: &[Value], left: bool) -> BuiltinResult {
    let s = text(name, &args[0])?;
    let width = int(name, &args[1])?;
    let fill = match args.get(2) {
        None => ' ',
        Some(v) => {
            let f = text(name, v)?;
            let mut cs = f.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(BuiltinError::new(format!(
                        "{name}: fill must be one character, got {}",
                        display_nested(v)
                    )));
                }
            }
        }
    };
    let len = s.chars().count() as u128;
    let width = u128::try_from(width).unwrap_or(0);
    if len >= width {
        return Ok(args[0].clone());
    }
    let missing = width - len;
    if s.len() as u128 + missing * fill.len_utf8() as u128 > MAX_RESULT_BYTES {
        return Err(BuiltinError::new(format!("{name}: result too large")));
    }
    let padding = std::iter::repeat_n(fill, missing as usize);
    let mut out = String::with_capacity(s.len() + missing as usize * fill.len_utf8());
    if left {
        out.extend(padding);
        out.push_str(s);
    } else {
        out.push_str(s);
        out.extend(padding);
    }
    Ok(Value::string(out))
}

fn pad_left(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    pad("pad_left", args, true)
}

fn pad_right(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    pad("pad_right", args, false)
}

fn repeat(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("repeat", &args[0])?;
    let n = int("repeat", &args[1])?;
    let Ok(n) = usize::try_from(n) else {
        return Err(BuiltinError::new(format!("repeat: count must not be negative, got {n}")));
    };
    if s.len() as u128 * n as u128 > MAX_RESULT_BYTES {
        return Err(BuiltinError::new("repeat: result too large"));
    }
    Ok(Value::string(s.repeat(n)))
}

fn reverse(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(match &args[0] {
        Value::Str(s) => Value::string(s.chars().rev().collect()),
        Value::List(items) => Value::list(items.iter().rev().cloned().collect()),
        Value::Tuple(items) => Value::tuple(items.iter().rev().cloned().collect()),
        Value::Bytes(bytes) => Value::bytes(bytes.iter().rev().copied().collect()),
        other => return Err(type_error("reverse", "String, list, tuple or Bytes", other)),
    })
}

/// `format(template, ...args)`: `{}` and `{:spec}` take the next argument; `{{` and `}}` are
/// literal braces.
fn format(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let template = text("format", &args[0])?;
    let values = &args[1..];
    let mut next = 0;
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
            continue;
        }
        if tail.starts_with('}') {
            return Err(BuiltinError::new("format: unmatched `}` in template (write `}}` for a brace)"));
        }
        let inner = tail.strip_prefix('{').unwrap_or(tail);
        let Some(close) = inner.find('}') else {
            return Err(BuiltinError::new("format: unclosed `{` in template (write `{{` for a brace)"));
        };
        let placeholder = &inner[..close];
        rest = &inner[close + 1..];
        let spec = if placeholder.is_empty() {
            None
        } else if let Some(spec) = placeholder.strip_prefix(':') {
            let Some(parsed) = parse_spec(spec) else {
                return Err(BuiltinError::new(format!("format: invalid format spec `{spec}`")));
            };
            Some(parsed)
        } else {
            return Err(BuiltinError::new(format!(
                "format: invalid placeholder `{{{placeholder}}}` (expected `{{}}` or `{{:spec}}`)"
            )));
        };
        let Some(value) = values.get(next) else {
            return Err(BuiltinError::new(format!(
                "format: more placeholders than arguments ({} given)",
                values.len()
            )));
        };
        next += 1;
        match spec {
            None => write_value(&mut out, value, false),
            Some(spec) => {
                out.push_str(&format_value(value, &spec).map_err(|e| BuiltinError::new(format!("format: {e}")))?)
            }
        }
    }
    out.push_str(rest);
    if next < values.len() {
        return Err(BuiltinError::new(format!(
            "format: {} unused argument(s) ({} placeholders, {} arguments)",
            values.len() - next,
            next,
            values.len()
        )));
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests;
