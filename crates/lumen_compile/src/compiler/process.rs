//! Processes and agents (LANGUAGE.md 7.6-7.9): each declaration is a type whose instances are
//! handles. Built-in methods live in the prelude (`__memory_*`, `__machine_*`, ...); user cells
//! are methods with an implicit `self`; the constructor builds the instance's state map.

use std::collections::HashMap;

use lumen_syntax::Diagnostic;
use lumen_syntax::ast::{Block, CellDecl, Expr, MemberKind, ProcessDecl, ProcessKind, StateDecl, StateItemKind};

use super::{CellSig, Compiler, Global, codes};
use crate::bytecode::{Instr, Kind, Reg};
use crate::program::TypeInfo;

/// Built-in methods per kind: `(method name, prelude cell)`.
fn builtin_methods(kind: ProcessKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ProcessKind::Memory => &[
            ("append", "__memory_append"),
            ("remember", "__memory_append"),
            ("recent", "__memory_recent"),
            ("recall", "__memory_recall"),
            ("store", "__memory_store"),
            ("upsert", "__memory_store"),
            ("get", "__memory_get"),
            ("query", "__memory_query"),
            ("delete", "__memory_delete"),
            ("count", "__memory_count"),
            ("clear", "__memory_clear"),
        ],
        ProcessKind::Machine => &[
            ("start", "__machine_start"),
            ("step", "__machine_step"),
            ("run", "__machine_run"),
            ("current_state", "__machine_current_state"),
            ("is_terminal", "__machine_is_terminal"),
            ("payload", "__machine_payload"),
            ("steps", "__machine_steps"),
            ("resume_from", "__machine_resume_from"),
        ],
        ProcessKind::Pipeline => &[("run", "__pipeline_run")],
        ProcessKind::Orchestration => &[("run", "__orchestration_run")],
        ProcessKind::Guardrail | ProcessKind::Eval | ProcessKind::Pattern => &[],
    }
}

/// What the compiler remembers about a process type.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProcessInfo {
    /// User cells by name (function index; each takes `self` first).
    pub methods: HashMap<String, u32>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn declare_process(
        &mut self,
        kind: &str,
        p_kind: Option<ProcessKind>,
        name: &lumen_syntax::ast::Ident,
        members: &'a [lumen_syntax::ast::Member],
    ) {
        let ty = self.program.types.len() as u32;
        self.program.types.push(TypeInfo::Process { name: name.name.clone(), kind: kind.to_string() });
        let mut info = ProcessInfo::default();
        for member in members {
            if let MemberKind::Cell(cell) = &member.kind {
                let idx = self.declare_method_cell(cell);
                info.methods.insert(cell.name.name.clone(), idx);
                self.program.methods.push((Kind::Named(ty), cell.name.name.clone(), idx));
            }
        }
        if let Some(k) = p_kind {
            for (method, prelude) in builtin_methods(k) {
                if info.methods.contains_key(*method) {
                    continue;
                }
                if let Some(Global::Cell(f)) = self.globals.get(*prelude).cloned() {
                    self.program.methods.push((Kind::Named(ty), method.to_string(), f));
                }
            }
        }
        self.processes.insert(ty, info);
        self.process_decls.insert(ty, ProcessRef { kind: p_kind, members });
        self.define(&name.name, Global::Process(ty), name.span);
    }

    /// A cell inside a process or agent: `self` is its implicit first parameter.
    fn declare_method_cell(&mut self, cell: &'a CellDecl) -> u32 {
        let idx = self.reserve_fn(&cell.name.name);
        self.method_queue.push_back(idx);
        let mut params = vec!["self".to_string()];
        let mut defaults = vec![None];
        for p in &cell.params {
            if p.kind != lumen_syntax::ast::ParamKind::SelfParam {
                params.push(p.name.name.clone());
                defaults.push(p.default.as_ref());
            }
        }
        self.sigs.insert(idx, CellSig { params, defaults, variadic: None });
        idx
    }

    /// Pass 2: the cells of a process, plus per-state functions of machines.
    pub(crate) fn compile_process_bodies(&mut self, decl: &'a ProcessDecl) {
        let ty = match self.globals.get(&decl.name.name) {
            Some(Global::Process(ty)) => *ty,
            _ => return,
        };
        self.compile_member_cells(ty, &decl.members);
    }

    pub(crate) fn compile_member_cells(&mut self, ty: u32, members: &'a [lumen_syntax::ast::Member]) {
        let methods = self.processes.get(&ty).map(|p| p.methods.clone()).unwrap_or_default();
        let saved = std::mem::replace(&mut self.sibling_methods, methods);
        let shadowed = self.begin_scoped_tools(members);
        let roles = members
            .iter()
            .filter_map(|m| match &m.kind {
                MemberKind::Role(r) => Some(r),
                _ => None,
            })
            .collect();
        let saved_roles = std::mem::replace(&mut self.agent_roles, roles);
        for member in members {
            if let MemberKind::Cell(cell) = &member.kind
                && let Some(idx) = self.method_queue.pop_front()
            {
                self.compile_method_cell(cell, idx);
            }
        }
        self.agent_roles = saved_roles;
        self.end_scoped_tools(shadowed);
        self.sibling_methods = saved;
    }

    fn compile_method_cell(&mut self, cell: &'a CellDecl, slot: u32) {
        let params: Vec<&'a lumen_syntax::ast::Param> =
            cell.params.iter().filter(|p| p.kind != lumen_syntax::ast::ParamKind::SelfParam).collect();
        let mut names = vec!["self".to_string()];
        names.extend(params.iter().map(|p| p.name.name.clone()));
        self.begin_fn(&cell.name.name, &names, false);
        self.f().func.required = 1 + params.iter().take_while(|p| p.default.is_none()).count() as u16;
        self.set_line(cell.span);
        for (i, p) in params.iter().enumerate() {
            if let Some(default) = &p.default {
                let reg = i as Reg + 1;
                let jump = self.emit(Instr::JumpIfProvided(reg, 0));
                self.expr_to(default, reg);
                self.patch(jump);
            }
        }
        self.f().ret_float = cell.ret.as_ref().is_some_and(super::items::is_float_type);
        self.begin_prompt(cell);
        match &cell.body {
            Some(lumen_syntax::ast::CellBody::Block(block)) => {
                self.block_stmts(&block.stmts);
                let r = self.alloc();
                self.emit(Instr::LoadNull(r));
                self.emit(Instr::Return(r));
            }
            Some(lumen_syntax::ast::CellBody::Expr(e)) => {
                let r = self.expr_any(e);
                self.emit_return(r);
            }
            None => {
                let r = self.alloc();
                self.emit(Instr::LoadNull(r));
                self.emit(Instr::Return(r));
            }
        }
        self.end_fn_into(slot);
    }

    /// `Name()`: a new instance with its configuration and, for machines and pipelines, the
    /// tables the prelude's methods read.
    pub(crate) fn construct_process(&mut self, ty: u32, dst: Reg) {
        let Some(decl) = self.process_decls.get(&ty).copied() else {
            let map = self.alloc();
            self.emit(Instr::MakeMap { dst: map, start: map, count: 0 });
            self.emit(Instr::MakeInstance { dst, ty, init: map });
            return;
        };
        let map = self.alloc();
        self.emit(Instr::MakeMap { dst: map, start: map, count: 0 });
        let key = self.alloc();
        let value = self.alloc();
        let put = |c: &mut Self, k: &str, f: &mut dyn FnMut(&mut Self, Reg)| {
            let kc = c.str_const(k);
            c.emit(Instr::LoadConst(key, kc));
            f(c, value);
            c.emit(Instr::MapInsert(map, key, value));
        };
        for member in decl.members {
            match &member.kind {
                MemberKind::Config { key: k, value: v } => {
                    put(self, &k.name, &mut |c, r| match &v.kind {
                        // `schema: Invoice` names a type, not a value.
                        lumen_syntax::ast::ExprKind::Ident(id)
                            if c.resolve_var(&id.name).is_none()
                                && matches!(c.globals.get(&id.name), Some(Global::Record(_) | Global::Enum(_))) =>
                        {
                            let s = c.str_const(&id.name);
                            c.emit(Instr::LoadConst(r, s));
                        }
                        _ => c.expr_to(v, r),
                    });
                }
                MemberKind::Stages(stages) => {
                    let methods = self.processes.get(&ty).map(|p| p.methods.clone()).unwrap_or_default();
                    put(self, "__stages", &mut |c, r| {
                        let start = c.alloc_n(stages.len());
                        for (i, stage) in stages.iter().enumerate() {
                            match methods.get(&stage.name) {
                                Some(f) => {
                                    c.emit(Instr::LoadFunc(start + i as Reg, *f));
                                }
                                None => c.pending.push(
                                    Diagnostic::error(
                                        codes::UNDEFINED_NAME,
                                        format!("stage `{}` is not a cell of this pipeline", stage.name),
                                        stage.span,
                                    )
                                    .with_label("no such cell"),
                                ),
                            }
                        }
                        c.emit(Instr::MakeList { dst: r, start, count: stages.len() as u16 });
                    });
                }
                MemberKind::Initial(state) => {
                    let name = state.name.clone();
                    put(self, "__initial", &mut |c, r| {
                        let s = c.str_const(&name);
                        c.emit(Instr::LoadConst(r, s));
                    });
                }
                _ => {}
            }
        }
        if decl.kind == Some(ProcessKind::Machine) {
            let tables = self.machine_tables.get(&ty).cloned().unwrap_or_default();
            put(self, "__states", &mut |c, r| {
                let start = c.alloc_n(tables.len() * 2);
                for (i, t) in tables.iter().enumerate() {
                    let at = start + 2 * i as Reg;
                    let s = c.str_const(&t.name);
                    c.emit(Instr::LoadConst(at, s));
                    let parts = c.alloc_n(5);
                    let pstart = c.alloc_n(t.params.len());
                    for (j, p) in t.params.iter().enumerate() {
                        let pc = c.str_const(p);
                        c.emit(Instr::LoadConst(pstart + j as Reg, pc));
                    }
                    c.emit(Instr::MakeList { dst: parts, start: pstart, count: t.params.len() as u16 });
                    c.emit(Instr::LoadBool(parts + 1, t.terminal));
                    c.emit(Instr::LoadFunc(parts + 2, t.step));
                    for (k, f) in [(3, t.enter), (4, t.exit)] {
                        match f {
                            Some(f) => c.emit(Instr::LoadFunc(parts + k, f)),
                            None => c.emit(Instr::LoadNull(parts + k)),
                        };
                    }
                    c.emit(Instr::MakeTuple { dst: at + 1, start: parts, count: 5 });
                }
                c.emit(Instr::MakeMap { dst: r, start, count: tables.len() as u16 });
            });
            put(self, "__current", &mut |c, r| {
                let s = c.str_const("");
                c.emit(Instr::LoadConst(r, s));
            });
            put(self, "__steps", &mut |c, r| {
                c.emit(Instr::LoadInt(r, 0));
            });
        }
        self.emit(Instr::MakeInstance { dst, ty, init: map });
    }

    /// Checks a machine's graph and compiles each state's step, enter and exit functions.
    pub(crate) fn compile_machine(&mut self, decl: &'a ProcessDecl, ty: u32) {
        let states: Vec<&'a StateDecl> = decl
            .members
            .iter()
            .filter_map(|m| match &m.kind {
                MemberKind::State(s) => Some(s),
                _ => None,
            })
            .collect();
        let names: Vec<&str> = states.iter().map(|s| s.name.name.as_str()).collect();
        let mut has_initial = false;
        for m in &decl.members {
            if let MemberKind::Initial(init) = &m.kind {
                has_initial = true;
                if !names.contains(&init.name.as_str()) {
                    self.error(
                        codes::UNDEFINED_NAME,
                        format!("machine {}: initial state `{}` is not declared", decl.name.name, init.name),
                        init.span,
                    );
                }
            }
        }
        if !has_initial {
            self.error(
                codes::UNDEFINED_NAME,
                format!("machine {} has no `initial:` state", decl.name.name),
                decl.name.span,
            );
        }
        let mut tables = Vec::new();
        for state in &states {
            let params: Vec<String> = state.params.iter().map(|p| p.name.name.clone()).collect();
            let mut terminal = false;
            let mut guard: Option<&'a Expr> = None;
            let mut transitions: Vec<(&'a lumen_syntax::ast::Ident, &'a [Expr])> = Vec::new();
            let mut enter: Option<&'a Block> = None;
            let mut exit: Option<&'a Block> = None;
            for item in &state.items {
                match &item.kind {
                    StateItemKind::Terminal(t) => terminal = *t,
                    StateItemKind::Guard(g) => guard = Some(g),
                    StateItemKind::Transition { target, args } => {
                        if !names.contains(&target.name.as_str()) {
                            self.pending.push(
                                Diagnostic::error(
                                    codes::UNDEFINED_NAME,
                                    format!(
                                        "machine {}: state {} has a transition to undeclared state `{}`",
                                        decl.name.name, state.name.name, target.name
                                    ),
                                    target.span,
                                )
                                .with_label("no such state")
                                .with_help(format!("declare `state {}` or fix the target's name", target.name)),
                            );
                        }
                        transitions.push((target, args.as_slice()));
                    }
                    StateItemKind::OnEnter(b) => enter = Some(b),
                    StateItemKind::OnExit(b) => exit = Some(b),
                }
            }
            // Step rule: first transition when the guard holds (or is absent), else the second.
            self.begin_fn(&format!("{}.{}.step", decl.name.name, state.name.name), &params, false);
            let choose = |c: &mut Self, t: Option<&(&'a lumen_syntax::ast::Ident, &'a [Expr])>| {
                let r = c.alloc();
                match t {
                    Some((target, args)) => {
                        let start = c.alloc_n(args.len());
                        for (i, a) in args.iter().enumerate() {
                            c.expr_to(a, start + i as Reg);
                        }
                        let list = c.alloc();
                        c.emit(Instr::MakeList { dst: list, start, count: args.len() as u16 });
                        let name = c.str_const(&target.name);
                        c.emit(Instr::LoadConst(r, name));
                        let pair = c.alloc_n(2);
                        c.emit(Instr::Move(pair, r));
                        c.emit(Instr::Move(pair + 1, list));
                        c.emit(Instr::MakeTuple { dst: r, start: pair, count: 2 });
                    }
                    None => {
                        c.emit(Instr::LoadNull(r));
                    }
                }
                c.emit(Instr::Return(r));
            };
            if let Some(g) = guard {
                let gr = self.expr_any(g);
                let jf = self.emit(Instr::JumpIfFalse(gr, 0));
                choose(self, transitions.first());
                self.patch(jf);
                choose(self, transitions.get(1));
            } else {
                choose(self, transitions.first());
            }
            let (step, _) = self.end_fn();
            let hook = |c: &mut Self, b: Option<&'a Block>, what: &str| {
                b.map(|b| {
                    c.begin_fn(&format!("{}.{}.{what}", decl.name.name, state.name.name), &params, false);
                    c.block_stmts(&b.stmts);
                    let r = c.alloc();
                    c.emit(Instr::LoadNull(r));
                    c.emit(Instr::Return(r));
                    c.end_fn().0
                })
            };
            let enter = hook(self, enter, "on_enter");
            let exit = hook(self, exit, "on_exit");
            tables.push(StateTable { name: state.name.name.clone(), params, terminal, step, enter, exit });
        }
        if !states.is_empty() && !tables.iter().any(|t| t.terminal) {
            self.error(
                codes::UNDEFINED_NAME,
                format!("machine {} has no terminal state", decl.name.name),
                decl.name.span,
            );
        }
        self.machine_tables.insert(ty, tables);
    }
}

#[derive(Clone, Debug)]
pub(crate) struct StateTable {
    pub name: String,
    pub params: Vec<String>,
    pub terminal: bool,
    pub step: u32,
    pub enter: Option<u32>,
    pub exit: Option<u32>,
}

/// A process or agent declaration as the constructor needs it.
#[derive(Clone, Copy)]
pub(crate) struct ProcessRef<'a> {
    pub kind: Option<ProcessKind>,
    pub members: &'a [lumen_syntax::ast::Member],
}
