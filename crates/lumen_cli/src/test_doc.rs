//! Doc tests of markdown sources (LANGUAGE.md §9.4): every fenced block whose info string is
//! `lumen test` is compiled with the file's other blocks, and its own top-level statements run
//! as one test named after the nearest heading above it.

use lumen_syntax::ast::ItemKind;
use lumen_syntax::{ParseOutput, SourceFile, Span};

/// One `lumen test` block.
pub struct DocTest {
    /// The nearest heading above the block (made unique within the file).
    pub name: String,
    /// The block's content range in the file.
    pub block: Span,
}

/// The `lumen test` blocks of a markdown file, in document order.
pub fn doc_tests(file: &SourceFile) -> Vec<DocTest> {
    let headings = headings(&file.text);
    let mut tests: Vec<DocTest> = Vec::new();
    for &block in &file.code_blocks {
        let (line, _) = file.line_col(block.start);
        if line < 2 || !is_test_fence(file.line_text(line - 1)) {
            continue;
        }
        let fence_start = file.line_start(line - 1) as usize;
        let base = headings
            .iter()
            .rev()
            .find(|(at, _)| *at < fence_start)
            .map_or_else(|| format!("doc test at line {}", line - 1), |(_, text)| text.clone());
        // Several test blocks under one heading: `Heading`, `Heading (2)`, ...
        let mut name = base.clone();
        let mut n = 1;
        while tests.iter().any(|t| t.name == name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        tests.push(DocTest { name, block });
    }
    tests
}

/// The file's code with every top-level statement outside `block` blanked out (declarations of
/// all blocks stay): the implicit `main` of the result is the test block's statements. Offsets
/// and lines are unchanged, so diagnostics and stack traces point into the original file.
pub fn doc_test_code(file: &SourceFile, parse: &ParseOutput, block: Span) -> String {
    let mut bytes = file.code.clone().into_bytes();
    for item in &parse.module.items {
        let inside = block.start <= item.span.start && item.span.end <= block.end;
        if matches!(item.kind, ItemKind::Stmt(_)) && !inside {
            let end = (item.span.end as usize).min(bytes.len());
            for b in &mut bytes[(item.span.start as usize).min(end)..end] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
    }
    // Only whole statements were blanked, each a run of complete characters, but a partly
    // blanked character would still decode lossily rather than fail.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whether a fence line opens a `lumen test` block: info string `lumen test` (or `lm test`).
fn is_test_fence(line: &str) -> bool {
    let line = line.trim_start().trim_start_matches(['>', ' ']);
    let info = line.trim_start_matches(['`', '~']);
    if info.len() + 3 > line.len() {
        return false;
    }
    let words: Vec<&str> = info.split_whitespace().collect();
    words.len() == 2
        && (words[0].eq_ignore_ascii_case("lumen") || words[0].eq_ignore_ascii_case("lm"))
        && words[1].eq_ignore_ascii_case("test")
}

/// Markdown headings with the offset of their line: ATX (`## Title`) and setext (a line under
/// `===` or `---`). Lines inside fenced blocks are skipped: a Lumen `# comment` is no heading.
fn headings(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    // The previous line, when it could be a setext heading's text.
    let mut paragraph: Option<(usize, &str)> = None;
    let mut offset = 0;
    for raw in text.split('\n') {
        let at = offset;
        offset += raw.len() + 1;
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let line = raw.trim();
        if let Some((ch, len)) = fence {
            let run = line.chars().take_while(|&c| c == ch).count();
            if run >= len && line[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if indent > 3 {
            paragraph = None;
            continue;
        }
        let opener = line.chars().next().filter(|&c| c == '`' || c == '~');
        if let Some(ch) = opener {
            let run = line.chars().take_while(|&c| c == ch).count();
            if run >= 3 {
                fence = Some((ch, run));
                paragraph = None;
                continue;
            }
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && (line.len() == hashes || line[hashes..].starts_with([' ', '\t'])) {
            let title = line[hashes..].trim().trim_end_matches('#').trim();
            found.push((at, title.to_owned()));
            paragraph = None;
            continue;
        }
        let underline = !line.is_empty() && (line.chars().all(|c| c == '=') || line.chars().all(|c| c == '-'));
        if underline && let Some((start, title)) = paragraph {
            found.push((start, title.to_owned()));
            paragraph = None;
            continue;
        }
        paragraph = if line.is_empty() { None } else { Some((at, line)) };
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use lumen_syntax::SourceKind;

    #[test]
    fn finds_test_blocks_and_headings() {
        let text = "# Guide\n\n```lumen\ncell add(a: Int, b: Int) -> Int = a + b\n# not a heading\n```\n\n\
                    ## Adding\n\n```lumen test\nassert_eq(add(1, 2), 3)\n```\n\n```lumen test\nassert(true)\n```\n\n\
                    Other\n-----\n\n~~~lm TEST\nassert(false)\n~~~\n\n```lumen testing\nx\n```\n";
        let file = SourceFile::from_str("doc.lm.md", text, SourceKind::Markdown);
        let tests = doc_tests(&file);
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Adding", "Adding (2)", "Other"]);
        assert_eq!(&file.text[tests[0].block.start as usize..tests[0].block.end as usize], "assert_eq(add(1, 2), 3)\n");
    }

    #[test]
    fn other_statements_are_blanked() {
        let text =
            "```lumen\nprint(\"setup\")\ncell f() -> Int = 1\n```\n\n# T\n```lumen test\nassert_eq(f(), 1)\n```\n";
        let file = SourceFile::from_str("doc.lm.md", text, SourceKind::Markdown);
        let parse = lumen_syntax::parse_file(&file);
        let tests = doc_tests(&file);
        let code = doc_test_code(&file, &parse, tests[0].block);
        assert_eq!(code.len(), file.code.len());
        assert!(!code.contains("setup"));
        assert!(code.contains("cell f() -> Int = 1"));
        assert!(code.contains("assert_eq(f(), 1)"));
    }

    #[test]
    fn no_heading_names_by_line() {
        let file = SourceFile::from_str("d.lm.md", "text\n\n```lumen test\nassert(true)\n```\n", SourceKind::Markdown);
        assert_eq!(doc_tests(&file)[0].name, "doc test at line 3");
    }
}
