//! Block-form expressions: `if`, `match`, `when`, loops, `handle` and `await` blocks.

use super::Parser;
use crate::ast::{
    AwaitBranch, AwaitKind, Block, Cond, Expr, ExprKind, HandleClause, HandleClauseKind, Ident, IfBranch, MatchArm,
    WhenArm,
};
use crate::token::{Keyword, Token, TokenKind};

impl<'a> Parser<'a> {
    /// `if c then a else b`, or the block form `if c NL ... [else if c NL ...] [else NL ...] end`.
    pub(crate) fn parse_if(&mut self) -> Expr {
        let if_tok = self.bump();
        self.in_lines(|p| {
            let cond = p.parse_cond();
            if p.at_kw(Keyword::Then) {
                return p.parse_if_then(if_tok, cond);
            }
            let block = p.open_block("if", if_tok);
            p.expect_line_end();
            let mut branches = vec![IfBranch { cond, body: p.parse_block() }];
            let mut otherwise = None;
            while p.at_kw(Keyword::Else) {
                p.bump();
                if p.eat_kw(Keyword::If) {
                    let cond = p.parse_cond();
                    p.expect_line_end();
                    branches.push(IfBranch { cond, body: p.parse_block() });
                } else {
                    p.expect_line_end();
                    otherwise = Some(p.parse_block());
                    break;
                }
            }
            let end = p.close_block(block);
            Expr { kind: ExprKind::If { branches, otherwise }, span: if_tok.span.to(end) }
        })
    }

    fn parse_if_then(&mut self, if_tok: &Token, cond: Cond) -> Expr {
        self.bump(); // then
        let cond = match cond {
            Cond::Expr(expr) => expr,
            Cond::Let { value, .. } => {
                self.error(
                    crate::Diagnostic::error(
                        crate::codes::UNEXPECTED_TOKEN,
                        "`if let` needs the block form",
                        value.span,
                    )
                    .with_label("`if let` cannot be used with `then`")
                    .with_help("write `if let p = e` on its own line and close it with `end`"),
                );
                value
            }
        };
        let then = self.parse_expr();
        let otherwise = if self.eat_kw(Keyword::Else) {
            self.parse_expr()
        } else {
            self.error_expected("`else` (an `if ... then` expression needs an `else` part)");
            self.error_expr()
        };
        let span = if_tok.span.to(otherwise.span.max_end(then.span));
        Expr {
            kind: ExprKind::IfThen { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(otherwise) },
            span,
        }
    }

    /// The condition of `if` or `while`: an expression or `let pattern = value`.
    pub(crate) fn parse_cond(&mut self) -> Cond {
        if self.eat_kw(Keyword::Let) {
            let pattern = self.parse_pattern_top();
            self.expect(&TokenKind::Eq, "`=` in `let` condition");
            let value = self.parse_expr();
            Cond::Let { pattern, value }
        } else {
            Cond::Expr(self.parse_expr())
        }
    }

    /// `match e NL arms end`
    pub(crate) fn parse_match(&mut self) -> Expr {
        let match_tok = self.bump();
        self.in_lines(|p| {
            let scrutinee = p.parse_expr();
            let block = p.open_block("match", match_tok);
            p.expect_line_end();
            let mut arms = Vec::new();
            loop {
                p.skip_newlines();
                if p.at_kw(Keyword::End) || p.at_eof() {
                    break;
                }
                let before = p.pos;
                if let Some(arm) = p.parse_match_arm() {
                    arms.push(arm);
                }
                if p.pos == before {
                    p.bump();
                }
            }
            let end = p.close_block(block);
            Expr { kind: ExprKind::Match { scrutinee: Box::new(scrutinee), arms }, span: match_tok.span.to(end) }
        })
    }

    fn parse_match_arm(&mut self) -> Option<MatchArm> {
        let pattern = self.parse_pattern_alternatives();
        let guard = if self.eat_kw(Keyword::If) { Some(self.parse_expr()) } else { None };
        let Some(arrow) = self.eat_tok(&TokenKind::Arrow) else {
            self.error_expected("`->` after the match pattern");
            self.recover_line();
            return None;
        };
        let body = self.parse_arm_body(arrow);
        let span = pattern.span.to(body.span.max_end(arrow.span));
        Some(MatchArm { pattern, guard, body, span })
    }

    /// The body after `->` / `=>`: one statement on the same line, or the following lines
    /// indented deeper than the line holding the arrow (offside rule).
    pub(crate) fn parse_arm_body(&mut self, arrow: &Token) -> Block {
        if self.tokens[self.pos].kind != TokenKind::Newline {
            let stmt = self.parse_stmt();
            let span = stmt.span;
            return Block { stmts: vec![stmt], span };
        }
        self.skip_newlines();
        let mut stmts = Vec::new();
        loop {
            let tok = &self.tokens[self.pos];
            if tok.indent <= arrow.indent
                || matches!(tok.kind, TokenKind::Eof | TokenKind::Kw(Keyword::End | Keyword::Else | Keyword::With))
            {
                break;
            }
            let before = self.pos;
            stmts.push(self.parse_stmt());
            if self.pos == before {
                self.bump();
            }
            self.skip_newlines();
        }
        let span = match (stmts.first(), stmts.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => arrow.span.end_point(),
        };
        if stmts.is_empty() {
            self.error(
                crate::Diagnostic::error(crate::codes::EXPECTED_EXPRESSION, "empty arm body", arrow.span)
                    .with_label("expected a statement after this arrow")
                    .with_help("put the body on the same line or indent it on the following lines"),
            );
        }
        Block { stmts, span }
    }

    /// `when NL (cond | _) -> body ... end`
    pub(crate) fn parse_when(&mut self) -> Expr {
        let when_tok = self.bump();
        self.in_lines(|p| {
            let block = p.open_block("when", when_tok);
            p.expect_line_end();
            let mut arms = Vec::new();
            loop {
                p.skip_newlines();
                if p.at_kw(Keyword::End) || p.at_eof() {
                    break;
                }
                let before = p.pos;
                let start = p.span();
                let cond = if p.at_word("_") && *p.peek_nth(1) == TokenKind::Arrow {
                    p.bump();
                    None
                } else {
                    Some(p.parse_expr())
                };
                if let Some(arrow) = p.eat_tok(&TokenKind::Arrow) {
                    let body = p.parse_arm_body(arrow);
                    arms.push(WhenArm { cond, span: start.to(body.span.max_end(arrow.span)), body });
                } else {
                    p.error_expected("`->` after the `when` condition");
                    p.recover_line();
                }
                if p.pos == before {
                    p.bump();
                }
            }
            let end = p.close_block(block);
            Expr { kind: ExprKind::When { arms }, span: when_tok.span.to(end) }
        })
    }

    /// `loop`, `while` and `for`, with an optional `@label`.
    pub(crate) fn parse_loop(&mut self) -> Expr {
        let tok = self.bump();
        self.in_lines(|p| {
            let label = p.parse_label();
            let (keyword, kind_fn): (&'static str, u8) = match tok.kind {
                TokenKind::Kw(Keyword::Loop) => ("loop", 0),
                TokenKind::Kw(Keyword::While) => ("while", 1),
                _ => ("for", 2),
            };
            let header = match kind_fn {
                0 => None,
                1 => Some((None, p.parse_cond(), None)),
                _ => {
                    let pattern = p.parse_pattern_top();
                    p.expect_kw(Keyword::In);
                    let iter = p.parse_expr();
                    let filter = if p.eat_kw(Keyword::If) { Some(Box::new(p.parse_expr())) } else { None };
                    Some((Some(pattern), crate::ast::Cond::Expr(iter), filter))
                }
            };
            let block = p.open_block(keyword, tok);
            p.expect_line_end();
            let body = p.parse_block();
            let end = p.close_block(block);
            let span = tok.span.to(end);
            let kind = match header {
                None => ExprKind::Loop { label, body },
                Some((None, cond, _)) => ExprKind::While { label, cond: Box::new(cond), body },
                Some((Some(pattern), Cond::Expr(iter), filter)) => {
                    ExprKind::For { label, pattern, iter: Box::new(iter), filter, body }
                }
                Some((Some(_), Cond::Let { .. }, _)) => ExprKind::Error,
            };
            Expr { kind, span }
        })
    }

    /// `@name` after a loop keyword or after `break` / `continue`.
    pub(crate) fn parse_label(&mut self) -> Option<Ident> {
        if self.tokens[self.pos].kind != TokenKind::At {
            return None;
        }
        self.bump();
        self.expect_ident("a label name")
    }

    /// `handle NL block with NL clauses end`
    pub(crate) fn parse_handle(&mut self) -> Expr {
        let handle_tok = self.bump();
        self.in_lines(|p| {
            let block = p.open_block("handle", handle_tok);
            p.expect_line_end();
            let body = p.parse_block();
            let mut clauses = Vec::new();
            if p.expect_kw(Keyword::With) {
                p.expect_line_end();
                loop {
                    p.skip_newlines();
                    if p.at_kw(Keyword::End) || p.at_eof() {
                        break;
                    }
                    let before = p.pos;
                    if let Some(clause) = p.parse_handle_clause() {
                        clauses.push(clause);
                    }
                    if p.pos == before {
                        p.bump();
                    }
                }
            }
            let end = p.close_block(block);
            Expr { kind: ExprKind::Handle { body, clauses }, span: handle_tok.span.to(end) }
        })
    }

    fn parse_handle_clause(&mut self) -> Option<HandleClause> {
        let first = self.expect_ident("an effect operation, tool or handler name")?;
        if matches!(self.tokens[self.pos].kind, TokenKind::Newline | TokenKind::Eof | TokenKind::Kw(Keyword::End)) {
            self.expect_line_end();
            let span = first.span;
            return Some(HandleClause { kind: HandleClauseKind::Handler(first), span });
        }
        let (effect, op) = if self.eat(&TokenKind::Dot) {
            let op = self.expect_field_name("an operation name")?;
            (Some(first), op)
        } else {
            (None, first)
        };
        let params = self.parse_params("handler clause");
        let Some(arrow) = self.eat_tok(&TokenKind::FatArrow) else {
            self.error_expected("`=>` after the handler clause's parameters");
            self.recover_line();
            return None;
        };
        let body = self.parse_arm_body(arrow);
        let start = effect.as_ref().map_or(op.span, |e| e.span);
        let span = start.to(body.span.max_end(arrow.span));
        Some(HandleClause { kind: HandleClauseKind::Op { effect, op, params, body }, span })
    }

    /// After `await`: `parallel`/`race`/`vote`/`select` blocks and `parallel for`.
    pub(crate) fn parse_await_block(&mut self, await_tok: &'a Token) -> Option<Expr> {
        let kind = match self.peek() {
            TokenKind::Ident(word) => match word.as_str() {
                "parallel" => AwaitKind::Parallel,
                "race" => AwaitKind::Race,
                "vote" => AwaitKind::Vote,
                "select" => AwaitKind::Select,
                _ => return None,
            },
            _ => return None,
        };
        let next = self.tokens.get(self.pos + 1).map(|t| &t.kind);
        let is_for = kind == AwaitKind::Parallel && next == Some(&TokenKind::Kw(Keyword::For));
        if !is_for && next != Some(&TokenKind::Newline) {
            return None;
        }
        self.bump();
        Some(self.in_lines(|p| {
            let block = p.open_block("await", await_tok);
            if is_for {
                p.bump(); // for
                let pattern = p.parse_pattern_top();
                p.expect_kw(Keyword::In);
                let iter = p.parse_expr();
                p.expect_line_end();
                p.skip_newlines();
                let body = p.parse_expr();
                p.expect_line_end();
                p.skip_newlines();
                let end = p.close_block(block);
                let kind = ExprKind::AwaitFor { pattern, iter: Box::new(iter), body: Box::new(body) };
                return Expr { kind, span: await_tok.span.to(end) };
            }
            p.expect_line_end();
            let mut branches = Vec::new();
            loop {
                p.skip_newlines();
                if p.at_kw(Keyword::End) || p.at_eof() {
                    break;
                }
                let before = p.pos;
                let name = if matches!(p.peek(), TokenKind::Ident(_)) && *p.peek_nth(1) == TokenKind::Eq {
                    let name = p.expect_ident("a branch name");
                    p.bump(); // =
                    name
                } else {
                    None
                };
                let expr = p.parse_expr();
                branches.push(AwaitBranch { name, expr });
                p.expect_line_end();
                if p.pos == before {
                    p.bump();
                }
            }
            let end = p.close_block(block);
            Expr { kind: ExprKind::AwaitBlock { kind, branches }, span: await_tok.span.to(end) }
        }))
    }
}
