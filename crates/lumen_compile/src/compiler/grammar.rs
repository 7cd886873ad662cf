//! GBNF grammars (llama.cpp's grammar format) of `expect schema` shapes: a provider that supports
//! grammar-constrained sampling can only produce JSON texts of the expected type.
//!
//! The grammar accepts the JSON text of a value of the shape, with optional whitespace between
//! tokens (at most 20 characters at a time, so that a model cannot loop on whitespace):
//! records are objects with their fields in declaration order (a field with a default, which
//! includes an optional `T?` field, may be left out; a present optional field may be `null`),
//! payload-less enums are their variant names as strings, enums with payloads are the
//! `{"tag": ..., "values": [...]}` objects `to_json` writes, maps are objects, lists and sets
//! arrays, tuples arrays of fixed length, `Any` any JSON value. Numbers have bounded digit
//! counts; `where` constraints are not expressible and are checked after parsing.

use std::collections::{HashMap, HashSet};

use crate::program::{Schema, TypeSchema};

/// The grammar of `schema`, whose named types are described in `types`; its start rule is `root`.
pub(crate) fn gbnf(schema: &Schema, types: &HashMap<u32, TypeSchema>) -> String {
    let mut g = Gen {
        types,
        rules: Vec::new(),
        taken: HashSet::new(),
        builtins: HashSet::new(),
        named: HashMap::new(),
        by_body: HashMap::new(),
    };
    for (name, _, _) in BUILTINS {
        g.taken.insert((*name).to_string());
    }
    g.taken.insert("root".to_string());
    let top = g.expr(schema);
    let mut out = format!("root ::= ws {top} ws\n");
    g.use_builtin("ws");
    for (name, body) in &g.rules {
        out.push_str(&format!("{name} ::= {body}\n"));
    }
    for (name, body, _) in BUILTINS {
        if g.builtins.contains(name) {
            out.push_str(&format!("{name} ::= {body}\n"));
        }
    }
    out
}

/// Shared rules: name, body, and the rules the body refers to. Emitted in this order when used.
const BUILTINS: &[(&str, &str, &[&str])] = &[
    ("ws", r"[ \t\n]{0,20}", &[]),
    ("int", r#""-"? ("0" | [1-9] [0-9]{0,17})"#, &[]),
    ("number", r#""-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?"#, &[]),
    ("string", r#""\"" char* "\"""#, &["char"]),
    ("char", r#"[^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})"#, &[]),
    ("bool", r#""true" | "false""#, &[]),
    ("value", r#"object | array | string | number | bool | "null""#, &["object", "array", "string", "number", "bool"]),
    ("object", r#""{" ws (member (ws "," ws member)* ws)? "}""#, &["ws", "member"]),
    ("member", r#"string ws ":" ws value"#, &["string", "ws", "value"]),
    ("array", r#""[" ws (value (ws "," ws value)* ws)? "]""#, &["ws", "value"]),
];

/// The separator between the items of an object or array.
const SEP: &str = r#"ws "," ws"#;

struct Gen<'t> {
    types: &'t HashMap<u32, TypeSchema>,
    /// Type and container rules, in the order they were first needed.
    rules: Vec<(String, String)>,
    /// Every rule name in use (the shared ones are reserved up front).
    taken: HashSet<String>,
    /// Shared rules in use.
    builtins: HashSet<&'static str>,
    /// The rule of each named type.
    named: HashMap<u32, String>,
    /// Container rules by body, so that equal shapes share one rule.
    by_body: HashMap<String, String>,
}

impl Gen<'_> {
    /// A GBNF expression matching the JSON texts of `schema`: a rule name or a group.
    fn expr(&mut self, schema: &Schema) -> String {
        match schema {
            Schema::Any => self.use_builtin("value"),
            Schema::Int => self.use_builtin("int"),
            Schema::Float => self.use_builtin("number"),
            Schema::String => self.use_builtin("string"),
            Schema::Bool => self.use_builtin("bool"),
            Schema::Null => r#""null""#.to_string(),
            Schema::List(item) | Schema::Set(item) => {
                let e = self.expr(item);
                let sep = self.sep();
                let body = format!(r#""[" ws ({e} ({sep} {e})* ws)? "]""#);
                self.container("list", &[&e], body)
            }
            Schema::Map(item) => {
                let e = self.expr(item);
                let sep = self.sep();
                let key = self.use_builtin("string");
                let entry = format!(r#"{key} ws ":" ws {e}"#);
                let body = format!(r#""{{" ws ({entry} ({sep} {entry})* ws)? "}}""#);
                self.container("map", &[&e], body)
            }
            Schema::Tuple(items) => {
                let es: Vec<String> = items.iter().map(|s| self.expr(s)).collect();
                let sep = self.sep();
                let body = if es.is_empty() {
                    r#""[" ws "]""#.to_string()
                } else {
                    format!(r#""[" ws {} ws "]""#, es.join(&format!(" {sep} ")))
                };
                let parts: Vec<&str> = es.iter().map(String::as_str).collect();
                self.container("tuple", &parts, body)
            }
            Schema::Optional(inner) => {
                let e = self.expr(inner);
                if matches!(**inner, Schema::Any | Schema::Null | Schema::Optional(_)) {
                    e
                } else {
                    format!(r#"({e} | "null")"#)
                }
            }
            Schema::Union(members) if members.is_empty() => self.use_builtin("value"),
            Schema::Union(members) => {
                let mut alts: Vec<String> = Vec::new();
                for m in members {
                    let e = self.expr(m);
                    if !alts.contains(&e) {
                        alts.push(e);
                    }
                }
                if alts.len() == 1 { alts.remove(0) } else { format!("({})", alts.join(" | ")) }
            }
            Schema::Named(t) => self.named(*t),
        }
    }

    /// The rule of record or enum type `t`, defined on first use (a recursive type refers to
    /// its own rule).
    fn named(&mut self, t: u32) -> String {
        if let Some(name) = self.named.get(&t) {
            return name.clone();
        }
        let Some(ty) = self.types.get(&t) else {
            return self.use_builtin("value");
        };
        let base = match ty {
            TypeSchema::Record { name, .. } | TypeSchema::Enum { name, .. } => name.clone(),
        };
        let name = self.fresh(&base);
        self.named.insert(t, name.clone());
        // The slot is taken now, so that the type's rule comes before the rules its body needs.
        let slot = self.rules.len();
        self.rules.push((name.clone(), String::new()));
        let body = match ty {
            TypeSchema::Record { fields, .. } => self.record(fields),
            TypeSchema::Enum { variants, .. } => self.enumeration(variants),
        };
        self.rules[slot].1 = body;
        name
    }

    /// `{"a": .., "b": ..}` with the fields in declaration order; a field with a default may be
    /// left out. The alternatives pick the first field present; the rest follow, each with
    /// its comma.
    fn record(&mut self, fields: &[(String, Schema, Option<String>)]) -> String {
        let mut kvs = Vec::with_capacity(fields.len());
        for (field, schema, _) in fields {
            let e = self.expr(schema);
            kvs.push(format!(r#"{} ws ":" ws {e}"#, literal(&super::tools::json_string(field))));
        }
        let ws = self.use_builtin("ws");
        if kvs.is_empty() {
            return format!(r#""{{" {ws} "}}""#);
        }
        let required: Vec<bool> = fields.iter().map(|(_, _, default)| default.is_none()).collect();
        let rest = |from: usize| -> String {
            let parts: Vec<String> = (from..kvs.len())
                .map(|j| if required[j] { format!("{SEP} {}", kvs[j]) } else { format!("({SEP} {})?", kvs[j]) })
                .collect();
            parts.join(" ")
        };
        let first_required = required.iter().position(|r| *r);
        let last_first = first_required.unwrap_or(kvs.len() - 1);
        let alts: Vec<String> = (0..=last_first)
            .map(|j| {
                let tail = rest(j + 1);
                if tail.is_empty() { kvs[j].clone() } else { format!("{} {tail}", kvs[j]) }
            })
            .collect();
        let inner = if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" | ")) };
        match first_required {
            Some(_) => format!(r#""{{" ws {inner} ws "}}""#),
            None => format!(r#""{{" ws ({inner} ws)? "}}""#),
        }
    }

    /// Payload-less enums: the variant names as strings. Otherwise each variant is
    /// `{"tag": "Name", "values": [..]}` with exactly its payload count (`values` may be left out
    /// for a variant without payload).
    fn enumeration(&mut self, variants: &[(String, Vec<Schema>)]) -> String {
        if variants.is_empty() {
            return self.use_builtin("string");
        }
        if variants.iter().all(|(_, payload)| payload.is_empty()) {
            let names: Vec<String> = variants.iter().map(|(v, _)| literal(&super::tools::json_string(v))).collect();
            return names.join(" | ");
        }
        let sep = self.sep();
        let mut alts = Vec::with_capacity(variants.len());
        for (variant, payload) in variants {
            let tag = format!(r#""{{" ws "\"tag\"" ws ":" ws {}"#, literal(&super::tools::json_string(variant)));
            let alt = if payload.is_empty() {
                format!(r#"{tag} ({sep} "\"values\"" ws ":" ws "[" ws "]")? ws "}}""#)
            } else {
                let es: Vec<String> = payload.iter().map(|s| self.expr(s)).collect();
                format!(r#"{tag} {sep} "\"values\"" ws ":" ws "[" ws {} ws "]" ws "}}""#, es.join(&format!(" {sep} ")))
            };
            alts.push(alt);
        }
        alts.join(" | ")
    }

    /// A rule for a container body, shared by equal bodies; named after its kind and, when they
    /// are short rule names, its parts (`list-int`, `map-Item`).
    fn container(&mut self, kind: &str, parts: &[&str], body: String) -> String {
        if let Some(name) = self.by_body.get(&body) {
            return name.clone();
        }
        let simple = parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        let mut base = kind.to_string();
        if simple && !parts.is_empty() {
            let joined = format!("{kind}-{}", parts.join("-"));
            if joined.len() <= 40 {
                base = joined;
            }
        }
        let name = self.fresh(&base);
        self.by_body.insert(body.clone(), name.clone());
        self.rules.push((name.clone(), body));
        name
    }

    /// An unused rule name made of `base`'s ASCII letters and digits (others become `-`).
    fn fresh(&mut self, base: &str) -> String {
        let mut clean: String =
            base.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
        if clean.is_empty() {
            clean = "type".to_string();
        }
        let mut name = clean.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{clean}-{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    fn sep(&mut self) -> &'static str {
        self.use_builtin("ws");
        SEP
    }

    /// Marks shared rule `name` (and the rules it needs) as used; returns its name.
    fn use_builtin(&mut self, name: &'static str) -> String {
        if self.builtins.insert(name)
            && let Some((_, _, deps)) = BUILTINS.iter().find(|(n, _, _)| *n == name)
        {
            for dep in *deps {
                self.use_builtin(dep);
            }
        }
        name.to_string()
    }
}

/// A GBNF string literal matching exactly `text`.
fn literal(text: &str) -> String {
    super::tools::quoted(text, |c| (u32::from(c) < 0x20 || c == '\u{7f}').then(|| format!("\\x{:02X}", u32::from(c))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, fields: Vec<(&str, Schema, Option<&str>)>) -> TypeSchema {
        TypeSchema::Record {
            name: name.to_string(),
            fields: fields.into_iter().map(|(f, s, d)| (f.to_string(), s, d.map(str::to_string))).collect(),
        }
    }

    fn enumeration(name: &str, variants: Vec<(&str, usize)>) -> TypeSchema {
        TypeSchema::Enum {
            name: name.to_string(),
            variants: variants.into_iter().map(|(v, n)| (v.to_string(), vec![Schema::Any; n])).collect(),
        }
    }

    fn types(list: Vec<(u32, TypeSchema)>) -> HashMap<u32, TypeSchema> {
        list.into_iter().collect()
    }

    fn point() -> TypeSchema {
        record("Point", vec![("x", Schema::Int, None), ("y", Schema::Float, None)])
    }

    const WS: &str = "ws ::= [ \\t\\n]{0,20}\n";
    const INT: &str = "int ::= \"-\"? (\"0\" | [1-9] [0-9]{0,17})\n";
    const NUMBER: &str =
        "number ::= \"-\"? (\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?\n";
    const STRING: &str = concat!(
        "string ::= \"\\\"\" char* \"\\\"\"\n",
        "char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})\n"
    );
    const BOOL: &str = "bool ::= \"true\" | \"false\"\n";

    #[test]
    fn a_record_is_an_object_with_its_fields_in_declaration_order() {
        let g = gbnf(&Schema::Named(1), &types(vec![(1, point())]));
        let want = [
            "root ::= ws Point ws\n",
            "Point ::= \"{\" ws \"\\\"x\\\"\" ws \":\" ws int ws \",\" ws \"\\\"y\\\"\" ws \":\" ws number ws \"}\"\n",
            WS,
            INT,
            NUMBER,
        ]
        .concat();
        assert_eq!(g, want);
    }

    #[test]
    fn fields_with_defaults_may_be_left_out_and_optional_ones_may_be_null() {
        let opt = record(
            "Opt",
            vec![
                ("a", Schema::Optional(Box::new(Schema::String)), Some("null")),
                ("b", Schema::Int, None),
                ("c", Schema::Bool, Some("true")),
            ],
        );
        let g = gbnf(&Schema::Named(7), &types(vec![(7, opt)]));
        let a = r#""\"a\"" ws ":" ws (string | "null")"#;
        let b = r#""\"b\"" ws ":" ws int"#;
        let c = r#"(ws "," ws "\"c\"" ws ":" ws bool)?"#;
        let body = format!(r#""{{" ws ({a} ws "," ws {b} {c} | {b} {c}) ws "}}""#);
        let want = ["root ::= ws Opt ws\n", &format!("Opt ::= {body}\n"), WS, INT, STRING, BOOL].concat();
        assert_eq!(g, want);
    }

    #[test]
    fn a_record_without_required_fields_may_be_empty() {
        let all = record("All", vec![("a", Schema::Int, Some("1")), ("b", Schema::Int, Some("2"))]);
        let none = record("Empty", vec![]);
        let t = types(vec![(1, all), (2, none)]);
        let g = gbnf(&Schema::Named(1), &t);
        let a = r#""\"a\"" ws ":" ws int"#;
        let b = r#""\"b\"" ws ":" ws int"#;
        assert_eq!(
            g.lines().nth(1),
            Some(format!(r#"All ::= "{{" ws (({a} (ws "," ws {b})? | {b}) ws)? "}}""#).as_str())
        );
        let g = gbnf(&Schema::Named(2), &t);
        assert_eq!(g, ["root ::= ws Empty ws\n", "Empty ::= \"{\" ws \"}\"\n", WS].concat());
    }

    #[test]
    fn an_enum_without_payloads_is_its_variant_names() {
        let g = gbnf(&Schema::Named(3), &types(vec![(3, enumeration("Color", vec![("Red", 0), ("Green", 0)]))]));
        assert_eq!(g, ["root ::= ws Color ws\n", "Color ::= \"\\\"Red\\\"\" | \"\\\"Green\\\"\"\n", WS].concat());
    }

    #[test]
    fn an_enum_with_payloads_is_tagged_objects_with_exact_payload_counts() {
        let shape = enumeration("Shape", vec![("Dot", 0), ("Rect", 2)]);
        let g = gbnf(&Schema::Named(4), &types(vec![(4, shape)]));
        let dot = r#""{" ws "\"tag\"" ws ":" ws "\"Dot\"" (ws "," ws "\"values\"" ws ":" ws "[" ws "]")? ws "}""#;
        let rect = concat!(
            r#""{" ws "\"tag\"" ws ":" ws "\"Rect\"" ws "," ws "\"values\"" ws ":" ws "[" ws "#,
            r#"value ws "," ws value ws "]" ws "}""#
        );
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines[0], "root ::= ws Shape ws");
        assert_eq!(lines[1], format!("Shape ::= {dot} | {rect}"));
        // Payloads convert as `Any`: the generic JSON value rules follow.
        for rule in
            ["value ::= ", "object ::= ", "member ::= ", "array ::= ", "string ::= ", "number ::= ", "bool ::= "]
        {
            assert!(lines.iter().any(|l| l.starts_with(rule)), "{rule} missing from\n{g}");
        }
    }

    #[test]
    fn a_recursive_record_refers_to_its_own_rule() {
        let node = record(
            "Node",
            vec![
                ("value", Schema::Int, None),
                ("children", Schema::List(Box::new(Schema::Named(5))), None),
                ("next", Schema::Optional(Box::new(Schema::Named(5))), Some("null")),
            ],
        );
        let g = gbnf(&Schema::Named(5), &types(vec![(5, node)]));
        let want = [
            "root ::= ws Node ws\n",
            concat!(
                r#"Node ::= "{" ws "\"value\"" ws ":" ws int ws "," ws "\"children\"" ws ":" ws list-Node "#,
                r#"(ws "," ws "\"next\"" ws ":" ws (Node | "null"))? ws "}""#,
                "\n"
            ),
            "list-Node ::= \"[\" ws (Node (ws \",\" ws Node)* ws)? \"]\"\n",
            WS,
            INT,
        ]
        .concat();
        assert_eq!(g, want);
    }

    #[test]
    fn nested_types_and_equal_containers_share_one_rule() {
        let line = record(
            "Line",
            vec![
                ("from", Schema::Named(1), None),
                ("to", Schema::Named(1), None),
                ("via", Schema::List(Box::new(Schema::Named(1))), None),
            ],
        );
        let t = types(vec![(1, point()), (2, line)]);
        let g = gbnf(&Schema::Tuple(vec![Schema::Named(2), Schema::List(Box::new(Schema::Named(1)))]), &t);
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines[0], "root ::= ws tuple-Line-list-Point ws");
        assert_eq!(
            lines[1],
            concat!(
                r#"Line ::= "{" ws "\"from\"" ws ":" ws Point ws "," ws "\"to\"" ws ":" ws Point ws "," ws "#,
                r#""\"via\"" ws ":" ws list-Point ws "}""#
            )
        );
        assert!(lines[2].starts_with("Point ::= "));
        assert_eq!(lines[3], r#"list-Point ::= "[" ws (Point (ws "," ws Point)* ws)? "]""#);
        assert_eq!(lines[4], r#"tuple-Line-list-Point ::= "[" ws Line ws "," ws list-Point ws "]""#);
        assert_eq!(lines.iter().filter(|l| l.starts_with("Point ::=")).count(), 1);
        assert_eq!(lines.iter().filter(|l| l.starts_with("list-Point ::=")).count(), 1);
    }

    #[test]
    fn lists_maps_sets_and_tuples() {
        let t = HashMap::new();
        let list = gbnf(&Schema::List(Box::new(Schema::Int)), &t);
        assert_eq!(
            list,
            ["root ::= ws list-int ws\n", "list-int ::= \"[\" ws (int (ws \",\" ws int)* ws)? \"]\"\n", WS, INT]
                .concat()
        );
        let set = gbnf(&Schema::Set(Box::new(Schema::Int)), &t);
        assert_eq!(set, list);
        let map = gbnf(&Schema::Map(Box::new(Schema::Bool)), &t);
        let body = r#""{" ws (string ws ":" ws bool (ws "," ws string ws ":" ws bool)* ws)? "}""#;
        assert_eq!(map, ["root ::= ws map-bool ws\n", &format!("map-bool ::= {body}\n"), WS, STRING, BOOL].concat());
        let tuple = gbnf(&Schema::Tuple(vec![Schema::Int, Schema::String]), &t);
        assert_eq!(
            tuple,
            [
                "root ::= ws tuple-int-string ws\n",
                "tuple-int-string ::= \"[\" ws int ws \",\" ws string ws \"]\"\n",
                WS,
                INT,
                STRING
            ]
            .concat()
        );
        let empty = gbnf(&Schema::Tuple(vec![]), &t);
        assert_eq!(empty, ["root ::= ws tuple ws\n", "tuple ::= \"[\" ws \"]\"\n", WS].concat());
    }

    #[test]
    fn optionals_and_unions_are_groups() {
        let t = HashMap::new();
        let opt = gbnf(&Schema::Optional(Box::new(Schema::Int)), &t);
        assert_eq!(opt, ["root ::= ws (int | \"null\") ws\n", WS, INT].concat());
        let union = gbnf(&Schema::Union(vec![Schema::Int, Schema::String, Schema::Int, Schema::Null]), &t);
        assert_eq!(union, ["root ::= ws (int | string | \"null\") ws\n", WS, INT, STRING].concat());
        let list_of_opt = gbnf(&Schema::List(Box::new(Schema::Optional(Box::new(Schema::Float)))), &t);
        assert_eq!(
            list_of_opt.lines().nth(1),
            Some(r#"list ::= "[" ws ((number | "null") (ws "," ws (number | "null"))* ws)? "]""#)
        );
    }

    #[test]
    fn any_is_a_generic_json_value() {
        let g = gbnf(&Schema::Any, &HashMap::new());
        let want = [
            "root ::= ws value ws\n",
            WS,
            NUMBER,
            STRING,
            BOOL,
            "value ::= object | array | string | number | bool | \"null\"\n",
            "object ::= \"{\" ws (member (ws \",\" ws member)* ws)? \"}\"\n",
            "member ::= string ws \":\" ws value\n",
            "array ::= \"[\" ws (value (ws \",\" ws value)* ws)? \"]\"\n",
        ]
        .concat();
        assert_eq!(g, want);
        // A type the program does not describe is any value too.
        assert_eq!(gbnf(&Schema::Named(9), &HashMap::new()), want);
    }

    #[test]
    fn type_names_become_unique_rule_names() {
        let t = types(vec![
            (1, record("ws", vec![("a", Schema::Named(2), None), ("b", Schema::Named(3), None)])),
            (2, record("My_Item", vec![])),
            (3, record("My_Item", vec![])),
        ]);
        let g = gbnf(&Schema::Named(1), &t);
        let names: Vec<&str> = g.lines().map(|l| l.split(" ::= ").next().unwrap_or("")).collect();
        assert_eq!(names, ["root", "ws-2", "My-Item", "My-Item-2", "ws"]);
    }

    #[test]
    fn literals_escape_quotes_backslashes_and_controls() {
        assert_eq!(literal("\"a\\b\"\n\u{1}"), r#""\"a\\b\"\n\x01""#);
        assert_eq!(literal("é"), "\"é\"");
    }
}
