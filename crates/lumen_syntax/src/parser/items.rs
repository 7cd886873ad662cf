//! Module-level parsing: directives and declarations (LANGUAGE.md 3.1, 3.3).

use super::Parser;
use crate::ast::{
    Attribute, BindDecl, CellBody, CellDecl, ConstDecl, Directive, DirectiveValue, EffectDecl, EnumDecl, FieldDecl,
    HandlerDecl, HandlerOp, Ident, ImplDecl, ImportDecl, ImportName, ImportNames, Item, ItemKind, MacroDecl, Module,
    ModulePath, Param, ParamKind, PayloadField, ProcessKind, RecordDecl, TraitDecl, TypeAlias, Variant,
};
use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;
use crate::token::{Keyword, TokenKind};

/// Directive names (LANGUAGE.md 1.4); any other `@name` at top level is an attribute.
const DIRECTIVES: &[&str] = &["strict", "deterministic", "doc_mode"];

/// Whether a cell must, may or must not have a body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyMode {
    Required,
    /// Trait members: a body exists when the next line is indented deeper than `cell`.
    Optional,
    Forbidden,
}

impl<'a> Parser<'a> {
    pub(crate) fn parse_module(&mut self) -> Module {
        let mut directives: Vec<Directive> = Vec::new();
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.at_eof() {
                break;
            }
            let before = self.pos;
            if self.at_directive() {
                if let Some(directive) = self.parse_directive() {
                    if let Some(old) = directives.iter().find(|d| d.name.name == directive.name.name) {
                        let old_at = self.pos_text(old.span);
                        self.error(
                            Diagnostic::warning(
                                codes::DUPLICATE_DIRECTIVE,
                                format!("directive `@{}` is repeated; the last one wins", directive.name.name),
                                directive.span,
                            )
                            .with_secondary(old.span, format!("first given at {old_at}")),
                        );
                    }
                    directives.push(directive);
                }
            } else if self.at_kw(Keyword::End) {
                let span = self.bump().span;
                self.error(
                    Diagnostic::error(codes::STRAY_END, "`end` without an open block", span)
                        .with_label("nothing to close here")
                        .with_help("remove this `end`, or check the blocks above for an extra `end`"),
                );
                self.expect_line_end();
            } else {
                items.push(self.parse_item());
            }
            if self.pos == before {
                self.bump();
            }
        }
        let end = self.tokens.last().map_or(Span::DUMMY, |t| t.span);
        Module { directives, items, span: Span { start: 0, end: end.end } }
    }

    fn at_directive(&mut self) -> bool {
        self.at(&TokenKind::At)
            && matches!(self.peek_nth(1), TokenKind::Ident(name) if DIRECTIVES.contains(&name.as_str()))
    }

    /// `@name [value]`
    fn parse_directive(&mut self) -> Option<Directive> {
        let at = self.bump().span;
        let name = self.expect_ident("a directive name")?;
        let tok = self.tok();
        let value = match &tok.kind {
            TokenKind::Newline | TokenKind::Eof => DirectiveValue::Bool(true),
            TokenKind::Kw(Keyword::True) => DirectiveValue::Bool(true),
            TokenKind::Kw(Keyword::False) => DirectiveValue::Bool(false),
            TokenKind::Int(n) => DirectiveValue::Int(i64::try_from(*n).unwrap_or(i64::MAX)),
            TokenKind::Str(parts) => DirectiveValue::Str(
                parts
                    .iter()
                    .map(|p| match p {
                        crate::token::StrPart::Text(t) => t.as_str(),
                        crate::token::StrPart::Interp { .. } => "",
                    })
                    .collect(),
            ),
            TokenKind::RawStr(text) => DirectiveValue::Str(text.clone()),
            TokenKind::Ident(id) => DirectiveValue::Ident(id.clone()),
            _ => {
                self.error(
                    Diagnostic::error(
                        codes::INVALID_DIRECTIVE,
                        format!("invalid value for directive `@{}`", name.name),
                        tok.span,
                    )
                    .with_label("expected `true`, `false`, a string, an integer or a name"),
                );
                self.recover_line();
                return None;
            }
        };
        if !matches!(tok.kind, TokenKind::Newline | TokenKind::Eof) {
            self.bump();
        }
        let span = at.to(self.prev_span());
        self.expect_line_end();
        Some(Directive { name, value, span })
    }

    fn parse_item(&mut self) -> Item {
        let start = self.span();
        let mut doc = self.take_doc();
        let attrs = self.parse_attributes();
        if doc.is_none() {
            doc = self.take_doc();
        }
        let is_pub = self.eat_kw(Keyword::Pub);
        let kind = match self.parse_decl(&attrs, &doc) {
            Some(kind) => kind,
            None if is_pub => {
                self.error_expected("a declaration after `pub`");
                self.recover_line();
                ItemKind::Stmt(crate::ast::Stmt {
                    kind: crate::ast::StmtKind::Expr(self.error_expr()),
                    attrs: Vec::new(),
                    span: start,
                })
            }
            None => {
                let mut stmt = self.parse_stmt();
                stmt.attrs = attrs.clone();
                ItemKind::Stmt(stmt)
            }
        };
        let span = start.to(self.prev_span());
        Item { kind, is_pub, attrs, doc, span }
    }

    /// A declaration, or `None` when the current line is a statement.
    fn parse_decl(&mut self, attrs: &[Attribute], doc: &Option<String>) -> Option<ItemKind> {
        let kind = match self.peek() {
            TokenKind::Kw(Keyword::Record) => ItemKind::Record(self.parse_record()),
            TokenKind::Kw(Keyword::Enum) => ItemKind::Enum(self.parse_enum()),
            TokenKind::Kw(Keyword::Cell | Keyword::Async) => {
                match self.parse_cell_decl(attrs.to_vec(), doc.clone(), true) {
                    Some(cell) => ItemKind::Cell(cell),
                    // Already reported; the line was skipped.
                    None => {
                        let span = self.prev_span();
                        ItemKind::Stmt(crate::ast::Stmt {
                            kind: crate::ast::StmtKind::Expr(crate::ast::Expr {
                                kind: crate::ast::ExprKind::Error,
                                span,
                            }),
                            attrs: Vec::new(),
                            span,
                        })
                    }
                }
            }
            TokenKind::Kw(Keyword::Extern) => {
                self.bump();
                let mut cell = self.parse_cell_with_mode(attrs.to_vec(), doc.clone(), BodyMode::Forbidden)?;
                cell.span = cell.span.to(self.prev_span());
                ItemKind::Extern(cell)
            }
            TokenKind::Kw(Keyword::Type) => ItemKind::TypeAlias(self.parse_type_alias()),
            TokenKind::Kw(Keyword::Const) => ItemKind::Const(self.parse_const()),
            TokenKind::Kw(Keyword::Trait) => ItemKind::Trait(self.parse_trait()),
            TokenKind::Kw(Keyword::Impl) => ItemKind::Impl(self.parse_impl()),
            TokenKind::Kw(Keyword::Import) => ItemKind::Import(self.parse_import()),
            TokenKind::Kw(Keyword::Use) => ItemKind::UseTool(self.parse_use_tool()),
            TokenKind::Kw(Keyword::Grant) => ItemKind::Grant(self.parse_grant()),
            TokenKind::Kw(Keyword::Macro) => ItemKind::Macro(self.parse_macro()),
            TokenKind::Ident(word) => {
                let next_is_name = matches!(self.peek_nth(1), TokenKind::Ident(_));
                match word.as_str() {
                    "effect" if next_is_name => ItemKind::Effect(self.parse_effect()),
                    "handler" if next_is_name => ItemKind::Handler(self.parse_handler()),
                    "bind" if matches!(self.peek_nth(1), TokenKind::Ident(w) if w == "effect") => {
                        ItemKind::Bind(self.parse_bind())
                    }
                    "agent" if next_is_name => ItemKind::Agent(self.parse_agent()),
                    w if next_is_name && ProcessKind::from_word(w).is_some() => {
                        let kind = ProcessKind::from_word(w)?;
                        ItemKind::Process(self.parse_process(kind))
                    }
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(kind)
    }

    /// Runs `member` for each line of a declaration body until `end`, then closes the block.
    pub(crate) fn parse_body_lines(&mut self, block: super::OpenBlock, mut member: impl FnMut(&mut Self)) -> Span {
        self.in_lines(|p| {
            p.expect_line_end();
            loop {
                p.skip_newlines();
                if p.at_kw(Keyword::End) || p.at_eof() {
                    break;
                }
                let before = p.pos;
                member(p);
                if p.pos == before {
                    p.bump();
                }
            }
            p.close_block(block)
        })
    }

    fn parse_record(&mut self) -> RecordDecl {
        let tok = self.bump();
        let name = self.expect_ident("a record name").unwrap_or_else(|| self.missing_ident());
        let generics = self.parse_generic_params();
        let block = self.open_block("record", tok);
        let mut fields = Vec::new();
        self.parse_body_lines(block, |p| {
            let attrs = p.parse_attributes();
            if p.at_kw(Keyword::Cell) || p.at_kw(Keyword::Async) {
                let span = p.span();
                p.error(
                    Diagnostic::error(codes::MISPLACED_ITEM, "records cannot contain cells", span)
                        .with_label("cell inside a record")
                        .with_help("define methods in an `impl` block, or make the type an enum"),
                );
                let _ = p.parse_cell_decl(Vec::new(), None, true);
                return;
            }
            if let Some(field) = p.parse_field_decl(attrs) {
                fields.push(field);
            }
        });
        RecordDecl { name, generics, fields }
    }

    /// `name: Type [= default] [where constraint]`
    fn parse_field_decl(&mut self, attrs: Vec<Attribute>) -> Option<FieldDecl> {
        let Some(name) = self.expect_field_name("a field name") else {
            self.recover_line();
            return None;
        };
        if !self.expect(&TokenKind::Colon, "`:` and the field's type") {
            self.recover_line();
            return None;
        }
        let ty = self.parse_type();
        let default = if self.eat(&TokenKind::Eq) { Some(self.parse_expr()) } else { None };
        let constraint = if self.eat_kw(Keyword::Where) { Some(self.parse_expr()) } else { None };
        let span = name.span.to(self.prev_span());
        self.expect_line_end();
        Some(FieldDecl { name, ty, default, constraint, attrs, span })
    }

    fn parse_enum(&mut self) -> EnumDecl {
        let tok = self.bump();
        let name = self.expect_ident("an enum name").unwrap_or_else(|| self.missing_ident());
        let generics = self.parse_generic_params();
        let block = self.open_block("enum", tok);
        let mut variants = Vec::new();
        let mut methods = Vec::new();
        self.parse_body_lines(block, |p| {
            let doc = p.take_doc();
            let attrs = p.parse_attributes();
            if p.at_kw(Keyword::Cell) || p.at_kw(Keyword::Async) {
                if let Some(cell) = p.parse_cell_decl(attrs, doc, true) {
                    methods.push(cell);
                }
                return;
            }
            let mut attrs = Some(attrs);
            let mut doc = doc;
            loop {
                let Some(name) = p.expect_ident("a variant name") else {
                    p.recover_line();
                    return;
                };
                let payload = if p.tokens[p.pos].kind == TokenKind::LParen { Some(p.parse_payload()) } else { None };
                let span = name.span.to(p.prev_span());
                variants.push(Variant {
                    name,
                    payload,
                    attrs: attrs.take().unwrap_or_default(),
                    doc: doc.take(),
                    span,
                });
                // Several variants may share a line: `Red, Green, Blue`.
                if !p.eat(&TokenKind::Comma) {
                    break;
                }
                if p.tokens[p.pos].kind == TokenKind::Newline {
                    break;
                }
            }
            p.expect_line_end();
        });
        EnumDecl { name, generics, variants, methods }
    }

    /// `(T, name: U)` of a variant.
    fn parse_payload(&mut self) -> Vec<PayloadField> {
        self.bump(); // (
        self.in_brackets(|p| {
            let mut fields = Vec::new();
            while !p.at(&TokenKind::RParen) && !p.at_eof() {
                let before = p.pos;
                let start = p.span();
                let name = if matches!(p.peek(), TokenKind::Ident(_) | TokenKind::Kw(_))
                    && *p.peek_nth(1) == TokenKind::Colon
                {
                    let name = p.field_name();
                    p.bump(); // :
                    name
                } else {
                    None
                };
                let ty = p.parse_type();
                fields.push(PayloadField { name, span: start.to(ty.span), ty });
                if !p.eat(&TokenKind::Comma) || p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RParen, "`,` or `)` in the payload") {
                p.skip_to_closer(&TokenKind::RParen);
            }
            fields
        })
    }

    /// `[async] cell name[generics](params) [-> [yield] T] [/ effects] [where e] (NL body end | = e)`
    pub(crate) fn parse_cell_decl(
        &mut self,
        attrs: Vec<Attribute>,
        doc: Option<String>,
        body: bool,
    ) -> Option<CellDecl> {
        let mode = if body { BodyMode::Required } else { BodyMode::Forbidden };
        self.parse_cell_with_mode(attrs, doc, mode)
    }

    pub(crate) fn parse_cell_with_mode(
        &mut self,
        attrs: Vec<Attribute>,
        doc: Option<String>,
        mode: BodyMode,
    ) -> Option<CellDecl> {
        let first = self.tok();
        let is_async = self.eat_kw(Keyword::Async);
        let cell_tok = self.tok();
        if !self.expect_kw(Keyword::Cell) {
            self.recover_line();
            return None;
        }
        let Some(name) = self.expect_ident("a cell name") else {
            if !matches!(self.peek(), TokenKind::Newline | TokenKind::Eof) {
                self.bump();
            }
            self.recover_line();
            return None;
        };
        let generics = self.parse_generic_params();
        let params = self.parse_params("cell");
        let mut ret = None;
        let mut is_generator = false;
        if self.eat(&TokenKind::Arrow) {
            is_generator = self.eat_kw(Keyword::Yield);
            ret = Some(self.parse_type());
        }
        let effects = self.parse_effect_row();
        let where_clause = if self.eat_kw(Keyword::Where) { Some(self.parse_expr()) } else { None };
        let has_body = match mode {
            BodyMode::Required => true,
            BodyMode::Forbidden => false,
            BodyMode::Optional => self.at(&TokenKind::Eq) || self.next_line_is_deeper(cell_tok.indent),
        };
        let body = if !has_body {
            if self.at(&TokenKind::Eq) {
                let span = self.span();
                self.error(
                    Diagnostic::error(codes::MISPLACED_ITEM, "this cell cannot have a body", span)
                        .with_label("unexpected body")
                        .with_help("effect operations and `extern` cells are signatures only"),
                );
            }
            self.expect_line_end();
            None
        } else if self.eat(&TokenKind::Eq) {
            self.skip_newlines();
            let expr = self.parse_expr();
            self.expect_line_end();
            Some(CellBody::Expr(expr))
        } else {
            let block = self.open_block("cell", cell_tok);
            let body = self.in_lines(|p| {
                p.expect_line_end();
                p.parse_block()
            });
            self.close_block(block);
            self.expect_line_end();
            Some(CellBody::Block(body))
        };
        let span = first.span.to(self.prev_span());
        Some(CellDecl {
            is_async,
            name,
            generics,
            params,
            ret,
            is_generator,
            effects,
            where_clause,
            body,
            attrs,
            doc,
            span,
        })
    }

    /// Whether the line after the current one starts deeper than `indent`, or is an `end` at it.
    fn next_line_is_deeper(&mut self, indent: u32) -> bool {
        let mut i = self.pos;
        while self.tokens[i].kind == TokenKind::Newline {
            i += 1;
        }
        if i == self.pos {
            return false;
        }
        let tok = &self.tokens[i];
        tok.indent > indent || (tok.kind == TokenKind::Kw(Keyword::End) && tok.indent == indent)
    }

    /// `(self, a: Int, b: Int = 1, ...rest: String)`
    pub(crate) fn parse_params(&mut self, what: &str) -> Vec<Param> {
        if !self.expect(&TokenKind::LParen, &format!("`(` and the {what}'s parameters")) {
            return Vec::new();
        }
        self.in_brackets(|p| {
            let mut params: Vec<Param> = Vec::new();
            while !p.at(&TokenKind::RParen) && !p.at_eof() {
                let before = p.pos;
                let start = p.span();
                let kind = if p.eat_kw(Keyword::SelfKw) {
                    ParamKind::SelfParam
                } else if p.eat(&TokenKind::Ellipsis) {
                    ParamKind::Variadic
                } else {
                    ParamKind::Normal
                };
                let name = if kind == ParamKind::SelfParam {
                    Some(Ident { name: "self".to_string(), span: start })
                } else {
                    p.expect_ident("a parameter name")
                };
                if let Some(name) = name {
                    let ty = if p.eat(&TokenKind::Colon) { Some(p.parse_type()) } else { None };
                    let default = if p.eat(&TokenKind::Eq) { Some(p.parse_expr()) } else { None };
                    if let Some(prev) = params.last().filter(|prev| prev.kind == ParamKind::Variadic) {
                        let span = prev.span;
                        p.error(
                            Diagnostic::error(
                                codes::VARIADIC_NOT_LAST,
                                "the variadic parameter must be the last one",
                                span,
                            )
                            .with_label("variadic parameter")
                            .with_help("move `...` parameter to the end of the list"),
                        );
                    }
                    params.push(Param { kind, name, ty, default, span: start.to(p.prev_span()) });
                }
                if !p.eat(&TokenKind::Comma) || p.pos == before {
                    break;
                }
            }
            if !p.expect(&TokenKind::RParen, "`,` or `)` in the parameter list") {
                p.skip_to_closer(&TokenKind::RParen);
            }
            params
        })
    }

    fn parse_type_alias(&mut self) -> TypeAlias {
        self.bump();
        let name = self.expect_ident("a type name").unwrap_or_else(|| self.missing_ident());
        let generics = self.parse_generic_params();
        self.expect(&TokenKind::Eq, "`=` and the aliased type");
        let ty = self.parse_type();
        let constraint = if self.eat_kw(Keyword::Where) { Some(self.parse_expr()) } else { None };
        self.expect_line_end();
        TypeAlias { name, generics, ty, constraint }
    }

    fn parse_const(&mut self) -> ConstDecl {
        self.bump();
        let name = self.expect_ident("a constant name").unwrap_or_else(|| self.missing_ident());
        let ty = if self.eat(&TokenKind::Colon) { Some(self.parse_type()) } else { None };
        let value = if self.expect(&TokenKind::Eq, "`=` and the constant's value") {
            self.skip_newlines();
            self.parse_expr()
        } else {
            self.error_expr()
        };
        self.expect_line_end();
        ConstDecl { name, ty, value }
    }

    fn parse_trait(&mut self) -> TraitDecl {
        let tok = self.bump();
        let name = self.expect_ident("a trait name").unwrap_or_else(|| self.missing_ident());
        let mut parents = Vec::new();
        if self.eat(&TokenKind::Colon) {
            loop {
                if let Some(parent) = self.expect_ident("a parent trait name") {
                    parents.push(parent);
                }
                if !(self.eat(&TokenKind::Comma) || self.eat(&TokenKind::Plus)) {
                    break;
                }
            }
        }
        let block = self.open_block("trait", tok);
        let mut methods = Vec::new();
        self.parse_body_lines(block, |p| p.parse_methods_line(&mut methods, BodyMode::Optional, "trait"));
        TraitDecl { name, parents, methods }
    }

    /// One member line of a trait, impl or effect body: a cell (with attributes and docstring).
    fn parse_methods_line(&mut self, methods: &mut Vec<CellDecl>, mode: BodyMode, container: &str) {
        let doc = self.take_doc();
        let attrs = self.parse_attributes();
        if self.at_kw(Keyword::Cell) || self.at_kw(Keyword::Async) {
            if let Some(cell) = self.parse_cell_with_mode(attrs, doc, mode) {
                methods.push(cell);
            }
        } else {
            let found = self.peek().describe();
            let span = self.span();
            self.error(
                Diagnostic::error(
                    codes::INVALID_MEMBER,
                    format!("expected a cell in this {container}, found {found}"),
                    span,
                )
                .with_label("not allowed here")
                .with_help(format!("a {container} body holds `cell` declarations only")),
            );
            self.recover_line();
        }
    }

    fn parse_impl(&mut self) -> ImplDecl {
        let tok = self.bump();
        let generics = self.parse_generic_params();
        let trait_name = self.expect_ident("a trait name").unwrap_or_else(|| self.missing_ident());
        self.expect_kw(Keyword::For);
        let target = self.parse_type();
        let block = self.open_block("impl", tok);
        let mut methods = Vec::new();
        self.parse_body_lines(block, |p| p.parse_methods_line(&mut methods, BodyMode::Required, "impl"));
        ImplDecl { generics, trait_name, target, methods }
    }

    fn parse_effect(&mut self) -> EffectDecl {
        let tok = self.bump();
        let name = self.expect_ident("an effect name").unwrap_or_else(|| self.missing_ident());
        let block = self.open_block("effect", tok);
        let mut ops = Vec::new();
        self.parse_body_lines(block, |p| p.parse_methods_line(&mut ops, BodyMode::Forbidden, "effect"));
        EffectDecl { name, ops }
    }

    fn parse_handler(&mut self) -> HandlerDecl {
        let tok = self.bump();
        let name = self.expect_ident("a handler name").unwrap_or_else(|| self.missing_ident());
        let block = self.open_block("handler", tok);
        let mut ops = Vec::new();
        self.parse_body_lines(block, |p| {
            let Some(handle_tok) = p.eat_tok(&TokenKind::Kw(Keyword::Handle)) else {
                p.error_expected("`handle Effect.operation(...)`");
                p.recover_line();
                return;
            };
            let effect = p.expect_ident("an effect name").unwrap_or_else(|| p.missing_ident());
            p.expect(&TokenKind::Dot, "`.` and an operation name");
            let op = p.expect_field_name("an operation name").unwrap_or_else(|| p.missing_ident());
            let params = p.parse_params("operation");
            let ret = if p.eat(&TokenKind::Arrow) { Some(p.parse_type()) } else { None };
            let op_block = p.open_block("handle", handle_tok);
            let body = p.in_lines(|p| {
                p.expect_line_end();
                p.parse_block()
            });
            let end = p.close_block(op_block);
            p.expect_line_end();
            ops.push(HandlerOp { effect, op, params, ret, body, span: handle_tok.span.to(end) });
        });
        HandlerDecl { name, ops }
    }

    /// `bind effect E[.op] to Tool`
    fn parse_bind(&mut self) -> BindDecl {
        self.bump(); // bind
        self.bump(); // effect
        let effect = self.expect_ident("an effect name").unwrap_or_else(|| self.missing_ident());
        let op = if self.eat(&TokenKind::Dot) { self.expect_field_name("an operation name") } else { None };
        if self.at_word("to") {
            self.bump();
        } else {
            self.error_expected("`to` and a tool alias");
        }
        let tool = self.expect_ident("a tool alias").unwrap_or_else(|| self.missing_ident());
        self.expect_line_end();
        BindDecl { effect, op, tool }
    }

    /// `import a.b: X, Y as Z` / `import m: *` / `import @ns/pkg.mod: X`
    fn parse_import(&mut self) -> ImportDecl {
        self.bump();
        let path = self.parse_module_path();
        self.expect(&TokenKind::Colon, "`:` and the imported names");
        let names = if let Some(star) = self.eat_tok(&TokenKind::Star) {
            ImportNames::All(star.span)
        } else {
            let mut names = Vec::new();
            while let Some(name) = self.expect_ident("a name to import") {
                let alias = if self.eat_kw(Keyword::As) { self.expect_ident("a new name") } else { None };
                let span = name.span.to(self.prev_span());
                names.push(ImportName { name, alias, span });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
                self.skip_newlines();
            }
            ImportNames::Names(names)
        };
        self.expect_line_end();
        ImportDecl { path, names }
    }

    fn parse_module_path(&mut self) -> ModulePath {
        let start = self.span();
        let mut package = None;
        if self.eat(&TokenKind::At) {
            let ns = self.package_segment();
            self.expect(&TokenKind::Slash, "`/` in the package name");
            let name = self.package_segment();
            package = Some((ns, name));
            if !self.eat(&TokenKind::Dot) {
                return ModulePath { package, segments: Vec::new(), span: start.to(self.prev_span()) };
            }
        }
        let mut segments = Vec::new();
        while let Some(seg) = self.expect_ident("a module name") {
            segments.push(seg);
            if !self.eat(&TokenKind::Dot) {
                break;
            }
        }
        ModulePath { package, segments, span: start.to(self.prev_span()) }
    }

    /// A package name part such as `text-kit`: adjacent identifiers, numbers and `-` joined.
    fn package_segment(&mut self) -> Ident {
        let start = self.span();
        let mut end = start;
        let mut name = String::new();
        loop {
            let tok = self.tokens[self.pos].clone();
            let adjacent = name.is_empty() || tok.span.start == end.end;
            let text = match &tok.kind {
                TokenKind::Ident(_) | TokenKind::Int(_) | TokenKind::Minus | TokenKind::Kw(_) if adjacent => {
                    self.source_text(tok.span)
                }
                _ => break,
            };
            name.push_str(text);
            end = tok.span;
            self.bump();
        }
        if name.is_empty() {
            self.error_expected("a package name part");
        }
        Ident { name, span: start.to(end) }
    }

    /// `macro name[!](a, b) NL body end`
    fn parse_macro(&mut self) -> MacroDecl {
        let tok = self.bump();
        let name = self.expect_ident("a macro name").unwrap_or_else(|| self.missing_ident());
        let bang = self.eat(&TokenKind::Bang);
        let params = self.parse_params("macro").into_iter().map(|p| p.name).collect();
        let block = self.open_block("macro", tok);
        let body = self.in_lines(|p| {
            p.expect_line_end();
            p.parse_block()
        });
        self.close_block(block);
        self.expect_line_end();
        MacroDecl { name, bang, params, body }
    }
}
