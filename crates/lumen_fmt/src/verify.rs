//! Checks that formatted code means what the original meant.
//!
//! The formatted text must parse without errors, every top-level item must have the same AST
//! (spans ignored) and the same tokens (newlines and trailing commas ignored) as the original,
//! and the comments and markdown blocks must be the same, in the same order. A mismatch names
//! the items to print as written in the next attempt.

use std::sync::OnceLock;

use lumen_syntax::Span;
use lumen_syntax::ast::{Item, Module};
use lumen_syntax::lexer::LexOutput;
use lumen_syntax::token::{Token, TokenKind};

/// Debug output with every span and token indentation removed.
pub fn strip_spans(debug: &str) -> String {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    let re = PATTERN
        .get_or_init(|| regex::Regex::new(r"Span \{ start: \d+, end: \d+ \}|indent: \d+").expect("a valid pattern"));
    re.replace_all(debug, "_").into_owned()
}

/// The AST of an item, spans removed.
pub fn item_fingerprint(item: &Item) -> String {
    strip_spans(&format!("{item:?}"))
}

/// The whole module (directives and items), spans removed.
pub fn module_fingerprint(module: &Module) -> String {
    strip_spans(&format!("{:?}{:?}", module.directives, module.items))
}

/// The significant tokens starting inside `range`, spans removed; a comma right before a closing
/// bracket is left out (trailing commas are layout).
pub fn token_fingerprint(tokens: &[Token], range: Span) -> Vec<String> {
    // Tokens are in source order: find the range by binary search.
    let from = tokens.partition_point(|t| t.span.start < range.start);
    let to = tokens.partition_point(|t| t.span.start < range.end);
    let inside: Vec<&Token> =
        tokens[from..to.max(from)].iter().filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Eof)).collect();
    let mut out = Vec::with_capacity(inside.len());
    for (i, t) in inside.iter().enumerate() {
        let next_closes = inside
            .get(i + 1)
            .is_some_and(|n| matches!(n.kind, TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace));
        if t.kind == TokenKind::Comma && next_closes {
            continue;
        }
        out.push(strip_spans(&format!("{:?}", t.kind)));
    }
    out
}

/// Comments (trailing blanks ignored) and markdown blocks (their text) in order, with the
/// position where each starts.
pub fn trivia_texts(code: &str, lexed: &LexOutput) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = lexed
        .comments
        .iter()
        .map(|c| (c.span.start, code.get(c.span.range()).unwrap_or("").trim_end().to_string()))
        .chain(lexed.docs.iter().map(|d| (d.span.start, d.text.clone())))
        .collect();
    out.sort_by_key(|(start, _)| *start);
    out
}

/// What the original code looked like, for comparison.
pub struct Original<'a> {
    pub module: &'a Module,
    pub lexed: &'a LexOutput,
    pub code: &'a str,
}

pub enum Mismatch {
    /// These items (indices into the original module) should be printed as written.
    Items(Vec<usize>),
    /// Nothing to blame on an item: give up.
    Whole(String),
}

/// Compares formatted code with the original.
pub fn check(orig: &Original<'_>, formatted: &str) -> Result<(), Mismatch> {
    let parsed = lumen_syntax::parse_code(formatted);
    let lexed = lumen_syntax::lexer::lex(formatted);
    let items = &parsed.module.items;
    if parsed.has_errors() {
        let mut bad: Vec<usize> = Vec::new();
        for d in parsed.diagnostics.iter().filter(|d| d.is_error()) {
            let at = d.primary_span().start;
            let index = items.iter().position(|i| i.span.start <= at && at <= i.span.end);
            if let Some(index) = index.filter(|i| *i < orig.module.items.len())
                && !bad.contains(&index)
            {
                bad.push(index);
            }
        }
        let first = parsed.diagnostics.iter().find(|d| d.is_error()).map_or(String::new(), |d| d.message.clone());
        return if bad.is_empty() {
            Err(Mismatch::Whole(format!("formatted code does not parse: {first}")))
        } else {
            Err(Mismatch::Items(bad))
        };
    }
    if strip_spans(&format!("{:?}", orig.module.directives)) != strip_spans(&format!("{:?}", parsed.module.directives))
    {
        return Err(Mismatch::Whole("directives changed".into()));
    }
    let before = &orig.module.items;
    let mut bad = Vec::new();
    if before.len() != items.len() {
        let first = before.iter().zip(items).position(|(a, b)| item_fingerprint(a) != item_fingerprint(b));
        let index = first.unwrap_or(before.len().min(items.len()).saturating_sub(1));
        return Err(Mismatch::Items(vec![index]));
    }
    for (i, (a, b)) in before.iter().zip(items).enumerate() {
        let same_ast = item_fingerprint(a) == item_fingerprint(b);
        let same_tokens =
            same_ast && token_fingerprint(&orig.lexed.tokens, a.span) == token_fingerprint(&lexed.tokens, b.span);
        if !same_tokens {
            bad.push(i);
        }
    }
    if !bad.is_empty() {
        return Err(Mismatch::Items(bad));
    }
    let old_trivia = trivia_texts(orig.code, orig.lexed);
    let new_trivia = trivia_texts(formatted, &lexed);
    let differs =
        old_trivia.len() != new_trivia.len() || old_trivia.iter().zip(&new_trivia).any(|((_, a), (_, b))| a != b);
    if differs {
        let k = old_trivia.iter().zip(&new_trivia).position(|((_, a), (_, b))| a != b).unwrap_or(old_trivia.len());
        let at = old_trivia.get(k.min(old_trivia.len().saturating_sub(1))).map_or(0, |(pos, _)| *pos);
        // Blame the item holding (or following) the first comment that moved.
        let index = before.iter().position(|i| at < i.span.end);
        return match index {
            Some(i) => Err(Mismatch::Items(vec![i])),
            None => Err(Mismatch::Whole("comments changed".into())),
        };
    }
    Ok(())
}
