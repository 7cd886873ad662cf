//! Every program of the conformance corpus parses without errors, except
//! `compile_errors/missing_end.lm`, which must report E0101 (missing `end`).

use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance");

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("read conformance dir").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.to_string_lossy().ends_with(".lm") || path.to_string_lossy().ends_with(".lm.md") {
            out.push(path);
        }
    }
}

/// The Lumen code of a markdown file: lines inside ```` ```lumen ```` (or ```` ```lm ````) fences
/// kept, every other line blanked, so that line numbers stay those of the file.
fn lumen_blocks(text: &str) -> String {
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if inside && trimmed.starts_with("```") {
            inside = false;
        } else if inside {
            out.push_str(line);
        } else if let Some(info) = trimmed.strip_prefix("```") {
            let word = info.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            inside = word == "lumen" || word == "lm";
        }
        out.push('\n');
    }
    out
}

#[test]
fn every_conformance_program_parses() {
    let mut paths = Vec::new();
    files(Path::new(ROOT), &mut paths);
    assert!(paths.len() >= 150, "only {} conformance programs found under {ROOT}", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("conformance files are UTF-8");
        let code = if name.ends_with(".lm.md") { lumen_blocks(&text) } else { text };
        let out = lumen_syntax::parse_code(&code);
        let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
        if name.ends_with("compile_errors/missing_end.lm") {
            if !errors.iter().any(|d| d.code == "E0101") {
                failures.push(format!("{name}: expected E0101, got {errors:?}"));
            }
        } else if !errors.is_empty() {
            let list: Vec<_> = errors.iter().map(|d| format!("{} {}", d.code, d.message)).collect();
            failures.push(format!("{name}: {}", list.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} file(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn markdown_blanking_keeps_only_lumen_fences() {
    let md = "# T\n```lumen\nlet a = 1\n```\ntext\n```python\nx = 1\n```\n```LM\nlet b = 2\n```\n";
    assert_eq!(lumen_blocks(md), "\n\nlet a = 1\n\n\n\n\n\n\nlet b = 2\n\n");
}
