//! Type expressions to types, in a module's scope: predeclared names, declarations, imports,
//! aliases (transparent), generic parameters and `Self`; undefined names are reported (E0307).

use lumen_syntax::Diagnostic;
use lumen_syntax::ast::TypeExpr;

use crate::decls::{Def, EVAL_REPORT, MESSAGE, PREDECLARED, Program, TyCtx};
use crate::types::Ty;

impl Program<'_> {
    /// The type a type expression denotes in `module`; undefined names are reported (E0307).
    pub fn resolve(&self, module: usize, t: &TypeExpr, ctx: &TyCtx, diags: &mut Vec<Diagnostic>) -> Ty {
        self.resolve_depth(module, t, ctx, diags, 0)
    }

    fn resolve_depth(&self, module: usize, t: &TypeExpr, ctx: &TyCtx, diags: &mut Vec<Diagnostic>, depth: u32) -> Ty {
        use lumen_syntax::ast::TypeKind;
        if depth > 32 {
            return Ty::Unknown;
        }
        let sub = |t: &TypeExpr, diags: &mut Vec<Diagnostic>| self.resolve_depth(module, t, ctx, diags, depth + 1);
        match &t.kind {
            TypeKind::Null => Ty::Null,
            TypeKind::Error => Ty::Unknown,
            TypeKind::Paren(inner) => sub(inner, diags),
            TypeKind::Optional(inner) => Ty::optional(sub(inner, diags)),
            TypeKind::Union(items) => Ty::union(items.iter().map(|i| sub(i, diags)).collect()),
            TypeKind::Tuple(items) => Ty::Tuple(items.iter().map(|i| sub(i, diags)).collect()),
            TypeKind::Fn { params, ret, effects } => Ty::Fn(Box::new(crate::types::FnTy {
                params: params.iter().map(|p| sub(p, diags)).collect(),
                ret: ret.as_ref().map_or(Ty::Null, |r| sub(r, diags)),
                effects: effects.as_ref().map(|row| row.effects.iter().map(|e| e.name.clone()).collect()),
            })),
            TypeKind::Named { path, args } => {
                if path.len() != 1 {
                    return Ty::Unknown;
                }
                let name = path[0].name.as_str();
                let mut args: Vec<Ty> = args.iter().map(|a| sub(a, diags)).collect();
                let mut arg =
                    |i: usize| if i < args.len() { std::mem::replace(&mut args[i], Ty::Unknown) } else { Ty::Unknown };
                if ctx.generics.iter().any(|g| g == name) {
                    return Ty::Param(name.to_string());
                }
                if name == "Self"
                    && let Some(s) = &ctx.self_ty
                {
                    return s.clone();
                }
                match name {
                    "Int" => return Ty::Int,
                    "Float" => return Ty::Float,
                    "String" => return Ty::String,
                    "Bool" => return Ty::Bool,
                    "Bytes" => return Ty::Bytes,
                    "Null" => return Ty::Null,
                    "Any" => return Ty::Any,
                    "Json" => return Ty::Json,
                    "Range" => return Ty::Range,
                    "TraceRef" => return Ty::TraceRef,
                    "list" => return Ty::list(arg(0)),
                    "set" => return Ty::Set(Box::new(arg(0))),
                    "map" => return Ty::Map(Box::new(arg(0)), Box::new(arg(1))),
                    "result" => return Ty::Result(Box::new(arg(0)), Box::new(arg(1))),
                    "Future" => return Ty::Future(Box::new(arg(0))),
                    "Generator" => return Ty::Generator(Box::new(arg(0))),
                    "tuple" => return if args.is_empty() { Ty::Unknown } else { Ty::Tuple(args) },
                    "Message" => return Ty::Named(MESSAGE, "Message".into(), Vec::new()),
                    "EvalReport" => return Ty::Named(EVAL_REPORT, "EvalReport".into(), Vec::new()),
                    _ => {}
                }
                match self.modules[module].names.get(name) {
                    Some(Def::Type(id)) => {
                        let decl = &self.types[*id];
                        let n = decl.generics.len();
                        let args = (0..n).map(arg).collect();
                        Ty::Named(*id, decl.name.clone(), args)
                    }
                    Some(Def::Alias(a)) => {
                        let (amod, alias) = self.aliases[*a];
                        let target = self.resolve_depth(
                            amod,
                            &alias.ty,
                            &TyCtx {
                                generics: alias.generics.iter().map(|g| g.name.name.clone()).collect(),
                                self_ty: None,
                            },
                            &mut Vec::new(),
                            depth + 1,
                        );
                        let names: Vec<String> = alias.generics.iter().map(|g| g.name.name.clone()).collect();
                        let vals: Vec<Ty> = (0..names.len()).map(arg).collect();
                        target.subst(&|p| names.iter().position(|n| n == p).map(|i| vals[i].clone()))
                    }
                    Some(Def::Unknown) => Ty::Unknown,
                    Some(_) | None if self.modules[module].open => Ty::Unknown,
                    Some(_) => {
                        diags.push(
                            Diagnostic::error(
                                crate::codes::UNDEFINED_TYPE,
                                format!("`{name}` is not a type"),
                                path[0].span,
                            )
                            .with_label("a value, not a type"),
                        );
                        Ty::Unknown
                    }
                    None => {
                        let mut d = Diagnostic::error(
                            crate::codes::UNDEFINED_TYPE,
                            format!("undefined type `{name}`"),
                            path[0].span,
                        )
                        .with_label("not a known type");
                        let candidates = self.type_names(module, ctx);
                        if let Some(best) = crate::suggest::best(name, candidates.iter().map(String::as_str)) {
                            d = d.with_help(format!("a type with a similar name exists: `{best}`"));
                        }
                        diags.push(d);
                        Ty::Unknown
                    }
                }
            }
        }
    }

    /// Every type name visible in `module` (for suggestions).
    pub fn type_names(&self, module: usize, ctx: &TyCtx) -> Vec<String> {
        let mut out: Vec<String> = PREDECLARED.iter().map(|s| s.to_string()).collect();
        out.extend(ctx.generics.iter().cloned());
        for (k, d) in &self.modules[module].names {
            if matches!(d, Def::Type(_) | Def::Alias(_)) {
                out.push(k.clone());
            }
        }
        out.sort();
        out
    }
}
