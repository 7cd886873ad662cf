//! Conversion (LANGUAGE.md 6.2) and size and membership (6.3).

use super::{BuiltinDef, BuiltinError, BuiltinFn, BuiltinResult, Ctx, type_error};
use crate::display::{display, display_nested};
use crate::value::{MapObj, RangeObj, SetObj, Value, make_result};

pub(super) const DEFS: &[BuiltinDef] = &[
    def(&["to_string", "string", "str"], to_string, 1, Some(1)),
    def(&["to_int", "int"], to_int, 1, Some(1)),
    def(&["to_float", "float"], to_float, 1, Some(1)),
    def(&["parse_int"], parse_int, 1, Some(2)),
    def(&["parse_float"], parse_float, 1, Some(1)),
    def(&["to_bool"], to_bool, 1, Some(1)),
    def(&["to_list", "__to_list"], to_list, 1, Some(1)),
    def(&["to_set"], to_set, 1, Some(1)),
    def(&["to_map"], to_map, 1, Some(1)),
    def(&["to_bytes"], to_bytes, 1, Some(1)),
    def(&["from_utf8"], from_utf8, 1, Some(1)),
    def(&["ord"], ord, 1, Some(1)),
    def(&["chr"], chr, 1, Some(1)),
    def(&["length", "len", "count", "size"], length, 1, Some(1)),
    def(&["is_empty"], is_empty, 1, Some(1)),
    def(&["contains", "has"], contains, 2, Some(2)),
];

/// A pure builtin taking `min..=max` arguments (`None`: variadic).
const fn def(names: &'static [&'static str], func: BuiltinFn, min_args: u8, max_args: Option<u8>) -> BuiltinDef {
    BuiltinDef { names, func, min_args, max_args, effect: None }
}

/// The most elements a range may materialize into (`to_list(0..10**15)` is an error, not an
/// allocation failure).
const MAX_MATERIALIZED: u128 = 1 << 26;

fn to_string(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Str(_) => Ok(args[0].clone()),
        v => Ok(Value::string(display(v))),
    }
}

/// Why a string is not an integer.
#[derive(Debug, PartialEq)]
enum IntError {
    Invalid,
    Overflow,
}

/// Optional surrounding ASCII whitespace, an optional sign, then one or more digits of `base`
/// (2..=36, letters in either case).
fn parse_integer(text: &str, base: u32) -> Result<i64, IntError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, digits) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, text),
    };
    if digits.is_empty() {
        return Err(IntError::Invalid);
    }
    let mut magnitude: Option<u64> = Some(0);
    for c in digits.chars() {
        let digit = c.to_digit(base).ok_or(IntError::Invalid)?;
        magnitude =
            magnitude.and_then(|m| m.checked_mul(u64::from(base))).and_then(|m| m.checked_add(u64::from(digit)));
    }
    let magnitude = i128::from(magnitude.ok_or(IntError::Overflow)?);
    i64::try_from(if negative { -magnitude } else { magnitude }).map_err(|_| IntError::Overflow)
}

/// Decimal or scientific notation, `inf`, `-inf`, `nan` in any case, with optional surrounding
/// ASCII whitespace.
fn parse_decimal(text: &str) -> Option<f64> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    // Rust also accepts `infinity`; the language names only `inf` and `nan`.
    let bare = text.trim_start_matches(['+', '-']);
    if bare.eq_ignore_ascii_case("infinity") {
        return None;
    }
    text.parse::<f64>().ok()
}

/// `Float` to `Int`, truncating; `None` for NaN, infinities and values out of range.
fn float_to_int(f: f64) -> Option<i64> {
    let t = f.trunc();
    // -2^63 is representable exactly; 2^63 is the first value out of range.
    (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t).then_some(t as i64)
}

fn to_int(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(match &args[0] {
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) => float_to_int(*f).map_or(Value::Null, Value::Int),
        Value::Str(s) => parse_integer(s, 10).map_or(Value::Null, Value::Int),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::Null => Value::Null,
        other => return Err(type_error("to_int", "Int, Float, String or Bool", other)),
    })
}

fn to_float(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(match &args[0] {
        Value::Int(i) => Value::Float(*i as f64),
        Value::Float(f) => Value::Float(*f),
        Value::Str(s) => parse_decimal(s).map_or(Value::Null, Value::Float),
        Value::Null => Value::Null,
        other => return Err(type_error("to_float", "Int, Float or String", other)),
    })
}

fn parse_int(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Str(s) = &args[0] else {
        return Err(type_error("parse_int", "String", &args[0]));
    };
    let base = match args.get(1) {
        None => 10,
        Some(Value::Int(b)) if (2..=36).contains(b) => *b as u32,
        Some(Value::Int(b)) => {
            return Err(BuiltinError::new(format!("parse_int: base must be between 2 and 36, got {b}")));
        }
        Some(other) => return Err(type_error("parse_int", "Int", other)),
    };
    Ok(match parse_integer(s, base) {
        Ok(i) => make_result(true, Value::Int(i)),
        Err(IntError::Invalid) => {
            make_result(false, Value::string(format!("invalid integer: {}", display_nested(&args[0]))))
        }
        Err(IntError::Overflow) => make_result(
            false,
            Value::string(format!("invalid integer: {} (integer overflow)", display_nested(&args[0]))),
        ),
    })
}

fn parse_float(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Str(s) = &args[0] else {
        return Err(type_error("parse_float", "String", &args[0]));
    };
    Ok(match parse_decimal(s) {
        Some(f) => make_result(true, Value::Float(f)),
        None => make_result(false, Value::string(format!("invalid float: {}", display_nested(&args[0])))),
    })
}

fn to_bool(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(args[0].truthy()))
}

/// The number of elements of a range (up to 2^64, so wider than `i64`).
pub(super) fn range_len(r: &RangeObj) -> u128 {
    let (start, end, step) = (i128::from(r.start), i128::from(r.end), i128::from(r.step));
    if step == 0 {
        return 0;
    }
    // The distance to cover in the direction of the step.
    let span = if step > 0 { end - start } else { start - end };
    let step = step.abs();
    let n = match r.inclusive {
        true if span >= 0 => span / step + 1,
        false if span > 0 => (span + step - 1) / step,
        _ => 0,
    };
    n as u128
}

/// The elements of a range, in order; an error when there are too many to hold.
fn range_items(name: &str, r: &RangeObj) -> Result<Vec<Value>, BuiltinError> {
    let n = range_len(r);
    if n > MAX_MATERIALIZED {
        return Err(BuiltinError::new(format!("{name}: range too large to materialize ({n} elements)")));
    }
    // n fits in i64 here, so every element does too.
    let (start, step) = (i128::from(r.start), i128::from(r.step));
    Ok((0..n as i128).map(|k| Value::Int((start + k * step) as i64)).collect())
}

/// The elements that iterating `v` yields (LANGUAGE.md 5.12), for builtins taking an `Iter[T]`.
/// Generators cannot be drained by a native builtin.
pub(super) fn iter_items(name: &str, v: &Value) -> Result<Vec<Value>, BuiltinError> {
    Ok(match v {
        Value::List(items) | Value::Tuple(items) => items.to_vec(),
        Value::Set(set) => set.iter().cloned().collect(),
        Value::Map(map) => map.iter().map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])).collect(),
        Value::Str(s) => s.chars().map(|c| Value::string(c.to_string())).collect(),
        Value::Bytes(b) => b.iter().map(|byte| Value::Int(i64::from(*byte))).collect(),
        Value::Range(r) => range_items(name, r)?,
        other => {
            return Err(type_error(name, "an iterable (list, set, map, tuple, String, Bytes or range)", other));
        }
    })
}

fn to_list(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::List(_) => Ok(args[0].clone()),
        v => Ok(Value::list(iter_items("to_list", v)?)),
    }
}

/// Map keys and set elements may not be (or contain) functions or handles (LANGUAGE.md 5.6).
fn check_key(name: &str, what: &str, v: &Value) -> Result<(), BuiltinError> {
    match v {
        Value::Func(_) | Value::Handle(_) => {
            Err(BuiltinError::new(format!("{name}: a {} cannot be {what}", v.type_name())))
        }
        Value::List(items) | Value::Tuple(items) => items.iter().try_for_each(|x| check_key(name, what, x)),
        Value::Set(set) => set.iter().try_for_each(|x| check_key(name, what, x)),
        Value::Map(map) => map.iter().try_for_each(|(k, x)| check_key(name, what, k).and(check_key(name, what, x))),
        Value::Record(r) => r.fields.iter().try_for_each(|x| check_key(name, what, x)),
        Value::Enum(e) => e.payload.iter().try_for_each(|x| check_key(name, what, x)),
        _ => Ok(()),
    }
}

fn to_set(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if let Value::Set(_) = &args[0] {
        return Ok(args[0].clone());
    }
    let mut set = SetObj::default();
    for item in iter_items("to_set", &args[0])? {
        check_key("to_set", "a set element", &item)?;
        set.insert(item);
    }
    Ok(Value::set(set))
}

fn to_map(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if let Value::Map(_) = &args[0] {
        return Ok(args[0].clone());
    }
    let mut map = MapObj::default();
    for item in iter_items("to_map", &args[0])? {
        let (Value::Tuple(pair) | Value::List(pair)) = &item else {
            return Err(type_error("to_map", "a (key, value) pair", &item));
        };
        let [key, value] = pair.as_slice() else {
            return Err(BuiltinError::new(format!(
                "to_map: expected a (key, value) pair, got {} elements",
                pair.len()
            )));
        };
        check_key("to_map", "a map key", key)?;
        // A later duplicate overwrites the value and keeps the first position.
        map.insert(key.clone(), value.clone());
    }
    Ok(Value::map(map))
}

fn to_bytes(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Str(s) => Ok(Value::bytes(s.as_bytes().to_vec())),
        Value::Bytes(_) => Ok(args[0].clone()),
        other => Err(type_error("to_bytes", "String", other)),
    }
}

fn from_utf8(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Bytes(b) = &args[0] else {
        return Err(type_error("from_utf8", "Bytes", &args[0]));
    };
    match std::str::from_utf8(b) {
        Ok(s) => Ok(Value::str(s)),
        Err(e) => Err(BuiltinError::new(format!("from_utf8: invalid UTF-8 at byte {}", e.valid_up_to()))),
    }
}

fn ord(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Str(s) = &args[0] else {
        return Err(type_error("ord", "String", &args[0]));
    };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Value::Int(i64::from(u32::from(c)))),
        _ => Err(BuiltinError::new(format!(
            "ord: expected a one-character string, got {} characters",
            s.chars().count()
        ))),
    }
}

fn chr(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Int(n) = &args[0] else {
        return Err(type_error("chr", "Int", &args[0]));
    };
    match u32::try_from(*n).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::string(c.to_string())),
        None => Err(BuiltinError::new(format!("chr: {n} is not a Unicode scalar value"))),
    }
}

/// `length(v)`, or an error for kinds without one.
fn length_of(name: &str, v: &Value) -> Result<u128, BuiltinError> {
    Ok(match v {
        Value::Str(s) => s.chars().count() as u128,
        Value::Bytes(b) => b.len() as u128,
        Value::List(items) | Value::Tuple(items) => items.len() as u128,
        Value::Map(m) => m.len() as u128,
        Value::Set(s) => s.len() as u128,
        Value::Range(r) => range_len(r),
        other => {
            return Err(type_error(name, "String, Bytes, list, tuple, map, set or range", other));
        }
    })
}

fn length(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let n = length_of("length", &args[0])?;
    i64::try_from(n).map(Value::Int).map_err(|_| BuiltinError::new("integer overflow in length"))
}

fn is_empty(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(length_of("is_empty", &args[0])? == 0))
}

/// Whether the range yields `x`.
fn range_contains(r: &RangeObj, x: &Value) -> bool {
    let x = match x {
        Value::Int(i) => *i,
        Value::Float(f) => match float_to_int(*f) {
            Some(i) if i as f64 == *f => i,
            _ => return false,
        },
        _ => return false,
    };
    let (start, x, step) = (i128::from(r.start), i128::from(x), i128::from(r.step));
    if step == 0 || range_len(r) == 0 {
        return false;
    }
    // The offset from the start in the direction of the step, and the last element's offset.
    let offset = if step > 0 { x - start } else { start - x };
    let last = (range_len(r) as i128 - 1) * step.abs();
    offset >= 0 && offset <= last && offset % step.abs() == 0
}

fn contains(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let x = &args[1];
    Ok(Value::Bool(match &args[0] {
        Value::List(items) | Value::Tuple(items) => items.iter().any(|item| item == x),
        Value::Set(set) => set.contains(x),
        Value::Map(map) => map.contains_key(x),
        Value::Str(s) => match x {
            Value::Str(sub) => s.contains(sub.as_str()),
            other => return Err(type_error("contains", "String", other)),
        },
        Value::Range(r) => range_contains(r, x),
        Value::Bytes(b) => {
            matches!(x, Value::Int(i) if u8::try_from(*i).is_ok_and(|byte| b.contains(&byte)))
        }
        other => {
            return Err(type_error("contains", "list, set, tuple, map, String or range", other));
        }
    }))
}

#[cfg(test)]
mod tests;
