#![allow(clippy::approx_constant)] // 3.14159 is the language reference's example

use super::*;
use crate::builtins::BuiltinFn;
use crate::display::display;
use crate::host::TestHost;
use crate::value::{MapObj, RangeObj, SetObj};

fn call(f: BuiltinFn, args: &[Value]) -> BuiltinResult {
    let mut host = TestHost::default();
    f(&mut Ctx { host: &mut host }, args)
}

fn ok(f: BuiltinFn, args: &[Value]) -> Value {
    call(f, args).unwrap_or_else(|e| panic!("unexpected error: {}", e.0))
}

/// The display form of a successful call.
fn shown(f: BuiltinFn, args: &[Value]) -> String {
    display(&ok(f, args))
}

fn fails(f: BuiltinFn, args: &[Value]) -> String {
    call(f, args).expect_err("expected an error").0
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn i(n: i64) -> Value {
    Value::Int(n)
}

fn ints(xs: &[i64]) -> Value {
    Value::list(xs.iter().map(|x| Value::Int(*x)).collect())
}

#[test]
fn trims_unicode_whitespace() {
    assert_eq!(ok(trim, &[s("   padded   ")]), s("padded"));
    assert_eq!(ok(trim, &[s("\t\n mixed whitespace \n")]), s("mixed whitespace"));
    assert_eq!(ok(trim, &[s("none")]), s("none"));
    assert_eq!(ok(trim, &[s("\u{3000}wide\u{a0}")]), s("wide"));
    assert_eq!(ok(trim_start, &[s("  a  ")]), s("a  "));
    assert_eq!(ok(trim_end, &[s("  a  ")]), s("  a"));
    assert_eq!(ok(trim, &[s("")]), s(""));
    assert!(fails(trim, &[i(1)]).contains("trim: expected String, got Int"));
    assert!(fails(trim_start, &[Value::Null]).contains("expected String"));
    assert!(fails(trim_end, &[ints(&[])]).contains("expected String"));
}

#[test]
fn split_with_and_without_separator() {
    assert_eq!(shown(split, &[s("red,green,,blue"), s(",")]), r#"["red", "green", "", "blue"]"#);
    assert_eq!(shown(split, &[s("one::two::three"), s("::")]), r#"["one", "two", "three"]"#);
    assert_eq!(shown(split, &[s("single"), s(",")]), r#"["single"]"#);
    assert_eq!(shown(split, &[s(""), s(",")]), r#"[""]"#);
    assert_eq!(shown(split, &[s(",a,"), s(",")]), r#"["", "a", ""]"#);
    assert_eq!(shown(split, &[s("día"), s("")]), r#"["d", "í", "a"]"#);
    assert_eq!(shown(split, &[s("  a \t b\n c  ")]), r#"["a", "b", "c"]"#);
    assert_eq!(shown(split, &[s("   ")]), "[]");
    assert!(fails(split, &[s("a"), i(1)]).contains("expected String"));
    assert!(fails(split, &[i(1), s(",")]).contains("expected String"));
}

#[test]
fn lines_drop_cr_and_final_newline() {
    assert_eq!(shown(lines, &[s("a\nb\r\nc\n")]), r#"["a", "b", "c"]"#);
    assert_eq!(shown(lines, &[s("a\n\nb")]), r#"["a", "", "b"]"#);
    assert_eq!(shown(lines, &[s("a\n\n")]), r#"["a", ""]"#);
    assert_eq!(shown(lines, &[s("")]), "[]");
    assert!(fails(lines, &[i(1)]).contains("expected String"));
}

#[test]
fn join_uses_display_forms() {
    let parts = Value::list(vec![s("2024"), s("01"), s("15")]);
    assert_eq!(ok(join, &[parts, s("-")]), s("2024-01-15"));
    assert_eq!(ok(join, &[Value::list(vec![s("solo")]), s(", ")]), s("solo"));
    assert_eq!(ok(join, &[ints(&[1, 2, 3])]), s("123"));
    assert_eq!(ok(join, &[ints(&[])]), s(""));
    let nested = Value::list(vec![Value::list(vec![s("a")]), Value::Null, Value::Float(1.0)]);
    assert_eq!(ok(join, &[nested, s("|")]), s(r#"["a"]|null|1.0"#));
    let set: SetObj = [i(3), i(1)].into_iter().collect();
    assert_eq!(ok(join, &[Value::set(set), s(",")]), s("3,1"));
    assert_eq!(ok(join, &[Value::tuple(vec![s("x"), i(2)]), s(" ")]), s("x 2"));
    let range =
        Value::Range(std::rc::Rc::new(RangeObj { start: 1, end: 3, inclusive: true, step: 1, explicit_step: false }));
    assert_eq!(ok(join, &[range, s("+")]), s("1+2+3"));
    assert!(fails(join, &[ints(&[1]), i(1)]).contains("expected String"));
    assert!(fails(join, &[i(1)]).contains("expected an iterable"));
}

#[test]
fn replace_all_occurrences() {
    assert_eq!(ok(replace, &[s("a-b-c-d"), s("-"), s("/")]), s("a/b/c/d"));
    assert_eq!(ok(replace, &[s("banana"), s("an"), s("AN")]), s("bANANa"));
    assert_eq!(ok(replace, &[s("aaa"), s("aa"), s("b")]), s("ba"));
    assert_eq!(ok(replace, &[s("nothing here"), s("xyz"), s("!")]), s("nothing here"));
    assert_eq!(ok(replace, &[s("abc"), s(""), s("!")]), s("abc"));
    assert_eq!(ok(replace, &[s("café"), s("é"), s("e")]), s("cafe"));
    assert!(fails(replace, &[s("a"), i(1), s("b")]).contains("expected String"));
    let big = Value::string("a".repeat(1 << 15));
    assert!(fails(replace, &[big, s("a"), Value::string("b".repeat(1 << 14))]).contains("too large"));
}

#[test]
fn prefixes_and_suffixes() {
    let text = s("the quick brown fox");
    assert_eq!(ok(starts_with, &[text.clone(), s("the ")]), Value::Bool(true));
    assert_eq!(ok(starts_with, &[text.clone(), s("quick")]), Value::Bool(false));
    assert_eq!(ok(ends_with, &[text.clone(), s("fox")]), Value::Bool(true));
    assert_eq!(ok(ends_with, &[text.clone(), s("dog")]), Value::Bool(false));
    assert_eq!(ok(starts_with, &[text.clone(), s("")]), Value::Bool(true));
    assert!(fails(starts_with, &[text.clone(), i(1)]).contains("expected String"));
    assert!(fails(ends_with, &[i(1), text]).contains("expected String"));
}

#[test]
fn index_of_counts_characters() {
    let text = s("the quick brown fox");
    assert_eq!(ok(index_of, &[text.clone(), s("brown")]), i(10));
    assert_eq!(ok(index_of, &[text.clone(), s("o")]), i(12));
    assert_eq!(ok(index_of, &[text.clone(), s("cat")]), i(-1));
    assert_eq!(ok(index_of, &[text.clone(), s("")]), i(0));
    assert_eq!(ok(index_of, &[s("naïve café"), s("café")]), i(6));
    assert_eq!(ok(last_index_of, &[text.clone(), s("o")]), i(17));
    assert_eq!(ok(last_index_of, &[s("日本日本"), s("日")]), i(2));
    assert_eq!(ok(last_index_of, &[text, s("cat")]), i(-1));
    assert_eq!(ok(last_index_of, &[s("abc"), s("")]), i(3));
    assert_eq!(ok(index_of, &[ints(&[5, 6, 5]), i(5)]), i(0));
    assert_eq!(ok(last_index_of, &[ints(&[5, 6, 5]), i(5)]), i(2));
    assert_eq!(ok(index_of, &[ints(&[5, 6]), Value::Float(6.0)]), i(1));
    assert_eq!(ok(index_of, &[ints(&[5]), i(7)]), i(-1));
    assert_eq!(ok(last_index_of, &[ints(&[]), i(7)]), i(-1));
    assert!(fails(index_of, &[s("abc"), i(1)]).contains("expected String"));
    assert!(fails(last_index_of, &[i(1), i(1)]).contains("expected String or list"));
}

#[test]
fn slice_strings_with_negative_indices_and_clamping() {
    let text = s("abcdefgh");
    assert_eq!(ok(slice, &[text.clone(), i(2), i(5)]), s("cde"));
    assert_eq!(ok(slice, &[text.clone(), i(0), i(1)]), s("a"));
    assert_eq!(ok(slice, &[text.clone(), i(6), i(8)]), s("gh"));
    assert_eq!(ok(slice, &[text.clone(), i(6)]), s("gh"));
    assert_eq!(ok(slice, &[text.clone(), i(-3)]), s("fgh"));
    assert_eq!(ok(slice, &[text.clone(), i(-3), i(-1)]), s("fg"));
    assert_eq!(ok(slice, &[text.clone(), i(-100), i(2)]), s("ab"));
    assert_eq!(ok(slice, &[text.clone(), i(5), i(100)]), s("fgh"));
    assert_eq!(ok(slice, &[text.clone(), i(5), i(2)]), s(""));
    assert_eq!(ok(slice, &[text.clone(), i(i64::MIN), i(i64::MAX)]), text.clone());
    assert_eq!(ok(slice, &[text.clone(), i(i64::MAX), i(i64::MIN)]), s(""));
    assert_eq!(ok(slice, &[s("naïve café"), i(6), i(10)]), s("café"));
    assert_eq!(ok(slice, &[s("🙂🙃x"), i(1), i(2)]), s("🙃"));
    assert_eq!(ok(substring_alias(), &[s("hello"), i(1), i(3)]), s("el"));
    assert!(fails(slice, &[text.clone(), s("1")]).contains("expected Int"));
    assert!(fails(slice, &[text, i(1), Value::Float(2.0)]).contains("expected Int"));
    assert!(fails(slice, &[i(1), i(0)]).contains("expected String, list, tuple or Bytes"));
}

fn substring_alias() -> BuiltinFn {
    DEFS.iter().find(|d| d.names.contains(&"substring")).expect("substring is registered").func
}

#[test]
fn slice_sequences() {
    let xs = ints(&[10, 20, 30, 40, 50]);
    assert_eq!(ok(slice, &[xs.clone(), i(1), i(4)]), ints(&[20, 30, 40]));
    assert_eq!(ok(slice, &[xs.clone(), i(-2)]), ints(&[40, 50]));
    assert_eq!(ok(slice, &[xs.clone(), i(3), i(1)]), ints(&[]));
    assert_eq!(ok(slice, &[xs, i(9)]), ints(&[]));
    let t = Value::tuple(vec![i(1), s("a"), i(3)]);
    assert_eq!(shown(slice, &[t, i(1)]), r#"["a", 3]"#);
    let b = Value::bytes(vec![1, 2, 3, 4]);
    assert_eq!(ok(slice, &[b, i(1), i(-1)]), Value::bytes(vec![2, 3]));
}

#[test]
fn chars_are_scalar_values() {
    assert_eq!(shown(chars, &[s("día")]), r#"["d", "í", "a"]"#);
    assert_eq!(shown(chars, &[s("")]), "[]");
    assert_eq!(ok(chars, &[s("🙂🙃")]), Value::list(vec![s("🙂"), s("🙃")]));
    assert!(fails(chars, &[i(1)]).contains("expected String"));
}

#[test]
fn padding() {
    assert_eq!(ok(pad_left, &[s("7"), i(4)]), s("   7"));
    assert_eq!(ok(pad_right, &[s("7"), i(4)]), s("7   "));
    assert_eq!(ok(pad_left, &[s("abc"), i(3)]), s("abc"));
    assert_eq!(ok(pad_left, &[s("toolong"), i(3)]), s("toolong"));
    assert_eq!(ok(pad_right, &[s(""), i(2)]), s("  "));
    assert_eq!(ok(pad_left, &[s("5"), i(3), s("0")]), s("005"));
    assert_eq!(ok(pad_right, &[s("日本"), i(4), s("·")]), s("日本··"));
    assert_eq!(ok(pad_left, &[s("x"), i(-5)]), s("x"));
    assert!(fails(pad_left, &[s("x"), i(3), s("ab")]).contains("one character"));
    assert!(fails(pad_right, &[s("x"), i(3), s("")]).contains("one character"));
    assert!(fails(pad_left, &[i(7), i(3)]).contains("expected String"));
    assert!(fails(pad_left, &[s("x"), s("3")]).contains("expected Int"));
    assert!(fails(pad_left, &[s("x"), i(i64::MAX)]).contains("too large"));
}

#[test]
fn repeat_copies() {
    assert_eq!(ok(repeat, &[s("ab"), i(3)]), s("ababab"));
    assert_eq!(ok(repeat, &[s("ab"), i(0)]), s(""));
    assert_eq!(ok(repeat, &[s(""), i(i64::MAX)]), s(""));
    assert!(fails(repeat, &[s("ab"), i(-1)]).contains("negative"));
    assert!(fails(repeat, &[s("ab"), i(i64::MAX)]).contains("too large"));
    assert!(fails(repeat, &[i(1), i(2)]).contains("expected String"));
}

#[test]
fn reverse_strings_and_sequences() {
    assert_eq!(ok(reverse, &[s("abc")]), s("cba"));
    assert_eq!(ok(reverse, &[s("día🙂")]), s("🙂aíd"));
    assert_eq!(ok(reverse, &[ints(&[1, 2, 3])]), ints(&[3, 2, 1]));
    assert_eq!(shown(reverse, &[Value::tuple(vec![i(1), s("a")])]), r#"("a", 1)"#);
    assert_eq!(ok(reverse, &[Value::bytes(vec![1, 2])]), Value::bytes(vec![2, 1]));
    assert!(fails(reverse, &[Value::map(MapObj::default())]).contains("expected"));
}

#[test]
fn format_placeholders() {
    assert_eq!(ok(format, &[s("{} + {} = {}"), i(1), i(2), i(3)]), s("1 + 2 = 3"));
    assert_eq!(ok(format, &[s("no placeholders")]), s("no placeholders"));
    assert_eq!(ok(format, &[s("[{:.2f}]"), Value::Float(3.14159)]), s("[3.14]"));
    assert_eq!(ok(format, &[s("[{:>6}]"), i(42)]), s("[    42]"));
    assert_eq!(ok(format, &[s("[{:^7}]"), s("ab")]), s("[  ab   ]"));
    assert_eq!(ok(format, &[s("{:#x}/{:05}"), i(255), i(-42)]), s("0xff/-0042"));
    assert_eq!(ok(format, &[s("{:}"), i(7)]), s("7"));
    assert_eq!(ok(format, &[s("{{literal}} {}"), i(1)]), s("{literal} 1"));
    assert_eq!(ok(format, &[s("{{}}")]), s("{}"));
    assert_eq!(ok(format, &[s("{}"), Value::list(vec![s("a")])]), s(r#"["a"]"#));
    assert_eq!(ok(format, &[s("{}"), s("raw")]), s("raw"));
    assert_eq!(ok(format, &[s("日{}本"), i(1)]), s("日1本"));
    assert_eq!(ok(format, &[s("{:é^5}"), i(1)]), s("éé1éé"));
}

#[test]
fn format_errors() {
    assert!(fails(format, &[s("{} {}"), i(1)]).contains("more placeholders than arguments"));
    assert!(fails(format, &[s("{}"), i(1), i(2)]).contains("unused argument"));
    assert!(fails(format, &[s("plain"), i(1)]).contains("unused argument"));
    assert!(fails(format, &[s("{:q}"), i(1)]).contains("invalid format spec"));
    assert!(fails(format, &[s("{:x}"), s("a")]).contains("invalid format spec"));
    assert!(fails(format, &[s("{0}"), i(1)]).contains("invalid placeholder"));
    assert!(fails(format, &[s("{name}"), i(1)]).contains("invalid placeholder"));
    assert!(fails(format, &[s("oops {"), i(1)]).contains("unclosed"));
    assert!(fails(format, &[s("oops }"), i(1)]).contains("unmatched"));
    assert!(fails(format, &[i(1)]).contains("expected String"));
}

#[test]
fn every_builtin_is_registered() {
    let names: Vec<&str> = DEFS.iter().flat_map(|d| d.names.iter().copied()).collect();
    let expected = [
        "upper",
        "lower",
        "capitalize",
        "title_case",
        "snake_case",
        "camel_case",
        "trim",
        "trim_start",
        "trim_end",
        "split",
        "lines",
        "join",
        "replace",
        "starts_with",
        "ends_with",
        "index_of",
        "last_index_of",
        "slice",
        "substring",
        "chars",
        "pad_left",
        "pad_right",
        "repeat",
        "reverse",
        "format",
    ];
    for name in expected {
        assert!(names.contains(&name), "{name}");
    }
}
