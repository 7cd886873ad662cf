//! Snapshot tests of the parser, one per statement form and pattern kind (LANGUAGE.md §3.4, §3.6),
//! printed with `lumen_syntax::ast::dump`.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p lumen_syntax --test parser_snapshots_stmts` and review the diff.

use lumen_syntax::ast::dump::dump_module;
use lumen_syntax::parse_code;

/// Removes the indentation common to all non-blank lines, so that sources can be indented in Rust.
fn dedent(src: &str) -> String {
    let indent = src.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
    let lines: Vec<&str> = src.lines().map(|l| l.get(indent.unwrap_or(0)..).unwrap_or("").trim_end()).collect();
    lines.join("\n").trim_matches('\n').to_string() + "\n"
}

/// Parses `src` (dedented), requires no diagnostics, and snapshots the dump with the source as
/// the snapshot's description.
macro_rules! snap {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            let src = dedent($src);
            let out = parse_code(&src);
            assert!(out.diagnostics.is_empty(), "unexpected diagnostics for\n{src}\n{:#?}", out.diagnostics);
            insta::with_settings!({ description => src.as_str(), omit_expression => true }, {
                insta::assert_snapshot!(dump_module(&out.module));
            });
        }
    };
}

snap!(
    let_forms,
    r#"
    let x = 1
    let mut y: Int = 2
    let (a, b) = (1, "two")
    let mut [first, ...rest]: list[Int] = [1, 2, 3]
    let Point(y, x: px) = p
    let _ = f()
    let n: Int? = null
    "#
);

snap!(
    assignment_to_nested_places,
    "
    x = 1
    p.x = 2
    xs[0] = 3
    grid[i][j] = 4
    a.f[i].g = 5
    m[\"k\"].items[0] = 6
    "
);

snap!(
    all_compound_assignments,
    "
    x += 1
    x -= 2
    x *= 3
    x /= 4
    x //= 5
    x %= 6
    x **= 7
    x &= 8
    x |= 9
    x ^= 10
    x <<= 11
    x >>= 12
    p.count += 1
    xs[i] -= 1
    "
);

snap!(
    if_else_if_else,
    r#"
    if x > 0
      print("pos")
    else if x < 0
      print("neg")
    else if x == 0 and y
    else
      print("zero")
      print("really")
    end
    if done
      stop()
    end
    "#
);

snap!(
    if_let_and_while_let,
    "
    if let ok(v) = parse(s)
      print(v)
    else if let Some(w) = other
      print(w)
    else
      print(0)
    end
    while let [h, ...t] = xs
      xs = t
    end
    "
);

snap!(
    for_loops_with_filter_and_label,
    "
    for x in xs
      print(x)
    end
    for (k, v) in m if v > 0
      print(k)
    end
    for @outer i in 0..10 step 2 if i != 4
      for @inner j in 0..=i
        if j == 3
          continue @outer
        end
        if j == 5
          break @inner
        end
      end
    end
    "
);

snap!(
    while_loops,
    "
    while i < 10
      i += 1
    end
    while @scan not done and i < n
      continue
    end
    "
);

snap!(
    loops_with_labeled_break_and_continue,
    "
    loop
      break
    end
    let found = loop @search
      if ready()
        break @search 42
      end
      continue @search
    end
    let v = loop
      break x + 1
    end
    "
);

snap!(
    match_with_guards_and_or_patterns,
    r#"
    match code
      200 | 201 | 204 -> print("ok")
      n if n >= 500 -> print("server")
      400..500 -> print("client")
      _ ->
        print("other")
        print("really")
    end
    "#
);

snap!(
    every_pattern_kind,
    r#"
    match v
      _ -> 0
      name -> 1
      n: Int -> 2
      42 -> 3
      -7 -> 4
      -2.5 -> 5
      "text" -> 6
      r"raw" -> 7
      true -> 8
      false -> 9
      null -> 10
      1..=9 -> 11
      -10..-1 -> 12
      "a"..="z" -> 13
      0.0..1.0 -> 14
      (a, b, _) -> 15
      () -> 16
      [] -> 17
      [x] -> 18
      [h, ...t] -> 19
      [...init, last] -> 20
      [a, ..., z] -> 21
      [first, ...mid, y, z] -> 22
      Circle(r) -> 23
      Shape.Rect(w, h) -> 24
      ok(v) -> 25
      err(e) -> 26
      Point(x: 0, y) -> 27
      Point(x: px, ..) -> 28
      Event(type: t, ..) -> 29
      Color.Red -> 30
      Empty() -> 31
      Some((a, [b, ...])) | Pair(a, b) -> 32
      s: String | n: Int -> 33
    end
    "#
);

snap!(
    return_halt_emit_defer_yield,
    r#"
    cell f(x: Int) -> Int
      defer
        print("bye")
      end
      if x < 0
        halt "negative"
      end
      if x == 0
        halt("zero")
      end
      emit "value {x}"
      return x
    end
    cell g()
      return
    end
    cell h() -> yield Int
      yield 1
      yield h2() + 1
    end
    "#
);

snap!(
    local_cells,
    "
    cell outer() -> Int
      cell fact(n: Int) -> Int
        if n <= 1
          return 1
        end
        return n * fact(n - 1)
      end
      cell sq(n: Int) -> Int = n * n
      async cell later() = 1
      return fact(5) + sq(2)
    end
    "
);

snap!(
    role_blocks_one_line_and_multi_line,
    r#"
    cell ask(q: String) -> String
      role system: You are terse. Use {q} and \{braces}.
      role user:
        First line about {q}.
          Indented line.
        Last line.
      end
      let prompt = role user: Summarize {q}
      return Chat(role system: "Be brief", role user: q, max_tokens: 10)
    end
    "#
);

snap!(
    macro_calls_as_statements,
    r#"
    cell main()
      log!("start")
      let v = twice!(f(1), 2 + 3)
      noop!()
    end
    "#
);

snap!(
    statement_attributes,
    r#"
    cell main()
      @inline
      let x = 1
      @allow("unused")
      @cold
      print(x)
    end
    "#
);

snap!(
    semicolons_separate_statements,
    "
    let a = 1; let b = 2; print(a + b)
    cell f() -> Int
      let x = 1; return x
    end
    "
);

snap!(
    expression_statements_and_block_values,
    r#"
    cell main()
      f()
      x.method(1)
      if x then 1 else 2
      do
        print("in do")
      end
      when
        x > 0 -> "pos"
        _ -> "other"
      end
    end
    "#
);
