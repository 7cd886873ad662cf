//! The printer's shared machinery: bodies of lines with comments and blank lines, bracketed
//! lists, source fallbacks; and the module level.

use std::collections::HashSet;

use lumen_syntax::Span;
use lumen_syntax::ast::{Attribute, Directive, Item, ItemKind, Module};
use lumen_syntax::token::TokenKind;

use crate::cat;
use crate::doc::Doc;
use crate::trivia::{Source, Trivia, TriviaKind};

pub struct Printer<'a> {
    pub src: Source<'a>,
    /// Indices of top-level items printed exactly as written.
    verbatim: &'a HashSet<usize>,
}

/// Lines of a body (or of the module) under construction; every line starts with a newline.
pub struct Body {
    parts: Vec<Doc>,
    empty: bool,
    /// The next line gets a blank line before it whatever the source had (top-level spacing).
    force_blank: bool,
}

impl Body {
    pub fn new() -> Body {
        Body { parts: Vec::new(), empty: true, force_blank: false }
    }

    pub fn line(&mut self, blank: bool, doc: Doc) {
        let blank = (blank || self.force_blank) && !self.empty;
        self.force_blank = false;
        if blank {
            self.parts.push(Doc::HardLine);
        }
        self.parts.push(Doc::HardLine);
        self.parts.push(doc);
        self.empty = false;
    }

    /// The lines, each preceded by its newline: put it under `Doc::indent` after a header.
    pub fn into_doc(self) -> Doc {
        Doc::Concat(self.parts)
    }

    /// The lines without the newline before the first one (module level).
    fn into_top_doc(mut self) -> Doc {
        if matches!(self.parts.first(), Some(Doc::HardLine)) {
            self.parts.remove(0);
        }
        Doc::Concat(self.parts)
    }
}

impl<'a> Printer<'a> {
    pub fn new(src: Source<'a>, verbatim: &'a HashSet<usize>) -> Printer<'a> {
        Printer { src, verbatim }
    }

    // ----- trivia -----

    /// A comment, or a markdown block: its fence lines follow the indentation, its contents
    /// (a docstring is part of the program) are kept byte for byte.
    pub fn trivia_doc(&self, t: &Trivia) -> Doc {
        match t.kind {
            TriviaKind::Comment => Doc::text(self.src.trivia_text(t)),
            TriviaKind::Block => {
                let text = self.src.trivia_text(t).trim_start_matches([' ', '\t']);
                let lines = text.matches('\n').count();
                // The closing fence line goes to the opening fence's indentation.
                let text = match text.rfind('\n') {
                    Some(i) if lines > 0 => {
                        format!("{}\n{}", &text[..i], text[i + 1..].trim_start_matches([' ', '\t']))
                    }
                    _ => text.to_string(),
                };
                Doc::Source { text, orig_indent: 0, fixed: (1..lines).collect(), shift: true }
            }
        }
    }

    /// A comment at the end of the line holding `pos`, printed after the code.
    pub fn trailing(&mut self, pos: u32) -> Doc {
        match self.src.take_trailing(pos) {
            Some(t) => cat![Doc::Comment(format!(" {}", self.src.trivia_text(&t))), Doc::BreakParent],
            None => Doc::Nil,
        }
    }

    /// Every unprinted comment or markdown block before `pos`, one line each.
    pub fn leading(&mut self, body: &mut Body, pos: u32) {
        while let Some(t) = self.src.peek_before(pos) {
            self.src.next += 1;
            let blank = self.src.blank_line_before(t.span.start);
            body.line(blank, self.trivia_doc(&t));
        }
    }

    /// End of the last real token of `span` (spans may include the newline that ended them).
    pub fn end(&self, span: Span) -> u32 {
        match self.src.token_before(span.end) {
            Some(t) if t.span.end > span.start => t.span.end,
            _ => span.end,
        }
    }

    /// The source of `span`, re-indented as a whole.
    pub fn source(&self, span: Span) -> Doc {
        let span = Span { start: span.start, end: self.end(span) };
        Doc::Source {
            text: self.src.slice(span).to_string(),
            orig_indent: self.src.indent_of_line(span.start),
            fixed: self.src.fixed_lines(span),
            shift: true,
        }
    }

    /// The tokens of `span` written without the blanks between them (`- 5` becomes `-5`).
    pub fn compact(&self, span: Span) -> String {
        let mut out = String::new();
        let mut pos = span.start;
        while let Some(t) = self.src.token_at_or_after(pos).filter(|t| t.span.start < span.end) {
            out.push_str(self.src.slice(t.span));
            pos = t.span.end;
        }
        out
    }

    /// The tokens of a one-line construct kept as written (attributes, directives, `use tool`),
    /// with blanks normalized: one space where the source had some or after `,` and `:`, none
    /// inside brackets or before `,`.
    pub fn tokens_line(&self, span: Span) -> Doc {
        let end = self.end(span);
        if self.src.newline_between(span.start, end) {
            return self.source(span);
        }
        let mut out = String::new();
        let mut pos = span.start;
        let mut prev: Option<&lumen_syntax::token::Token> = None;
        while let Some(t) = self.src.token_at_or_after(pos).filter(|t| t.span.start < end) {
            if let Some(p) = prev {
                let gap = p.span.end < t.span.start;
                let after_open = matches!(p.kind, TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace);
                let before_close =
                    matches!(t.kind, TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace | TokenKind::Comma);
                let after_sep = matches!(p.kind, TokenKind::Comma | TokenKind::Colon);
                // Tool paths and versions stay tight: `http.get`, `llm.chat@2`, `@strict`.
                let tight = matches!(p.kind, TokenKind::Dot | TokenKind::At) || t.kind == TokenKind::Dot;
                if !after_open && !before_close && !tight && (gap || after_sep) {
                    out.push(' ');
                }
            }
            out.push_str(self.src.slice(t.span));
            pos = t.span.end;
            prev = Some(t);
        }
        Doc::text(out)
    }

    /// A literal exactly as written (numbers, strings, role text).
    pub fn literal(&self, span: Span) -> Doc {
        Doc::Source { text: self.src.slice(span).to_string(), orig_indent: 0, fixed: Vec::new(), shift: false }
    }

    /// One line of a body: attributes, leading comments, the entry and its trailing comment.
    /// When `print` leaves a comment inside the entry unplaced, the entry is printed as written.
    pub fn entry(&mut self, body: &mut Body, attrs: &[Attribute], span: Span, print: impl FnOnce(&mut Self) -> Doc) {
        for attr in attrs {
            self.leading(body, attr.span.start);
            let blank = self.src.blank_line_before(attr.span.start);
            let doc = cat![self.tokens_line(attr.span), self.trailing(self.end(attr.span))];
            body.line(blank, doc);
        }
        let start = match attrs.last() {
            Some(a) => self.src.next_token_start(self.end(a.span), span.start).max(span.start),
            None => span.start,
        };
        self.leading(body, start);
        let end = self.end(span);
        let blank = self.src.blank_line_before(start);
        let saved = self.src.next;
        let mut doc = print(self);
        if self.src.peek_before(end).is_some() {
            self.src.next = saved;
            doc = self.source(Span { start, end });
            self.src.consume_until(end);
        }
        body.line(blank, cat![doc, self.trailing(end)]);
    }

    // ----- bracketed lists -----

    /// `open items close`: flat when it fits, else one item per line with a trailing comma.
    /// Comments between items force the broken form. `close_pos` is where the closer starts.
    #[allow(clippy::too_many_arguments)]
    pub fn list<T>(
        &mut self,
        open: &str,
        items: &[T],
        span_of: impl Fn(&Self, &T) -> Span,
        mut print: impl FnMut(&mut Self, &T) -> Doc,
        close: &str,
        close_pos: u32,
        is_block: impl Fn(&T) -> bool,
    ) -> Doc {
        struct Entry {
            leading: Vec<Doc>,
            doc: Doc,
            comment: Option<Doc>,
        }
        let mut entries = Vec::with_capacity(items.len());
        let mut forced = false;
        for item in items {
            let span = span_of(self, item);
            let mut leading = Vec::new();
            while let Some(t) = self.src.peek_before(span.start) {
                self.src.next += 1;
                leading.push(self.trivia_doc(&t));
            }
            let doc = print(self, item);
            // A comment after the closer belongs to whatever follows the list.
            let comment = match self.src.peek_before(close_pos) {
                Some(_) => self.src.take_trailing(self.end(span)),
                None => None,
            };
            let comment = comment.map(|t| Doc::Comment(format!(" {}", self.src.trivia_text(&t))));
            forced |= !leading.is_empty() || comment.is_some();
            entries.push(Entry { leading, doc, comment });
        }
        let mut closing = Vec::new();
        while let Some(t) = self.src.peek_before(close_pos) {
            self.src.next += 1;
            closing.push(self.trivia_doc(&t));
        }
        forced |= !closing.is_empty();
        if entries.is_empty() && !forced {
            return Doc::text(format!("{open}{close}"));
        }
        // A block-form last item (a lambda with a body, `match`, ...) hugs the brackets.
        let hug = !forced
            && items.last().is_some_and(is_block)
            && entries[..entries.len() - 1].iter().all(|e| !e.doc.is_multiline());
        if hug {
            let mut parts = vec![Doc::text(open)];
            for (i, e) in entries.into_iter().enumerate() {
                if i > 0 {
                    parts.push(", ".into());
                }
                parts.push(e.doc);
            }
            parts.push(close.into());
            return Doc::Concat(parts);
        }
        let count = entries.len();
        let mut inner = vec![Doc::SoftLine];
        for (i, e) in entries.into_iter().enumerate() {
            for c in e.leading {
                inner.push(c);
                inner.push(Doc::HardLine);
            }
            inner.push(e.doc);
            let last = i + 1 == count;
            if !last {
                inner.push(",".into());
            } else {
                inner.push(Doc::if_break(",".into(), Doc::Nil));
            }
            if let Some(c) = e.comment {
                inner.push(c);
            }
            if !last {
                inner.push(Doc::Line);
            }
        }
        for (i, c) in closing.into_iter().enumerate() {
            if count > 0 || i > 0 {
                inner.push(Doc::HardLine);
            }
            inner.push(c);
        }
        if forced {
            inner.push(Doc::BreakParent);
        }
        Doc::group(cat![open, Doc::indent(Doc::Concat(inner)), Doc::SoftLine, close])
    }

    /// Where the closer of a list starts: the first token after `after` that is not a comma.
    pub fn closer(&self, after: u32, fallback: u32) -> u32 {
        let mut pos = after;
        while let Some(t) = self.src.token_at_or_after(pos) {
            if t.kind != lumen_syntax::token::TokenKind::Comma {
                return t.span.start;
            }
            pos = t.span.end;
        }
        fallback
    }

    // ----- module -----

    pub fn module(&mut self, m: &Module) -> Doc {
        enum Top<'m> {
            Directive(&'m Directive),
            Item(usize, &'m Item),
        }
        let mut entries: Vec<(u32, Top<'_>)> = m.directives.iter().map(|d| (d.span.start, Top::Directive(d))).collect();
        entries.extend(m.items.iter().enumerate().map(|(i, item)| (item.span.start, Top::Item(i, item))));
        entries.sort_by_key(|(start, _)| *start);
        let mut body = Body::new();
        let mut prev_decl = false;
        for (_, entry) in entries {
            match entry {
                Top::Directive(d) => {
                    body.force_blank = prev_decl;
                    self.entry(&mut body, &[], d.span, |p| p.tokens_line(d.span));
                    prev_decl = false;
                }
                Top::Item(index, item) => {
                    let decl = is_spaced_decl(item);
                    body.force_blank = decl || prev_decl;
                    if self.verbatim.contains(&index) {
                        self.entry(&mut body, &[], item.span, |p| p.source(item.span));
                    } else {
                        self.entry(&mut body, &item.attrs, item.span, |p| p.item(item));
                    }
                    prev_decl = decl;
                }
            }
        }
        body.force_blank = false;
        self.leading(&mut body, u32::MAX);
        body.into_top_doc()
    }

    fn item(&mut self, item: &Item) -> Doc {
        let decl = match &item.kind {
            ItemKind::Stmt(s) => self.stmt(s),
            ItemKind::Cell(c) => self.cell(c, false),
            ItemKind::Extern(c) => self.cell(c, true),
            kind => self.decl(kind, item.span),
        };
        if item.is_pub { cat!["pub ", decl] } else { decl }
    }
}

/// Declarations that get exactly one blank line before and after them at top level; the other
/// top-level lines (imports, constants, statements...) keep the blank lines they had.
fn is_spaced_decl(item: &Item) -> bool {
    !matches!(
        item.kind,
        ItemKind::Stmt(_)
            | ItemKind::Import(_)
            | ItemKind::UseTool(_)
            | ItemKind::Bind(_)
            | ItemKind::Const(_)
            | ItemKind::TypeAlias(_)
            | ItemKind::Extern(_)
            | ItemKind::Grant(_)
    )
}
