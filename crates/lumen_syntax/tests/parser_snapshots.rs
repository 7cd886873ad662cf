//! Snapshot tests of the parser, one per declaration form (LANGUAGE.md §3.1-§3.3), printed with
//! `lumen_syntax::ast::dump`. Statements and expressions are in `parser_snapshots_stmts.rs` and
//! `parser_snapshots_exprs.rs`; every conformance program is parsed by `conformance_parse.rs`.
//!
//! Regenerate after an intended change with
//! `INSTA_UPDATE=always cargo test -p lumen_syntax --test parser_snapshots` and review the diff.

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
    record_with_defaults_and_where,
    r#"
    record Item
      name: String
      quantity: Int = 1 where quantity > 0
      price: Float where price >= 0.0 and price < 1e6
      @deprecated("use tags")
      type: String = "plain"
      tags: list[String] = []
    end
    "#
);

snap!(
    generic_records,
    "
    record Box[T]
      value: T
    end
    record Pair[A, B: Ord + Show]
      first: A
      second: map[String, list[B]]
    end
    "
);

snap!(
    enum_with_payloads_and_methods,
    "
    enum Shape
      Circle(Float)
      Rect(w: Float, h: Float)
      Empty()
      Dot
      cell area(self) -> Float
        match self
          Circle(r) -> return 3.14 * r * r
          Rect(w, h) -> return w * h
          _ -> return 0.0
        end
      end
      cell unit() -> Shape = Dot
    end
    enum Option[T]
      Some(T)
      Nothing
    end
    "
);

snap!(
    cell_params_named_default_variadic,
    r#"
    cell f(a: Int, b: String = "x", c: Bool = not false, ...rest: Int) -> Int
      return a
    end
    cell g(self: Point, ...xs: list[Int])
    end
    cell h(
      a: Int,
      b: Int,
    ) -> Int = a + b
    "#
);

snap!(
    cell_effect_rows,
    "
    cell a() -> Null / {io, llm}
      print(1)
    end
    cell b() / io = print(2)
    cell c() -> Int / {} = 3
    cell d(f: fn(Int) -> Int / {io}) -> Int / net = f(1)
    "
);

snap!(
    cell_generics_with_bounds,
    "
    cell first[T](xs: list[T]) -> T? = xs[0]
    cell largest[T: Ord](xs: list[T]) -> T = xs[0]
    cell index[K: Ord + Hash, V](m: map[K, V]) -> list[(K, V)] = []
    "
);

snap!(
    generator_cells,
    "
    cell count(n: Int) -> yield Int
      for i in 0..n
        yield i
      end
    end
    cell pairs() -> yield (Int, String) / {io} = null
    "
);

snap!(
    cell_expression_bodies,
    r#"
    cell sq(n: Int) -> Int = n * n
    cell greet(name: String) -> String = "hi {name}"
    async cell fetch(url: String) -> String = url
    cell nothing() = null
    "#
);

snap!(
    cell_where_preconditions,
    "
    cell div(a: Int, b: Int) -> Int where b != 0 = a // b
    cell sqrt_int(n: Int) -> Int / {io} where n >= 0 and n < 1000
      return n
    end
    "
);

snap!(
    async_cells,
    "
    async cell cube(n: Int) -> Int
      return n * n * n
    end
    pub async cell go() = await cube(2)
    "
);

snap!(
    type_expressions,
    "
    cell t(a: Int?, b: Int | String | Null, c: fn(Int, Int) -> Int / {io}, d: (Int, String)) = null
    cell u(e: map[String, list[Int]], f: (fn() -> Int)?, g: utils.Meters, h: null, i: fn()) = null
    cell v(j: fn(Int) -> Int | Null, k: (Int), l: Int?, m: tuple[Int, Float], n: result[Int, String]) = null
    "
);

snap!(
    type_aliases,
    "
    type Meters = Float
    type Names = list[String]
    type Scorer = fn(String) -> Int
    type Port = Int where self > 0 and self < 65536
    pub type Pair[T] = (T, T)
    type Id = Int | String
    "
);

snap!(
    constants,
    r#"
    const MAX: Int = 100
    const NAME = "lumen"
    pub const KIB = comptime 1 << 10 end
    const TABLE = comptime
      let x = 2
      x * 3
    end
    const LIMITS: map[String, Int] = {"a": 1, "b": MAX}
    "#
);

snap!(
    traits_with_signatures_and_defaults,
    r#"
    trait Show
      cell show(self) -> String
    end
    trait Loud: Show + Eq
      cell volume(self) -> Int
      cell shout(self) -> String
        return upper(self.show()) ++ "!"
      end
      cell twice(self) -> String = self.show() ++ self.show()
    end
    trait Both: Show, Eq
    end
    "#
);

snap!(
    impls,
    r#"
    impl Show for Point
      cell show(self) -> String = "({self.x}, {self.y})"
    end
    impl[T: Show] Show for Box[T]
      cell show(self) -> String
        return self.value.show()
      end
    end
    impl Show for Int
    end
    "#
);

snap!(
    imports_all_forms,
    "
    import utils: helper
    import a.b.c: x, y as z, w
    import models: *
    import @acme/http: get
    import @acme/http.client.v2: fetch as get_url, Request
    pub import shapes: Circle
    "
);

snap!(
    extern_cells,
    "
    extern cell now_ms() -> Int / {time}
    extern cell log(msg: String)
    pub extern cell hash[T](x: T) -> String
    "
);

snap!(
    macros,
    r#"
    macro twice!(e)
      e
      e
    end
    macro swap(a, b)
      let t = a
      a = b
      b = t
    end
    macro noop!()
    end
    twice!(print("x"))
    "#
);

snap!(
    agent_with_role_tools_grants_config,
    r#"
    agent Helper
      use tool llm.chat as Chat
      grant Chat model "small-chat-1" max_tokens 300
      role system: You answer in one sentence. # not a comment
      model: "small"
      temperature: 0.2
      ```
      Asks one question.
      ```
      @must_use
      cell ask(q: String) -> String / {llm}
        role user: {q}
        return Chat() expect schema String
      end
    end
    "#
);

snap!(
    effect_declarations,
    "
    effect Log
      cell info(msg: String) -> Null
      cell level() -> Int

      cell tagged[T](value: T, tag: String) -> T
    end
    "
);

snap!(
    handler_declarations,
    r#"
    handler Quiet
      handle Log.info(msg: String) -> Null
        resume(null)
      end
      handle Log.level() -> Int
        resume(3)
      end
    end
    "#
);

snap!(
    bind_effects,
    "
    bind effect Log to Logger
    bind effect Log.info to Logger
    "
);

snap!(
    use_tool_all_forms,
    r#"
    use tool http.get as Fetch
    use tool llm.chat@2 as Chat
    use tool llm.chat as Claude from "anthropic"
    use tool llm.chat@3 as Pinned from "openai"
    use tool mcp "ticket-mcp-server --stdio" as Tix
    "#
);

snap!(
    grants_one_line_and_block,
    r#"
    grant Chat
    grant Weather domain "api.weather.test" timeout_ms 2500
    grant Fetch
      domain "*.example.com"
      domain "api.test" methods ["GET", "POST"]
      max_calls LIMIT
      timeout_ms (1000 * 5)
    let after = 1
    "#
);

snap!(
    pipeline_with_stages,
    r#"
    pipeline Slugify
      stages:
        -> normalize
        -> hyphenate
        -> shorten

      cell normalize(text: String) -> String = lower(trim(text))
      cell hyphenate(text: String) -> String = replace(text, " ", "-")
      cell shorten(text: String) -> String = slice(text, 0, 12)
    end
    "#
);

snap!(
    machine_with_states,
    r#"
    machine Door
      initial: Closed
      max_steps: 100
      state Closed(code: Int)
        transition Opening(code)
      end
      state Opening(code: Int)
        guard: code > 0
        transition Open(code)
        transition Jammed("bad code")
        on_enter
          print("opening {code}")
        end
        on_exit
          print("leaving")
        end
      end
      state Open(code: Int)
        terminal: true
      end
      state Jammed(reason: String)
        terminal: true
      end
      state Idle
        terminal: false
        transition Closed(0)
      end
    end
    "#
);

snap!(
    other_process_kinds,
    r#"
    memory ChatLog
      capacity: 100
    end
    orchestration Fanout
      stages:
        -> left
        -> right
      cell left(x: Int) -> Int = x + 1
      cell right(x: Int) -> Int = x * 2
    end
    guardrail NoSecrets
      schema: Invoice
      use tool llm.chat as Chat
      grant Chat max_calls 1
      cell check(v: Invoice) -> result[Invoice, String] = ok(v)
    end
    eval Quality
      threshold: 0.75
      cell score(x: String) -> Float = 1.0
    end
    pattern Order
      pattern: r"{user} ordered {count} items"
    end
    "#
);

snap!(
    docstrings_attributes_and_pub,
    r#"
    ```
    Squares an integer. Any markdown is allowed here: `cell`, `end` and
    unbalanced brackets ( are not code.
    ```
    @inline
    pub cell sq(n: Int) -> Int = n * n

    ```md
    A colour.
    ```
    # a comment between the docstring and the declaration
    enum Color
      ```
      The colour of the sky.
      ```
      Blue
      Red
      ```
      Says hello.
      ```
      cell hello(self) = null
    end

    @test
    @deprecated("gone", 2)
    cell check() = null

    print(1)
    @must_use
    pub record Empty
    end
    "#
);

snap!(
    directives,
    r#"
    @strict false
    @deterministic
    @doc_mode true
    @name "demo"
    @level 3
    @mode fast
    cell main() = null
    "#
);

snap!(
    top_level_statements,
    r#"
    let x = 1
    print(x)
    cell helper() = 2
    x + helper()
    "#
);

#[test]
fn dump_layout_and_single_node_dumpers() {
    use lumen_syntax::ast::dump::{dump_expr, dump_pattern, dump_stmt, dump_type};
    use lumen_syntax::ast::{ItemKind, StmtKind};
    let src = "cell main() -> Int\n  let x = 1 + 2 * 3\n  return f(x, y: \"a{x:>8}\")\nend\n";
    let out = parse_code(src);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let expected = "(cell main () -> Int\n  (let x (binary + (int 1) (binary * (int 2) (int 3))))\n  (return (call (ident f) (ident x) (named y (str \"a\" {ident x :>8})))))\n";
    assert_eq!(dump_module(&out.module), expected);

    let out = parse_code("let (a, [b, ...c]): (Int, list[Int]?) = g(1)\n");
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let ItemKind::Stmt(stmt) = &out.module.items[0].kind else { panic!("expected a statement") };
    assert_eq!(
        dump_stmt(stmt),
        "(let (tuple a (list b ...c)) : (tuple Int (opt list[Int])) (call (ident g) (int 1)))\n"
    );
    let StmtKind::Let { pattern, ty, value, .. } = &stmt.kind else { panic!("expected a let") };
    assert_eq!(dump_pattern(pattern), "(tuple a (list b ...c))");
    assert_eq!(dump_type(ty.as_ref().expect("annotated")), "(tuple Int (opt list[Int]))");
    assert_eq!(dump_expr(value), "(call (ident g) (int 1))\n");
}
