//! Operators, casts and their typing rules (LANGUAGE.md 4.6, 4.7).

use lumen_syntax::ast::{BinOp, Expr, ExprKind, UnaryOp};
use lumen_syntax::{Diagnostic, Span};

use super::Checker;
use crate::codes;
use crate::decls::Kind;
use crate::types::{Ty, assignable, join, overlaps};

impl Checker<'_, '_> {
    pub(super) fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Ty {
        let t = self.expr(operand, None);
        let ok = match op {
            UnaryOp::Not => assignable(&t, &Ty::Bool),
            UnaryOp::Neg => t.is_numeric() || t.is_dynamic() || self.param_has_bound(&t, "Num"),
            UnaryOp::BitNot => assignable(&t, &Ty::Int) && t != Ty::Float,
        };
        if !ok {
            let (sym, want) = match op {
                UnaryOp::Not => ("not", "`Bool`"),
                UnaryOp::Neg => ("-", "`Int` or `Float`"),
                UnaryOp::BitNot => ("~", "`Int`"),
            };
            self.report(
                Diagnostic::error(codes::BAD_OPERANDS, format!("`{sym}` cannot be applied to `{t}`"), span)
                    .with_label(format!("this is `{t}`"))
                    .with_help(format!("`{sym}` takes {want}")),
            );
            return Ty::Unknown;
        }
        match op {
            UnaryOp::Not => Ty::Bool,
            UnaryOp::Neg => t,
            UnaryOp::BitNot => Ty::Int,
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span, expected: Option<&Ty>) -> Ty {
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.expr(lhs, Some(&Ty::Bool));
                let (t, f) = self.facts(lhs);
                self.push_scope();
                self.apply(if op == BinOp::And { &t } else { &f });
                let b = self.expr(rhs, Some(&Ty::Bool));
                self.pop_scope();
                for (side, ty) in [(lhs, &a), (rhs, &b)] {
                    if !assignable(ty, &Ty::Bool) {
                        self.report(
                            Diagnostic::error(
                                codes::BAD_OPERANDS,
                                format!("operands of `{}` must be `Bool`, found `{ty}`", op.as_str()),
                                side.span,
                            )
                            .with_label(format!("this is `{ty}`"))
                            .with_help("compare explicitly, e.g. `x > 0` or `s != \"\"`"),
                        );
                    }
                }
                Ty::Bool
            }
            BinOp::Coalesce => {
                let a = self.expr(lhs, expected);
                let inner = a.without_null();
                let b = self.expr(rhs, Some(expected.unwrap_or(&inner)));
                if a == Ty::Null { b } else { join(&inner, &b) }
            }
            BinOp::Pipe => {
                let x = self.expr(lhs, None);
                match &rhs.kind {
                    ExprKind::Call { callee, args } => self.call(rhs, callee, args, expected, Some((x, lhs.span))),
                    _ => {
                        let f = self.expr(rhs, None);
                        self.call_value(&f, &[], Some((x, lhs.span)), rhs.span, "the right side of `|>`")
                    }
                }
            }
            BinOp::Compose => {
                let f = self.compose_operand(lhs);
                let g = self.compose_operand(rhs);
                match (f, g) {
                    (Ty::Fn(f), Ty::Fn(g)) => Ty::func(f.params.clone(), g.ret.clone()),
                    _ => Ty::Unknown,
                }
            }
            _ => {
                let a = self.expr(lhs, None);
                let b = self.expr(rhs, None);
                self.binary_result(op, &a, &b, span)
            }
        }
    }

    /// An operand of `~>`: a call there is a partial application, so only its parts are checked.
    fn compose_operand(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Call { callee, args } => {
                if !matches!(callee.kind, ExprKind::Ident(_)) {
                    self.expr(callee, None);
                }
                for a in args {
                    self.expr(&a.value, None);
                }
                Ty::Unknown
            }
            _ => self.expr(e, None),
        }
    }

    /// The type of `a op b`, reporting operands the operator does not accept (LANGUAGE.md 4.6).
    pub(super) fn binary_result(&mut self, op: BinOp, a: &Ty, b: &Ty, span: Span) -> Ty {
        use BinOp::*;
        let result = match op {
            Eq | Ne => {
                if *a == Ty::Null || *b == Ty::Null || overlaps(a, b) {
                    Some(Ty::Bool)
                } else {
                    self.report(
                        Diagnostic::error(
                            codes::BAD_OPERANDS,
                            format!("cannot compare `{a}` with `{b}`: the types have no values in common"),
                            span,
                        )
                        .with_label(format!("`{a}` {} `{b}` is always {}", op.as_str(), op == Ne))
                        .with_help("convert one side first, e.g. `to_string(x) == s` or `to_int(s) == n`"),
                    );
                    return Ty::Bool;
                }
            }
            Lt | Le | Gt | Ge => self.ordered(a, b).then_some(Ty::Bool),
            In => self.membership(a, b).then_some(Ty::Bool),
            And | Or => Some(Ty::Bool),
            _ => each_member(a, b, &|x, y| self.arith(op, x, y)),
        };
        match result {
            Some(t) => t,
            None => {
                let mut d = Diagnostic::error(
                    codes::BAD_OPERANDS,
                    format!("`{}` cannot be applied to `{a}` and `{b}`", op.as_str()),
                    span,
                )
                .with_label(format!("`{a}` {} `{b}`", op.as_str()));
                if a.is_optional() || b.is_optional() {
                    d = d.with_help("a value may be `null`: narrow it first (`if x != null`), or use `??` or `!`");
                } else if matches!(op, Add | Concat) && (*a == Ty::String || *b == Ty::String) {
                    d = d.with_help("convert the other side first (`to_string(x)`) or use interpolation: \"{x}\"");
                } else if let Some(p) = [a, b].into_iter().find(|t| matches!(t, Ty::Param(_))) {
                    d = d.with_help(format!(
                        "a type parameter allows only what its bounds allow; add `{p}: Num` or `{p}: Ord`"
                    ));
                }
                self.report(d);
                Ty::Unknown
            }
        }
    }

    /// Arithmetic, bitwise and concatenation on two non-union operands.
    fn arith(&self, op: BinOp, a: &Ty, b: &Ty) -> Option<Ty> {
        use BinOp::*;
        if a.is_dynamic() || b.is_dynamic() {
            return Some(Ty::Unknown);
        }
        let num_param = |t: &Ty| self.param_has_bound(t, "Num");
        match op {
            Concat => match (a, b) {
                (Ty::String, Ty::String) => Some(Ty::String),
                (Ty::Bytes, Ty::Bytes) => Some(Ty::Bytes),
                (Ty::List(x), Ty::List(y)) => Some(Ty::list(join(x, y))),
                _ => None,
            },
            BitAnd | BitOr | BitXor | Shl | Shr => (*a == Ty::Int && *b == Ty::Int).then_some(Ty::Int),
            _ => match (a, b) {
                (Ty::Int, Ty::Int) => Some(Ty::Int),
                (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => Some(Ty::Float),
                (Ty::String, Ty::String) if op == Add => Some(Ty::String),
                (Ty::Param(_), _) if num_param(a) && (b == a || b.is_numeric()) => Some(a.clone()),
                (_, Ty::Param(_)) if num_param(b) && a.is_numeric() => Some(b.clone()),
                _ => None,
            },
        }
    }

    pub(super) fn param_has_bound(&self, t: &Ty, bound: &str) -> bool {
        let Ty::Param(name) = t else { return false };
        self.frame_ref().is_none_or(|f| {
            f.generics
                .iter()
                .find(|g| &g.name == name)
                .is_none_or(|g| g.bounds.iter().any(|b| b == bound || (bound == "Ord" && b == "Num")))
        })
    }

    /// `a < b` needs two values of one ordered type (numbers mix).
    fn ordered(&self, a: &Ty, b: &Ty) -> bool {
        if a.is_dynamic() || b.is_dynamic() {
            return true;
        }
        // `null` orders before every value (LANGUAGE.md 5.5).
        if a.is_optional() || b.is_optional() || *a == Ty::Null || *b == Ty::Null {
            let (x, y) = (a.without_null(), b.without_null());
            return x == Ty::Null || y == Ty::Null || self.ordered(&x, &y);
        }
        if let Ty::Union(ms) = a {
            return ms.iter().all(|m| self.ordered(m, b));
        }
        if let Ty::Union(ms) = b {
            return ms.iter().all(|m| self.ordered(a, m));
        }
        match (a, b) {
            (Ty::Param(_), _) | (_, Ty::Param(_)) => {
                (!matches!(a, Ty::Param(_)) || self.param_has_bound(a, "Ord"))
                    && (!matches!(b, Ty::Param(_)) || self.param_has_bound(b, "Ord"))
            }
            (x, y) if x.is_numeric() && y.is_numeric() => true,
            (Ty::String, Ty::String) | (Ty::Bool, Ty::Bool) | (Ty::Bytes, Ty::Bytes) => true,
            (Ty::List(x), Ty::List(y)) => self.ordered(x, y),
            (Ty::Tuple(x), Ty::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.ordered(p, q)),
            (Ty::Named(i, ..), Ty::Named(j, ..)) => {
                i == j && matches!(self.p.types[*i].kind, Kind::Record | Kind::Enum)
            }
            _ => false,
        }
    }

    /// `x in c`.
    fn membership(&self, x: &Ty, c: &Ty) -> bool {
        match c {
            t if t.is_dynamic() => true,
            Ty::List(e) | Ty::Set(e) => overlaps(x, e),
            Ty::Map(k, _) => overlaps(x, k),
            Ty::String => overlaps(x, &Ty::String),
            Ty::Range => overlaps(x, &Ty::Int),
            Ty::Tuple(_) | Ty::Param(_) => true,
            Ty::Union(ms) => !c.is_optional() && ms.iter().all(|m| self.membership(x, m)),
            _ => false,
        }
    }

    /// Casts allowed by LANGUAGE.md 4.7.
    pub(super) fn check_cast(&mut self, from: &Ty, to: &Ty, span: Span) {
        let ok = assignable(from, to)
            || from.has_unknown()
            || to.has_unknown()
            || matches!(from, Ty::Union(_))
            || matches!(
                (from, to),
                (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) | (Ty::Bool, Ty::Int) | (_, Ty::String)
            );
        if !ok {
            let mut d = Diagnostic::error(codes::INVALID_CAST, format!("cannot cast `{from}` to `{to}`"), span)
                .with_label("invalid cast");
            d = match (from, to) {
                (Ty::String, Ty::Int) => d.with_help("use `to_int(s)` (lenient) or `parse_int(s)` (a result)"),
                (Ty::String, Ty::Float) => d.with_help("use `to_float(s)` (lenient) or `parse_float(s)` (a result)"),
                _ => d.with_help("`as` converts between numbers, to `String`, `Bool` to `Int`, and narrows unions"),
            };
            self.report(d);
        }
    }
}

/// Applies `f` to every combination of union members; `None` when any combination fails.
fn each_member(a: &Ty, b: &Ty, f: &dyn Fn(&Ty, &Ty) -> Option<Ty>) -> Option<Ty> {
    let mut out = Vec::new();
    for x in a.members() {
        for y in b.members() {
            out.push(f(x, y)?);
        }
    }
    Some(Ty::union(out))
}
