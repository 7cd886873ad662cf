//! Structural checks of compiled functions, made before the VM runs them.
//!
//! The interpreter reads registers and instructions without bounds checks; it relies on what
//! this module checks: every register operand (and every register range an instruction reads)
//! lies inside the function's register window, every jump lands inside the code, and the code
//! cannot run past its end.

use crate::bytecode::{Function, Instr, Reg};

/// `Ok` when `f` satisfies the interpreter's assumptions; otherwise what is wrong, for an
/// internal-error message.
pub fn verify(f: &Function) -> Result<(), String> {
    let window = usize::from(f.nregs.max(u16::try_from(f.params.len()).unwrap_or(u16::MAX)));
    let len = f.code.len();
    match f.code.last() {
        None => return Err("no code".into()),
        Some(last) if !ends_flow(last) => return Err(format!("code ends with {last:?}, which falls through")),
        Some(_) => {}
    }
    for (pc, instr) in f.code.iter().enumerate() {
        let operands = Operands::of(instr);
        for &r in &operands.regs {
            if usize::from(r) >= window {
                return Err(format!("instruction {pc} ({instr:?}) uses register {r}, window is {window}"));
            }
        }
        if let Some((start, count)) = operands.range
            && usize::from(start) + usize::from(count) > window
        {
            return Err(format!("instruction {pc} ({instr:?}) reads registers past the window of {window}"));
        }
        if let Some(offset) = operands.jump {
            let target = pc as i64 + 1 + i64::from(offset);
            if target < 0 || target >= len as i64 {
                return Err(format!("instruction {pc} ({instr:?}) jumps to {target}, outside 0..{len}"));
            }
        }
    }
    Ok(())
}

/// Instructions after which execution never continues with the next one.
fn ends_flow(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Return(_) | Instr::Jump(_) | Instr::Halt(_) | Instr::Fail(_) | Instr::Exit(_) | Instr::DeferEnd
    )
}

/// The registers, the register range and the jump offset of one instruction.
#[derive(Default)]
struct Operands {
    regs: Vec<Reg>,
    range: Option<(Reg, u16)>,
    jump: Option<i32>,
}

impl Operands {
    fn of(instr: &Instr) -> Operands {
        use Instr as I;
        let regs = |regs: &[Reg]| Operands { regs: regs.to_vec(), ..Operands::default() };
        let jumping = |regs: &[Reg], off: i32| Operands { regs: regs.to_vec(), jump: Some(off), range: None };
        let ranged = |regs: &[Reg], start: Reg, count: u16| Operands {
            regs: regs.to_vec(),
            range: Some((start, count)),
            jump: None,
        };
        match *instr {
            I::LoadNull(d)
            | I::LoadBool(d, _)
            | I::LoadInt(d, _)
            | I::LoadConst(d, _)
            | I::LoadGlobal(d, _)
            | I::LoadFunc(d, _)
            | I::LoadBuiltin(d, _)
            | I::LoadSelfFunc(d)
            | I::LoadCapture(d, _)
            | I::LoadVariantFn(d, _, _) => regs(&[d]),
            I::StoreGlobal(_, s) => regs(&[s]),
            I::Move(d, s) | I::AddImm(d, s, _) | I::BinaryImm(_, d, s, _) | I::Unary(_, d, s) => regs(&[d, s]),
            I::Binary(_, d, a, b) | I::Compose(d, a, b) | I::MapInsert(d, a, b) => regs(&[d, a, b]),
            I::Jump(off) | I::JumpIfProvided(_, off) => jumping(&[], off),
            I::JumpIfFalse(r, off)
            | I::JumpIfTrue(r, off)
            | I::JumpIfNull(r, off)
            | I::JumpIfNotNull(r, off)
            | I::JumpIfNotEscape(r, off)
            | I::JumpIfNotImm(_, r, _, off) => jumping(&[r], off),
            I::JumpIfNotLess(a, b, off)
            | I::JumpIfNot(_, a, b, off)
            | I::ForLoop(a, b, off)
            | I::ForLoopInclusive(a, b, off) => jumping(&[a, b], off),
            // `argc == u16::MAX`: one list to spread in `args`.
            I::Call { dst, callee, args, argc } if argc == u16::MAX => regs(&[dst, callee, args]),
            I::Call { dst, callee, args, argc } => ranged(&[dst, callee], args, argc),
            I::CallDirect { dst, args, argc, .. }
            | I::CallBuiltin { dst, args, argc, .. }
            | I::CallMethod { dst, args, argc, .. }
            | I::Perform { dst, args, argc, .. }
            | I::Spawn { dst, args, argc } => ranged(&[dst], args, argc),
            I::Return(r)
            | I::Escape(r)
            | I::IterClose(r)
            | I::WidenElems { reg: r, .. }
            | I::Halt(r)
            | I::Emit(r)
            | I::Exit(r)
            | I::Yield(r) => regs(&[r]),
            I::MakeList { dst, start, count }
            | I::MakeTuple { dst, start, count }
            | I::MakeSet { dst, start, count }
            | I::MakeVariant { dst, start, count, .. }
            | I::MakeClosure { dst, start, count, .. }
            | I::ConcatStrings { dst, start, count } => ranged(&[dst], start, count),
            I::MakeMap { dst, start, count } => ranged(&[dst], start, count.saturating_mul(2)),
            // The field count is the record type's; the VM reads the fields with checked indexing.
            I::MakeRecord { dst, start, .. } => ranged(&[dst], start, 0),
            I::MakeRange { dst, start, end, step, .. } => regs(&[dst, start, end, step]),
            I::ListPush(a, b)
            | I::ListExtend(a, b)
            | I::SetAdd(a, b)
            | I::MapMerge(a, b)
            | I::Unwrap(a, b)
            | I::MakeBox(a, b)
            | I::Unbox(a, b)
            | I::BoxSet(a, b) => regs(&[a, b]),
            I::GetField { dst, obj, .. } => regs(&[dst, obj]),
            I::SetField { obj, src, .. } => regs(&[obj, src]),
            I::GetIndex { dst, obj, index } => regs(&[dst, obj, index]),
            I::SetIndex { obj, index, src } => regs(&[obj, index, src]),
            I::TupleGet { dst, obj, .. } => regs(&[dst, obj]),
            I::IterInit { dst, src } => regs(&[dst, src]),
            I::IterNext { dst, iter, exit } => jumping(&[dst, iter], exit),
            I::IsKind { dst, src, .. }
            | I::IsVariant { dst, src, .. }
            | I::GetPayload { dst, src, .. }
            | I::TestLen { dst, src, .. }
            | I::SliceList { dst, src, .. }
            | I::Convert { dst, src, .. }
            | I::Cast { dst, src, .. }
            | I::Format { dst, src, .. }
            | I::ExpectSchema { dst, src, .. }
            | I::Resume { dst, src }
            | I::Await { dst, src }
            | I::AwaitFirst { dst, src, .. } => regs(&[dst, src]),
            I::CallTool { dst, args, .. } => regs(&[dst, args]),
            I::Handle { dst, body, clauses, count } => ranged(&[dst, body], clauses, count.saturating_mul(4)),
            I::MakeInstance { dst, init, .. } => regs(&[dst, init]),
            I::Fail(_) | I::DeferPush(_) | I::DeferRun | I::DeferEnd => Operands::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(nregs: u16, code: Vec<Instr>) -> Function {
        Function { name: "f".into(), nregs, lines: vec![0; code.len()], code, ..Function::default() }
    }

    #[test]
    fn accepts_registers_and_jumps_inside_the_function() {
        let f = function(
            3,
            vec![Instr::LoadInt(0, 1), Instr::JumpIfNotImm(crate::bytecode::BinOp::Lt, 0, 5, 0), Instr::Return(2)],
        );
        assert_eq!(verify(&f), Ok(()));
    }

    #[test]
    fn rejects_a_register_outside_the_window() {
        let err = verify(&function(2, vec![Instr::Move(0, 2), Instr::Return(0)])).unwrap_err();
        assert!(err.contains("uses register 2, window is 2"), "{err}");
    }

    #[test]
    fn rejects_a_range_past_the_window() {
        let code = vec![Instr::MakeList { dst: 0, start: 1, count: 3 }, Instr::Return(0)];
        let err = verify(&function(3, code)).unwrap_err();
        assert!(err.contains("past the window"), "{err}");
    }

    #[test]
    fn rejects_jumps_outside_the_code_and_fall_through() {
        let err = verify(&function(1, vec![Instr::Jump(5), Instr::Return(0)])).unwrap_err();
        assert!(err.contains("jumps to 6"), "{err}");
        let err = verify(&function(1, vec![Instr::Jump(-2), Instr::Return(0)])).unwrap_err();
        assert!(err.contains("jumps to -1"), "{err}");
        let err = verify(&function(1, vec![Instr::LoadNull(0)])).unwrap_err();
        assert!(err.contains("falls through"), "{err}");
    }
}
