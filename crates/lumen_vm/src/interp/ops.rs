//! Operators on values (LANGUAGE.md 5.3-5.6).

use std::rc::Rc;

use lumen_compile::bytecode::{BinOp, UnOp};

use crate::value::{RcStr, Value};

pub type OpResult = Result<Value, String>;

fn overflow(op: &str) -> String {
    format!("integer overflow in {op}")
}

fn cannot(op: &str, a: &Value, b: &Value) -> String {
    // A `null` from a lenient lookup (map miss, `to_int`) reaching arithmetic (LANGUAGE.md 4.4).
    match (a, b) {
        (Value::Null, Value::Null) => {}
        (Value::Null, other) | (other, Value::Null) => {
            return format!("expected {}, got Null (in `{op}`)", other.type_name());
        }
        _ => {}
    }
    format!("cannot apply `{op}` to {} and {}", a.type_name(), b.type_name())
}

pub fn binary(op: BinOp, a: &Value, b: &Value) -> OpResult {
    use Value::*;
    match op {
        BinOp::Eq => return Ok(Bool(a == b)),
        BinOp::Ne => return Ok(Bool(a != b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => return compare(op, a, b),
        BinOp::In => return contains(b, a).map(Bool),
        BinOp::Concat => return concat(a, b),
        _ => {}
    }
    match (a, b) {
        (Int(x), Int(y)) => int_op(op, *x, *y),
        (Int(x), Float(y)) => float_op(op, *x as f64, *y, a, b),
        (Float(x), Int(y)) => float_op(op, *x, *y as f64, a, b),
        (Float(x), Float(y)) => float_op(op, *x, *y, a, b),
        (Str(x), Str(y)) if op == BinOp::Add => Ok(Value::Str(RcStr::concat(&[x, y]))),
        _ => Err(cannot(op_str(op), a, b)),
    }
}

fn op_str(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
        BinOp::Concat => "++",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::In => "in",
    }
}

/// Any binary operator on two Ints (the interpreter's fast path).
#[inline]
pub fn int_binary(op: BinOp, x: i64, y: i64) -> OpResult {
    match op {
        BinOp::Add => x.checked_add(y).map(Value::Int).ok_or_else(|| overflow("addition")),
        BinOp::Sub => x.checked_sub(y).map(Value::Int).ok_or_else(|| overflow("subtraction")),
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Ok(Value::Bool(int_compare(op, x, y))),
        BinOp::In | BinOp::Concat => binary(op, &Value::Int(x), &Value::Int(y)),
        _ => int_op(op, x, y),
    }
}

/// The Int arithmetic that cannot fail on these operands; `None` sends the operation down the
/// general path (overflow, division by zero, comparisons, `in`, `++`).
#[inline(always)]
pub fn int_fast(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Mod if y > 0 => {
            let r = x % y;
            Some(if r < 0 { r + y } else { r })
        }
        BinOp::FloorDiv if y > 0 => Some(x.div_euclid(y)),
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        _ => None,
    }
}

#[inline]
pub fn int_compare(op: BinOp, x: i64, y: i64) -> bool {
    match op {
        BinOp::Eq => x == y,
        BinOp::Ne => x != y,
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        _ => x >= y,
    }
}

pub fn int_op(op: BinOp, x: i64, y: i64) -> OpResult {
    let v = match op {
        BinOp::Add => x.checked_add(y).ok_or_else(|| overflow("addition"))?,
        BinOp::Sub => x.checked_sub(y).ok_or_else(|| overflow("subtraction"))?,
        BinOp::Mul => x.checked_mul(y).ok_or_else(|| overflow("multiplication"))?,
        BinOp::Div => {
            if y == 0 {
                return Err("division by zero".into());
            }
            x.checked_div(y).ok_or_else(|| overflow("division"))?
        }
        BinOp::FloorDiv => {
            if y == 0 {
                return Err("division by zero".into());
            }
            let q = x.checked_div(y).ok_or_else(|| overflow("division"))?;
            if (x % y != 0) && ((x < 0) != (y < 0)) { q - 1 } else { q }
        }
        BinOp::Mod => {
            if y == 0 {
                return Err("division by zero".into());
            }
            if y == -1 {
                0
            } else {
                let r = x % y;
                if r != 0 && ((r < 0) != (y < 0)) { r + y } else { r }
            }
        }
        BinOp::Pow => {
            if y < 0 {
                return Err("negative exponent".into());
            }
            let exp = u32::try_from(y).map_err(|_| overflow("exponentiation"))?;
            x.checked_pow(exp).ok_or_else(|| overflow("exponentiation"))?
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::Shl | BinOp::Shr => {
            if !(0..=63).contains(&y) {
                return Err(format!("shift amount out of range: {y}"));
            }
            if op == BinOp::Shl { ((x as u64) << y) as i64 } else { x >> y }
        }
        _ => return Err(format!("cannot apply `{}` to Int and Int", op_str(op))),
    };
    Ok(Value::Int(v))
}

fn float_op(op: BinOp, x: f64, y: f64, a: &Value, b: &Value) -> OpResult {
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::FloorDiv => (x / y).floor(),
        BinOp::Mod => x - y * (x / y).floor(),
        BinOp::Pow => x.powf(y),
        _ => return Err(cannot(op_str(op), a, b)),
    };
    Ok(Value::Float(v))
}

fn compare(op: BinOp, a: &Value, b: &Value) -> OpResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(match op {
            BinOp::Lt => x < y,
            BinOp::Le => x <= y,
            BinOp::Gt => x > y,
            _ => x >= y,
        }));
    }
    let comparable = matches!(
        (a, b),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_))
            | (Value::Str(_), Value::Str(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Bytes(_), Value::Bytes(_))
            | (Value::List(_), Value::List(_))
            | (Value::Tuple(_), Value::Tuple(_))
            | (Value::Record(_), Value::Record(_))
            | (Value::Enum(_), Value::Enum(_))
            | (Value::Null, _)
            | (_, Value::Null)
    );
    if !comparable {
        return Err(format!("cannot compare {} and {}", a.type_name(), b.type_name()));
    }
    let ord = a.compare(b);
    Ok(Value::Bool(match (op, ord) {
        (_, None) => false,
        (BinOp::Lt, Some(o)) => o.is_lt(),
        (BinOp::Le, Some(o)) => o.is_le(),
        (BinOp::Gt, Some(o)) => o.is_gt(),
        (_, Some(o)) => o.is_ge(),
    }))
}

pub fn contains(container: &Value, x: &Value) -> Result<bool, String> {
    Ok(match container {
        Value::List(items) | Value::Tuple(items) => items.contains(x),
        Value::Set(set) => set.contains(x),
        Value::Map(map) => map.contains_key(x),
        Value::Str(s) => match x {
            Value::Str(sub) => s.contains(sub.as_str()),
            other => return Err(format!("cannot test whether {} is in a String", other.type_name())),
        },
        Value::Range(r) => match x {
            Value::Int(i) => {
                let in_bounds = if r.step > 0 {
                    *i >= r.start && (if r.inclusive { *i <= r.end } else { *i < r.end })
                } else {
                    *i <= r.start && (if r.inclusive { *i >= r.end } else { *i > r.end })
                };
                in_bounds && (i - r.start) % r.step == 0
            }
            _ => false,
        },
        other => return Err(format!("`in` needs a collection, got {}", other.type_name())),
    })
}

fn concat(a: &Value, b: &Value) -> OpResult {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(Value::Str(RcStr::concat(&[x, y]))),
        (Value::List(x), Value::List(y)) => {
            let mut items = Vec::with_capacity(x.len() + y.len());
            items.extend(x.iter().cloned());
            items.extend(y.iter().cloned());
            Ok(Value::list(items))
        }
        (Value::Bytes(x), Value::Bytes(y)) => {
            let mut bytes = Vec::with_capacity(x.len() + y.len());
            bytes.extend_from_slice(x);
            bytes.extend_from_slice(y);
            Ok(Value::Bytes(Rc::new(bytes)))
        }
        _ => Err(cannot("++", a, b)),
    }
}

pub fn unary(op: UnOp, v: &Value) -> OpResult {
    match (op, v) {
        (UnOp::Neg, Value::Int(i)) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow("negation")),
        (UnOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnOp::BitNot, Value::Int(i)) => Ok(Value::Int(!i)),
        (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (op, v) => {
            let sym = match op {
                UnOp::Neg => "-",
                UnOp::BitNot => "~",
                UnOp::Not => "not",
            };
            Err(format!("cannot apply `{sym}` to {}", v.type_name()))
        }
    }
}

/// Resolves a possibly negative index against `len`.
pub fn index_of(i: i64, len: usize) -> Result<usize, String> {
    let n = len as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(format!("index out of range: {i} (length {len})"));
    }
    Ok(j as usize)
}

pub fn get_index(obj: &Value, index: &Value) -> OpResult {
    match (obj, index) {
        (Value::List(items) | Value::Tuple(items), Value::Int(i)) => Ok(items[index_of(*i, items.len())?].clone()),
        (Value::Str(s), Value::Int(i)) => {
            let len = s.chars().count();
            let j = index_of(*i, len)?;
            Ok(s.chars().nth(j).map_or(Value::Null, |c| Value::string(c.to_string())))
        }
        (Value::Bytes(b), Value::Int(i)) => Ok(Value::Int(i64::from(b[index_of(*i, b.len())?]))),
        (Value::Map(m), key) => Ok(m.get(key).cloned().unwrap_or(Value::Null)),
        (Value::Null, _) => Err("cannot index null".into()),
        (obj, index) => Err(format!("cannot index {} with {}", obj.type_name(), index.type_name())),
    }
}

pub fn set_index(obj: &mut Value, index: Value, v: Value) -> Result<(), String> {
    match obj {
        Value::List(items) => {
            let Value::Int(i) = index else {
                return Err(format!("list index must be Int, got {}", index.type_name()));
            };
            let j = index_of(i, items.len())?;
            Rc::make_mut(items)[j] = v;
            Ok(())
        }
        Value::Map(m) => {
            Rc::make_mut(m).insert(index, v);
            Ok(())
        }
        other => Err(format!("cannot assign by index into {}", other.type_name())),
    }
}
