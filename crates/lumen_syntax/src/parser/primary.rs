//! Primary expressions: literals, names, collections, lambdas and the keyword-led forms.

use super::Parser;
use crate::ast::{
    CompClause, Element, Expr, ExprKind, Ident, Lambda, LambdaBody, MapEntry, RoleBlock, RoleContent, StrSegment,
};
use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, StrPart, Token, TokenKind};

impl<'a> Parser<'a> {
    pub(crate) fn parse_primary(&mut self) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let expr = self.grow(Self::parse_primary_inner);
        self.leave();
        expr
    }

    fn parse_primary_inner(&mut self) -> Expr {
        let tok = self.tok();
        let span = tok.span;
        let simple = |kind| Expr { kind, span };
        match &tok.kind {
            TokenKind::Int(n) => {
                self.bump();
                match i64::try_from(*n) {
                    Ok(v) => simple(ExprKind::Int(v)),
                    Err(_) => {
                        self.error(
                            Diagnostic::error(codes::INT_OUT_OF_RANGE, "integer literal is too large for Int", span)
                                .with_label("larger than 9223372036854775807")
                                .with_help("only `-9223372036854775808` may be written beyond the maximum"),
                        );
                        simple(ExprKind::Int(0))
                    }
                }
            }
            TokenKind::Float(f) => {
                self.bump();
                simple(ExprKind::Float(*f))
            }
            TokenKind::Str(parts) => {
                self.bump();
                let segments = self.convert_parts(parts);
                simple(ExprKind::Str(segments))
            }
            TokenKind::RawStr(text) => {
                self.bump();
                simple(ExprKind::Str(vec![StrSegment::Text(text.clone())]))
            }
            TokenKind::Bytes(bytes) => {
                self.bump();
                simple(ExprKind::Bytes(bytes.clone()))
            }
            TokenKind::Kw(Keyword::True) => {
                self.bump();
                simple(ExprKind::Bool(true))
            }
            TokenKind::Kw(Keyword::False) => {
                self.bump();
                simple(ExprKind::Bool(false))
            }
            TokenKind::Kw(Keyword::Null) => {
                self.bump();
                simple(ExprKind::Null)
            }
            TokenKind::Kw(Keyword::SelfKw) => {
                self.bump();
                simple(ExprKind::SelfValue)
            }
            TokenKind::Kw(kw @ (Keyword::Ok | Keyword::Err)) => {
                self.bump();
                Parser::ident_expr(Ident { name: kw.as_str().to_string(), span })
            }
            TokenKind::Ident(name) => {
                if name == "do" && self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == TokenKind::Newline) {
                    return self.parse_do();
                }
                self.bump();
                let ident = Ident { name: name.clone(), span };
                if self.at_macro_bang(span) {
                    return self.parse_macro_call(ident);
                }
                Parser::ident_expr(ident)
            }
            TokenKind::LParen => self.parse_paren(),
            TokenKind::LBracket => self.parse_list(),
            TokenKind::LBrace => self.parse_brace(),
            TokenKind::Kw(Keyword::Fn) => self.parse_lambda(),
            TokenKind::Kw(Keyword::If) => self.parse_if(),
            TokenKind::Kw(Keyword::Match) => self.parse_match(),
            TokenKind::Kw(Keyword::When) => self.parse_when(),
            TokenKind::Kw(Keyword::Loop | Keyword::While | Keyword::For) => self.parse_loop(),
            TokenKind::Kw(Keyword::Comptime) => self.parse_comptime(),
            TokenKind::Kw(Keyword::Perform) => self.parse_perform(),
            TokenKind::Kw(Keyword::Handle) => self.parse_handle(),
            TokenKind::Kw(Keyword::Resume) => self.parse_resume(),
            TokenKind::Kw(Keyword::Try) => self.parse_try(),
            TokenKind::Kw(Keyword::Role) => self.parse_role_expr(),
            _ => {
                self.error_expected("an expression");
                let tok = self.tok();
                // Do not swallow tokens that close or continue an enclosing construct.
                let keep = matches!(
                    tok.kind,
                    TokenKind::Newline
                        | TokenKind::Eof
                        | TokenKind::RParen
                        | TokenKind::RBracket
                        | TokenKind::RBrace
                        | TokenKind::Comma
                        | TokenKind::Kw(Keyword::End | Keyword::Else | Keyword::With)
                );
                if !keep {
                    self.bump();
                }
                Expr { kind: ExprKind::Error, span }
            }
        }
    }

    /// Converts lexed string parts, parsing each interpolation.
    pub(crate) fn convert_parts(&mut self, parts: &'a [StrPart]) -> Vec<StrSegment> {
        parts
            .iter()
            .map(|part| match part {
                StrPart::Text(text) => StrSegment::Text(text.clone()),
                StrPart::Interp { tokens, spec, span } => {
                    let expr = self.parse_sub_expr(tokens, *span);
                    StrSegment::Interp { expr: Box::new(expr), spec: spec.clone(), span: *span }
                }
            })
            .collect()
    }

    /// Parses the tokens of one interpolation as an expression.
    fn parse_sub_expr(&mut self, tokens: &'a [Token], span: Span) -> Expr {
        if tokens.len() <= 1 {
            self.error(
                Diagnostic::error(codes::EXPECTED_EXPRESSION, "empty interpolation", span)
                    .with_label("expected an expression"),
            );
            return Expr { kind: ExprKind::Error, span };
        }
        let saved = (self.tokens, self.pos, self.stmt_indent);
        self.tokens = tokens;
        self.pos = 0;
        self.newline_modes.push(true);
        let expr = self.parse_expr();
        if !self.at_eof() {
            self.error_expected("`}` to end the interpolation");
        }
        self.newline_modes.pop();
        (self.tokens, self.pos, self.stmt_indent) = saved;
        if self.abandoned {
            self.pos = self.tokens.len() - 1;
        }
        expr
    }

    /// `name!(` written without spaces starts a macro call.
    fn at_macro_bang(&mut self, name_span: Span) -> bool {
        let bang = &self.tokens[self.pos];
        bang.kind == TokenKind::Bang
            && bang.span.start == name_span.end
            && self
                .tokens
                .get(self.pos + 1)
                .is_some_and(|t| t.kind == TokenKind::LParen && t.span.start == bang.span.end)
    }

    fn parse_macro_call(&mut self, name: Ident) -> Expr {
        self.bump(); // !
        let (args, end) = self.parse_call_args();
        let mut exprs = Vec::with_capacity(args.len());
        for arg in args {
            if arg.name.is_some() || arg.spread {
                self.error(
                    Diagnostic::error(codes::UNEXPECTED_TOKEN, "macro arguments must be plain expressions", arg.span)
                        .with_label("named or spread argument"),
                );
            }
            exprs.push(arg.value);
        }
        let span = name.span.to(end);
        Expr { kind: ExprKind::MacroCall { name, args: exprs }, span }
    }

    /// `()`, `(e)`, `(e,)`, `(a, b, ...)`
    fn parse_paren(&mut self) -> Expr {
        let open = self.bump().span;
        self.in_brackets(|p| {
            if p.eat(&TokenKind::RParen) {
                return Expr { kind: ExprKind::Tuple(Vec::new()), span: open.to(p.prev_span()) };
            }
            let first = p.parse_expr();
            if !p.at(&TokenKind::Comma) {
                if !p.expect(&TokenKind::RParen, "`)`") {
                    p.skip_to_closer(&TokenKind::RParen);
                }
                return Expr { kind: ExprKind::Paren(Box::new(first)), span: open.to(p.prev_span()) };
            }
            let mut items = vec![first];
            while p.eat(&TokenKind::Comma) {
                if p.at(&TokenKind::RParen) {
                    break;
                }
                let before = p.pos;
                items.push(p.parse_expr());
                if p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RParen, "`,` or `)`") {
                p.skip_to_closer(&TokenKind::RParen);
            }
            Expr { kind: ExprKind::Tuple(items), span: open.to(p.prev_span()) }
        })
    }

    fn parse_element(&mut self) -> Element {
        if self.eat(&TokenKind::Ellipsis) {
            Element { expr: self.parse_expr(), spread: true }
        } else {
            Element { expr: self.parse_expr(), spread: false }
        }
    }

    /// `[a, b]`, `[...xs]`, `[e for x in xs if c]`
    fn parse_list(&mut self) -> Expr {
        let open = self.bump().span;
        self.in_brackets(|p| {
            let mut items = Vec::new();
            if !p.at(&TokenKind::RBracket) {
                let first = p.parse_element();
                if !first.spread && p.at_kw(Keyword::For) {
                    let clauses = p.parse_comp_clauses();
                    p.close_bracket(&TokenKind::RBracket, "`]`");
                    let span = open.to(p.prev_span());
                    return Expr { kind: ExprKind::ListComp { element: Box::new(first.expr), clauses }, span };
                }
                items.push(first);
                while p.eat(&TokenKind::Comma) {
                    if p.at(&TokenKind::RBracket) {
                        break;
                    }
                    let before = p.pos;
                    items.push(p.parse_element());
                    if p.pos == before {
                        break;
                    }
                }
            }
            p.close_bracket(&TokenKind::RBracket, "`,` or `]`");
            Expr { kind: ExprKind::List(items), span: open.to(p.prev_span()) }
        })
    }

    fn close_bracket(&mut self, closer: &TokenKind, what: &str) {
        if !self.expect(closer, what) {
            self.skip_to_closer(closer);
        }
    }

    /// `{}` (empty map), `{k: v}`, `{a, b}` (set) and map/set comprehensions.
    fn parse_brace(&mut self) -> Expr {
        let open = self.bump().span;
        self.in_brackets(|p| {
            if p.eat(&TokenKind::RBrace) {
                return Expr { kind: ExprKind::Map(Vec::new()), span: open.to(p.prev_span()) };
            }
            let mut entries: Vec<MapEntry> = Vec::new();
            let mut elements: Vec<Element> = Vec::new();
            let mut is_map: Option<bool> = None;
            loop {
                let before = p.pos;
                if p.eat(&TokenKind::Ellipsis) {
                    let expr = p.parse_expr();
                    entries.push(MapEntry::Spread(expr.clone()));
                    elements.push(Element { expr, spread: true });
                } else {
                    let key = p.parse_expr();
                    if p.eat(&TokenKind::Colon) {
                        if is_map == Some(false) {
                            p.error_set_map_mix(key.span);
                        }
                        is_map = Some(true);
                        let value = p.parse_expr();
                        if entries.is_empty() && p.at_kw(Keyword::For) {
                            let clauses = p.parse_comp_clauses();
                            p.close_bracket(&TokenKind::RBrace, "`}`");
                            let span = open.to(p.prev_span());
                            let kind = ExprKind::MapComp { key: Box::new(key), value: Box::new(value), clauses };
                            return Expr { kind, span };
                        }
                        entries.push(MapEntry::Pair { key, value });
                    } else {
                        if is_map == Some(true) {
                            p.error_set_map_mix(key.span);
                        }
                        is_map = Some(false);
                        if elements.is_empty() && p.at_kw(Keyword::For) {
                            let clauses = p.parse_comp_clauses();
                            p.close_bracket(&TokenKind::RBrace, "`}`");
                            let span = open.to(p.prev_span());
                            return Expr { kind: ExprKind::SetComp { element: Box::new(key), clauses }, span };
                        }
                        elements.push(Element { expr: key, spread: false });
                    }
                }
                if !p.eat(&TokenKind::Comma) || p.at(&TokenKind::RBrace) || p.pos == before {
                    break;
                }
            }
            p.close_bracket(&TokenKind::RBrace, "`,` or `}`");
            let span = open.to(p.prev_span());
            // A literal made only of spreads is a map merge.
            if is_map == Some(false) {
                Expr { kind: ExprKind::Set(elements), span }
            } else {
                Expr { kind: ExprKind::Map(entries), span }
            }
        })
    }

    fn error_set_map_mix(&mut self, span: Span) {
        self.error(
            Diagnostic::error(codes::UNEXPECTED_TOKEN, "a literal in braces is either a map or a set", span)
                .with_label("this entry does not match the others")
                .with_help("write every entry as `key: value` for a map, or as a plain value for a set"),
        );
    }

    /// `for pattern in iter` and `if cond` clauses of a comprehension.
    fn parse_comp_clauses(&mut self) -> Vec<CompClause> {
        let mut clauses = Vec::new();
        loop {
            if self.eat_kw(Keyword::For) {
                let pattern = self.parse_pattern_top();
                self.expect_kw(Keyword::In);
                let iter = self.parse_expr();
                clauses.push(CompClause::For { pattern, iter });
            } else if self.eat_kw(Keyword::If) {
                clauses.push(CompClause::If(self.parse_expr()));
            } else {
                return clauses;
            }
        }
    }

    /// `fn(params) [-> T] => expr` or `fn(params) [-> T] NL block end`
    fn parse_lambda(&mut self) -> Expr {
        let fn_tok = self.bump();
        let params = self.parse_params("lambda");
        let ret = if self.eat(&TokenKind::Arrow) { Some(self.parse_type()) } else { None };
        if let Some(arrow) = self.eat_tok(&TokenKind::FatArrow) {
            self.skip_offside_newline(arrow);
            let body = self.parse_expr();
            let span = fn_tok.span.to(body.span);
            let lambda = Lambda { params, ret, body: LambdaBody::Expr(body) };
            return Expr { kind: ExprKind::Lambda(Box::new(lambda)), span };
        }
        let block = self.open_block("fn", fn_tok);
        let body = self.in_lines(|p| {
            p.expect_line_end();
            p.parse_block()
        });
        let end = self.close_block(block);
        let lambda = Lambda { params, ret, body: LambdaBody::Block(body) };
        Expr { kind: ExprKind::Lambda(Box::new(lambda)), span: fn_tok.span.to(end) }
    }

    pub(crate) fn eat_tok(&mut self, kind: &TokenKind) -> Option<&'a Token> {
        if self.at(kind) { Some(self.bump()) } else { None }
    }

    /// After `=>` at the end of a line: the body continues on the deeper-indented next line.
    pub(crate) fn skip_offside_newline(&mut self, arrow: &Token) {
        if self.tokens[self.pos].kind == TokenKind::Newline && self.tokens[self.pos + 1].indent > arrow.indent {
            self.pos += 1;
        }
    }

    /// `do NL block end` (`do` is not reserved: it starts a block only at the end of a line)
    fn parse_do(&mut self) -> Expr {
        let do_tok = self.bump();
        let block = self.open_block("do", do_tok);
        let body = self.in_lines(|p| {
            p.expect_line_end();
            p.parse_block()
        });
        let end = self.close_block(block);
        Expr { kind: ExprKind::Do(body), span: do_tok.span.to(end) }
    }

    /// `comptime expr end` or `comptime NL block end`
    fn parse_comptime(&mut self) -> Expr {
        let tok = self.bump();
        let block = self.open_block("comptime", tok);
        let body = self.in_lines(|p| {
            if p.tokens[p.pos].kind == TokenKind::Newline {
                p.expect_line_end();
                p.parse_block()
            } else {
                let expr = p.parse_expr();
                let span = expr.span;
                crate::ast::Block {
                    stmts: vec![crate::ast::Stmt { kind: crate::ast::StmtKind::Expr(expr), attrs: Vec::new(), span }],
                    span,
                }
            }
        });
        let end = self.close_block(block);
        Expr { kind: ExprKind::Comptime(body), span: tok.span.to(end) }
    }

    /// `perform Effect.op(args)`
    fn parse_perform(&mut self) -> Expr {
        let tok = self.bump();
        let effect = self.expect_ident("an effect name").unwrap_or_else(|| self.missing_ident());
        self.expect(&TokenKind::Dot, "`.` and an operation name");
        let op = self.expect_field_name("an operation name").unwrap_or_else(|| self.missing_ident());
        let args = if self.at(&TokenKind::LParen) {
            self.parse_call_args().0
        } else {
            self.error_expected("`(` and the operation's arguments");
            Vec::new()
        };
        Expr { kind: ExprKind::Perform { effect, op, args }, span: tok.span.to(self.prev_span()) }
    }

    /// `resume(v)` / `resume()`
    fn parse_resume(&mut self) -> Expr {
        let tok = self.bump();
        let mut value = None;
        if self.at(&TokenKind::LParen) {
            let (mut args, _) = self.parse_call_args();
            if args.len() > 1 {
                self.error(
                    Diagnostic::error(codes::UNEXPECTED_TOKEN, "`resume` takes at most one value", args[1].span)
                        .with_label("extra argument"),
                );
            }
            if !args.is_empty() {
                value = Some(Box::new(args.swap_remove(0).value));
            }
        } else {
            self.error_expected("`(` after `resume`");
        }
        Expr { kind: ExprKind::Resume(value), span: tok.span.to(self.prev_span()) }
    }

    /// `try e`, `try e else fallback`, `try e else |x| fallback`
    fn parse_try(&mut self) -> Expr {
        let tok = self.bump();
        let expr = self.parse_expr();
        let mut binding = None;
        let mut fallback = None;
        if self.tokens[self.pos].kind == TokenKind::Kw(Keyword::Else)
            || (self.newlines_ignored() && self.at_kw(Keyword::Else))
        {
            self.bump();
            if self.eat(&TokenKind::Pipe) {
                binding = self.expect_ident("a name for the error value");
                self.expect(&TokenKind::Pipe, "`|`");
            }
            fallback = Some(Box::new(self.parse_expr()));
        }
        let end = fallback.as_ref().map_or(expr.span, |f| f.span);
        Expr { kind: ExprKind::Try { expr: Box::new(expr), binding, fallback }, span: tok.span.to(end) }
    }

    /// A role block in expression position: `role NAME: text` (raw text) or, inside brackets,
    /// `role NAME: expr`.
    fn parse_role_expr(&mut self) -> Expr {
        let role = self.parse_role_block();
        let span = role.span;
        Expr { kind: ExprKind::Role(Box::new(role)), span }
    }

    pub(crate) fn parse_role_arg(&mut self) -> Expr {
        self.parse_role_expr()
    }

    pub(crate) fn parse_role_block(&mut self) -> RoleBlock {
        let tok = self.bump(); // role
        let role = self.expect_ident("a role name such as `system` or `user`").unwrap_or_else(|| self.missing_ident());
        self.expect(&TokenKind::Colon, "`:` after the role name");
        let text_tok = self.tok();
        let content = if let TokenKind::RoleText(parts) = &text_tok.kind {
            self.bump();
            RoleContent::Text(self.convert_parts(parts))
        } else {
            RoleContent::Expr(self.parse_expr())
        };
        RoleBlock { role, content, span: tok.span.to(self.prev_span()) }
    }

    /// A placeholder name after an error (recovery).
    pub(crate) fn missing_ident(&mut self) -> Ident {
        let span = self.span();
        Ident { name: String::new(), span: Span { start: span.start, end: span.start } }
    }
}
