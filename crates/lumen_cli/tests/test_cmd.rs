//! `lumen test` on the fixture directories under `tests/test_cmd/`: discovery, pass/fail rules,
//! failure messages, filter, skipping, doc tests in markdown, JUnit output, exit statuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `lumen test ARGS` from the repository root (so paths print as `tests/test_cmd/...`).
fn lumen_test(args: &[&str]) -> Output {
    lumen_test_in(&root(), args)
}

fn lumen_test_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen"))
        .arg("test")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the lumen binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `test ... STATUS` lines, in order.
fn test_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("test ")).collect()
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

#[test]
fn passing_tests_and_discovery() {
    let out = lumen_test(&["tests/test_cmd/pass"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        test_lines(&text),
        [
            "test tests/test_cmd/pass/math.lm::test_square ... ok",
            "test tests/test_cmd/pass/math.lm::squares_are_positive ... ok",
            "test tests/test_cmd/pass/math.lm::test_returns_a_number ... ok",
            "test tests/test_cmd/pass/math.lm::test_default ... ok",
            "test tests/test_cmd/pass/nested/deeper.lm::test_constant_is_initialized ... ok",
        ]
    );
    assert_eq!(last_line(&text), "5 passed, 0 failed");
    // Cells with required parameters and `main` are not tests; `.lumen/` is not searched.
    assert!(!text.contains("test_with_parameter") && !text.contains("main is not a test"), "{text}");
    assert!(!text.contains("test_in_cache_dir"), "{text}");
}

#[test]
fn hidden_directories_are_skipped() {
    let out = lumen_test(&["tests/test_cmd"]);
    let text = stdout(&out);
    assert!(!text.contains("test_in_hidden_dir") && !text.contains(".hidden"), "{text}");
    assert!(text.contains("tests/test_cmd/pass/math.lm::test_square ... ok"), "{text}");
}

#[test]
fn default_path_is_the_working_directory() {
    let out = lumen_test_in(&root().join("tests/test_cmd/pass"), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("test math.lm::test_square ... ok\n"), "{text}");
    assert!(text.contains("test nested/deeper.lm::test_constant_is_initialized ... ok"), "{text}");
}

#[test]
fn failures_are_reported_with_messages() {
    let out = lumen_test(&["tests/test_cmd/fail/failing.lm"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let file = "tests/test_cmd/fail/failing.lm";
    assert_eq!(
        test_lines(&text),
        [
            format!("test {file}::test_passes ... ok"),
            format!("test {file}::test_add ... FAILED"),
            format!("test {file}::test_returns_false ... FAILED"),
            format!("test {file}::test_runtime_error ... FAILED"),
            format!("test {file}::test_lists_differ ... FAILED"),
        ]
    );
    assert_eq!(last_line(&text), "1 passed, 4 failed");
    let failures = text.split_once("\nfailures:\n").map(|(_, f)| f).expect("a failures section");
    // assert_eq shows both sides, with the test's output after the message.
    let add = section(failures, &format!("{file}::test_add"));
    assert!(add.contains("assertion failed: left != right\n  left:  5\n  right: 4"), "{add}");
    assert!(add.contains(&format!("at test_add ({file}:10)")), "{add}");
    assert!(add.contains("output:\nadding 2 and 2"), "{add}");
    assert!(section(failures, &format!("{file}::test_returns_false")).contains("returned false"));
    // A runtime error carries the Lumen stack trace, innermost first.
    let runtime = section(failures, &format!("{file}::test_runtime_error"));
    let inner = runtime.find(&format!("at check_index ({file}:16)")).expect("inner frame");
    let outer = runtime.find(&format!("at test_runtime_error ({file}:21)")).expect("outer frame");
    assert!(runtime.contains("index out of range") && inner < outer, "{runtime}");
    assert!(section(failures, &format!("{file}::test_lists_differ")).contains("left:  [1, 2, 3]\n  right: [1, 2, 4]"));
    // Output of passing tests stays captured.
    assert!(!text.contains("captured output of a passing test"), "{text}");
}

/// The text of one failure, from its `---- ID ----` header to the next header.
fn section<'a>(failures: &'a str, id: &str) -> &'a str {
    let header = format!("---- {id} ----\n");
    let start = failures.find(&header).unwrap_or_else(|| panic!("no failure section for {id}:\n{failures}"));
    let body = &failures[start + header.len()..];
    &body[..body.find("\n---- ").unwrap_or(body.len())]
}

#[test]
fn verbose_shows_output_of_passing_tests() {
    let out = lumen_test(&["-v", "tests/test_cmd/fail/failing.lm"]);
    let text = stdout(&out);
    assert!(
        text.contains("test tests/test_cmd/fail/failing.lm::test_passes ... ok\ncaptured output of a passing test\n"),
        "{text}"
    );
}

#[test]
fn a_file_that_does_not_compile_is_one_failure() {
    let out = lumen_test(&["tests/test_cmd/broken"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(test_lines(&text), ["test tests/test_cmd/broken/bad.lm ... FAILED"]);
    let failure = section(&text, "tests/test_cmd/broken/bad.lm");
    assert!(failure.contains("error[E0300]") && failure.contains("tests/test_cmd/broken/bad.lm:2:16"), "{failure}");
    assert_eq!(last_line(&text), "0 passed, 1 failed");
}

#[test]
fn each_test_is_isolated() {
    let out = lumen_test(&["tests/test_cmd/isolation"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let file = "tests/test_cmd/isolation/isolated.lm";
    assert_eq!(
        test_lines(&text),
        [
            format!("test {file}::test_exit_fails ... FAILED"),
            format!("test {file}::test_unhandled_effect ... FAILED"),
            format!("test {file}::test_handled_effect ... ok"),
            format!("test {file}::test_still_runs ... ok"),
        ]
    );
    assert!(section(&text, &format!("{file}::test_exit_fails")).contains("exit(0)"), "{text}");
    assert!(section(&text, &format!("{file}::test_unhandled_effect")).contains("unhandled effect Ask.question"));
}

#[test]
fn filter_keeps_matching_names() {
    let out = lumen_test(&["tests/test_cmd", "--filter", "add"]);
    let text = stdout(&out);
    assert_eq!(
        test_lines(&text),
        [
            "test tests/test_cmd/docs/guide.lm.md::test_add_zero ... ok",
            "test tests/test_cmd/fail/failing.lm::test_add ... FAILED",
        ]
    );
    // The file that does not compile has no test named like that, so it is not counted.
    assert_eq!(last_line(&text), "1 passed, 1 failed");
    assert_eq!(out.status.code(), Some(1));
    let none = lumen_test(&["tests/test_cmd/pass", "--filter", "no_such_test"]);
    assert_eq!(none.status.code(), Some(0));
    assert_eq!(last_line(&stdout(&none)), "0 passed, 0 failed");
}

#[test]
fn skipped_tests_are_counted() {
    let out = lumen_test(&["tests/test_cmd/skip"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("test tests/test_cmd/skip/skipped.lm::test_network ... skipped"), "{text}");
    assert_eq!(last_line(&text), "1 passed, 0 failed, 2 skipped");
}

#[test]
fn markdown_doc_tests() {
    let out = lumen_test(&["-v", "tests/test_cmd/docs"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let file = "tests/test_cmd/docs/guide.lm.md";
    assert_eq!(
        test_lines(&text),
        [
            format!("test {file}::Adding small numbers ... ok"),
            format!("test {file}::Adding is commutative ... ok"),
            format!("test {file}::A wrong claim ... FAILED"),
            format!("test {file}::test_add_zero ... ok"),
        ]
    );
    // Only the test block's own statements run; lines point into the markdown file.
    assert!(text.contains("doc test output"), "{text}");
    assert!(!text.contains("do not run in doc tests"), "{text}");
    let wrong = section(&text, &format!("{file}::A wrong claim"));
    assert!(wrong.contains("left:  4\n  right: 5") && wrong.contains(&format!("{file}:27)")), "{wrong}");
    assert_eq!(last_line(&text), "3 passed, 1 failed");
}

#[test]
fn junit_is_well_formed() {
    let out = lumen_test(&["tests/test_cmd", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "), "{xml}");
    let tags = check_xml(&xml);
    assert_eq!(tags.iter().filter(|t| *t == "testsuite").count(), 7, "{xml}");
    assert_eq!(tags.iter().filter(|t| *t == "testcase").count(), 22, "{xml}");
    assert_eq!(tags.iter().filter(|t| *t == "failure").count(), 8, "{xml}");
    assert_eq!(tags.iter().filter(|t| *t == "skipped").count(), 2, "{xml}");
    assert!(xml.contains("<testsuites name=\"lumen test\" tests=\"22\" failures=\"8\" errors=\"0\" skipped=\"2\""));
    assert!(xml.contains("<testcase name=\"A wrong claim\" classname=\"tests/test_cmd/docs/guide.lm.md\""));
    // No text report is mixed in.
    assert!(!xml.contains(" ... ok") && !xml.contains("passed,"), "{xml}");
}

/// Checks that `xml` is one well-formed element tree (matching tags, quoted attributes, no raw
/// `<` or stray `&` in text); returns the element names in document order.
fn check_xml(xml: &str) -> Vec<String> {
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").expect("declaration");
    let mut open: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = body;
    let mut roots = 0;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt]);
        let gt = rest[lt..].find('>').expect("unclosed tag") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "mismatched closing tag");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "bad name {name}");
        while !attrs.trim().is_empty() {
            let (key, value) = attrs.trim_start().split_once("=\"").expect("quoted attribute");
            assert!(key.chars().all(|c| c.is_ascii_alphanumeric()), "bad attribute {key}");
            let end = value.find('"').expect("closing quote");
            check_text(&value[..end]);
            attrs = &value[end + 1..];
        }
        if open.is_empty() {
            roots += 1;
        }
        names.push(name.to_owned());
        if !self_closing {
            open.push(name.to_owned());
        }
    }
    assert!(open.is_empty() && roots == 1 && rest.trim().is_empty(), "unbalanced document");
    names
}

fn check_text(text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let entity = &rest[amp..rest[amp..].find(';').map_or(rest.len(), |e| amp + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#13;"].contains(&entity),
            "bad entity {entity:?} in {text:?}"
        );
        rest = &rest[amp + 1..];
    }
    assert!(!text.contains('<') && !text.chars().any(|c| (c as u32) < 0x20 && c != '\n' && c != '\t'));
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = lumen_test(&["tests/test_cmd/no_such_directory"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_directory"));
}
