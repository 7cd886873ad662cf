//! Tools, grants, agents and process declarations (LANGUAGE.md 3.3.8-3.3.10).

use super::Parser;
use crate::ast::{
    AgentDecl, Expr, ExprKind, GrantConstraint, GrantDecl, Ident, Member, MemberKind, ProcessDecl, ProcessKind,
    StateDecl, StateItem, StateItemKind, ToolSource, UnaryOp, UseToolDecl,
};
use crate::diagnostic::{Diagnostic, codes};
use crate::token::{Keyword, StrPart, TokenKind};

impl<'a> Parser<'a> {
    /// `use tool a.b[@version] as X [from "provider"]` / `use tool mcp "command" as X`
    pub(crate) fn parse_use_tool(&mut self) -> UseToolDecl {
        let start = self.bump().span; // use
        if self.at_word("tool") {
            self.bump();
        } else {
            self.error_expected("`tool` after `use`");
        }
        let source = if self.at_word("mcp") && matches!(self.peek_nth(1), TokenKind::Str(_) | TokenKind::RawStr(_)) {
            self.bump();
            ToolSource::Mcp(self.parse_plain_string("the MCP server command"))
        } else {
            let mut path = Vec::new();
            while let Some(seg) = self.expect_field_name("a tool path such as `llm.chat`") {
                path.push(seg);
                if !self.eat(&TokenKind::Dot) {
                    break;
                }
            }
            let mut version = None;
            if let Some(at) = self.eat_tok(&TokenKind::At) {
                // The version runs to `as`: `@2`, `@1.2.0`.
                let mut end = at.span.end;
                while !matches!(self.peek(), TokenKind::Kw(Keyword::As) | TokenKind::Newline | TokenKind::Eof) {
                    end = self.bump().span.end;
                }
                let text = self.src.get(at.span.end as usize..end as usize).unwrap_or("").trim().to_string();
                if text.is_empty() {
                    self.error_expected("a version after `@`");
                }
                version = Some(text);
            }
            ToolSource::Path { path, version, provider: None }
        };
        self.expect_kw(Keyword::As);
        let alias = self.expect_ident("a tool alias").unwrap_or_else(|| self.missing_ident());
        let mut source = source;
        if self.at_word("from") {
            self.bump();
            let provider = self.parse_plain_string("a provider name");
            if let ToolSource::Path { provider: slot, .. } = &mut source {
                *slot = Some(provider);
            }
        }
        let span = start.to(self.prev_span());
        self.expect_line_end();
        UseToolDecl { source, alias, span }
    }

    /// A string literal without interpolation.
    fn parse_plain_string(&mut self, what: &str) -> String {
        let tok = self.tok();
        match &tok.kind {
            TokenKind::RawStr(text) => {
                self.bump();
                text.clone()
            }
            TokenKind::Str(parts) => {
                self.bump();
                let mut text = String::new();
                for part in parts {
                    match part {
                        StrPart::Text(t) => text.push_str(t),
                        StrPart::Interp { span, .. } => self.error(
                            Diagnostic::error(codes::UNEXPECTED_TOKEN, "interpolation is not allowed here", *span)
                                .with_label("expected plain text"),
                        ),
                    }
                }
                text
            }
            _ => {
                self.error_expected(what);
                String::new()
            }
        }
    }

    /// `grant Alias key value ...` on one line, or constraint lines indented under it.
    pub(crate) fn parse_grant(&mut self) -> GrantDecl {
        let grant_tok = self.bump();
        let alias = self.expect_ident("a tool alias").unwrap_or_else(|| self.missing_ident());
        let mut constraints = Vec::new();
        self.parse_constraints_on_line(&mut constraints);
        if self.tokens[self.pos].kind == TokenKind::Newline && self.tokens[self.pos + 1].indent > grant_tok.indent {
            // Block form: the following deeper-indented lines hold constraints.
            self.skip_newlines();
            while self.tokens[self.pos].indent > grant_tok.indent
                && !matches!(self.tokens[self.pos].kind, TokenKind::Eof | TokenKind::Kw(Keyword::End))
            {
                let before = self.pos;
                self.parse_constraints_on_line(&mut constraints);
                self.expect_line_end();
                self.skip_newlines();
                if self.pos == before {
                    self.bump();
                }
            }
        }
        let span = grant_tok.span.to(self.prev_span());
        self.expect_line_end();
        GrantDecl { alias, constraints, span }
    }

    fn parse_constraints_on_line(&mut self, out: &mut Vec<GrantConstraint>) {
        while !matches!(self.tokens[self.pos].kind, TokenKind::Newline | TokenKind::Eof) {
            let before = self.pos;
            let Some(key) = self.field_name() else {
                self.error_expected("a grant constraint such as `timeout_ms 5000`");
                self.recover_line();
                return;
            };
            let value = self.parse_grant_value();
            let span = key.span.to(value.span);
            out.push(GrantConstraint { key, value, span });
            if self.pos == before {
                break;
            }
        }
    }

    /// A literal, list, name, parenthesized expression or negative number.
    fn parse_grant_value(&mut self) -> Expr {
        if let Some(minus) = self.eat_tok(&TokenKind::Minus) {
            let operand = self.parse_primary();
            let span = minus.span.to(operand.span);
            return Expr { kind: ExprKind::Unary { op: UnaryOp::Neg, operand: Box::new(operand) }, span };
        }
        if matches!(self.peek(), TokenKind::Newline | TokenKind::Eof) {
            self.error_expected("a value for the constraint");
            return self.error_expr();
        }
        self.parse_primary()
    }

    pub(crate) fn parse_agent(&mut self) -> AgentDecl {
        let tok = self.bump();
        let name = self.expect_ident("an agent name").unwrap_or_else(|| self.missing_ident());
        let block = self.open_block("agent", tok);
        let mut members = Vec::new();
        self.parse_body_lines(block, |p| {
            if let Some(member) = p.parse_member(None) {
                members.push(member);
            }
        });
        AgentDecl { name, members }
    }

    pub(crate) fn parse_process(&mut self, kind: ProcessKind) -> ProcessDecl {
        let tok = self.bump();
        let name = self.expect_ident("a process name").unwrap_or_else(|| self.missing_ident());
        let block = self.open_block(kind.as_str(), tok);
        let mut members = Vec::new();
        self.parse_body_lines(block, |p| {
            if let Some(member) = p.parse_member(Some(kind)) {
                members.push(member);
            }
        });
        ProcessDecl { kind, name, members }
    }

    /// One member of an agent (`kind` is `None`) or process body.
    fn parse_member(&mut self, kind: Option<ProcessKind>) -> Option<Member> {
        let start = self.span();
        let doc = self.take_doc();
        let attrs = self.parse_attributes();
        let next = self.peek_nth(1).clone();
        let member = match self.peek() {
            TokenKind::Kw(Keyword::Cell | Keyword::Async) => {
                MemberKind::Cell(Box::new(self.parse_cell_decl(attrs.clone(), doc.clone(), true)?))
            }
            TokenKind::Kw(Keyword::Use) => MemberKind::UseTool(self.parse_use_tool()),
            TokenKind::Kw(Keyword::Grant) => MemberKind::Grant(self.parse_grant()),
            TokenKind::Kw(Keyword::Role) => {
                let role = self.parse_role_block();
                self.expect_line_end();
                MemberKind::Role(role)
            }
            TokenKind::Ident(word) if word == "stages" && next == TokenKind::Colon => self.parse_stages(),
            TokenKind::Ident(word)
                if word == "initial" && next == TokenKind::Colon && kind == Some(ProcessKind::Machine) =>
            {
                self.bump();
                self.bump();
                let state = self.expect_ident("the initial state's name").unwrap_or_else(|| self.missing_ident());
                self.expect_line_end();
                MemberKind::Initial(state)
            }
            TokenKind::Ident(word) if word == "state" && matches!(next, TokenKind::Ident(_)) => {
                MemberKind::State(self.parse_state())
            }
            TokenKind::Ident(_) | TokenKind::Kw(_) if next == TokenKind::Colon => {
                let key = self.field_name().unwrap_or_else(|| self.missing_ident());
                self.bump(); // :
                let value = self.parse_expr();
                self.expect_line_end();
                MemberKind::Config { key, value }
            }
            _ => {
                let found = self.peek().describe();
                let span = self.span();
                let container = kind.map_or("agent", ProcessKind::as_str);
                self.error(
                    Diagnostic::error(codes::INVALID_MEMBER, format!("unexpected {found} in {container} body"), span)
                        .with_label("not a member")
                        .with_help("members are cells, `use tool`, `grant`, `role`, `key: value` entries and, per kind, `stages:`, `initial:` and `state`"),
                );
                self.recover_line();
                return None;
            }
        };
        Some(Member { kind: member, attrs, doc, span: start.to(self.prev_span()) })
    }

    /// `stages:` followed by `-> name` lines indented under it.
    fn parse_stages(&mut self) -> MemberKind {
        let stages_tok = self.bump();
        self.bump(); // :
        let mut stages: Vec<Ident> = Vec::new();
        // One-line form: `stages: -> a -> b`
        while self.eat(&TokenKind::Arrow) {
            if let Some(stage) = self.expect_ident("a stage cell name") {
                stages.push(stage);
            }
        }
        self.expect_line_end();
        self.skip_newlines();
        while self.tokens[self.pos].indent > stages_tok.indent && self.tokens[self.pos].kind == TokenKind::Arrow {
            self.bump();
            if let Some(stage) = self.expect_ident("a stage cell name") {
                stages.push(stage);
            }
            self.expect_line_end();
            self.skip_newlines();
        }
        MemberKind::Stages(stages)
    }

    /// `state Name[(params)] NL items end`
    fn parse_state(&mut self) -> StateDecl {
        let tok = self.bump();
        let name = self.expect_ident("a state name").unwrap_or_else(|| self.missing_ident());
        let params =
            if self.tokens[self.pos].kind == TokenKind::LParen { self.parse_params("state") } else { Vec::new() };
        let block = self.open_block("state", tok);
        let mut items = Vec::new();
        self.parse_body_lines(block, |p| {
            if let Some(item) = p.parse_state_item() {
                items.push(item);
            }
        });
        self.expect_line_end();
        StateDecl { name, params, items }
    }

    fn parse_state_item(&mut self) -> Option<StateItem> {
        let tok = self.tok();
        let word = match &tok.kind {
            TokenKind::Ident(word) => word.as_str(),
            _ => "",
        };
        let kind = match word {
            "terminal" | "guard" => {
                self.bump();
                self.expect(&TokenKind::Colon, "`:`");
                if word == "guard" {
                    StateItemKind::Guard(self.parse_expr())
                } else if self.eat_kw(Keyword::True) {
                    StateItemKind::Terminal(true)
                } else if self.eat_kw(Keyword::False) {
                    StateItemKind::Terminal(false)
                } else {
                    self.error_expected("`true` or `false`");
                    self.recover_line();
                    return None;
                }
            }
            "transition" => {
                self.bump();
                let target = self.expect_ident("a target state")?;
                let args = if self.tokens[self.pos].kind == TokenKind::LParen {
                    self.parse_call_args().0.into_iter().map(|a| a.value).collect()
                } else {
                    Vec::new()
                };
                StateItemKind::Transition { target, args }
            }
            "on_enter" | "on_exit" => {
                let hook = self.bump();
                let keyword = if word == "on_enter" { "on_enter" } else { "on_exit" };
                let block = self.open_block(keyword, hook);
                let body = self.in_lines(|p| {
                    p.expect_line_end();
                    p.parse_block()
                });
                self.close_block(block);
                if keyword == "on_enter" { StateItemKind::OnEnter(body) } else { StateItemKind::OnExit(body) }
            }
            _ => {
                let found = tok.kind.describe();
                self.error(
                    Diagnostic::error(
                        codes::INVALID_MEMBER,
                        format!("unexpected {found} in a machine state"),
                        tok.span,
                    )
                    .with_label("not a state item")
                    .with_help("a state holds `terminal:`, `guard:`, `transition`, `on_enter` and `on_exit`"),
                );
                self.recover_line();
                return None;
            }
        };
        let span = tok.span.to(self.prev_span());
        self.expect_line_end();
        Some(StateItem { kind, span })
    }
}
