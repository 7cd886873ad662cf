//! MCP tool descriptions as Lumen sees them: a tool's JSON-Schema `inputSchema` rendered as a
//! Lumen-style signature (`get_current_time(timezone: String)`), and the check of a call's named
//! arguments against it before anything is sent.

use serde_json::{Map, Value};

/// Arguments the runtime adds on its own (a grant's `timeout_ms`, the prompt context's `messages`,
/// `expect schema`'s `schema`); dropped unless the tool declares them.
pub const RUNTIME_ARGS: [&str; 3] = ["timeout_ms", "messages", "schema"];

/// One tool a server lists.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: Option<String>,
    pub input_schema: Map<String, Value>,
}

impl ToolSpec {
    /// The name a Lumen call uses: `-` becomes `_` (`get-sum` is called as `T.get_sum(...)`).
    pub fn lumen_name(&self) -> String {
        self.name.replace('-', "_")
    }

    fn properties(&self) -> Option<&Map<String, Value>> {
        self.input_schema.get("properties").and_then(Value::as_object)
    }

    fn required(&self) -> Vec<&str> {
        self.input_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `additionalProperties`: absent or `false` allows no undeclared argument; `true` or a schema
    /// allows them (checked against the schema).
    fn extra_schema(&self) -> Option<&Value> {
        match self.input_schema.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(&Value::Bool(true)),
            Some(schema @ Value::Object(_)) => Some(schema),
            _ => None,
        }
    }

    /// `name(a: String, b: Int = 3, c: list[String]?)`: required parameters first in declaration
    /// order, then optional ones (`= default` when the schema gives one, else `T?`: absent or `null`).
    pub fn signature(&self) -> String {
        let required = self.required();
        let mut params = Vec::new();
        let mut optional = Vec::new();
        if let Some(properties) = self.properties() {
            for (name, schema) in properties {
                let ty = lumen_type(schema);
                if required.contains(&name.as_str()) {
                    params.push(format!("{name}: {ty}"));
                } else if let Some(default) = schema.get("default") {
                    optional.push(format!("{name}: {ty} = {default}"));
                } else if ty.ends_with('?') {
                    optional.push(format!("{name}: {ty}"));
                } else if ty.contains(" | ") {
                    optional.push(format!("{name}: ({ty})?"));
                } else {
                    optional.push(format!("{name}: {ty}?"));
                }
            }
        }
        params.extend(optional);
        format!("{}({})", self.lumen_name(), params.join(", "))
    }

    /// The arguments to send, or every problem found (each a sentence fragment). An optional
    /// argument passed as `null` is left out when the schema does not accept `null` (Lumen's `T?`).
    pub fn check_args(&self, args: &Map<String, Value>) -> Result<Map<String, Value>, Vec<String>> {
        let empty = Map::new();
        let properties = self.properties().unwrap_or(&empty);
        let required = self.required();
        let mut problems = Vec::new();
        let mut sent = Map::new();
        for (name, value) in args {
            match properties.get(name) {
                Some(schema) => {
                    if value.is_null() && !required.contains(&name.as_str()) && check_value(schema, value).is_err() {
                        continue;
                    }
                    match check_value(schema, value) {
                        Ok(()) => {
                            sent.insert(name.clone(), value.clone());
                        }
                        Err(reason) => problems.push(format!("argument `{name}`{reason}")),
                    }
                }
                None if RUNTIME_ARGS.contains(&name.as_str()) => {}
                None => match self.extra_schema() {
                    Some(schema) => match check_value(schema, value) {
                        Ok(()) => {
                            sent.insert(name.clone(), value.clone());
                        }
                        Err(reason) => problems.push(format!("argument `{name}`{reason}")),
                    },
                    None => problems.push(format!("unknown argument `{name}`")),
                },
            }
        }
        for name in required {
            if !sent.contains_key(name) && !problems.iter().any(|p| p.starts_with(&format!("argument `{name}`"))) {
                problems.push(format!("missing argument `{name}`"));
            }
        }
        if problems.is_empty() { Ok(sent) } else { Err(problems) }
    }
}

/// The Lumen type a JSON schema describes; `Json` where it says nothing more precise.
pub fn lumen_type(schema: &Value) -> String {
    let Value::Object(schema) = schema else { return "Json".to_owned() };
    let members: Vec<String> = if let Some(ty) = schema.get("type") {
        let names: Vec<&str> = match ty {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        names.into_iter().map(|name| type_name(name, schema)).collect()
    } else if let Some(Value::Array(options)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        options.iter().map(lumen_type).collect()
    } else if let Some(Value::Array(values)) = schema.get("enum") {
        let mut kinds: Vec<String> = values.iter().map(|v| super::kind_of(v).to_owned()).collect();
        kinds.dedup();
        kinds
    } else {
        Vec::new()
    };
    union(members)
}

fn type_name(name: &str, schema: &Map<String, Value>) -> String {
    match name {
        "string" => "String".to_owned(),
        "integer" => "Int".to_owned(),
        "number" => "Float".to_owned(),
        "boolean" => "Bool".to_owned(),
        "null" => "Null".to_owned(),
        "array" => match schema.get("items") {
            Some(items) => format!("list[{}]", lumen_type(items)),
            None => "list[Json]".to_owned(),
        },
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) if !schema.contains_key("properties") => {
                format!("map[String, {}]", lumen_type(values))
            }
            _ => "Json".to_owned(),
        },
        _ => "Json".to_owned(),
    }
}

/// `A | B`, with `Null` folded into `T?` when there is one other member.
fn union(mut members: Vec<String>) -> String {
    let mut seen = Vec::new();
    members.retain(|m| {
        let fresh = !seen.contains(m);
        seen.push(m.clone());
        fresh
    });
    if members.is_empty() || members.iter().any(|m| m == "Json") {
        return "Json".to_owned();
    }
    let nullable = members.iter().any(|m| m == "Null");
    let others: Vec<&String> = members.iter().filter(|m| *m != "Null").collect();
    match (others.as_slice(), nullable) {
        ([], _) => "Null".to_owned(),
        ([only], true) => format!("{only}?"),
        (_, _) => members.join(" | "),
    }
}

/// Whether `value` fits `schema`: `type` (a name or a list), `anyOf`/`oneOf`, `enum`, `const`, array
/// `items`, and object `properties`/`required`, recursively. Other keywords are not checked. The
/// error is a fragment to append after the argument's name (`: expected String, got Int`).
pub fn check_value(schema: &Value, value: &Value) -> Result<(), String> {
    let Value::Object(schema) = schema else { return Ok(()) };
    if let Some(ty) = schema.get("type") {
        let names: Vec<&str> = match ty {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.is_empty() && !names.iter().any(|name| has_type(name, value)) {
            let wanted = union(names.iter().map(|name| type_name(name, schema)).collect());
            return Err(format!(": expected {wanted}, got {}", super::kind_of(value)));
        }
    }
    if let Some(Value::Array(options)) = schema.get("anyOf").or_else(|| schema.get("oneOf"))
        && !options.is_empty()
        && !options.iter().any(|option| check_value(option, value).is_ok())
    {
        let wanted = union(options.iter().map(lumen_type).collect());
        return Err(format!(": expected {wanted}, got {}", super::kind_of(value)));
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.iter().any(|a| same(a, value))
    {
        let listed: Vec<String> = allowed.iter().map(Value::to_string).collect();
        return Err(format!(": {value} is not one of {}", listed.join(", ")));
    }
    if let Some(expected) = schema.get("const")
        && !same(expected, value)
    {
        return Err(format!(": expected {expected}, got {value}"));
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check_value(item_schema, item).map_err(|reason| format!("[{i}]{reason}"))?;
                }
            }
        }
        Value::Object(fields) => {
            if let Some(Value::Object(properties)) = schema.get("properties") {
                for (name, field) in fields {
                    if let Some(field_schema) = properties.get(name) {
                        check_value(field_schema, field).map_err(|reason| format!(".{name}{reason}"))?;
                    }
                }
            }
            if let Some(Value::Array(required)) = schema.get("required") {
                for name in required.iter().filter_map(Value::as_str) {
                    if !fields.contains_key(name) {
                        return Err(format!(": missing field `{name}`"));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn has_type(name: &str, value: &Value) -> bool {
    match name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schema: Value) -> ToolSpec {
        let Value::Object(input_schema) = schema else { panic!("an object") };
        ToolSpec { name: "t".to_owned(), description: None, input_schema }
    }

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn signatures_use_lumen_types() {
        let tool = spec(json!({
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string"}},
                "count": {"type": "integer", "default": 3},
                "name": {"type": "string"},
                "ratio": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                "mode": {"enum": ["a", "b"]},
                "extra": {"type": "object", "additionalProperties": {"type": "boolean"}},
                "either": {"type": ["string", "integer"]}
            },
            "required": ["name", "tags"]
        }));
        assert_eq!(
            tool.signature(),
            "t(tags: list[String], name: String, count: Int = 3, ratio: Float?, mode: String?, \
             extra: map[String, Bool]?, either: (String | Int)?)"
        );
        assert_eq!(spec(json!({"type": "object"})).signature(), "t()");
    }

    #[test]
    fn arguments_are_checked_against_the_schema() {
        let tool = spec(json!({
            "type": "object",
            "properties": {
                "a": {"type": "number"},
                "b": {"type": "integer"},
                "opt": {"type": "string"},
                "items": {"type": "array", "items": {"type": "integer"}}
            },
            "required": ["a", "b"]
        }));
        assert_eq!(tool.check_args(&args(json!({"a": 1, "b": 2.0}))).unwrap(), args(json!({"a": 1, "b": 2.0})));
        // `null` for an optional argument means absent; runtime-added arguments are dropped.
        assert_eq!(
            tool.check_args(&args(json!({"a": 1.5, "b": 2, "opt": null, "timeout_ms": 100}))).unwrap(),
            args(json!({"a": 1.5, "b": 2}))
        );
        assert_eq!(
            tool.check_args(&args(json!({"a": "x", "c": 1, "items": [1, "2"]}))).unwrap_err(),
            vec![
                "argument `a`: expected Float, got String".to_owned(),
                "unknown argument `c`".to_owned(),
                "argument `items`[1]: expected Int, got String".to_owned(),
                "missing argument `b`".to_owned(),
            ]
        );
        assert_eq!(
            tool.check_args(&args(json!({"a": 1, "b": 2.5}))).unwrap_err(),
            vec!["argument `b`: expected Int, got Float".to_owned()]
        );
    }

    #[test]
    fn enums_nested_objects_and_additional_properties() {
        let tool = spec(json!({
            "type": "object",
            "properties": {
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
            },
            "additionalProperties": {"type": "string"}
        }));
        assert!(tool.check_args(&args(json!({"mode": "fast", "point": {"x": 1}, "note": "ok"}))).is_ok());
        assert_eq!(
            tool.check_args(&args(json!({"mode": "medium", "point": {}, "note": 3}))).unwrap_err(),
            vec![
                "argument `mode`: \"medium\" is not one of \"fast\", \"slow\"".to_owned(),
                "argument `point`: missing field `x`".to_owned(),
                "argument `note`: expected String, got Int".to_owned(),
            ]
        );
    }
}
