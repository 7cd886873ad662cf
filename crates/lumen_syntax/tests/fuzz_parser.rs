//! Robustness: the lexer and parser never panic, never hang and keep every span inside the input,
//! whatever they are given. Inputs are mutations of the conformance programs and random token
//! soup from a deterministic generator, so a failure reproduces from its iteration number.
//!
//! `LUMEN_FUZZ_ITERS` overrides the number of mutated inputs (default 100,000).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lumen_syntax::parse_code;

/// xorshift64*: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments that stress the lexer and parser: block keywords without `end`, brackets, string
/// and interpolation delimiters, markdown fences, layout characters and multi-byte text.
const FRAGMENTS: &[&str] = &[
    "end",
    "end\n",
    "cell f()\n",
    "cell",
    "record R\n",
    "enum E\n",
    "if x\n",
    "else\n",
    "match x\n",
    "when\n",
    "for x in xs\n",
    "while true\n",
    "loop\n",
    "handle\n",
    "with\n",
    "fn(x) =>",
    "fn(x)\n",
    "do\n",
    "->",
    "=>",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\"\"\"",
    "r\"",
    "b\"",
    "{x}",
    "{x:>8}",
    "\\",
    "\\\n",
    "\n",
    "\n  ",
    "  ",
    "\t",
    ";",
    ",",
    ".",
    "..",
    "...",
    "?.",
    "?[",
    "??",
    "!",
    "?",
    "@",
    "@strict",
    "#",
    "```",
    "```\n",
    "role user:",
    "role system:\n",
    "let",
    "let mut",
    "=",
    "==",
    "+",
    "-",
    "**",
    "|>",
    "~>",
    "not",
    "and",
    "or",
    "try",
    "else |e|",
    "await parallel\n",
    "perform E.op(",
    "resume(",
    "stages:\n",
    "-> a\n",
    "state S\n",
    "transition",
    "grant T",
    "use tool a.b as T",
    "import m: *",
    "0x",
    "1e",
    "1_",
    "9223372036854775808",
    "99999999999999999999",
    "1.5e999",
    "é",
    "日本",
    "🦀",
    "\u{0}",
    "`",
    "$",
    "ok(",
    "err(",
    "_",
    "|",
    "&",
    "^",
    "~",
    "<<",
    ">>=",
    "yield",
    "defer\n",
];

fn conformance_sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    collect(&examples, &mut files);
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.to_str().is_some_and(|p| p.ends_with(".lm") || p.ends_with(".lm.md")) {
            out.push(path);
        }
    }
}

/// Nearest char boundary at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, base: &str, corpus: &[String]) -> String {
    let mut text = base.to_string();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = text.len();
        let a = floor_boundary(&text, rng.below(len + 1));
        let b = floor_boundary(&text, a + rng.below(64));
        match rng.below(7) {
            0 => text.replace_range(a..b, ""),
            1 => {
                let fragment: &&str = rng.pick(FRAGMENTS);
                text.insert_str(a, fragment);
            }
            2 => {
                let piece = text[a..b].to_string();
                text.insert_str(a, &piece);
            }
            3 => {
                // Splice in a slice of another program.
                let other = rng.pick(corpus);
                let x = floor_boundary(other, rng.below(other.len() + 1));
                let y = floor_boundary(other, x + rng.below(200));
                text.insert_str(a, &other[x..y]);
            }
            4 => text.truncate(a),
            5 => {
                let c = char::from_u32(rng.below(0x2FF) as u32).unwrap_or('?');
                text.insert(a, c);
            }
            _ => {
                // Swap two lines.
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.len() > 1 {
                    let i = rng.below(lines.len());
                    let j = rng.below(lines.len());
                    lines.swap(i, j);
                }
                text = lines.join("\n");
            }
        }
    }
    text
}

fn token_soup(rng: &mut Rng) -> String {
    let n = rng.below(80);
    (0..n).map(|_| *rng.pick(FRAGMENTS)).collect::<Vec<_>>().join(if rng.below(2) == 0 { " " } else { "" })
}

fn check(input: &str) {
    let out = parse_code(input);
    for diag in &out.diagnostics {
        for label in &diag.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end as usize <= input.len(),
                "span {:?} outside input of {} bytes: {input:?}",
                label.span,
                input.len()
            );
        }
    }
}

#[test]
fn parser_survives_mutated_and_random_inputs() {
    let iterations: usize = std::env::var("LUMEN_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let corpus = conformance_sources();
    assert!(!corpus.is_empty(), "no conformance programs found");

    // A watchdog turns a hang into a failure that shows the input.
    let current = Arc::new(Mutex::new((0usize, String::new(), Instant::now())));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let current = Arc::clone(&current);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(500));
                let guard = current.lock().unwrap_or_else(|e| e.into_inner());
                if guard.2.elapsed() > Duration::from_secs(20) {
                    eprintln!("iteration {} did not finish in 20 s; input:\n{:?}", guard.0, guard.1);
                    std::process::exit(3);
                }
            }
        })
    };

    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let started = Instant::now();
    for i in 0..iterations {
        let input = if i % 10 == 9 {
            token_soup(&mut rng)
        } else {
            let base = rng.pick(&corpus).clone();
            mutate(&mut rng, &base, &corpus)
        };
        *current.lock().unwrap_or_else(|e| e.into_inner()) = (i, input.clone(), Instant::now());
        let result = std::panic::catch_unwind(|| check(&input));
        if result.is_err() {
            done.store(true, Ordering::Relaxed);
            panic!("parser panicked at iteration {i} on input:\n{input:?}");
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    eprintln!("fuzz: {iterations} inputs parsed without panic in {:.1?}", started.elapsed());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in ["(", "[", "{", "-", "not ", "fn() => ", "if x then "] {
        let input = format!("let x = {}1\n", open.repeat(100_000));
        let out = parse_code(&input);
        assert!(out.has_errors(), "expected an error for deep nesting of {open:?}");
    }
    let blocks = "if x\n".repeat(50_000);
    let out = parse_code(&format!("cell main()\n{blocks}end\n"));
    assert!(out.has_errors());
}
