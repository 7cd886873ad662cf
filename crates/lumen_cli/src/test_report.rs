//! Reporting test results: text lines as tests finish (then failures and a summary), or one
//! JUnit XML document at the end.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

pub enum Outcome {
    Passed,
    /// The failure message (a runtime error with its stack trace, or compile diagnostics).
    Failed(String),
    /// The reason given to `@skip`, possibly empty.
    Skipped(String),
}

pub struct TestResult {
    pub file: String,
    /// `None` for a file that could not be compiled (no test of it ran).
    pub name: Option<String>,
    pub outcome: Outcome,
    /// What the test printed (stdout and stderr).
    pub output: String,
    pub time: Duration,
}

impl TestResult {
    pub fn new(file: &str, name: Option<&str>, outcome: Outcome, output: String, time: Duration) -> TestResult {
        TestResult { file: file.to_owned(), name: name.map(str::to_owned), outcome, output, time }
    }

    /// `FILE::NAME`, or `FILE` for a file-level failure.
    fn id(&self) -> String {
        match &self.name {
            Some(name) => format!("{}::{name}", self.file),
            None => self.file.clone(),
        }
    }
}

pub struct Report {
    text: bool,
    verbose: bool,
    results: Vec<TestResult>,
}

impl Report {
    pub fn new(text: bool, verbose: bool) -> Report {
        Report { text, verbose, results: Vec::new() }
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).count()
    }

    /// Records a result; in text form its line is printed at once. Write errors (a closed pipe)
    /// are ignored: nobody is left to read the report.
    pub fn add(&mut self, result: TestResult) {
        if self.text {
            let status = match result.outcome {
                Outcome::Passed => "ok",
                Outcome::Failed(_) => "FAILED",
                Outcome::Skipped(_) => "skipped",
            };
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "test {} ... {status}", result.id());
            if self.verbose && matches!(result.outcome, Outcome::Passed) && !result.output.is_empty() {
                let _ = write!(out, "{}", with_newline(&result.output));
            }
            let _ = out.flush();
        }
        self.results.push(result);
    }

    /// Prints the failures and the summary line, or the JUnit document.
    pub fn finish(&self) {
        let text = if self.text { self.text_tail() } else { junit(&self.results) };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn text_tail(&self) -> String {
        let mut out = String::new();
        let failures: Vec<&TestResult> =
            self.results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).collect();
        if !failures.is_empty() {
            out.push_str("\nfailures:\n");
            for r in &failures {
                let Outcome::Failed(message) = &r.outcome else { continue };
                let _ = write!(out, "\n---- {} ----\n{}", r.id(), with_newline(message));
                if !r.output.is_empty() {
                    let _ = write!(out, "output:\n{}", with_newline(&r.output));
                }
            }
        }
        let passed = self.results.iter().filter(|r| matches!(r.outcome, Outcome::Passed)).count();
        let skipped = self.results.iter().filter(|r| matches!(r.outcome, Outcome::Skipped(_))).count();
        let _ = write!(out, "\n{passed} passed, {} failed", failures.len());
        if skipped > 0 {
            let _ = write!(out, ", {skipped} skipped");
        }
        out.push('\n');
        out
    }
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') { text.to_owned() } else { format!("{text}\n") }
}

/// JUnit XML: one `testsuite` per file, one `testcase` per test (a file that does not compile is
/// one failed testcase named after the file).
fn junit(results: &[TestResult]) -> String {
    let count = |rs: &[&TestResult], f: fn(&Outcome) -> bool| rs.iter().filter(|r| f(&r.outcome)).count();
    let failed = |o: &Outcome| matches!(o, Outcome::Failed(_));
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped(_));
    let all: Vec<&TestResult> = results.iter().collect();
    let total: Duration = results.iter().map(|r| r.time).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"lumen test\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.6}\">",
        all.len(),
        count(&all, failed),
        count(&all, skipped),
        total.as_secs_f64()
    );
    let mut files: Vec<&str> = Vec::new();
    for r in results {
        if !files.contains(&r.file.as_str()) {
            files.push(&r.file);
        }
    }
    for file in files {
        let suite: Vec<&TestResult> = results.iter().filter(|r| r.file == file).collect();
        let time: Duration = suite.iter().map(|r| r.time).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.6}\">",
            xml_escape(file),
            suite.len(),
            count(&suite, failed),
            count(&suite, skipped),
            time.as_secs_f64()
        );
        for r in suite {
            let name = r.name.as_deref().unwrap_or(file);
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.6}\"",
                xml_escape(name),
                xml_escape(file),
                r.time.as_secs_f64()
            );
            if matches!(r.outcome, Outcome::Passed) && r.output.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            match &r.outcome {
                Outcome::Passed => {}
                Outcome::Failed(message) => {
                    let first = message.lines().next().unwrap_or("").trim_start_matches("error: ");
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"failure\">{}</failure>",
                        xml_escape(first),
                        xml_escape(message)
                    );
                }
                Outcome::Skipped(reason) if reason.is_empty() => out.push_str("      <skipped/>\n"),
                Outcome::Skipped(reason) => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml_escape(reason));
                }
            }
            if !r.output.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", xml_escape(&r.output));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot carry at all
/// (most control characters, e.g. an ANSI escape) become U+FFFD.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(xml_escape("a<b>&\"'\u{1b}[0m\n"), "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}[0m\n");
    }

    #[test]
    fn junit_counts_per_suite() {
        let results = vec![
            TestResult::new("a.lm", Some("test_ok"), Outcome::Passed, String::new(), Duration::ZERO),
            TestResult::new(
                "a.lm",
                Some("test_bad"),
                Outcome::Failed("error: boom\n".into()),
                "hi\n".into(),
                Duration::ZERO,
            ),
            TestResult::new("b.lm", None, Outcome::Failed("error[E0100]: x".into()), String::new(), Duration::ZERO),
        ];
        let xml = junit(&results);
        assert!(xml.contains("<testsuites name=\"lumen test\" tests=\"3\" failures=\"2\""), "{xml}");
        assert!(xml.contains("<testsuite name=\"a.lm\" tests=\"2\" failures=\"1\""), "{xml}");
        assert!(xml.contains("<failure message=\"boom\""), "{xml}");
        assert!(xml.contains("<system-out>hi\n</system-out>"), "{xml}");
        assert!(xml.contains("<testcase name=\"b.lm\" classname=\"b.lm\""), "{xml}");
    }
}
