//! Snapshot tests of the diagnostics of malformed programs: one line `CODE line:col message` per
//! diagnostic (line and column 1-based, the column counted in characters), followed by its
//! secondary labels and help lines.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p lumen_syntax --test diagnostic_snapshots` and review the diff.

use lumen_syntax::{Diagnostic, parse_code};

/// 1-based line and column (in characters) of byte `offset` in `src`.
fn line_col(src: &str, offset: u32) -> (usize, usize) {
    let mut offset = (offset as usize).min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn render(src: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col) = line_col(src, d.primary_span().start);
        out.push_str(&format!("{} {line}:{col} {}\n", d.code, d.message));
        for label in d.labels.iter().filter(|l| !l.primary) {
            let (line, col) = line_col(src, label.span.start);
            out.push_str(&format!("  at {line}:{col}: {}\n", label.message));
        }
        for help in &d.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}

/// Parses `src`, requires at least one diagnostic, and snapshots their rendering.
fn diags(src: &str) -> (String, Vec<Diagnostic>) {
    let out = parse_code(src);
    assert!(!out.diagnostics.is_empty(), "expected diagnostics for\n{src}");
    (render(src, &out.diagnostics), out.diagnostics)
}

macro_rules! diag {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            let src: &str = $src;
            let (text, _) = diags(src);
            insta::with_settings!({ description => src, omit_expression => true }, {
                insta::assert_snapshot!(text);
            });
        }
    };
}

#[test]
fn missing_end_names_the_open_block() {
    let src = "cell main()\n  print(1)\n";
    let (text, ds) = diags(src);
    assert!(ds.iter().any(|d| d.code == "E0101"), "{text}");
    assert!(ds.iter().any(|d| d.help.iter().any(|h| h == "add `end` to close the `cell` opened at 1:1")), "{text}");
    insta::with_settings!({ description => src, omit_expression => true }, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn several_errors_in_one_file_are_all_reported() {
    let src =
        "let = 1\ncell f(x: Int, ...r: Int, y: Int) = 0\nlet y = ]\nf() = 2\nmatch v\n  [a, ...b, ...c] -> 0\nend\n";
    let (text, ds) = diags(src);
    assert!(ds.len() >= 3, "{text}");
    let codes: Vec<_> = ds.iter().map(|d| d.code).collect();
    for code in ["E0100", "E0110", "E0102", "E0106"] {
        assert!(codes.contains(&code), "{code} missing from\n{text}");
    }
    insta::with_settings!({ description => src, omit_expression => true }, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn braces_that_open_no_interpolation_are_text() {
    // LANGUAGE.md 2.5: `{` opens an interpolation only before a letter, digit, `_`, `(`, `[` or
    // `-`, so `{}` and `{ }` are literal braces, never an empty interpolation.
    let out = parse_code("let s = \"a {} b { } c {\"\n");
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
}

diag!(missing_end_of_inner_block, "cell main()\n  let n = 3\n  if n > 2\n    print(\"big\")\nend\n");
diag!(stray_end, "cell main()\nend\nend\n");
diag!(stray_end_after_one_line_body, "cell f() -> Int = 1\nend\n");
diag!(unclosed_paren, "let x = f(1, 2\nlet y = 3\n");
diag!(unclosed_paren_at_end_of_file, "let x = (1 +\n  2\n");
diag!(unclosed_bracket, "let xs = [1, 2\n");
diag!(wrong_closing_bracket, "let t = (1, 2]\n");
diag!(missing_arrow_in_match_arm, "match x\n  1 print(\"one\")\n  _ -> 0\nend\n");
diag!(bad_escape, "let s = \"bad \\q escape\"\n");
diag!(bad_escape_values, "let s = \"\\x80 \\u{D800} \\u{110000}\"\n");
diag!(unterminated_string, "let s = \"never closed\nlet t = 1\n");
diag!(unterminated_triple_quoted_string, "let s = \"\"\"\n  open\n");
diag!(integer_too_large, "let n = 9223372036854775808\nlet m = 0x8000_0000_0000_0000\n");
diag!(float_out_of_range, "let f = 1e400\n");
diag!(number_running_into_letters, "let n = 10abc\n");
diag!(invalid_number_forms, "let a = 0b2\nlet b = 0x\nlet c = 1e\n");
diag!(reserved_word_as_variable_name, "let match = 1\n");
diag!(invalid_assignment_target, "f() = 1\nx + 1 = 2\n");
diag!(invalid_compound_assignment_target, "(a, b) += 1\n");
diag!(positional_pattern_in_record_pattern, "match p\n  Point(x: 1, 2) -> 0\nend\n");
diag!(duplicate_rest_in_list_pattern, "match xs\n  [a, ...b, ...c] -> 0\nend\n");
diag!(variadic_parameter_not_last, "cell f(...xs: Int, y: Int) = 0\n");
diag!(missing_equals_in_let, "let x 1\n");
diag!(missing_type_after_colon, "let x: = 1\ncell f(a:) = 0\n");
diag!(unknown_character, "let price = $5\n");
diag!(unterminated_interpolation, "let s = \"a {x\"\n");
diag!(if_then_without_else, "let v = if a then 1\n");
diag!(unterminated_markdown_block, "```\nnever closed\n");
diag!(unterminated_role_text, "cell f()\n  role system:\n    text\n");
diag!(invalid_bytes_literal, "let b = b\"abc\"\nlet c = b\"zz\"\n");
diag!(invalid_directive_value, "@strict 1.5\n");
diag!(duplicate_directive_warns, "@strict true\n@strict false\n");
diag!(statement_in_agent_body, "agent A\n  let x = 1\nend\n");
diag!(pub_before_statement, "pub let x = 1\n");
diag!(missing_label_name, "loop\n  break @\nend\n");
diag!(missing_import_names, "import m:\n");
diag!(empty_match_arm_body, "match x\n  1 ->\n  _ -> 0\nend\n");
diag!(incomplete_binary_expression, "let x = 1 +\n");
diag!(nesting_too_deep, &format!("let x = {}1\n", "[".repeat(1000)));

diag!(chained_ranges, "cell main()\n  let r = 1..2..3\nend\n");
diag!(positional_after_named_argument, "cell main()\n  f(a: 1, 2)\nend\n");
diag!(label_written_before_loop, "cell main()\n  @outer for x in xs\n    print(x)\n  end\nend\n");

#[test]
fn empty_format_spec_is_no_spec() {
    let out = parse_code("cell main()\n  print(\"{x:}\")\nend\n");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}
