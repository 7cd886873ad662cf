//! Patterns, types and effect rows. They stay on one line.

use lumen_syntax::ast::{EffectRow, Pattern, PatternKind, TypeExpr, TypeKind};

use crate::doc::Doc;
use crate::items::join;
use crate::printer::Printer;

impl Printer<'_> {
    pub fn pattern(&mut self, p: &Pattern) -> Doc {
        Doc::text(self.pattern_text(p))
    }

    fn pattern_text(&self, p: &Pattern) -> String {
        let text = match &p.kind {
            // Literals keep their spelling (`0xff`, `-1`, raw strings); the span may include
            // grouping parentheses, which are then kept too.
            PatternKind::Literal(_) | PatternKind::Range { .. } => return self.compact(p.span),
            PatternKind::Wildcard => "_".to_string(),
            PatternKind::Binding(name) => name.name.clone(),
            PatternKind::Typed { name, ty } => format!("{}: {}", name.name, self.type_text(ty)),
            PatternKind::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|i| self.pattern_text(i)).collect();
                if inner.len() == 1 { format!("({},)", inner[0]) } else { format!("({})", inner.join(", ")) }
            }
            PatternKind::List { before, rest, after } => {
                let mut parts: Vec<String> = before.iter().map(|i| self.pattern_text(i)).collect();
                if let Some(rest) = rest {
                    parts.push(format!("...{}", rest.as_ref().map_or("", |n| n.name.as_str())));
                }
                parts.extend(after.iter().map(|i| self.pattern_text(i)));
                format!("[{}]", parts.join(", "))
            }
            PatternKind::Variant { path, args } => {
                let args: Vec<String> = args.iter().map(|a| self.pattern_text(a)).collect();
                format!("{}({})", join(path, "."), args.join(", "))
            }
            PatternKind::Record { path, fields, rest } => {
                let mut fields: Vec<_> = fields.iter().collect();
                fields.sort_by_key(|f| f.span.start);
                let mut parts: Vec<String> = fields
                    .iter()
                    .map(|f| match &f.pattern {
                        Some(p) => format!("{}: {}", f.name.name, self.pattern_text(p)),
                        None => f.name.name.clone(),
                    })
                    .collect();
                if *rest {
                    parts.push("..".to_string());
                }
                format!("{}({})", join(path, "."), parts.join(", "))
            }
            PatternKind::Qualified(path) => join(path, "."),
            PatternKind::Or(alts) => alts.iter().map(|a| self.pattern_text(a)).collect::<Vec<_>>().join(" | "),
        };
        // `(p)` groups a pattern; the parser keeps only the wider span.
        if !matches!(p.kind, PatternKind::Tuple(_)) && is_wrapped(self.src.slice(p.span)) {
            format!("({text})")
        } else {
            text
        }
    }

    pub fn ty(&mut self, t: &TypeExpr) -> Doc {
        Doc::text(self.type_text(t))
    }

    pub fn type_text(&self, t: &TypeExpr) -> String {
        match &t.kind {
            TypeKind::Named { path, args } => {
                if args.is_empty() {
                    join(path, ".")
                } else {
                    let args: Vec<String> = args.iter().map(|a| self.type_text(a)).collect();
                    format!("{}[{}]", join(path, "."), args.join(", "))
                }
            }
            TypeKind::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(|i| self.type_text(i)).collect();
                if inner.len() == 1 { format!("({},)", inner[0]) } else { format!("({})", inner.join(", ")) }
            }
            TypeKind::Paren(inner) => format!("({})", self.type_text(inner)),
            TypeKind::Fn { params, ret, effects } => {
                let params: Vec<String> = params.iter().map(|p| self.type_text(p)).collect();
                let mut out = format!("fn({})", params.join(", "));
                if let Some(r) = ret {
                    out.push_str(" -> ");
                    out.push_str(&self.type_text(r));
                }
                if let Some(row) = effects {
                    out.push_str(&self.effect_row_text(row));
                }
                out
            }
            TypeKind::Optional(inner) => format!("{}?", self.type_text(inner)),
            TypeKind::Union(members) => members.iter().map(|m| self.type_text(m)).collect::<Vec<_>>().join(" | "),
            TypeKind::Null => "null".to_string(),
            TypeKind::Error => self.src.slice(t.span).to_string(),
        }
    }

    pub fn effect_row(&mut self, row: &EffectRow) -> Doc {
        Doc::text(self.effect_row_text(row))
    }

    /// ` / {a, b}`, or ` / a` when written without braces.
    fn effect_row_text(&self, row: &EffectRow) -> String {
        let braces = self.src.slice(row.span).contains('{');
        if braces { format!(" / {{{}}}", join(&row.effects, ", ")) } else { format!(" / {}", join(&row.effects, ", ")) }
    }
}

/// Whether `text` is one parenthesized group: `(` ... its matching `)` at the very end.
fn is_wrapped(text: &str) -> bool {
    if !text.starts_with('(') || !text.ends_with(')') {
        return false;
    }
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_str {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_str = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 && i + 1 < text.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}
