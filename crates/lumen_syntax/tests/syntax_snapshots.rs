//! Snapshot tests of the parser: the AST of every construct (spans removed, so that the
//! snapshots show structure), and the diagnostics of malformed programs. Regenerate after an
//! intended change with `INSTA_UPDATE=always cargo test -p lumen_syntax --test syntax_snapshots`
//! and review the diff.

use lumen_syntax::{Diagnostic, parse_code};

/// The module's debug form without spans and `attrs: []` noise.
fn tree(src: &str) -> String {
    let out = parse_code(src);
    assert!(out.diagnostics.is_empty(), "unexpected diagnostics for\n{src}\n{:#?}", out.diagnostics);
    let text = format!("{:#?}", out.module.items);
    let mut kept = Vec::new();
    let mut skip_depth = 0usize;
    for line in text.lines() {
        let trimmed = line.trim();
        if skip_depth > 0 {
            if trimmed.starts_with('}') {
                skip_depth -= 1;
            } else if trimmed.ends_with('{') {
                skip_depth += 1;
            }
            continue;
        }
        if trimmed.starts_with("span:") || trimmed.starts_with("index_span:") {
            if trimmed.ends_with('{') {
                skip_depth = 1;
            }
            continue;
        }
        if trimmed == "attrs: []," || trimmed == "doc: None," || trimmed == "is_pub: false," {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n")
}

fn line_col(src: &str, offset: u32) -> (usize, usize) {
    let before = &src[..(offset as usize).min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// One line per diagnostic: code, position, message and help.
fn diags(src: &str) -> String {
    let out = parse_code(src);
    assert!(!out.diagnostics.is_empty(), "expected diagnostics for\n{src}");
    out.diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let (line, col) = line_col(src, d.primary_span().start);
            let help = d.help.iter().map(|h| format!(" [help: {h}]")).collect::<String>();
            format!("{} {line}:{col} {}{help}", d.code, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! construct {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(tree($src));
        }
    };
}

macro_rules! error {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(diags($src));
        }
    };
}

construct!(
    record_with_defaults_and_where,
    "record Item\n  name: String\n  qty: Int = 1 where qty > 0\n  tags: list[String] = []\nend\n"
);
construct!(generic_record, "record Box[T]\n  item: T\nend\n");
construct!(
    enum_with_payloads_and_methods,
    "enum Shape\n  Circle(Float)\n  Rect(w: Float, h: Float)\n  Empty\n  cell area(self) -> Float\n    return 0.0\n  end\nend\n"
);
construct!(
    cell_params_named_default_variadic,
    "cell f(a: Int, b: String = \"x\", ...rest: Int) -> Int / {Log} where a > 0\n  return a\nend\n"
);
construct!(cell_expression_body_and_generics, "cell first[T: Ord + Num](xs: list[T]) -> T? = xs[0]\n");
construct!(generator_cell, "cell count(n: Int) -> yield Int\n  yield n\nend\n");
construct!(
    type_alias_const_trait_impl,
    "type Meters = Float where Meters >= 0.0\nconst LIMIT: Int = 10\ntrait Show\n  cell show(self) -> String\nend\nimpl Show for Int\n  cell show(self) -> String = \"n\"\nend\n"
);
construct!(
    imports_all_forms,
    "import mathutil: square, cube\nimport textutil: shout as yell\nimport helpers: *\nimport lib.strings: title_case\nimport @acme/text-kit.case: snake\n"
);
construct!(extern_and_macro, "extern cell host_now() -> Int\nmacro twice!(x)\n  x + x\nend\n");
construct!(
    effect_handler_bind,
    "effect Log\n  cell write(msg: String) -> Null\nend\nhandler Quiet\n  handle Log.write(msg: String) -> Null\n    return null\n  end\nend\nbind effect Log to Logger\n"
);
construct!(
    tools_and_grants,
    "use tool http.get as Fetch\nuse tool llm.chat@2 as Chat from \"local\"\nuse tool mcp \"srv --stdio\" as Tix\ngrant Fetch domain \"api.test\" timeout_ms 2500\ngrant Chat\n  model \"small\"\n  max_tokens 300\n"
);
construct!(
    agent_with_role_and_config,
    "agent Helper\n  use tool llm.chat as Chat\n  grant Chat max_tokens 100\n  role system: Answer in one sentence.\n  temperature: 0.2\n  cell ask(q: String) -> String\n    return q\n  end\nend\n"
);
construct!(
    pipeline_stages,
    "pipeline Slug\n  stages:\n    -> normalize\n    -> shorten\n  cell normalize(t: String) -> String = lower(t)\n  cell shorten(t: String) -> String = t\nend\n"
);
construct!(
    machine_states,
    "machine Door\n  initial: Closed\n  state Closed(code: Int)\n    guard: code > 0\n    transition Open(code)\n    transition Closed(0)\n    on_enter\n      print(code)\n    end\n  end\n  state Open(code: Int)\n    terminal: true\n  end\nend\n"
);
construct!(
    other_process_kinds,
    "memory Log\n  capacity: 10\nend\nguardrail G\nend\neval E\n  threshold: 0.5\nend\npattern P\n  pattern: \"{a} and {b}\"\nend\norchestration O\nend\n"
);
construct!(
    let_destructuring_and_assignment,
    "let (a, [b, ...rest]) = (1, [2, 3])\nlet mut m: map[String, list[Int]] = {}\nm[\"k\"] = [1]\nm[\"k\"][0] += 2\nx.f.g = 3\n"
);
construct!(
    compound_assignments,
    "let mut x = 1\nx += 1\nx -= 1\nx *= 2\nx /= 2\nx //= 2\nx %= 2\nx **= 2\nx &= 1\nx |= 1\nx ^= 1\nx <<= 1\nx >>= 1\n"
);
construct!(if_else_chain_and_if_let, "if a\n  f()\nelse if let ok(v) = r\n  g(v)\nelse\n  h()\nend\n");
construct!(
    loops_labels_break_value,
    "for @outer x in xs if x > 0\n  while @inner true\n    continue @outer\n  end\nend\nlet v = loop\n  break 42\nend\nwhile let [h, ...t] = items\n  print(h)\nend\n"
);
construct!(
    match_patterns,
    "match v\n  0 | 1 -> \"small\"\n  -5..=5 -> \"near\"\n  n: Int if n > 100 -> \"big\"\n  Shape.Circle(r) -> r\n  Point(x: 0, y) -> y\n  Rect(w, ..) -> w\n  [first, ...rest] -> first\n  (a, \"b\") -> a\n  null -> \"none\"\n  _ ->\n    let z = 1\n    z\nend\n"
);
construct!(
    simple_statements,
    "return\nreturn 1\nhalt(\"stop\")\nemit \"event\"\ndefer\n  close()\nend\ncell local(n: Int) -> Int = n\n"
);
construct!(
    role_blocks,
    "role system: Be brief about {topic}.\nrole user:\n  line one\n  line {two}\nend\nChat(role system: \"x\", prompt: q)\n"
);
construct!(
    precedence_table,
    "let a = -2 ** 2\nlet b = not x == y\nlet c = p ?? q or r\nlet d = 1 + 2 * 3 - 4 / 5 // 6 % 7\nlet e = a < b <= c\nlet f = x |> g(1) ~> h\nlet g = s ++ t\nlet h = 0..10 step 2\nlet i = a & b | c ^ d << 1 >> 2\nlet j = x is Int and y as Float > 1.0\n"
);
construct!(postfix_chains, "a?.b?[0]!.c(1, k: 2, ...rest)?\nt.0.1\n");
construct!(
    literals,
    "print(0xff, 0b1010, 0o17, 1_000, 2.5e-3, 1e3, -9223372036854775808, true, null, b\"cafe\", r\"raw\\n\")\n"
);
construct!(
    strings_and_format_specs,
    "print(\"a {x:>8} b {y:.2f} c {z:#06x} {m[\"k\"]}\")\nlet s = \"\"\"\n  two\n    lines\n  \"\"\"\n"
);
construct!(
    collections_and_comprehensions,
    "let l = [1, ...xs, 3]\nlet s = {1, 2}\nlet m = {\"a\": 1, ...other}\nlet e = {}\nlet c = [x * y for x in xs for y in ys if x != y]\nlet sc = {x for x in xs}\nlet mc = {k: v for (k, v) in m}\nlet t = (1,)\nlet u = ()\n"
);
construct!(lambdas, "let f = fn(x: Int) -> Int => x + 1\nlet g = fn(x)\n  return x\nend\nlet h = fn() =>\n  42\n");
construct!(
    conditional_expressions,
    "let a = if c then 1 else if d then 2 else 3\nlet b = when\n  x < 0 -> \"neg\"\n  _ -> \"other\"\nend\nlet c = match x\n  ok(v) -> v\n  err(e) -> 0\nend\nlet d = do\n  let y = 1\n  y\nend\nlet e = comptime 1 + 2 end\n"
);
construct!(
    effects_expressions,
    "let r = handle\n  perform Log.write(\"x\")\nwith\n  Log.write(m) => resume(null)\n  Fetch(url) =>\n    resume(\"stub\")\n  Quiet\nend\n"
);
construct!(
    async_expressions,
    "let a = await f()\nlet b = await parallel\n  x = one()\n  two()\nend\nlet c = await race\n  one()\nend\nlet d = await parallel for i in xs\n  work(i)\nend\nlet e = spawn(fn() => 1)\n"
);
construct!(
    try_forms,
    "let a = try f()\nlet b = try f() else 0\nlet c = try f() else |e| describe(e)\nlet d = r expect schema Invoice\n"
);
construct!(
    continuation_rules,
    "let total = a +\n  b\nlet chained = xs\n  |> map(f)\n  .filter(g)\nlet joined = 1 + \\\n  2; let next = 3\n"
);
construct!(
    docstrings_and_attributes,
    "```\nAdds one.\n```\n@test\n@deprecated(\"use g\")\npub cell f() = 1\n@strict false\n"
);

error!(missing_end_points_at_the_block, "cell main()\n  let n = 3\n  if n > 2\n    print(\"big\")\nend\n");
error!(stray_end, "cell f() = 1\nend\n");
error!(unclosed_paren, "cell main()\n  print(\"hi\"\nend\n");
error!(missing_arrow_in_match, "match x\n  1 \"one\"\nend\n");
error!(bad_escape_and_unterminated_string, "let a = \"x\\q\"\nlet b = \"open\n");
error!(integer_too_large, "let a = 99999999999999999999\nlet b = 9223372036854775808\n");
error!(number_running_into_letters, "let a = 10abc\nlet b = 0b2\nlet c = 1e\n");
error!(reserved_word_as_name, "let type = 1\ncell end() = 1\n");
error!(several_errors_in_one_file, "let = 5\nlet x = (1 + 2]\nrecord\nend\nfoo(\n");
error!(invalid_assignment_target, "f() = 1\n1 + 2 = 3\n");
error!(positional_in_record_pattern, "match p\n  Point(x: 1, 2) -> 0\nend\n");
error!(duplicate_rest_in_list_pattern, "let [a, ...b, ...c] = xs\n");
error!(variadic_not_last, "cell f(...xs: Int, y: Int) = 1\n");
error!(missing_equals_in_let, "let x 5\n");
error!(missing_type_after_colon, "let x: = 5\n");
error!(unknown_character, "let x = 1 $ 2\nlet y = `tick`\n");
error!(empty_interpolation_and_unclosed_one, "print(\"{()}\")\nprint(\"{x\")\n");
error!(if_then_without_else, "let a = if c then 1\n");
error!(unterminated_markdown_block, "```\nnever closed\n");
error!(unterminated_role_text, "role user:\n  no end here\n");
error!(bad_bytes_literal, "let b = b\"abc\"\nlet c = b\"zz\"\n");
error!(nesting_too_deep, &format!("let x = {}1\n", "(".repeat(1000)));
error!(member_not_allowed_in_effect, "effect E\n  let x = 1\nend\n");
error!(bad_directive_value, "@strict [1]\n");
error!(duplicate_directive_warns, "@strict true\n@strict false\n");

#[test]
fn every_conformance_program_parses() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance"));
    let mut checked = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            if !(name.ends_with(".lm") || name.ends_with(".lm.md")) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            let file = lumen_syntax::SourceFile::new(name.clone(), bytes).expect("utf-8");
            let out = lumen_syntax::parse_file(&file);
            let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
            if name.ends_with("compile_errors/missing_end.lm") {
                assert!(errors.iter().any(|d| d.code == "E0101"), "missing_end must report E0101");
            } else {
                assert!(errors.is_empty(), "{name}: {errors:#?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 170, "only {checked} conformance programs found");
}
