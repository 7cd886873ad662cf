//! Math (LANGUAGE.md 5.3, 5.4, 6.5). The predeclared constants (`PI`, `MAX_INT`, ...) are
//! provided by the compiler, not here.

use std::cmp::Ordering;

use super::collections::order::total_cmp;
use super::collections::{RangeSeq, int_arg, items};
use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx, Effect, type_error};
use crate::display::display;
use crate::value::Value;

pub(super) const DEFS: &[BuiltinDef] = &[
    BuiltinDef { names: &["abs"], func: abs, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["min"], func: min, min_args: 1, max_args: Some(2), effect: None },
    BuiltinDef { names: &["max"], func: max, min_args: 1, max_args: Some(2), effect: None },
    BuiltinDef { names: &["clamp"], func: clamp, min_args: 3, max_args: Some(3), effect: None },
    BuiltinDef { names: &["sum"], func: sum, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["round"], func: round, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["ceil"], func: ceil, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["floor"], func: floor, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["trunc"], func: trunc, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["sqrt"], func: sqrt, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["pow"], func: pow, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["exp"], func: exp, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["log"], func: log, min_args: 1, max_args: Some(2), effect: None },
    BuiltinDef { names: &["log2"], func: log2, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["log10"], func: log10, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["sin"], func: sin, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["cos"], func: cos, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["tan"], func: tan, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["asin"], func: asin, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["acos"], func: acos, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["atan"], func: atan, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["atan2"], func: atan2, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["is_nan"], func: is_nan, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["is_infinite"], func: is_infinite, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["wrapping_add"], func: wrapping_add, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["wrapping_sub"], func: wrapping_sub, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["wrapping_mul"], func: wrapping_mul, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["wrapping_neg"], func: wrapping_neg, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["checked_add"], func: checked_add, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["checked_sub"], func: checked_sub, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["checked_mul"], func: checked_mul, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["checked_div"], func: checked_div, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["random"], func: random, min_args: 0, max_args: Some(0), effect: Some(Effect::Random) },
    BuiltinDef {
        names: &["random_int"],
        func: random_int,
        min_args: 2,
        max_args: Some(2),
        effect: Some(Effect::Random),
    },
];

/// A numeric argument as a Float.
fn num(name: &str, v: &Value) -> Result<f64, BuiltinError> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(x) => Ok(*x),
        other => Err(type_error(name, "Int or Float", other)),
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Mixed Int/Float arithmetic gives a Float (LANGUAGE.md 5.4): when every value of `all` is a
/// number and one is a Float, `picked` is converted.
fn widen(picked: &Value, all: &[Value]) -> Value {
    match picked {
        Value::Int(i) if all.iter().all(is_number) && all.iter().any(|v| matches!(v, Value::Float(_))) => {
            Value::Float(*i as f64)
        }
        other => other.clone(),
    }
}

fn overflow(operation: &str) -> BuiltinError {
    BuiltinError::new(format!("integer overflow in {operation}"))
}

fn abs(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| overflow("abs")),
        Value::Float(x) => Ok(Value::Float(x.abs())),
        other => Err(type_error("abs", "Int or Float", other)),
    }
}

/// `min`/`max`: of two values, or of the elements of one iterable (`null` when empty). `keep` is
/// `Less` for `min` and `Greater` for `max`.
fn extreme(name: &str, args: &[Value], keep: Ordering) -> BuiltinResult {
    // A later `x` replaces the `best` so far only when strictly better, so ties keep the first.
    // Comparing in argument order makes errors name the kinds in that order.
    let replaces =
        |best: &Value, x: &Value| total_cmp(best, x).map(|o| o == keep.reverse()).map_err(|u| u.into_error(name));
    match args {
        [a, b] => Ok(widen(if replaces(a, b)? { b } else { a }, args)),
        [Value::Range(r)] => {
            // Distinct, monotonic elements: the extreme is at one end.
            let seq = RangeSeq::of(name, r)?;
            let ends = seq.first().zip(seq.last());
            Ok(ends.map_or(Value::Null, |(a, b)| Value::Int(if keep == Ordering::Less { a.min(b) } else { a.max(b) })))
        }
        [xs] => {
            let xs = items(name, xs)?;
            let mut best: Option<&Value> = None;
            for x in xs.iter() {
                best = match best {
                    Some(b) if !replaces(b, x)? => Some(b),
                    _ => Some(x),
                };
            }
            Ok(best.cloned().unwrap_or(Value::Null))
        }
        _ => Err(BuiltinError::new(format!("{name} expects 1 to 2 arguments, got {}", args.len()))),
    }
}

fn min(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    extreme("min", args, Ordering::Less)
}

fn max(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    extreme("max", args, Ordering::Greater)
}

/// `clamp(x, lo, hi)`: `lo` if `x < lo`, `hi` if `x > hi`, else `x` (NaN stays NaN).
fn clamp(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let (x, lo, hi) = (&args[0], &args[1], &args[2]);
    let cmp = |a: &Value, b: &Value| total_cmp(a, b).map_err(|u| u.into_error("clamp"));
    if cmp(lo, hi)? == Ordering::Greater {
        return Err(BuiltinError::new(format!(
            "clamp: lower bound {} is greater than upper bound {}",
            display(lo),
            display(hi)
        )));
    }
    let picked = if matches!(x, Value::Float(f) if f.is_nan()) {
        x
    } else if cmp(x, lo)? == Ordering::Less {
        lo
    } else if cmp(x, hi)? == Ordering::Greater {
        hi
    } else {
        x
    };
    Ok(widen(picked, args))
}

/// `sum(xs)`: `0` when empty; Int when every element is an Int (overflow → error), else Float.
fn sum(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if let Value::Range(r) = &args[0] {
        return RangeSeq::of("sum", r)?.sum().map(Value::Int).ok_or_else(|| overflow("sum"));
    }
    let xs = items("sum", &args[0])?;
    if let Some(bad) = xs.iter().find(|x| !is_number(x)) {
        return Err(type_error("sum", "Int or Float", bad));
    }
    if xs.iter().any(|x| matches!(x, Value::Float(_))) {
        let mut total = 0.0;
        for x in xs.iter() {
            total += num("sum", x)?;
        }
        return Ok(Value::Float(total));
    }
    let mut total: i64 = 0;
    for x in xs.iter() {
        total = total.checked_add(int_arg("sum", x)?).ok_or_else(|| overflow("sum"))?;
    }
    Ok(Value::Int(total))
}

/// Builtins `(x: Num) -> Float` applying an `f64` function.
macro_rules! float_fns {
    ($($name:ident => $op:expr),* $(,)?) => {
        $(
            fn $name(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
                let op: fn(f64) -> f64 = $op;
                Ok(Value::Float(op(num(stringify!($name), &args[0])?)))
            }
        )*
    };
}

float_fns! {
    round => f64::round_ties_even,
    ceil => f64::ceil,
    floor => f64::floor,
    trunc => f64::trunc,
    sqrt => f64::sqrt,
    exp => f64::exp,
    log2 => f64::log2,
    log10 => f64::log10,
    sin => f64::sin,
    cos => f64::cos,
    tan => f64::tan,
    asin => f64::asin,
    acos => f64::acos,
    atan => f64::atan,
}

/// `log(x)` is natural; `log(x, base)` uses the exact `log2`/`log10` for those bases.
fn log(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let x = num("log", &args[0])?;
    let result = match args.get(1) {
        None => x.ln(),
        Some(base) => {
            let base = num("log", base)?;
            if base == 2.0 {
                x.log2()
            } else if base == 10.0 {
                x.log10()
            } else {
                x.ln() / base.ln()
            }
        }
    };
    Ok(Value::Float(result))
}

fn atan2(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Float(num("atan2", &args[0])?.atan2(num("atan2", &args[1])?)))
}

/// `pow(b, e)`: Int for two Ints (like `**`: negative exponent and overflow are errors), else Float.
fn pow(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match (&args[0], &args[1]) {
        (Value::Int(b), Value::Int(e)) => int_pow(*b, *e).map(Value::Int),
        (b, e) => Ok(Value::Float(num("pow", b)?.powf(num("pow", e)?))),
    }
}

fn int_pow(base: i64, exponent: i64) -> Result<i64, BuiltinError> {
    if exponent < 0 {
        return Err(BuiltinError::new("negative exponent"));
    }
    match u32::try_from(exponent) {
        Ok(e) => base.checked_pow(e).ok_or_else(|| overflow("pow")),
        // Only 0, 1 and -1 survive an exponent this large.
        Err(_) => match base {
            0 | 1 => Ok(base),
            -1 => Ok(if exponent % 2 == 0 { 1 } else { -1 }),
            _ => Err(overflow("pow")),
        },
    }
}

fn float_test(name: &str, v: &Value, test: fn(f64) -> bool) -> BuiltinResult {
    match v {
        Value::Float(x) => Ok(Value::Bool(test(*x))),
        Value::Int(_) => Ok(Value::Bool(false)),
        other => Err(type_error(name, "Float", other)),
    }
}

fn is_nan(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    float_test("is_nan", &args[0], f64::is_nan)
}

fn is_infinite(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    float_test("is_infinite", &args[0], f64::is_infinite)
}

/// Builtins `(a: Int, b: Int)` applying an `i64` method: wrapping ones return Int, checked ones
/// `Int?` (`null` on overflow or division by zero).
macro_rules! int_fns {
    (wrapping: $($name:ident => $op:expr),* ; checked: $($cname:ident => $cop:expr),* $(,)?) => {
        $(
            fn $name(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
                let op: fn(i64, i64) -> i64 = $op;
                Ok(Value::Int(op(int_arg(stringify!($name), &args[0])?, int_arg(stringify!($name), &args[1])?)))
            }
        )*
        $(
            fn $cname(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
                let op: fn(i64, i64) -> Option<i64> = $cop;
                let result = op(int_arg(stringify!($cname), &args[0])?, int_arg(stringify!($cname), &args[1])?);
                Ok(result.map_or(Value::Null, Value::Int))
            }
        )*
    };
}

int_fns! {
    wrapping: wrapping_add => i64::wrapping_add, wrapping_sub => i64::wrapping_sub, wrapping_mul => i64::wrapping_mul;
    checked: checked_add => i64::checked_add, checked_sub => i64::checked_sub, checked_mul => i64::checked_mul,
        checked_div => i64::checked_div,
}

fn wrapping_neg(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Int(int_arg("wrapping_neg", &args[0])?.wrapping_neg()))
}

/// Uniform in `[0, 1)` from 53 bits of the host's random word: the low bits, with the high bits
/// folded in (a bijection on words below 2^53, so hosts that only fill 53 bits stay uniform).
fn random(ctx: &mut Ctx<'_>, _args: &[Value]) -> BuiltinResult {
    const LOW_53: u64 = (1 << 53) - 1;
    let word = ctx.host.random_u64();
    let bits = (word ^ (word >> 11)) & LOW_53;
    Ok(Value::Float(bits as f64 / (1u64 << 53) as f64))
}

/// Uniform in `lo..=hi`, by rejection sampling (bounded, so a degenerate host cannot hang it).
fn random_int(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let lo = int_arg("random_int", &args[0])?;
    let hi = int_arg("random_int", &args[1])?;
    if lo > hi {
        return Err(BuiltinError::new(format!("random_int: lower bound {lo} is greater than upper bound {hi}")));
    }
    let Ok(span) = u64::try_from(i128::from(hi) - i128::from(lo) + 1) else {
        // The whole Int range: every word is a valid draw.
        return Ok(Value::Int(ctx.host.random_u64() as i64));
    };
    // Words at or above `limit` would favour the low residues.
    let limit = u64::MAX - u64::MAX % span;
    let mut word = ctx.host.random_u64();
    for _ in 0..64 {
        if word < limit {
            break;
        }
        word = ctx.host.random_u64();
    }
    let offset = i128::from(word % span);
    i64::try_from(i128::from(lo) + offset).map(Value::Int).map_err(|_| overflow("random_int"))
}

#[cfg(test)]
mod tests {
    use super::super::collections::test_util::*;
    use super::*;
    use crate::host::TestHost;

    fn call(name: &str, args: &[Value]) -> Value {
        call_in(DEFS, name, args).unwrap_or_else(|e| panic!("{name}: {}", e.0))
    }

    fn err(name: &str, args: &[Value]) -> String {
        err_in(DEFS, name, args)
    }

    fn float(name: &str, args: &[Value]) -> f64 {
        match call(name, args) {
            Value::Float(x) => x,
            other => panic!("{name} returned {other:?}, expected a Float"),
        }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-12
    }

    #[test]
    fn abs_of_ints_and_floats() {
        assert_eq!(call("abs", &[i(-7)]), i(7));
        assert_eq!(call("abs", &[i(7)]), i(7));
        assert_eq!(call("abs", &[i(i64::MAX)]), i(i64::MAX));
        assert!(same_float(&call("abs", &[f(-2.5)]), 2.5));
        assert!(same_float(&call("abs", &[f(-0.0)]), 0.0));
        assert!(same_float(&call("abs", &[f(f64::NEG_INFINITY)]), f64::INFINITY));
        assert!(err("abs", &[i(i64::MIN)]).contains("integer overflow"));
        assert_eq!(err("abs", &[s("-1")]), "abs: expected Int or Float, got String");
    }

    #[test]
    fn min_and_max_of_two_values() {
        assert_eq!(call("min", &[i(4), i(9)]), i(4));
        assert_eq!(call("max", &[i(4), i(9)]), i(9));
        assert_eq!(call("max", &[i(3), i(3)]), i(3));
        assert!(same_float(&call("min", &[f(-1.5), f(2.0)]), -1.5));
        assert!(same_float(&call("min", &[i(1), f(2.5)]), 1.0));
        assert!(same_float(&call("max", &[i(3), f(2.5)]), 3.0));
        assert!(same_float(&call("min", &[i(1), f(1.0)]), 1.0));
        assert_eq!(call("min", &[s("pear"), s("apple")]), s("apple"));
        assert_eq!(call("max", &[ints(&[1, 2]), ints(&[1, 3])]), ints(&[1, 3]));
        assert_eq!(call("min", &[Value::Null, i(1)]), Value::Null);
        // NaN orders after every number, as in `sort`.
        assert!(same_float(&call("min", &[f(f64::NAN), f(1.0)]), 1.0));
        assert!(call("max", &[f(1.0), f(f64::NAN)]).ne(&call("max", &[f(1.0), f(2.0)])));
        assert_eq!(err("min", &[i(1), s("a")]), "min: cannot compare Int and String");
        assert_eq!(err("max", &[Value::Bool(true), i(1)]), "max: cannot compare Bool and Int");
    }

    #[test]
    fn ties_return_the_first() {
        let a = pair(i(1), s("a"));
        let b = pair(i(1), s("a"));
        assert_eq!(call("min", &[list(vec![f(2.0), i(2), i(3)])]), f(2.0));
        assert!(same_float(&call("min", &[list(vec![f(2.0), i(2), i(3)])]), 2.0));
        assert_eq!(call("max", &[list(vec![i(3), f(3.0)])]), i(3));
        assert!(matches!(call("max", &[list(vec![i(3), f(3.0)])]), Value::Int(3)));
        assert_eq!(call("min", &[a, b.clone()]), b);
    }

    #[test]
    fn min_and_max_of_a_collection() {
        assert_eq!(call("min", &[ints(&[5, 3, 9])]), i(3));
        assert_eq!(call("max", &[ints(&[5, 3, 9])]), i(9));
        assert_eq!(call("min", &[ints(&[])]), Value::Null);
        assert_eq!(call("max", &[ints(&[])]), Value::Null);
        assert_eq!(call("max", &[list(vec![s("b"), s("c"), s("a")])]), s("c"));
        assert_eq!(call("min", &[list(vec![i(2), f(1.5)])]), f(1.5));
        assert_eq!(call("max", &[range_obj(0, 10, false, 1)]), i(9));
        assert_eq!(call("min", &[range_obj(0, 10, false, 1)]), i(0));
        assert_eq!(call("min", &[range_obj(10, 0, false, -3)]), i(1));
        assert_eq!(call("max", &[range_obj(10, 0, false, -3)]), i(10));
        assert_eq!(call("max", &[range_obj(i64::MIN, i64::MAX, true, 1)]), i(i64::MAX));
        assert_eq!(call("min", &[range_obj(3, 3, false, 1)]), Value::Null);
        assert!(err("max", &[range_obj(0, 3, false, 0)]).contains("step cannot be zero"));
        assert_eq!(call("min", &[Value::set([i(4), i(2)].into_iter().collect())]), i(2));
        assert_eq!(call("min", &[list(vec![f(f64::NAN), f(2.0)])]), f(2.0));
        assert!(matches!(call("max", &[list(vec![f(2.0), f(f64::NAN)])]), Value::Float(x) if x.is_nan()));
        // A lone element is never compared.
        let m = Value::map(Default::default());
        assert_eq!(call("max", &[list(vec![m.clone()])]), m);
        assert_eq!(err("min", &[list(vec![i(1), s("x")])]), "min: cannot compare Int and String");
        assert_eq!(err("min", &[i(5)]), "min: expected an iterable, got Int");
    }

    #[test]
    fn clamp_to_bounds() {
        assert_eq!(call("clamp", &[i(15), i(0), i(10)]), i(10));
        assert_eq!(call("clamp", &[i(-5), i(0), i(10)]), i(0));
        assert_eq!(call("clamp", &[i(5), i(0), i(10)]), i(5));
        assert_eq!(call("clamp", &[i(5), i(5), i(5)]), i(5));
        assert!(same_float(&call("clamp", &[f(0.75), f(0.0), f(0.5)]), 0.5));
        assert!(same_float(&call("clamp", &[i(3), f(0.0), i(10)]), 3.0));
        assert!(same_float(&call("clamp", &[f(f64::INFINITY), i(0), i(10)]), 10.0));
        assert!(same_float(&call("clamp", &[f(f64::NAN), f(0.0), f(1.0)]), f64::NAN));
        assert_eq!(call("clamp", &[s("m"), s("a"), s("f")]), s("f"));
        assert_eq!(err("clamp", &[i(1), i(10), i(0)]), "clamp: lower bound 10 is greater than upper bound 0");
        assert_eq!(err("clamp", &[s("a"), i(0), i(1)]), "clamp: cannot compare String and Int");
    }

    #[test]
    fn sum_of_ints_and_floats() {
        assert_eq!(call("sum", &[ints(&[1, 2, 3])]), i(6));
        assert_eq!(call("sum", &[ints(&[])]), i(0));
        assert!(same_float(&call("sum", &[list(vec![f(0.5), f(0.25)])]), 0.75));
        assert!(same_float(&call("sum", &[list(vec![i(1), f(0.5)])]), 1.5));
        assert!(same_float(&call("sum", &[list(vec![i(i64::MAX), i(1), f(0.0)])]), 9.223372036854776e18));
        assert_eq!(call("sum", &[range_obj(1, 100, true, 1)]), i(5050));
        assert_eq!(call("sum", &[range_obj(10, 0, false, -3)]), i(22));
        assert_eq!(call("sum", &[range_obj(0, 0, false, 1)]), i(0));
        assert_eq!(call("sum", &[range_obj(-1_000_000_000_000, 1_000_000_000_000, true, 1)]), i(0));
        assert_eq!(err("sum", &[range_obj(0, i64::MAX, true, 1)]), "integer overflow in sum");
        assert_eq!(call("sum", &[ints(&[i64::MAX, -1, 1])]), i(i64::MAX));
        assert_eq!(err("sum", &[ints(&[i64::MAX, 1])]), "integer overflow in sum");
        assert_eq!(err("sum", &[ints(&[i64::MIN, -1])]), "integer overflow in sum");
        assert_eq!(err("sum", &[list(vec![i(1), s("2")])]), "sum: expected Int or Float, got String");
        assert_eq!(err("sum", &[i(3)]), "sum: expected an iterable, got Int");
    }

    #[test]
    fn rounding() {
        for (x, r) in [(2.5, 2.0), (3.5, 4.0), (-2.5, -2.0), (0.5, 0.0), (2.4, 2.0), (2.6, 3.0), (-1.7, -2.0)] {
            assert!(same_float(&call("round", &[f(x)]), r), "round({x})");
        }
        assert!(same_float(&call("round", &[f(-0.4)]), -0.0));
        assert!(same_float(&call("ceil", &[f(2.1)]), 3.0));
        assert!(same_float(&call("ceil", &[f(-2.1)]), -2.0));
        assert!(same_float(&call("floor", &[f(2.9)]), 2.0));
        assert!(same_float(&call("floor", &[f(-2.1)]), -3.0));
        assert!(same_float(&call("trunc", &[f(-2.9)]), -2.0));
        assert!(same_float(&call("trunc", &[f(2.9)]), 2.0));
        assert!(same_float(&call("floor", &[i(7)]), 7.0));
        assert!(same_float(&call("round", &[i(-3)]), -3.0));
        assert!(same_float(&call("ceil", &[f(f64::INFINITY)]), f64::INFINITY));
        assert!(same_float(&call("floor", &[f(f64::NAN)]), f64::NAN));
        assert_eq!(err("round", &[s("1.5")]), "round: expected Int or Float, got String");
        assert_eq!(err("trunc", &[Value::Null]), "trunc: expected Int or Float, got Null");
    }

    #[test]
    fn sqrt_exp_and_logs() {
        assert!(same_float(&call("sqrt", &[i(16)]), 4.0));
        assert!(same_float(&call("sqrt", &[f(2.25)]), 1.5));
        assert!(float("sqrt", &[i(-1)]).is_nan());
        assert!(same_float(&call("exp", &[i(0)]), 1.0));
        assert!(same_float(&call("log", &[i(1)]), 0.0));
        assert!(close(float("log", &[f(100.0)]), 4.605170185988092));
        assert!(same_float(&call("log", &[i(0)]), f64::NEG_INFINITY));
        assert!(float("log", &[i(-1)]).is_nan());
        assert!(same_float(&call("log", &[i(8), i(2)]), 3.0));
        assert!(same_float(&call("log", &[i(1000), i(10)]), 3.0));
        assert!(close(float("log", &[i(81), i(3)]), 4.0));
        assert!(same_float(&call("log2", &[i(1024)]), 10.0));
        assert!(same_float(&call("log10", &[f(0.001)]), -3.0));
        assert_eq!(err("log", &[i(8), s("2")]), "log: expected Int or Float, got String");
        assert_eq!(err("sqrt", &[Value::Bool(true)]), "sqrt: expected Int or Float, got Bool");
    }

    #[test]
    fn trigonometry() {
        let pi = std::f64::consts::PI;
        assert!(same_float(&call("sin", &[i(0)]), 0.0));
        assert!(close(float("sin", &[f(pi / 2.0)]), 1.0));
        assert!(same_float(&call("cos", &[i(0)]), 1.0));
        assert!(close(float("tan", &[f(pi / 4.0)]), 1.0));
        assert!(close(float("asin", &[i(1)]), pi / 2.0));
        assert!(same_float(&call("acos", &[i(1)]), 0.0));
        assert!(float("asin", &[i(2)]).is_nan());
        assert!(close(float("atan", &[i(1)]), pi / 4.0));
        assert!(close(float("atan2", &[i(1), i(-1)]), 3.0 * pi / 4.0));
        assert!(close(float("atan2", &[f(-1.0), i(0)]), -pi / 2.0));
        assert_eq!(err("atan2", &[i(1), s("x")]), "atan2: expected Int or Float, got String");
        assert_eq!(err("cos", &[ints(&[])]), "cos: expected Int or Float, got List");
    }

    #[test]
    fn pow_like_the_operator() {
        assert_eq!(call("pow", &[i(2), i(10)]), i(1024));
        assert_eq!(call("pow", &[i(5), i(0)]), i(1));
        assert_eq!(call("pow", &[i(0), i(0)]), i(1));
        assert_eq!(call("pow", &[i(-2), i(3)]), i(-8));
        assert_eq!(call("pow", &[i(10), i(18)]), i(1_000_000_000_000_000_000));
        assert_eq!(call("pow", &[i(-2), i(63)]), i(i64::MIN));
        assert_eq!(call("pow", &[i(1), i(i64::MAX)]), i(1));
        assert_eq!(call("pow", &[i(0), i(i64::MAX)]), i(0));
        assert_eq!(call("pow", &[i(-1), i(i64::MAX)]), i(-1));
        assert_eq!(call("pow", &[i(-1), i(1 << 40)]), i(1));
        assert!(same_float(&call("pow", &[f(2.0), i(3)]), 8.0));
        assert!(same_float(&call("pow", &[i(9), f(0.5)]), 3.0));
        assert!(same_float(&call("pow", &[f(2.0), f(-1.0)]), 0.5));
        assert!(same_float(&call("pow", &[f(2.0), f(0.5)]), std::f64::consts::SQRT_2));
        assert_eq!(err("pow", &[i(2), i(-1)]), "negative exponent");
        assert_eq!(err("pow", &[i(2), i(63)]), "integer overflow in pow");
        assert_eq!(err("pow", &[i(2), i(1 << 40)]), "integer overflow in pow");
        assert_eq!(err("pow", &[s("2"), i(2)]), "pow: expected Int or Float, got String");
    }

    #[test]
    fn nan_and_infinity_tests() {
        assert_eq!(call("is_nan", &[f(f64::NAN)]), Value::Bool(true));
        assert_eq!(call("is_nan", &[f(1.0)]), Value::Bool(false));
        assert_eq!(call("is_nan", &[i(1)]), Value::Bool(false));
        assert_eq!(call("is_infinite", &[f(f64::NEG_INFINITY)]), Value::Bool(true));
        assert_eq!(call("is_infinite", &[f(f64::NAN)]), Value::Bool(false));
        assert_eq!(call("is_infinite", &[i(i64::MAX)]), Value::Bool(false));
        assert_eq!(err("is_nan", &[s("NaN")]), "is_nan: expected Float, got String");
    }

    #[test]
    fn wrapping_arithmetic() {
        assert_eq!(call("wrapping_add", &[i(i64::MAX), i(1)]), i(i64::MIN));
        assert_eq!(call("wrapping_add", &[i(2), i(3)]), i(5));
        assert_eq!(call("wrapping_sub", &[i(i64::MIN), i(1)]), i(i64::MAX));
        assert_eq!(call("wrapping_mul", &[i(i64::MAX), i(2)]), i(-2));
        assert_eq!(call("wrapping_mul", &[i(-3), i(4)]), i(-12));
        assert_eq!(call("wrapping_neg", &[i(i64::MIN)]), i(i64::MIN));
        assert_eq!(call("wrapping_neg", &[i(5)]), i(-5));
        assert_eq!(err("wrapping_add", &[i(1), f(1.0)]), "wrapping_add: expected Int, got Float");
        assert_eq!(err("wrapping_neg", &[f(1.0)]), "wrapping_neg: expected Int, got Float");
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(call("checked_add", &[i(2), i(3)]), i(5));
        assert_eq!(call("checked_add", &[i(i64::MAX), i(1)]), Value::Null);
        assert_eq!(call("checked_sub", &[i(i64::MIN), i(1)]), Value::Null);
        assert_eq!(call("checked_sub", &[i(1), i(3)]), i(-2));
        assert_eq!(call("checked_mul", &[i(i64::MAX), i(2)]), Value::Null);
        assert_eq!(call("checked_mul", &[i(-4), i(5)]), i(-20));
        assert_eq!(call("checked_div", &[i(-7), i(2)]), i(-3));
        assert_eq!(call("checked_div", &[i(1), i(0)]), Value::Null);
        assert_eq!(call("checked_div", &[i(i64::MIN), i(-1)]), Value::Null);
        assert_eq!(err("checked_div", &[s("1"), i(1)]), "checked_div: expected Int, got String");
        assert_eq!(err("checked_mul", &[i(1), Value::Null]), "checked_mul: expected Int, got Null");
    }

    fn with_host<T>(host: &mut TestHost, run: impl FnOnce(&mut Ctx<'_>) -> T) -> T {
        let mut ctx = Ctx { host };
        run(&mut ctx)
    }

    #[test]
    fn random_is_in_the_unit_interval() {
        let mut host = TestHost { rng: 42, ..TestHost::default() };
        with_host(&mut host, |ctx| {
            let mut below_half = 0;
            for _ in 0..2000 {
                let Ok(Value::Float(x)) = random(ctx, &[]) else { panic!("random did not return a Float") };
                assert!((0.0..1.0).contains(&x), "{x}");
                below_half += usize::from(x < 0.5);
            }
            assert!((800..1200).contains(&below_half), "{below_half}");
        });
        assert!(DEFS.iter().filter(|d| d.names[0].starts_with("random")).all(|d| d.effect == Some(Effect::Random)));
    }

    #[test]
    fn random_int_covers_the_inclusive_range() {
        let mut host = TestHost { rng: 7, ..TestHost::default() };
        with_host(&mut host, |ctx| {
            let mut seen = [0usize; 6];
            for _ in 0..600 {
                let Ok(Value::Int(n)) = random_int(ctx, &[i(-2), i(3)]) else { panic!("not an Int") };
                assert!((-2..=3).contains(&n), "{n}");
                seen[(n + 2) as usize] += 1;
            }
            assert!(seen.iter().all(|&c| c > 50), "{seen:?}");
            assert_eq!(random_int(ctx, &[i(5), i(5)]), Ok(i(5)));
            for (lo, hi) in [(i64::MIN, i64::MAX), (i64::MIN, 0), (0, i64::MAX), (i64::MAX - 1, i64::MAX)] {
                let Ok(Value::Int(n)) = random_int(ctx, &[i(lo), i(hi)]) else { panic!("not an Int") };
                assert!((lo..=hi).contains(&n));
            }
            assert_eq!(
                random_int(ctx, &[i(3), i(2)]).unwrap_err().0,
                "random_int: lower bound 3 is greater than upper bound 2"
            );
            assert_eq!(random_int(ctx, &[f(1.0), i(2)]).unwrap_err().0, "random_int: expected Int, got Float");
        });
    }

    /// A host whose words always land in the rejected tail.
    struct StuckHost(TestHost);

    impl crate::host::Host for StuckHost {
        fn write_stdout(&mut self, text: &str) {
            self.0.write_stdout(text)
        }
        fn write_stderr(&mut self, text: &str) {
            self.0.write_stderr(text)
        }
        fn now(&mut self) -> f64 {
            self.0.now()
        }
        fn hrtime(&mut self) -> i64 {
            self.0.hrtime()
        }
        fn random_u64(&mut self) -> u64 {
            u64::MAX
        }
        fn sleep_ms(&mut self, ms: u64) {
            self.0.sleep_ms(ms)
        }
        fn get_env(&mut self, name: &str) -> Option<String> {
            self.0.get_env(name)
        }
        fn args(&mut self) -> Vec<String> {
            self.0.args()
        }
        fn read_file(&mut self, path: &str) -> std::io::Result<String> {
            self.0.read_file(path)
        }
        fn write_file(&mut self, path: &str, content: &[u8]) -> std::io::Result<()> {
            self.0.write_file(path, content)
        }
        fn append_file(&mut self, path: &str, content: &[u8]) -> std::io::Result<()> {
            self.0.append_file(path, content)
        }
        fn exists(&mut self, path: &str) -> bool {
            self.0.exists(path)
        }
        fn read_dir(&mut self, path: &str) -> std::io::Result<Vec<String>> {
            self.0.read_dir(path)
        }
        fn mkdir(&mut self, path: &str) -> std::io::Result<()> {
            self.0.mkdir(path)
        }
        fn read_line(&mut self) -> Option<String> {
            self.0.read_line()
        }
        fn read_stdin(&mut self) -> String {
            self.0.read_stdin()
        }
    }

    #[test]
    fn random_never_hangs_or_leaves_its_range() {
        let mut host = StuckHost(TestHost::default());
        let mut ctx = Ctx { host: &mut host };
        let Ok(Value::Float(x)) = random(&mut ctx, &[]) else { panic!("not a Float") };
        assert!((0.0..1.0).contains(&x), "{x}");
        let Ok(Value::Int(n)) = random_int(&mut ctx, &[i(0), i(2)]) else { panic!("not an Int") };
        assert!((0..=2).contains(&n));
        assert_eq!(random_int(&mut ctx, &[i(i64::MIN), i(i64::MAX)]), Ok(i(-1)));
    }
}
