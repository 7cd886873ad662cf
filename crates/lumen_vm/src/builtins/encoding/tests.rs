use super::*;
use crate::host::TestHost;

fn call(name: &str, args: &[Value]) -> BuiltinResult {
    let mut host = TestHost::default();
    let id = crate::builtins::lookup(name).expect("builtin");
    crate::builtins::call(id, &mut Ctx { host: &mut host }, args)
}

fn shown(name: &str, args: &[Value]) -> String {
    crate::display::display(&call(name, args).expect("ok"))
}

#[test]
fn json_round_trip_keeps_order_and_kinds() {
    let text = Value::str(r#"{"b": 1, "a": [true, null, 2.5, "x"], "big": 1e30}"#);
    let parsed = call("json_parse", &[text]).expect("parse");
    let (ok, v) = parsed.as_result().expect("result");
    assert!(ok);
    assert_eq!(
        shown("to_json", std::slice::from_ref(v)),
        r#"{"b":1,"a":[true,null,2.5,"x"],"big":1000000000000000000000000000000.0}"#
    );
    let bad = call("json_parse", &[Value::str("{oops")]).expect("result");
    assert_eq!(bad.as_result().map(|r| r.0), Some(false));
    assert!(call("to_json", &[Value::Float(f64::NAN)]).is_err());
    assert_eq!(shown("json_pretty", &[Value::list(vec![Value::Int(1)])]), "[\n  1\n]");
}

#[test]
fn diff_and_patch_round_trip() {
    let parse = |s: &str| call("json_parse", &[Value::str(s)]).expect("parse").as_result().expect("ok").1.clone();
    let cases = [
        (r#"{"a": 1, "b": 2}"#, r#"{"a": 1, "b": 3, "c": 4}"#),
        (r#"{"x": [1, 2], "y": {"z": true}}"#, r#"{"x": [1, 5], "y": {}}"#),
        (r#"[1, 2, 3]"#, r#"[1]"#),
        (r#"{"k": "v"}"#, r#"{"k": "v"}"#),
    ];
    for (a, b) in cases {
        let (a, b) = (parse(a), parse(b));
        let ops = call("diff", &[a.clone(), b.clone()]).expect("diff");
        assert_eq!(call("patch", &[a, ops]).expect("patch"), b);
    }
}

#[test]
fn hashes_and_encodings() {
    assert_eq!(shown("sha256", &[Value::str("")]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(shown("hash", &[Value::str("")]).len(), 71);
    assert_eq!(shown("base64_encode", &[Value::str("hi")]), "aGk=");
    assert_eq!(call("base64_decode", &[Value::str("aGk=")]), Ok(Value::bytes(b"hi".to_vec())));
    assert!(call("base64_decode", &[Value::str("!!")]).is_err());
    assert_eq!(shown("hex_encode", &[Value::bytes(vec![0xca, 0xfe])]), "cafe");
    assert!(call("hex_decode", &[Value::str("abc")]).is_err());
    assert_eq!(shown("url_encode", &[Value::str("a b&c")]), "a%20b%26c");
    assert_eq!(shown("url_decode", &[Value::str("a%20b")]), "a b");
}

#[test]
fn csv_and_regex() {
    let rows = call("csv_parse", &[Value::str("a,\"b,c\",\"d\"\"e\"\n1,2,3\n")]).expect("csv");
    assert_eq!(crate::display::display(&rows), r#"[["a", "b,c", "d\"e"], ["1", "2", "3"]]"#);
    assert_eq!(shown("csv_encode", &[rows]), "a,\"b,c\",\"d\"\"e\"\n1,2,3\n");
    assert_eq!(shown("regex_match", &[Value::str("ab12"), Value::str("([a-z]+)(\\d+)")]), r#"["ab12", "ab", "12"]"#);
    assert_eq!(shown("regex_find_all", &[Value::str("a1b22"), Value::str("\\d+")]), r#"["1", "22"]"#);
    assert_eq!(shown("regex_replace", &[Value::str("a1b2"), Value::str("(\\d)"), Value::str("<$1>")]), "a<1>b<2>");
    assert!(call("regex_match", &[Value::str("x"), Value::str("(")]).unwrap_err().0.contains("invalid regex"));
}

#[test]
fn integrity_helpers() {
    assert_eq!(call("matches", &[Value::str("")]), Ok(Value::Bool(false)));
    assert_eq!(call("validate", &[Value::list(vec![Value::Int(1)])]), Ok(Value::Bool(true)));
    assert_eq!(call("validate", &[Value::Float(f64::INFINITY)]), Ok(Value::Bool(false)));
    let mut m = MapObj::default();
    m.insert(Value::str("token"), Value::str("abc"));
    m.insert(Value::str("name"), Value::str("Ann"));
    let cleaned = call("redact", &[Value::map(m), Value::list(vec![Value::str("token")])]).expect("redact");
    assert_eq!(crate::display::display(&cleaned), r#"{"token": "[REDACTED]", "name": "Ann"}"#);
    assert_eq!(call("trace_ref", &[]).map(|v| v.type_name()), Ok("TraceRef".to_string()));
}
