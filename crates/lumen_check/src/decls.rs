//! Program-wide declaration tables: every module's names (with imports resolved), the types of
//! record fields, enum payloads, cell signatures, effect operations, traits and impls.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use lumen_syntax::ast::{
    AgentDecl, CellDecl, ConstDecl, DirectiveValue, HandlerDecl, ImportNames, ItemKind, MemberKind, Module, ParamKind,
    ProcessDecl, ProcessKind, RecordDecl, ToolSource, TypeAlias,
};
use lumen_syntax::{Diagnostic, Span};

use crate::types::{Ty, TypeId};

/// What a top-level name of a module refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Def {
    Type(TypeId),
    Alias(usize),
    Cell(CellId),
    Const(usize),
    /// A variant of an enum: (enum, variant index).
    Variant(TypeId, usize),
    Effect(usize),
    Trait(usize),
    Handler(usize),
    Tool(usize),
    Macro,
    /// Imported from a module the checker does not have: nothing is known about it.
    Unknown,
}

pub type CellId = usize;

#[derive(Clone, Debug)]
pub struct Generic {
    pub name: String,
    pub bounds: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Record,
    Enum,
    Process(ProcessKind),
    Agent,
}

pub struct FieldInfo<'a> {
    pub name: String,
    pub ty: Ty,
    pub decl: Option<&'a lumen_syntax::ast::FieldDecl>,
}

/// Payload fields of a variant: optional names and types.
pub type Payload = Vec<(Option<String>, Ty)>;

pub struct VariantInfo {
    pub name: String,
    /// `None` for a payload-less variant; the names of named payload fields.
    pub payload: Option<Vec<(Option<String>, Ty)>>,
}

pub struct TypeDecl<'a> {
    pub name: String,
    pub module: usize,
    pub generics: Vec<Generic>,
    pub kind: Kind,
    pub span: Span,
    pub fields: Vec<FieldInfo<'a>>,
    pub variants: Vec<VariantInfo>,
    /// Enum methods and associated cells, process and agent cells.
    pub methods: HashMap<String, CellId>,
    pub record: Option<&'a RecordDecl>,
    pub process: Option<&'a ProcessDecl>,
    pub agent: Option<&'a AgentDecl>,
    /// Tool aliases declared inside a process or agent.
    pub tools: HashMap<String, usize>,
}

impl TypeDecl<'_> {
    /// The type with its own parameters as arguments (the type of `self` inside it).
    pub fn self_ty(&self, id: TypeId) -> Ty {
        Ty::Named(id, self.name.clone(), self.generics.iter().map(|g| Ty::Param(g.name.clone())).collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Owner {
    TopLevel,
    Extern,
    Enum(TypeId),
    Impl(usize),
    Trait(usize),
    Process(TypeId),
}

pub struct ParamInfo {
    pub name: String,
    pub ty: Ty,
    pub has_default: bool,
    pub variadic: bool,
}

pub struct CellInfo<'a> {
    pub decl: &'a CellDecl,
    pub module: usize,
    pub owner: Owner,
    pub generics: Vec<Generic>,
    /// Parameters after `self` (which is `self_ty`).
    pub params: Vec<ParamInfo>,
    pub self_ty: Option<Ty>,
    /// The declared return type (`T` of `-> yield T` for generators).
    pub ret: Option<Ty>,
    pub effects: Option<Vec<String>>,
}

impl CellInfo<'_> {
    pub fn name(&self) -> &str {
        &self.decl.name.name
    }
}

pub struct OpInfo {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub ret: Ty,
}

pub struct EffectInfo {
    pub ops: Vec<OpInfo>,
}

pub struct TraitInfo {
    pub name: String,
    pub module: usize,
    pub parents: Vec<String>,
    /// Every method (signatures and defaults) as cells with owner `Trait`.
    pub methods: Vec<CellId>,
}

pub struct ImplInfo<'a> {
    pub module: usize,
    pub trait_id: Option<usize>,
    pub target: Ty,
    pub methods: Vec<CellId>,
    pub decl: &'a lumen_syntax::ast::ImplDecl,
    pub span: Span,
}

pub struct ToolInfo {
    pub effect: String,
}

/// A module as the checker sees it.
pub struct ModuleInfo<'a> {
    pub name: String,
    pub ast: &'a Module,
    pub names: HashMap<String, Def>,
    /// Local declarations and whether they are `pub`.
    locals: HashMap<String, (Def, bool)>,
    /// A wildcard import from a module the checker does not have: any name may come from it.
    pub open: bool,
    pub deterministic: bool,
    pub strict: bool,
    /// `@doc_mode true`: unresolved type names are warnings (LANGUAGE.md 1.4).
    pub doc_mode: bool,
}

/// Where a key of method lookup comes from: the outermost constructor of a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Int,
    Float,
    String,
    Bool,
    Bytes,
    Null,
    List,
    Map,
    Set,
    Tuple,
    Result,
    Range,
    Future,
    Generator,
    Fn,
    Named(TypeId),
}

pub fn key_of(t: &Ty) -> Option<Key> {
    Some(match t {
        Ty::Int => Key::Int,
        Ty::Float => Key::Float,
        Ty::String => Key::String,
        Ty::Bool => Key::Bool,
        Ty::Bytes => Key::Bytes,
        Ty::Null => Key::Null,
        Ty::List(_) => Key::List,
        Ty::Map(..) => Key::Map,
        Ty::Set(_) => Key::Set,
        Ty::Tuple(_) => Key::Tuple,
        Ty::Result(..) => Key::Result,
        Ty::Range => Key::Range,
        Ty::Future(_) => Key::Future,
        Ty::Generator(_) => Key::Generator,
        Ty::Fn(_) => Key::Fn,
        Ty::Named(id, ..) => Key::Named(*id),
        _ => return None,
    })
}

/// Type names every module has (LANGUAGE.md 2.3).
pub const PREDECLARED: &[&str] = &[
    "Int",
    "Float",
    "String",
    "Bool",
    "Bytes",
    "Json",
    "Null",
    "Any",
    "list",
    "map",
    "set",
    "tuple",
    "result",
    "Range",
    "Future",
    "Generator",
    "Message",
    "EvalReport",
    "TraceRef",
    "Ord",
    "Num",
];

/// Id of the predeclared record `Message`; `EvalReport` follows it.
pub const MESSAGE: TypeId = 0;
pub const EVAL_REPORT: TypeId = 1;

pub struct Program<'a> {
    pub modules: Vec<ModuleInfo<'a>>,
    pub types: Vec<TypeDecl<'a>>,
    pub cells: Vec<CellInfo<'a>>,
    pub consts: Vec<(usize, &'a ConstDecl)>,
    pub aliases: Vec<(usize, &'a TypeAlias)>,
    pub effects: Vec<EffectInfo>,
    pub traits: Vec<TraitInfo>,
    pub impls: Vec<ImplInfo<'a>>,
    pub handlers: Vec<&'a HandlerDecl>,
    pub tools: Vec<ToolInfo>,
    /// Impl methods and inherited trait defaults by receiver key.
    pub methods: HashMap<(Key, String), CellId>,
    /// Which traits each key implements.
    pub implements: HashSet<(Key, usize)>,
    /// Diagnostics found while building the tables, by module.
    pub decl_diags: RefCell<Vec<Vec<Diagnostic>>>,
    /// Return types inferred for cells that declare none (`None` while being inferred).
    pub inferred: RefCell<HashMap<CellId, Option<Ty>>>,
    /// Cells without a declared return type whose inference reached themselves again.
    pub recursive: RefCell<HashSet<CellId>>,
    pub const_types: RefCell<HashMap<usize, Option<Ty>>>,
}

/// Generic parameters and `Self` visible while resolving a type expression.
#[derive(Default, Clone)]
pub struct TyCtx {
    pub generics: Vec<String>,
    pub self_ty: Option<Ty>,
}

impl<'a> Program<'a> {
    pub fn build(inputs: &[(&'a str, &'a Module)]) -> Program<'a> {
        let mut p = Program {
            modules: Vec::new(),
            types: Vec::new(),
            cells: Vec::new(),
            consts: Vec::new(),
            aliases: Vec::new(),
            effects: Vec::new(),
            traits: Vec::new(),
            impls: Vec::new(),
            handlers: Vec::new(),
            tools: Vec::new(),
            methods: HashMap::new(),
            implements: HashSet::new(),
            decl_diags: RefCell::new(vec![Vec::new(); inputs.len()]),
            inferred: RefCell::new(HashMap::new()),
            recursive: RefCell::new(HashSet::new()),
            const_types: RefCell::new(HashMap::new()),
        };
        p.predeclare();
        for (i, (name, module)) in inputs.iter().enumerate() {
            p.register(i, name, module);
        }
        for i in 0..p.modules.len() {
            p.import(i);
        }
        p.resolve_declarations();
        p.index_methods();
        p
    }

    fn predeclare(&mut self) {
        let record = |name: &str, fields: Vec<(&str, Ty)>| TypeDecl {
            name: name.to_string(),
            module: usize::MAX,
            generics: Vec::new(),
            kind: Kind::Record,
            span: Span::DUMMY,
            fields: fields.into_iter().map(|(n, ty)| FieldInfo { name: n.to_string(), ty, decl: None }).collect(),
            variants: Vec::new(),
            methods: HashMap::new(),
            record: None,
            process: None,
            agent: None,
            tools: HashMap::new(),
        };
        self.types.push(record("Message", vec![("role", Ty::String), ("content", Ty::String)]));
        self.types.push(record(
            "EvalReport",
            vec![("scores", Ty::list(Ty::Float)), ("mean", Ty::Float), ("passed", Ty::Int), ("total", Ty::Int)],
        ));
    }

    fn new_type(&mut self, module: usize, name: &str, span: Span, kind: Kind, generics: Vec<Generic>) -> TypeId {
        self.types.push(TypeDecl {
            name: name.to_string(),
            module,
            generics,
            kind,
            span,
            fields: Vec::new(),
            variants: Vec::new(),
            methods: HashMap::new(),
            record: None,
            process: None,
            agent: None,
            tools: HashMap::new(),
        });
        self.types.len() - 1
    }

    fn new_cell(&mut self, decl: &'a CellDecl, module: usize, owner: Owner) -> CellId {
        self.cells.push(CellInfo {
            decl,
            module,
            owner,
            generics: generics_of(&decl.generics),
            params: Vec::new(),
            self_ty: None,
            ret: None,
            effects: decl.effects.as_ref().map(|row| row.effects.iter().map(|e| e.name.clone()).collect()),
        });
        self.cells.len() - 1
    }

    /// Phase 1: the module's own declarations.
    fn register(&mut self, index: usize, name: &str, module: &'a Module) {
        let mut info = ModuleInfo {
            name: name.to_string(),
            ast: module,
            names: HashMap::new(),
            locals: HashMap::new(),
            open: false,
            deterministic: false,
            strict: true,
            doc_mode: false,
        };
        for d in &module.directives {
            let on = !matches!(d.value, DirectiveValue::Bool(false));
            match d.name.name.as_str() {
                "deterministic" => info.deterministic = on,
                "strict" => info.strict = on,
                "doc_mode" => info.doc_mode = on,
                _ => {}
            }
        }
        let mut bound_effects: HashMap<String, String> = HashMap::new();
        for item in &module.items {
            if let ItemKind::Bind(b) = &item.kind {
                bound_effects.insert(b.tool.name.clone(), b.effect.name.clone());
            }
        }
        let mut variants: Vec<(String, Def, bool)> = Vec::new();
        for item in &module.items {
            let mut add = |name: &str, def: Def| {
                info.locals.entry(name.to_string()).or_insert((def, item.is_pub));
            };
            match &item.kind {
                ItemKind::Record(r) => {
                    let id = self.new_type(index, &r.name.name, r.name.span, Kind::Record, generics_of(&r.generics));
                    self.types[id].record = Some(r);
                    add(&r.name.name, Def::Type(id));
                }
                ItemKind::Enum(e) => {
                    let id = self.new_type(index, &e.name.name, e.name.span, Kind::Enum, generics_of(&e.generics));
                    for (vi, v) in e.variants.iter().enumerate() {
                        self.types[id].variants.push(VariantInfo { name: v.name.name.clone(), payload: None });
                        variants.push((v.name.name.clone(), Def::Variant(id, vi), item.is_pub));
                    }
                    for m in &e.methods {
                        let c = self.new_cell(m, index, Owner::Enum(id));
                        self.types[id].methods.entry(m.name.name.clone()).or_insert(c);
                    }
                    add(&e.name.name, Def::Type(id));
                }
                ItemKind::Cell(c) => {
                    let id = self.new_cell(c, index, Owner::TopLevel);
                    add(&c.name.name, Def::Cell(id));
                }
                ItemKind::Extern(c) => {
                    let id = self.new_cell(c, index, Owner::Extern);
                    add(&c.name.name, Def::Cell(id));
                }
                ItemKind::TypeAlias(a) => {
                    self.aliases.push((index, a));
                    add(&a.name.name, Def::Alias(self.aliases.len() - 1));
                }
                ItemKind::Const(c) => {
                    self.consts.push((index, c));
                    add(&c.name.name, Def::Const(self.consts.len() - 1));
                }
                ItemKind::Trait(t) => {
                    let tid = self.traits.len();
                    let methods = t.methods.iter().map(|m| self.new_cell(m, index, Owner::Trait(tid))).collect();
                    self.traits.push(TraitInfo {
                        name: t.name.name.clone(),
                        module: index,
                        parents: t.parents.iter().map(|p| p.name.clone()).collect(),
                        methods,
                    });
                    add(&t.name.name, Def::Trait(tid));
                }
                ItemKind::Impl(imp) => {
                    let iid = self.impls.len();
                    let methods = imp.methods.iter().map(|m| self.new_cell(m, index, Owner::Impl(iid))).collect();
                    self.impls.push(ImplInfo {
                        module: index,
                        trait_id: None,
                        target: Ty::Unknown,
                        methods,
                        decl: imp,
                        span: imp.trait_name.span,
                    });
                }
                ItemKind::Effect(e) => {
                    self.effects.push(EffectInfo { ops: Vec::new() });
                    add(&e.name.name, Def::Effect(self.effects.len() - 1));
                }
                ItemKind::Handler(h) => {
                    self.handlers.push(h);
                    add(&h.name.name, Def::Handler(self.handlers.len() - 1));
                }
                ItemKind::UseTool(t) => {
                    let id = self.add_tool(t, &bound_effects);
                    add(&t.alias.name, Def::Tool(id));
                }
                ItemKind::Macro(m) => add(&m.name.name, Def::Macro),
                ItemKind::Agent(a) => {
                    let id = self.new_type(index, &a.name.name, a.name.span, Kind::Agent, Vec::new());
                    self.types[id].agent = Some(a);
                    self.register_members(id, index, &a.members, &bound_effects);
                    add(&a.name.name, Def::Type(id));
                }
                ItemKind::Process(pd) => {
                    let id = self.new_type(index, &pd.name.name, pd.name.span, Kind::Process(pd.kind), Vec::new());
                    self.types[id].process = Some(pd);
                    self.register_members(id, index, &pd.members, &bound_effects);
                    add(&pd.name.name, Def::Type(id));
                }
                ItemKind::Import(_) | ItemKind::Bind(_) | ItemKind::Grant(_) | ItemKind::Stmt(_) => {}
            }
        }
        for (name, def, is_pub) in variants {
            info.locals.entry(name).or_insert((def, is_pub));
        }
        info.names = info.locals.iter().map(|(k, (d, _))| (k.clone(), *d)).collect();
        self.modules.push(info);
    }

    fn add_tool(&mut self, t: &lumen_syntax::ast::UseToolDecl, bound: &HashMap<String, String>) -> usize {
        let effect = match bound.get(&t.alias.name) {
            Some(e) => e.clone(),
            None => match &t.source {
                ToolSource::Path { path, .. } => path.first().map_or_else(String::new, |s| s.name.clone()),
                ToolSource::Mcp(_) => "mcp".to_string(),
            },
        };
        self.tools.push(ToolInfo { effect });
        self.tools.len() - 1
    }

    fn register_members(
        &mut self,
        id: TypeId,
        module: usize,
        members: &'a [lumen_syntax::ast::Member],
        bound: &HashMap<String, String>,
    ) {
        for m in members {
            match &m.kind {
                MemberKind::Cell(c) => {
                    let cid = self.new_cell(c, module, Owner::Process(id));
                    self.types[id].methods.entry(c.name.name.clone()).or_insert(cid);
                }
                MemberKind::UseTool(t) => {
                    let tid = self.add_tool(t, bound);
                    self.types[id].tools.insert(t.alias.name.clone(), tid);
                }
                _ => {}
            }
        }
    }

    /// Phase 2: imported names.
    fn import(&mut self, index: usize) {
        let ast = self.modules[index].ast;
        let by_name: HashMap<String, usize> =
            self.modules.iter().enumerate().map(|(i, m)| (m.name.clone(), i)).collect();
        let mut explicit: HashMap<String, (Def, String)> = HashMap::new();
        for item in &ast.items {
            let ItemKind::Import(imp) = &item.kind else { continue };
            let path: Vec<&str> = imp.path.segments.iter().map(|s| s.name.as_str()).collect();
            let dotted = path.join(".");
            let target = if imp.path.package.is_some() { None } else { by_name.get(&dotted).copied() };
            let Some(target) = target.filter(|t| *t != index) else {
                match &imp.names {
                    ImportNames::All(_) => self.modules[index].open = true,
                    ImportNames::Names(names) => {
                        for n in names {
                            let bound = n.alias.as_ref().unwrap_or(&n.name).name.clone();
                            self.modules[index].names.entry(bound).or_insert(Def::Unknown);
                        }
                    }
                }
                continue;
            };
            let has_pub = self.modules[target].locals.values().any(|(_, p)| *p);
            let exported: Vec<(String, Def)> = self.modules[target]
                .locals
                .iter()
                .filter(|(_, (_, p))| *p || !has_pub)
                .map(|(k, (d, _))| (k.clone(), *d))
                .collect();
            match &imp.names {
                ImportNames::All(_) => {
                    if self.modules[target].open {
                        self.modules[index].open = true;
                    }
                    let locals = &self.modules[index].locals;
                    let new: Vec<(String, Def)> =
                        exported.into_iter().filter(|(k, _)| !locals.contains_key(k)).collect();
                    for (k, d) in new {
                        self.modules[index].names.entry(k).or_insert(d);
                    }
                }
                ImportNames::Names(names) => {
                    for n in names {
                        let bound = n.alias.as_ref().unwrap_or(&n.name);
                        let def = self.modules[target].names.get(&n.name.name).copied().unwrap_or(Def::Unknown);
                        if let Some((prev, from)) = explicit.get(&bound.name)
                            && *prev != def
                            && def != Def::Unknown
                        {
                            let msg = format!("`{}` is imported twice: from `{from}` and from `{dotted}`", bound.name);
                            self.decl_diags.borrow_mut()[index].push(
                                Diagnostic::error(crate::codes::DUPLICATE_NAME, msg, bound.span)
                                    .with_label("second import of this name")
                                    .with_help("rename one of them with `as`, e.g. `import m: name as other`"),
                            );
                            continue;
                        }
                        explicit.insert(bound.name.clone(), (def, dotted.clone()));
                        if self.modules[index].locals.contains_key(&bound.name) {
                            continue;
                        }
                        self.modules[index].names.insert(bound.name.clone(), def);
                        if let Def::Type(tid) = def {
                            for (vi, v) in self.types[tid].variants.iter().enumerate() {
                                self.modules[index].names.entry(v.name.clone()).or_insert(Def::Variant(tid, vi));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Phase 3: the types inside declarations.
    fn resolve_declarations(&mut self) {
        let mut diags: Vec<Vec<Diagnostic>> = vec![Vec::new(); self.modules.len()];
        // Records and enums.
        let mut fields: Vec<(TypeId, Vec<(String, Ty)>)> = Vec::new();
        let mut payloads: Vec<(TypeId, Vec<Option<Payload>>)> = Vec::new();
        for (id, t) in self.types.iter().enumerate() {
            let ctx = TyCtx { generics: t.generics.iter().map(|g| g.name.clone()).collect(), self_ty: None };
            if let Some(r) = t.record {
                let fs = r
                    .fields
                    .iter()
                    .map(|f| (f.name.name.clone(), self.resolve(t.module, &f.ty, &ctx, &mut diags[t.module])))
                    .collect();
                fields.push((id, fs));
            }
            if t.kind == Kind::Enum {
                let decl = self.modules[t.module].ast.items.iter().find_map(|it| match &it.kind {
                    ItemKind::Enum(e) if e.name.span == t.span => Some(e),
                    _ => None,
                });
                if let Some(e) = decl {
                    let ps = e
                        .variants
                        .iter()
                        .map(|v| {
                            v.payload.as_ref().map(|fields| {
                                fields
                                    .iter()
                                    .map(|f| {
                                        (
                                            f.name.as_ref().map(|n| n.name.clone()),
                                            self.resolve(t.module, &f.ty, &ctx, &mut diags[t.module]),
                                        )
                                    })
                                    .collect()
                            })
                        })
                        .collect();
                    payloads.push((id, ps));
                }
            }
        }
        for (id, fs) in fields {
            let decl = self.types[id].record;
            self.types[id].fields = fs
                .into_iter()
                .enumerate()
                .map(|(i, (name, ty))| FieldInfo { name, ty, decl: decl.map(|r| &r.fields[i]) })
                .collect();
        }
        for (id, ps) in payloads {
            for (v, p) in self.types[id].variants.iter_mut().zip(ps) {
                v.payload = p;
            }
        }
        // Traits and impl targets.
        for i in 0..self.impls.len() {
            let imp = self.impls[i].decl;
            let module = self.impls[i].module;
            let ctx = TyCtx { generics: imp.generics.iter().map(|g| g.name.name.clone()).collect(), self_ty: None };
            self.impls[i].target = self.resolve(module, &imp.target, &ctx, &mut diags[module]);
            self.impls[i].trait_id = match self.modules[module].names.get(&imp.trait_name.name) {
                Some(Def::Trait(t)) => Some(*t),
                _ => None,
            };
        }
        // Effects.
        let mut effect_ops: Vec<(usize, Vec<OpInfo>)> = Vec::new();
        for (mi, m) in self.modules.iter().enumerate() {
            for item in &m.ast.items {
                if let ItemKind::Effect(e) = &item.kind
                    && let Some(Def::Effect(id)) = m.locals.get(&e.name.name).map(|(d, _)| *d)
                {
                    let ops: Vec<OpInfo> = e
                        .ops
                        .iter()
                        .map(|op| OpInfo {
                            name: op.name.name.clone(),
                            params: op
                                .params
                                .iter()
                                .map(|p| {
                                    let ty = p.ty.as_ref().map_or(Ty::Unknown, |t| {
                                        self.resolve(mi, t, &TyCtx::default(), &mut diags[mi])
                                    });
                                    (p.name.name.clone(), ty)
                                })
                                .collect(),
                            ret: op
                                .ret
                                .as_ref()
                                .map_or(Ty::Null, |t| self.resolve(mi, t, &TyCtx::default(), &mut diags[mi])),
                        })
                        .collect();
                    effect_ops.push((id, ops));
                }
            }
        }
        for (id, ops) in effect_ops {
            self.effects[id].ops = ops;
        }
        // Cells.
        for c in 0..self.cells.len() {
            let (generics, self_ty, ctx) = self.cell_context(c);
            let cell = &self.cells[c];
            let module = cell.module;
            let decl = cell.decl;
            let mut params = Vec::new();
            let mut own_self = None;
            for p in &decl.params {
                match p.kind {
                    ParamKind::SelfParam => {
                        own_self = Some(match &p.ty {
                            Some(t) => self.resolve(module, t, &ctx, &mut diags[module]),
                            None => self_ty.clone().unwrap_or(Ty::Unknown),
                        })
                    }
                    kind => {
                        let ty = match &p.ty {
                            Some(t) => self.resolve(module, t, &ctx, &mut diags[module]),
                            None => Ty::Unknown,
                        };
                        params.push(ParamInfo {
                            name: p.name.name.clone(),
                            ty,
                            has_default: p.default.is_some(),
                            variadic: kind == ParamKind::Variadic,
                        });
                    }
                }
            }
            // Process and agent cells receive the instance implicitly.
            if matches!(cell.owner, Owner::Process(_)) && own_self.is_none() {
                own_self = self_ty.clone();
            }
            let ret = decl.ret.as_ref().map(|t| self.resolve(module, t, &ctx, &mut diags[module]));
            let cell = &mut self.cells[c];
            cell.generics = generics;
            cell.params = params;
            cell.self_ty = own_self;
            cell.ret = ret;
        }
        let mut stored = self.decl_diags.borrow_mut();
        for (i, d) in diags.into_iter().enumerate() {
            stored[i].extend(d);
        }
    }

    /// The generics (owner's and own), the type of `self`, and the resolution context of a cell.
    pub fn cell_context(&self, c: CellId) -> (Vec<Generic>, Option<Ty>, TyCtx) {
        let cell = &self.cells[c];
        let mut generics = Vec::new();
        let self_ty = match cell.owner {
            Owner::Enum(id) => {
                generics.extend(self.types[id].generics.iter().cloned());
                Some(self.types[id].self_ty(id))
            }
            Owner::Process(id) => Some(self.types[id].self_ty(id)),
            Owner::Impl(i) => {
                generics.extend(generics_of(&self.impls[i].decl.generics));
                Some(self.impls[i].target.clone())
            }
            Owner::Trait(t) => {
                generics.push(Generic { name: "Self".into(), bounds: vec![self.traits[t].name.clone()] });
                Some(Ty::Param("Self".into()))
            }
            Owner::TopLevel | Owner::Extern => None,
        };
        generics.extend(generics_of(&cell.decl.generics));
        let ctx = TyCtx { generics: generics.iter().map(|g| g.name.clone()).collect(), self_ty: self_ty.clone() };
        (generics, self_ty, ctx)
    }

    /// Indexes impl methods (and the trait defaults they inherit) by receiver type.
    fn index_methods(&mut self) {
        for imp in &self.impls {
            let Some(key) = key_of(&imp.target) else { continue };
            if let Some(t) = imp.trait_id {
                self.implements.insert((key.clone(), t));
            }
            for &m in &imp.methods {
                self.methods.entry((key.clone(), self.cells[m].name().to_string())).or_insert(m);
            }
            if let Some(t) = imp.trait_id {
                for &m in &self.traits[t].methods {
                    if self.cells[m].decl.body.is_some() {
                        self.methods.entry((key.clone(), self.cells[m].name().to_string())).or_insert(m);
                    }
                }
            }
        }
    }

    /// The method `name` of values of type `t` (impls, enum and process cells), if any.
    pub fn method(&self, t: &Ty, name: &str) -> Option<CellId> {
        if let Ty::Named(id, ..) = t
            && let Some(c) = self.types[*id].methods.get(name)
        {
            return Some(*c);
        }
        let key = key_of(t)?;
        self.methods.get(&(key, name.to_string())).copied()
    }

    /// Whether type `t` satisfies trait `name` (`Ord`, `Num` or a user trait).
    pub fn satisfies(&self, t: &Ty, name: &str, module: usize) -> bool {
        if t.has_unknown() {
            return true;
        }
        match name {
            "Num" => return matches!(t, Ty::Int | Ty::Float),
            "Ord" => {
                return match t {
                    Ty::Int | Ty::Float | Ty::String | Ty::Bool | Ty::Bytes => true,
                    Ty::List(e) => self.satisfies(e, "Ord", module),
                    Ty::Tuple(items) => items.iter().all(|i| self.satisfies(i, "Ord", module)),
                    Ty::Named(id, ..) => {
                        // Records and enums are ordered field by field (LANGUAGE.md 5.5).
                        matches!(self.types[*id].kind, Kind::Record | Kind::Enum)
                    }
                    _ => false,
                };
            }
            _ => {}
        }
        let Some(Def::Trait(tid)) = self.modules[module].names.get(name) else { return true };
        match key_of(t) {
            Some(k) => self.implements.contains(&(k, *tid)),
            None => true,
        }
    }

    /// The effect, if `name` is one, visible in `module`.
    pub fn effect(&self, module: usize, name: &str) -> Option<Def> {
        match self.modules[module].names.get(name) {
            Some(d @ (Def::Effect(_) | Def::Unknown)) => Some(*d),
            _ if self.modules[module].open => Some(Def::Unknown),
            _ => None,
        }
    }
}

fn generics_of(params: &[lumen_syntax::ast::GenericParam]) -> Vec<Generic> {
    params
        .iter()
        .map(|g| Generic { name: g.name.name.clone(), bounds: g.bounds.iter().map(|b| b.name.clone()).collect() })
        .collect()
}
