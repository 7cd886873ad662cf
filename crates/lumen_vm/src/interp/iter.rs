//! Iteration over collections for `for` loops, comprehensions and spreads (LANGUAGE.md 5.12).

use std::cell::RefCell;
use std::rc::Rc;

use crate::value::{HandleObj, IterState, Value};

/// An iterator handle over `v`. Lists, tuples, maps and sets are snapshots (value semantics).
pub fn start(v: &Value) -> Result<Value, String> {
    let state = match v {
        Value::List(items) | Value::Tuple(items) => IterState::Seq { items: items.clone(), next: 0 },
        Value::Range(r) => IterState::Range { next: r.start, end: r.end, step: r.step, inclusive: r.inclusive },
        Value::Str(s) => IterState::Chars { text: s.clone(), next: 0 },
        Value::Map(m) => IterState::Map { map: m.clone(), next: 0 },
        Value::Set(s) => IterState::Set { set: s.clone(), next: 0 },
        Value::Bytes(b) => IterState::Bytes { bytes: b.clone(), next: 0 },
        // A generator is its own (single-pass) iterator.
        Value::Handle(h) if matches!(&*h.borrow(), HandleObj::Generator(_)) => return Ok(v.clone()),
        other => return Err(format!("cannot iterate over {}", other.type_name())),
    };
    Ok(Value::Handle(Rc::new(RefCell::new(HandleObj::Iter(state)))))
}

pub fn next(it: &Value) -> Result<Option<Value>, String> {
    let Value::Handle(h) = it else { return Err("not an iterator".into()) };
    let mut h = h.borrow_mut();
    let HandleObj::Iter(state) = &mut *h else { return Err("not an iterator".into()) };
    Ok(match state {
        IterState::Seq { items, next } => {
            let v = items.get(*next).cloned();
            *next += 1;
            v
        }
        IterState::Range { next, end, step, inclusive } => {
            let more = match (*step > 0, *inclusive) {
                (true, false) => *next < *end,
                (true, true) => *next <= *end,
                (false, false) => *next > *end,
                (false, true) => *next >= *end,
            };
            if !more {
                return Ok(None);
            }
            let v = *next;
            match next.checked_add(*step) {
                Some(n) => *next = n,
                // Past the last representable value: end after this one.
                None => {
                    *end = v;
                    *inclusive = false;
                    *next = v;
                    return Ok(Some(Value::Int(v)));
                }
            }
            Some(Value::Int(v))
        }
        IterState::Chars { text, next } => match text.get(*next..).and_then(|rest| rest.chars().next()) {
            Some(c) => {
                *next += c.len_utf8();
                Some(Value::string(c.to_string()))
            }
            None => None,
        },
        IterState::Map { map, next } => {
            let v = map.get_index(*next).map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]));
            *next += 1;
            v
        }
        IterState::Set { set, next } => {
            let v = set.get_index(*next).cloned();
            *next += 1;
            v
        }
        IterState::Bytes { bytes, next } => {
            let v = bytes.get(*next).map(|b| Value::Int(i64::from(*b)));
            *next += 1;
            v
        }
    })
}

/// All elements of an iterable (for spreads).
pub fn collect(v: &Value) -> Result<Vec<Value>, String> {
    if let Value::List(items) | Value::Tuple(items) = v {
        return Ok(items.to_vec());
    }
    let it = start(v)?;
    let mut out = Vec::new();
    while let Some(x) = next(&it)? {
        out.push(x);
    }
    Ok(out)
}
