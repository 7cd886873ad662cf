//! The declarations of a module as a tree (records with fields, enums with variants, …): what
//! document symbols list, and what hover, definition and completion look names up in.

use lumen_syntax::Span;
use lumen_syntax::ast::{CellDecl, Item, ItemKind, MemberKind, Module, TypeExpr, TypeKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Record,
    Enum,
    Cell,
    Field,
    Variant,
    Method,
    TypeAlias,
    Const,
    Trait,
    Impl,
    Effect,
    Handler,
    Agent,
    Process,
    Macro,
    State,
}

#[derive(Clone, Debug)]
pub struct Decl {
    pub name: String,
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    pub kind: DeclKind,
    pub doc: Option<String>,
    /// The signature as written: from the line of the name to the end of the header.
    pub sig: Span,
    pub children: Vec<Decl>,
}

/// The declarations of `module`, whose spans index into `text`.
pub fn collect(module: &Module, text: &str) -> Vec<Decl> {
    module.items.iter().filter_map(|item| item_decl(item, text)).collect()
}

fn item_decl(item: &Item, text: &str) -> Option<Decl> {
    let whole = |name: &lumen_syntax::ast::Ident, kind, children| Decl {
        name: name.name.clone(),
        name_span: name.span,
        span: item.span,
        kind,
        doc: item.doc.clone(),
        sig: whole_sig(text, name.span, item.span),
        children,
    };
    Some(match &item.kind {
        ItemKind::Record(r) => {
            let fields =
                r.fields.iter().map(|f| leaf(&f.name.name, f.name.span, f.span, DeclKind::Field, None, text)).collect();
            whole(&r.name, DeclKind::Record, fields)
        }
        ItemKind::Enum(e) => {
            let mut children: Vec<Decl> = e
                .variants
                .iter()
                .map(|v| leaf(&v.name.name, v.name.span, v.span, DeclKind::Variant, v.doc.clone(), text))
                .collect();
            children.extend(e.methods.iter().map(|m| cell_decl(m, DeclKind::Method, None, text)));
            whole(&e.name, DeclKind::Enum, children)
        }
        ItemKind::Cell(c) | ItemKind::Extern(c) => {
            let mut d = cell_decl(c, DeclKind::Cell, item.doc.clone(), text);
            d.span = item.span;
            d
        }
        ItemKind::TypeAlias(t) => whole(&t.name, DeclKind::TypeAlias, Vec::new()),
        ItemKind::Const(c) => whole(&c.name, DeclKind::Const, Vec::new()),
        ItemKind::Trait(t) => {
            let methods = t.methods.iter().map(|m| cell_decl(m, DeclKind::Method, None, text)).collect();
            whole(&t.name, DeclKind::Trait, methods)
        }
        ItemKind::Impl(i) => {
            let methods = i.methods.iter().map(|m| cell_decl(m, DeclKind::Method, None, text)).collect();
            let target = type_name(&i.target).unwrap_or_default();
            let mut d = whole(&i.trait_name, DeclKind::Impl, methods);
            d.name = format!("impl {} for {target}", i.trait_name.name);
            d
        }
        ItemKind::Effect(e) => {
            let ops = e.ops.iter().map(|m| cell_decl(m, DeclKind::Method, None, text)).collect();
            whole(&e.name, DeclKind::Effect, ops)
        }
        ItemKind::Handler(h) => whole(&h.name, DeclKind::Handler, Vec::new()),
        ItemKind::Agent(a) => whole(&a.name, DeclKind::Agent, members(&a.members, text)),
        ItemKind::Process(p) => whole(&p.name, DeclKind::Process, members(&p.members, text)),
        ItemKind::Macro(m) => whole(&m.name, DeclKind::Macro, Vec::new()),
        ItemKind::Import(_) | ItemKind::Bind(_) | ItemKind::UseTool(_) | ItemKind::Grant(_) | ItemKind::Stmt(_) => {
            return None;
        }
    })
}

fn members(members: &[lumen_syntax::ast::Member], text: &str) -> Vec<Decl> {
    members
        .iter()
        .filter_map(|m| match &m.kind {
            MemberKind::Cell(c) => {
                let mut d = cell_decl(c, DeclKind::Method, m.doc.clone(), text);
                d.span = m.span;
                Some(d)
            }
            MemberKind::State(s) => Some(leaf(&s.name.name, s.name.span, m.span, DeclKind::State, m.doc.clone(), text)),
            _ => None,
        })
        .collect()
}

fn cell_decl(c: &CellDecl, kind: DeclKind, doc: Option<String>, text: &str) -> Decl {
    // The header ends with the last of: name, parameters, return type, effects.
    let mut end = c.name.span.end;
    for p in &c.params {
        end = end.max(p.span.end);
    }
    if let Some(ret) = &c.ret {
        end = end.max(ret.span.end);
    }
    if let Some(eff) = &c.effects {
        end = end.max(eff.span.end);
    }
    let sig = Span::new(line_start(text, c.name.span.start as usize), line_end(text, end as usize));
    Decl {
        name: c.name.name.clone(),
        name_span: c.name.span,
        span: c.span,
        kind,
        doc: doc.or_else(|| c.doc.clone()),
        sig,
        children: Vec::new(),
    }
}

fn leaf(name: &str, name_span: Span, span: Span, kind: DeclKind, doc: Option<String>, text: &str) -> Decl {
    let sig = Span::new(
        span.start as usize,
        line_end(text, span.end.max(name_span.end) as usize).min(span.end as usize).max(name_span.end as usize),
    );
    Decl { name: name.to_owned(), name_span, span, kind, doc, sig, children: Vec::new() }
}

/// Short declarations are shown whole; long ones by their first line.
fn whole_sig(text: &str, name: Span, span: Span) -> Span {
    const MAX_LINES: usize = 12;
    let start = line_start(text, name.start as usize);
    let end = (span.end as usize).min(text.len());
    if start <= end && text[start..end].lines().count() <= MAX_LINES {
        Span::new(start, end)
    } else {
        Span::new(start, line_end(text, name.end as usize))
    }
}

pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

/// The last segment of a named type (`list[T]` gives `list`, `m.User` gives `User`).
pub fn type_name(ty: &TypeExpr) -> Option<String> {
    match &ty.kind {
        TypeKind::Named { path, .. } => path.last().map(|i| i.name.clone()),
        TypeKind::Optional(inner) | TypeKind::Paren(inner) => type_name(inner),
        _ => None,
    }
}

/// Every declaration of the tree, depth first, with its parent.
pub fn walk<'d>(decls: &'d [Decl], out: &mut Vec<(&'d Decl, Option<&'d Decl>)>) {
    fn go<'d>(d: &'d Decl, parent: Option<&'d Decl>, out: &mut Vec<(&'d Decl, Option<&'d Decl>)>) {
        out.push((d, parent));
        for c in &d.children {
            go(c, Some(d), out);
        }
    }
    for d in decls {
        go(d, None, out);
    }
}

/// The cells (top-level or nested as methods) whose declaration contains `offset`, innermost last.
pub fn enclosing_cells(module: &Module, offset: u32) -> Vec<&CellDecl> {
    let mut out = Vec::new();
    let inside = |s: Span| s.start <= offset && offset <= s.end;
    for item in &module.items {
        if !inside(item.span) {
            continue;
        }
        let methods: Vec<&CellDecl> = match &item.kind {
            ItemKind::Cell(c) | ItemKind::Extern(c) => vec![c],
            ItemKind::Enum(e) => e.methods.iter().collect(),
            ItemKind::Trait(t) => t.methods.iter().collect(),
            ItemKind::Impl(i) => i.methods.iter().collect(),
            ItemKind::Agent(a) => cells_of(&a.members),
            ItemKind::Process(p) => cells_of(&p.members),
            _ => Vec::new(),
        };
        out.extend(methods.into_iter().filter(|c| inside(c.span)));
    }
    out
}

fn cells_of(members: &[lumen_syntax::ast::Member]) -> Vec<&CellDecl> {
    members
        .iter()
        .filter_map(|m| match &m.kind {
            MemberKind::Cell(c) => Some(&**c),
            _ => None,
        })
        .collect()
}
