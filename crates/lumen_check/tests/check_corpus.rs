//! The checker corpus (`tests/check` at the workspace root), compared with insta snapshots.
//!
//! - `valid/NAME.lm`: a correct program; the checker must report no error (warnings are allowed
//!   and snapshotted).
//! - `invalid/NAME.lm`: a program with at least one error; the snapshot holds every diagnostic as
//!   `severity[CODE] line:col: message` with its help lines.
//! - `modules/NAME/`: one program of several modules: `main.lm` imports the others, which are named
//!   by their file stems. Its expectation follows the directory's name (`valid_*` / `invalid_*`).
//!
//! Every case is checked even when an earlier one fails; the test then lists all failures.

use std::path::{Path, PathBuf};

use lumen_check::{ModuleInput, check_program};
use lumen_syntax::{Diagnostic, SourceFile};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/check");
const MIN_CASES: usize = 150;

struct Case {
    name: String,
    /// The entry module first.
    files: Vec<PathBuf>,
    expect_errors: bool,
}

fn lm_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    out.retain(|p| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        n.ends_with(".lm") || n.ends_with(".lm.md")
    });
    out.sort();
    out
}

fn cases() -> Vec<Case> {
    let root = Path::new(ROOT);
    let mut out = Vec::new();
    for (group, expect_errors) in [("valid", false), ("invalid", true)] {
        for f in lm_files(&root.join(group)) {
            let stem =
                f.file_name().and_then(|n| n.to_str()).unwrap_or("").trim_end_matches(".md").trim_end_matches(".lm");
            out.push(Case { name: format!("{group}__{stem}"), files: vec![f], expect_errors });
        }
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("modules"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    dirs.sort();
    for d in dirs {
        let name = d.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let mut files = lm_files(&d);
        files.sort_by_key(|f| !f.ends_with("main.lm"));
        out.push(Case { expect_errors: name.starts_with("invalid"), name: format!("modules__{name}"), files });
    }
    out
}

fn stem(path: &Path) -> String {
    let n = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    n.trim_end_matches(".md").trim_end_matches(".lm").to_string()
}

/// Checks one case; returns the rendered diagnostics and whether any is an error.
fn run(case: &Case) -> Result<(String, bool), String> {
    let mut sources = Vec::new();
    for f in &case.files {
        let bytes = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let label = f.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let file = SourceFile::new(label, bytes).map_err(|d| d.message)?;
        sources.push(file);
    }
    let parsed: Vec<_> = sources.iter().map(lumen_syntax::parse_file).collect();
    for (f, p) in sources.iter().zip(&parsed) {
        if let Some(d) = p.diagnostics.iter().find(|d| d.is_error()) {
            return Err(format!("{}: syntax error: {}", f.path, d.message));
        }
    }
    let names: Vec<String> =
        case.files.iter().enumerate().map(|(i, f)| if i == 0 { String::new() } else { stem(f) }).collect();
    let inputs: Vec<ModuleInput<'_>> =
        parsed.iter().zip(&names).map(|(p, n)| ModuleInput { name: n, module: &p.module }).collect();
    let results = check_program(&inputs);
    let mut text = String::new();
    let mut errors = false;
    for (file, diags) in sources.iter().zip(&results) {
        for d in diags {
            errors |= d.is_error();
            text.push_str(&render(file, d, sources.len() > 1));
        }
    }
    if text.is_empty() {
        text.push_str("ok: no diagnostics\n");
    }
    Ok((text, errors))
}

fn render(file: &SourceFile, d: &Diagnostic, with_file: bool) -> String {
    let (line, col) = file.line_col(d.primary_span().start);
    let severity = if d.is_error() { "error" } else { "warning" };
    let at = if with_file { format!("{}:{line}:{col}", file.path) } else { format!("{line}:{col}") };
    let mut out = format!("{severity}[{}] {at}: {}\n", d.code, d.message);
    for h in &d.help {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}

#[test]
fn check_corpus() {
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "the checker corpus has {} cases, at least {MIN_CASES} expected", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (text, errors) = match run(case) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", case.name));
                continue;
            }
        };
        if errors != case.expect_errors {
            let want = if case.expect_errors { "at least one error" } else { "no error" };
            failures.push(format!("{}: expected {want}, got:\n{text}", case.name));
        }
        let source = std::fs::read_to_string(&case.files[0]).unwrap_or_default();
        let name = case.name.clone();
        let outcome = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "snapshots",
                prepend_module_to_snapshot => false,
                description => source,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, text);
            });
        });
        if outcome.is_err() {
            failures.push(format!("{}: snapshot differs", case.name));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
