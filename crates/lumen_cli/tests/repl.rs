//! `lumen repl` driven through a pipe with scripted sessions.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs a repl session on `script`; returns (stdout, stderr, exit status).
fn session(script: &str) -> (String, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(["repl", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lumen binary runs");
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script written");
    let out: Output = child.wait_with_output().expect("the repl finishes");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("repl-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(name)
}

#[test]
fn multi_line_cell_then_call() {
    let (out, err, status) = session("cell twice(n: Int) -> Int\n  let m = n * 2\n  return m\nend\ntwice(4)\n");
    assert_eq!(out, "8 : Int\n", "stderr: {err}");
    assert_eq!(status, Some(0));
    // No prompts on a pipe.
    assert!(!out.contains("lumen>") && !out.contains("....>"));
}

#[test]
fn expression_values_with_types() {
    let (out, err, _) = session("1 + 2\n\"hi\"\n[1, 2].map(fn(x) => x * 10)\nnull\nprint(\"printed\")\n2.5 * 2\n");
    assert_eq!(out, "3 : Int\nhi : String\n[10, 20] : list[Int]\nprinted\n5.0 : Float\n", "stderr: {err}");
}

#[test]
fn let_bindings_persist_and_output_is_not_repeated() {
    let script = "let x = 20\nprint(\"once\")\nlet mut total = x + 1\ntotal += 1\nprint(\"total\", total)\ntotal\n";
    let (out, err, _) = session(script);
    assert_eq!(out, "once\ntotal 22\n22 : Int\n", "stderr: {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn nondeterministic_values_stay_fixed() {
    let (out, _, _) = session("let r = random()\nr\nr\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], lines[1]);
    assert!(lines[0].ends_with(" : Float"), "{out}");
}

#[test]
fn side_effects_happen_once() {
    let path = scratch("log.txt");
    let shown = path.to_string_lossy().replace('\\', "/");
    let script = format!("append_file(\"{shown}\", \"a\")\nlet n = 1\nn + 1\nappend_file(\"{shown}\", \"b\")\nn\n");
    let (out, err, _) = session(&script);
    assert_eq!(out, "2 : Int\n1 : Int\n", "stderr: {err}");
    assert_eq!(std::fs::read_to_string(&path).expect("file written"), "ab");
}

#[test]
fn type_command() {
    let (out, err, _) = session(":type 1 + 2\nlet xs = [1.5]\n:type xs\n:type {\"a\": xs}\n:type\n");
    assert_eq!(out, "Int\nlist[Float]\nmap[String, list[Float]]\n", "stderr: {err}");
    assert!(err.contains("`:type` needs an expression"), "{err}");
}

#[test]
fn errors_do_not_end_the_session() {
    let script = "undefined_name + 1\nlet y = [1, 2][5]\ny\nlet = 3\n1 + 1\n";
    let (out, err, status) = session(script);
    assert_eq!(out, "2 : Int\n", "stderr: {err}");
    assert_eq!(status, Some(0));
    assert!(err.contains("error[E0200]: undefined variable `undefined_name`"), "{err}");
    assert!(err.contains("--> <repl 1>:1:1"), "{err}");
    assert!(err.contains("error: index out of range: 5 (length 2)\n  at <repl> (<repl 2>:1)"), "{err}");
    // The failed `let` was not kept.
    assert!(err.contains("undefined variable `y`"), "{err}");
    assert!(err.contains("error[E0100]"), "{err}");
}

#[test]
fn runtime_error_trace_points_into_inputs() {
    let script = "cell pick(xs: list[Int]) -> Int\n  return xs[9]\nend\npick([1])\n";
    let (_, err, _) = session(script);
    assert!(err.contains("  at pick (<repl 1>:2)\n  at <repl> (<repl 2>:1)"), "{err}");
}

#[test]
fn redeclaring_replaces() {
    let script = "cell f() -> Int = 1\nf()\ncell f() -> Int = 2\nf()\nrecord P\n  x: Int\nend\nrecord P\n  x: Int\n  y: Int\nend\nP(x: 1, y: 2)\n";
    let (out, err, _) = session(script);
    assert_eq!(out, "1 : Int\n2 : Int\nP(x: 1, y: 2) : P\n", "stderr: {err}");
}

#[test]
fn quit_ends_the_session() {
    let (out, _, status) = session("print(\"before\")\n:quit\nprint(\"after\")\n");
    assert_eq!(out, "before\n");
    assert_eq!(status, Some(0));
    let (out, _, status) = session("print(\"x\")\nexit(3)\nprint(\"after\")\n");
    assert_eq!(out, "x\n");
    assert_eq!(status, Some(3));
}

#[test]
fn load_and_reset() {
    let path = scratch("lib.lm");
    std::fs::write(&path, "cell greet(name: String) -> String = \"hello, {name}\"\nprint(\"loaded\")\n").expect("file");
    let script = format!(":load {}\ngreet(\"ada\")\n:reset\ngreet(\"bob\")\n", path.display());
    let (out, err, _) = session(&script);
    assert_eq!(out, "loaded\nhello, ada : String\n", "stderr: {err}");
    assert!(err.contains("undefined cell `greet`"), "{err}");
}

#[test]
fn help_and_unknown_commands() {
    let (out, err, _) = session(":help\n:bogus\n");
    for command in [":quit", ":type EXPR", ":load FILE", ":reset"] {
        assert!(out.contains(command), "{out}");
    }
    assert!(err.contains("unknown command `:bogus`"), "{err}");
}

#[test]
fn unfinished_input_at_end_is_reported() {
    let (out, err, status) = session("cell f() -> Int\n  return 1\n");
    assert_eq!(out, "");
    assert!(err.contains("missing `end`"), "{err}");
    assert_eq!(status, Some(0));
}

#[test]
fn blank_lines_inside_a_construct_continue_it() {
    let (out, err, _) = session("cell f() -> Int\n\n  return 7\nend\nf()\n");
    assert_eq!(out, "7 : Int\n", "stderr: {err}");
}

#[test]
fn top_level_control_flow_is_rejected() {
    let (out, err, _) = session("let a = 1\nreturn 5\na + 1\n");
    assert_eq!(out, "2 : Int\n", "stderr: {err}");
    assert!(err.contains("`return` at the top level of the repl"), "{err}");
}

#[test]
fn a_broken_earlier_input_is_dropped_after_a_redeclaration() {
    let script = "cell g() -> Int = 1\nlet a = g()\nlet b = 10\ncell g(x: Int) -> Int = x\nb + g(5)\na\n";
    let (out, err, _) = session(script);
    assert_eq!(out, "15 : Int\n", "stderr: {err}");
    assert!(err.contains("note: dropped `let a = g()` from <repl 2>: it no longer compiles"), "{err}");
    assert!(err.contains("undefined variable `a`"), "{err}");
}

#[test]
fn program_reads_stdin_lines_once() {
    let (out, err, _) = session("let name = read_line()\nada\nprint(\"hi\", name)\nname\n");
    assert_eq!(out, "hi ada\nada : String?\n", "stderr: {err}");
}
