//! A small Wadler-style document algebra and its renderer.
//!
//! The printer builds a [`Doc`] for a whole source text; the renderer decides, group by group,
//! whether a group fits on the rest of its line (flat) or must break its `Line`s into newlines.
//! Indentation is written lazily, so blank lines never carry trailing spaces.

/// Maximum line width the renderer aims for.
pub const WIDTH: usize = 100;
/// Spaces per indentation level.
pub const INDENT: usize = 2;

#[derive(Clone, Debug)]
pub enum Doc {
    Nil,
    /// Text without newlines.
    Text(String),
    /// A trailing `#` comment: printed like text, but counts as zero width when deciding whether
    /// a group fits, so a comment never reflows the code before it.
    Comment(String),
    /// Source text kept as written; it may span lines. Lines after the first are shifted by the
    /// difference between the current indentation and `orig_indent`, except the lines listed in
    /// `fixed` (0-based line numbers within the text), which are never touched (they start inside
    /// a multi-line string literal or markdown block). `shift: false` keeps every line as is.
    Source {
        text: String,
        orig_indent: usize,
        fixed: Vec<usize>,
        shift: bool,
    },
    /// A space when the enclosing group is flat, a newline when it is broken.
    Line,
    /// Nothing when flat, a newline when broken.
    SoftLine,
    /// Always a newline; the enclosing groups break.
    HardLine,
    /// Forces the enclosing groups to break without printing anything.
    BreakParent,
    Indent(Box<Doc>),
    Group {
        doc: Box<Doc>,
        hard: bool,
    },
    /// `broken` when the enclosing group is broken, else `flat`.
    IfBreak(Box<Doc>, Box<Doc>),
    Concat(Vec<Doc>),
}

impl Doc {
    pub fn text(s: impl Into<String>) -> Doc {
        Doc::Text(s.into())
    }

    pub fn indent(doc: Doc) -> Doc {
        Doc::Indent(Box::new(doc))
    }

    pub fn group(doc: Doc) -> Doc {
        let hard = doc.has_hard_break();
        Doc::Group { doc: Box::new(doc), hard }
    }

    pub fn if_break(broken: Doc, flat: Doc) -> Doc {
        Doc::IfBreak(Box::new(broken), Box::new(flat))
    }

    pub fn concat(docs: Vec<Doc>) -> Doc {
        Doc::Concat(docs)
    }

    /// Whether the document contains a newline that does not depend on any group.
    pub fn has_hard_break(&self) -> bool {
        match self {
            Doc::HardLine | Doc::BreakParent => true,
            Doc::Indent(d) => d.has_hard_break(),
            Doc::Group { hard, .. } => *hard,
            Doc::IfBreak(b, f) => b.has_hard_break() && f.has_hard_break(),
            Doc::Concat(v) => v.iter().any(Doc::has_hard_break),
            _ => false,
        }
    }

    /// Whether the document prints anything that spans lines (hard breaks or multi-line source).
    pub fn is_multiline(&self) -> bool {
        match self {
            Doc::HardLine | Doc::BreakParent => true,
            Doc::Source { text, .. } => text.contains('\n'),
            Doc::Indent(d) => d.is_multiline(),
            Doc::Group { doc, hard } => *hard || doc.is_multiline(),
            Doc::IfBreak(_, f) => f.is_multiline(),
            Doc::Concat(v) => v.iter().any(Doc::is_multiline),
            _ => false,
        }
    }
}

/// Concatenation shorthand: `cat![a, b, c]`.
#[macro_export]
macro_rules! cat {
    ($($d:expr),* $(,)?) => { $crate::doc::Doc::Concat(vec![$($d.into()),*]) };
}

impl From<&str> for Doc {
    fn from(s: &str) -> Doc {
        Doc::Text(s.to_string())
    }
}

impl From<String> for Doc {
    fn from(s: String) -> Doc {
        Doc::Text(s)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

struct Renderer {
    out: String,
    col: usize,
    /// Indentation to write before the next text on a fresh line.
    pending: Option<usize>,
}

impl Renderer {
    fn flush_indent(&mut self) {
        if let Some(n) = self.pending.take() {
            self.out.extend(std::iter::repeat_n(' ', n));
            self.col = n;
        }
    }

    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.flush_indent();
        self.out.push_str(s);
        self.col += s.chars().count();
    }

    fn newline(&mut self, indent: usize) {
        // A newline right after another one leaves an empty line without indentation.
        self.out.push('\n');
        self.col = 0;
        self.pending = Some(indent);
    }
}

/// Renders a document to text.
pub fn render(doc: &Doc) -> String {
    let mut r = Renderer { out: String::new(), col: 0, pending: Some(0) };
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = stack.pop() {
        match doc {
            Doc::Nil | Doc::BreakParent => {}
            Doc::Text(s) | Doc::Comment(s) => r.text(s),
            Doc::Source { text, orig_indent, fixed, shift } => {
                let current = r.pending.unwrap_or(indent);
                let shifted = if *shift { shift_lines(text, *orig_indent, current, fixed) } else { None };
                let text = shifted.as_deref().unwrap_or(text);
                let mut lines = text.split('\n');
                if let Some(first) = lines.next() {
                    r.text(first);
                }
                for line in lines {
                    r.out.push('\n');
                    r.pending = None;
                    r.out.push_str(line);
                    r.col = line.chars().count();
                }
            }
            Doc::Line => match mode {
                Mode::Flat => r.text(" "),
                Mode::Break => r.newline(indent),
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    r.newline(indent);
                }
            }
            Doc::HardLine => r.newline(indent),
            Doc::Indent(d) => stack.push((indent + INDENT, mode, d)),
            Doc::Group { doc, hard } => {
                let col = if r.pending.is_some() { r.pending.unwrap_or(0) } else { r.col };
                let flat = !*hard && fits(doc, &stack, WIDTH.saturating_sub(col) as isize);
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, doc));
            }
            Doc::IfBreak(b, f) => stack.push((indent, mode, if mode == Mode::Break { b } else { f })),
            Doc::Concat(v) => {
                for d in v.iter().rev() {
                    stack.push((indent, mode, d));
                }
            }
        }
    }
    r.out
}

/// Whether `doc`, printed flat, and whatever follows it up to the next possible line break fit
/// in `width` columns.
fn fits(doc: &Doc, rest: &[(usize, Mode, &Doc)], mut width: isize) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest_index = rest.len();
    loop {
        let Some((mode, doc)) = stack.pop() else {
            if rest_index == 0 {
                return true;
            }
            rest_index -= 1;
            let (_, mode, doc) = rest[rest_index];
            stack.push((mode, doc));
            continue;
        };
        match doc {
            Doc::Nil | Doc::BreakParent | Doc::Comment(_) => {}
            Doc::Text(s) => width -= s.chars().count() as isize,
            Doc::Source { text, .. } => {
                let first = text.split('\n').next().unwrap_or("");
                width -= first.chars().count() as isize;
                if text.contains('\n') {
                    return width >= 0;
                }
            }
            Doc::Line => match mode {
                Mode::Flat => width -= 1,
                Mode::Break => return true,
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::HardLine => return true,
            Doc::Indent(d) => stack.push((mode, d)),
            Doc::Group { doc, hard } => stack.push((if *hard { Mode::Break } else { mode }, doc)),
            Doc::IfBreak(b, f) => stack.push((mode, if mode == Mode::Break { b } else { f })),
            Doc::Concat(v) => {
                for d in v.iter().rev() {
                    stack.push((mode, d));
                }
            }
        }
        if width < 0 {
            return false;
        }
    }
}

/// Re-indents the lines after the first by `to - from` columns, leaving `fixed` lines alone.
/// Returns `None` when nothing changes or when a line has too little leading space to move left
/// (then the text is kept exactly as written).
fn shift_lines(text: &str, from: usize, to: usize, fixed: &[usize]) -> Option<String> {
    if from == to || !text.contains('\n') {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let movable = |i: usize, line: &str| i > 0 && !fixed.contains(&i) && !line.is_empty();
    if to < from {
        let need = from - to;
        let ok = lines.iter().enumerate().filter(|(i, l)| movable(*i, l)).all(|(_, l)| {
            let spaces = l.bytes().take_while(|b| *b == b' ').count();
            spaces >= need || l.trim().is_empty()
        });
        if !ok {
            return None;
        }
    }
    let mut out = String::with_capacity(text.len() + lines.len() * 4);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !movable(i, line) {
            out.push_str(line);
        } else if to > from {
            out.extend(std::iter::repeat_n(' ', to - from));
            out.push_str(line);
        } else {
            let spaces = line.bytes().take_while(|b| *b == b' ').count();
            out.push_str(&line[spaces.min(from - to)..]);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                inner.push(",".into());
                inner.push(Doc::Line);
            }
            inner.push((*item).into());
        }
        inner.push(Doc::if_break(",".into(), Doc::Nil));
        Doc::group(cat!["f(", Doc::indent(Doc::Concat(inner)), Doc::SoftLine, ")"])
    }

    #[test]
    fn flat_when_it_fits() {
        assert_eq!(render(&list(&["a", "b"])), "f(a, b)");
    }

    #[test]
    fn breaks_with_trailing_comma() {
        let long = "x".repeat(60);
        let doc = list(&[&long, &long]);
        assert_eq!(render(&doc), format!("f(\n  {long},\n  {long},\n)"));
    }

    #[test]
    fn hard_line_breaks_group() {
        let doc = Doc::group(cat!["a", Doc::Line, "b", Doc::HardLine, "c"]);
        assert_eq!(render(&doc), "a\nb\nc");
    }

    #[test]
    fn blank_lines_have_no_indentation() {
        let doc = cat!["x", Doc::indent(cat![Doc::HardLine, Doc::HardLine, "y"]), Doc::HardLine, "end"];
        assert_eq!(render(&doc), "x\n\n  y\nend");
    }

    #[test]
    fn comments_do_not_count_for_width() {
        let long = "x".repeat(45);
        let doc = cat![list(&[&long, &long]), Doc::Comment(format!(" # {}", "c".repeat(80)))];
        assert!(render(&doc).starts_with(&format!("f({long}, {long})")));
    }

    #[test]
    fn source_lines_shift_with_indentation() {
        let src = Doc::Source { text: "a\n    b\n  \"s\"".into(), orig_indent: 4, fixed: vec![2], shift: true };
        let doc = cat!["x", Doc::indent(cat![Doc::HardLine, src])];
        assert_eq!(render(&doc), "x\n  a\n  b\n  \"s\"");
        let tight = Doc::Source { text: "a\n b".into(), orig_indent: 4, fixed: vec![], shift: true };
        assert_eq!(render(&cat![Doc::indent(cat![Doc::HardLine, tight])]), "\n  a\n b");
    }
}
