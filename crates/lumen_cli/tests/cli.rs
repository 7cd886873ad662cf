//! End-to-end tests of the `lumen` binary: exit statuses, diagnostics in text and JSON form.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const VALID: &str = "record Point\n  x: Int\n  y: Int\nend\n\ncell main()\n  let p = Point(x: 1, y: 2)\n  print(\"p = {p.x}, {p.y}\")\nend\n";

/// Two syntax errors on known lines: `let` without a pattern (line 2) and an unclosed call (line 3).
const BROKEN: &str = "cell main()\n  let = 5\n  print(\"hi\"\nend\n";

fn lumen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen")).args(args).env_remove("NO_COLOR").output().expect("the lumen binary runs")
}

/// Writes a file under a fresh directory of cargo's test scratch space.
fn write_temp(name: &str, contents: &[u8]) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version() {
    let out = lumen(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).trim(), format!("lumen {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_commands() {
    let out = lumen(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("check") && stdout.contains("run"), "{stdout}");
    let out = lumen(&["help", "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--format"));
}

#[test]
fn no_arguments_is_a_usage_error() {
    assert_eq!(lumen(&[]).status.code(), Some(2));
    assert_eq!(lumen(&["check"]).status.code(), Some(2));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let path = write_temp("ok.lm", VALID.as_bytes());
    let out = lumen(&["check", "--no-such-flag", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--no-such-flag"));
    let out = lumen(&["check", "--format", "yaml", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lumen(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn missing_file_exits_2() {
    let out = lumen(&["check", "definitely/not/here.lm"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("definitely/not/here.lm"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn valid_file_passes_silently() {
    let path = write_temp("ok.lm", VALID.as_bytes());
    let out = lumen(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn valid_markdown_file_passes() {
    let doc = format!(
        "# Title\n\nProse with `end` and (unbalanced brackets.\n\n```lumen\n{VALID}```\n\n```python\nprint(\n```\n"
    );
    let path = write_temp("doc.lm.md", doc.as_bytes());
    let out = lumen(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
}

#[test]
fn syntax_errors_exit_1_with_located_diagnostics() {
    let path = write_temp("broken.lm", BROKEN.as_bytes());
    let shown = path.to_str().unwrap();
    let out = lumen(&["check", "--color", "never", shown]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E01"), "{stderr}");
    assert!(stderr.contains(&format!("--> {shown}:2:")), "{stderr}");
    assert!(stderr.contains(&format!("could not check {shown}")), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour with --color never: {stderr}");
    // Sorted by position.
    let lines: Vec<u32> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .filter_map(|l| l.rsplit(':').nth(1)?.parse().ok())
        .collect();
    assert!(lines.len() >= 2, "{stderr}");
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn color_always_uses_ansi_escapes() {
    let path = write_temp("broken.lm", BROKEN.as_bytes());
    let out = lumen(&["check", "--color", "always", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains('\u{1b}'));
    // Not a terminal: `auto` means no colour.
    let out = lumen(&["check", path.to_str().unwrap()]);
    assert!(!text(&out.stderr).contains('\u{1b}'));
}

#[test]
fn json_format_one_object_per_line() {
    let path = write_temp("broken.lm", BROKEN.as_bytes());
    let shown = path.to_str().unwrap();
    let out = lumen(&["check", "--format", "json", shown]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 2, "{stdout}");
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        for key in ["code", "severity", "message", "file", "line", "col", "end_line", "end_col", "help"] {
            assert!(value.get(key).is_some(), "missing {key} in {line}");
        }
        assert_eq!(value["file"], shown);
        assert_eq!(value["severity"], "error");
        assert!(value["help"].is_array());
        assert!(value["line"].as_u64().is_some_and(|l| l >= 1));
    }
}

#[test]
fn json_format_valid_file_prints_nothing() {
    let path = write_temp("ok.lm", VALID.as_bytes());
    let out = lumen(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn markdown_errors_point_into_the_original_file() {
    let doc = "# Doc\n\nSome prose.\n\n```lumen\ncell main()\n  let = 1\nend\n```\n";
    let path = write_temp("doc.lm.md", doc.as_bytes());
    let out = lumen(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let first = text(&out.stdout).lines().next().map(str::to_owned).unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&first).expect("JSON line");
    assert_eq!(value["line"], 7, "{first}");
}

#[test]
fn invalid_utf8_is_a_compile_error() {
    let path = write_temp("bad.lm", b"cell main()\n  print(\"\xFF\")\nend\n");
    let out = lumen(&["check", "--color", "never", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0001") && stderr.contains(":2:10"), "{stderr}");
}

#[test]
fn several_files_worst_status_wins() {
    let ok = write_temp("ok.lm", VALID.as_bytes());
    let broken = write_temp("broken.lm", BROKEN.as_bytes());
    let out = lumen(&["check", ok.to_str().unwrap(), broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let out = lumen(&["check", broken.to_str().unwrap(), "missing.lm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("E01"), "the readable file is still checked");
}

#[test]
fn run_prints_only_program_output() {
    let path = write_temp("ok.lm", VALID.as_bytes());
    let out = lumen(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "p = 1, 2\n");
    assert!(out.stderr.is_empty());
    assert_eq!(lumen(&["run", "missing.lm"]).status.code(), Some(2));
}

#[test]
fn runtime_errors_show_the_lumen_stack() {
    let program =
        "cell inner(n: Int) -> Int\n  return 10 / n\nend\n\ncell main()\n  print(\"before\")\n  print(inner(0))\nend\n";
    let path = write_temp("fail.lm", program.as_bytes());
    let out = lumen(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "before\n");
    let err = text(&out.stderr);
    assert!(err.contains("error: division by zero"), "{err}");
    assert!(err.contains("at inner (") && err.contains("fail.lm:2)"), "{err}");
    assert!(err.contains("at main (") && err.contains("fail.lm:7)"), "{err}");
}

#[test]
fn run_passes_arguments_and_exit_codes() {
    let program = "cell main()\n  print(args())\n  exit(3)\nend\n";
    let path = write_temp("args.lm", program.as_bytes());
    let out = lumen(&["run", path.to_str().unwrap(), "--", "a", "b"]);
    assert_eq!(text(&out.stdout), "[\"a\", \"b\"]\n");
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn examples_check_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for example in ["examples/hello.lm", "examples/hello.lm.md"] {
        let path = root.join(example);
        let out = lumen(&["check", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", text(&out.stderr));
    }
}

#[test]
fn hostile_inputs_never_crash() {
    let inputs: [&[u8]; 6] = [
        b"",
        b"\xEF\xBB\xBF",
        b"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
        b"cell\r\ncell\rend end end \"\\",
        b"\x00\x01\x02 @@@ ``` ~~~",
        b"cell f(\n  \"{\"{\"{\"{\n",
    ];
    for (i, input) in inputs.iter().enumerate() {
        for name in ["x.lm", "x.lm.md"] {
            let path = write_temp(name, input);
            let out = lumen(&["check", path.to_str().unwrap()]);
            assert!(matches!(out.status.code(), Some(0 | 1)), "input {i} ({name}): {}", text(&out.stderr));
        }
    }
}
