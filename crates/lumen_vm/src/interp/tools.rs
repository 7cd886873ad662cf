//! Tool calls (LANGUAGE.md 5.15): arguments become a JSON object and the host dispatches the
//! call (policy, provider or replay, trace); the JSON result becomes a Lumen value.

use std::rc::Rc;

use lumen_compile::TOOL_EFFECT;
use lumen_compile::program::ToolInfo;

use super::{Step, Vm};
use crate::builtins::encoding::{json_to_value, to_json_value};
use crate::host::{Grant, ToolRequest};
use crate::value::{FuncObj, Value};

/// A tool alias as the interpreter needs it.
pub(super) struct ToolRt {
    info: ToolInfo,
    grants: Vec<Grant>,
}

impl ToolRt {
    pub(super) fn new(info: &ToolInfo) -> ToolRt {
        let grants = info
            .grants
            .iter()
            .map(|(key, text)| Grant {
                key: key.clone(),
                value: serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
            })
            .collect();
        ToolRt { info: info.clone(), grants }
    }
}

impl Vm<'_> {
    /// Calls the tool of call site `site` with the argument values at `args_at..`: its result,
    /// or `None` when a `handle` clause for the alias intercepted the call (its frame is pushed
    /// and its `resume` value goes to `dst`).
    pub(super) fn call_tool(&mut self, site: u32, args_at: usize, dst: usize) -> Step<Option<Value>> {
        let sites = self.tool_sites.clone();
        let tools = self.tools.clone();
        let site = sites.get(site as usize).ok_or("bad tool call site")?;
        let tool = tools.get(site.tool as usize).ok_or("bad tool")?;
        let alias = tool.info.alias.as_str();
        let mut args = serde_json::Map::new();
        for (i, name) in site.arg_names.iter().enumerate() {
            let json = to_json_value(&self.regs[args_at + i])
                .map_err(|e| format!("tool error: {alias}: invalid_args: argument `{name}`: {e}"))?;
            args.insert(name.clone(), json);
        }
        // `expect schema T`: the JSON Schema of `T`, and its GBNF grammar for providers that
        // constrain sampling with one; a call's own `schema` or `grammar` argument wins.
        if let Some(schema) = &site.schema_json
            && !args.contains_key("schema")
            && let Ok(json) = serde_json::from_str(schema)
        {
            args.insert("schema".to_string(), json);
            if let Some(grammar) = &site.grammar
                && !args.contains_key("grammar")
            {
                args.insert("grammar".to_string(), serde_json::Value::String(grammar.clone()));
            }
        }
        if let Some(params) = self.interceptor_params(alias) {
            // The clause's parameters take the call's named arguments by name (null when absent).
            let at = self.regs.len();
            for p in params.iter() {
                let v = args.get(&**p).cloned().map(json_to_value).unwrap_or(Value::Null);
                self.regs.push(v);
            }
            self.perform(TOOL_EFFECT, alias, at, params.len(), dst)?;
            return Ok(None);
        }
        let req = ToolRequest {
            alias,
            path: site.path.as_deref().unwrap_or(&tool.info.path),
            version: tool.info.version.as_deref(),
            provider: tool.info.provider.as_deref(),
            mcp_command: tool.info.mcp_command.as_deref(),
            args,
            grants: &tool.grants,
        };
        let result = self.host.call_tool(req)?;
        Ok(Some(json_to_value(result)))
    }

    /// The parameter names of the innermost installed clause intercepting tool `alias`.
    fn interceptor_params(&self, alias: &str) -> Option<Rc<[Rc<str>]>> {
        let clause = self
            .handlers
            .iter()
            .rev()
            .find_map(|h| h.clauses.iter().find(|c| &*c.effect == TOOL_EFFECT && &*c.op == alias))?;
        match &clause.func {
            Value::Func(f) => match &**f {
                FuncObj::Closure { proto, .. } => Some(self.funcs[*proto as usize].params.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}
