//! `mock`: canned results from `[providers.config.mock]` (LANGUAGE.md 7.3).
//!
//! ```toml
//! [providers.config.mock]
//! "weather.get" = { temp = 21 }                 # the same value on every call
//! "llm.chat" = ["first reply", "second reply"]  # returned in turn; a further call fails
//! "search.web" = { "$error" = "rate_limit", message = "slow down" }   # fails with that kind
//! ```
//! A value that is itself a list is written as a list of one list.

use std::collections::HashMap;

use serde_json::Value;

use super::{Call, Provider, Reply};
use crate::error::{ErrorKind, ToolError};

/// The key that turns a canned object into a failure.
const ERROR_KEY: &str = "$error";

#[derive(Default)]
pub struct MockProvider {
    /// How many values of each list were handed out.
    served: HashMap<String, usize>,
}

impl Provider for MockProvider {
    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let Some(canned) = call.settings.get(call.path) else {
            return Err(ToolError::new(
                ErrorKind::NotFound,
                format!(
                    "{} has no response for `{}` (add it to [providers.config.{}])",
                    call.provider, call.path, call.provider
                ),
            ));
        };
        let value = match canned {
            Value::Array(items) => {
                let served = self.served.entry(call.path.to_owned()).or_insert(0);
                let Some(item) = items.get(*served) else {
                    return Err(ToolError::new(
                        ErrorKind::Failed,
                        format!("{}: all {} responses for `{}` were used", call.provider, items.len(), call.path),
                    ));
                };
                *served += 1;
                item
            }
            single => single,
        };
        if let Some(Value::String(kind)) = value.get(ERROR_KEY) {
            let kind = ErrorKind::parse(kind).unwrap_or(ErrorKind::Failed);
            let message = value.get("message").and_then(Value::as_str).unwrap_or("mock failure");
            return Err(ToolError::new(kind, message));
        }
        Ok(Reply::value(value.clone()))
    }
}
