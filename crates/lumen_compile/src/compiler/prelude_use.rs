//! The part of the prelude a program uses.
//!
//! Parsing the whole prelude took about half of a hello-world run's instructions. A program
//! gets the declarations whose names its sources mention (as words), those that the constructs
//! it uses call behind the scenes, and everything those reach in turn. The selected source keeps
//! the full prelude's byte offsets (left-out declarations become blanks), so spans and line
//! numbers in `<prelude>` are the same whatever the selection. A compile that fails is retried
//! with the whole prelude, so diagnostics never depend on the selection.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use lumen_syntax::ast::Module;

/// One top-level declaration of the prelude source.
struct Unit {
    name: &'static str,
    range: Range<usize>,
    /// Other units its text mentions.
    uses: Vec<usize>,
}

/// A parsed selection of the prelude.
pub(crate) struct Prelude {
    pub source: String,
    pub module: Module,
    /// Whether every declaration is in.
    pub complete: bool,
}

/// Declarations that the compiler calls for constructs, not by a name the program writes.
/// `Message` is always in: role blocks build it.
const TRIGGERS: &[(&str, &[&str])] = &[
    ("vote", &["__await_vote"]),
    ("~>", &["__compose", "__insert_first"]),
    ("memory", &["__memory_"]),
    ("machine", &["__machine_"]),
    ("pipeline", &["__pipeline_"]),
    ("orchestration", &["__orchestration_"]),
];

pub(crate) fn full_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| format!("{}{}", crate::prelude::SOURCE, crate::prelude::PROCESS_SOURCE))
}

fn units() -> &'static [Unit] {
    static UNITS: OnceLock<Vec<Unit>> = OnceLock::new();
    UNITS.get_or_init(|| split_units(full_source()))
}

/// Splits the source at each column-0 declaration line (`cell`, `async cell`, `record`, `enum`).
fn split_units(source: &'static str) -> Vec<Unit> {
    let mut starts: Vec<(usize, &'static str)> = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let rest = ["async cell ", "cell ", "record ", "enum "].iter().find_map(|kw| line.strip_prefix(kw));
        if let Some(rest) = rest {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            starts.push((offset, &rest[..end]));
        }
        offset += line.len();
    }
    let mut units: Vec<Unit> = starts
        .iter()
        .enumerate()
        .map(|(i, &(start, name))| {
            let end = starts.get(i + 1).map_or(source.len(), |s| s.0);
            // The first unit also owns any text before it (comments, blank lines).
            let start = if i == 0 { 0 } else { start };
            Unit { name, range: start..end, uses: Vec::new() }
        })
        .collect();
    let index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.name, i)).collect();
    for unit in &mut units {
        let text = &source[unit.range.clone()];
        let mut uses: Vec<usize> = words(text).filter_map(|w| index.get(w).copied()).collect();
        uses.sort_unstable();
        uses.dedup();
        unit.uses = uses;
    }
    units
}

/// The identifier-like words of `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// The prelude for a program made of `sources`.
pub(crate) fn for_sources(sources: &[&str]) -> &'static Prelude {
    let units = units();
    let mut wanted = vec![false; units.len()];
    let mut mentioned: HashSet<&str> = HashSet::new();
    for source in sources {
        mentioned.extend(words(source));
    }
    let present = |trigger: &str| {
        if trigger.starts_with(char::is_alphabetic) {
            mentioned.contains(trigger)
        } else {
            sources.iter().any(|s| s.contains(trigger))
        }
    };
    let mut stack: Vec<usize> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let triggered = unit.name == "Message"
            || TRIGGERS
                .iter()
                .any(|(trigger, prefixes)| prefixes.iter().any(|p| unit.name.starts_with(p)) && present(trigger));
        if triggered || mentioned.contains(unit.name) {
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut wanted[i], true) {
            stack.extend(units[i].uses.iter().copied().filter(|&u| !wanted[u]));
        }
    }
    selection(&wanted)
}

/// The whole prelude (for retrying a failed compile).
pub(crate) fn complete() -> &'static Prelude {
    selection(&vec![true; units().len()])
}

/// Parses a selection once; selections are few (they change only with the prelude names a
/// program mentions), so each parsed one is kept for the rest of the process.
fn selection(wanted: &[bool]) -> &'static Prelude {
    static PARSED: OnceLock<Mutex<HashMap<Vec<bool>, &'static Prelude>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(Default::default);
    if let Some(p) = parsed.lock().unwrap_or_else(|e| e.into_inner()).get(wanted) {
        return p;
    }
    let full = full_source();
    let mut source = String::with_capacity(full.len());
    for (unit, &keep) in units().iter().zip(wanted) {
        let text = &full[unit.range.clone()];
        if keep {
            source.push_str(text);
        } else {
            // Same length, same line breaks: offsets after it stay valid.
            source.extend(text.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        }
    }
    let module = lumen_syntax::parse_code(&source).module;
    let prelude: &'static Prelude =
        Box::leak(Box::new(Prelude { source, module, complete: wanted.iter().all(|&w| w) }));
    parsed.lock().unwrap_or_else(|e| e.into_inner()).insert(wanted.to_vec(), prelude);
    prelude
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Prelude) -> Vec<String> {
        p.module
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                lumen_syntax::ast::ItemKind::Cell(c) => Some(c.name.name.clone()),
                lumen_syntax::ast::ItemKind::Record(r) => Some(r.name.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_declaration_is_a_unit() {
        let units = units();
        let parsed = lumen_syntax::parse_code(full_source()).module;
        assert_eq!(units.len(), parsed.items.len());
        assert!(units.iter().any(|u| u.name == "map"));
        assert!(units.iter().any(|u| u.name == "timeout"));
        assert_eq!(units.last().map(|u| u.range.end), Some(full_source().len()));
    }

    #[test]
    fn selection_keeps_offsets_and_follows_uses() {
        let p = for_sources(&["cell main()\n  print(fold([1, 2], fn(a, b) => a + b, 0))\nend\n"]);
        assert_eq!(p.source.len(), full_source().len());
        let names = names(p);
        // `fold` calls `reduce`; `Message` is always in; `map` is not mentioned.
        assert!(names.contains(&"fold".to_string()), "{names:?}");
        assert!(names.contains(&"reduce".to_string()), "{names:?}");
        assert!(names.contains(&"Message".to_string()), "{names:?}");
        assert!(!names.contains(&"map".to_string()), "{names:?}");
        assert!(!p.complete);
    }

    #[test]
    fn constructs_pull_in_their_helpers() {
        let p = for_sources(&["let f = g ~> h(1)\n"]);
        let names = names(p);
        assert!(names.contains(&"__compose".to_string()) && names.contains(&"__insert_first".to_string()));
        let names = self::names(for_sources(&["memory Notes\nend\n"]));
        assert!(names.iter().any(|n| n == "__memory_append"), "{names:?}");
        assert!(!names.iter().any(|n| n == "__machine_step"), "{names:?}");
    }

    #[test]
    fn complete_has_everything() {
        let p = complete();
        assert!(p.complete);
        assert_eq!(names(p).len(), units().len());
    }
}
