//! Patterns (LANGUAGE.md 3.6).

use super::Parser;
use crate::ast::{FieldPattern, Ident, LiteralPattern, Pattern, PatternKind};
use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, StrPart, TokenKind};

impl<'a> Parser<'a> {
    /// A pattern in `let`, `for`, `if let` and comprehensions: `x: T` at the top is not a type
    /// pattern there (the `:` belongs to the binding's annotation).
    pub(crate) fn parse_pattern_top(&mut self) -> Pattern {
        self.parse_or_pattern(false)
    }

    /// The pattern of a match arm: alternatives separated by `|`, type patterns allowed.
    pub(crate) fn parse_pattern_alternatives(&mut self) -> Pattern {
        self.parse_or_pattern(true)
    }

    fn parse_or_pattern(&mut self, typed: bool) -> Pattern {
        let first = self.parse_single_pattern(typed);
        if !self.at(&TokenKind::Pipe) {
            return first;
        }
        let mut alternatives = vec![first];
        while self.eat(&TokenKind::Pipe) {
            self.skip_newlines();
            alternatives.push(self.parse_single_pattern(typed));
        }
        let span = alternatives[0].span.to(alternatives[alternatives.len() - 1].span);
        Pattern { kind: PatternKind::Or(alternatives), span }
    }

    fn parse_single_pattern(&mut self, typed: bool) -> Pattern {
        if !self.enter() {
            return Pattern { kind: PatternKind::Wildcard, span: self.span() };
        }
        let pattern = self.grow(|p| p.parse_single_pattern_inner(typed));
        self.leave();
        pattern
    }

    fn parse_single_pattern_inner(&mut self, typed: bool) -> Pattern {
        let tok = self.tok();
        let span = tok.span;
        match &tok.kind {
            TokenKind::Ident(name) if name == "_" => {
                self.bump();
                Pattern { kind: PatternKind::Wildcard, span }
            }
            TokenKind::Ident(name) => {
                self.bump();
                let ident = Ident { name: name.clone(), span };
                let mut path = vec![ident];
                if self.at(&TokenKind::Dot) {
                    self.bump();
                    if let Some(second) = self.expect_ident("a variant name") {
                        path.push(second);
                    }
                }
                if self.tokens[self.pos].kind == TokenKind::LParen {
                    return self.parse_constructor_pattern(path);
                }
                if path.len() > 1 {
                    let span = path[0].span.to(path[path.len() - 1].span);
                    return Pattern { kind: PatternKind::Qualified(path), span };
                }
                let ident = path.pop().unwrap_or_else(|| self.missing_ident());
                if typed && self.at(&TokenKind::Colon) {
                    self.bump();
                    let ty = self.parse_type_no_union();
                    let span = ident.span.to(ty.span);
                    return Pattern { kind: PatternKind::Typed { name: ident, ty }, span };
                }
                Pattern { kind: PatternKind::Binding(ident), span }
            }
            TokenKind::Kw(kw @ (Keyword::Ok | Keyword::Err)) => {
                self.bump();
                let ident = Ident { name: kw.as_str().to_string(), span };
                if self.at(&TokenKind::LParen) {
                    self.parse_constructor_pattern(vec![ident])
                } else {
                    self.error_expected("`(` after `ok`/`err` in a pattern");
                    Pattern { kind: PatternKind::Variant { path: vec![ident], args: Vec::new() }, span }
                }
            }
            TokenKind::LParen => self.parse_tuple_pattern(),
            TokenKind::LBracket => self.parse_list_pattern(),
            _ => {
                let Some(lit) = self.parse_literal_pattern() else {
                    self.error_expected("a pattern");
                    if !matches!(
                        self.peek(),
                        TokenKind::Newline
                            | TokenKind::Eof
                            | TokenKind::Arrow
                            | TokenKind::Eq
                            | TokenKind::Colon
                            | TokenKind::Kw(Keyword::End | Keyword::In)
                    ) {
                        self.bump();
                    }
                    return Pattern { kind: PatternKind::Wildcard, span };
                };
                let inclusive = match self.peek() {
                    TokenKind::DotDot => false,
                    TokenKind::DotDotEq => true,
                    _ => return Pattern { kind: PatternKind::Literal(lit), span: span.to(self.prev_span()) },
                };
                self.bump();
                let end = self.parse_literal_pattern().unwrap_or_else(|| {
                    self.error_expected("a literal to end the range pattern");
                    LiteralPattern::Null
                });
                Pattern { kind: PatternKind::Range { start: lit, end, inclusive }, span: span.to(self.prev_span()) }
            }
        }
    }

    /// A literal in a pattern, with an optional leading `-` on numbers.
    fn parse_literal_pattern(&mut self) -> Option<LiteralPattern> {
        let negative = self.at(&TokenKind::Minus);
        let tok = if negative { &self.tokens[self.pos + 1] } else { self.tok() };
        let lit = match &tok.kind {
            TokenKind::Int(n) => {
                let value = if negative {
                    if *n == 1u64 << 63 { Some(i64::MIN) } else { i64::try_from(*n).ok().map(|v| -v) }
                } else {
                    i64::try_from(*n).ok()
                };
                let Some(value) = value else {
                    self.error(Diagnostic::error(
                        codes::INT_OUT_OF_RANGE,
                        "integer literal is too large for Int",
                        tok.span,
                    ));
                    return self.consume_literal(negative, LiteralPattern::Int(0));
                };
                LiteralPattern::Int(value)
            }
            TokenKind::Float(f) => LiteralPattern::Float(if negative { -*f } else { *f }),
            _ if negative => return None,
            TokenKind::Str(parts) => {
                let text = match parts.as_slice() {
                    [] => String::new(),
                    [StrPart::Text(text)] => text.clone(),
                    _ => {
                        self.error(
                            Diagnostic::error(
                                codes::INVALID_LITERAL_PATTERN,
                                "a string pattern cannot interpolate",
                                tok.span,
                            )
                            .with_label("interpolation in a pattern")
                            .with_help("match the value with a guard instead: `s if s == \"{...}\" ->`"),
                        );
                        String::new()
                    }
                };
                LiteralPattern::Str(text)
            }
            TokenKind::RawStr(text) => LiteralPattern::Str(text.clone()),
            TokenKind::Kw(Keyword::True) => LiteralPattern::Bool(true),
            TokenKind::Kw(Keyword::False) => LiteralPattern::Bool(false),
            TokenKind::Kw(Keyword::Null) => LiteralPattern::Null,
            _ => return None,
        };
        self.consume_literal(negative, lit)
    }

    fn consume_literal(&mut self, negative: bool, lit: LiteralPattern) -> Option<LiteralPattern> {
        if negative {
            self.bump();
        }
        self.bump();
        Some(lit)
    }

    /// `V(p, q)`, `E.V(p)`, `ok(p)`, or a record / named-payload pattern `R(f: p, g, ..)`.
    fn parse_constructor_pattern(&mut self, path: Vec<Ident>) -> Pattern {
        let start = path[0].span;
        self.bump(); // (
        let (positional, fields, rest) = self.in_brackets(|p| {
            let mut positional: Vec<Pattern> = Vec::new();
            let mut fields: Vec<FieldPattern> = Vec::new();
            let mut rest = false;
            while !p.at(&TokenKind::RParen) && !p.at_eof() {
                let before = p.pos;
                if p.eat(&TokenKind::DotDot) {
                    rest = true;
                } else if matches!(p.peek(), TokenKind::Ident(_) | TokenKind::Kw(_))
                    && *p.peek_nth(1) == TokenKind::Colon
                {
                    let name = p.field_name().unwrap_or_else(|| p.missing_ident());
                    p.bump(); // :
                    let pattern = p.parse_or_pattern(true);
                    let span = name.span.to(pattern.span);
                    fields.push(FieldPattern { name, pattern: Some(pattern), span });
                } else {
                    positional.push(p.parse_or_pattern(true));
                }
                if !p.eat(&TokenKind::Comma) || p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RParen, "`,` or `)` in the pattern") {
                p.skip_to_closer(&TokenKind::RParen);
            }
            (positional, fields, rest)
        });
        let span = start.to(self.prev_span());
        if fields.is_empty() && !rest {
            return Pattern { kind: PatternKind::Variant { path, args: positional }, span };
        }
        // Record pattern: bare names are the `field` shorthand.
        let mut all_fields = Vec::with_capacity(positional.len() + fields.len());
        for pattern in positional {
            match pattern.kind {
                PatternKind::Binding(name) => {
                    let span = name.span;
                    all_fields.push(FieldPattern { name, pattern: None, span });
                }
                _ => self.error(
                    Diagnostic::error(codes::INVALID_PATTERN, "positional pattern in a record pattern", pattern.span)
                        .with_label("expected `field: pattern` or a field name")
                        .with_help("name the field this pattern matches: `field: pattern`"),
                ),
            }
        }
        all_fields.extend(fields);
        Pattern { kind: PatternKind::Record { path, fields: all_fields, rest }, span }
    }

    /// `()`, `(p)` (grouping), `(p,)`, `(p, q, ...)`
    fn parse_tuple_pattern(&mut self) -> Pattern {
        let open = self.bump().span;
        self.in_brackets(|p| {
            let mut items = Vec::new();
            let mut trailing_comma = false;
            while !p.at(&TokenKind::RParen) && !p.at_eof() {
                let before = p.pos;
                items.push(p.parse_or_pattern(true));
                trailing_comma = p.eat(&TokenKind::Comma);
                if !trailing_comma || p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RParen, "`,` or `)` in the tuple pattern") {
                p.skip_to_closer(&TokenKind::RParen);
            }
            let span = open.to(p.prev_span());
            if items.len() == 1 && !trailing_comma {
                let mut inner = items.pop().unwrap_or(Pattern { kind: PatternKind::Wildcard, span });
                inner.span = span;
                return inner;
            }
            Pattern { kind: PatternKind::Tuple(items), span }
        })
    }

    /// `[a, b]`, `[h, ...t]`, `[...init, last]`, `[a, ...]`
    fn parse_list_pattern(&mut self) -> Pattern {
        let open = self.bump().span;
        self.in_brackets(|p| {
            let mut before = Vec::new();
            let mut after = Vec::new();
            let mut rest: Option<Option<Ident>> = None;
            while !p.at(&TokenKind::RBracket) && !p.at_eof() {
                let start = p.pos;
                if p.at(&TokenKind::Ellipsis) {
                    let dots = p.bump().span;
                    let name = if let TokenKind::Ident(_) = p.peek() { p.expect_ident("a name") } else { None };
                    if rest.is_some() {
                        p.error(
                            Diagnostic::error(codes::DUPLICATE_REST, "a list pattern may have only one `...`", dots)
                                .with_label("second rest pattern"),
                        );
                    } else {
                        rest = Some(name);
                    }
                } else if rest.is_some() {
                    after.push(p.parse_or_pattern(true));
                } else {
                    before.push(p.parse_or_pattern(true));
                }
                if !p.eat(&TokenKind::Comma) || p.pos == start {
                    break;
                }
            }
            if !p.expect(&TokenKind::RBracket, "`,` or `]` in the list pattern") {
                p.skip_to_closer(&TokenKind::RBracket);
            }
            let span: Span = open.to(p.prev_span());
            Pattern { kind: PatternKind::List { before, rest, after }, span }
        })
    }
}
