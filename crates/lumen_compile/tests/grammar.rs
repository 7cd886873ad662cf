//! GBNF grammars of `Tool(...) expect schema T` call sites, from compiled Lumen programs: the
//! site's `grammar`, and a check that every generated grammar is well formed in llama.cpp's
//! grammar syntax (rule names, literals, character classes, groups, repetitions; every referenced
//! rule defined, `root` present, every rule reachable from it).

use std::collections::{BTreeMap, BTreeSet};

use lumen_compile::{CompileInput, Program, compile};

fn compile_source(source: &str) -> Program {
    let parsed = lumen_syntax::parse_code(source);
    let errors: Vec<String> = parsed.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{d:?}")).collect();
    assert!(errors.is_empty(), "parse errors: {errors:?}");
    let inputs = [CompileInput { path: "test.lm".into(), name: String::new(), source, module: &parsed.module }];
    // Every name resolves as builtin 0: the prelude compiles, and the program is never run.
    match compile(&inputs, None, |_| Some(0)) {
        Ok(program) => program,
        Err(errors) => panic!("compile errors: {errors:?}"),
    }
}

/// The grammars of the program's tool call sites, in site order.
fn grammars(source: &str) -> Vec<Option<String>> {
    compile_source(source).tool_sites.into_iter().map(|s| s.grammar).collect()
}

/// The rule definitions of a grammar text: name to body. Fails on malformed text.
fn check_well_formed(grammar: &str) -> Result<BTreeMap<String, String>, String> {
    let mut rules = BTreeMap::new();
    let mut refs: Vec<(String, String)> = Vec::new();
    for (n, line) in grammar.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (name, body) = line.split_once(" ::= ").ok_or(format!("line {}: no `::=`: {line}", n + 1))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("line {}: bad rule name `{name}`", n + 1));
        }
        if rules.insert(name.to_string(), body.to_string()).is_some() {
            return Err(format!("rule `{name}` defined twice"));
        }
        for r in body_refs(body).map_err(|e| format!("rule `{name}`: {e}"))? {
            refs.push((name.to_string(), r));
        }
    }
    if !rules.contains_key("root") {
        return Err("no `root` rule".into());
    }
    for (from, to) in &refs {
        if !rules.contains_key(to) {
            return Err(format!("rule `{from}` refers to undefined rule `{to}`"));
        }
    }
    // Every rule reachable from root.
    let mut seen = BTreeSet::from(["root".to_string()]);
    let mut todo = vec!["root".to_string()];
    while let Some(r) = todo.pop() {
        for (from, to) in &refs {
            if *from == r && seen.insert(to.clone()) {
                todo.push(to.clone());
            }
        }
    }
    if let Some(unused) = rules.keys().find(|k| !seen.contains(*k)) {
        return Err(format!("rule `{unused}` is not reachable from root"));
    }
    Ok(rules)
}

/// Tokenizes a rule body, returning the rule names it refers to; fails on unclosed literals,
/// classes or groups, bad escapes, stray characters, and operators without an operand.
fn body_refs(body: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = body.chars().collect();
    let mut refs = Vec::new();
    let mut depth = 0i32;
    // Whether the last item can take a postfix operator (`*`, `+`, `?`, `{m,n}`).
    let mut operand = false;
    let mut i = 0;
    let escape = |i: &mut usize| -> Result<(), String> {
        // At a backslash: the escapes llama.cpp's parser knows.
        let c = *chars.get(*i + 1).ok_or("backslash at end")?;
        *i += 2;
        let hex = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '"' | '\\' | 'n' | 't' | 'r' | '[' | ']' | '-' | '^' | '/' => 0,
            other => return Err(format!("unknown escape `\\{other}`")),
        };
        for _ in 0..hex {
            let h = chars.get(*i).ok_or("short hex escape")?;
            if !h.is_ascii_hexdigit() {
                return Err(format!("bad hex digit `{h}`"));
            }
            *i += 1;
        }
        Ok(())
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unclosed string literal".into()),
                        Some('"') => break,
                        Some('\\') => escape(&mut i)?,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                operand = true;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut empty = true;
                loop {
                    match chars.get(i) {
                        None => return Err("unclosed character class".into()),
                        Some(']') if !empty => break,
                        Some('\\') => escape(&mut i)?,
                        Some(_) => i += 1,
                    }
                    empty = false;
                }
                i += 1;
                operand = true;
            }
            '(' => {
                depth += 1;
                i += 1;
                operand = false;
            }
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced `)`".into());
                }
                i += 1;
                operand = true;
            }
            '|' => {
                i += 1;
                operand = false;
            }
            '*' | '+' | '?' => {
                if !operand {
                    return Err(format!("`{c}` without an operand"));
                }
                i += 1;
            }
            '{' => {
                if !operand {
                    return Err("`{` without an operand".into());
                }
                let end = chars[i..].iter().position(|&c| c == '}').ok_or("unclosed `{`")? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let (lo, hi) = inner.split_once(',').unwrap_or((&inner, &inner));
                let lo: u32 = lo.parse().map_err(|_| format!("bad repetition `{{{inner}}}`"))?;
                if !hi.is_empty() {
                    let hi: u32 = hi.parse().map_err(|_| format!("bad repetition `{{{inner}}}`"))?;
                    if hi < lo {
                        return Err(format!("bad repetition `{{{inner}}}`"));
                    }
                }
                i = end + 1;
            }
            c if c.is_ascii_alphanumeric() || c == '-' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '-') {
                    i += 1;
                }
                refs.push(chars[start..i].iter().collect());
                operand = true;
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    if depth != 0 {
        return Err("unbalanced `(`".into());
    }
    Ok(refs)
}

/// The types of `fixtures/grammar_types.lm` (shared with the other grammar test), then calls.
const PROGRAM: &str = concat!(
    include_str!("fixtures/grammar_types.lm"),
    r#"
cell main()
  let a = Chat(prompt: "review") expect schema Review
  let b = Chat(prompt: "tree") expect schema Tree
  let c = Chat(prompt: "nums") expect schema list[Int]
  let d = Chat(prompt: "pair") expect schema (String, Bool)?
  let e = Chat(prompt: "any") expect schema Int | Sentiment
  let f = Chat(prompt: "plain")
  let g = "{}" expect schema Review
end
"#
);

#[test]
fn every_schemad_tool_call_gets_a_well_formed_grammar() {
    let gs = grammars(PROGRAM);
    assert_eq!(gs.len(), 6, "{gs:?}");
    for (i, g) in gs.iter().take(5).enumerate() {
        let g = g.as_ref().unwrap_or_else(|| panic!("site {i} has no grammar"));
        if let Err(e) = check_well_formed(g) {
            panic!("site {i}: {e}\n{g}");
        }
    }
    assert_eq!(gs[5], None, "a call without `expect schema` has no grammar");
}

#[test]
fn the_record_grammar_follows_the_declaration() {
    let gs = grammars(PROGRAM);
    let rules = check_well_formed(gs[0].as_deref().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules["root"], "ws Review ws");
    let review = &rules["Review"];
    // Fields in declaration order; `summary` (optional) may be left out or null.
    let order: Vec<usize> = ["score", "sentiment", "summary", "tags", "extra", "pair", "shape"]
        .iter()
        .map(|f| review.find(&format!(r#""\"{f}\"""#)).unwrap_or_else(|| panic!("no field {f} in {review}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{review}");
    assert!(review.contains(r#"(ws "," ws "\"summary\"" ws ":" ws (string | "null"))?"#), "{review}");
    assert!(review.contains(r#""\"score\"" ws ":" ws int"#), "{review}");
    assert!(review.contains(r#""\"tags\"" ws ":" ws list-Tag"#), "{review}");
    assert!(review.contains(r#""\"extra\"" ws ":" ws map-int"#), "{review}");
    assert!(review.contains(r#""\"pair\"" ws ":" ws tuple-int-string"#), "{review}");
    assert_eq!(rules["Sentiment"], r#""\"Positive\"" | "\"Negative\"""#);
    assert_eq!(
        rules["Tag"],
        r#""{" ws "\"label\"" ws ":" ws string (ws "," ws "\"weight\"" ws ":" ws number)? ws "}""#
    );
    assert_eq!(rules["tuple-int-string"], r#""[" ws int ws "," ws string ws "]""#);
    assert!(
        rules["Shape"].contains(r#""\"Rect\"" ws "," ws "\"values\"" ws ":" ws "[" ws value ws "," ws value ws "]""#)
    );
}

#[test]
fn recursive_records_and_root_shapes() {
    let gs = grammars(PROGRAM);
    let tree = check_well_formed(gs[1].as_deref().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        tree["Tree"],
        concat!(
            r#""{" ws "\"label\"" ws ":" ws string ws "," ws "\"kids\"" ws ":" ws list-Tree "#,
            r#"(ws "," ws "\"parent\"" ws ":" ws (Tree | "null"))? ws "}""#
        )
    );
    assert_eq!(tree["list-Tree"], r#""[" ws (Tree (ws "," ws Tree)* ws)? "]""#);
    let list = check_well_formed(gs[2].as_deref().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list["root"], "ws list-int ws");
    let opt = check_well_formed(gs[3].as_deref().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opt["root"], r#"ws (tuple-string-bool | "null") ws"#);
    let union = check_well_formed(gs[4].as_deref().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(union["root"], "ws (int | Sentiment) ws");
}

#[test]
fn a_tool_call_in_the_arguments_does_not_take_the_outer_grammar() {
    let source = r#"use tool llm.chat as Chat
grant Chat

record P
  a: Int
end

cell main()
  let p = Chat(prompt: Chat(prompt: "inner")) expect schema P
end
"#;
    let program = compile_source(source);
    let sites = &program.tool_sites;
    assert_eq!(sites.len(), 2);
    assert_eq!((sites[0].schema_json.as_deref(), sites[0].grammar.as_deref()), (None, None));
    assert!(sites[1].schema_json.as_deref().is_some_and(|s| s.contains(r#""title":"P""#)));
    assert!(sites[1].grammar.as_deref().is_some_and(|g| g.starts_with("root ::= ws P ws\n")));
}

#[test]
fn the_checker_rejects_malformed_grammars() {
    let bad = [
        ("x ::= \"a\"\n", "no `root` rule"),
        ("root ::= y\n", "undefined rule `y`"),
        ("root ::= (\"a\"\n", "unbalanced `(`"),
        ("root ::= \"a\n", "unclosed string literal"),
        ("root ::= [a-z\n", "unclosed character class"),
        ("root ::= \"a\"\nx ::= \"b\"\n", "not reachable"),
        ("root ::= * \"a\"\n", "without an operand"),
        ("root ::= \"a\"{3,1}\n", "bad repetition"),
        ("root ::= \"\\q\"\n", "unknown escape"),
        ("root ::= a_b\na_b ::= \"x\"\n", "unexpected `_`"),
    ];
    for (text, want) in bad {
        match check_well_formed(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => assert!(e.contains(want), "{text}: got `{e}`, want `{want}`"),
        }
    }
}
