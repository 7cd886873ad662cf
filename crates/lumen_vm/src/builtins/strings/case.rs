//! Case conversions (LANGUAGE.md 6.4): full Unicode case mapping, so one character may map to
//! several (`"ß"` upper-cases to `"SS"`).

use super::text;
use crate::builtins::{BuiltinResult, Ctx};
use crate::value::Value;

pub(super) fn upper(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(text("upper", &args[0])?.to_uppercase()))
}

pub(super) fn lower(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    Ok(Value::string(text("lower", &args[0])?.to_lowercase()))
}

/// The first character upper-cased, the rest unchanged.
pub(super) fn capitalize(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("capitalize", &args[0])?;
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return Ok(args[0].clone());
    };
    let mut out: String = first.to_uppercase().collect();
    out.push_str(chars.as_str());
    Ok(Value::string(out))
}

/// Each whitespace-separated word: first character upper-cased, the rest lower-cased. The
/// whitespace itself is kept as it is.
pub(super) fn title_case(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("title_case", &args[0])?;
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        let (space, from_word) = rest.split_at(start);
        out.push_str(space);
        let end = from_word.find(char::is_whitespace).unwrap_or(from_word.len());
        let (word, after) = from_word.split_at(end);
        out.push_str(&capitalized_word(word));
        rest = after;
    }
    out.push_str(rest);
    Ok(Value::string(out))
}

/// `word` with its first character upper-cased and the rest lower-cased (lower-casing the rest as
/// one string keeps context-dependent mappings such as a final sigma).
fn capitalized_word(word: &str) -> String {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().collect();
    out.push_str(&chars.as_str().to_lowercase());
    out
}

/// The words of an identifier-like string: split on whitespace, `_`, `-`, and before an
/// upper-case letter that follows a lower-case one.
fn words(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev_lower = false;
    for (at, c) in s.char_indices() {
        if c.is_whitespace() || c == '_' || c == '-' {
            if let Some(from) = start.take() {
                words.push(&s[from..at]);
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            if let Some(from) = start.replace(at) {
                words.push(&s[from..at]);
            }
        } else if start.is_none() {
            start = Some(at);
        }
        prev_lower = c.is_lowercase();
    }
    if let Some(from) = start {
        words.push(&s[from..]);
    }
    words
}

/// `"Hello World"` → `"hello_world"`, `"fooBar-baz"` → `"foo_bar_baz"`.
pub(super) fn snake_case(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("snake_case", &args[0])?;
    let lowered: Vec<String> = words(s).into_iter().map(str::to_lowercase).collect();
    Ok(Value::string(lowered.join("_")))
}

/// `"hello world"` → `"helloWorld"`, `"Foo_bar"` → `"fooBar"`.
pub(super) fn camel_case(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text("camel_case", &args[0])?;
    let mut out = String::with_capacity(s.len());
    for (i, word) in words(s).into_iter().enumerate() {
        if i == 0 {
            out.push_str(&word.to_lowercase());
        } else {
            out.push_str(&capitalized_word(word));
        }
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::BuiltinFn;
    use crate::host::TestHost;

    fn run(f: BuiltinFn, s: &str) -> String {
        let mut host = TestHost::default();
        match f(&mut Ctx { host: &mut host }, &[Value::str(s)]) {
            Ok(Value::Str(out)) => out.to_string(),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn rejects_non_strings(f: BuiltinFn) {
        let mut host = TestHost::default();
        let e = f(&mut Ctx { host: &mut host }, &[Value::Int(1)]).expect_err("should fail");
        assert!(e.0.contains("expected String, got Int"), "{}", e.0);
    }

    #[test]
    fn upper_and_lower_use_full_mapping() {
        assert_eq!(run(upper, "Quiet Voice"), "QUIET VOICE");
        assert_eq!(run(upper, "123-abc"), "123-ABC");
        assert_eq!(run(upper, "straße"), "STRASSE");
        assert_eq!(run(upper, "naïve café"), "NAÏVE CAFÉ");
        assert_eq!(run(lower, "LOUD Voice"), "loud voice");
        assert_eq!(run(lower, "ΟΔΟΣ"), "οδος");
        assert_eq!(run(lower, ""), "");
        rejects_non_strings(upper);
        rejects_non_strings(lower);
    }

    #[test]
    fn capitalize_changes_only_the_first_character() {
        assert_eq!(run(capitalize, "hello World"), "Hello World");
        assert_eq!(run(capitalize, "ßa"), "SSa");
        assert_eq!(run(capitalize, "ABC"), "ABC");
        assert_eq!(run(capitalize, ""), "");
        assert_eq!(run(capitalize, " x"), " x");
        rejects_non_strings(capitalize);
    }

    #[test]
    fn title_case_words() {
        assert_eq!(run(title_case, "hello wORLD"), "Hello World");
        assert_eq!(run(title_case, "  two\tspaces  "), "  Two\tSpaces  ");
        assert_eq!(run(title_case, "o'neil mc-donald"), "O'neil Mc-donald");
        assert_eq!(run(title_case, "ΟΔΟΣ"), "Οδος");
        assert_eq!(run(title_case, ""), "");
        rejects_non_strings(title_case);
    }

    #[test]
    fn snake_case_splits_words() {
        assert_eq!(run(snake_case, "Hello World"), "hello_world");
        assert_eq!(run(snake_case, "fooBar-baz"), "foo_bar_baz");
        assert_eq!(run(snake_case, "already_snake"), "already_snake");
        assert_eq!(run(snake_case, "  lots   of__space--"), "lots_of_space");
        assert_eq!(run(snake_case, "HTTPServer"), "httpserver");
        assert_eq!(run(snake_case, "parseHTTP"), "parse_http");
        assert_eq!(run(snake_case, "étéÉcole"), "été_école");
        assert_eq!(run(snake_case, ""), "");
        rejects_non_strings(snake_case);
    }

    #[test]
    fn camel_case_joins_words() {
        assert_eq!(run(camel_case, "hello world"), "helloWorld");
        assert_eq!(run(camel_case, "Foo_bar"), "fooBar");
        assert_eq!(run(camel_case, "some-kebab-case"), "someKebabCase");
        assert_eq!(run(camel_case, "already camelCase"), "alreadyCamelCase");
        assert_eq!(run(camel_case, "SHOUTING WORDS"), "shoutingWords");
        assert_eq!(run(camel_case, "__"), "");
        rejects_non_strings(camel_case);
    }
}
