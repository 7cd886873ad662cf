//! `builtin-json`: `json.parse` (text to a value), `json.stringify` (a value to text, `pretty`
//! optional) and `json.get` (the part of a value at an RFC 6901 JSON Pointer such as `/items/0/id`,
//! `null` when absent). Pure functions, but as tools they are granted, traced and replayable
//! like any other call.

use serde_json::Value;

use super::{Call, Provider, Reply, kind_of, string_arg};
use crate::error::{ErrorKind, ToolError};

pub struct JsonProvider;

impl Provider for JsonProvider {
    fn schema_version(&self) -> Option<&'static str> {
        Some("1")
    }

    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let value = match call.path {
            "json.parse" => {
                let text = string_arg(call, "text")?;
                serde_json::from_str(text)
                    .map_err(|e| ToolError::new(ErrorKind::InvalidArgs, format!("`text` is not JSON: {e}")))?
            }
            "json.stringify" => {
                let value = required(call, "value")?;
                let pretty = match call.args.get("pretty") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(ToolError::new(
                            ErrorKind::InvalidArgs,
                            format!("`pretty` must be a Bool, got {}", kind_of(other)),
                        ));
                    }
                };
                let text = if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
                Value::String(text.map_err(|e| ToolError::new(ErrorKind::Failed, e.to_string()))?)
            }
            "json.get" => {
                let value = required(call, "value")?;
                let pointer = string_arg(call, "pointer")?;
                if !pointer.is_empty() && !pointer.starts_with('/') {
                    return Err(ToolError::new(
                        ErrorKind::InvalidArgs,
                        format!("`pointer` must be empty or start with `/` (RFC 6901), got `{pointer}`"),
                    ));
                }
                value.pointer(pointer).cloned().unwrap_or(Value::Null)
            }
            other => return Err(ToolError::new(ErrorKind::NotFound, format!("builtin-json has no tool `{other}`"))),
        };
        Ok(Reply::value(value))
    }
}

fn required<'a>(call: &'a Call<'_>, name: &str) -> Result<&'a Value, ToolError> {
    call.args.get(name).ok_or_else(|| ToolError::new(ErrorKind::InvalidArgs, format!("missing argument `{name}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn call(path: &str, args: Value) -> Result<Value, ToolError> {
        let args: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
        let settings = Map::new();
        let call = Call {
            alias: "Json",
            path,
            version: None,
            args: &args,
            timeout: None,
            provider: "builtin-json",
            settings: &settings,
            secret_env: &|_| None,
            mcp: None,
        };
        JsonProvider.call(&call).map(|reply| reply.value)
    }

    #[test]
    fn parses_and_stringifies() {
        assert_eq!(
            call("json.parse", json!({"text": "{\"a\": [1, 2.5, null]}"})).unwrap(),
            json!({"a": [1, 2.5, null]})
        );
        assert_eq!(call("json.stringify", json!({"value": {"a": [1, true]}})).unwrap(), json!("{\"a\":[1,true]}"));
        assert_eq!(call("json.stringify", json!({"value": [1], "pretty": true})).unwrap(), json!("[\n  1\n]"));
    }

    #[test]
    fn gets_by_pointer() {
        let doc = json!({"items": [{"id": 7}, {"id": 9}], "a/b": 1});
        assert_eq!(call("json.get", json!({"value": doc, "pointer": "/items/1/id"})).unwrap(), json!(9));
        assert_eq!(call("json.get", json!({"value": doc, "pointer": "/a~1b"})).unwrap(), json!(1));
        assert_eq!(call("json.get", json!({"value": doc, "pointer": "/items/5"})).unwrap(), Value::Null);
        assert_eq!(call("json.get", json!({"value": doc, "pointer": ""})).unwrap(), doc);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let err = call("json.parse", json!({"text": "{\"a\": "})).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgs);
        assert!(err.message.starts_with("`text` is not JSON: EOF"), "{}", err.message);
        assert_eq!(
            call("json.get", json!({"value": {}, "pointer": "items"})).unwrap_err().kind,
            ErrorKind::InvalidArgs
        );
        assert_eq!(call("json.stringify", json!({})).unwrap_err().kind, ErrorKind::InvalidArgs);
        assert_eq!(
            call("json.stringify", json!({"value": 1, "pretty": "yes"})).unwrap_err().kind,
            ErrorKind::InvalidArgs
        );
        assert_eq!(call("json.merge", json!({})).unwrap_err().kind, ErrorKind::NotFound);
    }
}
