//! CSV, base64, hex, percent-encoding and regular expressions.

use std::cell::RefCell;
use std::collections::HashMap;

use base64::Engine;
use regex::Regex;

use super::super::{BuiltinError, BuiltinResult, Ctx, type_error};
use super::bytes_of;
use crate::value::Value;

fn text<'v>(name: &str, v: &'v Value) -> Result<&'v str, BuiltinError> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(type_error(name, "String", other)),
    }
}

pub(super) fn csv_parse(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let input = text("csv_parse", &args[0])?;
    let mut rows: Vec<Value> = Vec::new();
    let mut row: Vec<Value> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = input.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(Value::string(std::mem::take(&mut field))),
            '\r' => {}
            '\n' => {
                row.push(Value::string(std::mem::take(&mut field)));
                rows.push(Value::list(std::mem::take(&mut row)));
                any = false;
            }
            c => field.push(c),
        }
    }
    if any || !field.is_empty() || !row.is_empty() {
        row.push(Value::string(field));
        rows.push(Value::list(row));
    }
    Ok(Value::list(rows))
}

pub(super) fn csv_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::List(rows) = &args[0] else { return Err(type_error("csv_encode", "list[list[String]]", &args[0])) };
    let mut out = String::new();
    for row in rows.iter() {
        let Value::List(fields) = row else { return Err(type_error("csv_encode", "list[String] rows", row)) };
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let s = crate::display::display(f);
            if s.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&s.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(&s);
            }
        }
        out.push('\n');
    }
    Ok(Value::string(out))
}

pub(super) fn base64_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(bytes_of("base64_encode", &args[0])?)))
}

pub(super) fn base64_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    base64::engine::general_purpose::STANDARD
        .decode(text("base64_decode", &args[0])?)
        .map(Value::bytes)
        .map_err(|e| BuiltinError::new(format!("base64_decode: invalid base64: {e}")))
}

pub(super) fn hex_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(bytes_of("hex_encode", &args[0])?.iter().map(|b| format!("{b:02x}")).collect()))
}

pub(super) fn hex_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("hex_decode", &args[0])?;
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(BuiltinError::new("hex_decode: expected an even number of hex digits"));
    }
    let bytes = (0..s.len()).step_by(2).filter_map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect();
    Ok(Value::bytes(bytes))
}

pub(super) fn url_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let mut out = String::new();
    for b in text("url_encode", &args[0])?.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(Value::string(out))
}

pub(super) fn url_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("url_decode", &args[0])?.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => return Err(BuiltinError::new("url_decode: invalid percent-encoding")),
            }
        }
        out.push(s[i]);
        i += 1;
    }
    String::from_utf8(out).map(Value::string).map_err(|_| BuiltinError::new("url_decode: invalid UTF-8"))
}

thread_local! {
    static REGEXES: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

fn with_regex<T>(pattern: &str, f: impl FnOnce(&Regex) -> T) -> Result<T, BuiltinError> {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            let re = Regex::new(pattern).map_err(|e| BuiltinError::new(format!("invalid regex: {e}")))?;
            if cache.len() > 256 {
                cache.clear();
            }
            cache.insert(pattern.to_string(), re);
        }
        Ok(f(&cache[pattern]))
    })
}

pub(super) fn regex_match(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("regex_match", &args[0])?;
    with_regex(text("regex_match", &args[1])?, |re| match re.captures(s) {
        Some(caps) => Value::list(caps.iter().map(|m| Value::str(m.map_or("", |m| m.as_str()))).collect()),
        None => Value::Null,
    })
}

pub(super) fn regex_find_all(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("regex_find_all", &args[0])?;
    with_regex(text("regex_find_all", &args[1])?, |re| {
        Value::list(re.find_iter(s).map(|m| Value::str(m.as_str())).collect())
    })
}

pub(super) fn regex_replace(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("regex_replace", &args[0])?;
    let replacement = text("regex_replace", &args[2])?;
    with_regex(text("regex_replace", &args[1])?, |re| Value::string(re.replace_all(s, replacement).into_owned()))
}
