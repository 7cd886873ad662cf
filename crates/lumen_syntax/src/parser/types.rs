//! Type expressions, generic parameters and effect rows (LANGUAGE.md 3.2).

use super::Parser;
use crate::ast::{EffectRow, GenericParam, Ident, TypeExpr, TypeKind};
use crate::token::{Keyword, TokenKind};

impl<'a> Parser<'a> {
    /// `A | B?` and everything tighter.
    pub(crate) fn parse_type(&mut self) -> TypeExpr {
        let first = self.parse_type_no_union();
        if !self.at(&TokenKind::Pipe) {
            return first;
        }
        let mut members = vec![first];
        while self.eat(&TokenKind::Pipe) {
            self.skip_newlines();
            members.push(self.parse_type_no_union());
        }
        let span = members[0].span.to(members[members.len() - 1].span);
        TypeExpr { kind: TypeKind::Union(members), span }
    }

    /// A type without a top-level union (after `is`, `as` and in type patterns).
    pub(crate) fn parse_type_no_union(&mut self) -> TypeExpr {
        if !self.enter() {
            return TypeExpr { kind: TypeKind::Error, span: self.span() };
        }
        let mut ty = self.grow(Self::parse_primary_type);
        while self.tokens[self.pos].kind == TokenKind::Question
            || (self.newlines_ignored() && self.at(&TokenKind::Question))
        {
            let q = self.bump().span;
            let span = ty.span.to(q);
            ty = TypeExpr { kind: TypeKind::Optional(Box::new(ty)), span };
        }
        self.leave();
        ty
    }

    fn parse_primary_type(&mut self) -> TypeExpr {
        let tok = self.tok();
        let start = tok.span;
        match &tok.kind {
            TokenKind::Kw(Keyword::Null) => {
                self.bump();
                TypeExpr { kind: TypeKind::Null, span: start }
            }
            TokenKind::LParen => {
                self.bump();
                self.in_brackets(|p| {
                    let mut items = Vec::new();
                    let mut trailing_comma = false;
                    while !p.at(&TokenKind::RParen) && !p.at_eof() {
                        let before = p.pos;
                        items.push(p.parse_type());
                        trailing_comma = p.eat(&TokenKind::Comma);
                        if !trailing_comma || p.pos == before {
                            break;
                        }
                    }
                    if !p.expect(&TokenKind::RParen, "`,` or `)` in the type") {
                        p.skip_to_closer(&TokenKind::RParen);
                    }
                    let span = start.to(p.prev_span());
                    if items.len() == 1 && !trailing_comma {
                        let inner = items.pop().map(Box::new);
                        return TypeExpr { kind: inner.map_or(TypeKind::Error, TypeKind::Paren), span };
                    }
                    TypeExpr { kind: TypeKind::Tuple(items), span }
                })
            }
            TokenKind::Kw(Keyword::Fn) => {
                self.bump();
                let mut params = Vec::new();
                if self.expect(&TokenKind::LParen, "`(` after `fn` in a function type") {
                    self.in_brackets(|p| {
                        while !p.at(&TokenKind::RParen) && !p.at_eof() {
                            let before = p.pos;
                            params.push(p.parse_type());
                            if !p.eat(&TokenKind::Comma) || p.pos == before {
                                break;
                            }
                        }
                        if !p.expect(&TokenKind::RParen, "`,` or `)` in the function type") {
                            p.skip_to_closer(&TokenKind::RParen);
                        }
                    });
                }
                let ret = if self.eat(&TokenKind::Arrow) { Some(Box::new(self.parse_type())) } else { None };
                let effects = self.parse_effect_row();
                TypeExpr { kind: TypeKind::Fn { params, ret, effects }, span: start.to(self.prev_span()) }
            }
            TokenKind::Ident(_) => {
                let mut path: Vec<Ident> = Vec::new();
                if let Some(first) = self.expect_ident("a type name") {
                    path.push(first);
                }
                while self.tokens[self.pos].kind == TokenKind::Dot {
                    self.bump();
                    match self.expect_ident("a type name after `.`") {
                        Some(next) => path.push(next),
                        None => break,
                    }
                }
                let mut args = Vec::new();
                if self.tokens[self.pos].kind == TokenKind::LBracket {
                    self.bump();
                    self.in_brackets(|p| {
                        while !p.at(&TokenKind::RBracket) && !p.at_eof() {
                            let before = p.pos;
                            args.push(p.parse_type());
                            if !p.eat(&TokenKind::Comma) || p.pos == before {
                                break;
                            }
                        }
                        if !p.expect(&TokenKind::RBracket, "`,` or `]` in the type arguments") {
                            p.skip_to_closer(&TokenKind::RBracket);
                        }
                    });
                }
                TypeExpr { kind: TypeKind::Named { path, args }, span: start.to(self.prev_span()) }
            }
            _ => {
                self.error_expected("a type");
                TypeExpr { kind: TypeKind::Error, span: start }
            }
        }
    }

    /// `/ {A, B}`, `/ {}` or `/ A` after a signature.
    pub(crate) fn parse_effect_row(&mut self) -> Option<EffectRow> {
        if self.tokens[self.pos].kind != TokenKind::Slash && !(self.newlines_ignored() && self.at(&TokenKind::Slash)) {
            return None;
        }
        let start = self.bump().span;
        let mut effects = Vec::new();
        if self.eat(&TokenKind::LBrace) {
            self.in_brackets(|p| {
                while !p.at(&TokenKind::RBrace) && !p.at_eof() {
                    let before = p.pos;
                    if let Some(name) = p.expect_ident("an effect name") {
                        effects.push(name);
                    }
                    if !p.eat(&TokenKind::Comma) || p.pos == before {
                        break;
                    }
                }
                if !p.expect(&TokenKind::RBrace, "`,` or `}` in the effect row") {
                    p.skip_to_closer(&TokenKind::RBrace);
                }
            });
        } else if let Some(name) = self.expect_ident("an effect name or `{`") {
            effects.push(name);
        }
        Some(EffectRow { effects, span: start.to(self.prev_span()) })
    }

    /// `[T, U: Ord + Num]` after a declaration name.
    pub(crate) fn parse_generic_params(&mut self) -> Vec<GenericParam> {
        if self.tokens[self.pos].kind != TokenKind::LBracket {
            return Vec::new();
        }
        self.bump();
        self.in_brackets(|p| {
            let mut params = Vec::new();
            while !p.at(&TokenKind::RBracket) && !p.at_eof() {
                let before = p.pos;
                if let Some(name) = p.expect_ident("a type parameter name") {
                    let mut bounds = Vec::new();
                    if p.eat(&TokenKind::Colon) {
                        loop {
                            if let Some(bound) = p.expect_ident("a trait name") {
                                bounds.push(bound);
                            }
                            if !p.eat(&TokenKind::Plus) {
                                break;
                            }
                        }
                    }
                    let span = name.span.to(p.prev_span());
                    params.push(GenericParam { name, bounds, span });
                }
                if !p.eat(&TokenKind::Comma) || p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RBracket, "`,` or `]` in the type parameters") {
                p.skip_to_closer(&TokenKind::RBracket);
            }
            params
        })
    }
}
