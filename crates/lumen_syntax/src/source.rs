//! Source files: raw and markdown modes, normalization and line/column lookup (LANGUAGE.md §1).
//!
//! A [`SourceFile`] keeps two texts of equal length: `text`, the normalized file (byte-order mark
//! removed, every line ending turned into `\n`), and `code`, what the lexer reads. For raw files the
//! two are identical. For markdown files `code` holds the bytes of the fenced Lumen blocks (and of
//! directive lines written in prose) at their original offsets, with every other byte replaced by a
//! space and newlines kept, so that every span the lexer and parser produce is a span of `text`.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::diagnostic::{Diagnostic, codes};
use crate::span::Span;

/// How a file's text becomes Lumen source (LANGUAGE.md 1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// `.lm`, `.lumen`: the whole file is Lumen source.
    Raw,
    /// `.lm.md`, `.lumen.md`: only fenced `lumen` / `lm` blocks are source.
    Markdown,
}

/// One source file, ready for the lexer.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (shown in diagnostics).
    pub path: String,
    /// The normalized file text: byte-order mark removed, CRLF and lone CR read as LF.
    pub text: String,
    /// What the lexer sees: `text` itself for raw files; for markdown files the same bytes inside
    /// Lumen blocks and spaces (newlines kept) everywhere else, so offsets coincide with `text`.
    pub code: String,
    pub kind: SourceKind,
    /// Markdown: the content range of each Lumen block, in document order (empty for raw files).
    pub code_blocks: Vec<Span>,
    /// Byte offset of the start of every line of `text`; the first entry is 0.
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// The mode of a file, chosen by its name only (LANGUAGE.md 1.1); `None` for other names.
    pub fn kind_for_path(path: &str) -> Option<SourceKind> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let has_stem = |suffix: &str| name.len() > suffix.len() && name.ends_with(suffix);
        if has_stem(".lm.md") || has_stem(".lumen.md") {
            Some(SourceKind::Markdown)
        } else if has_stem(".lm") || has_stem(".lumen") {
            Some(SourceKind::Raw)
        } else {
            None
        }
    }

    /// Reads a file's bytes. Invalid UTF-8 is reported with code [`codes::INVALID_UTF8`] at the
    /// offending byte, counted in the normalized text (see [`SourceFile::new_lossy`] to render it).
    /// A file name with an unknown extension is treated as raw.
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
        let path = path.into();
        let kind = Self::kind_for_path(&path).unwrap_or(SourceKind::Raw);
        match String::from_utf8(normalize(bytes)) {
            Ok(text) => Ok(Self::build(path, text, kind)),
            Err(err) => {
                let utf8 = err.utf8_error();
                let start = utf8.valid_up_to();
                let len = utf8.error_len().unwrap_or(err.as_bytes().len() - start).max(1);
                let bad = &err.as_bytes()[start..start + len];
                let shown: Vec<String> = bad.iter().map(|b| format!("0x{b:02X}")).collect();
                Err(Diagnostic::error(
                    codes::INVALID_UTF8,
                    "source file is not valid UTF-8",
                    Span::new(start, start + len),
                )
                .with_label(format!("invalid byte sequence {}", shown.join(" ")))
                .with_help("Lumen source files must be encoded in UTF-8"))
            }
        }
    }

    /// Like [`SourceFile::new`], but decodes invalid UTF-8 lossily (each bad sequence becomes
    /// U+FFFD). The text before the first bad byte is identical to the one `new` validated, so the
    /// `INVALID_UTF8` diagnostic of `new` can be rendered against this file.
    pub fn new_lossy(path: impl Into<String>, bytes: Vec<u8>) -> SourceFile {
        let path = path.into();
        let kind = Self::kind_for_path(&path).unwrap_or(SourceKind::Raw);
        let normalized = normalize(bytes);
        let text = match String::from_utf8(normalized) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        Self::build(path, text, kind)
    }

    /// A source file from text already in memory (tests, the repl). The text is normalized too.
    pub fn from_str(path: impl Into<String>, text: &str, kind: SourceKind) -> SourceFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() };
        Self::build(path.into(), text, kind)
    }

    fn build(path: String, text: String, kind: SourceKind) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1))
            .collect();
        let (code, code_blocks) = match kind {
            SourceKind::Raw => (text.clone(), Vec::new()),
            SourceKind::Markdown => extract_markdown(&text),
        };
        SourceFile { path, text, code, kind, code_blocks, line_starts }
    }

    /// 1-based line and 1-based column (in Unicode scalar values) of a byte offset. Offsets past the
    /// end are clamped to the end; an offset inside a character counts as that character.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = floor_char_boundary(&self.text, offset as usize);
        let line = self.line_starts.partition_point(|&s| s as usize <= offset).max(1);
        let start = self.line_starts[line - 1] as usize;
        let col = self.text[start..offset].chars().count() + 1;
        (line as u32, col as u32)
    }

    /// Number of lines: one more than the number of newlines (the text after the last newline is a
    /// line even when empty), so every offset of the file, the end included, has a line in
    /// `1..=line_count()`.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of a 1-based line, without its newline; empty for lines out of range.
    pub fn line_text(&self, line: u32) -> &str {
        let range = self.line_range(line);
        &self.text[range]
    }

    /// Byte offset where a 1-based line starts; lines out of range give the end of the text.
    pub fn line_start(&self, line: u32) -> u32 {
        self.line_range(line).start as u32
    }

    /// Byte range of a 1-based line, newline excluded; empty at the end of the text when out of range.
    pub fn line_range(&self, line: u32) -> Range<usize> {
        let len = self.text.len();
        let index = (line as usize).wrapping_sub(1);
        let Some(&start) = self.line_starts.get(index) else {
            return len..len;
        };
        let end = match self.line_starts.get(index + 1) {
            Some(&next) => next as usize - 1,
            None => len,
        };
        start as usize..end
    }
}

/// Removes a leading byte-order mark and turns CRLF and lone CR into LF. Works on bytes: CR never
/// occurs inside a multi-byte UTF-8 sequence, so this is safe before validation.
fn normalize(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if !bytes.contains(&b'\r') {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().copied().peekable();
    while let Some(b) = iter.next() {
        if b == b'\r' {
            if iter.peek() == Some(&b'\n') {
                iter.next();
            }
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    out
}

/// The largest char boundary of `text` at or before `offset` (clamped to the length).
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The smallest char boundary of `text` at or after `offset` (clamped to the length).
pub(crate) fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// Whether a fenced block's info string marks Lumen source: first word `lumen` or `lm`, any case.
fn is_lumen_info(info: &str) -> bool {
    info.split_whitespace()
        .next()
        .is_some_and(|word| word.eq_ignore_ascii_case("lumen") || word.eq_ignore_ascii_case("lm"))
}

/// Whether a whole line is a directive written in prose: `@name` optionally followed by spaces
/// and a value (`^@[A-Za-z_][A-Za-z0-9_]*( +\S.*)?$`, trailing blanks tolerated).
fn is_directive_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'@') || !bytes.get(1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
        return false;
    }
    let name_end =
        bytes[1..].iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(bytes.len(), |p| p + 1);
    let rest = &line[name_end..];
    rest.is_empty() || rest.starts_with(' ') || rest.trim().is_empty()
}

/// Builds the lexer's view of a markdown file and the content range of each Lumen block.
fn extract_markdown(text: &str) -> (String, Vec<Span>) {
    let mut keep: Vec<Range<usize>> = Vec::new();
    let mut blocks: Vec<Span> = Vec::new();
    let mut paragraphs: Vec<Range<usize>> = Vec::new();
    // Inside a Lumen block: where its content starts and where the last text seen ends.
    let mut open: Option<(usize, usize)> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_lumen_info(&info) => {
                let after_fence = text[range.start..range.end].find('\n').map_or(range.end, |i| range.start + i + 1);
                open = Some((after_fence, after_fence));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, end)) = open.take() {
                    blocks.push(Span::new(start, end.max(start)));
                }
            }
            Event::Text(_) => {
                if let Some((start, _)) = open {
                    open = Some((start, range.end));
                    keep.push(range);
                }
            }
            Event::Start(Tag::Paragraph) => paragraphs.push(range),
            _ => {}
        }
    }
    if let Some((start, end)) = open {
        blocks.push(Span::new(start, end.max(start)));
    }
    for para in paragraphs {
        let mut line_start = text[..para.start].rfind('\n').map_or(0, |i| i + 1);
        while line_start < para.end {
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            if is_directive_line(&text[line_start..line_end]) {
                keep.push(line_start..line_end);
            }
            line_start = line_end + 1;
        }
    }

    let mut code: Vec<u8> = text.bytes().map(|b| if b == b'\n' { b'\n' } else { b' ' }).collect();
    for range in keep {
        let start = floor_char_boundary(text, range.start);
        let end = ceil_char_boundary(text, range.end);
        code[start..end].copy_from_slice(&text.as_bytes()[start..end]);
    }
    // Kept ranges lie on char boundaries and every other byte is ASCII, so this never fails.
    let code = String::from_utf8(code).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (code, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> SourceFile {
        SourceFile::from_str("t.lm.md", text, SourceKind::Markdown)
    }

    /// Checks the invariants every markdown extraction must keep.
    fn check_invariants(file: &SourceFile) {
        assert_eq!(file.code.len(), file.text.len());
        for (c, t) in file.code.bytes().zip(file.text.bytes()) {
            assert!(c == t || (c == b' ' && t != b'\n'), "code byte {c:?} vs text byte {t:?}");
        }
    }

    #[test]
    fn kind_for_path_by_name() {
        assert_eq!(SourceFile::kind_for_path("a.lm"), Some(SourceKind::Raw));
        assert_eq!(SourceFile::kind_for_path("dir/a.lumen"), Some(SourceKind::Raw));
        assert_eq!(SourceFile::kind_for_path("a.lm.md"), Some(SourceKind::Markdown));
        assert_eq!(SourceFile::kind_for_path("x/y/a.lumen.md"), Some(SourceKind::Markdown));
        assert_eq!(SourceFile::kind_for_path("README.md"), None);
        assert_eq!(SourceFile::kind_for_path("a.txt"), None);
        assert_eq!(SourceFile::kind_for_path(".lm"), None);
        assert_eq!(SourceFile::kind_for_path("dir.lm/file"), None);
        let unknown = SourceFile::new("notes.txt", b"x".to_vec()).unwrap();
        assert_eq!(unknown.kind, SourceKind::Raw);
    }

    #[test]
    fn raw_code_is_text() {
        let file = SourceFile::new("a.lm", b"let x = 1\n".to_vec()).unwrap();
        assert_eq!(file.kind, SourceKind::Raw);
        assert_eq!(file.code, file.text);
        assert!(file.code_blocks.is_empty());
    }

    #[test]
    fn markdown_offsets_coincide() {
        let text = "# Title\n\nSome prose, `cell` end.\n\n```lumen\ncell main()\n  print(1)\nend\n```\n\nMore.\n";
        let file = md(text);
        check_invariants(&file);
        let start = text.find("cell main").unwrap();
        let end = text.find("```\n\nMore").unwrap();
        assert_eq!(&file.code[start..end], "cell main()\n  print(1)\nend\n");
        assert_eq!(file.code_blocks, vec![Span::new(start, end)]);
        assert_eq!(file.code[..start].trim(), "");
        assert_eq!(file.code[end..].trim(), "");
        assert_eq!(file.code.matches('\n').count(), text.matches('\n').count());
    }

    #[test]
    fn markdown_info_strings() {
        let text = "```LM\nlet a = 1\n```\n\n```lumen test\nlet b = 2\n```\n\n~~~lumen\nlet c = 3\n~~~\n\n```Lumen extra words\nlet d = 4\n```\n";
        let file = md(text);
        check_invariants(&file);
        for piece in ["let a = 1", "let b = 2", "let c = 3", "let d = 4"] {
            let at = text.find(piece).unwrap();
            assert_eq!(&file.code[at..at + piece.len()], piece);
        }
        assert_eq!(file.code_blocks.len(), 4);
        assert!(!file.code.contains("```") && !file.code.contains("~~~"));
    }

    #[test]
    fn markdown_ignored_blocks() {
        let text = "```python\nprint(1)\n```\n\n```\nplain\n```\n\n    indented code\n\n```lumenx\nno\n```\n\n<div>\nhtml\n</div>\n";
        let file = md(text);
        check_invariants(&file);
        assert_eq!(file.code.trim(), "");
        assert!(file.code_blocks.is_empty());
    }

    #[test]
    fn markdown_tilde_fence_holds_backticks() {
        let text = "~~~lm\n```\ndoc\n```\ncell f() = 1\n~~~\n";
        let file = md(text);
        check_invariants(&file);
        let start = text.find("```").unwrap();
        let end = text.rfind("~~~").unwrap();
        assert_eq!(&file.code[start..end], &text[start..end]);
    }

    #[test]
    fn markdown_unclosed_fence_runs_to_end() {
        let text = "Intro\n\n```lumen\nlet x = 1\nlet y = 2";
        let file = md(text);
        check_invariants(&file);
        let start = text.find("let x").unwrap();
        assert_eq!(&file.code[start..], "let x = 1\nlet y = 2");
        assert_eq!(file.code_blocks, vec![Span::new(start, text.len())]);
    }

    #[test]
    fn markdown_empty_block() {
        let text = "```lumen\n```\n";
        let file = md(text);
        check_invariants(&file);
        assert_eq!(file.code.trim(), "");
        assert_eq!(file.code_blocks, vec![Span::new(9, 9)]);
    }

    #[test]
    fn markdown_container_prefixes_blanked() {
        let text = "> ```lumen\n> let x = 1\n>   let y = 2\n> ```\n\n- item\n\n  ```lm\n  let z = 3\n  ```\n";
        let file = md(text);
        check_invariants(&file);
        assert!(!file.code.contains('>'));
        assert!(!file.code.contains('-'));
        let at = text.find("let x = 1").unwrap();
        assert_eq!(&file.code[at - 2..at + 9], "  let x = 1");
        let at = text.find("  let y").unwrap();
        assert_eq!(&file.code[at..at + 9], "  let y =");
        let at = text.find("let z = 3").unwrap();
        assert_eq!(&file.code[at..at + 9], "let z = 3");
        assert_eq!(file.code_blocks.len(), 2);
    }

    #[test]
    fn markdown_directives_in_prose() {
        let text = "# Doc\n\n@strict false\n\nSome text\n@deterministic\nmore text\n\nnot @inline here\n\n- @listed\n\n> @quoted\n\n```text\n@fenced\n```\n";
        let file = md(text);
        check_invariants(&file);
        assert!(file.code.contains("@strict false"));
        assert!(file.code.contains("@deterministic"));
        for hidden in ["@inline", "@listed", "@quoted", "@fenced", "Some text"] {
            assert!(!file.code.contains(hidden), "{hidden} should be blanked");
        }
        let at = text.find("@strict").unwrap();
        assert_eq!(&file.code[at..at + 13], "@strict false");
        assert!(file.code_blocks.is_empty());
    }

    #[test]
    fn directive_line_shape() {
        assert!(is_directive_line("@strict"));
        assert!(is_directive_line("@doc_mode true"));
        assert!(is_directive_line("@_x \"text\""));
        assert!(is_directive_line("@strict  "));
        assert!(!is_directive_line("@"));
        assert!(!is_directive_line("@1x"));
        assert!(!is_directive_line(" @strict"));
        assert!(!is_directive_line("@strict:"));
        assert!(!is_directive_line("email@example.com"));
    }

    #[test]
    fn markdown_multibyte_prose_becomes_spaces() {
        let text = "Prose é ✓ 🎉\n\n```lumen\nlet s = \"ü\"\n```\n";
        let file = md(text);
        check_invariants(&file);
        assert_eq!(&file.code[..text.find('\n').unwrap()], " ".repeat("Prose é ✓ 🎉".len()));
        assert!(file.code.contains("let s = \"ü\""));
    }

    #[test]
    fn crlf_and_lone_cr_normalized() {
        let file = SourceFile::new("a.lm", b"a\r\nb\rc\r\n\r\nd".to_vec()).unwrap();
        assert_eq!(file.text, "a\nb\nc\n\nd");
        assert_eq!(file.line_count(), 5);
        assert_eq!(file.line_text(3), "c");
        let md = SourceFile::new("a.lm.md", b"x\r\n\r\n```lumen\r\nlet a = 1\r\n```\r\n".to_vec()).unwrap();
        assert_eq!(md.text, "x\n\n```lumen\nlet a = 1\n```\n");
        assert!(md.code.contains("let a = 1\n"));
        let s = SourceFile::from_str("a.lm", "a\r\nb\r", SourceKind::Raw);
        assert_eq!(s.text, "a\nb\n");
    }

    #[test]
    fn bom_removed() {
        let file = SourceFile::new("a.lm", b"\xEF\xBB\xBFlet x = 1".to_vec()).unwrap();
        assert_eq!(file.text, "let x = 1");
        assert_eq!(file.line_col(0), (1, 1));
        let file = SourceFile::from_str("a.lm", "\u{feff}x", SourceKind::Raw);
        assert_eq!(file.text, "x");
    }

    #[test]
    fn invalid_utf8_reported_at_offset() {
        let err = SourceFile::new("a.lm", b"ok\nab\xFFcd".to_vec()).unwrap_err();
        assert_eq!(err.code, codes::INVALID_UTF8);
        assert!(err.is_error());
        assert_eq!(err.primary_span(), Span::new(5, 6));
        assert!(err.labels[0].message.contains("0xFF"));
        // Truncated sequence at the end of the file.
        let err = SourceFile::new("a.lm", b"x\xE2\x82".to_vec()).unwrap_err();
        assert_eq!(err.primary_span(), Span::new(1, 3));
        // Offsets are in the normalized text: the BOM and the CR are gone.
        let err = SourceFile::new("a.lm", b"\xEF\xBB\xBFa\r\n\xC0".to_vec()).unwrap_err();
        assert_eq!(err.primary_span().start, 2);
        let lossy = SourceFile::new_lossy("a.lm", b"\xEF\xBB\xBFa\r\n\xC0".to_vec());
        assert_eq!(lossy.text, "a\n\u{fffd}");
        assert_eq!(lossy.line_col(2), (2, 1));
    }

    #[test]
    fn line_col_counts_scalar_values() {
        let file = SourceFile::from_str("a.lm", "aé✓🎉b\nxy\n", SourceKind::Raw);
        let b = file.text.find('b').unwrap() as u32;
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(1), (1, 2));
        assert_eq!(file.line_col(b), (1, 5));
        // Inside a multi-byte character: that character's column.
        assert_eq!(file.line_col(2), (1, 2));
        let y = file.text.find('y').unwrap() as u32;
        assert_eq!(file.line_col(y), (2, 2));
        // The newline itself, the end of the file and beyond.
        assert_eq!(file.line_col(b + 1), (1, 6));
        let len = file.text.len() as u32;
        assert_eq!(file.line_col(len), (3, 1));
        assert_eq!(file.line_col(len + 100), (3, 1));
    }

    #[test]
    fn line_lookup() {
        let file = SourceFile::from_str("a.lm", "one\ntwo\n\nfour", SourceKind::Raw);
        assert_eq!(file.line_count(), 4);
        assert_eq!(file.line_text(1), "one");
        assert_eq!(file.line_text(2), "two");
        assert_eq!(file.line_text(3), "");
        assert_eq!(file.line_text(4), "four");
        assert_eq!(file.line_text(0), "");
        assert_eq!(file.line_text(5), "");
        assert_eq!(file.line_start(2), 4);
        assert_eq!(file.line_start(4), 9);
        assert_eq!(file.line_start(99), file.text.len() as u32);
        let empty = SourceFile::from_str("e.lm", "", SourceKind::Raw);
        assert_eq!(empty.line_count(), 1);
        assert_eq!(empty.line_col(0), (1, 1));
        assert_eq!(empty.line_text(1), "");
    }

    #[test]
    fn markdown_never_panics_on_odd_input() {
        let inputs = [
            "",
            "```",
            "```lumen",
            "```lumen\n",
            "~~~~lm\n~~~\n~~~~",
            "\t```lumen\n\t\tx\n\t```",
            "- ```lumen\n  \tx\n  ```",
            "> - > ```lm\n> - > é\n",
            "@\n@a\n@é x\n",
            "é```lumen\n✓\n```",
        ];
        for input in inputs {
            let file = md(input);
            check_invariants(&file);
            for block in &file.code_blocks {
                assert!(block.start <= block.end && block.end as usize <= file.text.len());
            }
        }
    }
}
