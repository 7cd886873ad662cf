//! `builtin-env`: `env.get` reads one environment variable, `env.list` names the variables that
//! are set. The grant's `names` key (a name or a list; `PREFIX*` matches by prefix) limits which
//! variables a program may see; a grant without it allows every name.
//!
//! What `env.get` returns is recorded in traces like any tool result, so secrets (API keys) should
//! reach providers through `api_key_env`, never through this tool.

use serde_json::Value;

use super::{Call, Provider, Reply, kind_of, string_arg};
use crate::error::{ErrorKind, ToolError};

/// Reads one variable.
type ReadVar = Box<dyn Fn(&str) -> Option<String>>;
/// Names every set variable.
type VarNames = Box<dyn Fn() -> Vec<String>>;

/// Reads the process environment; tests give their own.
pub struct EnvProvider {
    read: ReadVar,
    names: VarNames,
}

impl Default for EnvProvider {
    fn default() -> EnvProvider {
        EnvProvider {
            read: Box::new(|name| std::env::var(name).ok()),
            names: Box::new(|| std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()).collect()),
        }
    }
}

impl EnvProvider {
    /// A provider over a fixed set of variables.
    pub fn with_vars(vars: Vec<(String, String)>) -> EnvProvider {
        let names = vars.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        EnvProvider {
            read: Box::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())),
            names: Box::new(move || names.clone()),
        }
    }
}

impl Provider for EnvProvider {
    fn schema_version(&self) -> Option<&'static str> {
        Some("1")
    }

    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let allowed = allowed_names(call.args.get("names"))?;
        let permits = |name: &str| allowed.as_ref().is_none_or(|patterns| patterns.iter().any(|p| matches(p, name)));
        match call.path {
            "env.get" => {
                let name = string_arg(call, "name")?;
                if !permits(name) {
                    return Err(ToolError::new(
                        ErrorKind::InvalidArgs,
                        format!("`{name}` is not among the granted names ({})", allowed.unwrap_or_default().join(", ")),
                    ));
                }
                let value = (self.read)(name).map_or(Value::Null, Value::String);
                Ok(Reply::value(value))
            }
            "env.list" => {
                let mut names: Vec<String> = (self.names)().into_iter().filter(|n| permits(n)).collect();
                names.sort();
                Ok(Reply::value(Value::Array(names.into_iter().map(Value::String).collect())))
            }
            other => Err(ToolError::new(ErrorKind::NotFound, format!("builtin-env has no tool `{other}`"))),
        }
    }
}

/// The `names` argument (filled in from the grant): `None` when absent.
fn allowed_names(value: Option<&Value>) -> Result<Option<Vec<String>>, ToolError> {
    let bad = |v: &Value| {
        ToolError::new(
            ErrorKind::InvalidArgs,
            format!("`names` must be a String or a list of Strings, got {}", kind_of(v)),
        )
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| bad(item)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(bad(other)),
    }
}

/// `PREFIX*` matches names starting with `PREFIX`; anything else must be equal.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn call(provider: &mut EnvProvider, path: &str, args: Value) -> Result<Value, ToolError> {
        let args: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
        let settings = Map::new();
        let call = Call {
            alias: "Env",
            path,
            version: None,
            args: &args,
            timeout: None,
            provider: "builtin-env",
            settings: &settings,
            secret_env: &|_| None,
            mcp: None,
        };
        provider.call(&call).map(|reply| reply.value)
    }

    fn provider() -> EnvProvider {
        EnvProvider::with_vars(vec![
            ("APP_MODE".into(), "test".into()),
            ("APP_LEVEL".into(), "3".into()),
            ("HOME".into(), "/home/x".into()),
        ])
    }

    #[test]
    fn reads_a_variable_or_null() {
        let mut env = provider();
        assert_eq!(call(&mut env, "env.get", json!({"name": "HOME"})).unwrap(), json!("/home/x"));
        assert_eq!(call(&mut env, "env.get", json!({"name": "MISSING"})).unwrap(), Value::Null);
    }

    #[test]
    fn granted_names_limit_reads_and_listing() {
        let mut env = provider();
        let err = call(&mut env, "env.get", json!({"name": "HOME", "names": ["APP_*"]})).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgs);
        assert!(err.message.contains("`HOME` is not among the granted names (APP_*)"), "{}", err.message);
        assert_eq!(call(&mut env, "env.get", json!({"name": "APP_MODE", "names": "APP_*"})).unwrap(), json!("test"));
        assert_eq!(call(&mut env, "env.list", json!({"names": ["APP_*"]})).unwrap(), json!(["APP_LEVEL", "APP_MODE"]));
        assert_eq!(call(&mut env, "env.list", json!({})).unwrap(), json!(["APP_LEVEL", "APP_MODE", "HOME"]));
    }

    #[test]
    fn bad_arguments_are_errors() {
        let mut env = provider();
        assert_eq!(call(&mut env, "env.get", json!({})).unwrap_err().kind, ErrorKind::InvalidArgs);
        assert_eq!(
            call(&mut env, "env.get", json!({"name": "A", "names": 3})).unwrap_err().kind,
            ErrorKind::InvalidArgs
        );
        assert_eq!(call(&mut env, "env.set", json!({"name": "A"})).unwrap_err().kind, ErrorKind::NotFound);
    }
}
