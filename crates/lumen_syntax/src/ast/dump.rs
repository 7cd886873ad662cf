//! A compact, deterministic S-expression dump of the AST, for snapshot tests and debugging.
//!
//! Items, members and statements take one line each, nested blocks are indented by two spaces, and
//! expressions stay on one line unless they contain a block. Spans are never printed. Docstrings
//! (`(doc "...")`, cut to 40 characters) and attributes (`(@name args)`) are printed on the lines
//! before the node they belong to. Cells without a body (trait, effect and extern signatures) print
//! as `cell-sig`.
//!
//! ```text
//! (cell main () -> Int
//!   (let x (binary + (int 1) (binary * (int 2) (int 3))))
//!   (return (call (ident f) (ident x) (named y (str "a" {ident x :>8})))))
//! ```

use super::*;

/// A node of the printed tree.
enum Sx {
    Atom(String),
    /// Delimiters, items, and how many items share the opening line (the rest take a line each,
    /// and so does every item after a multi-line one).
    List(&'static str, &'static str, Vec<Sx>, usize),
}

fn atom(s: impl Into<String>) -> Sx {
    Sx::Atom(s.into())
}

/// An inline list: it breaks only around multi-line items.
fn list(items: Vec<Sx>) -> Sx {
    Sx::List("(", ")", items, usize::MAX)
}

/// A list whose `head` items share the first line and whose `body` items take a line each.
fn block(mut head: Vec<Sx>, body: Vec<Sx>) -> Sx {
    let n = head.len();
    head.extend(body);
    Sx::List("(", ")", head, n)
}

fn tag(name: &str, rest: Vec<Sx>) -> Sx {
    let mut items = vec![atom(name)];
    items.extend(rest);
    list(items)
}

/// `[key, value]` when the value is present, for `items.extend(..)`.
fn opt(key: &str, value: Option<Sx>) -> Vec<Sx> {
    value.map(|v| vec![atom(key), v]).unwrap_or_default()
}

fn flag(on: bool, word: &str) -> Option<Sx> {
    on.then(|| atom(word))
}

fn lines(sx: &Sx) -> Vec<String> {
    let (open, close, items, head) = match sx {
        Sx::Atom(s) => return vec![s.clone()],
        Sx::List(open, close, items, head) => (open, close, items, head),
    };
    let mut out = vec![open.to_string()];
    let mut broken = false;
    for (i, item) in items.iter().enumerate() {
        let sub = lines(item);
        if broken || i >= *head {
            out.extend(sub.into_iter().map(|l| format!("  {l}")));
            continue;
        }
        let last = out.last_mut().expect("never empty");
        if i > 0 {
            last.push(' ');
        }
        last.push_str(&sub[0]);
        broken = sub.len() > 1;
        out.extend(sub[1..].iter().map(|l| format!("  {l}")));
    }
    out.last_mut().expect("never empty").push_str(close);
    out
}

fn render(nodes: &[Sx]) -> String {
    nodes.iter().flat_map(lines).map(|l| l + "\n").collect()
}

/// The whole module: directives, then items, one per line (plus nested lines).
pub fn dump_module(m: &Module) -> String {
    let mut nodes = Vec::new();
    for d in &m.directives {
        let value = match &d.value {
            DirectiveValue::Bool(b) => b.to_string(),
            DirectiveValue::Str(s) => quote(s),
            DirectiveValue::Int(n) => n.to_string(),
            DirectiveValue::Ident(name) => name.clone(),
        };
        nodes.push(tag("directive", vec![atom(&d.name.name), atom(value)]));
    }
    for item in &m.items {
        item_nodes(item, &mut nodes);
    }
    render(&nodes)
}

pub fn dump_expr(e: &Expr) -> String {
    render(&[expr(e)])
}

pub fn dump_stmt(s: &Stmt) -> String {
    let mut nodes = Vec::new();
    stmt_nodes(s, &[], &mut nodes);
    render(&nodes)
}

pub fn dump_pattern(p: &Pattern) -> String {
    lines(&pattern(p)).join("\n")
}

pub fn dump_type(t: &TypeExpr) -> String {
    ty(t)
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn join<'a>(ids: impl IntoIterator<Item = &'a Ident>, sep: &str) -> String {
    ids.into_iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(sep)
}

fn path(ids: &[Ident]) -> String {
    join(ids, ".")
}

fn names(ids: &[Ident]) -> Vec<Sx> {
    ids.iter().map(|i| atom(&i.name)).collect()
}

/// `(doc "...")` and `(@attr ...)` lines, except those equal to what the caller already printed.
fn meta(doc: &Option<String>, attrs: &[Attribute], shown: (&Option<String>, &[Attribute]), out: &mut Vec<Sx>) {
    if let Some(d) = doc.as_ref().filter(|d| shown.0.as_ref() != Some(*d)) {
        let mut text: String = d.chars().take(40).collect();
        if d.chars().count() > 40 {
            text.push_str("...");
        }
        out.push(tag("doc", vec![atom(quote(&text))]));
    }
    if attrs != shown.1 {
        out.extend(attrs.iter().map(|a| tag(&format!("@{}", a.name.name), a.args.iter().map(expr).collect())));
    }
}

const NONE: (&Option<String>, &[Attribute]) = (&None, &[]);

fn item_nodes(item: &Item, out: &mut Vec<Sx>) {
    meta(&item.doc, &item.attrs, NONE, out);
    let shown = (&item.doc, item.attrs.as_slice());
    let start = out.len();
    match &item.kind {
        ItemKind::Cell(c) => cell_nodes(c, false, shown, out),
        ItemKind::Extern(c) => cell_nodes(c, true, shown, out),
        ItemKind::Stmt(s) => stmt_nodes(s, &item.attrs, out),
        kind => out.push(decl(kind)),
    }
    if item.is_pub {
        match out.get_mut(start..).and_then(|nodes| nodes.last_mut()) {
            Some(Sx::List(_, _, items, head)) => {
                items.insert(0, atom("pub"));
                *head = head.saturating_add(1);
            }
            _ => out.push(atom("(pub ?)")),
        }
    }
}

/// A declaration other than a cell or a statement.
fn decl(kind: &ItemKind) -> Sx {
    match kind {
        ItemKind::Cell(_) | ItemKind::Extern(_) | ItemKind::Stmt(_) => unreachable!("printed by item_nodes"),
        ItemKind::Record(r) => {
            let mut head = vec![atom("record"), atom(&r.name.name)];
            head.extend(generics(&r.generics));
            let mut body = Vec::new();
            for f in &r.fields {
                meta(&None, &f.attrs, NONE, &mut body);
                let mut items = vec![atom("field"), atom(&f.name.name), atom(ty(&f.ty))];
                items.extend(opt("=", f.default.as_ref().map(expr)));
                items.extend(opt("where", f.constraint.as_ref().map(expr)));
                body.push(list(items));
            }
            block(head, body)
        }
        ItemKind::Enum(e) => {
            let mut head = vec![atom("enum"), atom(&e.name.name)];
            head.extend(generics(&e.generics));
            let mut body = Vec::new();
            for v in &e.variants {
                meta(&v.doc, &v.attrs, NONE, &mut body);
                let mut items = vec![atom("variant"), atom(&v.name.name)];
                if let Some(payload) = &v.payload {
                    items.push(list(
                        payload
                            .iter()
                            .map(|f| match &f.name {
                                Some(n) => atom(format!("{}: {}", n.name, ty(&f.ty))),
                                None => atom(ty(&f.ty)),
                            })
                            .collect(),
                    ));
                }
                body.push(list(items));
            }
            body.extend(cells(&e.methods));
            block(head, body)
        }
        ItemKind::TypeAlias(t) => {
            let mut items = vec![atom("type"), atom(&t.name.name)];
            items.extend(generics(&t.generics));
            items.extend([atom("="), atom(ty(&t.ty))]);
            items.extend(opt("where", t.constraint.as_ref().map(expr)));
            list(items)
        }
        ItemKind::Const(c) => {
            let mut items = vec![atom("const"), atom(&c.name.name)];
            items.extend(opt(":", c.ty.as_ref().map(|t| atom(ty(t)))));
            items.push(expr(&c.value));
            list(items)
        }
        ItemKind::Trait(t) => {
            let mut head = vec![atom("trait"), atom(&t.name.name)];
            head.extend(flag(!t.parents.is_empty(), ":"));
            head.extend(names(&t.parents));
            block(head, cells(&t.methods))
        }
        ItemKind::Impl(i) => {
            let mut head = vec![atom("impl")];
            head.extend(generics(&i.generics));
            head.extend([atom(&i.trait_name.name), atom("for"), atom(ty(&i.target))]);
            block(head, cells(&i.methods))
        }
        ItemKind::Import(i) => {
            let mut p = match &i.path.package {
                Some((ns, pkg)) if i.path.segments.is_empty() => format!("@{}/{}", ns.name, pkg.name),
                Some((ns, pkg)) => format!("@{}/{}.", ns.name, pkg.name),
                None => String::new(),
            };
            p.push_str(&path(&i.path.segments));
            let mut items = vec![atom("import"), atom(p)];
            match &i.names {
                ImportNames::All(_) => items.push(atom("*")),
                ImportNames::Names(ns) => items.extend(ns.iter().map(|n| match &n.alias {
                    Some(a) => list(vec![atom(&n.name.name), atom("as"), atom(&a.name)]),
                    None => atom(&n.name.name),
                })),
            }
            list(items)
        }
        ItemKind::Effect(e) => block(vec![atom("effect"), atom(&e.name.name)], cells(&e.ops)),
        ItemKind::Handler(h) => {
            let ops = h.ops.iter().map(|op| {
                let mut head = vec![atom("handle"), atom(format!("{}.{}", op.effect.name, op.op.name))];
                head.push(params(&op.params));
                head.extend(opt("->", op.ret.as_ref().map(|r| atom(ty(r)))));
                block(head, stmts(&op.body))
            });
            block(vec![atom("handler"), atom(&h.name.name)], ops.collect())
        }
        ItemKind::Bind(b) => {
            let target = join(std::iter::once(&b.effect).chain(&b.op), ".");
            tag("bind-effect", vec![atom(target), atom("to"), atom(&b.tool.name)])
        }
        ItemKind::UseTool(u) => use_tool(u),
        ItemKind::Grant(g) => grant(g),
        ItemKind::Agent(a) => block(vec![atom("agent"), atom(&a.name.name)], members(&a.members)),
        ItemKind::Process(p) => block(vec![atom(p.kind.as_str()), atom(&p.name.name)], members(&p.members)),
        ItemKind::Macro(m) => {
            let name = if m.bang { format!("{}!", m.name.name) } else { m.name.name.clone() };
            block(vec![atom("macro"), atom(name), list(names(&m.params))], stmts(&m.body))
        }
    }
}

fn generics(gs: &[GenericParam]) -> Option<Sx> {
    let text = gs.iter().map(|g| match g.bounds.as_slice() {
        [] => g.name.name.clone(),
        bounds => format!("{}: {}", g.name.name, join(bounds, " + ")),
    });
    (!gs.is_empty()).then(|| atom(format!("[{}]", text.collect::<Vec<_>>().join(", "))))
}

fn cells(cs: &[CellDecl]) -> Vec<Sx> {
    let mut out = Vec::new();
    for c in cs {
        cell_nodes(c, false, NONE, &mut out);
    }
    out
}

/// `(cell name [generics] (params) -> T / {effects} where e` then the body.
fn cell_nodes(c: &CellDecl, is_extern: bool, shown: (&Option<String>, &[Attribute]), out: &mut Vec<Sx>) {
    meta(&c.doc, &c.attrs, shown, out);
    let mut head: Vec<Sx> = [flag(is_extern, "extern"), flag(c.is_async, "async")].into_iter().flatten().collect();
    head.extend([atom(if c.body.is_some() { "cell" } else { "cell-sig" }), atom(&c.name.name)]);
    head.extend(generics(&c.generics));
    head.push(params(&c.params));
    match &c.ret {
        Some(r) => {
            head.extend([Some(atom("->")), flag(c.is_generator, "yield"), Some(atom(ty(r)))].into_iter().flatten())
        }
        None => head.extend(flag(c.is_generator, "-> yield ?")),
    }
    head.extend(c.effects.as_ref().map(|row| atom(effect_row(row))));
    head.extend(opt("where", c.where_clause.as_ref().map(expr)));
    out.push(match &c.body {
        None => list(head),
        Some(CellBody::Expr(e)) => {
            head.extend([atom("="), expr(e)]);
            list(head)
        }
        Some(CellBody::Block(b)) => block(head, stmts(b)),
    });
}

fn effect_row(row: &EffectRow) -> String {
    format!("/ {{{}}}", join(&row.effects, ", "))
}

fn params(ps: &[Param]) -> Sx {
    list(ps.iter().map(param).collect())
}

fn param(p: &Param) -> Sx {
    let name = match p.kind {
        ParamKind::SelfParam | ParamKind::Normal => p.name.name.clone(),
        ParamKind::Variadic => format!("...{}", p.name.name),
    };
    let mut items = vec![atom(name)];
    items.extend(p.ty.as_ref().map(|t| atom(ty(t))));
    items.extend(opt("=", p.default.as_ref().map(expr)));
    list(items)
}

fn use_tool(u: &UseToolDecl) -> Sx {
    let alias = [atom("as"), atom(&u.alias.name)];
    let mut items = vec![atom("use-tool")];
    match &u.source {
        ToolSource::Path { path: p, version, provider } => {
            items.push(atom(path(p)));
            items.extend(version.as_ref().map(|v| atom(format!("@{v}"))));
            items.extend(alias);
            items.extend(opt("from", provider.as_ref().map(|from| atom(quote(from)))));
        }
        ToolSource::Mcp(cmd) => {
            items.extend([atom("mcp"), atom(quote(cmd))]);
            items.extend(alias);
        }
    }
    list(items)
}

fn grant(g: &GrantDecl) -> Sx {
    let mut items = vec![atom("grant"), atom(&g.alias.name)];
    items.extend(g.constraints.iter().map(|c| list(vec![atom(&c.key.name), expr(&c.value)])));
    list(items)
}

fn members(ms: &[Member]) -> Vec<Sx> {
    let mut out = Vec::new();
    for m in ms {
        meta(&m.doc, &m.attrs, NONE, &mut out);
        let node = match &m.kind {
            MemberKind::Cell(c) => {
                cell_nodes(c, false, (&m.doc, &m.attrs), &mut out);
                continue;
            }
            MemberKind::UseTool(u) => use_tool(u),
            MemberKind::Grant(g) => grant(g),
            MemberKind::Role(r) => role(r),
            MemberKind::Config { key, value } => tag("config", vec![atom(&key.name), expr(value)]),
            MemberKind::Stages(stages) => tag("stages", names(stages)),
            MemberKind::Initial(s) => tag("initial", vec![atom(&s.name)]),
            MemberKind::State(s) => {
                let mut head = vec![atom("state"), atom(&s.name.name)];
                head.extend((!s.params.is_empty()).then(|| params(&s.params)));
                let body = s.items.iter().map(|it| match &it.kind {
                    StateItemKind::Terminal(b) => tag("terminal", vec![atom(b.to_string())]),
                    StateItemKind::Guard(e) => tag("guard", vec![expr(e)]),
                    StateItemKind::Transition { target, args } => {
                        let mut items = vec![atom("transition"), atom(&target.name)];
                        items.extend(args.iter().map(expr));
                        list(items)
                    }
                    StateItemKind::OnEnter(b) => block(vec![atom("on_enter")], stmts(b)),
                    StateItemKind::OnExit(b) => block(vec![atom("on_exit")], stmts(b)),
                });
                block(head, body.collect())
            }
        };
        out.push(node);
    }
    out
}

fn role(r: &RoleBlock) -> Sx {
    let content = match &r.content {
        RoleContent::Text(segs) => tag("text", segments(segs)),
        RoleContent::Expr(e) => expr(e),
    };
    tag("role", vec![atom(&r.role.name), content])
}

fn stmts(b: &Block) -> Vec<Sx> {
    let mut out = Vec::new();
    for s in &b.stmts {
        stmt_nodes(s, &[], &mut out);
    }
    out
}

fn label(l: &Option<Ident>) -> Option<Sx> {
    l.as_ref().map(|l| atom(format!("@{}", l.name)))
}

/// A statement, after its attributes (unless they equal `shown_attrs`, already printed).
fn stmt_nodes(s: &Stmt, shown_attrs: &[Attribute], out: &mut Vec<Sx>) {
    meta(&None, &s.attrs, (&None, shown_attrs), out);
    let node = match &s.kind {
        StmtKind::Let { mutable, pattern: p, ty: t, value } => {
            let mut items = vec![atom("let")];
            items.extend(flag(*mutable, "mut"));
            items.push(pattern(p));
            items.extend(opt(":", t.as_ref().map(|t| atom(ty(t)))));
            items.push(expr(value));
            list(items)
        }
        StmtKind::Assign { target, value } => tag("assign", vec![expr(target), expr(value)]),
        StmtKind::CompoundAssign { target, op, value } => {
            tag("assign", vec![atom(format!("{}=", op.as_str())), expr(target), expr(value)])
        }
        StmtKind::Return(v) => tag("return", v.iter().map(expr).collect()),
        StmtKind::Halt(e) => tag("halt", vec![expr(e)]),
        StmtKind::Break { label: l, value } => {
            tag("break", label(l).into_iter().chain(value.as_ref().map(expr)).collect())
        }
        StmtKind::Continue { label: l } => tag("continue", label(l).into_iter().collect()),
        StmtKind::Emit(e) => tag("emit", vec![expr(e)]),
        StmtKind::Defer(b) => block(vec![atom("defer")], stmts(b)),
        StmtKind::Yield(e) => tag("yield", vec![expr(e)]),
        StmtKind::LocalCell(c) => return cell_nodes(c, false, NONE, out),
        StmtKind::Expr(e) => expr(e),
    };
    out.push(node);
}

/// String pieces: text as a quoted string, interpolations as `{expr-items :spec}`.
fn segments(segs: &[StrSegment]) -> Vec<Sx> {
    let seg = |seg: &StrSegment| match seg {
        StrSegment::Text(t) => atom(quote(t)),
        StrSegment::Interp { expr: e, spec, .. } => {
            let mut items = match expr(e) {
                Sx::List(_, _, items, _) => items,
                a @ Sx::Atom(_) => vec![a],
            };
            items.extend(spec.as_ref().map(|spec| atom(format!(":{}", spec.text))));
            Sx::List("{", "}", items, usize::MAX)
        }
    };
    segs.iter().map(seg).collect()
}

fn elements(name: &str, els: &[Element]) -> Sx {
    tag(
        name,
        els.iter().map(|el| if el.spread { tag("spread", vec![expr(&el.expr)]) } else { expr(&el.expr) }).collect(),
    )
}

fn comprehension(mut items: Vec<Sx>, cs: &[CompClause]) -> Sx {
    items.extend(cs.iter().map(|c| match c {
        CompClause::For { pattern: p, iter } => tag("for", vec![pattern(p), expr(iter)]),
        CompClause::If(e) => tag("if", vec![expr(e)]),
    }));
    list(items)
}

fn cond(c: &Cond) -> Sx {
    match c {
        Cond::Expr(e) => expr(e),
        Cond::Let { pattern: p, value } => tag("let", vec![pattern(p), expr(value)]),
    }
}

/// `(head callee args...)`: named arguments as `(named n e)`, spreads as `(spread e)`.
fn call(head: &str, callee: Sx, args: &[Arg]) -> Sx {
    let arg = |a: &Arg| {
        let v = if a.spread { tag("spread", vec![expr(&a.value)]) } else { expr(&a.value) };
        match &a.name {
            Some(n) => tag("named", vec![atom(&n.name), v]),
            None => v,
        }
    };
    tag(head, std::iter::once(callee).chain(args.iter().map(arg)).collect())
}

fn range_op(inclusive: bool) -> Sx {
    atom(if inclusive { "..=" } else { ".." })
}

/// An expression: one line unless it holds a block.
fn expr(e: &Expr) -> Sx {
    match &e.kind {
        ExprKind::Int(n) => tag("int", vec![atom(n.to_string())]),
        ExprKind::Float(f) => tag("float", vec![atom(format!("{f:?}"))]),
        ExprKind::Str(segs) => tag("str", segments(segs)),
        ExprKind::Bytes(bytes) => {
            tag("bytes", vec![atom(quote(&bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))])
        }
        ExprKind::Bool(b) => tag("bool", vec![atom(b.to_string())]),
        ExprKind::Null => tag("null", vec![]),
        ExprKind::Ident(i) => tag("ident", vec![atom(&i.name)]),
        ExprKind::SelfValue => tag("self", vec![]),
        ExprKind::Paren(inner) => tag("paren", vec![expr(inner)]),
        ExprKind::Tuple(es) => tag("tuple", es.iter().map(expr).collect()),
        ExprKind::List(els) => elements("list", els),
        ExprKind::Set(els) => elements("set", els),
        ExprKind::Map(entries) => tag(
            "map",
            entries
                .iter()
                .map(|en| match en {
                    MapEntry::Pair { key, value } => tag("entry", vec![expr(key), expr(value)]),
                    MapEntry::Spread(m) => tag("spread", vec![expr(m)]),
                })
                .collect(),
        ),
        ExprKind::ListComp { element, clauses } => comprehension(vec![atom("list-comp"), expr(element)], clauses),
        ExprKind::SetComp { element, clauses } => comprehension(vec![atom("set-comp"), expr(element)], clauses),
        ExprKind::MapComp { key, value, clauses } => {
            comprehension(vec![atom("map-comp"), expr(key), expr(value)], clauses)
        }
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::BitNot => "~",
                UnaryOp::Not => "not",
            };
            tag("unary", vec![atom(op), expr(operand)])
        }
        ExprKind::Binary { op, lhs, rhs } => tag("binary", vec![atom(op.as_str()), expr(lhs), expr(rhs)]),
        ExprKind::CompareChain { operands, ops } => {
            let mut items = vec![atom("chain")];
            for (i, operand) in operands.iter().enumerate() {
                if i > 0 {
                    items.push(atom(ops.get(i - 1).map_or("?", |op| op.as_str())));
                }
                items.push(expr(operand));
            }
            list(items)
        }
        ExprKind::Is { expr: inner, ty: t } => tag("is", vec![expr(inner), atom(ty(t))]),
        ExprKind::As { expr: inner, ty: t } => tag("as", vec![expr(inner), atom(ty(t))]),
        ExprKind::Range { start, end, inclusive, step } => {
            let mut items = vec![range_op(*inclusive), expr(start), expr(end)];
            items.extend(opt("step", step.as_deref().map(expr)));
            tag("range", items)
        }
        ExprKind::Call { callee, args } => call("call", expr(callee), args),
        ExprKind::Field { target, name, safe } => {
            tag(if *safe { "safe-field" } else { "field" }, vec![expr(target), atom(&name.name)])
        }
        ExprKind::TupleIndex { target, index, .. } => tag("tuple-index", vec![expr(target), atom(index.to_string())]),
        ExprKind::Index { target, index, safe } => {
            tag(if *safe { "safe-index" } else { "index" }, vec![expr(target), expr(index)])
        }
        ExprKind::Unwrap(inner) => tag("unwrap", vec![expr(inner)]),
        ExprKind::Propagate(inner) => tag("propagate", vec![expr(inner)]),
        ExprKind::Try { expr: inner, binding, fallback } => {
            let mut items = vec![atom("try"), expr(inner)];
            items.extend(fallback.is_some().then(|| atom("else")));
            items.extend(binding.as_ref().map(|b| atom(format!("|{}|", b.name))));
            items.extend(fallback.as_deref().map(expr));
            list(items)
        }
        ExprKind::Lambda(l) => {
            let mut head = vec![atom("fn"), params(&l.params)];
            head.extend(opt("->", l.ret.as_ref().map(|r| atom(ty(r)))));
            match &l.body {
                LambdaBody::Expr(body) => {
                    head.extend([atom("=>"), expr(body)]);
                    list(head)
                }
                LambdaBody::Block(b) => block(head, stmts(b)),
            }
        }
        ExprKind::IfThen { cond: c, then, otherwise } => tag("if-then", vec![expr(c), expr(then), expr(otherwise)]),
        ExprKind::If { branches, otherwise } => {
            let mut body: Vec<Sx> =
                branches.iter().map(|br| block(vec![atom("branch"), cond(&br.cond)], stmts(&br.body))).collect();
            body.extend(otherwise.as_ref().map(|b| block(vec![atom("else")], stmts(b))));
            block(vec![atom("if")], body)
        }
        ExprKind::Match { scrutinee, arms } => {
            let arm = |arm: &MatchArm| {
                let mut head = vec![atom("arm"), pattern(&arm.pattern)];
                head.extend(opt("if", arm.guard.as_ref().map(expr)));
                block(head, stmts(&arm.body))
            };
            block(vec![atom("match"), expr(scrutinee)], arms.iter().map(arm).collect())
        }
        ExprKind::When { arms } => {
            let arm = |arm: &WhenArm| {
                block(vec![atom("arm"), arm.cond.as_ref().map_or_else(|| atom("_"), expr)], stmts(&arm.body))
            };
            block(vec![atom("when")], arms.iter().map(arm).collect())
        }
        ExprKind::Do(b) => block(vec![atom("do")], stmts(b)),
        ExprKind::Loop { label: l, body } => {
            block([Some(atom("loop")), label(l)].into_iter().flatten().collect(), stmts(body))
        }
        ExprKind::While { label: l, cond: c, body } => {
            block([Some(atom("while")), label(l), Some(cond(c))].into_iter().flatten().collect(), stmts(body))
        }
        ExprKind::For { label: l, pattern: p, iter, filter, body } => {
            let mut head: Vec<Sx> = [Some(atom("for")), label(l)].into_iter().flatten().collect();
            head.extend([pattern(p), atom("in"), expr(iter)]);
            head.extend(opt("if", filter.as_deref().map(expr)));
            block(head, stmts(body))
        }
        ExprKind::Comptime(b) => block(vec![atom("comptime")], stmts(b)),
        ExprKind::Perform { effect, op, args } => call("perform", atom(format!("{}.{}", effect.name, op.name)), args),
        ExprKind::Handle { body, clauses } => {
            let clause = |c: &HandleClause| match &c.kind {
                HandleClauseKind::Op { effect, op, params: ps, body } => {
                    let name = join(effect.iter().chain(std::iter::once(op)), ".");
                    block(vec![atom("clause"), atom(name), params(ps)], stmts(body))
                }
                HandleClauseKind::Handler(h) => tag("use-handler", vec![atom(&h.name)]),
            };
            let mut items = vec![block(vec![atom("body")], stmts(body))];
            items.extend(clauses.iter().map(clause));
            block(vec![atom("handle")], items)
        }
        ExprKind::Resume(v) => tag("resume", v.as_deref().map(expr).into_iter().collect()),
        ExprKind::Await(inner) => tag("await", vec![expr(inner)]),
        ExprKind::AwaitBlock { kind, branches } => {
            let kind = match kind {
                AwaitKind::Parallel => "parallel",
                AwaitKind::Race => "race",
                AwaitKind::Vote => "vote",
                AwaitKind::Select => "select",
            };
            let branch =
                |b: &AwaitBranch| tag("branch", b.name.iter().map(|n| atom(&n.name)).chain([expr(&b.expr)]).collect());
            block(vec![atom("await"), atom(kind)], branches.iter().map(branch).collect())
        }
        ExprKind::AwaitFor { pattern: p, iter, body } => {
            block(vec![atom("await-parallel-for"), pattern(p), atom("in"), expr(iter)], vec![expr(body)])
        }
        ExprKind::Role(r) => role(r),
        ExprKind::MacroCall { name, args } => {
            tag("macro-call", std::iter::once(atom(format!("{}!", name.name))).chain(args.iter().map(expr)).collect())
        }
        ExprKind::ExpectSchema { expr: inner, ty: t } => tag("expect-schema", vec![expr(inner), atom(ty(t))]),
        ExprKind::Error => tag("error", vec![]),
    }
}

fn lit(l: &LiteralPattern) -> Sx {
    atom(match l {
        LiteralPattern::Int(n) => n.to_string(),
        LiteralPattern::Float(f) => format!("{f:?}"),
        LiteralPattern::Str(s) => quote(s),
        LiteralPattern::Bool(b) => b.to_string(),
        LiteralPattern::Null => "null".to_string(),
    })
}

/// Bindings print as bare names and literals as themselves; everything else is a list.
fn pattern(p: &Pattern) -> Sx {
    match &p.kind {
        PatternKind::Wildcard => atom("_"),
        PatternKind::Binding(i) => atom(&i.name),
        PatternKind::Typed { name, ty: t } => tag("typed", vec![atom(&name.name), atom(ty(t))]),
        PatternKind::Literal(l) => lit(l),
        PatternKind::Range { start, end, inclusive } => tag("range", vec![range_op(*inclusive), lit(start), lit(end)]),
        PatternKind::Tuple(ps) => tag("tuple", ps.iter().map(pattern).collect()),
        PatternKind::List { before, rest, after } => {
            let rest = rest.as_ref().map(|r| atom(format!("...{}", r.as_ref().map_or("", |n| n.name.as_str()))));
            tag("list", before.iter().map(pattern).chain(rest).chain(after.iter().map(pattern)).collect())
        }
        PatternKind::Variant { path: p, args } => {
            tag("variant", std::iter::once(atom(path(p))).chain(args.iter().map(pattern)).collect())
        }
        PatternKind::Record { path: p, fields, rest } => {
            let field = |f: &FieldPattern| match &f.pattern {
                Some(fp) => list(vec![atom(format!("{}:", f.name.name)), pattern(fp)]),
                None => atom(&f.name.name),
            };
            let items = std::iter::once(atom(path(p))).chain(fields.iter().map(field)).chain(flag(*rest, ".."));
            tag("record", items.collect())
        }
        PatternKind::Qualified(p) => tag("path", vec![atom(path(p))]),
        PatternKind::Or(ps) => tag("or", ps.iter().map(pattern).collect()),
    }
}

/// Types print on one line: `Int`, `list[Int]`, `(opt T)`, `(union A B)`, `(fn (A) -> R / {e})`.
fn ty(t: &TypeExpr) -> String {
    let all = |ts: &[TypeExpr], sep: &str| ts.iter().map(ty).collect::<Vec<_>>().join(sep);
    match &t.kind {
        TypeKind::Named { path: p, args } if args.is_empty() => path(p),
        TypeKind::Named { path: p, args } => format!("{}[{}]", path(p), all(args, ", ")),
        TypeKind::Tuple(ts) => format!("(tuple {})", all(ts, " ")),
        TypeKind::Paren(inner) => format!("(paren {})", ty(inner)),
        TypeKind::Fn { params: ps, ret, effects } => {
            let ret = ret.as_ref().map_or(String::new(), |r| format!(" -> {}", ty(r)));
            let row = effects.as_ref().map_or(String::new(), |row| format!(" {}", effect_row(row)));
            format!("(fn ({}){ret}{row})", all(ps, " "))
        }
        TypeKind::Optional(inner) => format!("(opt {})", ty(inner)),
        TypeKind::Union(ts) => format!("(union {})", all(ts, " ")),
        TypeKind::Null => "(null-type)".to_string(),
        TypeKind::Error => "(error-type)".to_string(),
    }
}
