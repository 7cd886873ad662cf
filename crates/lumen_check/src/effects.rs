//! Effect rows (LANGUAGE.md 4.9): every cell's effects are inferred from what it performs and
//! calls; a cell that declares a row must stay inside it.

use std::collections::{BTreeSet, HashMap};

use lumen_syntax::Diagnostic;

use crate::builtins::EFFECT_KINDS;
use crate::codes;
use crate::decls::{CellId, Def, Program};
use crate::infer::Facts;

pub fn check(p: &Program<'_>, facts: &HashMap<CellId, Facts>, out: &mut [Vec<Diagnostic>]) {
    // Effects callers see: the declared row, or the inferred set (a fixpoint over calls).
    let mut visible: Vec<BTreeSet<String>> = p
        .cells
        .iter()
        .map(|c| c.effects.as_ref().map(|row| row.iter().cloned().collect()).unwrap_or_default())
        .collect();
    loop {
        let mut changed = false;
        for (c, f) in facts {
            if p.cells[*c].effects.is_some() {
                continue;
            }
            let mut set: BTreeSet<String> = f.direct.iter().map(|(e, _)| e.clone()).collect();
            for (callee, _, handled) in &f.calls {
                set.extend(visible[*callee].iter().filter(|e| !handled.contains(e)).cloned());
            }
            if set != visible[*c] {
                visible[*c] = set;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let tool_effects: BTreeSet<&str> = p.tools.iter().map(|t| t.effect.as_str()).collect();
    for (c, cell) in p.cells.iter().enumerate() {
        let Some(row) = &cell.effects else { continue };
        let module = cell.module;
        let strict = p.modules[module].strict;
        // Names that are no effect at all are probably typos.
        if let Some(written) = &cell.decl.effects {
            for e in &written.effects {
                let known = EFFECT_KINDS.contains(&e.name.as_str())
                    || tool_effects.contains(e.name.as_str())
                    || matches!(p.effect(module, &e.name), Some(Def::Effect(_) | Def::Unknown));
                if !known {
                    let mut d = Diagnostic::warning(
                        codes::UNKNOWN_EFFECT_NAME,
                        format!("`{}` in the effect row of `{}` is not an effect", e.name, cell.name()),
                        e.span,
                    )
                    .with_label("unknown effect");
                    let mut candidates: Vec<&str> = EFFECT_KINDS.to_vec();
                    candidates.extend(tool_effects.iter().copied());
                    candidates.extend(
                        p.modules[module]
                            .names
                            .iter()
                            .filter(|(_, d)| matches!(d, Def::Effect(_)))
                            .map(|(k, _)| k.as_str()),
                    );
                    if let Some(best) = crate::suggest::best(&e.name, candidates) {
                        d = d.with_help(format!("an effect with a similar name exists: `{best}`"));
                    }
                    out[module].push(d);
                }
            }
        }
        let Some(f) = facts.get(&c) else { continue };
        let mut reported: BTreeSet<String> = BTreeSet::new();
        let row_text = format!("/ {{{}}}", row.join(", "));
        let mut report = |effect: &str, d: Diagnostic, out: &mut [Vec<Diagnostic>]| {
            if reported.insert(effect.to_string()) {
                out[module].push(d);
            }
        };
        for (effect, span) in &f.direct {
            if row.contains(effect) {
                continue;
            }
            let d = violation(strict, cell.name(), effect, *span, &row_text)
                .with_label(format!("this has effect `{effect}`"));
            report(effect, d, out);
        }
        for (callee, span, handled) in &f.calls {
            for effect in &visible[*callee] {
                if row.contains(effect) || handled.contains(effect) {
                    continue;
                }
                let mut d = violation(strict, cell.name(), effect, *span, &row_text)
                    .with_label(format!("`{}` has effect `{effect}`", p.cells[*callee].name()));
                let chain = cause_chain(p, facts, &visible, *callee, effect);
                if chain.len() > 1 {
                    d = d.with_help(format!("the effect comes through {}", chain.join(" -> ")));
                }
                report(effect, d, out);
            }
        }
    }
}

/// How callee `c` gets `effect`: the cells along the calls, ending at the one that causes it
/// itself (`middle`, `helper`); bounded, so cycles end.
fn cause_chain(
    p: &Program<'_>,
    facts: &HashMap<CellId, Facts>,
    visible: &[BTreeSet<String>],
    c: CellId,
    effect: &str,
) -> Vec<String> {
    let mut chain = vec![format!("`{}`", p.cells[c].name())];
    let mut cur = c;
    for _ in 0..16 {
        if p.cells[cur].effects.is_some() {
            break;
        }
        let Some(f) = facts.get(&cur) else { break };
        if f.direct.iter().any(|(e, _)| e == effect) {
            break;
        }
        let Some((next, _, _)) =
            f.calls.iter().find(|(n, _, h)| visible[*n].contains(effect) && !h.iter().any(|x| x == effect))
        else {
            break;
        };
        if chain.len() > 1 && *next == c {
            break;
        }
        chain.push(format!("`{}`", p.cells[*next].name()));
        cur = *next;
    }
    chain
}

fn violation(strict: bool, cell: &str, effect: &str, span: lumen_syntax::Span, row: &str) -> Diagnostic {
    let msg = format!("cell `{cell}` has effect `{effect}`, which its row `{row}` does not allow");
    let d = if strict {
        Diagnostic::error(codes::UNDECLARED_EFFECT, msg, span)
    } else {
        Diagnostic::warning(codes::EFFECT_NOT_DECLARED, msg, span)
    };
    d.with_help(format!("add `{effect}` to the row of `{cell}`, or handle it with `handle ... with` inside the cell"))
}
