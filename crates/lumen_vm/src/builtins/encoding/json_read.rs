//! `json_parse` text straight into Lumen values, without a `serde_json::Value` tree in between
//! (which cost a second allocation of every string, array and object).
//!
//! The values are those of `from_json` on the parsed tree: objects become maps with String keys
//! in document order (a repeated key keeps its first place and its last value), integers that
//! fit an Int become Int, other numbers Float.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::value::{MapObj, RcStr, Value};

/// Parses `text` as one JSON document.
pub(super) fn parse_value(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = JsonValue.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Builds one value.
struct JsonValue;

impl<'de> DeserializeSeed<'de> for JsonValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        // As `serde_json::Value` does: a number that is not finite is null.
        Ok(if x.is_finite() { Value::Float(x) } else { Value::Null })
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(JsonValue)? {
            items.push(v);
        }
        Ok(Value::list(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = MapObj::with_capacity_and_hasher(map.size_hint().unwrap_or(0), Default::default());
        while let Some(JsonKey(k)) = map.next_key()? {
            let v = map.next_value_seed(JsonValue)?;
            out.insert(Value::Str(k), v);
        }
        Ok(Value::map(out))
    }
}

/// An object key, made from the parser's text without an intermediate `String`.
struct JsonKey(RcStr);

impl<'de> Deserialize<'de> for JsonKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JsonKey, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = JsonKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, s: &str) -> Result<JsonKey, E> {
        Ok(JsonKey(RcStr::new(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct reader agrees with converting `serde_json`'s own tree.
    #[test]
    fn same_values_and_errors_as_the_tree() {
        let docs = [
            r#"{"b": 1, "a": [true, false, null], "b": 2, "c": {"d": "\u00e9\n\"x\""}}"#,
            "[18446744073709551615, 9223372036854775807, -9223372036854775808, -0, 0.5, 1e300, -2.5e-3]",
            r#"[[], {}, "", [[[1]]], {"k": {"k": {"k": []}}}]"#,
            "  42 ",
            r#""\ud83d\ude00""#,
            "[1, 2,]",
            "{\"a\" 1}",
            "[1] 2",
            "1e400",
            "",
            &format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ];
        for doc in docs {
            let tree = serde_json::from_str::<serde_json::Value>(doc);
            let direct = parse_value(doc);
            match (tree, direct) {
                (Ok(t), Ok(d)) => {
                    let t = super::super::json::json_to_value(t);
                    assert_eq!(crate::display::display(&t), crate::display::display(&d), "{doc}");
                    assert_eq!(t, d, "{doc}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc}"),
                (t, d) => panic!("{doc}: tree {t:?}, direct {d:?}"),
            }
        }
    }
}
