//! CSV (RFC 4180), base64, hex and percent-encoding (LANGUAGE.md 6.11).

use base64::Engine;

use super::super::{BuiltinError, BuiltinResult, Ctx, type_error};
use super::{bytes_of, hex, text_arg};
use crate::display::display;
use crate::value::Value;

#[derive(Clone, Copy, PartialEq)]
enum Csv {
    /// At the start of a field (nothing read yet).
    Start,
    Unquoted,
    Quoted,
    /// After the closing quote of a quoted field.
    Closed,
}

/// `csv_parse(s)`: rows of fields. Quoted fields may hold `,`, newlines and `""` (a quote);
/// rows end with `\n` or `\r\n`; a final newline does not start another row. Malformed input
/// is read leniently (an unterminated quote runs to the end, text after a closing quote is
/// kept).
pub(super) fn csv_parse(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let input = text_arg("csv_parse", &args[0])?;
    let mut rows: Vec<Value> = Vec::new();
    let mut row: Vec<Value> = Vec::new();
    let mut field = String::new();
    let mut state = Csv::Start;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match (state, c) {
            (Csv::Quoted, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (Csv::Quoted, '"') => state = Csv::Closed,
            (Csv::Quoted, c) => field.push(c),
            (Csv::Start, '"') => state = Csv::Quoted,
            (_, ',') => {
                row.push(Value::string(std::mem::take(&mut field)));
                state = Csv::Start;
            }
            (_, '\r' | '\n') => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row.push(Value::string(std::mem::take(&mut field)));
                rows.push(Value::list(std::mem::take(&mut row)));
                state = Csv::Start;
            }
            (_, c) => {
                field.push(c);
                if state == Csv::Start {
                    state = Csv::Unquoted;
                }
            }
        }
    }
    if state != Csv::Start || !row.is_empty() {
        row.push(Value::string(field));
        rows.push(Value::list(row));
    }
    Ok(Value::list(rows))
}

/// `csv_encode(rows)`: fields joined by `,`, each row ending with `\n`; fields holding `,`, `"`,
/// CR or LF are quoted with `""` for quotes. Non-String fields are written in display form.
pub(super) fn csv_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let rows: &[Value] = match &args[0] {
        Value::List(rows) | Value::Tuple(rows) => rows,
        other => return Err(type_error("csv_encode", "list[list[String]]", other)),
    };
    let mut out = String::new();
    for row in rows {
        let fields: &[Value] = match row {
            Value::List(fields) | Value::Tuple(fields) => fields,
            other => return Err(type_error("csv_encode", "a list of fields for each row", other)),
        };
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let shown;
            let s = match f {
                Value::Str(s) => s.as_str(),
                other => {
                    shown = display(other);
                    &shown
                }
            };
            if s.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&s.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        out.push('\n');
    }
    Ok(Value::string(out))
}

pub(super) fn base64_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let bytes = bytes_of("base64_encode", &args[0])?;
    Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// Standard alphabet with canonical padding; anything else is an error.
pub(super) fn base64_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    base64::engine::general_purpose::STANDARD
        .decode(text_arg("base64_decode", &args[0])?)
        .map(Value::bytes)
        .map_err(|e| BuiltinError::new(format!("base64_decode: invalid base64: {e}")))
}

pub(super) fn hex_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(hex(bytes_of("hex_encode", &args[0])?)))
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Either case; an odd length or a non-hex character is an error.
pub(super) fn hex_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text_arg("hex_decode", &args[0])?;
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(BuiltinError::new(format!("hex_decode: invalid hex digit `{bad}`")));
    }
    if s.len() % 2 != 0 {
        return Err(BuiltinError::new(format!("hex_decode: odd number of hex digits ({})", s.len())));
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.as_bytes().chunks_exact(2) {
        if let (Some(hi), Some(lo)) = (hex_digit(pair[0]), hex_digit(pair[1])) {
            out.push(hi << 4 | lo);
        }
    }
    Ok(Value::bytes(out))
}

/// Percent-encodes every byte of the UTF-8 text except `A-Z a-z 0-9 - _ . ~`.
pub(super) fn url_encode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = bytes_of("url_encode", &args[0])?;
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(DIGITS[usize::from(b >> 4)] as char);
            out.push(DIGITS[usize::from(b & 0x0f)] as char);
        }
    }
    Ok(Value::string(out))
}

/// Decodes `%XX` escapes (either case); other characters, `+` included, stay as they are. A
/// malformed escape or a result that is not UTF-8 is an error.
pub(super) fn url_decode(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text_arg("url_decode", &args[0])?.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let digits = s.get(i + 1).copied().and_then(hex_digit).zip(s.get(i + 2).copied().and_then(hex_digit));
            let Some((hi, lo)) = digits else {
                return Err(BuiltinError::new(format!("url_decode: invalid percent-escape at byte {i}")));
            };
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map(Value::string)
        .map_err(|_| BuiltinError::new("url_decode: the decoded bytes are not valid UTF-8"))
}
