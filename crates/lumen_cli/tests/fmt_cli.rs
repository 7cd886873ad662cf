//! End-to-end tests of `lumen fmt`: in-place rewriting, `--check`, directories, standard input,
//! syntax errors and exit statuses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const MESSY: &str = "cell main( )\n    let x=1+2   # sum\n    print( x )\nend\n";
const TIDY: &str = "cell main()\n  let x = 1 + 2 # sum\n  print(x)\nend\n";
const BROKEN: &str = "cell main()\n  let = 5\nend\n";

fn lumen(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the lumen binary runs")
}

fn lumen_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lumen binary starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("the lumen binary runs")
}

/// A fresh directory under cargo's test scratch space.
fn scratch() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fmt-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("parent directory");
    }
    std::fs::write(&path, text).expect("scratch file");
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("readable")
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn formats_a_file_in_place() {
    let dir = scratch();
    let path = write(&dir, "a.lm", MESSY);
    let out = lumen(&["fmt", "a.lm"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&path), TIDY);
    assert!(out.stdout.is_empty());
}

#[test]
fn unchanged_files_are_not_written() {
    let dir = scratch();
    let path = write(&dir, "tidy.lm", TIDY);
    let before = modified(&path);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = lumen(&["fmt", "tidy.lm"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(modified(&path), before, "a formatted file must not be rewritten");
}

#[test]
fn check_lists_files_that_would_change_and_writes_nothing() {
    let dir = scratch();
    let messy = write(&dir, "messy.lm", MESSY);
    write(&dir, "tidy.lm", TIDY);
    let out = lumen(&["fmt", "--check", "messy.lm", "tidy.lm"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).trim(), "messy.lm");
    assert_eq!(read(&messy), MESSY, "--check must not write");
    let out = lumen(&["fmt", "--check", "tidy.lm"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn directories_are_searched_recursively() {
    let dir = scratch();
    let a = write(&dir, "src/a.lm", MESSY);
    let b = write(&dir, "src/deep/b.lumen", MESSY);
    let md = write(&dir, "src/doc.lm.md", &format!("# Doc\n\nText  \n\n```lumen\n{MESSY}```\n"));
    let other = write(&dir, "src/notes.md", MESSY);
    let hidden = write(&dir, ".hidden/c.lm", MESSY);
    let out = lumen(&["fmt", "--check"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(&out.stdout);
    for name in ["a.lm", "b.lumen", "doc.lm.md"] {
        assert!(listed.contains(name), "{name} missing from {listed}");
    }
    assert!(!listed.contains("notes.md") && !listed.contains(".hidden"), "{listed}");
    let out = lumen(&["fmt", "src"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&a), TIDY);
    assert_eq!(read(&b), TIDY);
    assert_eq!(read(&md), format!("# Doc\n\nText  \n\n```lumen\n{TIDY}```\n"));
    assert_eq!(read(&other), MESSY);
    assert_eq!(read(&hidden), MESSY);
    assert_eq!(lumen(&["fmt", "--check", "src"], &dir).status.code(), Some(0));
}

#[test]
fn syntax_errors_are_reported_and_the_file_is_left_alone() {
    let dir = scratch();
    let broken = write(&dir, "broken.lm", BROKEN);
    let good = write(&dir, "good.lm", MESSY);
    let out = lumen(&["fmt", "broken.lm", "good.lm"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[E") && stderr.contains("broken.lm:2"), "{stderr}");
    assert_eq!(read(&broken), BROKEN);
    assert_eq!(read(&good), TIDY, "other files are still formatted");
}

#[test]
fn stdin_to_stdout() {
    for args in [&["fmt", "-"][..], &["fmt", "--stdin"][..]] {
        let out = lumen_stdin(args, MESSY);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), TIDY);
    }
    let md = "Prose.\n\n```lm\nlet   x=1\n```\n";
    let out = lumen_stdin(&["fmt", "--stdin", "--stdin-name", "x.lm.md"], md);
    assert_eq!(text(&out.stdout), "Prose.\n\n```lm\nlet x = 1\n```\n");
    let out = lumen_stdin(&["fmt", "-"], BROKEN);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("error["));
    let out = lumen_stdin(&["fmt", "--stdin", "--check"], MESSY);
    assert_eq!(out.status.code(), Some(1));
    let out = lumen_stdin(&["fmt", "--stdin", "--check"], TIDY);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn crlf_and_bom_are_kept() {
    let dir = scratch();
    let crlf = MESSY.replace('\n', "\r\n");
    let path = dir.join("w.lm");
    std::fs::write(&path, format!("\u{feff}{crlf}")).expect("write");
    let out = lumen(&["fmt", "w.lm"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&path), format!("\u{feff}{}", TIDY.replace('\n', "\r\n")));
}

#[test]
fn missing_paths_and_bad_usage() {
    let dir = scratch();
    let out = lumen(&["fmt", "nope.lm"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nope.lm"));
    write(&dir, "a.lm", TIDY);
    assert_eq!(lumen(&["fmt", "-", "a.lm"], &dir).status.code(), Some(2));
    assert_eq!(lumen(&["fmt", "--no-such-flag"], &dir).status.code(), Some(2));
}

#[test]
fn invalid_utf8_is_reported() {
    let dir = scratch();
    let path = dir.join("bad.lm");
    std::fs::write(&path, b"let x = \"\xff\"\n").expect("write");
    let out = lumen(&["fmt", "bad.lm"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("UTF-8"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&path).expect("read"), b"let x = \"\xff\"\n");
}
