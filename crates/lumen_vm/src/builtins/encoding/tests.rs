use std::rc::Rc;

use super::*;
use crate::display::display;
use crate::host::TestHost;
use crate::value::{EnumObj, EnumType, FuncObj, RangeObj, RecordObj, RecordType};

fn call(name: &str, args: &[Value]) -> BuiltinResult {
    let mut host = TestHost::default();
    let id = crate::builtins::lookup(name).unwrap_or_else(|| panic!("no builtin {name}"));
    crate::builtins::call(id, &mut Ctx { host: &mut host }, args)
}

fn ok(name: &str, args: &[Value]) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name} failed: {}", e.0))
}

fn fails(name: &str, args: &[Value]) -> String {
    match call(name, args) {
        Err(e) => e.0,
        Ok(v) => panic!("{name} should fail, got {}", display(&v)),
    }
}

fn shown(name: &str, args: &[Value]) -> String {
    display(&ok(name, args))
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn list(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::map(entries.into_iter().collect())
}

/// `json_parse` that must succeed.
fn parse(text: &str) -> Value {
    let r = ok("json_parse", &[s(text)]);
    match r.as_result() {
        Some((true, v)) => v.clone(),
        _ => panic!("json_parse({text}) gave {}", display(&r)),
    }
}

fn json(v: &Value) -> String {
    shown("to_json", std::slice::from_ref(v))
}

fn book_type() -> Rc<RecordType> {
    Rc::new(RecordType {
        id: 40,
        name: Rc::from("Book"),
        fields: vec![Rc::from("title"), Rc::from("pages"), Rc::from("tags")],
        validator: None,
    })
}

fn book(title: &str, pages: i64, tags: &[&str]) -> Value {
    let fields = vec![s(title), Value::Int(pages), list(tags.iter().map(|t| s(t)).collect())];
    Value::Record(Rc::new(RecordObj { ty: book_type(), fields }))
}

fn shape(variant: u32, payload: Vec<Value>) -> Value {
    let ty = Rc::new(EnumType {
        id: 41,
        name: Rc::from("Shape"),
        variants: vec![Rc::from("Dot"), Rc::from("Circle"), Rc::from("Rect")],
    });
    Value::Enum(Rc::new(EnumObj { ty, variant, payload }))
}

fn builtin_fn() -> Value {
    Value::Func(Rc::new(FuncObj::Builtin { id: 0, name: Rc::from("print") }))
}

fn range() -> Value {
    Value::Range(Rc::new(RangeObj { start: 0, end: 3, inclusive: false, step: 1, explicit_step: false }))
}

#[test]
fn json_parse_kinds_and_order() {
    let v = parse(r#"{"b": 1, "a": [true, null, 2.5, "x"], "c": {"z": -3, "y": 1.0}}"#);
    assert_eq!(display(&v), r#"{"b": 1, "a": [true, null, 2.5, "x"], "c": {"z": -3, "y": 1.0}}"#);
    let Value::Map(m) = &v else { panic!("map") };
    let keys: Vec<String> = m.keys().map(display).collect();
    assert_eq!(keys, ["b", "a", "c"]);
    assert!(m.keys().all(|k| matches!(k, Value::Str(_))));
    // Integers that fit become Int; others Float.
    assert!(matches!(parse("9223372036854775807"), Value::Int(i64::MAX)));
    assert!(matches!(parse("-9223372036854775808"), Value::Int(i64::MIN)));
    assert!(matches!(parse("9223372036854775808"), Value::Float(_)));
    assert!(matches!(parse("1e2"), Value::Float(f) if f == 100.0));
    assert!(matches!(parse("2.0"), Value::Float(f) if f == 2.0));
    assert_eq!(parse(r#""\u00e9\n\"\ud83d\ude00""#), s("é\n\"😀"));
    assert_eq!(parse("  [] "), list(vec![]));
    // Duplicate keys: the last value wins.
    assert_eq!(parse(r#"{"k": 1, "k": 2}"#), map(vec![(s("k"), Value::Int(2))]));
}

#[test]
fn json_parse_errors_are_err_results() {
    for bad in ["{oops", "", "[1,]", "01", "nan", "{\"a\" 1}", "[1] x", "1e999", "\"\\x\""] {
        let r = ok("json_parse", &[s(bad)]);
        match r.as_result() {
            Some((false, Value::Str(msg))) => assert!(msg.starts_with("invalid JSON"), "{msg}"),
            _ => panic!("json_parse({bad:?}) gave {}", display(&r)),
        }
    }
    // Deep nesting is an error result, not a crash.
    let deep = "[".repeat(100_000);
    assert_eq!(ok("json_parse", &[s(&deep)]).as_result().map(|r| r.0), Some(false));
    assert!(fails("json_parse", &[Value::Int(1)]).contains("expected String, got Int"));
    assert_eq!(ok("parse_json", &[s("1")]), result_value(true, Value::Int(1)));
}

#[test]
fn to_json_scalars() {
    assert_eq!(json(&Value::Null), "null");
    assert_eq!(json(&Value::Bool(true)), "true");
    assert_eq!(json(&Value::Int(-17)), "-17");
    assert_eq!(json(&Value::Float(1.0)), "1.0");
    assert_eq!(json(&Value::Float(0.1)), "0.1");
    assert_eq!(json(&Value::Float(-0.0)), "-0.0");
    assert_eq!(json(&Value::Float(1e21)), "1000000000000000000000.0");
    assert_eq!(json(&s("a\"b\\c\n\t\u{1}é")), r#""a\"b\\c\n\t\u0001é""#);
    assert_eq!(json(&Value::bytes(b"hi".to_vec())), r#""aGk=""#);
    assert_eq!(shown("json_encode", &[Value::Int(1)]), "1");
    assert_eq!(shown("json_stringify", &[s("x")]), r#""x""#);
}

#[test]
fn to_json_containers() {
    let set: SetObj = [Value::Int(3), Value::Int(1)].into_iter().collect();
    let v = map(vec![
        (s("list"), list(vec![Value::Int(1), s("two")])),
        (s("tuple"), Value::tuple(vec![Value::Bool(false), Value::Null])),
        (s("set"), Value::set(set)),
        (s("empty"), map(vec![])),
        (Value::Int(7), list(vec![])),
    ]);
    assert_eq!(json(&v), r#"{"list":[1,"two"],"tuple":[false,null],"set":[3,1],"empty":{},"7":[]}"#);
    assert_eq!(json(&book("Dune", 412, &["sf"])), r#"{"title":"Dune","pages":412,"tags":["sf"]}"#);
    assert_eq!(json(&shape(0, vec![])), r#"{"tag":"Dot","values":[]}"#);
    assert_eq!(json(&shape(2, vec![Value::Float(2.0), Value::Int(4)])), r#"{"tag":"Rect","values":[2.0,4]}"#);
    assert_eq!(json(&result_value(false, s("bad"))), r#"{"tag":"err","values":["bad"]}"#);
}

#[test]
fn to_json_rejects_non_data() {
    for v in [Value::Float(f64::NAN), Value::Float(f64::INFINITY), Value::Float(f64::NEG_INFINITY)] {
        assert!(fails("to_json", &[v]).contains("not representable in JSON"));
    }
    assert!(fails("to_json", &[list(vec![builtin_fn()])]).contains("Function cannot be encoded"));
    assert!(fails("to_json", &[range()]).contains("Range cannot be encoded"));
    assert!(fails("json_pretty", &[map(vec![(s("f"), Value::Float(f64::NAN))])]).contains("NaN"));
    let handle = ok("trace_ref", &[]);
    assert!(fails("to_json", &[handle]).contains("TraceRef cannot be encoded"));
    let mut deep = Value::Null;
    for _ in 0..600 {
        deep = list(vec![deep]);
    }
    assert!(fails("to_json", &[deep]).contains("nested too deeply"));
}

#[test]
fn json_pretty_layout() {
    let v = parse(r#"{"a": [1, {"b": null}], "c": {}, "d": [], "e": "x"}"#);
    let expected =
        "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": \"x\"\n}";
    assert_eq!(shown("json_pretty", &[v]), expected);
    assert_eq!(shown("json_pretty", &[Value::Int(5)]), "5");
    assert_eq!(shown("json_pretty", &[list(vec![Value::Int(1)])]), "[\n  1\n]");
}

#[test]
fn json_round_trips() {
    let texts = [
        r#"{"b":1,"a":[true,null,2.5,"x"],"big":1000000000000000000000000000000.0}"#,
        r#"[]"#,
        r#"{}"#,
        r#"[[[]],{"":{"x y":"\u0000"}}]"#,
        r#"{"n":-0.5,"i":-12,"s":"é😀\"\\","f":3.0}"#,
        r#""just a string""#,
        r#"123456789012"#,
    ];
    for text in texts {
        assert_eq!(json(&parse(text)), text);
        let pretty = shown("json_pretty", &[parse(text)]);
        assert_eq!(parse(&pretty), parse(text), "{pretty}");
    }
    // Lumen value -> JSON -> value.
    let values = [
        map(vec![(s("k"), list(vec![Value::Float(1.5), Value::Int(2), Value::Null]))]),
        list(vec![s("a\u{7f}\u{2028}"), Value::Bool(false), map(vec![])]),
        Value::Float(0.30000000000000004),
        Value::Int(i64::MIN),
    ];
    for v in values {
        assert_eq!(parse(&json(&v)), v);
    }
    // Records, tuples and enums come back as their JSON shapes.
    let back = parse(&json(&book("Dune", 412, &[])));
    assert_eq!(display(&back), r#"{"title": "Dune", "pages": 412, "tags": []}"#);
}

#[test]
fn csv_parse_rfc4180() {
    let rows = ok("csv_parse", &[s("a,\"b,c\",\"d\"\"e\"\r\n1,,3\n\"multi\nline\",x")]);
    assert_eq!(display(&rows), r#"[["a", "b,c", "d\"e"], ["1", "", "3"], ["multi\nline", "x"]]"#);
    assert_eq!(shown("csv_parse", &[s("")]), "[]");
    assert_eq!(shown("csv_parse", &[s("x\n")]), r#"[["x"]]"#);
    assert_eq!(shown("csv_parse", &[s("a,\n\nb")]), r#"[["a", ""], [""], ["b"]]"#);
    assert_eq!(shown("csv_parse", &[s("\"\"")]), r#"[[""]]"#);
    // Lenient with malformed input: a quote inside an unquoted field is literal, an
    // unterminated quote runs to the end, text after a closing quote is kept.
    assert_eq!(shown("csv_parse", &[s("a\"b,\"c\"d,\"open\n")]), r#"[["a\"b", "cd", "open\n"]]"#);
    assert!(fails("csv_parse", &[Value::Null]).contains("expected String"));
}

#[test]
fn csv_encode_quotes_when_needed() {
    let rows = list(vec![
        list(vec![s("a"), s("b,c"), s("d\"e")]),
        list(vec![Value::Int(1), Value::Float(2.5), s("line\nbreak"), s("")]),
        Value::tuple(vec![s("t")]),
    ]);
    let text = shown("csv_encode", std::slice::from_ref(&rows));
    assert_eq!(text, "a,\"b,c\",\"d\"\"e\"\n1,2.5,\"line\nbreak\",\nt\n");
    assert_eq!(shown("csv_encode", &[list(vec![])]), "");
    let strings = list(vec![list(vec![s("x,y"), s("\"q\""), s("")]), list(vec![s("cr\r\nlf")])]);
    let encoded = ok("csv_encode", std::slice::from_ref(&strings));
    assert_eq!(ok("csv_parse", &[encoded]), strings);
    assert!(fails("csv_encode", &[s("a,b")]).contains("expected list[list[String]]"));
    assert!(fails("csv_encode", &[list(vec![s("a")])]).contains("list of fields"));
}

#[test]
fn base64_and_hex() {
    assert_eq!(shown("base64_encode", &[s("hi")]), "aGk=");
    assert_eq!(shown("base64_encode", &[s("")]), "");
    assert_eq!(shown("base64_encode", &[Value::bytes(vec![0xff, 0xfe, 0xfd, 0xfc])]), "//79/A==");
    assert_eq!(ok("base64_decode", &[s("//79/A==")]), Value::bytes(vec![0xff, 0xfe, 0xfd, 0xfc]));
    assert_eq!(ok("base64_decode", &[s("aGk=")]), Value::bytes(b"hi".to_vec()));
    for bad in ["!!", "aGk", "aGk==", "a", "aG k="] {
        assert!(fails("base64_decode", &[s(bad)]).contains("invalid base64"), "{bad}");
    }
    assert!(fails("base64_encode", &[Value::Int(1)]).contains("expected String or Bytes"));
    assert!(fails("base64_decode", &[Value::bytes(vec![])]).contains("expected String"));

    assert_eq!(shown("hex_encode", &[Value::bytes(vec![0xca, 0xfe, 0x01])]), "cafe01");
    assert_eq!(shown("hex_encode", &[s("é")]), "c3a9");
    assert_eq!(ok("hex_decode", &[s("CAfe01")]), Value::bytes(vec![0xca, 0xfe, 0x01]));
    assert_eq!(ok("hex_decode", &[s("")]), Value::bytes(vec![]));
    assert!(fails("hex_decode", &[s("abc")]).contains("odd number"));
    assert!(fails("hex_decode", &[s("zz")]).contains("invalid hex digit `z`"));
    assert!(fails("hex_decode", &[s("é0")]).contains("invalid hex digit `é`"));
    assert!(fails("hex_encode", &[Value::Null]).contains("expected String or Bytes"));
}

#[test]
fn url_encoding() {
    assert_eq!(shown("url_encode", &[s("a b&c=d/é~_.-")]), "a%20b%26c%3Dd%2F%C3%A9~_.-");
    assert_eq!(shown("url_decode", &[s("a%20b%26c%3dd%2F%C3%A9~+")]), "a b&c=d/é~+");
    let text = s("100% sure? ünïcödé / ok");
    assert_eq!(ok("url_decode", &[ok("url_encode", std::slice::from_ref(&text))]), text);
    assert!(fails("url_decode", &[s("50%")]).contains("invalid percent-escape at byte 2"));
    assert!(fails("url_decode", &[s("%g0")]).contains("invalid percent-escape"));
    assert!(fails("url_decode", &[s("%ff")]).contains("not valid UTF-8"));
    assert!(fails("url_encode", &[Value::Int(3)]).contains("expected String"));
}

#[test]
fn regex_builtins() {
    let pat = s(r"([a-z]+)(\d+)?");
    assert_eq!(shown("regex_match", &[s("--ab12"), pat.clone()]), r#"["ab12", "ab", "12"]"#);
    assert_eq!(shown("regex_match", &[s("--ab"), pat.clone()]), r#"["ab", "ab", ""]"#);
    assert_eq!(ok("regex_match", &[s("123"), pat]), Value::Null);
    assert_eq!(shown("regex_find_all", &[s("a1b22c333"), s(r"\d+")]), r#"["1", "22", "333"]"#);
    assert_eq!(shown("regex_find_all", &[s("abc"), s(r"\d")]), "[]");
    assert_eq!(shown("regex_find_all", &[s("héllo wörld"), s(r"\w+")]), r#"["héllo", "wörld"]"#);

    let replace = |text: &str, pat: &str, rep: &str| shown("regex_replace", &[s(text), s(pat), s(rep)]);
    assert_eq!(replace("a1b2", r"(\d)", "<$1>"), "a<1>b<2>");
    assert_eq!(replace("a1b2", r"(\d)", "$1x"), "a1xb2x");
    assert_eq!(replace("2024-01-15", r"(?P<y>\d+)-(?P<m>\d+)-(?P<d>\d+)", "${d}/$m/${y}"), "15/01/2024");
    assert_eq!(replace("cost 5", r"(\d)", "$$$1"), "cost $5");
    assert_eq!(replace("ab", "(a)", "[$2$nope${9}]$"), "[]$b");
    assert_eq!(replace("ab", "a", "${open"), "${openb");
    assert_eq!(replace("aaa", "a*", "-"), "-");

    for name in ["regex_match", "regex_find_all"] {
        assert!(fails(name, &[s("x"), s("(")]).contains("invalid regex"));
    }
    assert!(fails("regex_replace", &[s("x"), s("[z-a]"), s("")]).contains("invalid regex"));
    assert!(fails("regex_replace", &[s("x"), s("x"), Value::Int(1)]).contains("expected String"));
    assert!(fails("regex_match", &[Value::Int(1), s("x")]).contains("expected String"));
    assert!(fails("regex_match", &[s("a"), s(r"\1")]).contains("invalid regex"));
    // More patterns than the cache holds.
    for i in 1..=(2 * pattern::CACHE_SIZE) {
        let found = ok("regex_find_all", &[s("x7y77"), s(&format!("7{{1,{i}}}"))]);
        assert_eq!(display(&found), if i == 1 { r#"["7", "7", "7"]"# } else { r#"["7", "77"]"# });
    }
}

#[test]
fn hashes() {
    let abc256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(shown("sha256", &[s("abc")]), abc256);
    assert_eq!(shown("sha256", &[Value::bytes(b"abc".to_vec())]), abc256);
    assert_eq!(shown("hash", &[s("abc")]), format!("sha256:{abc256}"));
    assert_eq!(shown("hash", &[s("")]).len(), 71);
    assert_eq!(
        shown("sha512", &[s("abc")]),
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
         2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    );
    assert_eq!(shown("sha512", &[Value::bytes(vec![])]).len(), 128);
    for name in ["hash", "sha256", "sha512"] {
        assert!(fails(name, &[Value::Int(1)]).contains("expected String or Bytes"));
    }
}

fn diff_ops(a: &Value, b: &Value) -> String {
    shown("diff", &[a.clone(), b.clone()])
}

fn assert_round_trip(a: &Value, b: &Value) {
    let ops = ok("diff", &[a.clone(), b.clone()]);
    let patched = ok("patch", &[a.clone(), ops.clone()]);
    assert_eq!(patched, *b, "patch({}, {}) != {}", display(a), display(&ops), display(b));
}

#[test]
fn diff_operations() {
    let a = parse(r#"{"debug": false, "port": 80, "old": 1}"#);
    let b = parse(r#"{"debug": true, "port": 80, "new": [1]}"#);
    assert_eq!(
        diff_ops(&a, &b),
        r#"[{"op": "replace", "path": "/debug", "value": true}, {"op": "remove", "path": "/old"}, {"op": "add", "path": "/new", "value": [1]}]"#
    );
    assert_eq!(diff_ops(&a, &a), "[]");
    assert_eq!(diff_ops(&Value::Int(1), &Value::Float(1.0)), "[]");
    let (x, y) = (parse("[1, 2, 3, 4]"), parse("[1, 5]"));
    assert_eq!(
        diff_ops(&x, &y),
        r#"[{"op": "replace", "path": "/1", "value": 5}, {"op": "remove", "path": "/3"}, {"op": "remove", "path": "/2"}]"#
    );
    assert_eq!(
        diff_ops(&y, &x),
        r#"[{"op": "replace", "path": "/1", "value": 2}, {"op": "add", "path": "/2", "value": 3}, {"op": "add", "path": "/3", "value": 4}]"#
    );
    let escaped = parse(r#"{"a/b": {"m~n": 1}}"#);
    let changed = parse(r#"{"a/b": {"m~n": 2}}"#);
    assert_eq!(diff_ops(&escaped, &changed), r#"[{"op": "replace", "path": "/a~1b/m~0n", "value": 2}]"#);
    assert_eq!(diff_ops(&Value::Int(1), &s("x")), r#"[{"op": "replace", "path": "", "value": "x"}]"#);
    assert_eq!(
        diff_ops(&book("Dune", 412, &["sf"]), &book("Dune", 500, &["sf", "classic"])),
        r#"[{"op": "replace", "path": "/pages", "value": 500}, {"op": "add", "path": "/tags/1", "value": "classic"}]"#
    );
}

#[test]
fn patch_of_diff_gives_the_target() {
    let pairs = [
        (r#"{"a": 1, "b": 2}"#, r#"{"a": 1, "b": 3, "c": 4}"#),
        (r#"{"x": [1, 2], "y": {"z": true}}"#, r#"{"x": [1, 5], "y": {}}"#),
        (r#"[1, 2, 3]"#, r#"[1]"#),
        (r#"[]"#, r#"[{"a": []}, 2]"#),
        (r#"{"k": "v"}"#, r#"{"k": "v"}"#),
        (r#"{"k": [1, {"deep": [1, 2]}]}"#, r#"{"k": [1, {"deep": [2]}, 3]}"#),
        (r#"{"a/b": 1, "~": 2}"#, r#"{"a/b": 2, "~": {"x": 1}, "": 0}"#),
        (r#"[[1, 2], [3]]"#, r#"[[], [3, 4, 5], 6]"#),
        (r#"{"a": 1}"#, r#"[1]"#),
        (r#"null"#, r#"{"a": null}"#),
        (r#"{"b": 1, "a": 2}"#, r#"{"a": 2, "b": 1}"#),
    ];
    for (a, b) in pairs {
        assert_round_trip(&parse(a), &parse(b));
        assert_round_trip(&parse(b), &parse(a));
        // Operations between JSON values are themselves JSON data.
        let ops = ok("diff", &[parse(a), parse(b)]);
        assert_eq!(parse(&json(&ops)), ops);
    }
    let int_keys = |entries: &[(i64, &str)]| map(entries.iter().map(|(k, v)| (Value::Int(*k), s(v))).collect());
    let values = [
        (book("A", 1, &[]), book("B", 2, &["x", "y"])),
        (Value::tuple(vec![Value::Int(1), s("a")]), Value::tuple(vec![Value::Int(1), s("b")])),
        (Value::tuple(vec![Value::Int(1)]), Value::tuple(vec![Value::Int(1), Value::Int(2)])),
        (int_keys(&[(1, "a")]), int_keys(&[(1, "b"), (2, "c")])),
        (map(vec![]), int_keys(&[(2, "c")])),
        (shape(1, vec![Value::Float(1.0)]), shape(1, vec![Value::Float(2.0)])),
        (list(vec![book("A", 1, &[])]), list(vec![book("A", 1, &["t"]), Value::Null])),
        (Value::bytes(vec![1]), Value::bytes(vec![1, 2])),
    ];
    for (a, b) in &values {
        assert_round_trip(a, b);
        assert_round_trip(b, a);
    }
}

fn op(kind: &str, path: &str, value: Option<Value>) -> Value {
    let mut entries = vec![(s("op"), s(kind)), (s("path"), s(path))];
    if let Some(v) = value {
        entries.push((s("value"), v));
    }
    map(entries)
}

fn from_op(kind: &str, from: &str, path: &str) -> Value {
    map(vec![(s("op"), s(kind)), (s("from"), s(from)), (s("path"), s(path))])
}

#[test]
fn patch_operations() {
    let doc = parse(r#"{"a": [1, 2], "b": {"c": "x"}}"#);
    let run = |ops: Vec<Value>| shown("patch", &[doc.clone(), list(ops)]);
    assert_eq!(run(vec![op("add", "/a/-", Some(Value::Int(3)))]), r#"{"a": [1, 2, 3], "b": {"c": "x"}}"#);
    assert_eq!(run(vec![op("add", "/a/0", Some(Value::Int(0)))]), r#"{"a": [0, 1, 2], "b": {"c": "x"}}"#);
    assert_eq!(run(vec![op("add", "/b/c", Some(Value::Int(9)))]), r#"{"a": [1, 2], "b": {"c": 9}}"#);
    assert_eq!(run(vec![op("remove", "/a/0", None)]), r#"{"a": [2], "b": {"c": "x"}}"#);
    assert_eq!(run(vec![op("replace", "", Some(Value::Int(1)))]), "1");
    assert_eq!(run(vec![from_op("move", "/b/c", "/a/1")]), r#"{"a": [1, "x", 2], "b": {}}"#);
    assert_eq!(run(vec![from_op("copy", "/a", "/d")]), r#"{"a": [1, 2], "b": {"c": "x"}, "d": [1, 2]}"#);
    assert_eq!(run(vec![op("test", "/a/1", Some(Value::Float(2.0)))]), display(&doc));
    // Record fields and tuple elements can be replaced.
    let r = ok("patch", &[book("A", 1, &[]), list(vec![op("replace", "/pages", Some(Value::Int(7)))])]);
    assert_eq!(r, book("A", 7, &[]));
    let t = ok("patch", &[Value::tuple(vec![Value::Int(1)]), list(vec![op("replace", "/0", Some(s("z")))])]);
    assert_eq!(t, Value::tuple(vec![s("z")]));
    // The input is not changed (value semantics).
    let _ = run(vec![op("remove", "/b", None)]);
    assert_eq!(display(&doc), r#"{"a": [1, 2], "b": {"c": "x"}}"#);
}

#[test]
fn patch_errors() {
    let doc = parse(r#"{"a": [1, 2], "b": {"c": "x"}}"#);
    let fail = |ops: Vec<Value>| fails("patch", &[doc.clone(), list(ops)]);
    assert!(fail(vec![op("remove", "/zz", None)]).contains("patch: remove /zz: no key `zz`"));
    assert!(fail(vec![op("replace", "/a/2", Some(Value::Null))]).contains("out of range"));
    assert!(fail(vec![op("add", "/a/5", Some(Value::Null))]).contains("out of range"));
    assert!(fail(vec![op("add", "/a/01", Some(Value::Null))]).contains("invalid array index `01`"));
    assert!(fail(vec![op("remove", "/a/-", None)]).contains("invalid array index `-`"));
    assert!(fail(vec![op("add", "/b/c/d", Some(Value::Null))]).contains("cannot add to a String"));
    assert!(fail(vec![op("add", "/x/y", Some(Value::Null))]).contains("no key `x`"));
    assert!(fail(vec![op("add", "a", Some(Value::Null))]).contains("must be empty or start with `/`"));
    assert!(fail(vec![op("add", "/a", None)]).contains("missing `value`"));
    assert!(fail(vec![op("remove", "", None)]).contains("cannot remove the whole document"));
    assert!(fail(vec![op("frob", "/a", None)]).contains("unknown operation `frob`"));
    assert!(fail(vec![op("test", "/b/c", Some(s("y")))]).contains("test failed"));
    assert!(fail(vec![from_op("move", "/b", "/b/c")]).contains("into itself"));
    assert!(fail(vec![from_op("copy", "/nope", "/b")]).contains("from /nope: no key `nope`"));
    assert!(fail(vec![s("add")]).contains("operation 0 must be a map"));
    assert!(fail(vec![map(vec![(s("op"), s("add"))])]).contains("no `path` string"));
    assert!(fails("patch", &[doc.clone(), s("ops")]).contains("expected a list of operations"));
    let rec = book("A", 1, &[]);
    assert!(
        fails("patch", &[rec.clone(), list(vec![op("remove", "/pages", None)])]).contains("cannot remove from a Book")
    );
    assert!(fails("patch", &[rec, list(vec![op("add", "/nope", Some(Value::Null))])]).contains("no field `nope`"));
    let tuple = Value::tuple(vec![Value::Int(1)]);
    assert!(fails("patch", &[tuple, list(vec![op("add", "/1", Some(Value::Null))])]).contains("cannot add to a Tuple"));
}

#[test]
fn redact_maps_records_and_lists() {
    let user = parse(r#"{"name": "Ann", "token": "abc", "nested": [{"token": 5, "keep": 1}], "n": {"email": null}}"#);
    let fields = list(vec![s("token"), s("email")]);
    assert_eq!(
        shown("redact", &[user.clone(), fields.clone()]),
        r#"{"name": "Ann", "token": "[REDACTED]", "nested": [{"token": "[REDACTED]", "keep": 1}], "n": {"email": "[REDACTED]"}}"#
    );
    // Record fields keep their type: strings are hidden, other kinds become their zero.
    let hidden = ok("redact", &[book("Secret", 412, &["x"]), list(vec![s("title"), s("pages"), s("tags")])]);
    assert_eq!(display(&hidden), r#"Book(title: "[REDACTED]", pages: 0, tags: [])"#);
    let ty = Rc::new(RecordType {
        id: 42,
        name: Rc::from("Secrets"),
        fields: ["f", "b", "nil", "m", "t", "inner", "e"].iter().map(|f| Rc::from(*f)).collect(),
        validator: None,
    });
    let fields_of = vec![
        Value::Float(2.5),
        Value::Bool(true),
        Value::Null,
        map(vec![(s("k"), Value::Int(1))]),
        Value::tuple(vec![Value::Int(3), s("x")]),
        list(vec![user.clone()]),
        shape(0, vec![]),
    ];
    let secrets = Value::Record(Rc::new(RecordObj { ty, fields: fields_of }));
    let names: SetObj = ["f", "b", "nil", "m", "t", "e", "token"].iter().map(|n| s(n)).collect();
    assert_eq!(
        shown("redact", &[secrets, Value::set(names)]),
        r#"Secrets(f: 0.0, b: false, nil: null, m: {}, t: (0, "[REDACTED]"), inner: [{"name": "Ann", "token": "[REDACTED]", "nested": [{"token": "[REDACTED]", "keep": 1}], "n": {"email": null}}], e: "[REDACTED]")"#
    );
    assert_eq!(ok("redact", &[Value::Int(3), fields.clone()]), Value::Int(3));
    assert!(fails("redact", &[user.clone(), s("token")]).contains("expected list[String]"));
    assert!(fails("redact", &[user, list(vec![Value::Int(1)])]).contains("expected String"));
}

#[test]
fn matches_is_truthiness() {
    let cases = [
        (Value::Bool(true), true),
        (Value::Bool(false), false),
        (Value::Int(1), true),
        (Value::Int(0), false),
        (Value::Float(f64::NAN), false),
        (s("text"), true),
        (s(""), false),
        (list(vec![Value::Int(0)]), true),
        (list(vec![]), false),
        (Value::Null, false),
        (book("A", 0, &[]), true),
    ];
    for (v, expected) in cases {
        assert_eq!(ok("matches", std::slice::from_ref(&v)), Value::Bool(expected), "{}", display(&v));
    }
}

#[test]
fn validate_checks_json_representability() {
    for v in [s("anything"), parse(r#"{"a": [1, 2.5, null]}"#), book("A", 1, &["x"]), shape(1, vec![Value::Int(1)])] {
        assert_eq!(ok("validate", &[v]), Value::Bool(true));
    }
    let bad = [
        Value::Float(f64::INFINITY),
        list(vec![Value::Float(f64::NAN)]),
        map(vec![(s("f"), builtin_fn())]),
        range(),
        ok("trace_ref", &[]),
    ];
    for v in bad {
        assert_eq!(ok("validate", std::slice::from_ref(&v)), Value::Bool(false), "{}", display(&v));
        assert!(call("to_json", &[v]).is_err());
    }
}

#[test]
fn trace_ref_is_a_handle() {
    let r = ok("trace_ref", &[]);
    assert_eq!(r.type_name(), "TraceRef");
    assert_eq!(r, r.clone());
}
