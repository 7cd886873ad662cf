//! Snapshots of the canonical layout, construct by construct. Every input is deliberately laid
//! out badly; each output is also checked to be a fixed point with the input's AST.

use lumen_fmt::format_source;
use lumen_fmt::verify::module_fingerprint;
use lumen_syntax::SourceKind;

/// Formats raw source, checking that the result keeps the AST and formats to itself.
fn fmt(src: &str) -> String {
    let out = format_source(src, SourceKind::Raw).unwrap_or_else(|e| panic!("cannot format: {e}\n{src}"));
    let before = lumen_syntax::parse_code(src);
    let after = lumen_syntax::parse_code(&out);
    assert!(!after.has_errors(), "output does not parse:\n{out}");
    assert_eq!(module_fingerprint(&before.module), module_fingerprint(&after.module), "AST changed:\n{out}");
    let again = format_source(&out, SourceKind::Raw).expect("output formats");
    assert_eq!(again, out, "not idempotent");
    out
}

#[test]
fn cells_and_signatures() {
    insta::assert_snapshot!(fmt(concat!(
        "cell  add( a:Int,b : Int=1 )->Int=a+b\n",
        "async cell fetch()->Int/{io,net}\n  return 1\nend\n",
        "cell gen(n:Int)->yield Int where n>0\n",
        "    yield n\nend\n",
        "extern cell host(x:Int)->Int/io\n",
        "cell many(...rest:String,)\nend\n",
        "cell id[T:Ord+Num](x:T)->T=x\n",
    )));
}

#[test]
fn records_enums_and_aliases() {
    insta::assert_snapshot!(fmt(concat!(
        "record Point[T]\n",
        "      x:T=0 where x>=0\n",
        "  @deprecated( \"use z\" )\n",
        "    y:T\n",
        "end\n",
        "enum Shape\n  Red,Green,   Blue\n",
        "  Circle(r:Float)\n  Rect(Float,Float)\n  Empty()\n",
        "  cell area(self)->Float=0.0\n",
        "end\n",
        "type Id=Int where Id>0\n",
        "const LIMIT:Int=10\n",
        "pub const NAME = \"x\"\n",
    )));
}

#[test]
fn traits_impls_effects_handlers() {
    insta::assert_snapshot!(fmt(concat!(
        "trait Show:Base+Other\n  cell show(self)->String\n",
        "  cell twice(self)->String=self.show()++self.show()\nend\n",
        "impl[T] Show for Box[T]\n  cell show(self)->String=\"box\"\nend\n",
        "effect Log\n  cell info(msg:String)->Null\nend\n",
        "handler Quiet\n  handle Log.info(msg:String)->Null\n  return null\n  end\nend\n",
        "bind effect Log.info   to Chat\n",
        "macro twice!(e)\n e\n e\nend\n",
    )));
}

#[test]
fn imports_tools_grants_directives() {
    insta::assert_snapshot!(fmt(concat!(
        "@strict   false\n",
        "import std.text:upper,lower as lo\n",
        "import @acme/text-kit.util:*\n",
        "use tool  llm.chat@2 as Chat   from \"openai\"\n",
        "grant Chat domain \"api.x\"   timeout_ms 2500\n",
        "grant Chat\n      max_tokens 100  rate 5\n    domain \"y\"\n",
        "let x=1\n",
    )));
}

#[test]
fn agents_and_processes() {
    insta::assert_snapshot!(fmt(concat!(
        "agent Helper\n",
        "  role system:   You are helpful.\n",
        "  model:\"gpt\"\n",
        "  cell ask(q:String)->String\n return q\n  end\n",
        "end\n",
        "pipeline Flow\n  stages: -> a -> b\n",
        "  cell a(x:Int)->Int=x\n  cell b(x:Int)->Int=x\nend\n",
        "machine Door\n  initial:Closed\n",
        "  state Closed(n:Int)\n    guard:n>0\n    transition Open(n+1)\n",
        "    on_enter\n  print(n)\n    end\n  end\n",
        "  state Open(n:Int)\n    terminal:true\n  end\nend\n",
    )));
}

#[test]
fn statements() {
    insta::assert_snapshot!(fmt(concat!(
        "cell main()\n",
        "let x=1+2*3 ; let mut y:Int=-x\n",
        "y+=1\n  y = y-   2\n",
        "let (a,b)=(1,2)\n",
        "if x>1 and not(y<2)\nprint(\"a\")\nelse if let ok(v)=parse_int(\"3\")\nprint(v)\nelse\nprint(\"c\")\nend\n",
        "for @outer i in 0..10 if i%2==0\nfor j in [1,2]\ncontinue @outer\nend\nbreak @outer\nend\n",
        "while let [h,...t]=xs\nbreak\nend\n",
        "let r=loop\nbreak 5\nend\n",
        "defer\nprint(\"bye\")\nend\n",
        "cell local(n:Int)->Int=n\n",
        "emit(\"e\")\n",
        "halt \"stop\"\n",
        "return\n",
        "end\n",
    )));
}

#[test]
fn match_when_and_arms() {
    insta::assert_snapshot!(fmt(concat!(
        "cell f(v:Any)->Int\n",
        "  match v\n",
        "    [h,...rest]->return h\n",
        "    Point(x,y:0,..)->return x\n",
        "    1|2->return 0\n",
        "    n:Int if n>3->\n      return n\n",
        "    (a,b)->\n      print(a)\n      return b\n",
        "    -5..-1 ->return -1\n",
        "    Shape.Red->return 2\n",
        "    _->return 9\n",
        "  end\n",
        "  let w=when\n    v==1->\"one\"\n    _->\"other\"\n  end\n",
        "end\n",
    )));
}

#[test]
fn expressions() {
    insta::assert_snapshot!(fmt(concat!(
        "let t=(1,)\nlet u=(1,2,)\nlet m={\"a\":1,\"b\":2}\nlet s={1,2}\nlet e={}\n",
        "let lc=[i*2 for i in 0..5 if i>1]\nlet mc={k:v for (k,v) in m}\n",
        "let a=xs?.name??\"none\"\nlet b=xs?[0]!\nlet c=try parse_int(\"x\") else |e| 0\n",
        "let d=if x>1 then \"a\" else \"b\"\nlet f=x is Int\nlet g=x as Float\n",
        "let h=0..=10 step 2\nlet i=a<b<=c\nlet j=t.0\nlet k=- -x\nlet l=~x\nlet n=await job\n",
        "let o=[...xs,4]\nlet p=f(1,b:2,...rest)\nlet q=-9223372036854775808\n",
        "let r=0xff+1_000+2.5e3\nlet s2=r\"raw\\n\"+b\"cafe\"\nlet v=Point(x:1,y:2) expect schema Point\n",
        "let w=(a+1)..(b-1)\nlet z=a+1 .. b\n",
    )));
}

#[test]
fn lambdas_and_block_expressions() {
    insta::assert_snapshot!(fmt(concat!(
        "let f=fn(a:Int,b)->Int=>a+b\n",
        "let g=fn(a)\nreturn a\nend\n",
        "let t=spawn(fn()->Int\nlet a=1\nreturn a\nend)\n",
        "let d=do\nlet z=1\nz\nend\n",
        "let h=handle\nperform Log.info(\"x\")\nwith\nLog.info(m)=>resume(null)\nAsk.get()=>\n  resume(1)\nQuiet\nend\n",
        "let p=await parallel\na=fetch()\nfetch()\nend\n",
        "let q=await parallel for i in [1,2]\nfetch(i)\nend\n",
        "let c=comptime 1+2 end\n",
        "let c2=comptime\nlet a=2\na*a\nend\n",
        "twice!(print(\"hi\"))\n",
    )));
}

#[test]
fn long_lists_wrap_with_trailing_commas() {
    insta::assert_snapshot!(fmt(concat!(
        "let long=some_function_name(first_argument_value,second_argument_value,third_argument_value,4)\n",
        "let nested=outer(inner_function(alpha_value,beta_value,gamma_value),other_function(delta_value,epsilon))\n",
        "let items=[LineItem(description:\"Widget\",cents:1999,quantity:3),LineItem(description:\"Gadget\",cents:4550,quantity:1)]\n",
        "let doc=JObj([(\"name\",JStr(\"lumen\")),(\"version\",JNum(5)),(\"stable\",JBool(false)),(\"tags\",JArr([]))])\n",
        "let short=f(\n  1,\n  2\n)\n",
        "cell signature(first_parameter:Int,second_parameter:String,third_parameter:list[Int])->Int=0\n",
        "let total=first_value_in_the_sum+second_value_in_the_sum+third_value_in_the_sum-fourth_value_x\n",
        "let m={\"alpha\":alpha_value_long_name,\"beta\":beta_value_long_name,\"gamma\":gamma_value_long}\n",
    )));
}

#[test]
fn written_line_breaks_in_chains_are_kept() {
    insta::assert_snapshot!(fmt(concat!(
        "let res=xs\n  |> map(f)\n      |> sum()\n",
        "let name=person\n  .first_name\n  .upper()\n",
        "let total=a+\n  b+\n  10\n",
        "let diff=a-\n  b\n",
        "let one_line=xs |> map(f) |> sum()\n",
    )));
}

#[test]
fn comments_everywhere() {
    insta::assert_snapshot!(fmt(concat!(
        "# file header\n\n\n",
        "cell main() # after the header\n",
        "  let xs=[\n    1, # one\n    # before two\n    2\n    # at the end\n  ]\n",
        "  let r=foo(a, # after a\n    b)\n",
        "      # oddly indented\n",
        "  print(x)   # trailing\n",
        "  match x\n",
        "    # before an arm\n",
        "    1->print(1) # after an arm\n",
        "    2-> # after an arrow\n      print(2)\n",
        "    # before end\n",
        "  end\n",
        "  if x\n    a()\n    # before else\n  else # on else\n    b()\n  end\n",
        "  let y = a +   # inside an expression: the statement stays as written\n    b\n",
        "end # after end\n",
        "# at the end of the file\n",
    )));
}

#[test]
fn blank_lines() {
    insta::assert_snapshot!(fmt(concat!(
        "\n\nimport a: b\nimport c: d\n\nconst X = 1\nconst Y = 2\n",
        "cell one() = 1\ncell two() = 2\n\n\n\n",
        "cell body()\n\n\n  let a = 1\n\n\n\n  let b = 2\n  let c = 3\n\n\nend\n",
        "record R\n  x: Int\nend\n",
        "\n\n\n",
    )));
}

#[test]
fn docstrings_and_markdown_blocks() {
    insta::assert_snapshot!(fmt(concat!(
        "```\nSquares an integer. `cell`, `end` and ( are prose.\n   indented prose stays\n```\n",
        "cell sq(n:Int)->Int=n*n\n",
        "enum Light\n",
        "    ```\n    A variant's docstring.\n    ```\n",
        "  Red\nend\n",
        "cell main()\n    ```\n    a markdown comment block\n    ```\n  print(sq(9))\nend\n",
    )));
}

#[test]
fn strings_and_role_text_keep_their_contents() {
    insta::assert_snapshot!(fmt(concat!(
        "cell main()\n",
        "    let s = \"\"\"\n      multi\n        line\n      \"\"\"\n",
        "    let msg = role user:\n        Hello {name},\n          indented\n    end\n",
        "    let t = \"interp {a+b:>8} {f( x )}\"\n",
        "    print(s, msg, t)\n",
        "end\n",
    )));
}

#[test]
fn markdown_files_format_only_lumen_fences() {
    let src = concat!(
        "# Title\n\nProse   with trailing spaces   \n@strict false\n\n",
        "```lumen\ncell greet(name:String)->String=\"hello {name}\"\n```\n\n",
        "- item\n\n  ```lm\n  let   z = 3\n  ```\n\n",
        "> ```lumen\n> let q=1\n> ```\n\n",
        "```python\nx  =  1\n```\n\n",
        "~~~lm\ncell main()\n    print(greet(\"x\"))   # hi\nend\n~~~\n",
    );
    let out = format_source(src, SourceKind::Markdown).expect("formats");
    insta::assert_snapshot!(out.clone());
    assert_eq!(format_source(&out, SourceKind::Markdown).expect("formats"), out);
    // Everything outside the two top-level Lumen fences is byte for byte the same.
    for kept in ["Prose   with trailing spaces   \n", "  let   z = 3\n", "> let q=1\n", "x  =  1\n"] {
        assert!(out.contains(kept), "lost {kept:?}");
    }
}
