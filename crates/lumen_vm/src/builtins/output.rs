//! Output and diagnostics (LANGUAGE.md 6.1).

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx};
use crate::display::{display, display_nested, write_value};
use crate::value::Value;

pub(super) const DEFS: &[BuiltinDef] = &[
    BuiltinDef { names: &["print"], func: print, min_args: 0, max_args: None, effect: None },
    BuiltinDef { names: &["eprint"], func: eprint, min_args: 0, max_args: None, effect: None },
    BuiltinDef { names: &["debug"], func: debug, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["assert"], func: assert, min_args: 1, max_args: Some(2), effect: None },
    BuiltinDef { names: &["assert_eq"], func: assert_eq, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["assert_ne"], func: assert_ne, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["type_of"], func: type_of, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["sizeof"], func: sizeof, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["clone"], func: clone, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["sleep"], func: sleep, min_args: 1, max_args: Some(1), effect: Some(super::Effect::Time) },
];

fn sleep(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Int(ms) if *ms >= 0 => {
            ctx.host.sleep_ms(*ms as u64);
            Ok(Value::Null)
        }
        other => Err(BuiltinError::new(format!(
            "sleep: expected a non-negative Int, got {}",
            crate::display::display(other)
        ))),
    }
}

fn line_of(args: &[Value]) -> String {
    let mut line = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        write_value(&mut line, arg, false);
    }
    line.push('\n');
    line
}

fn print(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    ctx.host.write_stdout(&line_of(args));
    Ok(Value::Null)
}

fn eprint(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    ctx.host.write_stderr(&line_of(args));
    Ok(Value::Null)
}

fn debug(ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    ctx.host.write_stderr(&format!("[debug] {}\n", display_nested(&args[0])));
    Ok(args[0].clone())
}

fn assert(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Bool(true) => Ok(Value::Null),
        Value::Bool(false) => {
            let message = args.get(1).map_or_else(|| "assertion failed".to_string(), display);
            Err(BuiltinError::new(format!("assertion failed: {message}")))
        }
        other => Err(super::type_error("assert", "Bool", other)),
    }
}

fn assert_eq(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if args[0] == args[1] {
        Ok(Value::Null)
    } else {
        Err(BuiltinError::new(format!(
            "assertion failed: left != right\n  left:  {}\n  right: {}",
            display_nested(&args[0]),
            display_nested(&args[1])
        )))
    }
}

fn assert_ne(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    if args[0] != args[1] {
        Ok(Value::Null)
    } else {
        Err(BuiltinError::new(format!("assertion failed: left == right\n  both: {}", display_nested(&args[0]))))
    }
}

fn type_of(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(args[0].type_name()))
}

fn sizeof(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    fn size(v: &Value) -> usize {
        16 + match v {
            Value::Str(s) => s.len(),
            Value::Bytes(b) => b.len(),
            Value::List(items) | Value::Tuple(items) => items.iter().map(size).sum(),
            Value::Map(m) => m.iter().map(|(k, v)| size(k) + size(v)).sum(),
            Value::Set(s) => s.iter().map(size).sum(),
            Value::Record(r) => r.fields.iter().map(size).sum(),
            Value::Enum(e) => e.payload.iter().map(size).sum(),
            _ => 0,
        }
    }
    Ok(Value::Int(size(&args[0]) as i64))
}

fn clone(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(args[0].clone())
}
