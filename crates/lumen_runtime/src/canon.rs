//! Canonical JSON (object keys sorted, no whitespace) and SHA-256, for trace hashes and policy hashes.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// `value` as compact JSON with the keys of every object sorted, so that the text (and its hash)
/// does not depend on insertion order.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out);
    into_string(out)
}

/// The canonical JSON of an object without its key `skip` (an event without its `hash`).
pub fn canonical_json_without(map: &Map<String, Value>, skip: &str) -> String {
    let mut out = Vec::with_capacity(256);
    write_object(map, &mut out, Some(skip));
    into_string(out)
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => write_object(map, out, None),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        // Writing a scalar into a Vec cannot fail.
        scalar => serde_json::to_writer(&mut *out, scalar).unwrap_or_default(),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>, skip: Option<&str>) {
    let mut keys: Vec<&String> = map.keys().filter(|k| Some(k.as_str()) != skip).collect();
    keys.sort();
    out.push(b'{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key).unwrap_or_default();
        out.push(b':');
        write_canonical(&map[key.as_str()], out);
    }
    out.push(b'}');
}

fn into_string(bytes: Vec<u8>) -> String {
    // serde_json writes UTF-8 only.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let a = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": 3}], "c": "s"}});
        assert_eq!(canonical_json(&a), r#"{"a":{"c":"s","z":[1,{"x":3,"y":2}]},"b":1}"#);
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
