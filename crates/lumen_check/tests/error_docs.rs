//! Every checker code documented in `docs/errors.md` (`E03xx`, `W030x`) has an example there, and
//! checking that example reports the code.

use lumen_check::{ModuleInput, check_program};

const DOCS: &str = include_str!("../../../docs/errors.md");

/// (code, example source) for each `### E03NN: ...` / `### W03NN: ...` section.
fn examples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_block = false;
    let mut block = String::new();
    for line in DOCS.lines() {
        if let Some(rest) = line.strip_prefix("### ") {
            let code = rest.split(':').next().unwrap_or("").trim().to_string();
            current = (code.starts_with("E03") || code.starts_with("W03")).then_some(code);
            continue;
        }
        let Some(code) = &current else { continue };
        if !in_block && line.trim() == "```lumen" {
            in_block = true;
            block.clear();
        } else if in_block && line.trim() == "```" {
            in_block = false;
            out.push((code.clone(), block.clone()));
            current = None;
        } else if in_block {
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

#[test]
fn documented_examples_report_their_codes() {
    let examples = examples();
    assert!(examples.len() >= 30, "only {} checker examples found in docs/errors.md", examples.len());
    let mut failures = Vec::new();
    for (code, src) in &examples {
        let parsed = lumen_syntax::parse_code(src);
        if let Some(d) = parsed.diagnostics.iter().find(|d| d.is_error()) {
            failures.push(format!("{code}: the example does not parse: {}", d.message));
            continue;
        }
        let found = check_program(&[ModuleInput { name: "", module: &parsed.module }]).remove(0);
        if !found.iter().any(|d| d.code == code) {
            let got: Vec<String> = found.iter().map(|d| format!("{} {}", d.code, d.message)).collect();
            failures.push(format!("{code}: the example reports {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
