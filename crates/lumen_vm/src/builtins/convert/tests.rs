use super::*;
use crate::builtins::BuiltinFn;
use crate::host::TestHost;
use crate::value::RangeObj;

fn call(f: BuiltinFn, args: &[Value]) -> BuiltinResult {
    let mut host = TestHost::default();
    f(&mut Ctx { host: &mut host }, args)
}

fn ok(f: BuiltinFn, args: &[Value]) -> Value {
    call(f, args).unwrap_or_else(|e| panic!("unexpected error: {}", e.0))
}

fn fails(f: BuiltinFn, args: &[Value]) -> String {
    call(f, args).expect_err("expected an error").0
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn ints(xs: &[i64]) -> Value {
    Value::list(xs.iter().map(|x| Value::Int(*x)).collect())
}

fn range(start: i64, end: i64, step: i64, inclusive: bool) -> Value {
    Value::Range(std::rc::Rc::new(RangeObj { start, end, inclusive, step, explicit_step: step != 1 }))
}

fn result(v: &Value) -> (bool, Value) {
    let (is_ok, payload) = v.as_result().expect("a result");
    (is_ok, payload.clone())
}

#[test]
fn to_string_uses_the_display_form() {
    assert_eq!(ok(to_string, &[Value::Int(42)]), s("42"));
    assert_eq!(ok(to_string, &[Value::Float(4.0)]), s("4.0"));
    assert_eq!(ok(to_string, &[Value::Null]), s("null"));
    assert_eq!(ok(to_string, &[Value::Bool(false)]), s("false"));
    assert_eq!(ok(to_string, &[s("raw")]), s("raw"));
    assert_eq!(ok(to_string, &[Value::list(vec![s("a"), Value::Int(1)])]), s("[\"a\", 1]"));
    assert_eq!(ok(to_string, &[make_result(true, Value::Int(1))]), s("ok(1)"));
}

#[test]
fn to_int_is_lenient() {
    assert_eq!(ok(to_int, &[Value::Int(5)]), Value::Int(5));
    assert_eq!(ok(to_int, &[Value::Float(9.99)]), Value::Int(9));
    assert_eq!(ok(to_int, &[Value::Float(-3.99)]), Value::Int(-3));
    assert_eq!(ok(to_int, &[Value::Float(f64::NAN)]), Value::Null);
    assert_eq!(ok(to_int, &[Value::Float(f64::INFINITY)]), Value::Null);
    assert_eq!(ok(to_int, &[Value::Float(9.3e18)]), Value::Null);
    assert_eq!(ok(to_int, &[Value::Float(-9_223_372_036_854_775_808.0)]), Value::Int(i64::MIN));
    assert_eq!(ok(to_int, &[Value::Float(9_223_372_036_854_775_808.0)]), Value::Null);
    assert_eq!(ok(to_int, &[s("123")]), Value::Int(123));
    assert_eq!(ok(to_int, &[s("0042")]), Value::Int(42));
    assert_eq!(ok(to_int, &[s("  -8\n")]), Value::Int(-8));
    assert_eq!(ok(to_int, &[s("+7")]), Value::Int(7));
    assert_eq!(ok(to_int, &[s("-9223372036854775808")]), Value::Int(i64::MIN));
    for bad in ["12abc", "", "1.5", "abc", "-", "+", " ", "1 2", "9223372036854775808", "0x10", "١٢", "--1"] {
        assert_eq!(ok(to_int, &[s(bad)]), Value::Null, "{bad:?}");
    }
    assert_eq!(ok(to_int, &[Value::Bool(true)]), Value::Int(1));
    assert_eq!(ok(to_int, &[Value::Bool(false)]), Value::Int(0));
    assert_eq!(ok(to_int, &[Value::Null]), Value::Null);
    assert!(fails(to_int, &[ints(&[1])]).contains("expected"));
}

#[test]
fn to_float_is_lenient() {
    assert_eq!(ok(to_float, &[Value::Int(3)]), Value::Float(3.0));
    assert_eq!(ok(to_float, &[Value::Float(2.5)]), Value::Float(2.5));
    assert_eq!(ok(to_float, &[s("2.5")]), Value::Float(2.5));
    assert_eq!(ok(to_float, &[s("1e3")]), Value::Float(1000.0));
    assert_eq!(ok(to_float, &[s("-0.5")]), Value::Float(-0.5));
    assert_eq!(ok(to_float, &[s(" 7 ")]), Value::Float(7.0));
    assert_eq!(ok(to_float, &[s("INF")]), Value::Float(f64::INFINITY));
    assert_eq!(ok(to_float, &[s("-inf")]), Value::Float(f64::NEG_INFINITY));
    assert!(matches!(ok(to_float, &[s("NaN")]), Value::Float(f) if f.is_nan()));
    for bad in ["x", "", "1.2.3", "infinity", "1e", "0x1p3"] {
        assert_eq!(ok(to_float, &[s(bad)]), Value::Null, "{bad:?}");
    }
    assert_eq!(ok(to_float, &[Value::Null]), Value::Null);
    assert!(fails(to_float, &[Value::Bool(true)]).contains("expected"));
}

#[test]
fn parse_int_returns_results() {
    assert_eq!(result(&ok(parse_int, &[s("42")])), (true, Value::Int(42)));
    assert_eq!(result(&ok(parse_int, &[s("ff"), Value::Int(16)])), (true, Value::Int(255)));
    assert_eq!(result(&ok(parse_int, &[s("-FF"), Value::Int(16)])), (true, Value::Int(-255)));
    assert_eq!(result(&ok(parse_int, &[s("1010"), Value::Int(2)])), (true, Value::Int(10)));
    assert_eq!(result(&ok(parse_int, &[s("zz"), Value::Int(36)])), (true, Value::Int(1295)));
    assert_eq!(result(&ok(parse_int, &[s("x")])), (false, s("invalid integer: \"x\"")));
    assert_eq!(result(&ok(parse_int, &[s("12"), Value::Int(2)])), (false, s("invalid integer: \"12\"")));
    let (is_ok, msg) = result(&ok(parse_int, &[s("99999999999999999999")]));
    assert!(!is_ok && display(&msg).contains("overflow"));
    assert!(fails(parse_int, &[s("1"), Value::Int(1)]).contains("base"));
    assert!(fails(parse_int, &[s("1"), Value::Int(37)]).contains("base"));
    assert!(fails(parse_int, &[Value::Int(1)]).contains("expected String"));
    assert!(fails(parse_int, &[s("1"), s("10")]).contains("expected Int"));
}

#[test]
fn parse_float_returns_results() {
    assert_eq!(result(&ok(parse_float, &[s("2.5")])), (true, Value::Float(2.5)));
    assert_eq!(result(&ok(parse_float, &[s("1e-3")])), (true, Value::Float(0.001)));
    assert_eq!(result(&ok(parse_float, &[s("abc")])), (false, s("invalid float: \"abc\"")));
    assert!(fails(parse_float, &[Value::Float(1.0)]).contains("expected String"));
}

#[test]
fn to_bool_is_truthiness() {
    let falsy = [
        Value::Null,
        Value::Bool(false),
        Value::Int(0),
        Value::Float(0.0),
        Value::Float(f64::NAN),
        s(""),
        Value::bytes(vec![]),
        ints(&[]),
        Value::tuple(vec![]),
        Value::set(SetObj::default()),
        Value::map(MapObj::default()),
    ];
    for v in falsy {
        assert_eq!(ok(to_bool, std::slice::from_ref(&v)), Value::Bool(false), "{v:?}");
    }
    for v in [Value::Int(1), s("a"), ints(&[0]), Value::Float(-0.5)] {
        assert_eq!(ok(to_bool, std::slice::from_ref(&v)), Value::Bool(true), "{v:?}");
    }
}

#[test]
fn to_list_materializes() {
    assert_eq!(ok(to_list, &[range(0, 4, 1, false)]), ints(&[0, 1, 2, 3]));
    assert_eq!(ok(to_list, &[range(1, 5, 1, true)]), ints(&[1, 2, 3, 4, 5]));
    assert_eq!(ok(to_list, &[range(10, 0, -3, false)]), ints(&[10, 7, 4, 1]));
    assert_eq!(ok(to_list, &[range(0, 10, 5, true)]), ints(&[0, 5, 10]));
    assert_eq!(ok(to_list, &[range(5, 0, 1, false)]), ints(&[]));
    assert_eq!(ok(to_list, &[range(i64::MAX - 1, i64::MAX, 1, true)]), ints(&[i64::MAX - 1, i64::MAX]));
    assert!(fails(to_list, &[range(0, i64::MAX, 1, false)]).contains("too large"));
    assert_eq!(ok(to_list, &[s("día")]), Value::list(vec![s("d"), s("í"), s("a")]));
    let set: SetObj = [Value::Int(3), Value::Int(1)].into_iter().collect();
    assert_eq!(ok(to_list, &[Value::set(set)]), ints(&[3, 1]));
    let mut map = MapObj::default();
    map.insert(s("k"), Value::Int(1));
    assert_eq!(ok(to_list, &[Value::map(map)]), Value::list(vec![Value::tuple(vec![s("k"), Value::Int(1)])]));
    assert_eq!(ok(to_list, &[Value::tuple(vec![Value::Int(1)])]), ints(&[1]));
    assert_eq!(ok(to_list, &[ints(&[2])]), ints(&[2]));
    assert_eq!(ok(to_list, &[Value::bytes(vec![0xca, 0xfe])]), ints(&[0xca, 0xfe]));
    assert!(fails(to_list, &[Value::Int(1)]).contains("expected an iterable"));
}

#[test]
fn to_set_drops_duplicates() {
    let set = ok(to_set, &[ints(&[4, 1, 4, 2])]);
    assert_eq!(display(&set), "set[4, 1, 2]");
    assert_eq!(display(&ok(to_set, &[s("abca")])), "set[\"a\", \"b\", \"c\"]");
    assert_eq!(display(&ok(to_set, std::slice::from_ref(&set))), "set[4, 1, 2]");
    let f = Value::Func(std::rc::Rc::new(crate::value::FuncObj::Builtin { id: 0, name: "print".into() }));
    assert!(fails(to_set, &[Value::list(vec![f.clone()])]).contains("cannot be a set element"));
    assert!(fails(to_set, &[Value::list(vec![Value::list(vec![f])])]).contains("cannot be"));
    assert!(fails(to_set, &[Value::Null]).contains("expected"));
}

#[test]
fn to_map_later_duplicates_overwrite() {
    let pairs = Value::list(vec![
        Value::tuple(vec![s("a"), Value::Int(1)]),
        Value::tuple(vec![s("b"), Value::Int(2)]),
        Value::list(vec![s("a"), Value::Int(3)]),
    ]);
    assert_eq!(display(&ok(to_map, &[pairs])), "{\"a\": 3, \"b\": 2}");
    assert_eq!(display(&ok(to_map, &[ints(&[])])), "{}");
    assert!(fails(to_map, &[ints(&[1])]).contains("pair"));
    assert!(fails(to_map, &[Value::list(vec![Value::tuple(vec![Value::Int(1)])])]).contains("pair"));
    assert!(fails(to_map, &[Value::Int(3)]).contains("expected"));
}

#[test]
fn bytes_conversions() {
    assert_eq!(ok(to_bytes, &[s("é")]), Value::bytes(vec![0xc3, 0xa9]));
    assert!(fails(to_bytes, &[Value::Int(1)]).contains("expected String"));
    assert_eq!(ok(from_utf8, &[Value::bytes(vec![0x68, 0x69])]), s("hi"));
    assert!(fails(from_utf8, &[Value::bytes(vec![0x68, 0xff])]).contains("invalid UTF-8"));
    assert!(fails(from_utf8, &[s("x")]).contains("expected Bytes"));
}

#[test]
fn ord_and_chr() {
    assert_eq!(ok(ord, &[s("A")]), Value::Int(65));
    assert_eq!(ok(ord, &[s("🙂")]), Value::Int(0x1F642));
    assert!(fails(ord, &[s("ab")]).contains("one-character"));
    assert!(fails(ord, &[s("")]).contains("one-character"));
    assert!(fails(ord, &[Value::Int(1)]).contains("expected String"));
    assert_eq!(ok(chr, &[Value::Int(97)]), s("a"));
    assert_eq!(ok(chr, &[Value::Int(0x10FFFF)]), s("\u{10FFFF}"));
    for bad in [0xD800, 0x110000, -1, i64::MAX] {
        assert!(fails(chr, &[Value::Int(bad)]).contains("not a Unicode scalar value"));
    }
    assert!(fails(chr, &[s("a")]).contains("expected Int"));
}

#[test]
fn length_of_every_kind() {
    assert_eq!(ok(length, &[s("naïve café")]), Value::Int(10));
    assert_eq!(ok(length, &[s("🙂🙃")]), Value::Int(2));
    assert_eq!(ok(length, &[Value::bytes(vec![1, 2, 3])]), Value::Int(3));
    assert_eq!(ok(length, &[ints(&[1, 2])]), Value::Int(2));
    assert_eq!(ok(length, &[Value::tuple(vec![Value::Null; 4])]), Value::Int(4));
    assert_eq!(ok(length, &[Value::set([Value::Int(1)].into_iter().collect())]), Value::Int(1));
    assert_eq!(ok(length, &[range(0, 10, 1, false)]), Value::Int(10));
    assert_eq!(ok(length, &[range(0, 10, 3, false)]), Value::Int(4));
    assert_eq!(ok(length, &[range(0, 9, 3, true)]), Value::Int(4));
    assert_eq!(ok(length, &[range(0, 9, 3, false)]), Value::Int(3));
    assert_eq!(ok(length, &[range(3, 3, 1, false)]), Value::Int(0));
    assert_eq!(ok(length, &[range(3, 3, 1, true)]), Value::Int(1));
    assert_eq!(ok(length, &[range(i64::MIN, i64::MAX, i64::MAX, true)]), Value::Int(3));
    assert!(fails(length, &[range(i64::MIN, i64::MAX, 1, true)]).contains("overflow"));
    assert!(fails(length, &[Value::Int(3)]).contains("expected"));
    assert!(fails(length, &[Value::Null]).contains("got Null"));
}

#[test]
fn is_empty_follows_length() {
    assert_eq!(ok(is_empty, &[ints(&[])]), Value::Bool(true));
    assert_eq!(ok(is_empty, &[ints(&[0])]), Value::Bool(false));
    assert_eq!(ok(is_empty, &[s("")]), Value::Bool(true));
    assert_eq!(ok(is_empty, &[Value::map(MapObj::default())]), Value::Bool(true));
    assert_eq!(ok(is_empty, &[range(5, 0, 1, false)]), Value::Bool(true));
    assert_eq!(ok(is_empty, &[range(i64::MIN, i64::MAX, 1, true)]), Value::Bool(false));
    assert!(fails(is_empty, &[Value::Bool(true)]).contains("expected"));
}

#[test]
fn contains_membership_substring_and_keys() {
    assert_eq!(ok(contains, &[ints(&[1, 2]), Value::Int(2)]), Value::Bool(true));
    assert_eq!(ok(contains, &[ints(&[1, 2]), Value::Float(2.0)]), Value::Bool(true));
    assert_eq!(ok(contains, &[ints(&[1, 2]), Value::Int(3)]), Value::Bool(false));
    assert_eq!(ok(contains, &[Value::tuple(vec![s("a")]), s("a")]), Value::Bool(true));
    let set: SetObj = [Value::Int(4), Value::Int(1)].into_iter().collect();
    assert_eq!(ok(contains, &[Value::set(set.clone()), Value::Int(4)]), Value::Bool(true));
    assert_eq!(ok(contains, &[Value::set(set), Value::Int(3)]), Value::Bool(false));
    let mut map = MapObj::default();
    map.insert(s("k"), Value::Int(1));
    assert_eq!(ok(contains, &[Value::map(map.clone()), s("k")]), Value::Bool(true));
    assert_eq!(ok(contains, &[Value::map(map), Value::Int(1)]), Value::Bool(false));
    assert_eq!(ok(contains, &[s("the quick fox"), s("quick")]), Value::Bool(true));
    assert_eq!(ok(contains, &[s("the quick fox"), s("slow")]), Value::Bool(false));
    assert_eq!(ok(contains, &[s("abc"), s("")]), Value::Bool(true));
    assert_eq!(ok(contains, &[s("日本語"), s("本")]), Value::Bool(true));
    assert!(fails(contains, &[s("abc"), Value::Int(1)]).contains("expected String"));
    assert!(fails(contains, &[Value::Int(1), Value::Int(1)]).contains("expected"));
    assert_eq!(ok(contains, &[range(0, 10, 3, false), Value::Int(9)]), Value::Bool(true));
    assert_eq!(ok(contains, &[range(0, 10, 3, false), Value::Int(8)]), Value::Bool(false));
    assert_eq!(ok(contains, &[range(0, 9, 3, false), Value::Int(9)]), Value::Bool(false));
    assert_eq!(ok(contains, &[range(0, 9, 3, true), Value::Int(9)]), Value::Bool(true));
    assert_eq!(ok(contains, &[range(10, 0, -3, false), Value::Int(1)]), Value::Bool(true));
    assert_eq!(ok(contains, &[range(10, 0, -3, false), Value::Int(11)]), Value::Bool(false));
    assert_eq!(ok(contains, &[range(0, 5, 1, false), Value::Float(2.0)]), Value::Bool(true));
    assert_eq!(ok(contains, &[range(0, 5, 1, false), Value::Float(2.5)]), Value::Bool(false));
    assert_eq!(ok(contains, &[range(0, 5, 1, false), s("2")]), Value::Bool(false));
    assert_eq!(ok(contains, &[Value::bytes(vec![1, 200]), Value::Int(200)]), Value::Bool(true));
    assert_eq!(ok(contains, &[Value::bytes(vec![1]), Value::Int(257)]), Value::Bool(false));
}

#[test]
fn registered_names() {
    let names: Vec<&str> = DEFS.iter().flat_map(|d| d.names.iter().copied()).collect();
    for name in ["to_string", "string", "str", "int", "float", "len", "count", "size", "has"] {
        assert!(names.contains(&name), "{name}");
    }
}
