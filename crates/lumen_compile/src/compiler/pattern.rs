//! Pattern matching: `match`, destructuring `let`, `for`, `if let` and `while let`.

use std::collections::HashMap;

use lumen_syntax::ast::{Expr, Ident, LiteralPattern, MatchArm, Pattern, PatternKind};

use super::{Compiler, Global, codes};
use crate::bytecode::{BinOp as Op, Const, Instr, Kind, Reg};

/// Names a pattern binds, with their registers. Alternatives of an or-pattern bind into the
/// registers the first alternative chose (`fixed`).
#[derive(Default)]
struct Binds {
    list: Vec<(String, Reg)>,
    fixed: Option<HashMap<String, Reg>>,
}

impl<'a> Compiler<'a> {
    /// Tests `src` against `pat` and binds its names in the current scope. Returns the jumps
    /// taken when the value does not match.
    pub(crate) fn pattern_bind(&mut self, pat: &'a Pattern, src: Reg, mutable: bool) -> Vec<usize> {
        let mut binds = Binds::default();
        let mut fails = Vec::new();
        self.pattern_test(pat, src, &mut binds, &mut fails);
        for (name, reg) in binds.list {
            self.bind_local(&name, reg, mutable);
        }
        fails
    }

    /// Binds a loop's pattern to the element register `elem`, which holds a fresh value every
    /// iteration: a plain name becomes that register itself (loop variables are immutable).
    pub(crate) fn loop_bind(&mut self, pat: &'a Pattern, elem: Reg) -> Vec<usize> {
        if let PatternKind::Binding(name) = &pat.kind
            && self.unit_variant(name).is_none()
        {
            if name.name != "_" {
                self.bind_local(&name.name, elem, false);
            }
            return Vec::new();
        }
        self.pattern_bind(pat, elem, false)
    }

    pub(crate) fn match_expr(&mut self, scrutinee: &'a Expr, arms: &'a [MatchArm], dst: Reg) {
        let s = self.alloc();
        self.expr_to(scrutinee, s);
        let mut ends = Vec::new();
        for arm in arms {
            self.set_line(arm.span);
            self.push_scope();
            let mark = self.mark();
            let mut fails = self.pattern_bind(&arm.pattern, s, false);
            if let Some(guard) = &arm.guard {
                let g = self.expr_any(guard);
                fails.push(self.emit(Instr::JumpIfFalse(g, 0)));
            }
            self.block_value(&arm.body, dst);
            self.release(mark);
            self.pop_scope();
            ends.push(self.emit(Instr::Jump(0)));
            for j in fails {
                self.patch(j);
            }
        }
        let msg = self.str_const("no match arm matched the value");
        self.emit(Instr::Fail(msg));
        for j in ends {
            self.patch(j);
        }
    }

    fn bind(&mut self, name: &str, src: Reg, binds: &mut Binds) {
        if name == "_" {
            return;
        }
        let reg = match binds.fixed.as_ref().and_then(|f| f.get(name)) {
            Some(reg) => *reg,
            None => self.alloc(),
        };
        self.emit(Instr::Move(reg, src));
        binds.list.push((name.to_string(), reg));
    }

    fn fail_unless(&mut self, cond: Reg, fails: &mut Vec<usize>) {
        fails.push(self.emit(Instr::JumpIfFalse(cond, 0)));
    }

    fn test_kind(&mut self, src: Reg, kind: Kind, fails: &mut Vec<usize>) {
        let t = self.alloc();
        self.emit(Instr::IsKind { dst: t, src, kind });
        self.fail_unless(t, fails);
    }

    fn pattern_test(&mut self, pat: &'a Pattern, src: Reg, binds: &mut Binds, fails: &mut Vec<usize>) {
        match &pat.kind {
            PatternKind::Wildcard => {}
            PatternKind::Binding(name) => {
                if let Some((ty, v)) = self.unit_variant(name) {
                    let t = self.alloc();
                    self.emit(Instr::IsVariant { dst: t, src, ty, variant: v });
                    self.fail_unless(t, fails);
                } else {
                    self.bind(&name.name, src, binds);
                }
            }
            PatternKind::Typed { name, ty } => {
                let kind = self.kind_of_type(ty);
                if kind != Kind::Any {
                    self.test_kind(src, kind, fails);
                }
                if super::items::is_float_type(ty) {
                    let r = self.alloc();
                    self.emit(Instr::Move(r, src));
                    self.bind(&name.name, r, binds);
                } else {
                    self.bind(&name.name, src, binds);
                }
            }
            PatternKind::Literal(lit) => {
                let c = self.alloc();
                self.load_literal(lit, c);
                let t = self.alloc();
                self.emit(Instr::Binary(Op::Eq, t, src, c));
                self.fail_unless(t, fails);
            }
            PatternKind::Range { start, end, inclusive } => {
                let kind = match start {
                    LiteralPattern::Int(_) => Kind::Int,
                    LiteralPattern::Float(_) => Kind::Float,
                    LiteralPattern::Str(_) => Kind::String,
                    _ => Kind::Any,
                };
                if kind != Kind::Any {
                    self.test_kind(src, kind, fails);
                }
                let lo = self.alloc();
                self.load_literal(start, lo);
                let hi = self.alloc();
                self.load_literal(end, hi);
                let t = self.alloc();
                self.emit(Instr::Binary(Op::Ge, t, src, lo));
                self.fail_unless(t, fails);
                self.emit(Instr::Binary(if *inclusive { Op::Le } else { Op::Lt }, t, src, hi));
                self.fail_unless(t, fails);
            }
            PatternKind::Tuple(items) => {
                self.test_kind(src, Kind::Tuple, fails);
                let t = self.alloc();
                self.emit(Instr::TestLen { dst: t, src, len: items.len() as u16, at_least: false });
                self.fail_unless(t, fails);
                for (i, item) in items.iter().enumerate() {
                    let e = self.alloc();
                    self.emit(Instr::TupleGet { dst: e, obj: src, index: i as u16 });
                    self.pattern_test(item, e, binds, fails);
                }
            }
            PatternKind::List { before, rest, after } => {
                self.test_kind(src, Kind::List, fails);
                let t = self.alloc();
                let len = (before.len() + after.len()) as u16;
                self.emit(Instr::TestLen { dst: t, src, len, at_least: rest.is_some() });
                self.fail_unless(t, fails);
                for (i, item) in before.iter().enumerate() {
                    let idx = self.alloc();
                    self.emit(Instr::LoadInt(idx, i as i32));
                    let e = self.alloc();
                    self.emit(Instr::GetIndex { dst: e, obj: src, index: idx });
                    self.pattern_test(item, e, binds, fails);
                }
                if let Some(Some(name)) = rest {
                    let r = self.alloc();
                    self.emit(Instr::SliceList { dst: r, src, from: before.len() as u16, to_end: after.len() as u16 });
                    self.bind(&name.name, r, binds);
                }
                for (j, item) in after.iter().enumerate() {
                    let idx = self.alloc();
                    self.emit(Instr::LoadInt(idx, j as i32 - after.len() as i32));
                    let e = self.alloc();
                    self.emit(Instr::GetIndex { dst: e, obj: src, index: idx });
                    self.pattern_test(item, e, binds, fails);
                }
            }
            PatternKind::Variant { path, args } => {
                if let Some(ty) = self.record_of_path(path) {
                    // `Point(x, y)`: the field shorthand.
                    self.test_kind(src, Kind::Named(ty), fails);
                    for arg in args {
                        match &arg.kind {
                            PatternKind::Binding(name) => {
                                let f = self.str_const(&name.name);
                                let e = self.alloc();
                                self.emit(Instr::GetField { dst: e, obj: src, name: f });
                                self.bind(&name.name, e, binds);
                            }
                            _ => self.error(
                                codes::UNSUPPORTED,
                                "record patterns name their fields: `field: pattern`",
                                arg.span,
                            ),
                        }
                    }
                    return;
                }
                let Some((ty, v, arity)) = self.variant_of_path(path, pat) else { return };
                if arity != args.len() {
                    self.error(
                        codes::BAD_ARGUMENTS,
                        format!("this variant has {arity} payload values, the pattern gives {}", args.len()),
                        pat.span,
                    );
                    return;
                }
                let t = self.alloc();
                self.emit(Instr::IsVariant { dst: t, src, ty, variant: v });
                self.fail_unless(t, fails);
                for (i, arg) in args.iter().enumerate() {
                    let e = self.alloc();
                    self.emit(Instr::GetPayload { dst: e, src, index: i as u16 });
                    self.pattern_test(arg, e, binds, fails);
                }
            }
            PatternKind::Record { path, fields, .. } => {
                if let Some(ty) = self.record_of_path(path) {
                    self.test_kind(src, Kind::Named(ty), fails);
                    for field in fields {
                        let f = self.str_const(&field.name.name);
                        let e = self.alloc();
                        self.emit(Instr::GetField { dst: e, obj: src, name: f });
                        match &field.pattern {
                            Some(p) => self.pattern_test(p, e, binds, fails),
                            None => self.bind(&field.name.name, e, binds),
                        }
                    }
                    return;
                }
                let Some((ty, v, _)) = self.variant_of_path(path, pat) else { return };
                let names = self.enums.get(&ty).map(|e| e.variants[v as usize].1.clone()).unwrap_or_default();
                let t = self.alloc();
                self.emit(Instr::IsVariant { dst: t, src, ty, variant: v });
                self.fail_unless(t, fails);
                for field in fields {
                    let Some(i) = names.iter().position(|n| n.as_deref() == Some(field.name.name.as_str())) else {
                        self.error(
                            codes::UNKNOWN_FIELD,
                            format!("the variant has no field `{}`", field.name.name),
                            field.span,
                        );
                        continue;
                    };
                    let e = self.alloc();
                    self.emit(Instr::GetPayload { dst: e, src, index: i as u16 });
                    match &field.pattern {
                        Some(p) => self.pattern_test(p, e, binds, fails),
                        None => self.bind(&field.name.name, e, binds),
                    }
                }
            }
            PatternKind::Qualified(path) => {
                let Some((ty, v, _)) = self.variant_of_path(path, pat) else { return };
                let t = self.alloc();
                self.emit(Instr::IsVariant { dst: t, src, ty, variant: v });
                self.fail_unless(t, fails);
            }
            PatternKind::Or(alts) => {
                let mut success = Vec::new();
                let mut fixed: Option<HashMap<String, Reg>> = binds.fixed.clone();
                let mut first_list: Option<Vec<(String, Reg)>> = None;
                for (i, alt) in alts.iter().enumerate() {
                    let mut alt_binds = Binds { list: Vec::new(), fixed: fixed.clone() };
                    let mut alt_fails = Vec::new();
                    self.pattern_test(alt, src, &mut alt_binds, &mut alt_fails);
                    if fixed.is_none() {
                        fixed = Some(alt_binds.list.iter().cloned().collect());
                    }
                    if first_list.is_none() {
                        first_list = Some(alt_binds.list);
                    }
                    if i + 1 < alts.len() {
                        success.push(self.emit(Instr::Jump(0)));
                        for j in alt_fails {
                            self.patch(j);
                        }
                    } else {
                        fails.extend(alt_fails);
                    }
                }
                for j in success {
                    self.patch(j);
                }
                binds.list.extend(first_list.unwrap_or_default());
            }
        }
    }

    fn load_literal(&mut self, lit: &LiteralPattern, dst: Reg) {
        match lit {
            LiteralPattern::Int(v) => self.load_int(dst, *v),
            LiteralPattern::Float(f) => {
                let c = self.constant(Const::Float(*f));
                self.emit(Instr::LoadConst(dst, c));
            }
            LiteralPattern::Str(s) => {
                let c = self.str_const(s);
                self.emit(Instr::LoadConst(dst, c));
            }
            LiteralPattern::Bool(b) => {
                self.emit(Instr::LoadBool(dst, *b));
            }
            LiteralPattern::Null => {
                self.emit(Instr::LoadNull(dst));
            }
        }
    }

    fn unit_variant(&self, name: &Ident) -> Option<(u32, u16)> {
        match self.globals.get(&name.name) {
            Some(Global::Variant(ty, v)) if self.enums.get(ty).is_some_and(|e| !e.variants[*v as usize].2) => {
                Some((*ty, *v))
            }
            _ => None,
        }
    }

    fn record_of_path(&self, path: &[Ident]) -> Option<u32> {
        match (path, self.globals.get(&path[0].name)) {
            ([_], Some(Global::Record(ty))) => Some(*ty),
            _ => None,
        }
    }

    /// `(enum type, variant, payload arity)` of a variant pattern path.
    fn variant_of_path(&mut self, path: &[Ident], pat: &Pattern) -> Option<(u32, u16, usize)> {
        let found = match path {
            [one] => match self.globals.get(&one.name) {
                Some(Global::Variant(ty, v)) => Some((*ty, *v)),
                _ => None,
            },
            [enum_name, variant] => match self.globals.get(&enum_name.name) {
                Some(Global::Enum(ty)) => self
                    .enums
                    .get(ty)
                    .and_then(|e| e.variants.iter().position(|v| v.0 == variant.name))
                    .map(|v| (*ty, v as u16)),
                _ => None,
            },
            _ => None,
        };
        match found {
            Some((ty, v)) => {
                let arity = self.enums.get(&ty).map_or(0, |e| e.variants[v as usize].1.len());
                Some((ty, v, arity))
            }
            None => {
                let name = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                self.error(codes::UNDEFINED_NAME, format!("undefined variant `{name}` in pattern"), pat.span);
                None
            }
        }
    }
}
