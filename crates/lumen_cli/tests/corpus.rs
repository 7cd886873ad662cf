//! Runs the project's own corpus (`tests/corpus` at the workspace root) through the `lumen` binary,
//! exactly like the shared conformance runner (`shared/conformance/run`) does:
//!
//! - a case is an expectation file `NAME.out` or `NAME.err` with a source `NAME.lm` (or `NAME.lm.md`)
//!   beside it; commands run inside the case's directory with the file name as argument;
//! - `.out`: `lumen run` must exit 0 and its (normalized) stdout must equal the file exactly;
//! - `.err` whose first line is `compile-error`: `lumen check` must exit non-zero (not by a signal);
//! - `.err` whose first line is `runtime-error`: `lumen check` must exit 0 and `lumen run` must exit
//!   non-zero (not by a signal);
//! - further non-blank lines of a `.err` file are case-insensitive substrings that stdout + stderr of
//!   the failing command must contain;
//! - every command gets a timeout (10 s, `CONF_TIMEOUT` overrides it); a command that runs past it is
//!   killed and the case fails.
//!
//! The test fails listing every failing case with its reason, and requires at least 200 cases.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
const MIN_CASES: usize = 200;

struct Case {
    /// Path of the case relative to the corpus root, without the extension (`arithmetic/int_basic_ops`).
    label: String,
    /// The `.out` or `.err` file.
    expectation: PathBuf,
}

/// What one command did.
struct Outcome {
    /// `None` when the command timed out (and was killed).
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// The exit code, or `None` when the process was ended by a signal (or timed out).
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Killed by a signal, or an exit status above 128 (how a shell reports a signal).
    fn crashed(&self) -> bool {
        match self.status {
            None => false,
            Some(s) => match s.code() {
                None => true,
                Some(c) => c > 128,
            },
        }
    }

    fn combined(&self) -> String {
        strip_ansi(&format!("{}{}", self.stdout, self.stderr))
    }
}

fn timeout() -> Duration {
    let secs = std::env::var("CONF_TIMEOUT").ok().and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(10);
    Duration::from_secs(secs.max(1))
}

/// Runs `lumen SUBCOMMAND FILE` in `dir` with stdin closed, killing it after the timeout.
fn lumen(subcommand: &str, dir: &Path, file: &str) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lumen"))
        .arg(subcommand)
        .arg(file)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lumen binary starts");

    // Drain both pipes on their own threads so that a chatty child never blocks on a full pipe.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let deadline = Instant::now() + timeout();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for lumen failed: {e}"),
        }
    };

    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Outcome {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Removes ANSI colour / cursor escape sequences: ESC `[` then `[0-9;?]*` then one ASCII letter.
fn strip_ansi(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\x1b' && i + 1 < chars.len() && chars[i + 1] == '[' {
            let mut j = i + 2;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == ';' || chars[j] == '?') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_alphabetic() {
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Splits text into lines the way awk does: `\n` separates lines and a final newline does not start
/// another (empty) line.
fn awk_lines(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.split('\n').collect()
}

fn is_blank_or_tab(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `^[ \t]*WORD[ \t]`
fn starts_with_word(line: &str, word: &str) -> bool {
    let rest = line.trim_start_matches(is_blank_or_tab);
    match rest.strip_prefix(word) {
        Some(after) => after.starts_with(is_blank_or_tab),
        None => false,
    }
}

/// `^[^A-Za-z0-9]*Finished in [0-9]`
fn is_finished_line(line: &str) -> bool {
    let rest = line.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    match rest.strip_prefix("Finished in ") {
        Some(after) => after.starts_with(|c: char| c.is_ascii_digit()),
        None => false,
    }
}

/// Normalizes the stdout of `lumen run` like the conformance runner: drops ANSI escapes and the status
/// wrapper some implementations print around program output (a leading `Compiling FILE` / `Running
/// CELL` pair; a trailing empty line, display of main's return value and `✓ Finished in ...` line).
/// Every kept line is terminated by `\n`.
fn normalize_run_stdout(stdout: &str) -> String {
    let cleaned = strip_ansi(stdout);
    let lines = awk_lines(&cleaned);
    let mut first = 0usize;
    let mut last = lines.len(); // exclusive
    if first < last && starts_with_word(lines[first], "Compiling") {
        first += 1;
        if first < last && starts_with_word(lines[first], "Running") {
            first += 1;
        }
    }
    if first < last && is_finished_line(lines[last - 1]) {
        last -= 1;
        if first < last && starts_with_word(lines[last - 1], "trace:") {
            last -= 1;
        }
        if first < last {
            last -= 1; // displayed return value of main
        }
        if first < last && lines[last - 1].is_empty() {
            last -= 1;
        }
    }
    let mut out = String::new();
    for line in &lines[first..last.max(first)] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The first expected substring (lines 2.. of the `.err` file) missing from `output`, if any.
fn missing_substring(expectation: &str, output: &str) -> Option<String> {
    let haystack = output.to_lowercase();
    expectation
        .split('\n')
        .skip(1)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .find(|needle| !haystack.contains(&needle.to_lowercase()))
        .map(str::to_owned)
}

/// Indents a command's output for the failure report (at most 20 lines).
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for line in lines.iter().take(20) {
        out.push_str("\n      | ");
        out.push_str(line);
    }
    if lines.len() > 20 {
        out.push_str(&format!("\n      | ... ({} more lines)", lines.len() - 20));
    }
    out
}

/// Runs one case; `Err` carries the reason it failed.
fn run_case(case: &Case) -> Result<(), String> {
    let exp = &case.expectation;
    let base = exp.with_extension("");
    let (is_out, other) = match exp.extension().and_then(|e| e.to_str()) {
        Some("out") => (true, base.with_extension("err")),
        _ => (false, base.with_extension("out")),
    };
    let lm = base.with_extension("lm");
    let lm_md = base.with_extension("lm.md");
    let src = if lm.is_file() {
        lm
    } else if lm_md.is_file() {
        lm_md
    } else {
        return Err(format!("no source file ({}.lm or .lm.md)", base.file_name().unwrap().to_string_lossy()));
    };
    if other.is_file() {
        return Err("both .out and .err present".to_owned());
    }
    let dir = src.parent().expect("a case file has a directory");
    let file = src.file_name().expect("a case file has a name").to_string_lossy().into_owned();
    let expected = std::fs::read_to_string(exp).map_err(|e| format!("cannot read expectation: {e}"))?;
    let secs = timeout().as_secs();

    if is_out {
        let run = lumen("run", dir, &file);
        if run.timed_out() {
            return Err(format!("timed out after {secs}s"));
        }
        if run.code() != Some(0) {
            let how = match run.code() {
                Some(c) => format!("status {c}"),
                None => "a signal".to_owned(),
            };
            return Err(format!("run exited with {how} (expected 0){}", excerpt(&strip_ansi(&run.stderr))));
        }
        let actual = normalize_run_stdout(&run.stdout);
        if actual != expected {
            return Err(format!(
                "stdout differs from expected\n    --- expected{}\n    --- actual{}",
                excerpt(&expected),
                excerpt(&actual)
            ));
        }
        return Ok(());
    }

    let want: String = expected.split('\n').next().unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
    let failing = match want.as_str() {
        "compile-error" => {
            let check = lumen("check", dir, &file);
            if check.timed_out() {
                return Err(format!("check timed out after {secs}s"));
            }
            if check.crashed() {
                return Err("check crashed with a signal (expected a compile error)".to_owned());
            }
            if check.code() == Some(0) {
                return Err("check accepted the program (expected a compile error)".to_owned());
            }
            check
        }
        "runtime-error" => {
            let check = lumen("check", dir, &file);
            if check.timed_out() {
                return Err(format!("check timed out after {secs}s"));
            }
            if check.code() != Some(0) {
                return Err(format!("check rejected the program (expected it to pass){}", excerpt(&check.combined())));
            }
            let run = lumen("run", dir, &file);
            if run.timed_out() {
                return Err(format!("run timed out after {secs}s (expected a runtime error)"));
            }
            if run.crashed() {
                return Err("run crashed with a signal (expected a runtime error)".to_owned());
            }
            if run.code() == Some(0) {
                return Err("run exited with status 0 (expected a runtime error)".to_owned());
            }
            run
        }
        _ => return Err("bad expectation file: first line must be compile-error or runtime-error".to_owned()),
    };
    let output = failing.combined();
    if let Some(needle) = missing_substring(&expected, &output) {
        return Err(format!("error output lacks \"{needle}\"{}", excerpt(&output)));
    }
    Ok(())
}

/// Every `.out` / `.err` file under `dir`, recursively.
fn collect(dir: &Path, root: &Path, cases: &mut Vec<Case>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, root, cases);
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str());
        if ext == Some("out") || ext == Some("err") {
            let rel = path.strip_prefix(root).expect("under the corpus root").with_extension("");
            let label = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            cases.push(Case { label, expectation: path });
        }
    }
}

#[test]
fn corpus() {
    let root = PathBuf::from(CORPUS);
    let root = root.canonicalize().unwrap_or_else(|e| panic!("corpus directory {}: {e}", root.display()));
    let mut cases = Vec::new();
    collect(&root, &root, &mut cases);
    cases.sort_by(|a, b| a.expectation.cmp(&b.expectation));

    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(4).clamp(1, 8);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    if let Err(reason) = run_case(case) {
                        failures.lock().unwrap().push((i, format!("FAIL {}: {reason}", case.label)));
                    }
                }
            });
        }
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(i, _)| *i);
    let total = cases.len();
    let passed = total - failures.len();
    let mut report: Vec<String> = failures.into_iter().map(|(_, line)| line).collect();
    if total < MIN_CASES {
        report.push(format!("only {total} cases ran (at least {MIN_CASES} expected)"));
    }
    assert!(report.is_empty(), "corpus: {passed} passed, {} failed of {total}\n{}", total - passed, report.join("\n"));
    eprintln!("corpus: {passed} passed, 0 failed");
}
