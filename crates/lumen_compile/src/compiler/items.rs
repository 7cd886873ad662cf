//! Module-level declarations: the two passes (declare names, then compile bodies).

use std::collections::HashMap;

use lumen_syntax::ast::{CellBody, CellDecl, Item, ItemKind, Module, ParamKind, Stmt, TypeExpr, TypeKind};
use lumen_syntax::{Diagnostic, Span};

use super::{CellSig, Compiler, EnumInfo, Global, RecordInfo, codes};
use crate::bytecode::{Instr, Kind};
use crate::program::TypeInfo;

impl<'a> Compiler<'a> {
    pub(crate) fn define(&mut self, name: &str, global: Global, span: Span) {
        let replaces_prelude = match self.globals.get(name) {
            Some(Global::Cell(idx)) => {
                self.program.functions[*idx as usize].file == super::PRELUDE_FILE && self.file != super::PRELUDE_FILE
            }
            None => true,
            Some(_) => false,
        };
        if !replaces_prelude {
            self.pending.push(
                Diagnostic::error(codes::DUPLICATE_DEFINITION, format!("`{name}` is defined more than once"), span)
                    .with_label("duplicate definition")
                    .with_help("rename one of the declarations"),
            );
            return;
        }
        self.globals.insert(name.to_string(), global);
    }

    /// Pass 1: gives every declaration of the module its index.
    pub(crate) fn declare_module(&mut self, module: &'a Module) {
        for item in &module.items {
            match &item.kind {
                ItemKind::Trait(t) => {
                    self.traits.insert(t.name.name.clone(), t);
                }
                ItemKind::Macro(m) => {
                    self.macros.insert(m.name.name.clone(), m);
                }
                _ => {}
            }
        }
        for item in &module.items {
            self.declare_item(item);
        }
        self.attach_grants(module);
    }

    fn declare_cell(&mut self, cell: &'a CellDecl) -> u32 {
        let idx = self.reserve_fn(&cell.name.name);
        let sig = CellSig {
            params: cell.params.iter().map(|p| p.name.name.clone()).collect(),
            defaults: cell.params.iter().map(|p| p.default.as_ref()).collect(),
            variadic: cell.params.iter().position(|p| p.kind == ParamKind::Variadic),
        };
        self.sigs.insert(idx, sig);
        idx
    }

    fn declare_item(&mut self, item: &'a Item) {
        match &item.kind {
            ItemKind::Cell(cell) => {
                let idx = self.declare_cell(cell);
                self.define(&cell.name.name, Global::Cell(idx), cell.name.span);
                self.program.cells.push((cell.name.name.clone(), idx));
            }
            ItemKind::Record(rec) => {
                let ty = self.program.types.len() as u32;
                let fields: Vec<String> = rec.fields.iter().map(|f| f.name.name.clone()).collect();
                let validator = rec
                    .fields
                    .iter()
                    .any(|f| f.constraint.is_some())
                    .then(|| self.reserve_fn(&format!("{}.where", rec.name.name)));
                self.program.types.push(TypeInfo::Record {
                    name: rec.name.name.clone(),
                    fields: fields.clone(),
                    validator,
                });
                self.records.insert(
                    ty,
                    RecordInfo {
                        name: rec.name.name.clone(),
                        fields,
                        defaults: rec.fields.iter().map(|f| f.default.as_ref()).collect(),
                        float_fields: rec.fields.iter().map(|f| is_float_type(&f.ty)).collect(),
                        field_types: rec.fields.iter().map(|f| &f.ty).collect(),
                        validator,
                    },
                );
                self.define(&rec.name.name, Global::Record(ty), rec.name.span);
            }
            ItemKind::Enum(en) => {
                let ty = self.program.types.len() as u32;
                self.program.types.push(TypeInfo::Enum {
                    name: en.name.name.clone(),
                    variants: en.variants.iter().map(|v| v.name.name.clone()).collect(),
                    arities: en.variants.iter().map(|v| v.payload.as_ref().map_or(0, |p| p.len() as u32)).collect(),
                });
                let mut info = EnumInfo {
                    variants: en
                        .variants
                        .iter()
                        .map(|v| {
                            let names =
                                v.payload.iter().flatten().map(|f| f.name.as_ref().map(|n| n.name.clone())).collect();
                            (v.name.name.clone(), names, v.payload.is_some())
                        })
                        .collect(),
                    assoc: HashMap::new(),
                };
                for method in &en.methods {
                    let idx = self.declare_cell(method);
                    self.method_queue.push_back(idx);
                    if method.params.first().is_some_and(|p| p.kind == ParamKind::SelfParam) {
                        self.program.methods.push((Kind::Named(ty), method.name.name.clone(), idx));
                    } else {
                        info.assoc.insert(method.name.name.clone(), idx);
                    }
                }
                self.enums.insert(ty, info);
                self.define(&en.name.name, Global::Enum(ty), en.name.span);
                for (i, v) in en.variants.iter().enumerate() {
                    self.define(&v.name.name, Global::Variant(ty, i as u16), v.name.span);
                }
            }
            ItemKind::Const(c) => {
                let slot = self.program.nglobals;
                self.program.nglobals += 1;
                self.const_inits.push((self.file, slot, &c.value));
                self.define(&c.name.name, Global::Const(slot), c.name.span);
            }
            ItemKind::Impl(imp) => {
                let kind = self.kind_of_type(&imp.target);
                for method in self.impl_methods(imp) {
                    let idx = self.declare_cell(method);
                    self.method_queue.push_back(idx);
                    self.program.methods.push((kind, method.name.name.clone(), idx));
                }
            }
            ItemKind::Trait(_)
            | ItemKind::Macro(_)
            | ItemKind::TypeAlias(_)
            | ItemKind::Stmt(_)
            | ItemKind::Import(_)
            | ItemKind::Effect(_)
            | ItemKind::Bind(_) => {}
            ItemKind::Process(p) => self.declare_process(p.kind.as_str(), Some(p.kind), &p.name, &p.members),
            ItemKind::Agent(a) => self.declare_process("agent", None, &a.name, &a.members),
            ItemKind::Handler(h) => {
                let mut ops = Vec::new();
                for op in &h.ops {
                    let idx = self.reserve_fn(&format!("{}.{}", op.effect.name, op.op.name));
                    self.method_queue.push_back(idx);
                    ops.push((op.effect.name.clone(), op.op.name.clone(), idx));
                }
                self.handlers.insert(h.name.name.clone(), ops);
            }
            ItemKind::Extern(cell) => {
                let idx = self.declare_cell(cell);
                self.define(&cell.name.name, Global::Cell(idx), cell.name.span);
            }
            ItemKind::UseTool(tool) => self.declare_tool(tool),
            ItemKind::Grant(_) => {}
        }
    }

    /// The runtime kind named by a type expression (for impl targets, `is` and type patterns).
    pub(crate) fn kind_of_type(&mut self, ty: &TypeExpr) -> Kind {
        match &ty.kind {
            TypeKind::Null => Kind::Null,
            TypeKind::Tuple(_) => Kind::Tuple,
            TypeKind::Fn { .. } => Kind::Function,
            TypeKind::Paren(inner) => self.kind_of_type(inner),
            TypeKind::Named { path, .. } => {
                let name = path.last().map_or("", |p| p.name.as_str());
                match name {
                    "Int" => Kind::Int,
                    "Float" => Kind::Float,
                    "String" => Kind::String,
                    "Bool" => Kind::Bool,
                    "Bytes" => Kind::Bytes,
                    "Null" => Kind::Null,
                    "list" | "List" => Kind::List,
                    "map" | "Map" => Kind::Map,
                    "set" | "Set" => Kind::Set,
                    "tuple" | "Tuple" => Kind::Tuple,
                    "result" | "Result" => Kind::Result,
                    "Range" => Kind::Range,
                    "Future" => Kind::Future,
                    "Generator" => Kind::Generator,
                    "Any" | "Json" | "Self" => Kind::Any,
                    other => match self.globals.get(other) {
                        Some(Global::Record(t) | Global::Enum(t) | Global::Process(t)) => Kind::Named(*t),
                        _ => Kind::Any,
                    },
                }
            }
            TypeKind::Optional(_) | TypeKind::Union(_) | TypeKind::Error => Kind::Any,
        }
    }

    /// Pass 2: compiles cells, validators and implicit `main`.
    pub(crate) fn compile_module_bodies(&mut self, module: &'a Module) {
        let mut top_level: Vec<&'a Stmt> = Vec::new();
        for item in &module.items {
            match &item.kind {
                ItemKind::Cell(cell) => {
                    if let Some(Global::Cell(idx)) = self.globals.get(&cell.name.name).cloned()
                        && self.program.functions[idx as usize].file == self.file
                        && self.program.functions[idx as usize].code.is_empty()
                    {
                        self.compile_cell(cell, idx);
                    }
                }
                ItemKind::Record(rec) => {
                    if let Some(Global::Record(ty)) = self.globals.get(&rec.name.name).cloned() {
                        self.compile_validator(rec, ty);
                    }
                }
                ItemKind::Enum(en) => {
                    for method in &en.methods {
                        if let Some(idx) = self.method_queue.pop_front() {
                            self.compile_cell(method, idx);
                        }
                    }
                }
                ItemKind::Impl(imp) => {
                    for method in self.impl_methods(imp) {
                        if let Some(idx) = self.method_queue.pop_front() {
                            self.compile_cell(method, idx);
                        }
                    }
                }
                ItemKind::Stmt(stmt) => top_level.push(stmt),
                ItemKind::Process(p) => {
                    self.compile_process_bodies(p);
                    if p.kind == lumen_syntax::ast::ProcessKind::Machine
                        && let Some(Global::Process(ty)) = self.globals.get(&p.name.name).cloned()
                    {
                        self.compile_machine(p, ty);
                    }
                }
                ItemKind::Agent(a) => {
                    if let Some(Global::Process(ty)) = self.globals.get(&a.name.name).cloned() {
                        self.compile_member_cells(ty, &a.members);
                    }
                }
                ItemKind::Handler(h) => {
                    for op in &h.ops {
                        if let Some(idx) = self.method_queue.pop_front() {
                            let params: Vec<String> = op.params.iter().map(|p| p.name.name.clone()).collect();
                            self.begin_fn(&format!("{}.{}", op.effect.name, op.op.name), &params, false);
                            self.f().func.required = required_params(&op.params);
                            let r = self.alloc();
                            self.block_value(&op.body, r);
                            self.emit(Instr::Return(r));
                            self.end_fn_into(idx);
                        }
                    }
                }
                _ => {}
            }
        }
        let inits: Vec<(u32, &'a lumen_syntax::ast::Expr)> =
            self.const_inits.iter().filter(|(f, _, _)| *f == self.file).map(|(_, slot, e)| (*slot, *e)).collect();
        if !inits.is_empty() {
            self.begin_fn("<init>", &[], false);
            for (slot, expr) in inits {
                self.set_line(expr.span);
                let mark = self.mark();
                let r = self.expr_any(expr);
                self.emit(Instr::StoreGlobal(slot, r));
                self.release(mark);
            }
            let r = self.alloc();
            self.emit(Instr::LoadNull(r));
            self.emit(Instr::Return(r));
            let (idx, _) = self.end_fn();
            // The entry module's constants are initialized last.
            if self.file == 1 { self.program.init.push(idx) } else { self.program.init.insert(0, idx) }
        }
        if !top_level.is_empty() && self.file == 1 {
            if matches!(self.globals.get("main"), Some(Global::Cell(i)) if self.program.functions[*i as usize].file == 1)
            {
                self.error(
                    codes::DUPLICATE_DEFINITION,
                    "a module with top-level statements cannot also declare `main`",
                    top_level[0].span,
                );
                return;
            }
            self.begin_fn("main", &[], false);
            for stmt in &top_level {
                self.stmt(stmt);
            }
            let r = self.alloc();
            self.emit(Instr::LoadNull(r));
            self.emit(Instr::Return(r));
            let (idx, _) = self.end_fn();
            self.globals.insert("main".into(), Global::Cell(idx));
        }
    }

    pub(crate) fn compile_cell(&mut self, cell: &'a CellDecl, slot: u32) {
        let params: Vec<String> = cell.params.iter().map(|p| p.name.name.clone()).collect();
        self.begin_fn(&cell.name.name, &params, false);
        self.f().func.required = required_params(&cell.params);
        self.f().func.is_generator = cell.is_generator;
        self.f().func.is_async = cell.is_async;
        self.f().func.variadic = cell.params.iter().position(|p| p.kind == ParamKind::Variadic).map(|i| i as u16);
        self.set_line(cell.span);
        self.prologue(&cell.params);
        self.f().ret_float = cell.ret.as_ref().is_some_and(is_float_type);
        self.begin_prompt(cell);
        if let Some(pre) = &cell.where_clause {
            // A precondition over the parameters, checked on entry (LANGUAGE.md 3.3.3).
            self.set_line(pre.span);
            let mark = self.mark();
            let r = self.expr_any(pre);
            let ok = self.emit(Instr::JumpIfTrue(r, 0));
            let text = format!("precondition violated: {}: {}", cell.name.name, self.source_text(pre.span));
            let msg = self.str_const(&text);
            self.emit(Instr::Fail(msg));
            self.patch(ok);
            self.release(mark);
            self.set_line(cell.span);
        }
        match &cell.body {
            Some(CellBody::Block(block)) => {
                self.block_stmts(&block.stmts);
                let r = self.alloc();
                self.emit(Instr::LoadNull(r));
                self.emit(Instr::Return(r));
            }
            Some(CellBody::Expr(expr)) => {
                let r = self.expr_any(expr);
                self.emit_return(r);
            }
            None => {
                let msg = self.str_const(&format!("extern cell not provided: {}", cell.name.name));
                self.emit(Instr::Fail(msg));
            }
        }
        self.end_fn_into(slot);
    }

    /// Default values of parameters not passed, and Int-to-Float widening of Float parameters.
    pub(crate) fn prologue(&mut self, params: &'a [lumen_syntax::ast::Param]) {
        for (i, p) in params.iter().enumerate() {
            if let Some(default) = &p.default {
                let jump = self.emit(Instr::JumpIfProvided(i as u16, 0));
                let mark = self.mark();
                self.expr_to(default, i as u16);
                self.release(mark);
                self.patch(jump);
            }
            if p.ty.as_ref().is_some_and(is_float_type) {
                self.emit(Instr::Convert { dst: i as u16, src: i as u16, kind: Kind::Float });
            }
        }
    }

    fn compile_validator(&mut self, rec: &'a lumen_syntax::ast::RecordDecl, ty: u32) {
        let Some(slot) = self.records.get(&ty).and_then(|r| r.validator) else { return };
        let params: Vec<String> = rec.fields.iter().map(|f| f.name.name.clone()).collect();
        self.begin_fn(&format!("{}.where", rec.name.name), &params, false);
        for field in &rec.fields {
            if let Some(constraint) = &field.constraint {
                self.set_line(constraint.span);
                let mark = self.mark();
                let r = self.expr_any(constraint);
                let ok = self.emit(Instr::JumpIfTrue(r, 0));
                let text = format!(
                    "constraint violated: {}.{}: {}",
                    rec.name.name,
                    field.name.name,
                    self.source_text(constraint.span)
                );
                let msg = self.str_const(&text);
                self.emit(Instr::Fail(msg));
                self.patch(ok);
                self.release(mark);
            }
        }
        let r = self.alloc();
        self.emit(Instr::LoadNull(r));
        self.emit(Instr::Return(r));
        self.end_fn_into(slot);
    }

    /// Selects the entry cell.
    pub(crate) fn finish(&mut self, module: &'a Module, entry_cell: &str) {
        match self.globals.get(entry_cell) {
            Some(Global::Cell(idx)) => {
                let idx = *idx;
                let f = &self.program.functions[idx as usize];
                if f.required > 0 {
                    let params = f.params.join(", ");
                    let span = module
                        .items
                        .iter()
                        .find_map(|item| match &item.kind {
                            ItemKind::Cell(c) if c.name.name == entry_cell => Some(c.name.span),
                            _ => None,
                        })
                        .unwrap_or(Span { start: module.span.end, end: module.span.end });
                    self.pending.push(
                        Diagnostic::error(
                            codes::NO_ENTRY,
                            format!("the entry cell `{entry_cell}` takes required parameters ({params})"),
                            span,
                        )
                        .with_help("give the parameters defaults, or run another cell with `--cell`"),
                    );
                }
                self.program.entry = Some(idx);
            }
            _ => {
                let span = Span { start: module.span.end, end: module.span.end };
                self.pending.push(
                    Diagnostic::error(codes::NO_ENTRY, format!("no entry cell `{entry_cell}` to run"), span)
                        .with_help("declare `cell main()` or write statements at top level"),
                );
            }
        }
    }
}

impl<'a> Compiler<'a> {
    /// An impl's own methods followed by the trait's default methods it does not override.
    fn impl_methods(&self, imp: &'a lumen_syntax::ast::ImplDecl) -> Vec<&'a CellDecl> {
        let mut methods: Vec<&'a CellDecl> = imp.methods.iter().collect();
        if let Some(tr) = self.traits.get(&imp.trait_name.name) {
            for m in &tr.methods {
                if m.body.is_some() && !imp.methods.iter().any(|own| own.name.name == m.name.name) {
                    methods.push(m);
                }
            }
        }
        methods
    }
}

/// Parameters before the first one with a default (or the variadic one) must be passed.
pub(crate) fn required_params(params: &[lumen_syntax::ast::Param]) -> u16 {
    params.iter().take_while(|p| p.default.is_none() && p.kind != ParamKind::Variadic).count() as u16
}

pub(crate) fn is_float_type(ty: &TypeExpr) -> bool {
    matches!(&ty.kind, TypeKind::Named { path, args } if args.is_empty() && path.len() == 1 && path[0].name == "Float")
}

impl<'a> Compiler<'a> {
    /// Copies imported names into `space`, the namespace of the module being compiled.
    pub(crate) fn resolve_imports(
        &mut self,
        module: &'a Module,
        inputs: &[super::CompileInput<'_>],
        own: &[HashMap<String, Global>],
        space: &mut HashMap<String, Global>,
    ) {
        let current = (self.file - 1) as usize;
        for item in &module.items {
            let ItemKind::Import(import) = &item.kind else { continue };
            let dotted = import.path.segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
            // A module the loader could not find was reported already.
            let Some(target) = inputs.iter().position(|i| i.name == dotted && !dotted.is_empty()) else { continue };
            let public: Vec<&str> =
                inputs[target].module.items.iter().filter(|i| i.is_pub).filter_map(|i| item_name(&i.kind)).collect();
            let importable = |name: &str| public.is_empty() || public.contains(&name);
            match &import.names {
                lumen_syntax::ast::ImportNames::All(_) => {
                    for (name, global) in &own[target] {
                        if importable(name) && !own[current].contains_key(name) {
                            space.insert(name.clone(), global.clone());
                        }
                    }
                }
                lumen_syntax::ast::ImportNames::Names(names) => {
                    for n in names {
                        let is_trait = inputs[target]
                            .module
                            .items
                            .iter()
                            .any(|i| matches!(&i.kind, ItemKind::Trait(t) if t.name.name == n.name.name));
                        let Some(global) = own[target].get(&n.name.name).cloned() else {
                            if is_trait {
                                // Traits live in one program-wide table (only impls use them).
                                continue;
                            }
                            self.pending.push(
                                Diagnostic::error(
                                    codes::UNDEFINED_NAME,
                                    format!("module `{dotted}` has no declaration named `{}`", n.name.name),
                                    n.name.span,
                                )
                                .with_label("not declared there"),
                            );
                            continue;
                        };
                        if !importable(&n.name.name) {
                            self.error(
                                codes::UNDEFINED_NAME,
                                format!("`{}` is private to module `{dotted}`", n.name.name),
                                n.name.span,
                            );
                            continue;
                        }
                        let local = n.alias.as_ref().unwrap_or(&n.name);
                        if own[current].contains_key(&local.name) {
                            self.error(
                                codes::DUPLICATE_DEFINITION,
                                format!("`{}` is both imported and declared in this module", local.name),
                                local.span,
                            );
                            continue;
                        }
                        // Importing an enum also brings its variants.
                        if let Global::Enum(ty) = global {
                            for (vname, g) in &own[target] {
                                if matches!(g, Global::Variant(t, _) if *t == ty) {
                                    space.insert(vname.clone(), g.clone());
                                }
                            }
                        }
                        space.insert(local.name.clone(), global);
                    }
                }
            }
        }
    }
}

/// The name an item declares, if any.
fn item_name(kind: &ItemKind) -> Option<&str> {
    Some(match kind {
        ItemKind::Cell(c) | ItemKind::Extern(c) => &c.name.name,
        ItemKind::Record(r) => &r.name.name,
        ItemKind::Enum(e) => &e.name.name,
        ItemKind::Const(c) => &c.name.name,
        ItemKind::TypeAlias(t) => &t.name.name,
        ItemKind::Trait(t) => &t.name.name,
        _ => return None,
    })
}
