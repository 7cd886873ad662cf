//! Format specs (LANGUAGE.md 2.5 grammar, 5.11 semantics): `{value:spec}` in interpolations and
//! the `format` builtin.
//!
//! Formatting happens in three steps: (1) the body is produced from the value and the `type`;
//! (2) numbers get their sign, alternate prefix and zero padding; (3) the result is padded to
//! `width` with `fill`.

use crate::display::display;
use crate::value::Value;

/// A parsed `[[fill]align][sign]["#"]["0"][width]["." precision][type]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    pub fill: Option<char>,
    /// `'<'`, `'>'` or `'^'`.
    pub align: Option<char>,
    /// `'+'` or `'-'`.
    pub sign: Option<char>,
    pub alternate: bool,
    pub zero: bool,
    pub width: Option<usize>,
    pub precision: Option<usize>,
    /// One of `d f e E x X o b s`.
    pub ty: Option<char>,
}

/// Widths above this are rejected rather than allocating without bound.
const MAX_WIDTH: usize = 1 << 24;
/// Rust's formatting machinery accepts precisions up to `u16::MAX`.
const MAX_PRECISION: usize = u16::MAX as usize;

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '^')
}

/// Parses a format spec; `None` unless the whole text matches the grammar. The empty text is the
/// default spec.
pub fn parse_spec(text: &str) -> Option<Spec> {
    let chars: Vec<char> = text.chars().collect();
    let mut spec = Spec::default();
    let mut i = 0;
    match (chars.first().copied(), chars.get(1).copied()) {
        (Some(fill), Some(align)) if is_align(align) && fill != '{' && fill != '}' => {
            spec.fill = Some(fill);
            spec.align = Some(align);
            i = 2;
        }
        (Some(align), _) if is_align(align) => {
            spec.align = Some(align);
            i = 1;
        }
        _ => {}
    }
    if let Some(&sign @ ('+' | '-')) = chars.get(i) {
        spec.sign = Some(sign);
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        spec.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        spec.zero = true;
        i += 1;
    }
    spec.width = digits(&chars, &mut i)?;
    if chars.get(i) == Some(&'.') {
        i += 1;
        spec.precision = Some(digits(&chars, &mut i)??);
    }
    if let Some(&ty) = chars.get(i) {
        if !matches!(ty, 'd' | 'f' | 'e' | 'E' | 'x' | 'X' | 'o' | 'b' | 's') {
            return None;
        }
        spec.ty = Some(ty);
        i += 1;
    }
    (i == chars.len()).then_some(spec)
}

/// A run of ASCII digits at `*i`: `Some(None)` when there is none, `None` when it overflows.
fn digits(chars: &[char], i: &mut usize) -> Option<Option<usize>> {
    let mut value: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        value = Some(value.unwrap_or(0).checked_mul(10)?.checked_add(d as usize)?);
        *i += 1;
    }
    Some(value)
}

fn invalid(reason: &str) -> String {
    format!("invalid format spec: {reason}")
}

/// Formats `v` according to `spec` (LANGUAGE.md 5.11). The error message contains
/// `invalid format spec`.
pub fn format_value(v: &Value, spec: &Spec) -> Result<String, String> {
    if spec.width.is_some_and(|w| w > MAX_WIDTH) {
        return Err(invalid("width too large"));
    }
    if spec.precision.is_some_and(|p| p > MAX_PRECISION) {
        return Err(invalid("precision too large"));
    }
    let is_number = matches!(v, Value::Int(_) | Value::Float(_));
    if !is_number || spec.ty == Some('s') {
        return format_text(v, spec);
    }
    let number = number_body(v, spec)?;
    let sign = if number.negative {
        "-"
    } else if spec.sign == Some('+') {
        "+"
    } else {
        ""
    };
    let mut out = String::with_capacity(sign.len() + number.prefix.len() + number.body.len());
    out.push_str(sign);
    out.push_str(number.prefix);
    let width = spec.width.unwrap_or(0);
    if spec.zero && spec.align.is_none() {
        // Zeros go between the sign/prefix and the digits.
        let used = sign.len() + number.prefix.len() + number.body.chars().count();
        out.extend(std::iter::repeat_n('0', width.saturating_sub(used)));
        out.push_str(&number.body);
        return Ok(out);
    }
    out.push_str(&number.body);
    let fill = spec.fill.unwrap_or(if spec.zero { '0' } else { ' ' });
    Ok(pad(out, width, fill, spec.align.unwrap_or('>')))
}

/// Strings and every other non-number, and numbers formatted with `s`.
fn format_text(v: &Value, spec: &Spec) -> Result<String, String> {
    if let Some(ty) = spec.ty.filter(|t| *t != 's') {
        return Err(invalid(&format!("`{ty}` cannot format a {}", v.type_name())));
    }
    let mut body = display(v);
    if let Some(p) = spec.precision {
        truncate_chars(&mut body, p);
    }
    let fill = spec.fill.unwrap_or(if spec.zero { '0' } else { ' ' });
    Ok(pad(body, spec.width.unwrap_or(0), fill, spec.align.unwrap_or('<')))
}

/// The unsigned part of a formatted number.
struct Number {
    negative: bool,
    prefix: &'static str,
    body: String,
}

fn number_body(v: &Value, spec: &Spec) -> Result<Number, String> {
    let wrong = |ty: char| Err(invalid(&format!("`{ty}` cannot format a {}", v.type_name())));
    let negative = match v {
        Value::Int(i) => *i < 0,
        Value::Float(f) => f.is_sign_negative() && !f.is_nan(),
        _ => false,
    };
    let mut prefix = "";
    let body = match (spec.ty, v) {
        (None, Value::Float(f)) if spec.precision.is_some() => fixed_float(*f, spec.precision.unwrap_or(6)),
        (None, _) => {
            let mut text = display(v);
            if let Some(p) = spec.precision {
                truncate_chars(&mut text, p);
            }
            match text.strip_prefix('-') {
                Some(rest) => rest.to_string(),
                None => text,
            }
        }
        (Some('d'), Value::Int(i)) => i.unsigned_abs().to_string(),
        (Some('f'), Value::Int(i)) => {
            let mut text = i.unsigned_abs().to_string();
            let p = spec.precision.unwrap_or(6);
            if p > 0 {
                text.push('.');
                text.extend(std::iter::repeat_n('0', p));
            }
            text
        }
        (Some('f'), Value::Float(f)) => fixed_float(*f, spec.precision.unwrap_or(6)),
        (Some(ty @ ('e' | 'E')), _) => {
            let p = spec.precision.unwrap_or(6);
            let text = match v {
                Value::Int(i) => exponent(&format!("{:.*e}", p, i.unsigned_abs())),
                Value::Float(f) if f.is_finite() => exponent(&format!("{:.*e}", p, f.abs())),
                Value::Float(f) => non_finite(*f).to_string(),
                _ => return wrong(ty),
            };
            if ty == 'E' { text.replace('e', "E") } else { text }
        }
        (Some(ty @ ('x' | 'X' | 'o' | 'b')), Value::Int(i)) => {
            let magnitude = i.unsigned_abs();
            let (text, alt) = match ty {
                'x' => (format!("{magnitude:x}"), "0x"),
                'X' => (format!("{magnitude:X}"), "0X"),
                'o' => (format!("{magnitude:o}"), "0o"),
                _ => (format!("{magnitude:b}"), "0b"),
            };
            if spec.alternate {
                prefix = alt;
            }
            text
        }
        (Some(ty), _) => return wrong(ty),
    };
    Ok(Number { negative, prefix, body })
}

/// `inf` or `NaN` (the sign is handled separately).
fn non_finite(f: f64) -> &'static str {
    if f.is_nan() { "NaN" } else { "inf" }
}

/// Fixed point with `precision` digits of `|f|`, correctly rounded on the exact binary value.
fn fixed_float(f: f64, precision: usize) -> String {
    if f.is_finite() { format!("{:.*}", precision, f.abs()) } else { non_finite(f).to_string() }
}

/// Rewrites Rust's `1.5e3` / `1.5e-3` as `1.5e+03` / `1.5e-03`.
fn exponent(text: &str) -> String {
    let Some((mantissa, exp)) = text.split_once('e') else {
        return text.to_string();
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Keeps the first `n` characters.
fn truncate_chars(text: &mut String, n: usize) {
    if let Some((at, _)) = text.char_indices().nth(n) {
        text.truncate(at);
    }
}

/// Pads `text` to `width` characters; `^` puts the extra fill character on the right.
fn pad(text: String, width: usize, fill: char, align: char) -> String {
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let missing = width - len;
    let (left, right) = match align {
        '<' => (0, missing),
        '^' => (missing / 2, missing - missing / 2),
        _ => (missing, 0),
    };
    let mut out = String::with_capacity(text.len() + missing * fill.len_utf8());
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(&text);
    out.extend(std::iter::repeat_n(fill, right));
    out
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // 3.14159 is the language reference's example
mod tests {
    use super::*;

    fn fmt(v: Value, spec: &str) -> String {
        let parsed = parse_spec(spec).unwrap_or_else(|| panic!("spec `{spec}` should parse"));
        format_value(&v, &parsed).unwrap_or_else(|e| panic!("`{spec}`: {e}"))
    }

    fn fails(v: Value, spec: &str) -> String {
        let parsed = parse_spec(spec).unwrap_or_else(|| panic!("spec `{spec}` should parse"));
        format_value(&v, &parsed).expect_err("should fail")
    }

    #[test]
    fn parses_the_grammar() {
        assert_eq!(parse_spec(""), Some(Spec::default()));
        let s = parse_spec("*^+#010.3f").unwrap();
        assert_eq!(
            s,
            Spec {
                fill: Some('*'),
                align: Some('^'),
                sign: Some('+'),
                alternate: true,
                zero: true,
                width: Some(10),
                precision: Some(3),
                ty: Some('f'),
            }
        );
        let s = parse_spec("<<").unwrap();
        assert_eq!((s.fill, s.align), (Some('<'), Some('<')));
        let s = parse_spec("-<5").unwrap();
        assert_eq!((s.fill, s.align, s.sign, s.width), (Some('-'), Some('<'), None, Some(5)));
        let s = parse_spec("-5").unwrap();
        assert_eq!((s.sign, s.width), (Some('-'), Some(5)));
        let s = parse_spec("05").unwrap();
        assert!(s.zero);
        assert_eq!(s.width, Some(5));
        let s = parse_spec("0").unwrap();
        assert!(s.zero && s.width.is_none());
        let s = parse_spec("é>3").unwrap();
        assert_eq!(s.fill, Some('é'));
        assert_eq!(parse_spec("x").unwrap().ty, Some('x'));
    }

    #[test]
    fn rejects_what_does_not_match() {
        for bad in [
            "q",
            "5.",
            ".f",
            "{>5",
            "}<5",
            "5x5",
            "++5",
            ">>>",
            "99999999999999999999999",
            ".99999999999999999999999",
            "5 ",
        ] {
            assert_eq!(parse_spec(bad), None, "`{bad}`");
        }
    }

    #[test]
    fn language_reference_examples() {
        assert_eq!(fmt(Value::Float(3.14159), ".2f"), "3.14");
        assert_eq!(fmt(Value::Int(7), ".2f"), "7.00");
        assert_eq!(fmt(Value::Int(255), "#x"), "0xff");
        assert_eq!(fmt(Value::Int(-255), "#x"), "-0xff");
        assert_eq!(fmt(Value::Int(42), "05"), "00042");
        assert_eq!(fmt(Value::Int(-42), "05"), "-0042");
        assert_eq!(fmt(Value::Int(255), "#06x"), "0x00ff");
        assert_eq!(fmt(Value::str("ab"), "^7"), "  ab   ");
        assert_eq!(fmt(Value::Float(3.14159), "e"), "3.141590e+00");
    }

    #[test]
    fn conformance_examples() {
        let price = Value::Float(3.14159);
        assert_eq!(fmt(Value::Int(42), ">6"), "    42");
        assert_eq!(fmt(Value::Int(42), "<6"), "42    ");
        assert_eq!(fmt(Value::Int(42), "+"), "+42");
        assert_eq!(fmt(Value::str("ab"), "*>6"), "****ab");
        assert_eq!(fmt(price, ">10.3f"), "     3.142");
        assert_eq!(fmt(Value::str("ab"), "-<5"), "ab---");
        assert_eq!(fmt(Value::Int(10), "#b"), "0b1010");
        assert_eq!(fmt(Value::Int(255), "#o"), "0o377");
        assert_eq!(fmt(Value::Int(10), "#x"), "0xa");
        assert_eq!(fmt(Value::Int(255), "#b"), "0b11111111");
    }

    #[test]
    fn default_alignment_and_width() {
        assert_eq!(fmt(Value::str("x"), "8"), "x       ");
        assert_eq!(fmt(Value::str("x"), ">8"), "       x");
        assert_eq!(fmt(Value::Int(5), "3"), "  5");
        assert_eq!(fmt(Value::Float(2.5), "6"), "   2.5");
        assert_eq!(fmt(Value::Bool(true), "6"), "true  ");
        assert_eq!(fmt(Value::str("toolong"), "3"), "toolong");
        assert_eq!(fmt(Value::str("日本"), "^5"), " 日本  ");
        assert_eq!(fmt(Value::str("ab"), "é^6"), "ééabéé");
        assert_eq!(fmt(Value::list(vec![Value::str("a")]), ">7"), "  [\"a\"]");
    }

    #[test]
    fn sign_rules() {
        assert_eq!(fmt(Value::Int(0), "+"), "+0");
        assert_eq!(fmt(Value::Int(-3), "+"), "-3");
        assert_eq!(fmt(Value::Int(3), "-"), "3");
        assert_eq!(fmt(Value::Float(1.5), "+"), "+1.5");
        assert_eq!(fmt(Value::Float(f64::INFINITY), "+"), "+inf");
        assert_eq!(fmt(Value::Float(f64::NEG_INFINITY), "+"), "-inf");
        assert_eq!(fmt(Value::Float(f64::NAN), "+"), "+NaN");
        assert_eq!(fmt(Value::Float(-0.0), ""), "-0.0");
        assert_eq!(fmt(Value::str("a"), "+"), "a");
        assert_eq!(fmt(Value::Int(42), "+08"), "+0000042");
    }

    #[test]
    fn zero_flag() {
        assert_eq!(fmt(Value::Int(42), "<05"), "42000");
        assert_eq!(fmt(Value::Int(42), "*<05"), "42***");
        assert_eq!(fmt(Value::str("ab"), "05"), "ab000");
        assert_eq!(fmt(Value::Float(-1.5), "07.2f"), "-001.50");
        assert_eq!(fmt(Value::Int(-255), "#08x"), "-0x000ff");
        assert_eq!(fmt(Value::Float(f64::INFINITY), "06"), "000inf");
        assert_eq!(fmt(Value::Float(f64::NEG_INFINITY), "06"), "-00inf");
        assert_eq!(fmt(Value::Int(12345), "03"), "12345");
    }

    #[test]
    fn fixed_point() {
        assert_eq!(fmt(Value::Float(2.5), "f"), "2.500000");
        assert_eq!(fmt(Value::Float(0.125), ".2f"), "0.12");
        assert_eq!(fmt(Value::Float(0.375), ".2f"), "0.38");
        assert_eq!(fmt(Value::Float(2.675), ".2f"), "2.67");
        assert_eq!(fmt(Value::Float(2.5), ".0f"), "2");
        assert_eq!(fmt(Value::Float(-0.001), ".2f"), "-0.00");
        assert_eq!(fmt(Value::Float(1e21), ".1f"), "1000000000000000000000.0");
        assert_eq!(fmt(Value::Int(7), ".0f"), "7");
        assert_eq!(fmt(Value::Int(i64::MIN), ".1f"), "-9223372036854775808.0");
        assert_eq!(fmt(Value::Float(f64::NAN), ".2f"), "NaN");
        assert_eq!(fmt(Value::Float(f64::NEG_INFINITY), "f"), "-inf");
        // A precision without a type formats floats as `f`.
        assert_eq!(fmt(Value::Float(3.14159), ".3"), "3.142");
    }

    #[test]
    fn exponent_forms() {
        assert_eq!(fmt(Value::Float(1234.5), ".2e"), "1.23e+03");
        assert_eq!(fmt(Value::Float(0.00012), "e"), "1.200000e-04");
        assert_eq!(fmt(Value::Float(1e-300), ".1E"), "1.0E-300");
        assert_eq!(fmt(Value::Float(0.0), ".1e"), "0.0e+00");
        assert_eq!(fmt(Value::Int(-25), ".0e"), "-2e+01");
        assert_eq!(fmt(Value::Int(i64::MIN), ".2e"), "-9.22e+18");
        assert_eq!(fmt(Value::Float(f64::INFINITY), "E"), "inf");
        assert_eq!(fmt(Value::Float(1.5), "+E"), "+1.500000E+00");
    }

    #[test]
    fn radix_forms() {
        assert_eq!(fmt(Value::Int(255), "X"), "FF");
        assert_eq!(fmt(Value::Int(255), "#X"), "0XFF");
        assert_eq!(fmt(Value::Int(-8), "o"), "-10");
        assert_eq!(fmt(Value::Int(5), "b"), "101");
        assert_eq!(fmt(Value::Int(0), "#b"), "0b0");
        assert_eq!(fmt(Value::Int(i64::MIN), "x"), "-8000000000000000");
        assert_eq!(fmt(Value::Int(255), "+#x"), "+0xff");
        assert_eq!(fmt(Value::Int(255), ">#8x"), "    0xff");
        assert_eq!(fmt(Value::Int(-42), "d"), "-42");
    }

    #[test]
    fn precision_truncates_non_floats() {
        assert_eq!(fmt(Value::str("abcdef"), ".3"), "abc");
        assert_eq!(fmt(Value::str("日本語"), ".2s"), "日本");
        assert_eq!(fmt(Value::str("ab"), ".5"), "ab");
        assert_eq!(fmt(Value::str("abcdef"), ">5.2"), "   ab");
        assert_eq!(fmt(Value::Float(3.14159), ".3s"), "3.1");
        assert_eq!(fmt(Value::Int(12345), ".2"), "12");
        assert_eq!(fmt(Value::Int(42), "5s"), "42   ");
    }

    #[test]
    fn mismatched_types_are_errors() {
        assert!(fails(Value::str("a"), "x").contains("invalid format spec"));
        assert!(fails(Value::Float(1.5), "d").contains("invalid format spec"));
        assert!(fails(Value::Float(1.5), "x").contains("invalid format spec"));
        assert!(fails(Value::str("a"), "f").contains("invalid format spec"));
        assert!(fails(Value::str("a"), "e").contains("invalid format spec"));
        assert!(fails(Value::Bool(true), "d").contains("invalid format spec"));
        assert!(fails(Value::Null, "b").contains("invalid format spec"));
    }

    #[test]
    fn huge_widths_and_precisions_are_errors() {
        assert!(fails(Value::Int(1), "999999999").contains("invalid format spec"));
        assert!(fails(Value::Float(1.0), ".70000f").contains("invalid format spec"));
        assert!(fails(Value::Int(1), ".70000e").contains("invalid format spec"));
        assert_eq!(fmt(Value::Float(1.0), ".300f").len(), 302);
    }
}
