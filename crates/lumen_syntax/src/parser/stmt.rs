//! Blocks and statements (LANGUAGE.md 3.4).

use super::Parser;
use crate::ast::{Attribute, BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, TokenKind};

impl<'a> Parser<'a> {
    /// Statements up to (not including) `end`, `else`, `with` or the end of the file.
    pub(crate) fn parse_block(&mut self) -> Block {
        if !self.enter() {
            return Block { stmts: Vec::new(), span: self.span() };
        }
        let start = self.prev_span().end_point();
        let mut stmts = Vec::new();
        loop {
            self.skip_newlines();
            if matches!(self.peek(), TokenKind::Eof | TokenKind::Kw(Keyword::End | Keyword::Else | Keyword::With)) {
                break;
            }
            let before = self.pos;
            stmts.push(self.grow(Self::parse_stmt));
            if self.pos == before {
                self.bump();
            }
        }
        self.leave();
        let span = match (stmts.first(), stmts.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => start,
        };
        Block { stmts, span }
    }

    /// One statement, including the end of its line.
    pub(crate) fn parse_stmt(&mut self) -> Stmt {
        let saved_indent = self.stmt_indent;
        self.stmt_indent = self.tok().indent;
        let attrs = self.parse_attributes();
        let stmt = self.parse_stmt_inner(attrs);
        self.stmt_indent = saved_indent;
        stmt
    }

    fn parse_stmt_inner(&mut self, attrs: Vec<Attribute>) -> Stmt {
        let tok = self.tok();
        let start = tok.span;
        let kind = match &tok.kind {
            TokenKind::Kw(Keyword::Let) => self.parse_let(),
            TokenKind::Kw(Keyword::Return) => {
                self.bump();
                StmtKind::Return(self.parse_optional_value())
            }
            TokenKind::Kw(Keyword::Halt) => {
                self.bump();
                StmtKind::Halt(self.parse_expr())
            }
            TokenKind::Kw(Keyword::Break) => {
                self.bump();
                let label = self.parse_label();
                StmtKind::Break { label, value: self.parse_optional_value() }
            }
            TokenKind::Kw(Keyword::Continue) => {
                self.bump();
                StmtKind::Continue { label: self.parse_label() }
            }
            TokenKind::Kw(Keyword::Emit) => {
                self.bump();
                StmtKind::Emit(self.parse_expr())
            }
            TokenKind::Kw(Keyword::Yield) => {
                self.bump();
                StmtKind::Yield(self.parse_expr())
            }
            TokenKind::Kw(Keyword::Defer) => {
                let defer_tok = self.bump();
                let block = self.open_block("defer", defer_tok);
                let body = self.in_lines(|p| {
                    p.expect_line_end();
                    p.parse_block()
                });
                self.close_block(block);
                StmtKind::Defer(body)
            }
            TokenKind::Kw(Keyword::Cell | Keyword::Async) => match self.parse_cell_decl(Vec::new(), None, true) {
                Some(cell) => StmtKind::LocalCell(Box::new(cell)),
                None => StmtKind::Expr(self.error_expr()),
            },
            _ => self.parse_expr_stmt(),
        };
        let span = start.to(self.prev_span());
        self.expect_line_end();
        Stmt { kind, attrs, span }
    }

    /// The optional value of `return` and `break`: absent at the end of the line.
    fn parse_optional_value(&mut self) -> Option<Expr> {
        let ends = matches!(
            self.tokens[self.pos].kind,
            TokenKind::Newline | TokenKind::Eof | TokenKind::Kw(Keyword::End | Keyword::Else)
        ) || matches!(self.peek(), TokenKind::RParen);
        if ends { None } else { Some(self.parse_expr()) }
    }

    fn parse_let(&mut self) -> StmtKind {
        self.bump(); // let
        let mutable = self.eat_kw(Keyword::Mut);
        let pattern = self.parse_pattern_top();
        let ty = if self.eat(&TokenKind::Colon) { Some(self.parse_type()) } else { None };
        if !self.expect(&TokenKind::Eq, "`=` and a value") {
            self.recover_line();
            return StmtKind::Let { mutable, pattern, ty, value: self.error_expr() };
        }
        self.skip_newlines();
        let value = self.parse_expr();
        StmtKind::Let { mutable, pattern, ty, value }
    }

    /// An expression statement, assignment or compound assignment.
    fn parse_expr_stmt(&mut self) -> StmtKind {
        let expr = self.parse_expr();
        let op = match self.peek() {
            TokenKind::Eq => None,
            TokenKind::PlusEq => Some(BinOp::Add),
            TokenKind::MinusEq => Some(BinOp::Sub),
            TokenKind::StarEq => Some(BinOp::Mul),
            TokenKind::SlashEq => Some(BinOp::Div),
            TokenKind::SlashSlashEq => Some(BinOp::FloorDiv),
            TokenKind::PercentEq => Some(BinOp::Mod),
            TokenKind::StarStarEq => Some(BinOp::Pow),
            TokenKind::AmpEq => Some(BinOp::BitAnd),
            TokenKind::PipeEq => Some(BinOp::BitOr),
            TokenKind::CaretEq => Some(BinOp::BitXor),
            TokenKind::ShlEq => Some(BinOp::Shl),
            TokenKind::ShrEq => Some(BinOp::Shr),
            _ => return StmtKind::Expr(expr),
        };
        self.bump();
        self.skip_newlines();
        self.check_place(&expr);
        let value = self.parse_expr();
        match op {
            None => StmtKind::Assign { target: expr, value },
            Some(op) => StmtKind::CompoundAssign { target: expr, op, value },
        }
    }

    /// Assignment targets are a name followed by `.field` and `[index]` steps.
    fn check_place(&mut self, expr: &Expr) {
        let mut cur = expr;
        loop {
            match &cur.kind {
                ExprKind::Ident(_) => return,
                ExprKind::Field { target, safe: false, .. } | ExprKind::Index { target, safe: false, .. } => {
                    cur = target
                }
                ExprKind::Error => return,
                _ => {
                    self.error(
                        Diagnostic::error(codes::INVALID_ASSIGN_TARGET, "invalid assignment target", expr.span)
                            .with_label("cannot assign to this expression")
                            .with_help("assign to a variable, a field (`a.f`) or an element (`a[i]`)"),
                    );
                    return;
                }
            }
        }
    }

    /// `@name` or `@name(args)` lines before a declaration, member or statement.
    pub(crate) fn parse_attributes(&mut self) -> Vec<Attribute> {
        let mut attrs = Vec::new();
        while self.at(&TokenKind::At) {
            let at = self.bump().span;
            let Some(name) = self.expect_ident("an attribute name") else {
                self.recover_line();
                continue;
            };
            let mut args = Vec::new();
            if self.tokens[self.pos].kind == TokenKind::LParen {
                args = self.parse_call_args().0.into_iter().map(|a| a.value).collect();
            } else if matches!(
                self.tokens[self.pos].kind,
                TokenKind::Int(_)
                    | TokenKind::Float(_)
                    | TokenKind::Str(_)
                    | TokenKind::RawStr(_)
                    | TokenKind::Ident(_)
                    | TokenKind::Kw(Keyword::True | Keyword::False | Keyword::Null)
            ) {
                // `@name value`: an unknown directive-style attribute keeps its value.
                args.push(self.parse_primary());
            } else if let TokenKind::Kw(kw @ (Keyword::For | Keyword::While | Keyword::Loop)) =
                self.tokens[self.pos].kind
            {
                let kw = kw.as_str();
                self.error(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        format!("a loop label goes after `{kw}`"),
                        at.to(name.span),
                    )
                    .with_label("label written before the loop")
                    .with_help(format!("write `{kw} @{} ...`", name.name)),
                );
                continue;
            }
            let span: Span = at.to(self.prev_span());
            attrs.push(Attribute { name, args, span });
            self.expect_line_end();
            self.skip_newlines();
        }
        attrs
    }
}
