//! Completion: after `x.` the fields, variants and methods of `x`'s type when it can be read
//! from the source; elsewhere the names in scope, builtins and keywords.

use std::collections::HashSet;

use lsp_types::{CompletionItem, CompletionItemKind};
use lumen_syntax::ast::{ImportNames, ItemKind};
use lumen_syntax::token::Keyword;

use crate::analysis::Analysis;
use crate::decls::{self, Decl, DeclKind};
use crate::navigate::{locals, receiver_type};
use crate::text::is_ident_char;

pub fn complete(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let doc = analysis.doc();
    let text = &doc.file.text;
    let offset = offset.min(text.len());
    let start =
        text[..offset].char_indices().rev().take_while(|&(_, c)| is_ident_char(c)).last().map_or(offset, |(i, _)| i);
    if let Some(receiver) = crate::text::receiver_before(text, start) {
        return members(analysis, offset, &receiver);
    }
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |items: &mut Vec<CompletionItem>, label: &str, kind, detail: Option<String>| {
        if seen.insert(label.to_owned()) {
            items.push(CompletionItem { label: label.to_owned(), kind: Some(kind), detail, ..Default::default() });
        }
    };
    for local in locals(doc, offset).iter().rev() {
        push(&mut items, &local.name, CompletionItemKind::VARIABLE, local.ty.clone());
    }
    for d in decls::collect(doc.module(), text) {
        if d.kind != DeclKind::Impl {
            push(&mut items, &d.name, item_kind(d.kind), Some(signature_line(text, &d)));
        }
    }
    for item in &doc.module().items {
        let ItemKind::Import(import) = &item.kind else { continue };
        let target = analysis.imported(import);
        match &import.names {
            ImportNames::Names(names) => {
                for n in names {
                    let shown = n.alias.as_ref().unwrap_or(&n.name);
                    let d = target.and_then(|t| {
                        decls::collect(t.module(), &t.file.text).into_iter().find(|d| d.name == n.name.name)
                    });
                    let kind = d.as_ref().map_or(CompletionItemKind::REFERENCE, |d| item_kind(d.kind));
                    push(&mut items, &shown.name, kind, d.map(|d| signature_line(&target.unwrap().file.text, &d)));
                }
            }
            ImportNames::All(_) => {
                if let Some(t) = target {
                    for d in decls::collect(t.module(), &t.file.text) {
                        push(&mut items, &d.name, item_kind(d.kind), Some(signature_line(&t.file.text, &d)));
                    }
                }
            }
        }
    }
    for name in builtin_names() {
        push(&mut items, name, CompletionItemKind::FUNCTION, Some("builtin".to_owned()));
    }
    for k in Keyword::ALL {
        push(&mut items, k.as_str(), CompletionItemKind::KEYWORD, None);
    }
    items
}

/// Members of the receiver's type: fields, variants and methods of a record or enum.
fn members(analysis: &Analysis, offset: usize, receiver: &str) -> Vec<CompletionItem> {
    let Some(owner) = receiver_type(analysis, offset, receiver) else { return Vec::new() };
    for m in &analysis.modules {
        for d in decls::collect(m.module(), &m.file.text) {
            if d.name == owner && matches!(d.kind, DeclKind::Record | DeclKind::Enum) {
                return d
                    .children
                    .iter()
                    .map(|c| CompletionItem {
                        label: c.name.clone(),
                        kind: Some(item_kind(c.kind)),
                        detail: Some(signature_line(&m.file.text, c)),
                        ..Default::default()
                    })
                    .collect();
            }
        }
    }
    Vec::new()
}

fn signature_line(text: &str, d: &Decl) -> String {
    text[d.sig.range()].lines().next().unwrap_or("").trim().to_owned()
}

fn item_kind(kind: DeclKind) -> CompletionItemKind {
    match kind {
        DeclKind::Record => CompletionItemKind::STRUCT,
        DeclKind::Enum => CompletionItemKind::ENUM,
        DeclKind::Cell | DeclKind::Macro => CompletionItemKind::FUNCTION,
        DeclKind::Field => CompletionItemKind::FIELD,
        DeclKind::Variant | DeclKind::State => CompletionItemKind::ENUM_MEMBER,
        DeclKind::Method => CompletionItemKind::METHOD,
        DeclKind::TypeAlias => CompletionItemKind::TYPE_PARAMETER,
        DeclKind::Const => CompletionItemKind::CONSTANT,
        DeclKind::Trait => CompletionItemKind::INTERFACE,
        DeclKind::Effect | DeclKind::Handler | DeclKind::Impl => CompletionItemKind::MODULE,
        DeclKind::Agent | DeclKind::Process => CompletionItemKind::CLASS,
    }
}

/// The primary names of the runtime's builtin functions.
fn builtin_names() -> Vec<&'static str> {
    (0u32..).map_while(lumen_vm::builtins::get).filter_map(|d| d.names.first().copied()).collect()
}
