//! Rendering diagnostics for people (text, via `annotate-snippets`) and for tools (one JSON object
//! per line), LANGUAGE.md §9.2.
//!
//! Only the source lines around the labels are handed to the renderer, so the cost of rendering a
//! diagnostic does not depend on the size of the file. Spans are clamped to the file and to
//! character boundaries first: a diagnostic with an odd span (empty, at the end of the file, on a
//! newline, past the end) still renders.

use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, ceil_char_boundary, floor_char_boundary};
use crate::span::Span;

/// Labels further apart than this many lines are shown in separate snippets.
const CLUSTER_GAP: u32 = 4;
/// A label spanning more lines than this is shown on its first line only.
const MAX_LABEL_LINES: u32 = 8;

/// A label prepared for rendering: span clamped and made relative to nothing yet.
struct Prepared<'d> {
    span: Span,
    first_line: u32,
    last_line: u32,
    message: &'d str,
    primary: bool,
}

/// Renders a diagnostic in the text form of LANGUAGE.md §9.2, with ANSI colours when `color`.
///
/// ```text
/// error[E0102]: undefined variable `widht`
///  --> src/area.lm:4:9
///   |
/// 4 |   print(widht * height)
///   |         ^^^^^ not found in this scope
///   |
///   = help: a variable with a similar name exists: `width`
/// ```
///
/// The gutter is as wide as the largest line number shown. Primary labels are underlined with
/// `^`, secondary labels with `-`; every help line becomes a `= help:` footer.
pub fn render_text(diag: &Diagnostic, file: &SourceFile, color: bool) -> String {
    let level = match diag.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
    };
    let labels = prepare_labels(diag, file);

    // Group labels into clusters of nearby lines; the primary label's cluster comes first so that
    // the `-->` line points at the primary location.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| (labels[i].first_line, labels[i].span.start));
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut cluster_end = 0u32;
    for i in order {
        match clusters.last_mut() {
            Some(cluster) if labels[i].first_line <= cluster_end.saturating_add(CLUSTER_GAP) => {
                cluster.push(i);
                cluster_end = cluster_end.max(labels[i].last_line);
            }
            _ => {
                clusters.push(vec![i]);
                cluster_end = labels[i].last_line;
            }
        }
    }
    clusters.sort_by_key(|cluster| !cluster.iter().any(|&i| labels[i].primary));

    let mut snippets = Vec::with_capacity(clusters.len());
    for cluster in &mut clusters {
        // Primary label first within its cluster: the renderer takes the location from it.
        cluster.sort_by_key(|&i| !labels[i].primary);
        let first = cluster.iter().map(|&i| labels[i].first_line).min().unwrap_or(1);
        let last = cluster.iter().map(|&i| labels[i].last_line).max().unwrap_or(first);
        let start = file.line_start(first) as usize;
        let end = file.line_range(last).end.max(start);
        let source = &file.text[start..end];
        let mut snippet = Snippet::source(source).line_start(first as usize).origin(&file.path).fold(true);
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(cluster.len());
        for &i in cluster.iter() {
            let label = &labels[i];
            let lo = (label.span.start as usize).clamp(start, end) - start;
            let hi = (label.span.end as usize).clamp(start, end) - start;
            let mut range = lo..hi.max(lo);
            // The renderer merges identical multi-line ranges by cutting one to its last byte,
            // which may split a character; cut it to its last character ourselves instead.
            if ranges.contains(&range) && source[range.clone()].contains('\n') {
                let last_char = source[range.clone()].char_indices().last();
                range.start = last_char.map_or(range.start, |(at, _)| range.start + at);
            }
            ranges.push(range.clone());
            // Primary labels are underlined with `^`, secondary ones with `-`. (`Level::Info` and
            // the like would prefix the label text with their name.)
            let annotation_level = if label.primary { Level::Error } else { Level::Warning };
            let mut annotation = annotation_level.span(range);
            if !label.message.is_empty() {
                annotation = annotation.label(label.message);
            }
            snippet = snippet.annotation(annotation);
        }
        snippets.push(snippet);
    }

    let mut message = level.title(&diag.message).id(diag.code).snippets(snippets);
    for help in &diag.help {
        message = message.footer(Level::Help.title(help));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    renderer.render(message).to_string()
}

/// Clamps every label to the file and to character boundaries, and finds the lines it covers.
fn prepare_labels<'d>(diag: &'d Diagnostic, file: &SourceFile) -> Vec<Prepared<'d>> {
    let mut labels: Vec<Prepared<'d>> = diag
        .labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let span = clamp_span(file, label.span);
            let (first_line, _) = file.line_col(span.start);
            let (mut last_line, _) = file.line_col(span.end.saturating_sub(1).max(span.start));
            let mut span = span;
            if last_line > first_line + MAX_LABEL_LINES {
                last_line = first_line;
                span.end = file.line_range(first_line).end as u32;
            }
            Prepared { span, first_line, last_line, message: &label.message, primary: index == 0 }
        })
        .collect();
    if labels.is_empty() {
        // A diagnostic without labels (never built by `Diagnostic::error`) still gets a location.
        labels.push(Prepared { span: Span::DUMMY, first_line: 1, last_line: 1, message: "", primary: true });
    }
    labels
}

/// A span inside the file and on character boundaries, with `start <= end`. A span starting at the
/// very end of a file that ends with a newline is moved onto that newline, so that it points at
/// the end of the last line rather than at an empty line nobody wrote.
fn clamp_span(file: &SourceFile, span: Span) -> Span {
    let text = &file.text;
    let mut start = floor_char_boundary(text, span.start as usize);
    if start == text.len() && text.ends_with('\n') {
        start -= 1;
    }
    let end = ceil_char_boundary(text, (span.end as usize).max(start));
    Span::new(start, end)
}

/// Renders a diagnostic as one line of JSON with the keys `code`, `severity`, `message`, `file`,
/// `line`, `col`, `end_line`, `end_col` (1-based, columns in Unicode scalar values, the end
/// exclusive) and `help` (an array of strings).
pub fn render_json(diag: &Diagnostic, file: &SourceFile) -> String {
    let span = diag.labels.first().map_or(Span::DUMMY, |label| clamp_span(file, label.span));
    let (line, col) = file.line_col(span.start);
    let (end_line, end_col) = file.line_col(span.end);
    let severity = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    serde_json::json!({
        "code": diag.code,
        "severity": severity,
        "message": diag.message,
        "file": file.path,
        "line": line,
        "col": col,
        "end_line": end_line,
        "end_col": end_col,
        "help": diag.help,
    })
    .to_string()
}

/// Counts in words: `2 errors, 1 warning`, `1 error`, `3 warnings`, or `no errors`.
pub fn summary_line(errors: usize, warnings: usize) -> String {
    fn count(n: usize, word: &str) -> String {
        if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
    }
    match (errors, warnings) {
        (0, 0) => "no errors".to_owned(),
        (e, 0) => count(e, "error"),
        (0, w) => count(w, "warning"),
        (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::codes;
    use crate::source::SourceKind;

    fn raw(text: &str) -> SourceFile {
        SourceFile::from_str("src/area.lm", text, SourceKind::Raw)
    }

    fn span_of(file: &SourceFile, needle: &str) -> Span {
        let start = file.text.find(needle).expect("needle in text");
        Span::new(start, start + needle.len())
    }

    const AREA: &str = "cell area(width: Int, height: Int) -> Int\n  let w = width\n  print(widht * height)\n  return w * height\nend\n";

    #[test]
    fn text_spec_example() {
        let file = raw(&format!("# areas\n{AREA}"));
        let diag = Diagnostic::error("E0102", "undefined variable `widht`", span_of(&file, "widht"))
            .with_label("not found in this scope")
            .with_help("a variable with a similar name exists: `width`");
        let out = render_text(&diag, &file, false);
        assert!(out.contains("error[E0102]: undefined variable `widht`\n --> src/area.lm:4:9\n"), "{out}");
        assert!(out.contains("\n4 |   print(widht * height)\n  |         ^^^^^ not found in this scope\n"), "{out}");
        assert!(out.contains("= help: a variable with a similar name exists: `width`"), "{out}");
        assert!(!out.contains("cell area"), "only the labelled lines are shown:\n{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn text_secondary_labels_and_several_helps() {
        let file = raw(AREA);
        let diag = Diagnostic::error(codes::MISSING_END, "expected `end` to close this cell", span_of(&file, "return"))
            .with_label("the cell's body continues here")
            .with_secondary(span_of(&file, "cell"), "cell opened here")
            .with_secondary(span_of(&file, "w = width"), "bound here")
            .with_help("add `end` on its own line")
            .with_help("blocks are closed by `end`, not by indentation");
        insta::assert_snapshot!(render_text(&diag, &file, false));
    }

    #[test]
    fn text_far_apart_labels_use_two_snippets() {
        let mut text = String::from("cell f()\n");
        for i in 0..40 {
            text.push_str(&format!("  let x{i} = {i}\n"));
        }
        text.push_str("  let bad = \n");
        let file = raw(&text);
        let diag = Diagnostic::error(
            codes::EXPECTED_EXPRESSION,
            "expected an expression",
            Span::new(text.len() - 1, text.len() - 1),
        )
        .with_label("expected an expression")
        .with_secondary(span_of(&file, "cell"), "inside this cell");
        let out = render_text(&diag, &file, false);
        assert!(out.contains("--> src/area.lm:42:13"), "{out}");
        assert!(!out.contains("x20"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn text_warning() {
        let file = raw("@strict true\n@strict false\n");
        let diag =
            Diagnostic::warning(codes::DUPLICATE_DIRECTIVE, "directive `@strict` is repeated", Span::new(13, 26))
                .with_label("this one wins")
                .with_secondary(Span::new(0, 12), "first set here");
        let out = render_text(&diag, &file, false);
        assert!(out.starts_with("warning[W0001]: directive `@strict` is repeated\n"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn text_multibyte_line() {
        let file = raw("let s = \"héllo ✓ 🎉\" + nope\n");
        let diag = Diagnostic::error("E0102", "undefined variable `nope`", span_of(&file, "nope"))
            .with_label("not found in this scope");
        let out = render_text(&diag, &file, false);
        assert!(out.contains("--> src/area.lm:1:23"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn text_markdown_positions_are_in_the_original_file() {
        let text = "# Hello\n\nProse.\n\n```lumen\ncell main()\n  print(\"hi\"\nend\n```\n";
        let file = SourceFile::from_str("doc.lm.md", text, SourceKind::Markdown);
        let at = text.find("end\n```").unwrap();
        let diag = Diagnostic::error(codes::UNEXPECTED_TOKEN, "expected `)`, found `end`", Span::new(at, at + 3))
            .with_label("expected `)`");
        let out = render_text(&diag, &file, false);
        assert!(out.contains("--> doc.lm.md:8:1"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn text_odd_spans_do_not_panic() {
        let texts = ["", "x", "x\n", "ab\ncd", "é\n✓", "\n\n\n"];
        for text in texts {
            let file = raw(text);
            let len = text.len() as u32;
            let spans = [
                Span::new(0, 0),
                Span { start: len, end: len },
                Span { start: len + 5, end: len + 9 },
                Span { start: 1, end: 0 },
                Span { start: 0, end: len + 3 },
                Span { start: 1, end: 2 },
                Span { start: u32::MAX, end: u32::MAX },
            ];
            for span in spans {
                for secondary in spans {
                    let diag = Diagnostic::error(codes::UNEXPECTED_TOKEN, "odd", span)
                        .with_label("here")
                        .with_secondary(secondary, "and here");
                    let out = render_text(&diag, &file, true);
                    assert!(out.contains("odd"));
                    let json: serde_json::Value = serde_json::from_str(&render_json(&diag, &file)).unwrap();
                    assert!(json["line"].as_u64().unwrap() >= 1);
                }
            }
        }
    }

    #[test]
    fn text_span_at_end_of_file_and_on_newline() {
        let file = raw("cell main()\n  print(1)\n");
        let eof = file.text.len();
        let diag = Diagnostic::error(codes::MISSING_END, "expected `end`, found end of file", Span::new(eof, eof))
            .with_label("expected `end`")
            .with_secondary(Span::new(0, 4), "this cell is not closed");
        insta::assert_snapshot!("eof", render_text(&diag, &file, false));
        let newline = file.text.find('\n').unwrap();
        let diag =
            Diagnostic::error(codes::UNEXPECTED_TOKEN, "unexpected end of line", Span::new(newline, newline + 1))
                .with_label("here");
        insta::assert_snapshot!("newline", render_text(&diag, &file, false));
    }

    #[test]
    fn text_long_multiline_label_is_cut() {
        let mut text = String::from("cell f()\n");
        for i in 0..5000 {
            text.push_str(&format!("  print({i})\n"));
        }
        text.push_str("end\n");
        let file = raw(&text);
        let diag = Diagnostic::error(codes::DECL_SPANS_BLOCKS, "too long", Span::new(0, text.len()));
        let out = render_text(&diag, &file, false);
        assert!(out.lines().count() < 12, "{out}");
        assert!(out.contains("--> src/area.lm:1:1"), "{out}");
    }

    #[test]
    fn text_color_uses_ansi_escapes() {
        let file = raw("let x = \n");
        let diag = Diagnostic::error(codes::EXPECTED_EXPRESSION, "expected an expression", Span::new(8, 8));
        assert!(render_text(&diag, &file, true).contains("\u{1b}["));
        assert!(!render_text(&diag, &file, false).contains('\u{1b}'));
    }

    #[test]
    fn json_has_the_required_keys() {
        let file = raw(&format!("# areas\n{AREA}"));
        let diag = Diagnostic::error("E0102", "undefined variable `widht`", span_of(&file, "widht"))
            .with_label("not found in this scope")
            .with_help("a variable with a similar name exists: `width`");
        let line = render_json(&diag, &file);
        assert!(!line.contains('\n'));
        assert_eq!(
            line,
            r#"{"code":"E0102","severity":"error","message":"undefined variable `widht`","file":"src/area.lm","line":4,"col":9,"end_line":4,"end_col":14,"help":["a variable with a similar name exists: `width`"]}"#
        );
    }

    #[test]
    fn json_columns_count_scalar_values() {
        let file = raw("let s = \"é✓🎉\" + nope\n");
        let diag = Diagnostic::warning(codes::UNKNOWN_DIRECTIVE, "x\ny \"q\"", span_of(&file, "nope"));
        let value: serde_json::Value = serde_json::from_str(&render_json(&diag, &file)).unwrap();
        assert_eq!(value["severity"], "warning");
        assert_eq!(value["code"], "W0002");
        assert_eq!(value["message"], "x\ny \"q\"");
        assert_eq!((value["line"].as_u64(), value["col"].as_u64()), (Some(1), Some(17)));
        assert_eq!((value["end_line"].as_u64(), value["end_col"].as_u64()), (Some(1), Some(21)));
        assert_eq!(value["help"], serde_json::json!([]));
    }

    proptest::proptest! {
        /// Any text (markdown-ish, multi-byte, odd line endings) and any spans: building the file
        /// and rendering never panic, and the markdown extraction keeps offsets.
        #[test]
        fn never_panics(
            text in "([a-z@ >`~\\-]|\n|\r|é|✓|🎉|```lumen\n|~~~lm\n|```\n){0,60}",
            spans in proptest::collection::vec((0u32..80, 0u32..80), 1..4),
            markdown: bool,
        ) {
            let kind = if markdown { SourceKind::Markdown } else { SourceKind::Raw };
            let file = SourceFile::from_str("p.lm.md", &text, kind);
            proptest::prop_assert_eq!(file.code.len(), file.text.len());
            let mut diag = Diagnostic::error(codes::UNEXPECTED_TOKEN, "m", Span { start: spans[0].0, end: spans[0].1 })
                .with_label("primary")
                .with_help("h");
            for &(start, end) in &spans[1..] {
                diag = diag.with_secondary(Span { start, end }, "secondary");
            }
            let plain = render_text(&diag, &file, false);
            proptest::prop_assert!(plain.starts_with("error[E0100]: m"));
            let _ = render_text(&diag, &file, true);
            let json: serde_json::Value = serde_json::from_str(&render_json(&diag, &file)).unwrap();
            proptest::prop_assert!(json["line"].as_u64().unwrap() as usize <= file.line_count());
        }
    }

    #[test]
    fn summary_counts() {
        assert_eq!(summary_line(0, 0), "no errors");
        assert_eq!(summary_line(1, 0), "1 error");
        assert_eq!(summary_line(2, 1), "2 errors, 1 warning");
        assert_eq!(summary_line(0, 3), "3 warnings");
    }
}
