//! Formats every program of the project corpus (`tests/corpus`) and of the shared conformance
//! corpus, and checks that (a) the result parses without errors, (b) it has the same AST as the
//! original (spans ignored), (c) formatting it again changes nothing, and (d) every comment
//! survives. Files with syntax errors are skipped (they must be reported, not formatted).

use std::path::{Path, PathBuf};

use lumen_fmt::verify::{module_fingerprint, trivia_texts};
use lumen_fmt::{FormatError, format_file, format_file_counted};
use lumen_syntax::SourceFile;

const PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance");

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if SourceFile::kind_for_path(&path.to_string_lossy()).is_some() {
            out.push(path);
        }
    }
}

/// The AST of a whole file (all fences of a markdown file), spans removed.
fn fingerprint(file: &SourceFile) -> String {
    module_fingerprint(&lumen_syntax::parse_file(file).module)
}

/// Comments and markdown blocks of a file, in order.
fn comments(file: &SourceFile) -> Vec<String> {
    let lexed = lumen_syntax::lexer::lex(&file.code);
    trivia_texts(&file.code, &lexed).into_iter().map(|(_, t)| t).collect()
}

/// Checks one file; `Ok(None)` when it was skipped for syntax errors, else whether it was
/// already formatted and how many items were kept as written.
fn check_file(path: &Path) -> Result<Option<(bool, usize)>, String> {
    let name = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    let Ok(file) = SourceFile::new(name.clone(), bytes) else { return Ok(None) };
    let (once, kept) = match format_file_counted(&file) {
        Ok(result) => result,
        Err(FormatError::Syntax(_)) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let formatted = SourceFile::from_str(name.clone(), &once, file.kind);
    let reparsed = lumen_syntax::parse_file(&formatted);
    if reparsed.has_errors() {
        let first = reparsed.diagnostics.iter().find(|d| d.is_error()).map(|d| d.message.clone());
        return Err(format!("{name}: formatted text does not parse: {first:?}\n{once}"));
    }
    if fingerprint(&file) != fingerprint(&formatted) {
        return Err(format!("{name}: the AST changed\n{once}"));
    }
    if comments(&file) != comments(&formatted) {
        return Err(format!("{name}: comments changed\n{once}"));
    }
    let twice = format_file(&formatted).map_err(|e| format!("{name}: second pass: {e}"))?;
    if twice != once {
        return Err(format!("{name}: not idempotent\n--- first\n{once}\n--- second\n{twice}"));
    }
    if kept > 0 {
        eprintln!("{name}: {kept} item(s) kept as written");
    }
    Ok(Some((once == file.text, kept)))
}

#[test]
fn corpus_formats_idempotently_and_keeps_the_ast() {
    let mut paths = Vec::new();
    collect(Path::new(PROJECT), &mut paths);
    let project = paths.len();
    collect(Path::new(CONFORMANCE), &mut paths);
    assert!(project >= 300, "only {project} project corpus files found under {PROJECT}");
    assert!(paths.len() >= project + 150, "conformance corpus missing under {CONFORMANCE}");
    let mut formatted = 0;
    let mut skipped = 0;
    let mut unchanged = 0;
    let mut kept_items = 0;
    let mut failures = Vec::new();
    for path in &paths {
        match check_file(path) {
            Ok(Some((same, kept))) => {
                formatted += 1;
                unchanged += usize::from(same);
                kept_items += kept;
            }
            Ok(None) => skipped += 1,
            Err(e) => failures.push(e),
        }
    }
    eprintln!(
        "lumen fmt corpus: {} files, {formatted} formatted idempotently with the same AST \
         ({unchanged} already in canonical form, {kept_items} top-level items kept as written), \
         {skipped} skipped (syntax errors), {} failed",
        paths.len(),
        failures.len()
    );
    assert_eq!(kept_items, 0, "every item of the corpus should get the canonical layout");
    assert!(failures.is_empty(), "{} file(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}
