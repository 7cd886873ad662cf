//! Snapshot tests of the parser for expressions (LANGUAGE.md §2, §3.5): precedence, literals,
//! postfix chains, collections, lambdas, conditionals, effects, async and line continuation,
//! printed with `lumen_syntax::ast::dump`.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p lumen_syntax --test parser_snapshots_exprs` and review the diff.

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
    precedence_arithmetic_and_power,
    "
    1 + 2 * 3 - 4 / 5 // 6 % 7
    -2 ** 2
    2 ** 3 ** 2
    -x.y ** -z
    ~a & b | c ^ d
    a << 1 + 2
    a + b << c >> d
    "
);

snap!(
    precedence_logic_and_comparison,
    "
    not a == b
    not a and b or c
    a or b and c
    a < b <= c
    a == b != c > d
    a < b and b < c
    x in xs and not y in ys
    a | b == c & d
    a ?? b or c
    a ?? b ?? c
    "
);

snap!(
    precedence_pipe_compose_concat_range,
    "
    x |> f(1) |> g
    f ~> g ~> h
    a ++ b ++ c |> f
    xs ++ [1] == ys
    0..n + 1
    a..=b step 2
    10..0 step -3
    1 << 2..8
    a |> f & mask
    "
);

snap!(
    is_as_and_expect_schema,
    "
    x is Int
    x as Float + 1.0
    v is String? or v is list[Int]
    a + b as Int == c
    reply expect schema Invoice
    Chat(prompt: p) ?? fallback expect schema list[String]
    "
);

snap!(
    postfix_chains,
    "
    a.b.c(1)[2]!.d?
    user?.address?.city
    m?[key]?.name
    f(x)?.g()!
    xs[0][1]
    opt!.value
    res?.ok
    5.abs()
    data.type.end
    "
);

snap!(
    tuple_indexing,
    "
    t.0
    t.0.1
    t.1.0.2
    pair.0 + pair.1
    (t.0).1
    "
);

snap!(
    string_literals_and_interpolation,
    r#"
    "plain"
    "escapes \n \t \r \0 \\ \" \{ \} \x41 \u{1F600}"
    "sum {a + b} and {f(x, y)} and {xs[0]}"
    "padded {x:>8} {y:<5} {z:^7} {n:08.3f} {m:+d} {h:#x} {b:b} {o:o} {e:e} {s:*^10s}"
    "nested {("inner {x}")} braces {} and {"
    "call {-x} {(a)} {[1, 2]}"
    "#
);

snap!(
    raw_triple_quoted_and_bytes,
    r####"
    r"C:\path\{not_interp}"
    r"""
      raw
        block {x}
      """
    let s = """
      Dear {name},
        indented "quoted" ""two""
      bye
      """
    b"cafe"
    b""
    b"00FF"
    """one line"""
    "####
);

snap!(
    numeric_literals,
    "
    0
    1_000_000
    0xFF
    0XdeadBEEF
    0b1111_0000
    0o755
    1.5
    1e10
    2.5E-3
    6.02e+23
    1_0.0_1
    -9223372036854775808
    9223372036854775807
    0x7fff_ffff_ffff_ffff
    -17
    1..5
    "
);

snap!(
    other_literals,
    "
    true
    false
    null
    self
    ok(1)
    err(\"bad\")
    ()
    (1,)
    (1, 2, 3,)
    (a)
    "
);

snap!(
    list_set_map_literals_with_spreads,
    r#"
    []
    [1, 2, 3,]
    [...xs, 4, ...ys]
    {1, 2, 3}
    {...s, 4}
    {}
    {"a": 1, "b": 2,}
    {k: v, ...defaults, "z": 0}
    [
      1,
      2
    ]
    "#
);

snap!(
    comprehensions,
    "
    [x * x for x in xs]
    [x for x in 0..10 if x % 2 == 0]
    [(a, b) for a in xs for b in ys if a != b]
    [x for row in grid for x in row if x > 0 for y in [x] if y < 9]
    {s.len() for s in words}
    {k: v * 2 for (k, v) in m if v > 0}
    [[y for y in row] for row in rows]
    {name: [n for n in names if n != name] for name in names}
    "
);

snap!(
    lambdas_both_forms,
    "
    fn(x) => x + 1
    fn(x: Int, y: Int) -> Int => x * y
    fn() => null
    fn(a) => fn(b) => a + b
    let f = fn(n: Int) -> Int
      let d = n * 2
      return d
    end
    map(xs, fn(x) => x * 2)
    spawn(fn() -> Int
      let a = 1
      return a
    end)
    "
);

snap!(
    if_then_else_chains,
    "
    if a then 1 else 2
    if a then 1 else if b then 2 else 3
    let y = if x > 0 then x else -x
    if a then b else c + 1
    f(if c then 1 else 2, 3)
    "
);

snap!(
    when_and_match_expressions,
    r#"
    let sign = when
      x > 0 -> 1
      x < 0 -> -1
      _ -> 0
    end
    let name = match c
      Red -> "red"
      Green | Blue ->
        let n = "cool"
        n
    end
    return when
      ready -> go()
    end
    "#
);

snap!(
    do_blocks_loops_and_comptime_as_expressions,
    "
    let v = do
      let a = 1
      a + 1
    end
    let found = for x in xs
      if x > 3
        break x
      end
    end
    let w = while true
      break 1
    end
    let k = comptime (1 << 8) - 1 end
    let t = comptime
      let t = 2
      t * t
    end
    "
);

snap!(
    perform_handle_resume,
    r#"
    let r = handle
      let x = perform Ask.number("q", 2)
      perform Log.info()
      x + 1
    with
      Ask.number(prompt, n) => resume(n * 2)
      Log.info() =>
        print("logged")
        resume()
      Chat(prompt) => resume("canned answer")
      Quiet
      Logging
    end
    "#
);

snap!(
    await_forms,
    "
    let a = await fetch(url)
    let b = await f() + await g()
    let r = await parallel
      first = fetch(a)
      fetch(b)
      third = cube(3)
    end
    let w = await race
      slow()
      fast()
    end
    let v = await vote
      ask(1)
      ask(2)
    end
    let s = await select
      left = recv(c1)
      right = recv(c2)
    end
    let cubes = await parallel for i in 1..=4
      cube(i)
    end
    let h = spawn(fn() => base * 8)
    let h2 = spawn(seven, 1, 2)
    "
);

snap!(
    try_forms,
    "
    let a = try parse(s)
    let b = try parse(s) else 0
    let c = try parse(s) else |e| length(e) + 1
    let d = parse(s)? + 1
    let e = try f() else try g() else 0
    "
);

snap!(
    call_arguments,
    r#"
    f(1, 2, b: 3, c: 4)
    g(...xs)
    h(1, ...rest)
    Point(x: 1, y: 2)
    Point(x, y)
    Event(type: "x", end: 2)
    Chat(role system: "Be brief", role user: question, max_tokens: 10)
    f(
      1,
      named: 2,
    )
    "#
);

snap!(
    line_continuation_trailing_operators,
    "
    let total = a +
      b *
      c
    let both = x and
      y
    let xs = [1,
      2]
    let r = obj.
      field
    let v = 1 |>
      f
    "
);

snap!(
    line_continuation_leading_operators,
    "
    let r = xs
      |> map(fn(x) => x * 2)
      |> filter(fn(x) => x > 2)
    let s = first
      ++ second
      ++ third
    let t = a
      and b
      or c
    let u = user
      .profile
      ?.name
      ?? \"anon\"
    let v = 1
    -2
    "
);

snap!(
    backslash_continuation_and_semicolons,
    "
    let x = 1 \\
      + 2
    let y = f(a) \\
      .g()
    let a = 1; let b = 2; a + b
    "
);

snap!(
    markdown_docstrings_in_raw_files,
    r#"
    ```
    Adds one.

    - bullets, `code`, and an unbalanced ( paren
    ```
    cell inc(n: Int) -> Int = n + 1

    cell main()
      ```lumen
      A markdown block before a statement is a comment: cell broken(
      ```
      let x = inc(1)
    end

    ```
    A markdown block at the end of the file is a comment too.
    ```
    "#
);
