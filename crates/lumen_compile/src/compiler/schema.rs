//! `e expect schema T` (LANGUAGE.md 7.5): the compiler describes `T` as a [`Schema`] the VM
//! converts dynamic values to; a record's `where` constraints run through its validator.

use lumen_syntax::ast::{Expr, ExprKind, TypeExpr, TypeKind};

use super::{Compiler, Global};
use crate::bytecode::{Instr, Reg};
use crate::program::{Schema, TypeSchema};

impl<'a> Compiler<'a> {
    pub(crate) fn expect_schema(&mut self, expr: &'a Expr, ty: &'a TypeExpr, dst: Reg) {
        let schema = self.schema_of(ty, 0);
        // `Tool(...) expect schema T` asks the provider for structured output of that shape: a
        // JSON Schema, and a GBNF grammar for providers that constrain sampling with one.
        let mut grammar = None;
        if let ExprKind::Call { callee, .. } = &expr.kind
            && let ExprKind::Ident(name) = &callee.kind
            && self.resolve_var(&name.name).is_none()
            && matches!(self.globals.get(&name.name), Some(Global::Tool(_)))
        {
            self.pending_tool_schema = Some(self.json_schema(&schema, 0));
            grammar = Some(super::grammar::gbnf(&schema, &self.program.type_schemas));
        }
        let sites_before = self.program.tool_sites.len();
        let src = self.expr_any(expr);
        // The call's own site is the last one pushed (sites of calls in its arguments come first).
        if grammar.is_some()
            && self.pending_tool_schema.is_none()
            && self.program.tool_sites.len() > sites_before
            && let Some(site) = self.program.tool_sites.last_mut()
            && site.schema_json.is_some()
        {
            site.grammar = grammar;
        }
        self.pending_tool_schema = None;
        let idx = self.program.schemas.len() as u32;
        self.program.schemas.push(schema.clone());
        self.emit(Instr::ExpectSchema { dst, src, schema: idx });
        // The top-level record's constraints (nested records are converted without them).
        if let Schema::Named(ty) = schema
            && let Some(info) = self.records.get(&ty).cloned()
            && let Some(validator) = info.validator
        {
            let n = info.fields.len();
            let args = self.alloc_n(n.max(1));
            for (i, field) in info.fields.iter().enumerate() {
                let name = self.str_const(field);
                self.emit(Instr::GetField { dst: args + i as Reg, obj: dst, name });
            }
            self.emit(Instr::CallDirect { dst: args, func: validator, args, argc: n as u16 });
        }
    }

    /// A JSON Schema (draft 2020-12 subset) of a shape, as JSON text: records are objects with
    /// their fields without defaults required, payload-less enums string enums.
    fn json_schema(&self, schema: &Schema, depth: u32) -> String {
        if depth > 32 {
            return "{}".into();
        }
        let sub = |s: &Schema| self.json_schema(s, depth + 1);
        match schema {
            Schema::Any => "{}".into(),
            Schema::Int => r#"{"type":"integer"}"#.into(),
            Schema::Float => r#"{"type":"number"}"#.into(),
            Schema::String => r#"{"type":"string"}"#.into(),
            Schema::Bool => r#"{"type":"boolean"}"#.into(),
            Schema::Null => r#"{"type":"null"}"#.into(),
            Schema::List(s) | Schema::Set(s) => format!(r#"{{"type":"array","items":{}}}"#, sub(s)),
            Schema::Map(s) => format!(r#"{{"type":"object","additionalProperties":{}}}"#, sub(s)),
            Schema::Tuple(items) => format!(
                r#"{{"type":"array","prefixItems":[{}],"minItems":{n},"maxItems":{n}}}"#,
                items.iter().map(sub).collect::<Vec<_>>().join(","),
                n = items.len()
            ),
            Schema::Optional(s) => format!(r#"{{"anyOf":[{},{{"type":"null"}}]}}"#, sub(s)),
            Schema::Union(items) => format!(r#"{{"anyOf":[{}]}}"#, items.iter().map(sub).collect::<Vec<_>>().join(",")),
            Schema::Named(t) => match self.program.type_schemas.get(t) {
                Some(TypeSchema::Record { name, fields }) => {
                    let props: Vec<String> =
                        fields.iter().map(|(f, s, _)| format!("{}:{}", json_text(f), sub(s))).collect();
                    let required: Vec<String> =
                        fields.iter().filter(|(_, _, d)| d.is_none()).map(|(f, _, _)| json_text(f)).collect();
                    format!(
                        r#"{{"title":{},"type":"object","properties":{{{}}},"required":[{}]}}"#,
                        json_text(name),
                        props.join(","),
                        required.join(",")
                    )
                }
                Some(TypeSchema::Enum { name, variants }) if variants.iter().all(|(_, p)| p.is_empty()) => {
                    let names: Vec<String> = variants.iter().map(|(v, _)| json_text(v)).collect();
                    format!(r#"{{"title":{},"type":"string","enum":[{}]}}"#, json_text(name), names.join(","))
                }
                Some(TypeSchema::Enum { name, variants }) => {
                    let tags: Vec<String> = variants.iter().map(|(v, _)| json_text(v)).collect();
                    format!(
                        r#"{{"title":{},"type":"object","properties":{{"tag":{{"enum":[{}]}},"values":{{"type":"array"}}}},"required":["tag"]}}"#,
                        json_text(name),
                        tags.join(",")
                    )
                }
                None => "{}".into(),
            },
        }
    }

    /// The shape of a type expression; names it cannot resolve are `Any`.
    fn schema_of(&mut self, ty: &'a TypeExpr, depth: u32) -> Schema {
        if depth > 64 {
            return Schema::Any;
        }
        match &ty.kind {
            TypeKind::Named { path, args } if path.len() == 1 => {
                let arg = |c: &mut Self, i: usize| args.get(i).map_or(Schema::Any, |a| c.schema_of(a, depth + 1));
                match path[0].name.as_str() {
                    "Int" => Schema::Int,
                    "Float" => Schema::Float,
                    "String" => Schema::String,
                    "Bool" => Schema::Bool,
                    "Null" => Schema::Null,
                    "list" => Schema::List(Box::new(arg(self, 0))),
                    "set" => Schema::Set(Box::new(arg(self, 0))),
                    "map" => Schema::Map(Box::new(arg(self, 1))),
                    name => match self.globals.get(name).cloned() {
                        Some(Global::Record(t) | Global::Enum(t)) => {
                            self.type_schema(t, depth);
                            Schema::Named(t)
                        }
                        _ => Schema::Any,
                    },
                }
            }
            TypeKind::Optional(inner) => Schema::Optional(Box::new(self.schema_of(inner, depth + 1))),
            TypeKind::Union(members) => Schema::Union(members.iter().map(|m| self.schema_of(m, depth + 1)).collect()),
            TypeKind::Tuple(items) => Schema::Tuple(items.iter().map(|t| self.schema_of(t, depth + 1)).collect()),
            TypeKind::Paren(inner) => self.schema_of(inner, depth),
            TypeKind::Null => Schema::Null,
            _ => Schema::Any,
        }
    }

    /// Describes record or enum type `t` once (recursive types refer to themselves by index).
    fn type_schema(&mut self, t: u32, depth: u32) {
        if self.program.type_schemas.contains_key(&t) {
            return;
        }
        if let Some(info) = self.records.get(&t).cloned() {
            // A placeholder first, so that a field of the record's own type terminates.
            self.program.type_schemas.insert(t, TypeSchema::Record { name: info.name.clone(), fields: Vec::new() });
            let mut fields = Vec::new();
            for (i, name) in info.fields.iter().enumerate() {
                let schema = self.schema_of(info.field_types[i], depth + 1);
                let default = match info.defaults[i] {
                    Some(e) => super::tools::literal_json(e),
                    None if matches!(schema, Schema::Optional(_) | Schema::Null | Schema::Any) => {
                        Some("null".to_string())
                    }
                    None => None,
                };
                fields.push((name.clone(), schema, default));
            }
            self.program.type_schemas.insert(t, TypeSchema::Record { name: info.name, fields });
        } else if let Some(info) = self.enums.get(&t).cloned() {
            let name = match self.program.types.get(t as usize) {
                Some(crate::program::TypeInfo::Enum { name, .. }) => name.clone(),
                _ => String::new(),
            };
            // Payload types are not kept past declaration: payload values convert as `Any`.
            let variants =
                info.variants.iter().map(|(v, fields, _)| (v.clone(), vec![Schema::Any; fields.len()])).collect();
            self.program.type_schemas.insert(t, TypeSchema::Enum { name, variants });
        }
    }
}

fn json_text(s: &str) -> String {
    super::tools::json_string(s)
}
