//! Static knowledge of the builtins (LANGUAGE.md §6): names, effects, and result types computed
//! from argument types. Anything not described here is typed `Unknown` (never rejected).

use crate::types::Ty;

/// Every builtin function name, aliases included.
const NAMES: &[&str] = &[
    "print",
    "eprint",
    "debug",
    "assert",
    "assert_eq",
    "assert_ne",
    "type_of",
    "sizeof",
    "clone",
    "to_string",
    "string",
    "str",
    "to_int",
    "int",
    "to_float",
    "float",
    "parse_int",
    "parse_float",
    "to_bool",
    "to_list",
    "to_set",
    "to_map",
    "to_bytes",
    "from_utf8",
    "ord",
    "chr",
    "length",
    "len",
    "count",
    "size",
    "is_empty",
    "contains",
    "has",
    "upper",
    "lower",
    "capitalize",
    "title_case",
    "snake_case",
    "camel_case",
    "trim",
    "trim_start",
    "trim_end",
    "split",
    "lines",
    "join",
    "replace",
    "starts_with",
    "ends_with",
    "index_of",
    "last_index_of",
    "slice",
    "substring",
    "chars",
    "pad_left",
    "pad_right",
    "repeat",
    "reverse",
    "format",
    "abs",
    "min",
    "max",
    "clamp",
    "sum",
    "round",
    "ceil",
    "floor",
    "trunc",
    "sqrt",
    "pow",
    "exp",
    "log",
    "log2",
    "log10",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "is_nan",
    "is_infinite",
    "wrapping_add",
    "wrapping_sub",
    "wrapping_mul",
    "wrapping_neg",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "random",
    "random_int",
    "append",
    "push",
    "prepend",
    "insert",
    "remove_at",
    "remove",
    "range",
    "first",
    "last",
    "take",
    "drop",
    "sort",
    "sort_desc",
    "sort_by",
    "flatten",
    "unique",
    "zip",
    "enumerate",
    "chunk",
    "window",
    "keys",
    "values",
    "entries",
    "has_key",
    "get",
    "get_or",
    "merge",
    "add",
    "union",
    "intersection",
    "difference",
    "is_subset",
    "map",
    "filter",
    "reduce",
    "fold",
    "flat_map",
    "any",
    "all",
    "find",
    "position",
    "count_where",
    "group_by",
    "partition",
    "each",
    "ok",
    "err",
    "is_ok",
    "is_err",
    "unwrap",
    "unwrap_or",
    "unwrap_err",
    "json_parse",
    "parse_json",
    "to_json",
    "json_encode",
    "json_stringify",
    "json_pretty",
    "csv_parse",
    "csv_encode",
    "base64_encode",
    "base64_decode",
    "hex_encode",
    "hex_decode",
    "url_encode",
    "url_decode",
    "regex_match",
    "regex_find_all",
    "regex_replace",
    "hash",
    "sha256",
    "sha512",
    "diff",
    "patch",
    "redact",
    "matches",
    "validate",
    "trace_ref",
    "timestamp",
    "timestamp_ms",
    "hrtime",
    "format_time",
    "sleep",
    "uuid",
    "uuid_v4",
    "get_env",
    "args",
    "read_file",
    "read_lines",
    "write_file",
    "append_file",
    "exists",
    "read_dir",
    "mkdir",
    "read_line",
    "read_stdin",
    "exit",
    "spawn",
    "timeout",
    "is_done",
];

pub fn is_builtin(name: &str) -> bool {
    NAMES.contains(&name)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    NAMES.iter().copied()
}

/// Predeclared constants.
pub fn constant(name: &str) -> Option<Ty> {
    match name {
        "PI" | "E" | "TAU" | "INFINITY" | "NAN" => Some(Ty::Float),
        "MAX_INT" | "MIN_INT" => Some(Ty::Int),
        _ => None,
    }
}

/// The effect kind of an impure builtin (LANGUAGE.md 4.9, 6.13).
pub fn effect(name: &str) -> Option<&'static str> {
    Some(match name {
        "timestamp" | "timestamp_ms" | "hrtime" | "sleep" => "time",
        "uuid" | "uuid_v4" | "random" | "random_int" => "random",
        "get_env" | "args" => "env",
        "read_file" | "read_lines" | "write_file" | "append_file" | "exists" | "read_dir" | "mkdir" | "read_line"
        | "read_stdin" => "fs",
        "exit" => "process",
        _ => return None,
    })
}

/// The builtin effect kinds, valid in effect rows.
pub const EFFECT_KINDS: &[&str] = &["emit", "time", "random", "env", "fs", "process"];

/// The element type of iterating a value of type `t` (LANGUAGE.md 5.12).
pub fn element(t: &Ty) -> Ty {
    match t {
        Ty::List(e) | Ty::Set(e) | Ty::Generator(e) => (**e).clone(),
        Ty::Map(k, v) => Ty::Tuple(vec![(**k).clone(), (**v).clone()]),
        Ty::String => Ty::String,
        Ty::Range => Ty::Int,
        Ty::Bytes => Ty::Int,
        Ty::Tuple(items) => items
            .iter()
            .fold(None, |acc: Option<Ty>, t| match acc {
                None => Some(t.clone()),
                Some(a) => Some(crate::types::join(&a, t)),
            })
            .unwrap_or(Ty::Unknown),
        _ => Ty::Unknown,
    }
}

/// Whether values of type `t` can be iterated (`for`, comprehensions); unknown types can.
pub fn iterable(t: &Ty) -> bool {
    match t {
        Ty::List(_) | Ty::Set(_) | Ty::Map(..) | Ty::String | Ty::Range | Ty::Generator(_) | Ty::Tuple(_) => true,
        Ty::Bytes => true,
        Ty::Union(ms) => ms.iter().all(iterable),
        t => t.has_unknown(),
    }
}

/// The type expected for argument `index` of a higher-order builtin, given the arguments seen so
/// far (used to type lambda parameters).
pub fn hint(name: &str, index: usize, args: &[Ty]) -> Option<Ty> {
    let elem = || args.first().map(element).unwrap_or(Ty::Unknown);
    match (name, index) {
        ("map" | "flat_map" | "each" | "sort_by" | "group_by", 1) => Some(Ty::func(vec![elem()], Ty::Unknown)),
        ("filter" | "any" | "all" | "find" | "position" | "count_where" | "partition", 1) => {
            Some(Ty::func(vec![elem()], Ty::Bool))
        }
        ("reduce" | "fold", 1) => {
            let acc = args.get(2).cloned().unwrap_or(Ty::Unknown);
            Some(Ty::func(vec![acc.clone(), elem()], acc))
        }
        _ => None,
    }
}

/// Whether argument `index` of builtin `name` is a function that other arguments type (it is
/// checked after the others).
pub fn takes_function_at(name: &str, index: usize) -> bool {
    hint(name, index, &[]).is_some() || (name == "spawn" && index == 0)
}

/// The result type of calling builtin `name` with positional arguments of types `args`.
pub fn result(name: &str, args: &[Ty]) -> Ty {
    let a0 = args.first().cloned().unwrap_or(Ty::Unknown);
    let elem = element(&a0);
    let fn_ret = |i: usize| match args.get(i) {
        Some(Ty::Fn(f)) => f.ret.clone(),
        _ => Ty::Unknown,
    };
    match name {
        "print" | "eprint" | "assert" | "assert_eq" | "assert_ne" | "sleep" | "write_file" | "append_file"
        | "mkdir" | "each" | "exit" => Ty::Null,
        "debug" | "clone" | "redact" => a0,
        "type_of" | "to_string" | "string" | "str" | "from_utf8" | "chr" | "upper" | "lower" | "capitalize"
        | "title_case" | "snake_case" | "camel_case" | "trim" | "trim_start" | "trim_end" | "join" | "replace"
        | "pad_left" | "pad_right" | "repeat" | "format" | "to_json" | "json_encode" | "json_stringify"
        | "json_pretty" | "csv_encode" | "base64_encode" | "hex_encode" | "url_encode" | "url_decode"
        | "regex_replace" | "hash" | "sha256" | "sha512" | "format_time" | "uuid" | "uuid_v4" | "read_file"
        | "read_stdin" => Ty::String,
        "sizeof" | "to_int" | "int" | "ord" | "length" | "len" | "count" | "size" | "index_of" | "last_index_of"
        | "wrapping_add" | "wrapping_sub" | "wrapping_mul" | "wrapping_neg" | "random_int" | "position"
        | "count_where" | "timestamp_ms" | "hrtime" => Ty::Int,
        "to_float" | "float" | "round" | "ceil" | "floor" | "trunc" | "sqrt" | "exp" | "log" | "log2" | "log10"
        | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "atan2" | "random" | "timestamp" => Ty::Float,
        "to_bool" | "matches" | "validate" | "is_empty" | "contains" | "has" | "starts_with" | "ends_with"
        | "is_nan" | "is_infinite" | "has_key" | "is_subset" | "any" | "all" | "is_ok" | "is_err" | "exists"
        | "is_done" => Ty::Bool,
        "parse_int" => Ty::Result(Box::new(Ty::Int), Box::new(Ty::String)),
        "parse_float" => Ty::Result(Box::new(Ty::Float), Box::new(Ty::String)),
        "json_parse" | "parse_json" => Ty::Result(Box::new(Ty::Json), Box::new(Ty::String)),
        "to_list" => Ty::list(elem),
        "to_set" => Ty::Set(Box::new(elem)),
        "to_map" => match elem {
            Ty::Tuple(kv) if kv.len() == 2 => Ty::Map(Box::new(kv[0].clone()), Box::new(kv[1].clone())),
            _ => Ty::Map(Box::new(Ty::Unknown), Box::new(Ty::Unknown)),
        },
        "to_bytes" | "base64_decode" | "hex_decode" => Ty::Bytes,
        "split" | "lines" | "chars" | "regex_find_all" | "args" | "read_lines" | "read_dir" => Ty::list(Ty::String),
        "csv_parse" => Ty::list(Ty::list(Ty::String)),
        "regex_match" => Ty::optional(Ty::list(Ty::String)),
        "get_env" | "read_line" => Ty::optional(Ty::String),
        "slice" | "substring" => match a0 {
            Ty::Tuple(_) => Ty::list(elem),
            t => t,
        },
        "reverse" | "append" | "push" | "prepend" | "insert" | "remove_at" | "remove" | "take" | "drop" | "sort"
        | "sort_desc" | "sort_by" | "unique" | "filter" | "merge" | "add" | "union" | "intersection" | "difference" => {
            match (name, &a0) {
                ("append" | "push" | "prepend" | "add", Ty::List(e) | Ty::Set(e)) if e.is_dynamic() => {
                    let x = args.get(1).cloned().unwrap_or(Ty::Unknown);
                    if matches!(a0, Ty::Set(_)) { Ty::Set(Box::new(x)) } else { Ty::list(x) }
                }
                ("filter", Ty::List(_)) | ("filter", Ty::Set(_)) => a0,
                ("filter", _) => Ty::list(elem),
                _ => a0,
            }
        }
        "abs" => a0,
        "min" | "max" if args.len() == 1 => Ty::optional(elem),
        "min" | "max" | "clamp" => args.iter().skip(1).fold(a0.clone(), |acc, t| crate::types::join(&acc, t)),
        "sum" => match elem {
            Ty::Int => Ty::Int,
            Ty::Float => Ty::Float,
            _ => Ty::Unknown,
        },
        "pow" => match (args.first(), args.get(1)) {
            (Some(Ty::Int), Some(Ty::Int)) => Ty::Int,
            (Some(a), Some(b)) if a.is_numeric() && b.is_numeric() => Ty::Float,
            _ => Ty::Unknown,
        },
        "checked_add" | "checked_sub" | "checked_mul" | "checked_div" => Ty::optional(Ty::Int),
        "range" => Ty::list(Ty::Int),
        "first" | "last" => Ty::optional(elem),
        "find" => Ty::optional(elem),
        "flatten" => match elem {
            Ty::List(inner) => Ty::List(inner),
            _ => Ty::list(Ty::Unknown),
        },
        "zip" => {
            let other = args.get(1).map(element).unwrap_or(Ty::Unknown);
            Ty::list(Ty::Tuple(vec![elem, other]))
        }
        "enumerate" => Ty::list(Ty::Tuple(vec![Ty::Int, elem])),
        "chunk" | "window" => Ty::list(match a0 {
            Ty::List(_) => a0,
            _ => Ty::Unknown,
        }),
        "keys" => match a0 {
            Ty::Map(k, _) => Ty::List(k),
            _ => Ty::list(Ty::Unknown),
        },
        "values" => match a0 {
            Ty::Map(_, v) => Ty::List(v),
            _ => Ty::list(Ty::Unknown),
        },
        "entries" => Ty::list(elem),
        "get" => match a0 {
            Ty::Map(_, v) => Ty::optional(*v),
            _ => Ty::Unknown,
        },
        "get_or" => match a0 {
            Ty::Map(_, v) => *v,
            _ => Ty::Unknown,
        },
        "map" => Ty::list(fn_ret(1)),
        "flat_map" => Ty::list(match fn_ret(1) {
            Ty::List(e) => *e,
            _ => Ty::Unknown,
        }),
        "reduce" | "fold" => args.get(2).cloned().unwrap_or(Ty::Unknown),
        "group_by" => Ty::Map(Box::new(fn_ret(1)), Box::new(Ty::list(elem))),
        "partition" => Ty::Tuple(vec![Ty::list(elem.clone()), Ty::list(elem)]),
        "unwrap" => match a0 {
            Ty::Result(t, _) => *t,
            t if t.is_optional() => t.without_null(),
            _ => Ty::Unknown,
        },
        "unwrap_or" => match a0 {
            Ty::Result(t, _) => *t,
            t if t.is_optional() => t.without_null(),
            _ => Ty::Unknown,
        },
        "unwrap_err" => match a0 {
            Ty::Result(_, e) => *e,
            _ => Ty::Unknown,
        },
        "diff" => Ty::list(Ty::Json),
        "patch" => Ty::Any,
        "trace_ref" => Ty::TraceRef,
        "spawn" => Ty::Future(Box::new(fn_ret(0))),
        "timeout" => match args.get(1) {
            Some(Ty::Future(t)) => Ty::Future(Box::new(Ty::optional((**t).clone()))),
            _ => Ty::Future(Box::new(Ty::Unknown)),
        },
        _ => Ty::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_follow_argument_types() {
        assert_eq!(result("first", &[Ty::list(Ty::Int)]), Ty::optional(Ty::Int));
        assert_eq!(result("append", &[Ty::list(Ty::Unknown), Ty::Int]), Ty::list(Ty::Int));
        assert_eq!(result("keys", &[Ty::Map(Box::new(Ty::String), Box::new(Ty::Int))]), Ty::list(Ty::String));
        assert_eq!(result("max", &[Ty::Int, Ty::Float]), Ty::Float);
        assert_eq!(result("map", &[Ty::list(Ty::Int), Ty::func(vec![Ty::Int], Ty::String)]), Ty::list(Ty::String));
        assert_eq!(result("nonexistent", &[]), Ty::Unknown);
    }

    #[test]
    fn lambda_hints() {
        let hint = hint("filter", 1, &[Ty::list(Ty::String)]);
        assert_eq!(hint, Some(Ty::func(vec![Ty::String], Ty::Bool)));
        assert!(takes_function_at("reduce", 1));
        assert!(!takes_function_at("reduce", 2));
    }

    #[test]
    fn effects() {
        assert_eq!(effect("uuid"), Some("random"));
        assert_eq!(effect("print"), None);
        assert!(is_builtin("len") && !is_builtin("frobnicate"));
    }
}
