//! Checks of declarations: duplicate and predeclared names, record defaults and constraints,
//! constants, traits and impls, machines, pipelines and top-level handlers (LANGUAGE.md 3.3,
//! 4.11, 7.6, 7.7).

use std::collections::HashMap;

use lumen_syntax::ast::{
    CellBody, ExprKind, ItemKind, Member, MemberKind, Param, ParamKind, ProcessKind, StateItemKind, StrSegment,
};
use lumen_syntax::{Diagnostic, Span};

use crate::codes;
use crate::decls::{Def, Kind, Owner, PREDECLARED, Program, TyCtx, key_of};
use crate::infer::{Checker, infer_return};
use crate::types::{Ty, assignable};

pub fn declarations(p: &Program<'_>, out: &mut [Vec<Diagnostic>]) {
    for (mi, m) in p.modules.iter().enumerate() {
        let mut checker = Checker::new(p, mi);
        for item in &m.ast.items {
            match &item.kind {
                ItemKind::Record(r) => {
                    predeclared(&r.name.name, r.name.span, "record", out, mi);
                    unique(r.fields.iter().map(|f| (&f.name.name, f.name.span)), "field", &r.name.name, out, mi);
                    record_fields(&mut checker, p, &r.name.name);
                }
                ItemKind::Enum(e) => {
                    predeclared(&e.name.name, e.name.span, "enum", out, mi);
                    unique(e.variants.iter().map(|v| (&v.name.name, v.name.span)), "variant", &e.name.name, out, mi);
                    for v in &e.variants {
                        if let Some(fields) = &v.payload {
                            let named = fields.iter().filter_map(|f| f.name.as_ref().map(|n| (&n.name, n.span)));
                            unique(named, "payload field", &v.name.name, out, mi);
                        }
                    }
                }
                ItemKind::TypeAlias(a) => predeclared(&a.name.name, a.name.span, "type alias", out, mi),
                ItemKind::Trait(t) => {
                    predeclared(&t.name.name, t.name.span, "trait", out, mi);
                    unique(t.methods.iter().map(|c| (&c.name.name, c.name.span)), "method", &t.name.name, out, mi);
                }
                ItemKind::Effect(e) => {
                    predeclared(&e.name.name, e.name.span, "effect", out, mi);
                    unique(e.ops.iter().map(|c| (&c.name.name, c.name.span)), "operation", &e.name.name, out, mi);
                    for op in &e.ops {
                        params_unique(&op.params, &op.name.name, out, mi);
                    }
                }
                ItemKind::Agent(a) => {
                    predeclared(&a.name.name, a.name.span, "agent", out, mi);
                    configs(&mut checker, &a.members);
                }
                ItemKind::Process(pd) => {
                    predeclared(&pd.name.name, pd.name.span, pd.kind.as_str(), out, mi);
                    process_members(pd.kind, &pd.name.name, &pd.members, out, mi);
                    configs(&mut checker, &pd.members);
                    let Some(Def::Type(tid)) = m.names.get(&pd.name.name).copied() else { continue };
                    match pd.kind {
                        ProcessKind::Machine => machine(&mut checker, p, tid, &pd.members, &pd.name.name),
                        ProcessKind::Pipeline | ProcessKind::Orchestration => {
                            stages(&mut checker, p, tid, &pd.members, &pd.name.name, pd.kind == ProcessKind::Pipeline)
                        }
                        _ => {}
                    }
                }
                ItemKind::Const(c) => constant(&mut checker, p, mi, c),
                ItemKind::Handler(h) => checker.check_handler_decl(h),
                _ => {}
            }
        }
        out[mi].extend(std::mem::take(&mut checker.diags));
    }
    for cell in &p.cells {
        params_unique(&cell.decl.params, &cell.decl.name.name, out, cell.module);
        // "Parameter types are required on top-level cells" (members may infer them later).
        let top_level = matches!(cell.owner, Owner::TopLevel | Owner::Extern);
        parameter_rules(&cell.decl.params, &cell.decl.name.name, top_level, out, cell.module);
    }
    impls(p, out);
}

/// Declared cells type their parameters, and defaults come last (LANGUAGE.md 3.3.3).
fn parameter_rules(params: &[Param], cell: &str, needs_types: bool, out: &mut [Vec<Diagnostic>], module: usize) {
    let mut defaulted: Option<&Param> = None;
    for prm in params {
        match prm.kind {
            ParamKind::SelfParam => continue,
            ParamKind::Variadic => {}
            ParamKind::Normal => {
                if prm.default.is_none()
                    && let Some(d) = defaulted
                {
                    out[module].push(
                        Diagnostic::error(
                            codes::PARAMETERS,
                            format!(
                                "parameter `{}` of `{cell}` has no default but follows `{}`, which has one",
                                prm.name.name, d.name.name
                            ),
                            prm.name.span,
                        )
                        .with_label("needs a default, or must come first")
                        .with_secondary(d.name.span, "has a default"),
                    );
                }
                if prm.default.is_some() {
                    defaulted.get_or_insert(prm);
                }
            }
        }
        if needs_types && prm.ty.is_none() {
            out[module].push(
                Diagnostic::error(
                    codes::PARAMETERS,
                    format!("parameter `{}` of cell `{cell}` needs a type", prm.name.name),
                    prm.name.span,
                )
                .with_label("no type")
                .with_help(format!("write `{}: Type`; only lambda parameters may omit their types", prm.name.name)),
            );
        }
    }
}

/// Process members that belong to another kind, and cells that replace built-in methods (only
/// `run` may be replaced, LANGUAGE.md 7.6).
fn process_members(kind: ProcessKind, name: &str, members: &[Member], out: &mut [Vec<Diagnostic>], module: usize) {
    let builtins: &[&str] = match kind {
        ProcessKind::Machine => &["start", "step", "current_state", "is_terminal", "payload", "steps", "resume_from"],
        ProcessKind::Memory => {
            &["append", "remember", "recent", "recall", "store", "upsert", "get", "query", "delete", "count", "clear"]
        }
        ProcessKind::Guardrail => &["validate"],
        ProcessKind::Pattern => &["match_text"],
        _ => &[],
    };
    for m in members {
        let misplaced = match &m.kind {
            MemberKind::Stages(_) if !matches!(kind, ProcessKind::Pipeline | ProcessKind::Orchestration) => {
                Some("`stages:`")
            }
            MemberKind::Initial(_) if kind != ProcessKind::Machine => Some("`initial:`"),
            MemberKind::State(_) if kind != ProcessKind::Machine => Some("`state`"),
            MemberKind::Cell(c) if builtins.contains(&c.name.name.as_str()) => {
                out[module].push(
                    Diagnostic::error(
                        codes::PROCESS_MEMBER,
                        format!("cell `{}` would replace a built-in method of {} `{name}`", c.name.name, kind.as_str()),
                        c.name.span,
                    )
                    .with_label("built-in method")
                    .with_help("only `run` may be replaced; choose another name"),
                );
                None
            }
            _ => None,
        };
        if let Some(what) = misplaced {
            out[module].push(
                Diagnostic::error(
                    codes::PROCESS_MEMBER,
                    format!("{what} is not allowed in {} `{name}`", kind.as_str()),
                    m.span,
                )
                .with_label(format!("not a member of a {}", kind.as_str()))
                .with_help("`stages:` belongs to pipelines and orchestrations, `initial:` and `state` to machines"),
            );
        }
    }
}

fn predeclared(name: &str, span: Span, what: &str, out: &mut [Vec<Diagnostic>], module: usize) {
    if PREDECLARED.contains(&name) {
        out[module].push(
            Diagnostic::error(
                codes::PREDECLARED_NAME,
                format!("`{name}` is a predeclared type name and cannot name {} {what}", article(what)),
                span,
            )
            .with_label("predeclared name")
            .with_help(format!("choose another name, e.g. `My{name}`")),
        );
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn unique<'n>(
    names: impl Iterator<Item = (&'n String, Span)>,
    what: &str,
    owner: &str,
    out: &mut [Vec<Diagnostic>],
    module: usize,
) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for (n, span) in names {
        if let Some(first) = seen.insert(n.as_str(), span) {
            out[module].push(
                Diagnostic::error(codes::DUPLICATE_NAME, format!("duplicate {what} `{n}` in `{owner}`"), span)
                    .with_label(format!("`{n}` is declared again here"))
                    .with_secondary(first, "first declared here")
                    .with_help(format!("each {what} name may appear once")),
            );
        }
    }
}

fn params_unique(params: &[Param], owner: &str, out: &mut [Vec<Diagnostic>], module: usize) {
    unique(params.iter().map(|p| (&p.name.name, p.name.span)), "parameter", owner, out, module);
}

/// Defaults have the field's type; `where` constraints are `Bool` over the fields.
fn record_fields(checker: &mut Checker<'_, '_>, p: &Program<'_>, name: &str) {
    let Some(Def::Type(tid)) = p.modules[checker.module()].names.get(name).copied() else { return };
    let decl = &p.types[tid];
    let bindings: Vec<(String, Ty)> = decl.fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect();
    for f in &decl.fields {
        let Some(fd) = f.decl else { continue };
        if let Some(default) = &fd.default {
            let expected = if f.ty.mentions_param() { None } else { Some(&f.ty) };
            let found = checker.check_expr(default, expected, &[]);
            if let Some(x) = expected
                && !assignable(&found, x)
            {
                checker.mismatch_pub(
                    codes::TYPE_MISMATCH,
                    &format!("default of field `{}` has the wrong type", f.name),
                    x,
                    &found,
                    default.span,
                );
            }
        }
        if let Some(c) = &fd.constraint {
            checker.check_condition(c, "a `where` constraint", &bindings, None);
        }
    }
}

/// `key: value` entries of agents and processes.
fn configs(checker: &mut Checker<'_, '_>, members: &[Member]) {
    for m in members {
        if let MemberKind::Config { value, .. } = &m.kind {
            // `schema: Invoice` names a type.
            if matches!(value.kind, ExprKind::Ident(_)) {
                continue;
            }
            checker.check_expr(value, None, &[]);
        }
    }
}

/// A constant's initializer is a constant expression of the declared type (LANGUAGE.md 3.3.4).
fn constant(checker: &mut Checker<'_, '_>, p: &Program<'_>, module: usize, c: &lumen_syntax::ast::ConstDecl) {
    let declared = c.ty.as_ref().map(|t| {
        let mut diags = Vec::new();
        let ty = p.resolve(module, t, &TyCtx::default(), &mut diags);
        checker.extend(diags);
        ty
    });
    let found = checker.check_expr(&c.value, declared.as_ref(), &[]);
    if let Some(d) = &declared
        && !assignable(&found, d)
    {
        checker.mismatch_pub(
            codes::TYPE_MISMATCH,
            &format!("mismatched types in constant `{}`", c.name.name),
            d,
            &found,
            c.value.span,
        );
    }
    if let Some((span, why)) = not_constant(p, module, &c.value) {
        checker.extend(vec![
            Diagnostic::error(
                codes::NOT_CONSTANT,
                format!("the initializer of constant `{}` is not a constant expression: {why}", c.name.name),
                span,
            )
            .with_label("evaluated at run time")
            .with_help("constants allow literals, other constants, operators, collections, constructors, `comptime` and pure builtins; use a cell for the rest"),
        ]);
    }
}

/// The first part of `e` that is not a constant expression, with the reason.
fn not_constant(p: &Program<'_>, module: usize, e: &lumen_syntax::ast::Expr) -> Option<(Span, String)> {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || not_constant_inner(p, module, e))
}

fn not_constant_inner(p: &Program<'_>, module: usize, e: &lumen_syntax::ast::Expr) -> Option<(Span, String)> {
    use lumen_syntax::ast::{Expr, MapEntry};
    let names = &p.modules[module].names;
    let sub = |x: &Expr| not_constant(p, module, x);
    match &e.kind {
        ExprKind::Call { callee, args } => {
            if let ExprKind::Ident(id) = &callee.kind {
                match names.get(&id.name) {
                    Some(Def::Cell(_)) => return Some((e.span, format!("it calls cell `{}`", id.name))),
                    Some(Def::Tool(_)) => return Some((e.span, format!("it calls tool `{}`", id.name))),
                    None => {
                        if let Some(effect) = crate::builtins::effect(&id.name) {
                            return Some((e.span, format!("`{}` has effect `{effect}`", id.name)));
                        }
                        if id.name == "spawn" {
                            return Some((e.span, "it starts a task".into()));
                        }
                    }
                    _ => {}
                }
            } else if let Some(r) = sub(callee) {
                return Some(r);
            }
            args.iter().find_map(|a| sub(&a.value))
        }
        ExprKind::Perform { .. } => Some((e.span, "it performs an effect".into())),
        ExprKind::Await(_) | ExprKind::AwaitBlock { .. } | ExprKind::AwaitFor { .. } => {
            Some((e.span, "it awaits".into()))
        }
        ExprKind::Paren(x) | ExprKind::Unary { operand: x, .. } | ExprKind::Unwrap(x) => sub(x),
        ExprKind::Is { expr, .. } | ExprKind::As { expr, .. } => sub(expr),
        ExprKind::Binary { lhs, rhs, .. } => sub(lhs).or_else(|| sub(rhs)),
        ExprKind::CompareChain { operands, .. } | ExprKind::Tuple(operands) => operands.iter().find_map(sub),
        ExprKind::List(items) | ExprKind::Set(items) => items.iter().find_map(|i| sub(&i.expr)),
        ExprKind::Map(entries) => entries.iter().find_map(|en| match en {
            MapEntry::Pair { key, value } => sub(key).or_else(|| sub(value)),
            MapEntry::Spread(x) => sub(x),
        }),
        ExprKind::Field { target, .. } | ExprKind::TupleIndex { target, .. } => sub(target),
        ExprKind::Index { target, index, .. } => sub(target).or_else(|| sub(index)),
        ExprKind::IfThen { cond, then, otherwise } => sub(cond).or_else(|| sub(then)).or_else(|| sub(otherwise)),
        ExprKind::Range { start, end, step, .. } => {
            sub(start).or_else(|| sub(end)).or_else(|| step.as_ref().and_then(|s| sub(s)))
        }
        ExprKind::Str(segments) => segments.iter().find_map(|s| match s {
            StrSegment::Interp { expr, .. } => sub(expr),
            StrSegment::Text(_) => None,
        }),
        _ => None,
    }
}

/// Machine states: transitions match the target's parameters, guards are `Bool` (7.7).
fn machine(checker: &mut Checker<'_, '_>, p: &Program<'_>, _tid: usize, members: &[Member], machine: &str) {
    let module = checker.module();
    let states: Vec<&lumen_syntax::ast::StateDecl> = members
        .iter()
        .filter_map(|m| match &m.kind {
            MemberKind::State(s) => Some(s),
            _ => None,
        })
        .collect();
    let mut params: HashMap<&str, Vec<(String, Ty)>> = HashMap::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for s in &states {
        if let Some(first) = seen.insert(&s.name.name, s.name.span) {
            checker.extend(vec![
                Diagnostic::error(
                    codes::MACHINE,
                    format!("machine `{machine}` declares state `{}` twice", s.name.name),
                    s.name.span,
                )
                .with_label("duplicate state")
                .with_secondary(first, "first declared here"),
            ]);
        }
        let ps: Vec<(String, Ty)> = s
            .params
            .iter()
            .map(|prm| {
                let ty = prm.ty.as_ref().map_or(Ty::Unknown, |t| {
                    let mut diags = Vec::new();
                    let ty = p.resolve(module, t, &TyCtx::default(), &mut diags);
                    checker.extend(diags);
                    ty
                });
                (prm.name.name.clone(), ty)
            })
            .collect();
        params.entry(&s.name.name).or_insert(ps);
    }
    for s in &states {
        let own = params.get(s.name.name.as_str()).cloned().unwrap_or_default();
        for item in &s.items {
            match &item.kind {
                StateItemKind::Guard(g) => checker.check_condition(g, "a machine `guard:`", &own, None),
                StateItemKind::OnEnter(b) | StateItemKind::OnExit(b) => checker.check_block(b, &own, None, None),
                StateItemKind::Transition { target, args } => {
                    let Some(tparams) = params.get(target.name.as_str()) else {
                        for a in args {
                            checker.check_expr(a, None, &own);
                        }
                        continue;
                    };
                    if args.len() != tparams.len() {
                        checker.extend(vec![
                            Diagnostic::error(
                                codes::MACHINE,
                                format!(
                                    "machine `{machine}`: the transition from `{}` to `{}` passes {} values, `{}` takes {}",
                                    s.name.name,
                                    target.name,
                                    args.len(),
                                    target.name,
                                    tparams.len()
                                ),
                                item.span,
                            )
                            .with_label("wrong number of values")
                            .with_help(format!(
                                "`{}` takes ({})",
                                target.name,
                                tparams.iter().map(|(n, t)| format!("{n}: {t}")).collect::<Vec<_>>().join(", ")
                            )),
                        ]);
                    }
                    for (a, (pname, pty)) in args
                        .iter()
                        .zip(tparams.iter().map(Some).chain(std::iter::repeat(None)))
                        .filter_map(|(a, t)| t.map(|t| (a, t)))
                    {
                        let found = checker.check_expr(a, Some(pty), &own);
                        if !assignable(&found, pty) {
                            let what = format!(
                                "machine `{machine}`: value for `{pname}` of state `{}` has the wrong type",
                                target.name
                            );
                            checker.mismatch_pub(codes::MACHINE, &what, pty, &found, a.span);
                        }
                    }
                    for a in args.iter().skip(tparams.len()) {
                        checker.check_expr(a, None, &own);
                    }
                }
                StateItemKind::Terminal(_) => {}
            }
        }
    }
}

/// Pipeline stages take one argument each and chain: each result fits the next stage (7.6).
fn stages(checker: &mut Checker<'_, '_>, p: &Program<'_>, tid: usize, members: &[Member], name: &str, chain: bool) {
    let Some(list) = members.iter().find_map(|m| match &m.kind {
        MemberKind::Stages(s) => Some(s),
        _ => None,
    }) else {
        return;
    };
    let decl = &p.types[tid];
    let mut prev: Option<(&str, Ty)> = None;
    for stage in list {
        let Some(&c) = decl.methods.get(&stage.name) else {
            prev = None;
            continue;
        };
        let cell = &p.cells[c];
        if cell.params.len() != 1 {
            checker.extend(vec![
                Diagnostic::error(
                    codes::PIPELINE_STAGES,
                    format!(
                        "stage `{}` of `{name}` must take exactly one parameter, it takes {}",
                        stage.name,
                        cell.params.len()
                    ),
                    stage.span,
                )
                .with_label("a stage receives the previous stage's result"),
            ]);
            prev = None;
            continue;
        }
        let input = cell.params[0].ty.clone();
        if chain
            && let Some((pname, out_ty)) = &prev
            && !assignable(out_ty, &input)
        {
            checker.extend(vec![
                Diagnostic::error(
                    codes::PIPELINE_STAGES,
                    format!(
                        "pipeline `{name}`: stage `{pname}` returns `{out_ty}`, but the next stage `{}` takes `{input}`",
                        stage.name
                    ),
                    stage.span,
                )
                .with_label(format!("expects `{input}`"))
                .with_help(format!("make `{pname}` return `{input}`, or convert between the stages")),
            ]);
        }
        let ret = match (&cell.ret, &cell.decl.body) {
            (Some(r), _) => r.clone(),
            (None, Some(CellBody::Expr(_) | CellBody::Block(_))) => infer_return(p, c),
            (None, None) => Ty::Unknown,
        };
        prev = Some((stage.name.as_str(), ret));
    }
}

/// Impls: the trait exists, every required method is there with a matching signature, parent
/// traits are implemented, and no trait is implemented twice for one type (3.3.5).
fn impls(p: &Program<'_>, out: &mut [Vec<Diagnostic>]) {
    let mut seen: HashMap<(crate::decls::Key, usize), Span> = HashMap::new();
    for imp in &p.impls {
        let module = imp.module;
        let tname = &imp.decl.trait_name.name;
        let Some(tid) = imp.trait_id else {
            let m = &p.modules[module];
            if !m.open && !matches!(m.names.get(tname), Some(Def::Unknown)) {
                let mut d = Diagnostic::error(codes::TRAIT_IMPL, format!("undefined trait `{tname}`"), imp.span)
                    .with_label("no trait with this name");
                let traits: Vec<&str> =
                    m.names.iter().filter(|(_, d)| matches!(d, Def::Trait(_))).map(|(k, _)| k.as_str()).collect();
                if let Some(best) = crate::suggest::best(tname, traits) {
                    d = d.with_help(format!("a trait with a similar name exists: `{best}`"));
                }
                out[module].push(d);
            }
            continue;
        };
        let target = &imp.target;
        let trait_info = &p.traits[tid];
        if let Some(key) = key_of(target) {
            if let Some(first) = seen.insert((key.clone(), tid), imp.span) {
                out[module].push(
                    Diagnostic::error(
                        codes::TRAIT_IMPL,
                        format!("`{tname}` is implemented twice for `{target}`"),
                        imp.span,
                    )
                    .with_label("second impl")
                    .with_secondary(first, "first impl"),
                );
            }
            for parent in &trait_info.parents {
                if !p.satisfies(target, parent, trait_info.module) {
                    out[module].push(
                        Diagnostic::error(
                            codes::TRAIT_IMPL,
                            format!("`{target}` implements `{tname}` but not its parent trait `{parent}`"),
                            imp.span,
                        )
                        .with_label(format!("`{tname}` requires `{parent}`"))
                        .with_help(format!("add `impl {parent} for {target}`")),
                    );
                }
            }
        }
        let impl_methods: HashMap<&str, usize> = imp.methods.iter().map(|&c| (p.cells[c].name(), c)).collect();
        for &tm in &trait_info.methods {
            let tcell = &p.cells[tm];
            let name = tcell.name();
            match impl_methods.get(name) {
                None if tcell.decl.body.is_none() => {
                    out[module].push(
                        Diagnostic::error(
                            codes::TRAIT_IMPL,
                            format!("the impl of `{tname}` for `{target}` is missing method `{name}`"),
                            imp.span,
                        )
                        .with_label(format!("`{name}` not implemented"))
                        .with_secondary(tcell.decl.name.span, "declared in the trait here")
                        .with_help(format!("add `cell {name}(...)` to the impl")),
                    );
                }
                None => {}
                Some(&ic) => signature_matches(p, tm, ic, target, tname, out),
            }
        }
        for (name, &ic) in &impl_methods {
            if !trait_info.methods.iter().any(|&m| p.cells[m].name() == *name) {
                let mut d = Diagnostic::error(
                    codes::TRAIT_IMPL,
                    format!("method `{name}` is not a member of trait `{tname}`"),
                    p.cells[ic].decl.name.span,
                )
                .with_label("not in the trait");
                let names: Vec<&str> = trait_info.methods.iter().map(|&m| p.cells[m].name()).collect();
                if let Some(best) = crate::suggest::best(name, names) {
                    d = d.with_help(format!("a trait method with a similar name exists: `{best}`"));
                }
                out[module].push(d);
            }
        }
    }
}

fn signature_matches(p: &Program<'_>, tm: usize, ic: usize, target: &Ty, tname: &str, out: &mut [Vec<Diagnostic>]) {
    let t = &p.cells[tm];
    let i = &p.cells[ic];
    let self_sub = |ty: &Ty| ty.subst(&|n| (n == "Self").then(|| target.clone()));
    let module = i.module;
    let name = t.name();
    let report = |msg: String, out: &mut [Vec<Diagnostic>]| {
        out[module].push(
            Diagnostic::error(codes::TRAIT_IMPL, msg, i.decl.name.span)
                .with_label("does not match the trait")
                .with_secondary(t.decl.name.span, "the trait's signature"),
        );
    };
    if t.params.len() != i.params.len() {
        let msg = format!(
            "method `{name}` of the impl of `{tname}` takes {} parameters, the trait's takes {}",
            i.params.len(),
            t.params.len()
        );
        report(msg, out);
        return;
    }
    for (tp, ip) in t.params.iter().zip(&i.params) {
        let expected = self_sub(&tp.ty);
        if !expected.has_unknown() && !ip.ty.has_unknown() && !assignable(&expected, &ip.ty) {
            let msg = format!(
                "parameter `{}` of method `{name}` is `{}`, the trait `{tname}` says `{expected}`",
                ip.name, ip.ty
            );
            report(msg, out);
            return;
        }
    }
    if let (Some(tr), Some(ir)) = (&t.ret, &i.ret) {
        let expected = self_sub(tr);
        if !expected.has_unknown() && !ir.has_unknown() && !assignable(ir, &expected) {
            report(format!("method `{name}` returns `{ir}`, the trait `{tname}` says `{expected}`"), out);
        }
    }
    let _ = Kind::Record;
}
