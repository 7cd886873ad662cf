//! Tool aliases, their grants and their calls (LANGUAGE.md 5.15, 7.1, 7.2). Policy enforcement
//! and dispatch happen in the host; the compiler checks the static rules and records what the
//! host needs.

use lumen_syntax::Span;
use lumen_syntax::ast::{self, Arg, Expr, ExprKind, GrantDecl, StrSegment, ToolSource, UnaryOp, UseToolDecl};

use super::{Compiler, Global, codes};
use crate::bytecode::{Instr, Reg};
use crate::program::{ToolInfo, ToolSite};

impl<'a> Compiler<'a> {
    /// Tool aliases declared inside an agent or process: in scope (with that scope's grants) while
    /// its cells compile. Returns the names they shadow, to restore with `end_scoped_tools`.
    pub(crate) fn begin_scoped_tools(&mut self, members: &'a [ast::Member]) -> Vec<(String, Option<Global>)> {
        let mut shadowed = Vec::new();
        for member in members {
            if let ast::MemberKind::UseTool(tool) = &member.kind {
                let before = self.globals.get(&tool.alias.name).cloned();
                shadowed.push((tool.alias.name.clone(), before));
                let idx = self.tool_info(tool);
                self.globals.insert(tool.alias.name.clone(), Global::Tool(idx));
            }
        }
        for member in members {
            if let ast::MemberKind::Grant(grant) = &member.kind {
                self.attach_grant(grant);
            }
        }
        shadowed
    }

    pub(crate) fn end_scoped_tools(&mut self, shadowed: Vec<(String, Option<Global>)>) {
        for (name, before) in shadowed.into_iter().rev() {
            match before {
                Some(global) => self.globals.insert(name, global),
                None => self.globals.remove(&name),
            };
        }
    }

    pub(crate) fn declare_tool(&mut self, tool: &UseToolDecl) {
        let idx = self.tool_info(tool);
        self.define(&tool.alias.name, Global::Tool(idx), tool.alias.span);
    }

    fn tool_info(&mut self, tool: &UseToolDecl) -> u32 {
        let mut info = ToolInfo { alias: tool.alias.name.clone(), ..ToolInfo::default() };
        match &tool.source {
            ToolSource::Path { path, version, provider } => {
                info.path = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                info.version.clone_from(version);
                info.provider.clone_from(provider);
            }
            ToolSource::Mcp(command) => info.mcp_command = Some(command.clone()),
        }
        let idx = self.program.tools.len() as u32;
        self.program.tools.push(info);
        idx
    }

    /// Attaches the module's `grant` lines to their aliases (after all aliases are declared).
    pub(crate) fn attach_grants(&mut self, module: &'a ast::Module) {
        for item in &module.items {
            if let ast::ItemKind::Grant(grant) = &item.kind {
                self.attach_grant(grant);
            }
        }
    }

    fn attach_grant(&mut self, grant: &GrantDecl) {
        let Some(Global::Tool(idx)) = self.globals.get(&grant.alias.name).cloned() else {
            self.error(
                codes::TOOL_MISUSE,
                format!("`grant {}` names no tool alias", grant.alias.name),
                grant.alias.span,
            );
            return;
        };
        let mut constraints = Vec::new();
        for c in &grant.constraints {
            match literal_json(&c.value) {
                Some(json) => constraints.push((c.key.name.clone(), json)),
                None => self.error(
                    codes::TOOL_MISUSE,
                    format!("the value of grant key `{}` must be a literal", c.key.name),
                    c.value.span,
                ),
            }
        }
        let info = &mut self.program.tools[idx as usize];
        info.granted = true;
        info.grants.extend(constraints);
    }

    /// `Alias(name: value, ...)`, or `Alias.tool(...)` for an MCP alias.
    pub(crate) fn tool_call(&mut self, tool: u32, path: Option<&str>, args: &'a [Arg], dst: Reg, span: Span) {
        let info = &self.program.tools[tool as usize];
        let (alias, granted, is_mcp) = (info.alias.clone(), info.granted, info.mcp_command.is_some());
        if !granted {
            self.error(codes::TOOL_MISUSE, format!("tool {alias} is used without a grant"), span);
        }
        if path.is_none() && is_mcp {
            self.error(
                codes::TOOL_MISUSE,
                format!("`{alias}` is an MCP server: call one of its tools, `{alias}.tool_name(...)`"),
                span,
            );
        }
        // Taken before the arguments compile, so that a tool call inside them does not get it.
        let schema_json = self.pending_tool_schema.take();
        let mut arg_names = Vec::new();
        let mut named = Vec::new();
        let mut roles = Vec::new();
        for arg in args {
            match (&arg.name, &arg.value.kind) {
                (Some(name), _) if !arg.spread => {
                    arg_names.push(name.name.clone());
                    named.push(&arg.value);
                }
                // `role user: "..."` arguments become the call's own messages (LANGUAGE.md 7.4).
                (None, ExprKind::Role(block)) if !arg.spread => roles.push(&**block),
                _ => self.error(
                    codes::TOOL_MISUSE,
                    format!("arguments to tool {alias} must be named (`{alias}(name: value)`)"),
                    arg.span,
                ),
            }
        }
        let start = self.alloc_n(named.len() + 1);
        for (i, value) in named.iter().enumerate() {
            self.expr_to(value, start + i as Reg);
        }
        if !arg_names.iter().any(|n| n == "messages") && self.call_messages(&roles, start + named.len() as Reg) {
            arg_names.push("messages".to_string());
        }
        let site = self.program.tool_sites.len() as u32;
        self.program.tool_sites.push(ToolSite {
            tool,
            path: path.map(str::to_string),
            arg_names,
            schema_json,
            grammar: None,
        });
        self.emit(Instr::CallTool { dst, site, args: start });
    }
}

/// A grant value as JSON text, when it is a literal (numbers, strings without interpolation,
/// booleans, null, lists of those).
pub(crate) fn literal_json(e: &Expr) -> Option<String> {
    Some(match &e.kind {
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) if f.is_finite() => format!("{f:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".to_string(),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => match &operand.kind {
            ExprKind::Int(i) => format!("-{i}"),
            ExprKind::Float(f) if f.is_finite() => format!("-{f:?}"),
            _ => return None,
        },
        ExprKind::Str(segments) => {
            let mut text = String::new();
            for s in segments {
                match s {
                    StrSegment::Text(t) => text.push_str(t),
                    StrSegment::Interp { .. } => return None,
                }
            }
            json_string(&text)
        }
        ExprKind::List(items) => {
            let parts: Option<Vec<String>> =
                items.iter().map(|el| if el.spread { None } else { literal_json(&el.expr) }).collect();
            format!("[{}]", parts?.join(","))
        }
        ExprKind::Paren(inner) => literal_json(inner)?,
        _ => return None,
    })
}

pub(crate) fn json_string(s: &str) -> String {
    quoted(s, |c| (u32::from(c) < 0x20).then(|| format!("\\u{:04x}", u32::from(c))))
}

/// `text` in double quotes with `"`, `\`, newline, carriage return and tab escaped; every other
/// character is written as `escape` says (`None`: as is). JSON and GBNF literals share this.
pub(crate) fn quoted(text: &str, escape: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => match escape(c) {
                Some(escaped) => out.push_str(&escaped),
                None => out.push(c),
            },
        }
    }
    out.push('"');
    out
}
