//! Conversion to text (LANGUAGE.md 5.11): display forms and format specs.

use std::fmt::Write;

use crate::value::{FuncObj, HandleObj, Value};

/// The display form: strings raw at top level, quoted inside containers.
pub fn display(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, false);
    out
}

/// The nested display form (strings quoted), used by `debug` and `assert_eq`.
pub fn display_nested(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, true);
    out
}

pub fn write_value(out: &mut String, v: &Value, nested: bool) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => write_float(out, *f),
        Value::Str(s) => {
            if nested {
                write_quoted(out, s);
            } else {
                out.push_str(s);
            }
        }
        Value::Bytes(b) => {
            out.push_str("b\"");
            for byte in b.iter() {
                let _ = write!(out, "{byte:02x}");
            }
            out.push('"');
        }
        Value::List(items) => write_seq(out, "[", items, "]"),
        Value::Tuple(items) => {
            if items.len() == 1 {
                out.push('(');
                write_value(out, &items[0], true);
                out.push_str(",)");
            } else {
                write_seq(out, "(", items, ")");
            }
        }
        Value::Set(items) => {
            out.push_str("set[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, true);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, k, true);
                out.push_str(": ");
                write_value(out, v, true);
            }
            out.push('}');
        }
        Value::Record(r) => {
            out.push_str(&r.ty.name);
            out.push('(');
            for (i, (name, value)) in r.ty.fields.iter().zip(&r.fields).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push_str(": ");
                write_value(out, value, true);
            }
            out.push(')');
        }
        Value::Enum(e) => {
            out.push_str(e.ty.variants.get(e.variant as usize).map_or("?", |v| v));
            if !e.payload.is_empty() || e.ty.is_result() {
                write_seq(out, "(", &e.payload, ")");
            }
        }
        Value::Range(r) => {
            let _ = write!(out, "{}{}{}", r.start, if r.inclusive { "..=" } else { ".." }, r.end);
            if r.explicit_step {
                let _ = write!(out, " step {}", r.step);
            }
        }
        Value::Func(f) => match &**f {
            FuncObj::Closure { name: Some(name), .. } => {
                let _ = write!(out, "<fn {name}>");
            }
            FuncObj::Builtin { name, .. } => {
                let _ = write!(out, "<fn {name}>");
            }
            FuncObj::Variant { ty, variant, .. } => {
                let _ = write!(out, "<fn {}>", ty.variants.get(*variant as usize).map_or("?", |v| v));
            }
            _ => out.push_str("<fn>"),
        },
        Value::Handle(h) => match &*h.borrow() {
            HandleObj::Future(_) => out.push_str("<future>"),
            HandleObj::Generator(_) => out.push_str("<generator>"),
            HandleObj::Instance { kind, state, .. } if &**kind == "trace" => {
                let part = |k: &str| state.get(&Value::str(k)).map(display).unwrap_or_default();
                let _ = write!(out, "<trace {}:{}>", part("run"), part("seq"));
            }
            HandleObj::Instance { kind, name, .. } => {
                let _ = write!(out, "<{kind} {name}>");
            }
            HandleObj::Iter(_) => out.push_str("<iterator>"),
            HandleObj::Cell(v) => out.push_str(&display(v)),
        },
    }
}

fn write_seq(out: &mut String, open: &str, items: &[Value], close: &str) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, item, true);
    }
    out.push_str(close);
}

/// Shortest round-trip decimal, never an exponent, `.0` for integral values.
pub fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else {
        let start = out.len();
        let _ = write!(out, "{f}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    }
}

pub fn float_to_string(f: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, f);
    out
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_display_without_exponent() {
        assert_eq!(float_to_string(3.25), "3.25");
        assert_eq!(float_to_string(100.0), "100.0");
        assert_eq!(float_to_string(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_to_string(1e21), "1000000000000000000000.0");
        assert_eq!(float_to_string(1e-7), "0.0000001");
        assert_eq!(float_to_string(-0.0), "-0.0");
        assert_eq!(float_to_string(f64::NAN), "NaN");
        assert_eq!(float_to_string(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn strings_are_quoted_only_when_nested() {
        let v = Value::list(vec![Value::str("a\"b"), Value::Int(1)]);
        assert_eq!(display(&v), "[\"a\\\"b\", 1]");
        assert_eq!(display(&Value::str("plain")), "plain");
        assert_eq!(display(&Value::tuple(vec![Value::Int(1)])), "(1,)");
    }
}
