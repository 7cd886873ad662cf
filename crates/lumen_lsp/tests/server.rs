//! Drives the language server in memory with JSON-RPC messages, as an editor would.

mod common;

use common::{Client, file_uri, temp_dir};
use serde_json::{Value, json};

const SHAPES: &str =
    "```\nA rectangle.\n```\npub record Shape\n  w: Int\n  h: Int\nend\n\npub cell area(s: Shape) -> Int = s.w * s.h\n";

const MAIN: &str = r#"import lib.shapes: Shape, area

```
The colours of the rainbow, well, two.
```
enum Color
  Red
  Green
end

```
A person with a name.
```
record User
  name: String
  age: Int
end

cell greet(u: User) -> String
  let msg = "hi " ++ u.name
  return msg
end

cell main()
  let c = Color.Red
  let u = User(name: "ann", age: 3)
  print(greet(u))
  print(area(Shape(w: 2, h: 3)))
end
"#;

/// A project with `main.lm` importing `lib/shapes.lm`; returns the main file's URI.
fn project(tag: &str) -> (std::path::PathBuf, String) {
    let dir = temp_dir(tag);
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::write(dir.join("lib/shapes.lm"), SHAPES).unwrap();
    std::fs::write(dir.join("main.lm"), MAIN).unwrap();
    let uri = file_uri(&dir.join("main.lm"));
    (dir, uri)
}

#[test]
fn initialize_advertises_capabilities() {
    let (client, init) = Client::start();
    let caps = &init["capabilities"];
    assert_eq!(caps["textDocumentSync"], json!(1));
    for cap in ["hoverProvider", "definitionProvider", "documentSymbolProvider", "documentFormattingProvider"] {
        assert_eq!(caps[cap], json!(true), "{cap}");
    }
    assert_eq!(caps["completionProvider"]["triggerCharacters"], json!(["."]));
    client.shutdown();
}

#[test]
fn diagnostics_after_open_and_after_a_fixing_change() {
    let (_dir, uri) = project("diag");
    let (mut client, _) = Client::start();
    let broken = MAIN.replace("  return msg", "  msg");
    let diags = client.open(&uri, &broken);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], json!("E0315"));
    assert_eq!(d["severity"], json!(1));
    assert!(d["message"].as_str().unwrap().contains("can reach its end"), "{d}");
    // `msg` on line 21 (0-based 20), columns 2..5.
    assert_eq!(d["range"], json!({ "start": { "line": 20, "character": 2 }, "end": { "line": 20, "character": 5 } }));
    let related = d["relatedInformation"].as_array().expect("related information");
    assert_eq!(related[0]["location"]["uri"], json!(uri));
    assert_eq!(related[0]["location"]["range"]["start"], json!({ "line": 18, "character": 5 }));
    assert!(related[0]["message"].as_str().unwrap().contains("declared to return"));

    let fixed = client.change(&uri, 2, MAIN);
    assert!(fixed.is_empty(), "{fixed:?}");

    // A parse error is reported with the parser's code.
    let diags = client.change(&uri, 3, &MAIN.replace("record User", "record"));
    assert!(diags.iter().any(|d| d["code"].as_str().unwrap().starts_with("E01")), "{diags:?}");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert!(client.diagnostics(&uri).is_empty());
    client.shutdown();
}

#[test]
fn diagnostic_columns_are_utf16() {
    let (mut client, _) = Client::start();
    let uri = "file:///nonexistent/utf16.lm";
    let text = "cell main()\n  let s = \"😀é\"; let x: Int = \"no\"\nend\n";
    let diags = client.open(uri, text);
    let d = diags.iter().find(|d| d["code"] == json!("E0300")).expect("a type mismatch");
    let col = common::position(text, text.find("\"no\"").unwrap()).1;
    assert_eq!(d["range"]["start"]["character"], json!(col));
    // The emoji counts as two UTF-16 units: byte and code point columns would differ.
    assert_ne!(col as usize, text.lines().nth(1).unwrap().find("\"no\"").unwrap());
    client.shutdown();
}

#[test]
fn missing_module_is_reported() {
    let dir = temp_dir("missing");
    let uri = file_uri(&dir.join("m.lm"));
    let (mut client, _) = Client::start();
    let diags = client.open(&uri, "import nowhere.at.all: X\n");
    assert_eq!(diags[0]["code"], json!("E0210"), "{diags:?}");
    client.shutdown();
}

fn hover_value(v: &Value) -> String {
    v["contents"]["value"].as_str().expect("markup hover").to_owned()
}

#[test]
fn hover_shows_signature_and_docstring() {
    let (_dir, uri) = project("hover");
    let (mut client, _) = Client::start();
    client.open(&uri, MAIN);
    let on_user = hover_value(&client.at("textDocument/hover", &uri, MAIN, "User(", 0, 1));
    assert!(on_user.contains("record User\n  name: String\n  age: Int\nend"), "{on_user}");
    assert!(on_user.contains("A person with a name."), "{on_user}");
    let on_greet = hover_value(&client.at("textDocument/hover", &uri, MAIN, "greet(u)", 0, 2));
    assert!(on_greet.contains("cell greet(u: User) -> String"), "{on_greet}");
    assert!(!on_greet.contains("let msg"), "the body is not part of the signature: {on_greet}");
    let on_variant = hover_value(&client.at("textDocument/hover", &uri, MAIN, "Color.Red", 0, 7));
    assert!(on_variant.contains("Red") && !on_variant.contains("Green"), "{on_variant}");
    let on_field = hover_value(&client.at("textDocument/hover", &uri, MAIN, "u.name", 0, 3));
    assert!(on_field.contains("name: String"), "{on_field}");
    let on_local = hover_value(&client.at("textDocument/hover", &uri, MAIN, "return msg", 0, 8));
    assert!(on_local.contains("let msg = \"hi \" ++ u.name"), "{on_local}");
    let on_param = hover_value(&client.at("textDocument/hover", &uri, MAIN, "u.name", 0, 0));
    assert!(on_param.contains("u: User"), "{on_param}");
    let imported = hover_value(&client.at("textDocument/hover", &uri, MAIN, "area(Shape", 0, 0));
    assert!(imported.contains("pub cell area(s: Shape) -> Int"), "{imported}");
    let on_space = client.at("textDocument/hover", &uri, MAIN, "\n\ncell main", 0, 1);
    assert_eq!(on_space, Value::Null);
    client.shutdown();
}

#[test]
fn definition_in_the_same_file_and_across_modules() {
    let (dir, uri) = project("def");
    let (mut client, _) = Client::start();
    client.open(&uri, MAIN);
    let def = client.at("textDocument/definition", &uri, MAIN, "greet(u)", 0, 0);
    assert_eq!(def["uri"], json!(uri));
    assert_eq!(def["range"]["start"], json!({ "line": 18, "character": 5 }));
    let variant = client.at("textDocument/definition", &uri, MAIN, "Color.Red", 0, 6);
    assert_eq!(variant["range"]["start"], json!({ "line": 6, "character": 2 }));

    let shapes_uri = file_uri(&dir.join("lib/shapes.lm"));
    // A use of an imported name, and the name in the import itself.
    for (needle, nth) in [("Shape(w", 0), ("Shape,", 0)] {
        let def = client.at("textDocument/definition", &uri, MAIN, needle, nth, 1);
        assert_eq!(def["uri"], json!(shapes_uri), "{needle}");
        assert_eq!(def["range"]["start"], json!({ "line": 3, "character": 11 }), "{needle}");
    }
    let area = client.at("textDocument/definition", &uri, MAIN, "area(Shape", 0, 0);
    assert_eq!(area["range"]["start"], json!({ "line": 8, "character": 9 }));
    // The module path of the import leads to the module's file.
    let module = client.at("textDocument/definition", &uri, MAIN, "shapes:", 0, 1);
    assert_eq!(module["uri"], json!(shapes_uri));
    client.shutdown();
}

#[test]
fn document_symbols_are_hierarchical() {
    let (_dir, uri) = project("symbols");
    let (mut client, _) = Client::start();
    client.open(&uri, MAIN);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Color", "User", "greet", "main"]);
    let color = &symbols[0];
    assert_eq!(color["kind"], json!(10)); // Enum
    let variants: Vec<&str> =
        color["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(variants, ["Red", "Green"]);
    let user = &symbols[1];
    assert_eq!(user["kind"], json!(23)); // Struct
    let fields: Vec<&str> = user["children"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "age"]);
    assert_eq!(user["children"][0]["kind"], json!(8)); // Field
    assert_eq!(symbols[2]["kind"], json!(12)); // Function
    client.shutdown();
}

#[test]
fn symbols_for_processes_agents_and_effects() {
    let (mut client, _) = Client::start();
    let uri = "file:///nonexistent/kinds.lm";
    let text = "effect Log\n  cell write(msg: String)\nend\n\nagent Helper\n  cell answer(q: String) -> String\n    return q\n  end\nend\n";
    client.open(uri, text);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Log", "Helper"], "{symbols}");
    assert_eq!(symbols[0]["children"][0]["name"], json!("write"));
    assert_eq!(symbols[1]["children"][0]["name"], json!("answer"));
    client.shutdown();
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array().expect("a completion list").iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn completion_in_scope_and_after_a_dot() {
    let (_dir, uri) = project("complete");
    let (mut client, _) = Client::start();
    client.open(&uri, MAIN);
    let all = labels(&client.at("textDocument/completion", &uri, MAIN, "print(greet", 0, 0));
    for expected in ["Color", "User", "greet", "main", "Shape", "area", "c", "u", "print", "let", "match"] {
        assert!(all.iter().any(|l| l == expected), "{expected} missing from {all:?}");
    }
    // `msg` is local to `greet`, not visible in `main`.
    assert!(!all.iter().any(|l| l == "msg"));

    let typing = MAIN.replace("  let c = Color.Red", "  let c = Color.");
    client.change(&uri, 2, &typing);
    let variants = labels(&client.at("textDocument/completion", &uri, &typing, "Color.", 0, 6));
    assert_eq!(variants, ["Red", "Green"]);
    // A local whose type is known from its initializer: the record's fields.
    let typing = MAIN.replace("  print(greet(u))", "  print(u.)");
    client.change(&uri, 3, &typing);
    let fields = labels(&client.at("textDocument/completion", &uri, &typing, "u.)", 0, 2));
    assert_eq!(fields, ["name", "age"]);
    // A parameter with a written type, in another module's record.
    let typing = MAIN.replace("u.name", "u.");
    client.change(&uri, 4, &typing);
    let fields = labels(&client.at("textDocument/completion", &uri, &typing, "u.\n", 0, 2));
    assert_eq!(fields, ["name", "age"]);
    client.shutdown();
}

#[test]
fn formatting_returns_one_whole_document_edit() {
    let (mut client, _) = Client::start();
    let uri = "file:///nonexistent/fmt.lm";
    let messy = "cell main()\n    let x=1+2\n    print(x)\nend\n";
    client.open(uri, messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().expect("edits");
    assert_eq!(edits.len(), 1);
    let expected = lumen_fmt::format_source(messy, lumen_syntax::SourceKind::Raw).unwrap();
    assert_ne!(expected, messy);
    assert_eq!(edits[0]["newText"], json!(expected));
    assert_eq!(edits[0]["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(edits[0]["range"]["end"], json!({ "line": 4, "character": 0 }));
    // Already formatted: no edits.
    client.change(uri, 2, &expected);
    let none = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, json!([]));
    client.shutdown();
}

#[test]
fn requests_on_unknown_documents_and_methods_do_not_fail_the_server() {
    let (mut client, _) = Client::start();
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///never/opened.lm" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(hover, Value::Null);
    client.shutdown();
}

#[test]
fn syntax_errors_in_an_imported_module_are_reported_on_the_import() {
    let (dir, uri) = project("broken_import");
    std::fs::write(dir.join("lib/shapes.lm"), SHAPES.replace("pub record Shape", "pub record")).unwrap();
    let (mut client, _) = Client::start();
    let diags = client.open(&uri, MAIN);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().starts_with("module `lib.shapes` has errors"), "{diags:?}");
    assert_eq!(diags[0]["range"]["start"], json!({ "line": 0, "character": 7 }));
    let related = &diags[0]["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], json!(file_uri(&dir.join("lib/shapes.lm"))));
    client.shutdown();
}

#[test]
fn markdown_documents_are_analysed_in_their_code_blocks() {
    let (mut client, _) = Client::start();
    let uri = "file:///nonexistent/notes.lm.md";
    let text = "# Notes\n\nSome prose with `let x: Int = \"no\"` in it.\n\n```lumen\ncell main()\n  let y: Int = \"no\"\nend\n```\n";
    let diags = client.open(uri, text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["range"]["start"]["line"], json!(6));
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(symbols[0]["name"], json!("main"));
    client.shutdown();
}
