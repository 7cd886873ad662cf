//! Long operator chains and many declarations must check without overflowing the stack and in
//! time linear in their size.

use lumen_check::{ModuleInput, check_program};

fn check(src: &str) -> Vec<lumen_syntax::Diagnostic> {
    let parsed = lumen_syntax::parse_code(src);
    assert!(parsed.diagnostics.iter().all(|d| !d.is_error()), "the input parses");
    let out = check_program(&[ModuleInput { name: "", module: &parsed.module }]).remove(0);
    // Dropping a very deep tree recurses; the checker's part is done.
    std::mem::forget(parsed);
    out
}

#[test]
fn long_operator_chains() {
    let sum = vec!["1"; 100_000].join(" + ");
    let conj = vec!["x != null"; 20_000].join(" and ");
    let src = format!("cell main()\n  let x: Int? = 1\n  let s = {sum}\n  if {conj}\n    print(s + x)\n  end\nend\n");
    let started = std::time::Instant::now();
    let diags = check(&src);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(started.elapsed().as_secs() < 20, "checking took {:?}", started.elapsed());
}

#[test]
fn many_cells_calling_each_other() {
    let mut src = String::new();
    for i in 0..3000 {
        src.push_str(&format!("cell f{i}(n: Int) = n + {i}\n"));
        if i > 0 {
            src.push_str(&format!("cell g{i}(n: Int) -> Int = f{i}(n) + g{}(n)\n", i - 1));
        }
    }
    src.push_str("cell g0(n: Int) -> Int = f0(n)\ncell main()\n  print(g2999(1) + 1)\nend\n");
    let diags = check(&src);
    assert!(diags.is_empty(), "{diags:?}");
}
