//! Module-level declarations as the checker sees them.

use std::collections::{HashMap, HashSet};

use lumen_syntax::ast::{CellDecl, DirectiveValue, ItemKind, Module, ParamKind, TypeExpr, TypeKind};

use crate::types::Ty;

pub struct CellTy {
    pub params: Vec<(String, Ty, bool)>,
    pub ret: Option<Ty>,
    pub variadic: bool,
}

#[derive(Default)]
pub struct Env {
    pub records: HashMap<String, Vec<(String, Ty)>>,
    /// Enum name to its variants (name, payload arity).
    pub enums: HashMap<String, Vec<(String, usize)>>,
    pub variant_enum: HashMap<String, String>,
    pub cells: HashMap<String, CellTy>,
    aliases: HashMap<String, TypeExpr>,
    /// Names imported from other modules (their types are unknown here).
    pub imported: HashSet<String>,
    pub deterministic: bool,
}

impl Env {
    pub fn collect(module: &Module) -> Env {
        let mut env = Env::default();
        for d in &module.directives {
            if d.name.name == "deterministic" {
                env.deterministic = matches!(d.value, DirectiveValue::Bool(true));
            }
        }
        for item in &module.items {
            match &item.kind {
                ItemKind::TypeAlias(a) => {
                    env.aliases.insert(a.name.name.clone(), a.ty.clone());
                }
                ItemKind::Enum(e) => {
                    let variants: Vec<(String, usize)> = e
                        .variants
                        .iter()
                        .map(|v| (v.name.name.clone(), v.payload.as_ref().map_or(0, Vec::len)))
                        .collect();
                    for (v, _) in &variants {
                        env.variant_enum.insert(v.clone(), e.name.name.clone());
                    }
                    env.enums.insert(e.name.name.clone(), variants);
                }
                ItemKind::Import(imp) => {
                    if let lumen_syntax::ast::ImportNames::Names(names) = &imp.names {
                        for n in names {
                            env.imported.insert(n.alias.as_ref().unwrap_or(&n.name).name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        // Records and cells after enums and aliases, so their types resolve.
        for item in &module.items {
            match &item.kind {
                ItemKind::Record(r) => {
                    let generics: Vec<&str> = r.generics.iter().map(|g| g.name.name.as_str()).collect();
                    let fields = r.fields.iter().map(|f| (f.name.name.clone(), env.ty_of(&f.ty, &generics))).collect();
                    env.records.insert(r.name.name.clone(), fields);
                }
                ItemKind::Cell(c) => {
                    let ty = env.cell_ty(c);
                    env.cells.insert(c.name.name.clone(), ty);
                }
                _ => {}
            }
        }
        env
    }

    pub fn cell_ty(&self, c: &CellDecl) -> CellTy {
        let generics: Vec<&str> = c.generics.iter().map(|g| g.name.name.as_str()).collect();
        CellTy {
            params: c
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::Normal)
                .map(|p| {
                    (
                        p.name.name.clone(),
                        p.ty.as_ref().map_or(Ty::Unknown, |t| self.ty_of(t, &generics)),
                        p.default.is_some(),
                    )
                })
                .collect(),
            ret: if c.is_generator { None } else { c.ret.as_ref().map(|t| self.ty_of(t, &generics)) },
            variadic: c.params.iter().any(|p| p.kind == ParamKind::Variadic),
        }
    }

    /// The type a type expression denotes; generic parameters and unions are unknown.
    pub fn ty_of(&self, t: &TypeExpr, generics: &[&str]) -> Ty {
        self.ty_of_depth(t, generics, 0)
    }

    fn ty_of_depth(&self, t: &TypeExpr, generics: &[&str], depth: u32) -> Ty {
        if depth > 16 {
            return Ty::Unknown;
        }
        let arg =
            |i: usize, args: &[TypeExpr]| args.get(i).map_or(Ty::Unknown, |a| self.ty_of_depth(a, generics, depth + 1));
        match &t.kind {
            TypeKind::Null => Ty::Null,
            TypeKind::Paren(inner) => self.ty_of_depth(inner, generics, depth + 1),
            TypeKind::Optional(inner) => Ty::Optional(Box::new(self.ty_of_depth(inner, generics, depth + 1))),
            TypeKind::Tuple(items) => {
                Ty::Tuple(items.iter().map(|i| self.ty_of_depth(i, generics, depth + 1)).collect())
            }
            TypeKind::Fn { .. } => Ty::Function,
            TypeKind::Union(_) | TypeKind::Error => Ty::Unknown,
            TypeKind::Named { path, args } => {
                if path.len() != 1 {
                    return Ty::Unknown;
                }
                let name = path[0].name.as_str();
                if generics.contains(&name) {
                    return Ty::Unknown;
                }
                match name {
                    "Int" => Ty::Int,
                    "Float" => Ty::Float,
                    "String" => Ty::String,
                    "Bool" => Ty::Bool,
                    "Bytes" => Ty::Bytes,
                    "Null" => Ty::Null,
                    "list" => Ty::List(Box::new(arg(0, args))),
                    "set" => Ty::Set(Box::new(arg(0, args))),
                    "map" => Ty::Map(Box::new(arg(0, args)), Box::new(arg(1, args))),
                    "tuple" => Ty::Tuple((0..args.len()).map(|i| arg(i, args)).collect()),
                    "result" => Ty::Result(Box::new(arg(0, args)), Box::new(arg(1, args))),
                    _ if self.imported.contains(name) => Ty::Unknown,
                    _ if self.records.contains_key(name) && args.is_empty() => Ty::Record(name.to_string()),
                    _ if self.enums.contains_key(name) && args.is_empty() => Ty::Enum(name.to_string()),
                    _ => match self.aliases.get(name) {
                        Some(aliased) if args.is_empty() => self.ty_of_depth(aliased, generics, depth + 1),
                        _ => Ty::Unknown,
                    },
                }
            }
        }
    }
}

/// Builtins whose use under `@deterministic true` is an error, with their effect kind.
pub fn nondeterministic_builtin(name: &str) -> Option<&'static str> {
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

/// Result types of common builtins (others are unknown).
pub fn builtin_result(name: &str) -> Option<Ty> {
    Some(match name {
        "length" | "len" | "count" | "size" | "to_int" | "int" | "ord" | "index_of" | "last_index_of" | "position"
        | "count_where" | "timestamp_ms" | "hrtime" | "random_int" => Ty::Int,
        "to_float" | "float" | "sqrt" | "exp" | "log" | "log2" | "log10" | "sin" | "cos" | "tan" | "round"
        | "floor" | "ceil" | "trunc" | "random" | "timestamp" => Ty::Float,
        "to_string" | "string" | "str" | "upper" | "lower" | "trim" | "trim_start" | "trim_end" | "capitalize"
        | "title_case" | "snake_case" | "camel_case" | "join" | "replace" | "repeat" | "pad_left" | "pad_right"
        | "format" | "type_of" | "to_json" | "json_pretty" | "chr" | "uuid" | "hash" | "sha256" | "sha512"
        | "base64_encode" | "hex_encode" | "url_encode" | "url_decode" | "read_file" => Ty::String,
        "is_empty" | "contains" | "has" | "starts_with" | "ends_with" | "has_key" | "any" | "all" | "is_ok"
        | "is_err" | "is_nan" | "is_infinite" | "exists" | "to_bool" | "matches" | "is_subset" => Ty::Bool,
        "split" | "lines" | "chars" | "keys" => Ty::List(Box::new(match name {
            "keys" => Ty::Unknown,
            _ => Ty::String,
        })),
        _ => return None,
    })
}
