//! Finding what a name refers to (for hover and go to definition) and listing symbols.

use lsp_types::{DocumentSymbol, SymbolKind};
use lumen_syntax::Span;
use lumen_syntax::ast::{ImportNames, ItemKind};

use crate::analysis::{Analysis, Parsed};
use crate::decls::{self, Decl, DeclKind, line_end, line_start};
use crate::text::{is_ident_char, receiver_before, word_at};

/// What a name refers to: a span in one of the analysed files.
pub struct Target<'a> {
    pub module: &'a Parsed,
    pub name_span: Span,
    /// The signature as written in the source.
    pub signature: String,
    pub doc: Option<String>,
}

impl<'a> Target<'a> {
    fn of(module: &'a Parsed, d: &Decl) -> Target<'a> {
        let sig = &module.file.text[d.sig.range()];
        Target { module, name_span: d.name_span, signature: sig.trim().to_owned(), doc: d.doc.clone() }
    }
}

/// A local variable or parameter visible at an offset.
pub struct Local {
    pub name: String,
    pub name_span: Span,
    /// The line that introduces it (or the parameter as written).
    pub line: Span,
    /// The type name written for it or obvious from its initializer.
    pub ty: Option<String>,
}

/// Parameters of the enclosing cells and `let`/`for` bindings written before `offset` in them.
pub fn locals(doc: &Parsed, offset: usize) -> Vec<Local> {
    let text = &doc.file.text;
    let mut out = Vec::new();
    for cell in decls::enclosing_cells(doc.module(), offset as u32) {
        for p in &cell.params {
            let ty = p.ty.as_ref().and_then(decls::type_name);
            out.push(Local { name: p.name.name.clone(), name_span: p.name.span, line: p.span, ty });
        }
        let start = cell.span.start as usize;
        let body = &text[start..offset.min(text.len()).max(start)];
        for keyword in ["let ", "for "] {
            for (i, _) in body.match_indices(keyword) {
                let at = start + i;
                if at > 0 && text[..at].ends_with(is_ident_char) {
                    continue;
                }
                let mut rest = &text[at + keyword.len()..];
                let mut name_at = at + keyword.len();
                if let Some(r) = rest.strip_prefix("mut ") {
                    rest = r;
                    name_at += 4;
                }
                let len: usize = rest.chars().take_while(|&c| is_ident_char(c)).map(char::len_utf8).sum();
                if len == 0 {
                    continue;
                }
                let name = rest[..len].to_owned();
                let line = Span::new(line_start(text, at), line_end(text, at));
                let ty = written_type(&rest[len..]);
                out.push(Local { name, name_span: Span::new(name_at, name_at + len), line, ty });
            }
        }
    }
    out.sort_by_key(|l| l.name_span.start);
    out
}

/// `: T` or `= T(`/`= T {`/`= T.` after a binding's name: the type it names.
fn written_type(after: &str) -> Option<String> {
    let after = after.trim_start();
    let (rest, need_call) = if let Some(r) = after.strip_prefix(':') {
        (r.trim_start(), false)
    } else {
        (after.strip_prefix('=')?.trim_start(), true)
    };
    let name: String = rest.chars().take_while(|&c| is_ident_char(c)).collect();
    let next = rest[name.len()..].trim_start().chars().next();
    let upper = name.starts_with(|c: char| c.is_uppercase());
    (upper && (!need_call || matches!(next, Some('(' | '{' | '.')))).then_some(name)
}

/// The declaration named `name` in `module`, searching top-level names only.
fn top_level<'a>(module: &'a Parsed, name: &str) -> Option<Target<'a>> {
    let ds = decls::collect(module.module(), &module.file.text);
    ds.iter().find(|d| d.name == name && d.kind != DeclKind::Impl).map(|d| Target::of(module, d))
}

/// A member (field, variant, method) named `name` of the type `owner`, or of any type when `owner`
/// is `None`, searched in every analysed module.
fn member<'a>(analysis: &'a Analysis, owner: Option<&str>, name: &str) -> Option<Target<'a>> {
    for m in &analysis.modules {
        let ds = decls::collect(m.module(), &m.file.text);
        let mut all = Vec::new();
        decls::walk(&ds, &mut all);
        for (d, parent) in all {
            let Some(parent) = parent else { continue };
            if d.name == name && owner.is_none_or(|o| o == parent.name) {
                return Some(Target::of(m, d));
            }
        }
    }
    None
}

/// The type named `receiver` when it is a record or enum, or the type of the local `receiver`.
pub fn receiver_type(analysis: &Analysis, offset: usize, receiver: &str) -> Option<String> {
    let doc = analysis.doc();
    if let Some(local) = locals(doc, offset).into_iter().rev().find(|l| l.name == receiver) {
        return local.ty;
    }
    receiver.starts_with(|c: char| c.is_uppercase()).then(|| receiver.to_owned())
}

/// What the identifier at `offset` of the document refers to.
pub fn resolve(analysis: &Analysis, offset: usize) -> Option<Target<'_>> {
    let doc = analysis.doc();
    let text = &doc.file.text;
    let (name, span) = word_at(text, offset)?;
    // Inside an import: a path segment leads to the module, a name to its declaration.
    for item in &doc.module().items {
        let ItemKind::Import(import) = &item.kind else { continue };
        if !(item.span.start <= span.start && span.end <= item.span.end) {
            continue;
        }
        let target = analysis.imported(import)?;
        if import.path.span.start <= span.start && span.end <= import.path.span.end {
            return Some(Target {
                module: target,
                name_span: Span::new(0, 0),
                signature: format!("module {}", target.name),
                doc: None,
            });
        }
        return top_level(target, &name);
    }
    if let Some(receiver) = receiver_before(text, span.start as usize) {
        let owner = receiver_type(analysis, span.start as usize, &receiver);
        // `mod.Name` where `mod` is an imported module's last segment.
        for m in analysis.modules.iter().skip(1) {
            if m.name.rsplit('.').next() == Some(receiver.as_str())
                && let Some(t) = top_level(m, &name)
            {
                return Some(t);
            }
        }
        return member(analysis, owner.as_deref(), &name).or_else(|| member(analysis, None, &name));
    }
    if let Some(local) =
        locals(doc, offset).into_iter().rev().find(|l| l.name == name && l.name_span.start <= span.start)
    {
        let signature = text[local.line.range()].trim().to_owned();
        return Some(Target { module: doc, name_span: local.name_span, signature, doc: None });
    }
    if let Some(t) = top_level(doc, &name) {
        return Some(t);
    }
    for item in &doc.module().items {
        let ItemKind::Import(import) = &item.kind else { continue };
        let Some(target) = analysis.imported(import) else { continue };
        let original = match &import.names {
            ImportNames::All(_) => Some(name.clone()),
            ImportNames::Names(names) => names
                .iter()
                .find(|n| n.alias.as_ref().map_or(&n.name.name, |a| &a.name) == &name)
                .map(|n| n.name.name.clone()),
        };
        if let Some(t) = original.and_then(|o| top_level(target, &o)) {
            return Some(t);
        }
    }
    member(analysis, None, &name)
}

/// Hover text: the signature in a code block, then the docstring.
pub fn hover_text(target: &Target<'_>) -> String {
    let mut out = format!("```lumen\n{}\n```", target.signature);
    if let Some(doc) = target.doc.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        out.push_str("\n\n");
        out.push_str(doc);
    }
    out
}

/// The document's declarations as a symbol tree.
pub fn symbols(doc: &Parsed) -> Vec<DocumentSymbol> {
    decls::collect(doc.module(), &doc.file.text).iter().map(|d| symbol(doc, d)).collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written even though it is deprecated.
fn symbol(doc: &Parsed, d: &Decl) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = d.children.iter().map(|c| symbol(doc, c)).collect();
    let mut range = doc.range(d.span);
    let selection = doc.range(d.name_span);
    // The selection must lie inside the range, whatever spans the parser gave.
    if selection.start < range.start {
        range.start = selection.start;
    }
    if selection.end > range.end {
        range.end = selection.end;
    }
    let detail = doc.file.text[d.sig.range()].lines().next().map(|l| l.trim().to_owned());
    DocumentSymbol {
        name: d.name.clone(),
        detail,
        kind: symbol_kind(d.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

fn symbol_kind(kind: DeclKind) -> SymbolKind {
    match kind {
        DeclKind::Record => SymbolKind::STRUCT,
        DeclKind::Enum => SymbolKind::ENUM,
        DeclKind::Cell => SymbolKind::FUNCTION,
        DeclKind::Field => SymbolKind::FIELD,
        DeclKind::Variant => SymbolKind::ENUM_MEMBER,
        DeclKind::Method => SymbolKind::METHOD,
        DeclKind::TypeAlias => SymbolKind::TYPE_PARAMETER,
        DeclKind::Const => SymbolKind::CONSTANT,
        DeclKind::Trait => SymbolKind::INTERFACE,
        DeclKind::Impl => SymbolKind::OBJECT,
        DeclKind::Effect => SymbolKind::EVENT,
        DeclKind::Handler => SymbolKind::OBJECT,
        DeclKind::Agent => SymbolKind::CLASS,
        DeclKind::Process => SymbolKind::MODULE,
        DeclKind::Macro => SymbolKind::FUNCTION,
        DeclKind::State => SymbolKind::ENUM_MEMBER,
    }
}
