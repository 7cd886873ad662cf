//! Pratt parsing of operators (LANGUAGE.md 3.5.1) and postfix chains.

use super::Parser;
use crate::ast::{Arg, BinOp, Expr, ExprKind, Ident, UnaryOp};
use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, TokenKind};

/// Binding power of prefix `not`'s operand: comparisons and everything tighter.
const NOT_OPERAND_BP: u8 = 10;
/// Binding power of the operand of prefix `-`, `~` and `await`: postfix expressions only.
const PREFIX_OPERAND_BP: u8 = 32;
const COMPARE_BP: u8 = 10;
const RANGE_BP: u8 = 22;

enum Infix {
    Binary(BinOp),
    Compare(BinOp),
    Is,
    As,
    Range { inclusive: bool },
}

impl<'a> Parser<'a> {
    /// A full expression, including a trailing `expect schema T`.
    pub(crate) fn parse_expr(&mut self) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let mut expr = self.grow(|p| p.parse_bp(0));
        while self.at_kw(Keyword::Expect) {
            self.bump();
            if self.at_word("schema") {
                self.bump();
            } else {
                self.error_expected("`schema` after `expect`");
            }
            let ty = self.parse_type();
            let span = expr.span.to(ty.span);
            expr = Expr { kind: ExprKind::ExpectSchema { expr: Box::new(expr), ty }, span };
        }
        self.leave();
        expr
    }

    pub(crate) fn error_expr(&mut self) -> Expr {
        let span = self.span();
        Expr { kind: ExprKind::Error, span: Span { start: span.start, end: span.start } }
    }

    /// Leading-operator continuation (LANGUAGE.md 2.1): a newline followed by a deeper-indented
    /// line that starts with a binary operator or `.` does not end the expression.
    pub(crate) fn continue_line(&mut self) {
        if self.newlines_ignored() || self.tokens[self.pos].kind != TokenKind::Newline {
            return;
        }
        let next = &self.tokens[self.pos + 1];
        let continues = matches!(
            next.kind,
            TokenKind::PipeGt
                | TokenKind::TildeGt
                | TokenKind::Dot
                | TokenKind::QuestionDot
                | TokenKind::QuestionQuestion
                | TokenKind::PlusPlus
                | TokenKind::Plus
                | TokenKind::Star
                | TokenKind::Slash
                | TokenKind::SlashSlash
                | TokenKind::Percent
                | TokenKind::StarStar
                | TokenKind::EqEq
                | TokenKind::NotEq
                | TokenKind::Lt
                | TokenKind::Le
                | TokenKind::Gt
                | TokenKind::Ge
                | TokenKind::Amp
                | TokenKind::Pipe
                | TokenKind::Caret
                | TokenKind::Shl
                | TokenKind::Shr
                | TokenKind::Kw(Keyword::And)
                | TokenKind::Kw(Keyword::Or)
                | TokenKind::Kw(Keyword::In)
        );
        if continues && next.indent > self.stmt_indent {
            self.pos += 1;
        }
    }

    fn infix(&mut self) -> Option<(Infix, u8)> {
        use BinOp::*;
        let (infix, bp) = match self.peek() {
            TokenKind::QuestionQuestion => (Infix::Binary(Coalesce), 2),
            TokenKind::Kw(Keyword::Or) => (Infix::Binary(Or), 4),
            TokenKind::Kw(Keyword::And) => (Infix::Binary(And), 6),
            TokenKind::EqEq => (Infix::Compare(Eq), COMPARE_BP),
            TokenKind::NotEq => (Infix::Compare(Ne), COMPARE_BP),
            TokenKind::Lt => (Infix::Compare(Lt), COMPARE_BP),
            TokenKind::Le => (Infix::Compare(Le), COMPARE_BP),
            TokenKind::Gt => (Infix::Compare(Gt), COMPARE_BP),
            TokenKind::Ge => (Infix::Compare(Ge), COMPARE_BP),
            TokenKind::Kw(Keyword::In) => (Infix::Binary(In), COMPARE_BP),
            TokenKind::Kw(Keyword::Is) => (Infix::Is, COMPARE_BP),
            TokenKind::Kw(Keyword::As) => (Infix::As, COMPARE_BP),
            TokenKind::Pipe => (Infix::Binary(BitOr), 12),
            TokenKind::Caret => (Infix::Binary(BitXor), 14),
            TokenKind::Amp => (Infix::Binary(BitAnd), 16),
            TokenKind::PipeGt => (Infix::Binary(Pipe), 18),
            TokenKind::TildeGt => (Infix::Binary(Compose), 18),
            TokenKind::PlusPlus => (Infix::Binary(Concat), 20),
            TokenKind::DotDot => (Infix::Range { inclusive: false }, RANGE_BP),
            TokenKind::DotDotEq => (Infix::Range { inclusive: true }, RANGE_BP),
            TokenKind::Shl => (Infix::Binary(Shl), 24),
            TokenKind::Shr => (Infix::Binary(Shr), 24),
            TokenKind::Plus => (Infix::Binary(Add), 26),
            TokenKind::Minus => (Infix::Binary(Sub), 26),
            TokenKind::Star => (Infix::Binary(Mul), 28),
            TokenKind::Slash => (Infix::Binary(Div), 28),
            TokenKind::SlashSlash => (Infix::Binary(FloorDiv), 28),
            TokenKind::Percent => (Infix::Binary(Mod), 28),
            TokenKind::StarStar => (Infix::Binary(Pow), 30),
            _ => return None,
        };
        Some((infix, bp))
    }

    /// Parses operators binding at least as tightly as `min`.
    pub(crate) fn parse_bp(&mut self, min: u8) -> Expr {
        let mut lhs = self.parse_prefix();
        loop {
            self.continue_line();
            let Some((infix, bp)) = self.infix() else { break };
            if bp < min {
                break;
            }
            self.bump();
            self.skip_newlines();
            lhs = match infix {
                Infix::Binary(BinOp::Pow) => {
                    // Right-associative.
                    let rhs = self.parse_bp(bp);
                    binary(BinOp::Pow, lhs, rhs)
                }
                Infix::Binary(op) => {
                    let rhs = self.parse_bp(bp + 1);
                    binary(op, lhs, rhs)
                }
                Infix::Compare(op) => self.parse_compare_chain(lhs, op),
                Infix::Is | Infix::As => {
                    let ty = self.parse_type_no_union();
                    let span = lhs.span.to(ty.span);
                    let expr = Box::new(lhs);
                    let kind =
                        if matches!(infix, Infix::Is) { ExprKind::Is { expr, ty } } else { ExprKind::As { expr, ty } };
                    Expr { kind, span }
                }
                Infix::Range { inclusive } => {
                    let end = self.parse_bp(bp + 2);
                    let mut step = None;
                    if self.at_word("step") {
                        self.bump();
                        step = Some(Box::new(self.parse_bp(bp + 2)));
                    }
                    let span = lhs.span.to(step.as_ref().map_or(end.span, |s| s.span));
                    if matches!(lhs.kind, ExprKind::Range { .. }) {
                        // Ranges do not chain: `1..2..3` has no meaning.
                        self.error(
                            Diagnostic::error(codes::UNEXPECTED_TOKEN, "ranges cannot be chained", span)
                                .with_label("a range of a range")
                                .with_help("write one range, with `step` for a stride: `1..10 step 2`"),
                        );
                    }
                    Expr { kind: ExprKind::Range { start: Box::new(lhs), end: Box::new(end), inclusive, step }, span }
                }
            };
        }
        lhs
    }

    /// `a < b <= c`: the first operator is already consumed.
    fn parse_compare_chain(&mut self, first: Expr, first_op: BinOp) -> Expr {
        let mut operands = vec![first, self.parse_bp(COMPARE_BP + 1)];
        let mut ops = vec![first_op];
        loop {
            self.continue_line();
            let op = match self.infix() {
                Some((Infix::Compare(op), _)) => op,
                _ => break,
            };
            self.bump();
            self.skip_newlines();
            ops.push(op);
            operands.push(self.parse_bp(COMPARE_BP + 1));
        }
        if ops.len() == 1 {
            let rhs = operands.pop().unwrap_or_else(|| self.error_expr());
            let lhs = operands.pop().unwrap_or_else(|| self.error_expr());
            return binary(first_op, lhs, rhs);
        }
        let span = operands[0].span.to(operands[operands.len() - 1].span);
        Expr { kind: ExprKind::CompareChain { operands, ops }, span }
    }

    /// Prefix operators, then a primary expression with its postfix chain.
    fn parse_prefix(&mut self) -> Expr {
        let tok = self.tok();
        let start = tok.span;
        let (op, operand_bp) = match &tok.kind {
            TokenKind::Minus => {
                // `-9223372036854775808` is the one literal beyond i64::MAX.
                if let TokenKind::Int(n) = self.peek_nth(1)
                    && *n == 1u64 << 63
                {
                    self.bump();
                    let lit = self.bump();
                    let expr = Expr { kind: ExprKind::Int(i64::MIN), span: start.to(lit.span) };
                    return self.parse_postfix(expr);
                }
                (UnaryOp::Neg, PREFIX_OPERAND_BP)
            }
            TokenKind::Tilde => (UnaryOp::BitNot, PREFIX_OPERAND_BP),
            TokenKind::Kw(Keyword::Not) => (UnaryOp::Not, NOT_OPERAND_BP),
            TokenKind::Kw(Keyword::Await) => return self.parse_await(),
            _ => return self.parse_postfix_expr(),
        };
        self.bump();
        if !self.enter() {
            return self.error_expr();
        }
        let operand = self.parse_bp(operand_bp);
        self.leave();
        let span = start.to(operand.span);
        Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span }
    }

    /// `await e` (tight prefix) or an orchestration block.
    fn parse_await(&mut self) -> Expr {
        let await_tok = self.bump();
        if let Some(expr) = self.parse_await_block(await_tok) {
            return expr;
        }
        if !self.enter() {
            return self.error_expr();
        }
        let operand = self.parse_bp(PREFIX_OPERAND_BP);
        self.leave();
        let span = await_tok.span.to(operand.span);
        Expr { kind: ExprKind::Await(Box::new(operand)), span }
    }

    fn parse_postfix_expr(&mut self) -> Expr {
        let primary = self.parse_primary();
        self.parse_postfix(primary)
    }

    /// Calls, fields, indexing, `!` and `?` after `expr`.
    pub(crate) fn parse_postfix(&mut self, mut expr: Expr) -> Expr {
        loop {
            self.continue_line();
            let tok = self.tok();
            match &tok.kind {
                TokenKind::LParen => {
                    let (args, end) = self.parse_call_args();
                    let span = expr.span.to(end);
                    expr = Expr { kind: ExprKind::Call { callee: Box::new(expr), args }, span };
                }
                TokenKind::Dot | TokenKind::QuestionDot => {
                    let safe = tok.kind == TokenKind::QuestionDot;
                    self.bump();
                    self.skip_newlines();
                    expr = self.parse_field_access(expr, safe);
                }
                TokenKind::LBracket | TokenKind::QuestionBracket => {
                    let safe = tok.kind == TokenKind::QuestionBracket;
                    self.bump();
                    let index = self.in_brackets(|p| {
                        let index = p.parse_expr();
                        p.expect(&TokenKind::RBracket, "`]`");
                        index
                    });
                    let span = expr.span.to(self.prev_span());
                    expr =
                        Expr { kind: ExprKind::Index { target: Box::new(expr), index: Box::new(index), safe }, span };
                }
                TokenKind::Bang => {
                    self.bump();
                    let span = expr.span.to(tok.span);
                    expr = Expr { kind: ExprKind::Unwrap(Box::new(expr)), span };
                }
                TokenKind::Question => {
                    self.bump();
                    let span = expr.span.to(tok.span);
                    expr = Expr { kind: ExprKind::Propagate(Box::new(expr)), span };
                }
                _ => break,
            }
        }
        expr
    }

    /// After `.` or `?.`: a field name or a tuple index (`t.0`, and `t.0.1`, lexed as a float).
    fn parse_field_access(&mut self, target: Expr, safe: bool) -> Expr {
        let tok = self.tok();
        match &tok.kind {
            TokenKind::Int(n) if !safe => {
                self.bump();
                let index = u32::try_from(*n).unwrap_or(u32::MAX);
                let span = target.span.to(tok.span);
                Expr { kind: ExprKind::TupleIndex { target: Box::new(target), index, index_span: tok.span }, span }
            }
            TokenKind::Float(_) if !safe => {
                self.bump();
                let text = self.source_text(tok.span);
                let mut expr = target;
                let mut offset = tok.span.start;
                for part in text.split('.') {
                    let index = part.parse::<u32>();
                    let part_span = Span::new(offset as usize, offset as usize + part.len());
                    offset += part.len() as u32 + 1;
                    let Ok(index) = index else {
                        self.error(
                            Diagnostic::error(codes::UNEXPECTED_TOKEN, "invalid tuple index", tok.span)
                                .with_label("expected an integer index like `.0`"),
                        );
                        return expr;
                    };
                    let span = expr.span.to(part_span);
                    expr = Expr {
                        kind: ExprKind::TupleIndex { target: Box::new(expr), index, index_span: part_span },
                        span,
                    };
                }
                expr
            }
            _ => {
                let Some(name) = self.expect_field_name("a field or method name") else {
                    return target;
                };
                let span = target.span.to(name.span);
                Expr { kind: ExprKind::Field { target: Box::new(target), name, safe }, span }
            }
        }
    }

    /// `( args )`; returns the arguments and the span of `)`.
    pub(crate) fn parse_call_args(&mut self) -> (Vec<Arg>, Span) {
        let open = self.bump().span; // (
        let open_text = self.pos_text(open);
        self.in_brackets(|p| {
            let mut args: Vec<Arg> = Vec::new();
            while !p.at(&TokenKind::RParen) && !p.at_eof() {
                let before = p.pos;
                let arg = p.parse_arg();
                if arg.name.is_none()
                    && !arg.spread
                    && let Some(named) = args.iter().find(|a| a.name.is_some())
                {
                    p.error(
                        Diagnostic::error(
                            codes::POSITIONAL_AFTER_NAMED,
                            "a positional argument cannot follow a named one",
                            arg.span,
                        )
                        .with_label("positional argument")
                        .with_secondary(named.span, "named argument given before it")
                        .with_help("move the positional arguments first, or name this one"),
                    );
                }
                args.push(arg);
                if !p.eat(&TokenKind::Comma) {
                    break;
                }
                if p.pos == before {
                    break;
                }
            }
            let end = p.span();
            if !p.eat(&TokenKind::RParen) {
                let found = p.tok();
                let on_later_line = p.line_col(found.span.start).0 > p.line_col(open.start).0;
                let (span, label) = if on_later_line {
                    (p.prev_significant_span().end_point(), "expected `)` here".to_string())
                } else {
                    (found.span, "expected `,` or `)`".to_string())
                };
                let what = found.kind.describe();
                p.error(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        format!("expected `,` or `)` in the argument list, found {what}"),
                        span,
                    )
                    .with_label(label)
                    .with_secondary(open, format!("the `(` opened at {open_text} is not closed")),
                );
                p.skip_to_closer(&TokenKind::RParen);
            }
            (args, end)
        })
    }

    fn parse_arg(&mut self) -> Arg {
        let start = self.span();
        if self.eat(&TokenKind::Ellipsis) {
            let value = self.parse_expr();
            let span = start.to(value.span);
            return Arg { name: None, value, spread: true, span };
        }
        if self.at_kw(Keyword::Role) && matches!(self.peek_nth(1), TokenKind::Ident(_)) {
            let value = self.parse_role_arg();
            let span = value.span;
            return Arg { name: None, value, spread: false, span };
        }
        let is_named =
            matches!(self.peek(), TokenKind::Ident(_) | TokenKind::Kw(_)) && *self.peek_nth(1) == TokenKind::Colon;
        if is_named {
            let name = self.field_name();
            self.bump(); // :
            let value = self.parse_expr();
            let span = start.to(value.span);
            return Arg { name, value, spread: false, span };
        }
        let value = self.parse_expr();
        Arg { name: None, span: value.span, value, spread: false }
    }

    /// Recovery inside brackets: skips to the matching closer and consumes it.
    pub(crate) fn skip_to_closer(&mut self, closer: &TokenKind) {
        let mut depth = 0usize;
        loop {
            let kind = self.peek();
            match kind {
                TokenKind::Eof => return,
                // Statement keywords mean the closer is missing: stop before them.
                TokenKind::Kw(
                    Keyword::End | Keyword::Let | Keyword::Cell | Keyword::Record | Keyword::Enum | Keyword::Return,
                ) if depth == 0 => {
                    return;
                }
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace | TokenKind::QuestionBracket => depth += 1,
                k if k == closer && depth == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        // The wrong closer (`(1 + 2]`): take it as the intended one.
                        self.bump();
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump();
        }
    }

    pub(crate) fn ident_expr(ident: Ident) -> Expr {
        let span = ident.span;
        Expr { kind: ExprKind::Ident(ident), span }
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}
