//! Declarations: cells, records, enums, traits, effects, agents, processes...

use lumen_syntax::Span;
use lumen_syntax::ast::{
    CellBody, CellDecl, GenericParam, GrantDecl, Ident, ImportNames, ItemKind, Member, MemberKind, ModulePath, Param,
    ParamKind, StateItem, StateItemKind, Stmt, Variant,
};
use lumen_syntax::token::TokenKind;

use crate::cat;
use crate::doc::Doc;
use crate::expr::is_block;
use crate::printer::{Body, Printer};

impl Printer<'_> {
    /// Start of the last token of `span`: the closing `end` of a block declaration.
    pub fn end_kw(&self, span: Span) -> u32 {
        let end = self.end(span);
        self.src.token_before(end).map_or(end, |t| t.span.start)
    }

    /// The statements of a block whose header is already printed, up to the closer at `close`:
    /// a comment after the header, the indented lines, and comments before the closer.
    pub fn body(&mut self, stmts: &[Stmt], close: u32) -> Doc {
        let first = stmts.first().map_or(close, stmt_start);
        let trailing = self.header_comment(first);
        let mut body = Body::new();
        for s in stmts {
            self.entry(&mut body, &s.attrs, s.span, |p| p.stmt(s));
        }
        self.leading(&mut body, close);
        cat![trailing, Doc::indent(body.into_doc())]
    }

    /// A comment at the end of the header line, the line before the token at `next`.
    pub fn header_comment(&mut self, next: u32) -> Doc {
        // Only a comment before `next`: one after it belongs to the code there.
        if self.src.peek_before(next).is_none() {
            return Doc::Nil;
        }
        match self.src.token_before(next) {
            Some(t) => self.trailing(t.span.end),
            None => Doc::Nil,
        }
    }

    /// A block: `header`, its statements, `end`.
    pub fn block_with(&mut self, header: Doc, stmts: &[Stmt], span: Span) -> Doc {
        let close = self.end_kw(span);
        let body = self.body(stmts, close);
        cat![header, body, Doc::HardLine, "end"]
    }

    pub fn cell(&mut self, c: &CellDecl, is_extern: bool) -> Doc {
        let mut head = Vec::new();
        if is_extern {
            head.push(Doc::text("extern "));
        }
        if c.is_async {
            head.push(Doc::text("async "));
        }
        head.push(format!("cell {}", c.name.name).into());
        head.push(self.generics(&c.generics));
        let params_from = c.generics.last().map_or(c.name.span.end, |g| g.span.end);
        head.push(self.params(&c.params, params_from));
        if let Some(ret) = &c.ret {
            head.push(if c.is_generator { " -> yield ".into() } else { " -> ".into() });
            head.push(self.ty(ret));
        }
        if let Some(row) = &c.effects {
            head.push(self.effect_row(row));
        }
        if let Some(w) = &c.where_clause {
            head.push(" where ".into());
            head.push(self.expr(w));
        }
        let head = Doc::Concat(head);
        match &c.body {
            None => head,
            Some(CellBody::Expr(e)) => cat![head, " = ", self.expr(e)],
            Some(CellBody::Block(b)) => self.block_with(head, &b.stmts, c.span),
        }
    }

    /// Whether the next token after `pos`, on the same line, is `(`.
    pub fn paren_follows(&self, pos: u32) -> bool {
        self.src
            .token_at_or_after(pos)
            .is_some_and(|t| t.kind == TokenKind::LParen && !self.src.newline_between(pos, t.span.start))
    }

    /// Where the closer of a bracketed list starts: after its last item, or after the opener
    /// (the first token at or after `open_from`) when the list is empty.
    pub fn list_close(&self, open_from: u32, last_end: Option<u32>) -> u32 {
        let after = match last_end {
            Some(end) => end,
            None => self.src.token_at_or_after(open_from).map_or(open_from, |t| t.span.end),
        };
        self.closer(after, after)
    }

    pub fn generics(&mut self, generics: &[GenericParam]) -> Doc {
        if generics.is_empty() {
            return Doc::Nil;
        }
        let parts: Vec<String> = generics
            .iter()
            .map(|g| {
                if g.bounds.is_empty() {
                    g.name.name.clone()
                } else {
                    format!("{}: {}", g.name.name, join(&g.bounds, " + "))
                }
            })
            .collect();
        Doc::text(format!("[{}]", parts.join(", ")))
    }

    /// `(params)`; `after` is a position before the `(`.
    pub fn params(&mut self, params: &[Param], after: u32) -> Doc {
        let close = self.list_close(after, params.last().map(|p| self.end(p.span)));
        self.list("(", params, |_, p| p.span, |p, param| p.param(param), ")", close, |_| false)
    }

    pub fn param(&mut self, p: &Param) -> Doc {
        let mut parts = Vec::new();
        match p.kind {
            ParamKind::SelfParam => parts.push(Doc::text("self")),
            ParamKind::Normal => parts.push(Doc::text(&p.name.name)),
            ParamKind::Variadic => parts.push(Doc::text(format!("...{}", p.name.name))),
        }
        if let Some(ty) = &p.ty {
            parts.push(": ".into());
            parts.push(self.ty(ty));
        }
        if let Some(d) = &p.default {
            parts.push(" = ".into());
            parts.push(self.expr(d));
        }
        Doc::Concat(parts)
    }

    pub fn decl(&mut self, kind: &ItemKind, span: Span) -> Doc {
        match kind {
            ItemKind::Record(r) => {
                let head = cat![format!("record {}", r.name.name), self.generics(&r.generics)];
                let close = self.end_kw(span);
                let first = r.fields.first().map_or(close, |f| f.attrs.first().map_or(f.span.start, |a| a.span.start));
                let trailing = self.header_comment(first);
                let mut body = Body::new();
                for f in &r.fields {
                    self.entry(&mut body, &f.attrs, f.span, |p| {
                        let mut parts = vec![Doc::text(format!("{}: ", f.name.name)), p.ty(&f.ty)];
                        if let Some(d) = &f.default {
                            parts.push(" = ".into());
                            parts.push(p.expr(d));
                        }
                        if let Some(c) = &f.constraint {
                            parts.push(" where ".into());
                            parts.push(p.expr(c));
                        }
                        Doc::Concat(parts)
                    });
                }
                self.close_body(head, trailing, body, close)
            }
            ItemKind::Enum(e) => {
                let head = cat![format!("enum {}", e.name.name), self.generics(&e.generics)];
                let close = self.end_kw(span);
                self.enum_body(head, &e.variants, &e.methods, close)
            }
            ItemKind::Cell(c) => self.cell(c, false),
            ItemKind::Extern(c) => self.cell(c, true),
            ItemKind::TypeAlias(t) => {
                let mut parts = vec![Doc::text(format!("type {}", t.name.name)), self.generics(&t.generics)];
                parts.push(" = ".into());
                parts.push(self.ty(&t.ty));
                if let Some(c) = &t.constraint {
                    parts.push(" where ".into());
                    parts.push(self.expr(c));
                }
                Doc::Concat(parts)
            }
            ItemKind::Const(c) => {
                let mut parts = vec![Doc::text(format!("const {}", c.name.name))];
                if let Some(ty) = &c.ty {
                    parts.push(": ".into());
                    parts.push(self.ty(ty));
                }
                parts.push(" = ".into());
                parts.push(self.expr(&c.value));
                Doc::Concat(parts)
            }
            ItemKind::Trait(t) => {
                let mut head = format!("trait {}", t.name.name);
                for (i, parent) in t.parents.iter().enumerate() {
                    if i == 0 {
                        head.push_str(": ");
                    } else {
                        // Parents may be joined by `,` or `+`; keep the one written.
                        let sep = self.src.token_before(parent.span.start).map(|t| &t.kind);
                        head.push_str(if sep == Some(&TokenKind::Plus) { " + " } else { ", " });
                    }
                    head.push_str(&parent.name);
                }
                let close = self.end_kw(span);
                self.cells_body(head.into(), &t.methods, close)
            }
            ItemKind::Impl(i) => {
                let head = cat![
                    "impl",
                    self.generics(&i.generics),
                    format!(" {} for ", i.trait_name.name),
                    self.ty(&i.target)
                ];
                let close = self.end_kw(span);
                self.cells_body(head, &i.methods, close)
            }
            ItemKind::Import(i) => {
                let names = match &i.names {
                    ImportNames::All(_) => "*".to_string(),
                    ImportNames::Names(names) => names
                        .iter()
                        .map(|n| match &n.alias {
                            Some(a) => format!("{} as {}", n.name.name, a.name),
                            None => n.name.name.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                Doc::text(format!("import {}: {names}", module_path(&i.path)))
            }
            ItemKind::Effect(e) => {
                let close = self.end_kw(span);
                self.cells_body(format!("effect {}", e.name.name).into(), &e.ops, close)
            }
            ItemKind::Handler(h) => {
                let close = self.end_kw(span);
                let head: Doc = format!("handler {}", h.name.name).into();
                let first = h.ops.first().map_or(close, |o| o.span.start);
                let trailing = self.header_comment(first);
                let mut body = Body::new();
                for op in &h.ops {
                    self.entry(&mut body, &[], op.span, |p| {
                        let mut head = vec![Doc::text(format!("handle {}.{}", op.effect.name, op.op.name))];
                        head.push(p.params(&op.params, op.op.span.end));
                        if let Some(ret) = &op.ret {
                            head.push(" -> ".into());
                            head.push(p.ty(ret));
                        }
                        p.block_with(Doc::Concat(head), &op.body.stmts, op.span)
                    });
                }
                self.close_body(head, trailing, body, close)
            }
            ItemKind::Bind(b) => {
                let op = b.op.as_ref().map_or(String::new(), |o| format!(".{}", o.name));
                Doc::text(format!("bind effect {}{op} to {}", b.effect.name, b.tool.name))
            }
            ItemKind::UseTool(u) => self.tokens_line(u.span),
            ItemKind::Grant(g) => self.grant(g),
            ItemKind::Agent(a) => {
                let close = self.end_kw(span);
                self.members(format!("agent {}", a.name.name).into(), &a.members, close)
            }
            ItemKind::Process(pr) => {
                let close = self.end_kw(span);
                self.members(format!("{} {}", pr.kind.as_str(), pr.name.name).into(), &pr.members, close)
            }
            ItemKind::Macro(m) => {
                let bang = if m.bang { "!" } else { "" };
                let params: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
                let head = Doc::text(format!("macro {}{bang}({})", m.name.name, params.join(", ")));
                self.block_with(head, &m.body.stmts, span)
            }
            ItemKind::Stmt(s) => self.stmt(s),
        }
    }

    /// `head` + trailing comment + body lines + comments before `end` + `end`.
    pub fn close_body(&mut self, head: Doc, trailing: Doc, mut body: Body, close: u32) -> Doc {
        self.leading(&mut body, close);
        cat![head, trailing, Doc::indent(body.into_doc()), Doc::HardLine, "end"]
    }

    /// A body made of cells (trait, impl, effect).
    fn cells_body(&mut self, head: Doc, cells: &[CellDecl], close: u32) -> Doc {
        let first = cells.first().map_or(close, cell_start);
        let trailing = self.header_comment(first);
        let mut body = Body::new();
        for c in cells {
            self.entry(&mut body, &c.attrs, c.span, |p| p.cell(c, false));
        }
        self.close_body(head, trailing, body, close)
    }

    /// Variants (those written on one line stay on one line) and methods, in source order.
    fn enum_body(&mut self, head: Doc, variants: &[Variant], methods: &[CellDecl], close: u32) -> Doc {
        let mut lines: Vec<EnumLine<'_>> = Vec::new();
        let mut i = 0;
        while i < variants.len() {
            let mut j = i + 1;
            while j < variants.len() && !self.src.newline_between(variants[j - 1].span.end, variants[j].span.start) {
                j += 1;
            }
            let v = &variants[i];
            lines.push((v.attrs.first().map_or(v.span.start, |a| a.span.start), Some(&variants[i..j]), None));
            i = j;
        }
        lines.extend(methods.iter().map(|c| (cell_start(c), None, Some(c))));
        lines.sort_by_key(|l| l.0);
        let first = lines.first().map_or(close, |l| l.0);
        let trailing = self.header_comment(first);
        let mut body = Body::new();
        for (_, group, cell) in lines {
            if let Some(group) = group {
                let span = group[0].span.to(group[group.len() - 1].span);
                self.entry(&mut body, &group[0].attrs, span, |p| {
                    let mut parts = Vec::new();
                    for (k, v) in group.iter().enumerate() {
                        if k > 0 {
                            parts.push(", ".into());
                        }
                        parts.push(p.variant(v));
                    }
                    Doc::Concat(parts)
                });
            } else if let Some(c) = cell {
                self.entry(&mut body, &c.attrs, c.span, |p| p.cell(c, false));
            }
        }
        self.close_body(head, trailing, body, close)
    }

    fn variant(&mut self, v: &Variant) -> Doc {
        let Some(payload) = &v.payload else {
            return Doc::text(&v.name.name);
        };
        let close = self.list_close(v.name.span.end, payload.last().map(|f| self.end(f.span)));
        let fields = self.list(
            "(",
            payload,
            |_, f| f.span,
            |p, f| match &f.name {
                Some(n) => cat![format!("{}: ", n.name), p.ty(&f.ty)],
                None => p.ty(&f.ty),
            },
            ")",
            close,
            |_| false,
        );
        cat![v.name.name.as_str(), fields]
    }

    /// `grant Alias key value...`; constraints keep the lines they were written on.
    fn grant(&mut self, g: &GrantDecl) -> Doc {
        let mut lines: Vec<Vec<Doc>> = vec![vec![Doc::text(format!("grant {}", g.alias.name))]];
        let mut prev_end = g.alias.span.end;
        for c in &g.constraints {
            if self.src.newline_between(prev_end, c.span.start) {
                lines.push(Vec::new());
            }
            let line = lines.last_mut().expect("never empty");
            if !line.is_empty() {
                line.push(" ".into());
            }
            line.push(format!("{} ", c.key.name).into());
            line.push(self.expr(&c.value));
            prev_end = c.span.end;
        }
        let mut lines = lines.into_iter();
        let first = Doc::Concat(lines.next().unwrap_or_default());
        let rest: Vec<Doc> = lines.flat_map(|l| [Doc::HardLine, Doc::Concat(l)]).collect();
        if rest.is_empty() { first } else { cat![first, Doc::indent(Doc::Concat(rest))] }
    }

    /// Agent and process bodies.
    fn members(&mut self, head: Doc, members: &[Member], close: u32) -> Doc {
        let first = members.first().map_or(close, |m| m.span.start);
        let trailing = self.header_comment(first);
        let mut body = Body::new();
        for m in members {
            self.entry(&mut body, &m.attrs, m.span, |p| p.member(m));
        }
        self.close_body(head, trailing, body, close)
    }

    fn member(&mut self, m: &Member) -> Doc {
        match &m.kind {
            MemberKind::Cell(c) => self.cell(c, false),
            MemberKind::UseTool(u) => self.tokens_line(u.span),
            MemberKind::Grant(g) => self.grant(g),
            MemberKind::Role(r) => self.role(r),
            MemberKind::Config { key, value } => cat![format!("{}: ", key.name), self.expr(value)],
            MemberKind::Stages(stages) => {
                let lines: Vec<Doc> =
                    stages.iter().flat_map(|s| [Doc::HardLine, Doc::text(format!("-> {}", s.name))]).collect();
                cat!["stages:", Doc::indent(Doc::Concat(lines))]
            }
            MemberKind::Initial(state) => Doc::text(format!("initial: {}", state.name)),
            MemberKind::State(s) => {
                let mut head = vec![Doc::text(format!("state {}", s.name.name))];
                if !s.params.is_empty() || self.paren_follows(s.name.span.end) {
                    head.push(self.params(&s.params, s.name.span.end));
                }
                let close = self.end_kw(m.span);
                let first = s.items.first().map_or(close, |i| i.span.start);
                let trailing = self.header_comment(first);
                let mut body = Body::new();
                for item in &s.items {
                    self.entry(&mut body, &[], item.span, |p| p.state_item(item));
                }
                self.close_body(Doc::Concat(head), trailing, body, close)
            }
        }
    }

    fn state_item(&mut self, item: &StateItem) -> Doc {
        match &item.kind {
            StateItemKind::Terminal(b) => Doc::text(format!("terminal: {b}")),
            StateItemKind::Guard(e) => cat!["guard: ", self.expr(e)],
            StateItemKind::Transition { target, args } => {
                // Named arguments are not in the AST: keep such a line as written.
                let mut pos = target.span.end;
                let end = self.end(item.span);
                while let Some(t) = self.src.token_at_or_after(pos).filter(|t| t.span.start < end) {
                    if t.kind == TokenKind::Colon {
                        return self.tokens_line(item.span);
                    }
                    pos = t.span.end;
                }
                if args.is_empty() && !self.paren_follows(target.span.end) {
                    return Doc::text(format!("transition {}", target.name));
                }
                let close = self.list_close(target.span.end, args.last().map(|a| self.end(a.span)));
                let list = self.list("(", args, |_, a| a.span, |p, a| p.expr(a), ")", close, is_block);
                cat![format!("transition {}", target.name), list]
            }
            StateItemKind::OnEnter(b) => self.block_with("on_enter".into(), &b.stmts, item.span),
            StateItemKind::OnExit(b) => self.block_with("on_exit".into(), &b.stmts, item.span),
        }
    }
}

/// A line of an enum body: where it starts, and either variants sharing the line or a method.
type EnumLine<'e> = (u32, Option<&'e [Variant]>, Option<&'e CellDecl>);

pub fn stmt_start(s: &Stmt) -> u32 {
    s.attrs.first().map_or(s.span.start, |a| a.span.start.min(s.span.start))
}

fn cell_start(c: &CellDecl) -> u32 {
    c.attrs.first().map_or(c.span.start, |a| a.span.start.min(c.span.start))
}

pub fn join(ids: &[Ident], sep: &str) -> String {
    ids.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(sep)
}

fn module_path(path: &ModulePath) -> String {
    let mut out = String::new();
    if let Some((ns, name)) = &path.package {
        out.push_str(&format!("@{}/{}", ns.name, name.name));
        if !path.segments.is_empty() {
            out.push('.');
        }
    }
    out.push_str(&join(&path.segments, "."));
    out
}
