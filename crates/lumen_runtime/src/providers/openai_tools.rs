//! Tool calling for `openai-compatible`: the `tools` and `tool_choice` arguments in OpenAI's wire
//! shape, messages that carry tool calls back to the model, and the tool calls of a reply.

use serde_json::{Map, Value, json};

use super::{ArgumentsText, RawToolCall, invalid_output, strip_code_fence};
use crate::error::{ErrorKind, ToolError};
use crate::providers::{Call, kind_of};

/// The `tools` argument as OpenAI's `tools` (plus `tool_choice` when given).
pub(super) fn add_tools(call: &Call<'_>, body: &mut Map<String, Value>) -> Result<(), ToolError> {
    let mut names = Vec::new();
    match call.args.get("tools") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            let mut tools = Vec::new();
            for tool in list {
                let (name, wire) = wire_tool(tool)?;
                names.push(name);
                tools.push(wire);
            }
            if !tools.is_empty() {
                body.insert("tools".to_owned(), Value::Array(tools));
            }
        }
        Some(other) => {
            return Err(invalid_args(format!("`tools` must be a list of tool descriptions, got {}", kind_of(other))));
        }
    }
    match call.args.get("tool_choice") {
        None | Some(Value::Null) => {}
        Some(Value::String(choice)) if matches!(choice.as_str(), "auto" | "none" | "required") => {
            body.insert("tool_choice".to_owned(), json!(choice));
        }
        // A tool's name forces that tool.
        Some(Value::String(name)) if names.contains(name) => {
            body.insert("tool_choice".to_owned(), json!({"type": "function", "function": {"name": name}}));
        }
        Some(Value::String(other)) => {
            return Err(invalid_args(format!(
                "`tool_choice` must be \"auto\", \"none\", \"required\" or the name of one of the `tools`, got \"{other}\""
            )));
        }
        Some(choice @ Value::Object(_)) => {
            body.insert("tool_choice".to_owned(), choice.clone());
        }
        Some(other) => return Err(invalid_args(format!("`tool_choice` must be a String, got {}", kind_of(other)))),
    }
    Ok(())
}

/// One tool description: `{name, description, parameters}` or already `{type: "function", function}`.
fn wire_tool(tool: &Value) -> Result<(String, Value), ToolError> {
    let function = match tool.get("function") {
        Some(function) if tool.get("type").is_none_or(|t| t == "function") => function,
        _ => tool,
    };
    let Some(Value::String(name)) = function.get("name") else {
        return Err(invalid_args("each of `tools` needs a `name` (String)"));
    };
    let mut out = Map::new();
    out.insert("name".to_owned(), json!(name));
    match function.get("description") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => {
            out.insert("description".to_owned(), json!(text));
        }
        Some(other) => {
            return Err(invalid_args(format!("tool `{name}`: `description` must be a String, got {}", kind_of(other))));
        }
    }
    match function.get("parameters") {
        None | Some(Value::Null) => {
            out.insert("parameters".to_owned(), json!({"type": "object", "properties": {}}));
        }
        Some(schema @ Value::Object(_)) => {
            out.insert("parameters".to_owned(), schema.clone());
        }
        Some(other) => {
            return Err(invalid_args(format!(
                "tool `{name}`: `parameters` must be a JSON schema object, got {}",
                kind_of(other)
            )));
        }
    }
    if let Some(strict) = function.get("strict") {
        out.insert("strict".to_owned(), strict.clone());
    }
    Ok((name.clone(), json!({"type": "function", "function": out})))
}

/// A message of the `messages` argument as sent: `role` is required, and `content` unless the
/// message carries `tool_calls`. Tool calls in the shape this provider returns (`{id, name,
/// arguments}`) are put back into OpenAI's (`{id, type, function: {name, arguments: text}}`);
/// everything else (e.g. `tool_call_id` of a `tool` message) passes through.
pub(super) fn wire_message(message: &Value) -> Result<Value, ToolError> {
    let Some(fields) = message.as_object().filter(|m| m.get("role").is_some_and(Value::is_string)) else {
        return Err(invalid_args("each message needs `role` and `content`"));
    };
    let calls = fields.get("tool_calls").filter(|c| !c.is_null());
    if !fields.contains_key("content") && calls.is_none() {
        return Err(invalid_args("each message needs `role` and `content`"));
    }
    let mut out = fields.clone();
    if let Some(calls) = calls {
        let Value::Array(list) = calls else {
            return Err(invalid_args(format!("a message's `tool_calls` must be a list, got {}", kind_of(calls))));
        };
        let mut wire = Vec::new();
        for call in list {
            if call.get("function").is_some() {
                wire.push(call.clone());
                continue;
            }
            let Some(Value::String(name)) = call.get("name") else {
                return Err(invalid_args("each tool call of a message needs `name` (or OpenAI's `function`)"));
            };
            let arguments = match call.get("arguments") {
                Some(Value::String(text)) => text.clone(),
                None | Some(Value::Null) => "{}".to_owned(),
                Some(other) => other.to_string(),
            };
            let id = call.get("id").cloned().unwrap_or(Value::Null);
            wire.push(json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}));
        }
        out.insert("tool_calls".to_owned(), Value::Array(wire));
        out.entry("content").or_insert(Value::Null);
    }
    Ok(Value::Object(out))
}

/// One entry of a reply's `message.tool_calls`.
pub(super) fn raw_tool_call(call: &Value) -> Result<RawToolCall, ToolError> {
    let function = call.get("function").unwrap_or(call);
    let Some(Value::String(name)) = function.get("name") else {
        return Err(invalid_output("a tool call in the reply has no function name"));
    };
    let arguments = match function.get("arguments") {
        None | Some(Value::Null) => ArgumentsText::Text(String::new()),
        Some(Value::String(text)) => ArgumentsText::Text(text.clone()),
        Some(other) => ArgumentsText::Json(other.clone()),
    };
    let id = call.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(RawToolCall { id, name: name.clone(), arguments })
}

/// `{"id", "name", "arguments"}` with the arguments parsed: empty text is `{}`, anything that is
/// not a JSON object is an `output_invalid` error naming the tool.
pub(super) fn tool_call_value(call: RawToolCall) -> Result<Value, ToolError> {
    let arguments = match call.arguments {
        ArgumentsText::Json(value) => value,
        ArgumentsText::Text(text) if text.trim().is_empty() => json!({}),
        ArgumentsText::Text(text) => serde_json::from_str(strip_code_fence(&text)).map_err(|e| {
            let shown: String = text.chars().take(200).collect();
            invalid_output(&format!("the arguments of tool call `{}` are not JSON ({e}): {shown}", call.name))
        })?,
    };
    if !arguments.is_object() {
        return Err(invalid_output(&format!(
            "the arguments of tool call `{}` are {}, not an object",
            call.name,
            kind_of(&arguments)
        )));
    }
    Ok(json!({"id": call.id, "name": call.name, "arguments": arguments}))
}

fn invalid_args(message: impl Into<String>) -> ToolError {
    ToolError::new(ErrorKind::InvalidArgs, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_openai_tool_shapes() {
        let (name, plain) = wire_tool(&json!({"name": "add", "description": "Adds", "parameters": {"type": "object"}}))
            .expect("plain shape");
        assert_eq!(name, "add");
        assert_eq!(
            plain,
            json!({"type": "function", "function": {"name": "add", "description": "Adds", "parameters": {"type": "object"}}})
        );
        let (_, openai) = wire_tool(&plain).expect("OpenAI shape");
        assert_eq!(openai, plain);
        let (_, bare) = wire_tool(&json!({"name": "now"})).expect("no parameters");
        assert_eq!(bare["function"]["parameters"], json!({"type": "object", "properties": {}}));
        assert_eq!(wire_tool(&json!({"description": "x"})).unwrap_err().kind, ErrorKind::InvalidArgs);
        assert_eq!(wire_tool(&json!({"name": "x", "parameters": "y"})).unwrap_err().kind, ErrorKind::InvalidArgs);
    }

    #[test]
    fn returned_tool_calls_go_back_in_openai_shape() {
        let message = json!({"role": "assistant", "content": null,
            "tool_calls": [{"id": "c1", "name": "add", "arguments": {"a": 1}}]});
        assert_eq!(
            wire_message(&message).unwrap(),
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{\"a\":1}"}}]})
        );
        let reply = json!({"role": "tool", "tool_call_id": "c1", "content": "2"});
        assert_eq!(wire_message(&reply).unwrap(), reply);
        assert!(wire_message(&json!({"role": "user"})).is_err());
    }

    #[test]
    fn arguments_must_be_a_json_object() {
        let call = |text: &str| RawToolCall {
            id: "i".to_owned(),
            name: "f".to_owned(),
            arguments: ArgumentsText::Text(text.to_owned()),
        };
        assert_eq!(tool_call_value(call("")).unwrap()["arguments"], json!({}));
        assert_eq!(tool_call_value(call("{\"x\": [1]}")).unwrap()["arguments"], json!({"x": [1]}));
        let broken = tool_call_value(call("{\"x\": ")).unwrap_err();
        assert_eq!(broken.kind, ErrorKind::OutputInvalid);
        assert!(broken.message.contains("tool call `f` are not JSON"), "{}", broken.message);
        assert_eq!(tool_call_value(call("[1]")).unwrap_err().kind, ErrorKind::OutputInvalid);
    }
}
