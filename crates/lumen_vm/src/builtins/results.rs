//! Results and optionals (LANGUAGE.md 6.10).

use super::{BuiltinDef, BuiltinError, BuiltinResult, Ctx};
use crate::display::display;
use crate::value::Value;

pub(super) const DEFS: &[BuiltinDef] = &[
    BuiltinDef { names: &["is_ok"], func: is_ok, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["is_err"], func: is_err, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["unwrap"], func: unwrap, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["unwrap_or"], func: unwrap_or, min_args: 2, max_args: Some(2), effect: None },
    BuiltinDef { names: &["unwrap_err"], func: unwrap_err, min_args: 1, max_args: Some(1), effect: None },
    BuiltinDef { names: &["is_done"], func: is_done, min_args: 1, max_args: Some(1), effect: None },
];

/// `is_done(f)`: the future's task has completed (LANGUAGE.md 6.14).
fn is_done(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    crate::interp::future_is_done(&args[0])
        .map(Value::Bool)
        .ok_or_else(|| super::type_error("is_done", "a Future", &args[0]))
}

fn result_of<'v>(name: &str, v: &'v Value) -> Result<(bool, &'v Value), BuiltinError> {
    v.as_result().ok_or_else(|| super::type_error(name, "a result", v))
}

fn is_ok(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(result_of("is_ok", &args[0])?.0))
}

fn is_err(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::Bool(!result_of("is_err", &args[0])?.0))
}

fn unwrap(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Null => Err(BuiltinError::new("unwrap called on null")),
        v => match v.as_result() {
            Some((true, x)) => Ok(x.clone()),
            Some((false, e)) => Err(BuiltinError::new(format!("unwrap called on err: {}", display(e)))),
            None => Ok(v.clone()),
        },
    }
}

fn unwrap_or(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match &args[0] {
        Value::Null => Ok(args[1].clone()),
        v => match v.as_result() {
            Some((true, x)) => Ok(x.clone()),
            Some((false, _)) => Ok(args[1].clone()),
            None => Ok(v.clone()),
        },
    }
}

fn unwrap_err(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    match result_of("unwrap_err", &args[0])? {
        (false, e) => Ok(e.clone()),
        (true, x) => Err(BuiltinError::new(format!("unwrap_err called on ok: {}", display(x)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::TestHost;
    use crate::value::make_result;

    fn call(f: super::super::BuiltinFn, args: &[Value]) -> BuiltinResult {
        let mut host = TestHost::default();
        f(&mut Ctx { host: &mut host }, args)
    }

    #[test]
    fn unwrap_family() {
        let ok = make_result(true, Value::Int(1));
        let err = make_result(false, Value::str("config missing"));
        assert_eq!(call(unwrap, std::slice::from_ref(&ok)), Ok(Value::Int(1)));
        let e = call(unwrap, std::slice::from_ref(&err)).unwrap_err();
        assert!(e.0.contains("unwrap") && e.0.contains("config missing"));
        assert_eq!(call(unwrap, &[Value::Null]).unwrap_err().0, "unwrap called on null");
        assert_eq!(call(unwrap_or, &[err.clone(), Value::Int(7)]), Ok(Value::Int(7)));
        assert_eq!(call(unwrap_or, &[Value::Null, Value::Int(7)]), Ok(Value::Int(7)));
        assert_eq!(call(unwrap_err, std::slice::from_ref(&err)), Ok(Value::str("config missing")));
        assert!(call(unwrap_err, std::slice::from_ref(&ok)).is_err());
        assert_eq!(call(is_ok, &[ok]), Ok(Value::Bool(true)));
        assert_eq!(call(is_err, &[err]), Ok(Value::Bool(true)));
        assert!(call(is_ok, &[Value::Int(1)]).is_err());
    }
}
