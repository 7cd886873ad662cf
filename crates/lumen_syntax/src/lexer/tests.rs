use super::lex;
use crate::token::{StrPart, TokenKind};

fn kinds(src: &str) -> Vec<TokenKind> {
    lex(src).tokens.into_iter().map(|t| t.kind).collect()
}

fn text(parts: &[StrPart]) -> String {
    parts.iter().map(|p| if let StrPart::Text(t) = p { t.as_str() } else { "<i>" }).collect()
}

#[test]
fn newlines_collapse_and_end_logical_lines() {
    let k = kinds("let x = 1\n\n# comment\n\nprint(x)\n");
    let newlines = k.iter().filter(|t| **t == TokenKind::Newline).count();
    assert_eq!(newlines, 2);
    assert_eq!(k.last(), Some(&TokenKind::Eof));
}

#[test]
fn backslash_continues_and_semicolon_separates() {
    let k = kinds("let x = 1 + \\\n  2; let y = 3\n");
    assert_eq!(k.iter().filter(|t| **t == TokenKind::Newline).count(), 2);
    assert!(!k.contains(&TokenKind::Semi));
}

#[test]
fn numbers_and_ranges() {
    assert_eq!(kinds("1..5")[..3], [TokenKind::Int(1), TokenKind::DotDot, TokenKind::Int(5)]);
    assert_eq!(
        kinds("0xff 0b1010 0o17 1_000")[..4],
        [TokenKind::Int(255), TokenKind::Int(10), TokenKind::Int(15), TokenKind::Int(1000)]
    );
    assert_eq!(kinds("2.5e-3")[0], TokenKind::Float(0.0025));
    assert_eq!(kinds("9223372036854775808")[0], TokenKind::Int(1 << 63));
    for bad in ["10abc", "1e", "0b2", "99999999999999999999", "1e999"] {
        assert!(!lex(bad).diagnostics.is_empty(), "{bad} should be an error");
    }
}

#[test]
fn strings_escapes_and_interpolation() {
    let out = lex(r#""a\tb {x:>8} {} {\"q\" \u{1F600}""#);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let TokenKind::Str(parts) = &out.tokens[0].kind else { panic!("not a string") };
    assert_eq!(text(parts), "a\tb <i> {} {\"q\" \u{1F600}");
    let interp = parts.iter().find_map(|p| match p {
        StrPart::Interp { tokens, spec, .. } => Some((tokens.clone(), spec.clone())),
        _ => None,
    });
    let (tokens, spec) = interp.expect("interpolation");
    assert_eq!(tokens[0].kind, TokenKind::Ident("x".into()));
    assert_eq!(spec.map(|s| s.text), Some(">8".to_string()));
    assert!(!lex(r#""bad \q""#).diagnostics.is_empty());
    assert!(!lex("\"open\nx").diagnostics.is_empty());
}

#[test]
fn nested_strings_in_interpolation() {
    let out = lex(r#""v={m["a"]}""#);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(out.tokens.len(), 3); // string, newline, eof
}

#[test]
fn triple_quoted_strings_strip_indentation() {
    let out = lex("let s = \"\"\"\n    one\n      two\n    \"\"\"\n");
    let TokenKind::Str(parts) = &out.tokens[3].kind else { panic!("not a string") };
    assert_eq!(text(parts), "one\n  two");
}

#[test]
fn raw_strings_and_bytes() {
    assert_eq!(kinds(r#"r"a\nb""#)[0], TokenKind::RawStr("a\\nb".into()));
    assert_eq!(kinds(r#"b"cafe""#)[0], TokenKind::Bytes(vec![0xca, 0xfe]));
    assert!(!lex(r#"b"abc""#).diagnostics.is_empty());
}

#[test]
fn markdown_blocks_become_docs() {
    let out = lex("```\nDocs: cell fake( -> !!\n```\ncell f() = 1\n");
    assert!(out.diagnostics.is_empty());
    assert_eq!(out.docs.len(), 1);
    assert_eq!(out.docs[0].text, "Docs: cell fake( -> !!\n");
    assert_eq!(out.tokens[out.docs[0].next_token].kind, TokenKind::Kw(crate::token::Keyword::Cell));
    assert!(!lex("```\nnever closed\n").diagnostics.is_empty());
}

#[test]
fn role_text_is_raw() {
    let out = lex("role system: You answer # briefly, {name}.\n");
    let role =
        out.tokens.iter().find_map(|t| if let TokenKind::RoleText(p) = &t.kind { Some(p.clone()) } else { None });
    assert_eq!(text(&role.expect("role text")), "You answer # briefly, <i>.");
    let block = lex("  role user:\n    line one\n      line two\n  end\nx\n");
    let role =
        block.tokens.iter().find_map(|t| if let TokenKind::RoleText(p) = &t.kind { Some(p.clone()) } else { None });
    assert_eq!(text(&role.expect("block role text")), "line one\n  line two");
}

#[test]
fn tokens_carry_line_indentation() {
    let out = lex("cell f()\n    return 1\nend\n");
    let ret = out.tokens.iter().find(|t| t.kind == TokenKind::Kw(crate::token::Keyword::Return)).expect("return");
    assert_eq!(ret.indent, 4);
}

#[test]
fn every_conformance_program_lexes_cleanly() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance"));
    let mut count = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "lm") {
                let src = std::fs::read_to_string(&path).expect("read");
                let out = lex(&src);
                assert!(out.diagnostics.is_empty(), "{}: {:?}", path.display(), out.diagnostics);
                count += 1;
            }
        }
    }
    assert!(count > 100, "only {count} programs found");
}
