//! Suspending and resuming parts of the frame stack: effect handlers (`perform`, `handle`,
//! `resume`, LANGUAGE.md 5.9) and generators (`yield`, 5.12); tasks are in `scheduler.rs`.
//!
//! A continuation is a slice of frames moved off the stack together with their register
//! windows; resuming moves it back on top, rebasing register indexes.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Frame, Step, Vm};
use crate::value::{HandleObj, Opaque, Value};

/// An installed handler: its clauses and the frame running the handled body.
pub(super) struct HandlerRec {
    pub base_frame: usize,
    pub clauses: Rc<Vec<Clause>>,
}

pub(super) struct Clause {
    pub effect: Rc<str>,
    pub op: Rc<str>,
    pub func: Value,
    /// A named `handler`'s operation: its return value resumes directly.
    pub tail: bool,
}

/// Frames between a `perform` and its handler, suspended.
pub(super) struct Continuation {
    frames: Vec<Frame>,
    regs: Vec<Value>,
    old_base: usize,
    /// Absolute (old) register receiving the value passed to `resume`.
    value_slot: usize,
    /// Handlers installed by the suspended frames (the handling one first), with base frames
    /// relative to the first suspended frame.
    handlers: Vec<(usize, Rc<Vec<Clause>>)>,
}

impl Continuation {
    /// Whether discarding it must run `defer` blocks.
    pub(super) fn has_defers(&self) -> bool {
        self.frames.iter().any(|f| f.extra.as_ref().is_some_and(|e| !e.defers.is_empty()))
    }
}

/// The interpreter's view of a generator handle.
pub(super) enum GenState {
    Suspended { frame: Frame, regs: Vec<Value> },
    Running,
    Done,
}

/// Where a resumed generator delivers its next element.
pub(super) struct GenLink {
    pub handle: Rc<RefCell<HandleObj>>,
    /// Absolute register for the element.
    pub dst: usize,
    /// For `for` loops: the consumer's pc when the generator is exhausted. For `next()`:
    /// `None`, and exhaustion delivers `null`.
    pub exit_pc: Option<usize>,
}

fn rebase(x: usize, old: usize, new: usize) -> usize {
    if x == usize::MAX || x < old { x } else { x - old + new }
}

impl<'h> Vm<'h> {
    /// `handle`: installs the clauses and calls the body closure (its frame is the handler's
    /// base frame).
    pub(super) fn install_handler(&mut self, body: Value, clauses: Vec<Clause>, ret: usize) -> Step<()> {
        let base_frame = self.frames.len();
        self.call_value(body, self.regs.len(), 0, ret)?;
        if self.frames.len() == base_frame + 1 {
            self.handlers.push(HandlerRec { base_frame, clauses: Rc::new(clauses) });
        }
        Ok(())
    }

    /// Removes handlers whose body frame was just popped.
    pub(super) fn drop_handlers_above(&mut self, frames_left: usize) {
        while self.handlers.last().is_some_and(|h| h.base_frame >= frames_left) {
            self.handlers.pop();
        }
    }

    /// `perform effect.op(args)` from the top frame; `dst` is absolute.
    pub(super) fn perform(&mut self, effect: &str, op: &str, args_at: usize, argc: usize, dst: usize) -> Step<()> {
        let found = self.handlers.iter().rposition(|h| h.clauses.iter().any(|c| &*c.effect == effect && &*c.op == op));
        let Some(idx) = found else {
            return Err(format!("unhandled effect {effect}.{op}: no handler is installed for it"));
        };
        let clauses = self.handlers[idx].clauses.clone();
        let clause = clauses.iter().find(|c| &*c.effect == effect && &*c.op == op).expect("clause");
        if self.host.tracing() {
            let handled_by = match &clause.func {
                Value::Func(f) => match &**f {
                    crate::value::FuncObj::Closure { proto, .. } => self.funcs[*proto as usize].name.to_string(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            let mut fields = serde_json::Map::new();
            fields.insert("effect".into(), effect.into());
            fields.insert("operation".into(), op.into());
            fields.insert("handled_by".into(), handled_by.into());
            self.host.trace_event("effect", fields);
        }
        if clause.tail {
            return self.call_value(clause.func.clone(), args_at, argc, dst);
        }
        let args: Vec<Value> = (0..argc).map(|i| std::mem::take(&mut self.regs[args_at + i])).collect();
        let b = self.handlers[idx].base_frame;
        let captured_handlers: Vec<(usize, Rc<Vec<Clause>>)> =
            self.handlers.drain(idx..).map(|h| (h.base_frame - b, h.clauses)).collect();
        let old_base = self.frames[b].base;
        let regs = self.regs.split_off(old_base);
        let frames = self.frames.split_off(b);
        let clause_ret = frames[0].ret;
        let k = Continuation { frames, regs, old_base, value_slot: dst, handlers: captured_handlers };
        let at = self.regs.len();
        let n = args.len();
        self.regs.extend(args);
        let depth = self.frames.len();
        self.call_value(clause.func.clone(), at, n, clause_ret)?;
        if self.frames.len() > depth {
            self.frames.last_mut().expect("frame").ext().continuation = Some(Box::new(k));
        }
        Ok(())
    }

    /// `resume(v)` in the top frame (a handler clause); the handled body's final value will
    /// arrive in `dst` (absolute).
    pub(super) fn resume(&mut self, v: Value, dst: usize) -> Step<()> {
        let top = self.frames.len() - 1;
        let Some(k) = self.frames[top].extra.as_mut().and_then(|e| e.continuation.take()) else {
            return Err("continuation already resumed (or `resume` outside a handler clause)".into());
        };
        self.push_continuation(*k, dst, Some(v));
        Ok(())
    }

    /// Moves a continuation's frames back on top of the stack; its first frame returns into
    /// `dst`, and `value` (if any) becomes the result of the suspended `perform`.
    pub(super) fn push_continuation(&mut self, k: Continuation, dst: usize, value: Option<Value>) {
        let Continuation { mut frames, regs, old_base, value_slot, handlers } = k;
        let new_base = self.regs.len();
        for f in &mut frames {
            f.base = rebase(f.base, old_base, new_base);
            f.ret = rebase(f.ret, old_base, new_base);
        }
        frames[0].ret = dst;
        self.regs.extend(regs);
        let slot = rebase(value_slot, old_base, new_base);
        if let Some(v) = value
            && slot < self.regs.len()
        {
            self.regs[slot] = v;
        }
        let first = self.frames.len();
        self.frames.extend(frames);
        self.handlers
            .extend(handlers.into_iter().map(|(rel, clauses)| super::HandlerRec { base_frame: first + rel, clauses }));
    }

    /// `for` left a loop early: a suspended generator it was reading is closed, running its
    /// pending `defer` blocks (LANGUAGE.md 5.12). Other iterators need nothing.
    pub(super) fn close_iterator(&mut self, it: &Value) {
        let Value::Handle(handle) = it else { return };
        let state = {
            let mut h = handle.borrow_mut();
            let HandleObj::Generator(Opaque(any)) = &mut *h else { return };
            let Some(state) = any.downcast_mut::<GenState>() else { return };
            if !matches!(state, GenState::Suspended { .. }) {
                return;
            }
            std::mem::replace(state, GenState::Done)
        };
        let GenState::Suspended { mut frame, regs } = state else { return };
        if frame.extra.as_ref().is_none_or(|e| e.defers.is_empty()) {
            return;
        }
        let stop = self.frames.len();
        frame.base = self.regs.len();
        frame.ret = usize::MAX;
        self.regs.extend(regs);
        self.frames.push(frame);
        self.abort_frames(stop, Value::Null, usize::MAX);
    }

    /// Runs the generator until its next `yield` (or its end).
    pub(super) fn resume_generator(
        &mut self,
        handle: Rc<RefCell<HandleObj>>,
        dst: usize,
        exit_pc: Option<usize>,
    ) -> Step<()> {
        let state = {
            let mut h = handle.borrow_mut();
            let HandleObj::Generator(Opaque(any)) = &mut *h else { return Err("not a generator".into()) };
            let Some(state) = any.downcast_mut::<GenState>() else { return Err("not a generator".into()) };
            std::mem::replace(state, GenState::Running)
        };
        let link = GenLink { handle: handle.clone(), dst, exit_pc };
        match state {
            GenState::Running => {
                set_gen_state(&handle, GenState::Running);
                Err("generator is already running".into())
            }
            GenState::Done => {
                set_gen_state(&handle, GenState::Done);
                self.generator_exhausted(link);
                Ok(())
            }
            GenState::Suspended { mut frame, regs } => {
                frame.base = self.regs.len();
                frame.ext().generator = Some(Box::new(link));
                self.regs.extend(regs);
                self.frames.push(frame);
                Ok(())
            }
        }
    }

    /// The consumer sees the end of the sequence.
    fn generator_exhausted(&mut self, link: GenLink) {
        match link.exit_pc {
            Some(pc) => {
                if let Some(consumer) = self.frames.last_mut() {
                    consumer.pc = pc;
                }
            }
            None => {
                if link.dst < self.regs.len() {
                    self.regs[link.dst] = Value::Null;
                }
            }
        }
    }

    /// `yield v`: suspends the top (generator) frame and hands `v` to its consumer.
    pub(super) fn yield_value(&mut self, v: Value) -> Step<()> {
        let mut frame = self.frames.pop().expect("frame");
        let Some(link) = frame.extra.as_mut().and_then(|e| e.generator.take()) else {
            return Err("`yield` outside a running generator".into());
        };
        let regs = self.regs.split_off(frame.base);
        frame.base = 0;
        set_gen_state(&link.handle, GenState::Suspended { frame, regs });
        if link.dst < self.regs.len() {
            self.regs[link.dst] = v;
        }
        Ok(())
    }

    /// A generator frame returned: the sequence ends.
    pub(super) fn generator_returned(&mut self, link: GenLink) {
        set_gen_state(&link.handle, GenState::Done);
        self.generator_exhausted(link);
    }
}

/// A generator value whose frame has not started (or is between elements).
pub(super) fn suspended_generator(frame: Frame, regs: Vec<Value>) -> Value {
    let state = GenState::Suspended { frame, regs };
    Value::Handle(Rc::new(RefCell::new(HandleObj::Generator(Opaque(Box::new(state))))))
}

fn set_gen_state(handle: &Rc<RefCell<HandleObj>>, state: GenState) {
    if let HandleObj::Generator(Opaque(any)) = &mut *handle.borrow_mut()
        && let Some(slot) = any.downcast_mut::<GenState>()
    {
        *slot = state;
    }
}
