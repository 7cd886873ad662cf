//! Access to process and agent instance state, for the prelude's built-in methods.

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx};
use crate::value::{HandleObj, Value};

pub(super) const DEFS: &[BuiltinDef] = &[
    BuiltinDef { names: &["__inst_get"], func: inst_get, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["__inst_set"], func: inst_set, min_args: 3, max_args: Some(3), effect: None },
    BuiltinDef { names: &["__inst_name"], func: inst_name, min_args: 1, max_args: Some(1), effect: None },
];

fn not_instance(v: &Value) -> BuiltinError {
    BuiltinError::new(format!("expected a process or agent instance, got {}", v.type_name()))
}

fn inst_get(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Handle(h) = &args[0] else { return Err(not_instance(&args[0])) };
    match &*h.borrow() {
        HandleObj::Instance { state, .. } => Ok(state.get(&args[1]).cloned().unwrap_or(Value::Null)),
        _ => Err(not_instance(&args[0])),
    }
}

fn inst_set(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Handle(h) = &args[0] else { return Err(not_instance(&args[0])) };
    match &mut *h.borrow_mut() {
        HandleObj::Instance { state, .. } => {
            state.insert(args[1].clone(), args[2].clone());
            Ok(Value::Null)
        }
        _ => Err(not_instance(&args[0])),
    }
}

fn inst_name(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let Value::Handle(h) = &args[0] else { return Err(not_instance(&args[0])) };
    match &*h.borrow() {
        HandleObj::Instance { name, .. } => Ok(Value::str(name)),
        _ => Err(not_instance(&args[0])),
    }
}
