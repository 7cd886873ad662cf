//! `e expect schema T` (LANGUAGE.md 7.5): a dynamic value, or text holding JSON (a reply of a
//! language model, say), converted structurally to `T`. Failures name the path inside the value:
//! `schema validation failed: T: $.items[2].price: expected Float, got String`.

use std::rc::Rc;

use lumen_compile::program::{Schema, TypeSchema};

use super::Vm;
use crate::builtins::encoding::json_to_value;
use crate::value::{EnumObj, MapObj, RecordObj, SetObj, Value};

type Conv = Result<Value, (String, String)>;

impl Vm<'_> {
    /// Converts `v` to schema number `idx`.
    pub(super) fn expect_schema(&self, v: &Value, idx: u32) -> Result<Value, String> {
        let schema = self.schemas.get(idx as usize).cloned().unwrap_or(Schema::Any);
        let wants_text = matches!(schema, Schema::String | Schema::Any);
        let value = match v {
            Value::Str(text) if !wants_text => match parse_reply(text) {
                Some(json) => json_to_value(json),
                None => {
                    return Err(format!(
                        "schema validation failed: {}: $: the text holds no JSON value",
                        self.schema_name(&schema)
                    ));
                }
            },
            other => other.clone(),
        };
        self.convert(&value, &schema, "$").map_err(|(path, reason)| {
            format!("schema validation failed: {}: {path}: {reason}", self.schema_name(&schema))
        })
    }

    fn convert(&self, v: &Value, schema: &Schema, path: &str) -> Conv {
        let mismatch = |what: &str| Err((path.to_string(), format!("expected {what}, got {}", v.type_name())));
        match (schema, v) {
            (Schema::Any, _) => Ok(v.clone()),
            (Schema::Int, Value::Int(_)) => Ok(v.clone()),
            (Schema::Int, Value::Float(x)) if x.fract() == 0.0 && x.abs() < 9.0e18 => Ok(Value::Int(*x as i64)),
            (Schema::Int, _) => mismatch("Int"),
            (Schema::Float, Value::Float(_)) => Ok(v.clone()),
            (Schema::Float, Value::Int(i)) => Ok(Value::Float(*i as f64)),
            (Schema::Float, _) => mismatch("Float"),
            (Schema::String, Value::Str(_)) => Ok(v.clone()),
            (Schema::String, _) => mismatch("String"),
            (Schema::Bool, Value::Bool(_)) => Ok(v.clone()),
            (Schema::Bool, _) => mismatch("Bool"),
            (Schema::Null, Value::Null) => Ok(Value::Null),
            (Schema::Null, _) => mismatch("null"),
            (Schema::Optional(_), Value::Null) => Ok(Value::Null),
            (Schema::Optional(inner), _) => self.convert(v, inner, path),
            (Schema::Union(members), _) => {
                let mut first_error = None;
                for m in members {
                    match self.convert(v, m, path) {
                        Ok(x) => return Ok(x),
                        Err(e) => {
                            first_error.get_or_insert(e);
                        }
                    }
                }
                Err(first_error.unwrap_or_else(|| (path.to_string(), "no member of the union fits".into())))
            }
            (Schema::List(inner), Value::List(items) | Value::Tuple(items)) => {
                let out: Result<Vec<Value>, _> =
                    items.iter().enumerate().map(|(i, x)| self.convert(x, inner, &format!("{path}[{i}]"))).collect();
                Ok(Value::list(out?))
            }
            (Schema::List(_), _) => mismatch("a list"),
            (Schema::Set(inner), Value::List(items) | Value::Tuple(items)) => {
                let mut set = SetObj::default();
                for (i, x) in items.iter().enumerate() {
                    set.insert(self.convert(x, inner, &format!("{path}[{i}]"))?);
                }
                Ok(Value::set(set))
            }
            (Schema::Set(_), Value::Set(_)) => Ok(v.clone()),
            (Schema::Set(_), _) => mismatch("a list"),
            (Schema::Map(inner), Value::Map(map)) => {
                let mut out = MapObj::with_capacity_and_hasher(map.len(), Default::default());
                for (k, x) in map.iter() {
                    let key = crate::display::display(k);
                    out.insert(k.clone(), self.convert(x, inner, &format!("{path}.{key}"))?);
                }
                Ok(Value::map(out))
            }
            (Schema::Map(_), _) => mismatch("an object"),
            (Schema::Tuple(items), Value::List(xs) | Value::Tuple(xs)) if xs.len() == items.len() => {
                let out: Result<Vec<Value>, _> = xs
                    .iter()
                    .zip(items)
                    .enumerate()
                    .map(|(i, (x, s))| self.convert(x, s, &format!("{path}[{i}]")))
                    .collect();
                Ok(Value::tuple(out?))
            }
            (Schema::Tuple(items), _) => mismatch(&format!("a list of {} values", items.len())),
            (Schema::Named(t), _) => self.convert_named(v, *t, path),
        }
    }

    fn convert_named(&self, v: &Value, t: u32, path: &str) -> Conv {
        match (self.type_schemas.get(&t), v) {
            (_, Value::Record(r)) if r.ty.id == t => Ok(v.clone()),
            (_, Value::Enum(e)) if e.ty.id == t => Ok(v.clone()),
            (Some(TypeSchema::Record { name, fields }), Value::Map(map)) => {
                let ty = self.record_type(t).map_err(|e| (path.to_string(), e))?;
                let mut values = Vec::with_capacity(fields.len());
                for (field, schema, default) in fields {
                    let at = format!("{path}.{field}");
                    match map.get(&Value::str(field)) {
                        Some(x) => values.push(self.convert(x, schema, &at)?),
                        None => match default.as_deref().and_then(|d| serde_json::from_str(d).ok()) {
                            Some(json) => values.push(json_to_value(json)),
                            None => return Err((at, format!("missing field of record {name}"))),
                        },
                    }
                }
                Ok(Value::Record(Rc::new(RecordObj { ty, fields: values })))
            }
            (Some(TypeSchema::Record { name, .. }), _) => {
                Err((path.to_string(), format!("expected an object for record {name}, got {}", v.type_name())))
            }
            (Some(TypeSchema::Enum { name, variants }), _) => {
                let (tag, values) = match v {
                    Value::Str(s) => (s.as_str().to_string(), Vec::new()),
                    Value::Map(m) => {
                        let Some(Value::Str(tag)) = m.get(&Value::str("tag")) else {
                            return Err((
                                path.to_string(),
                                format!("expected a variant of {name}: an object needs \"tag\""),
                            ));
                        };
                        let values = match m.get(&Value::str("values")) {
                            Some(Value::List(xs)) => xs.to_vec(),
                            Some(other) => vec![other.clone()],
                            None => Vec::new(),
                        };
                        (tag.as_str().to_string(), values)
                    }
                    other => {
                        return Err((
                            path.to_string(),
                            format!("expected a variant of {name}, got {}", other.type_name()),
                        ));
                    }
                };
                let Some(index) = variants.iter().position(|(n, _)| *n == tag) else {
                    let known: Vec<&str> = variants.iter().map(|(n, _)| n.as_str()).collect();
                    return Err((
                        path.to_string(),
                        format!("`{tag}` is not a variant of {name} ({})", known.join(", ")),
                    ));
                };
                let payload_schemas = &variants[index].1;
                if payload_schemas.len() != values.len() {
                    return Err((
                        path.to_string(),
                        format!("variant {tag} takes {} values, got {}", payload_schemas.len(), values.len()),
                    ));
                }
                let payload: Result<Vec<Value>, _> = values
                    .iter()
                    .zip(payload_schemas)
                    .enumerate()
                    .map(|(i, (x, s))| self.convert(x, s, &format!("{path}.values[{i}]")))
                    .collect();
                let ty = self.enum_type(t).map_err(|e| (path.to_string(), e))?;
                Ok(Value::Enum(Rc::new(EnumObj { ty, variant: index as u32, payload: payload? })))
            }
            (None, _) => Ok(v.clone()),
        }
    }

    /// How a schema is named in messages (`Invoice`, `list[Int]`).
    pub(super) fn schema_name(&self, schema: &Schema) -> String {
        match schema {
            Schema::Any => "Any".into(),
            Schema::Int => "Int".into(),
            Schema::Float => "Float".into(),
            Schema::String => "String".into(),
            Schema::Bool => "Bool".into(),
            Schema::Null => "Null".into(),
            Schema::List(s) => format!("list[{}]", self.schema_name(s)),
            Schema::Set(s) => format!("set[{}]", self.schema_name(s)),
            Schema::Map(s) => format!("map[String, {}]", self.schema_name(s)),
            Schema::Tuple(items) => {
                format!("({})", items.iter().map(|s| self.schema_name(s)).collect::<Vec<_>>().join(", "))
            }
            Schema::Optional(s) => format!("{}?", self.schema_name(s)),
            Schema::Union(items) => items.iter().map(|s| self.schema_name(s)).collect::<Vec<_>>().join(" | "),
            Schema::Named(t) => match self.type_schemas.get(t) {
                Some(TypeSchema::Record { name, .. } | TypeSchema::Enum { name, .. }) => name.clone(),
                None => "?".into(),
            },
        }
    }
}

/// The JSON value in a reply: a fenced ```json block if there is one, else the whole text, else
/// the span from the first `{` or `[` to the last matching closer (prose around it is ignored).
fn parse_reply(text: &str) -> Option<serde_json::Value> {
    if let Some(block) = fenced_block(text)
        && let Ok(v) = serde_json::from_str(block.trim())
    {
        return Some(v);
    }
    if let Ok(v) = serde_json::from_str(text.trim()) {
        return Some(v);
    }
    let start = text.find(['{', '['])?;
    let close = if text[start..].starts_with('{') { '}' } else { ']' };
    let end = text.rfind(close)?;
    (end > start).then(|| serde_json::from_str(&text[start..=end]).ok()).flatten()
}

fn fenced_block(text: &str) -> Option<&str> {
    let open = text.find("```")?;
    let after = &text[open + 3..];
    let body_start = after.find('\n')? + 1;
    let body = &after[body_start..];
    let end = body.find("```")?;
    Some(&body[..end])
}
