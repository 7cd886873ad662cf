//! The layout does not depend on how the input was laid out: every corpus program, with its
//! spacing or its indentation disturbed, formats to exactly what the original formats to.

use std::path::{Path, PathBuf};

use lumen_fmt::format_source;
use lumen_syntax::SourceKind;
use lumen_syntax::lexer::lex;
use lumen_syntax::token::TokenKind;

const PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance");

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "lm") {
            out.push(path);
        }
    }
}

/// Two spaces in every gap between two tokens of one line, except next to `@` and `!` (package
/// paths and macro calls need their tokens adjacent).
fn widen_spaces(code: &str) -> String {
    let lexed = lex(code);
    let tokens: Vec<_> =
        lexed.tokens.iter().filter(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Eof)).collect();
    let mut out = String::new();
    let mut pos = 0;
    for pair in tokens.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let gap = &code[a.span.end as usize..b.span.start as usize];
        let sticky = [&a.kind, &b.kind].iter().any(|k| matches!(k, TokenKind::At | TokenKind::Bang));
        if gap.bytes().all(|c| c == b' ') && !sticky {
            out.push_str(&code[pos..a.span.end as usize]);
            out.push_str("  ");
            pos = b.span.start as usize;
        }
    }
    out.push_str(&code[pos..]);
    out
}

/// Every line's indentation doubled, except lines inside strings, role text and markdown blocks.
fn double_indent(code: &str) -> String {
    let lexed = lex(code);
    let protected = |pos: usize| {
        let pos = pos as u32;
        lexed.tokens.iter().any(|t| {
            matches!(t.kind, TokenKind::Str(_) | TokenKind::RawStr(_) | TokenKind::RoleText(_))
                && t.span.start < pos
                && pos < t.span.end
        }) || lexed.docs.iter().any(|d| d.span.start < pos && pos <= d.span.end)
    };
    let mut out = String::new();
    let mut start = 0;
    for line in code.split_inclusive('\n') {
        let spaces = line.bytes().take_while(|b| *b == b' ').count();
        if protected(start) || line.trim().is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&" ".repeat(spaces * 2));
            out.push_str(&line[spaces..]);
        }
        start += line.len();
    }
    out
}

#[test]
fn disturbed_layout_formats_the_same() {
    let mut paths = Vec::new();
    collect(Path::new(PROJECT), &mut paths);
    collect(Path::new(CONFORMANCE), &mut paths);
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &paths {
        let Ok(code) = std::fs::read_to_string(path) else { continue };
        let Ok(expected) = format_source(&code, SourceKind::Raw) else { continue };
        for (what, disturbed) in [("spaces", widen_spaces(&code)), ("indentation", double_indent(&code))] {
            if lumen_syntax::parse_code(&disturbed).has_errors() {
                failures.push(format!("{}: the {what} test input does not parse", path.display()));
                continue;
            }
            match format_source(&disturbed, SourceKind::Raw) {
                Ok(got) if got == expected => checked += 1,
                Ok(got) => {
                    failures.push(format!("{} ({what}):\n--- expected\n{expected}\n--- got\n{got}", path.display()))
                }
                Err(e) => failures.push(format!("{} ({what}): {e}", path.display())),
            }
        }
    }
    eprintln!("robustness: {checked} disturbed inputs formatted like their originals");
    assert!(checked > 600, "only {checked} inputs checked");
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n\n"));
}

/// Deep (but legal) nesting formats on an ordinary 2 MiB thread stack.
#[test]
fn deep_nesting_does_not_overflow() {
    let n = 120;
    let mut src = format!(
        "cell main()\n  let x = {}1{}\n  let y = {}{}\n",
        "(".repeat(n),
        ")".repeat(n),
        "[".repeat(n),
        "]".repeat(n)
    );
    for i in 0..60 {
        src.push_str(&format!("{}if x\n", "  ".repeat(i + 1)));
    }
    src.push_str(&format!("{}print(1)\n", "  ".repeat(61)));
    for i in (0..60).rev() {
        src.push_str(&format!("{}end\n", "  ".repeat(i + 1)));
    }
    src.push_str("end\n");
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let out = format_source(&src, SourceKind::Raw).expect("formats");
            let again = format_source(&out, SourceKind::Raw).expect("formats again");
            (out == again, out.contains(&format!("{}print(", "  ".repeat(61))))
        })
        .expect("thread starts");
    let (idempotent, indented) = handle.join().expect("no stack overflow");
    assert!(idempotent && indented);
}
