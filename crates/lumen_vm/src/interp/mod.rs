//! The interpreter: explicit frames over one register stack, never recursing on the Rust stack
//! for Lumen calls (ARCHITECTURE.md "The interpreter never recurses").

mod control;
mod iter;
mod ops;
mod scheduler;
mod schema;
mod slots;
mod tools;

pub(crate) use scheduler::future_is_done;

use control::{Clause, HandlerRec};
use slots::{
    assign_clone, clone_fast, is_scalar, move_value, push_clone, store_fast, take_regs, take_value, truncate_regs,
};

use std::collections::HashMap;
use std::rc::Rc;

use lumen_compile::bytecode::{BinOp, Const, Instr, Kind};
use lumen_compile::program::{Program, TypeInfo};

use crate::builtins;
use crate::builtins::encoding::to_json_value;
use crate::display::display;
use crate::host::Host;
use crate::value::{EnumObj, EnumType, FuncObj, IterState, RangeObj, RecordObj, RecordType, Value, result_type};

/// Deepest call nesting before a clean `stack overflow` error.
const MAX_FRAMES: usize = 1_200_000;

/// A runtime error with the Lumen call stack (innermost first).
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeError {
    pub message: String,
    pub trace: Vec<TraceLine>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceLine {
    pub cell: String,
    pub file: String,
    pub line: u32,
}

impl RuntimeError {
    /// `error: message` and `  at cell (file:line)` lines (LANGUAGE.md 5.16).
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        for t in &self.trace {
            out.push_str(&format!("  at {} ({}:{})\n", t.cell, t.file, t.line));
        }
        out
    }
}

struct FuncRt {
    name: Rc<str>,
    file: u32,
    nparams: usize,
    required: usize,
    variadic: Option<usize>,
    nregs: usize,
    is_lambda: bool,
    is_generator: bool,
    is_async: bool,
    /// Not variadic, async or a generator: calls with every argument take the fast path.
    simple: bool,
    /// Parameter names (tool-interception clauses bind a call's named arguments by name).
    params: Rc<[Rc<str>]>,
    code: Rc<[Instr]>,
    consts: Rc<[Value]>,
    lines: Rc<[u32]>,
    /// Inline caches, one per instruction: for field access `(record type + 1) << 32 | slot`,
    /// for method calls `(type + 1) << 32 | function`; 0 when empty.
    caches: Box<[std::cell::Cell<u64>]>,
}

enum TypeRt {
    Record(Rc<RecordType>),
    Enum(Rc<EnumType>),
    Process { kind: Rc<str>, name: Rc<str> },
}

struct Frame {
    /// The function index, widened once at push (see [`write_frame`]).
    func: usize,
    pc: usize,
    base: usize,
    /// Absolute register receiving the return value (`usize::MAX`: discard).
    ret: usize,
    argc: usize,
    closure: Option<Rc<FuncObj>>,
    /// Rarely used state, allocated on first use so that plain calls stay cheap.
    extra: Option<Box<FrameExtra>>,
}

#[derive(Default)]
struct FrameExtra {
    /// Start pcs of the registered `defer` blocks, in registration order.
    defers: Vec<u32>,
    /// What to do when the running `defer` block ends (innermost last).
    after_defer: Vec<AfterDefer>,
    /// In a handler clause: the suspended handled computation, until resumed.
    continuation: Option<Box<control::Continuation>>,
    /// In a running generator: where its elements go.
    generator: Option<Box<control::GenLink>>,
    /// The first frame of a task: its future receives the return value.
    task: Option<Rc<std::cell::RefCell<crate::value::HandleObj>>>,
}

impl Frame {
    fn ext(&mut self) -> &mut FrameExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    fn pop_defer(&mut self) -> Option<u32> {
        self.extra.as_mut()?.defers.pop()
    }
}

enum AfterDefer {
    /// Continue at this pc.
    Resume(usize),
    /// Finish returning this value (after the remaining defers).
    Return(Value),
    /// Continue unwinding the pending fault.
    Unwind,
}

/// Why execution stopped early.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    Error(RuntimeError),
    /// `exit(code)`
    Exit(i32),
    /// Internal: a discarded continuation or closed generator unwinding its `defer` blocks down
    /// to the frame recorded in `Vm::aborts`; it never leaves the interpreter.
    Abort,
}

/// Where an [`Fault::Abort`] unwinding stops, and what is delivered there.
struct AbortStop {
    /// Frame count at which the unwinding is complete.
    stop: usize,
    value: Value,
    /// Absolute register receiving `value` (`usize::MAX`: discard).
    ret: usize,
}

pub struct Vm<'h> {
    funcs: Rc<[FuncRt]>,
    types: Vec<TypeRt>,
    /// Methods by name, then by receiver kind (looked up by `&str`, without allocating).
    methods: HashMap<Rc<str>, Vec<(Kind, u32)>>,
    /// Methods found at `(function << 32 | pc, receiver type)` call sites, for sites whose
    /// one-entry inline cache keeps switching between types.
    method_sites: HashMap<(u64, u32), u32, foldhash::fast::FixedState>,
    cells: HashMap<Rc<str>, u32>,
    files: Vec<String>,
    globals: Vec<Value>,
    regs: Vec<Value>,
    frames: Vec<Frame>,
    host: &'h mut dyn Host,
    init: Vec<u32>,
    entry: Option<u32>,
    /// The fault being unwound while `defer` blocks run.
    unwinding: Option<Fault>,
    /// Installed effect handlers, innermost last.
    handlers: Vec<HandlerRec>,
    /// Pending abort unwindings, innermost last.
    aborts: Vec<AbortStop>,
    /// Tasks other than the running one.
    sched: scheduler::Scheduler,
    /// Whether the scheduler drives execution (tasks may park).
    sched_active: bool,
    /// The `sleep` builtin, which parks the running task when others exist.
    sleep_id: Option<u32>,
    /// Tool aliases with their grants, and tool call sites.
    tools: Rc<[tools::ToolRt]>,
    tool_sites: Rc<[lumen_compile::program::ToolSite]>,
    /// `expect schema` targets and the record/enum shapes they name.
    schemas: Vec<lumen_compile::program::Schema>,
    type_schemas: HashMap<u32, lumen_compile::program::TypeSchema>,
    /// Payload arity of each variant, by enum type.
    arities: Vec<Vec<u32>>,
}

type Step<T> = Result<T, String>;

impl<'h> Vm<'h> {
    pub fn new(program: &Program, host: &'h mut dyn Host) -> Vm<'h> {
        let types: Vec<TypeRt> = program
            .types
            .iter()
            .enumerate()
            .map(|(id, t)| match t {
                TypeInfo::Record { name, fields, validator } => TypeRt::Record(Rc::new(RecordType {
                    id: id as u32,
                    name: Rc::from(name.as_str()),
                    fields: fields.iter().map(|f| Rc::from(f.as_str())).collect(),
                    validator: *validator,
                })),
                TypeInfo::Enum { .. } if id == 0 => TypeRt::Enum(result_type()),
                TypeInfo::Process { name, kind } => {
                    TypeRt::Process { kind: Rc::from(kind.as_str()), name: Rc::from(name.as_str()) }
                }
                TypeInfo::Enum { name, variants, .. } => TypeRt::Enum(Rc::new(EnumType {
                    id: id as u32,
                    name: Rc::from(name.as_str()),
                    variants: variants.iter().map(|v| Rc::from(v.as_str())).collect(),
                })),
            })
            .collect();
        let funcs = program
            .functions
            .iter()
            .map(|f| match lumen_compile::verify::verify(f) {
                Ok(()) => std::borrow::Cow::Borrowed(f),
                Err(problem) => std::borrow::Cow::Owned(invalid_function(f, &problem)),
            })
            .map(|f| FuncRt {
                name: Rc::from(f.name.as_str()),
                file: f.file,
                nparams: f.params.len(),
                required: f.required as usize,
                variadic: f.variadic.map(usize::from),
                nregs: f.nregs as usize,
                is_lambda: f.is_lambda,
                is_generator: f.is_generator,
                is_async: f.is_async,
                simple: f.variadic.is_none() && !f.is_async && !f.is_generator,
                params: f.params.iter().map(|p| Rc::from(p.as_str())).collect(),
                code: Rc::from(f.code.as_slice()),
                consts: f
                    .consts
                    .iter()
                    .map(|c| match c {
                        Const::Int(i) => Value::Int(*i),
                        Const::Float(x) => Value::Float(*x),
                        Const::Str(s) => Value::str(s),
                        Const::Bytes(b) => Value::bytes(b.clone()),
                    })
                    .collect(),
                lines: Rc::from(f.lines.as_slice()),
                caches: (0..f.code.len()).map(|_| std::cell::Cell::new(0)).collect(),
            })
            .collect::<Vec<_>>()
            .into();
        let mut methods: HashMap<Rc<str>, Vec<(Kind, u32)>> = HashMap::new();
        for (k, name, f) in &program.methods {
            let entry = methods.entry(Rc::from(name.as_str())).or_default();
            // A later declaration of the same (kind, name) pair replaces an earlier one.
            match entry.iter_mut().find(|(kind, _)| kind == k) {
                Some(slot) => slot.1 = *f,
                None => entry.push((*k, *f)),
            }
        }
        let cells = program.cells.iter().map(|(name, f)| (Rc::from(name.as_str()), *f)).collect();
        Vm {
            funcs,
            types,
            methods,
            method_sites: HashMap::default(),
            cells,
            files: program.files.clone(),
            globals: vec![Value::Null; program.nglobals as usize],
            regs: Vec::with_capacity(1024),
            frames: Vec::with_capacity(64),
            host,
            init: program.init.clone(),
            unwinding: None,
            aborts: Vec::new(),
            sched: scheduler::Scheduler::default(),
            sched_active: false,
            sleep_id: builtins::lookup("sleep"),
            tools: program.tools.iter().map(tools::ToolRt::new).collect(),
            tool_sites: Rc::from(program.tool_sites.as_slice()),
            schemas: program.schemas.clone(),
            type_schemas: program.type_schemas.clone(),
            handlers: Vec::new(),
            entry: program.entry,
            arities: program
                .types
                .iter()
                .map(|t| match t {
                    TypeInfo::Enum { arities, .. } => arities.clone(),
                    TypeInfo::Record { .. } | TypeInfo::Process { .. } => Vec::new(),
                })
                .collect(),
        }
    }

    /// Runs module initialization and the entry cell; returns the entry cell's value.
    pub fn run_main(&mut self) -> Result<Value, Fault> {
        for init in self.init.clone() {
            self.call_top(init, Vec::new())?;
        }
        let Some(entry) = self.entry else { return Ok(Value::Null) };
        let slot = self.regs.len();
        self.regs.push(Value::Null);
        if let Err(message) = self.push_frame(entry, slot + 1, 0, slot, None, true) {
            return Err(Fault::Error(self.error_at(message, 0)));
        }
        let cell = self.funcs[entry as usize].name.to_string();
        if self.host.tracing() {
            self.trace("cell_start", [("cell", serde_json::Value::String(cell.clone()))]);
        }
        self.sched_active = true;
        let result = self.run_tasks(slot);
        self.sched_active = false;
        if self.host.tracing() {
            let status = if result.is_ok() { "ok" } else { "error" };
            self.trace("cell_end", [("cell", cell.into()), ("status", status.into())]);
        }
        self.host.flush();
        result
    }

    /// Calls function `func` with `args` from outside the interpreter loop.
    pub fn call_top(&mut self, func: u32, args: Vec<Value>) -> Result<Value, Fault> {
        let slot = self.regs.len();
        self.regs.push(Value::Null);
        let argc = args.len();
        let args_at = self.regs.len();
        self.regs.extend(args);
        let depth = self.frames.len();
        if let Err(message) = self.push_frame(func, args_at, argc, slot, None, true) {
            return Err(Fault::Error(self.error_at(message, depth)));
        }
        match self.execute(depth) {
            Ok(()) => {
                let v = std::mem::take(&mut self.regs[slot]);
                self.regs.truncate(slot);
                Ok(v)
            }
            Err(fault) => {
                self.frames.truncate(depth);
                self.regs.truncate(slot);
                Err(fault)
            }
        }
    }

    fn error_at(&self, message: String, depth: usize) -> RuntimeError {
        let mut trace = Vec::new();
        for frame in self.frames[depth..].iter().rev() {
            let f = &self.funcs[frame.func];
            let line = f.lines.get(frame.pc.saturating_sub(1)).copied().unwrap_or(0);
            let cell = if f.is_lambda { "<lambda>".to_string() } else { f.name.to_string() };
            trace.push(TraceLine { cell, file: self.files.get(f.file as usize).cloned().unwrap_or_default(), line });
            if trace.len() >= 50 {
                break;
            }
        }
        RuntimeError { message, trace }
    }

    /// Pushes a frame for `func`; arguments are moved out of `args_at..args_at + argc`.
    /// The common case (every argument given, nothing to pack) is inlined into the callers.
    #[inline(always)]
    fn push_frame(
        &mut self,
        func: u32,
        args_at: usize,
        argc: usize,
        ret: usize,
        closure: Option<Rc<FuncObj>>,
        pack_variadic: bool,
    ) -> Step<()> {
        let f = &self.funcs[func as usize];
        let base = self.regs.len();
        if f.simple && argc == f.nparams && args_at + argc <= base && self.frames.len() < MAX_FRAMES {
            let window = f.nregs.max(f.nparams);
            self.regs.reserve(window);
            // SAFETY: the capacity holds `base + window` values; the arguments lie below `base`
            // (checked above), so each is read once and replaced by a `Null` before the new
            // slots, all written, become part of the vector.
            unsafe {
                let regs = self.regs.as_mut_ptr();
                for i in 0..argc {
                    let arg = regs.add(args_at + i);
                    move_value(arg, regs.add(base + i));
                }
                for i in argc..window {
                    regs.add(base + i).write(Value::Null);
                }
                self.regs.set_len(base + window);
            }
            write_frame(&mut self.frames, Frame { func: func as usize, pc: 0, base, ret, argc, closure, extra: None });
            return Ok(());
        }
        self.push_frame_general(func, args_at, argc, ret, closure, pack_variadic)
    }

    #[inline(never)]
    fn push_frame_general(
        &mut self,
        func: u32,
        args_at: usize,
        argc: usize,
        ret: usize,
        closure: Option<Rc<FuncObj>>,
        pack_variadic: bool,
    ) -> Step<()> {
        if self.frames.len() >= MAX_FRAMES {
            return Err("stack overflow: too many nested calls".into());
        }
        let f = &self.funcs[func as usize];
        let base = self.regs.len();
        let nregs = f.nregs.max(f.nparams);
        match f.variadic {
            Some(v) if pack_variadic => {
                if argc < v {
                    return Err(format!("{} expects at least {v} arguments, got {argc}", f.name));
                }
            }
            _ => {
                if argc > f.nparams || argc < f.required {
                    return Err(format!("{} expects {} arguments, got {argc}", f.name, f.nparams));
                }
            }
        }
        let variadic = f.variadic;
        // Arguments already on top of the stack become the new window in place.
        let window_end = self.frames.last().map_or(0, |fr| {
            let f = &self.funcs[fr.func];
            fr.base + f.nregs.max(f.nparams)
        });
        let in_place = args_at >= window_end && args_at + argc == self.regs.len();
        let base = if in_place { args_at } else { base };
        match variadic {
            Some(v) if pack_variadic => {
                if in_place {
                    let rest = self.regs.split_off(base + v);
                    self.regs.push(Value::list(rest));
                    self.regs.resize(base + nregs, Value::Null);
                } else {
                    self.regs.resize(base + nregs, Value::Null);
                    for i in 0..v {
                        self.regs[base + i] = std::mem::take(&mut self.regs[args_at + i]);
                    }
                    let rest: Vec<Value> = (v..argc).map(|i| std::mem::take(&mut self.regs[args_at + i])).collect();
                    self.regs[base + v] = Value::list(rest);
                }
            }
            _ => {
                self.regs.resize(base + nregs, Value::Null);
                if !in_place {
                    for i in 0..argc {
                        self.regs[base + i] = std::mem::take(&mut self.regs[args_at + i]);
                    }
                }
            }
        }
        self.frames.push(Frame { func: func as usize, pc: 0, base, ret, argc, closure, extra: None });
        if self.funcs[func as usize].is_async {
            // Calling an async cell starts a task and makes its future.
            let frame = self.frames.pop().expect("frame");
            let regs = self.regs.split_off(frame.base);
            let f = self.spawn_task(frame, regs);
            self.store(ret, f);
        } else if self.funcs[func as usize].is_generator {
            // A generator starts suspended at its first instruction.
            let mut frame = self.frames.pop().expect("frame");
            let regs = self.regs.split_off(frame.base);
            frame.base = 0;
            frame.ret = usize::MAX;
            let g = control::suspended_generator(frame, regs);
            self.store(ret, g);
        }
        Ok(())
    }

    /// Calls a function value with arguments at `args_at..`; builtins and constructors complete
    /// immediately, Lumen functions push a frame.
    fn call_value(&mut self, callee: Value, args_at: usize, argc: usize, ret: usize) -> Step<()> {
        let Value::Func(f) = callee else {
            return Err(format!("cannot call a value of type {}", callee.type_name()));
        };
        match &*f {
            FuncObj::Closure { proto, .. } => {
                let proto = *proto;
                self.push_frame(proto, args_at, argc, ret, Some(f), true)
            }
            FuncObj::Builtin { id, .. } => {
                let v = self.call_builtin(*id, args_at, argc)?;
                self.store(ret, v);
                Ok(())
            }
            FuncObj::Variant { ty, variant, arity } => {
                if argc != *arity as usize {
                    return Err(format!("variant expects {arity} values, got {argc}"));
                }
                let payload = (0..argc).map(|i| std::mem::take(&mut self.regs[args_at + i])).collect();
                self.store(ret, Value::Enum(Rc::new(EnumObj { ty: ty.clone(), variant: *variant, payload })));
                Ok(())
            }
            FuncObj::Compose(..) => Err("composed functions are called through the prelude".into()),
        }
    }

    fn call_builtin(&mut self, id: u32, args_at: usize, argc: usize) -> Step<Value> {
        let mut ctx = builtins::Ctx { host: &mut *self.host };
        builtins::call(id, &mut ctx, &self.regs[args_at..args_at + argc]).map_err(|e| e.0)
    }

    fn store(&mut self, slot: usize, v: Value) {
        if slot != usize::MAX {
            self.regs[slot] = v;
        }
    }

    /// Replaces a spread argument list (at `args_at`) by its elements at the top of the stack.
    fn unpack_spread(&mut self, args_at: usize) -> Step<(usize, usize)> {
        let list = std::mem::take(&mut self.regs[args_at]);
        let items: Vec<Value> = match list {
            Value::List(items) | Value::Tuple(items) => Rc::unwrap_or_clone(items),
            other => return Err(format!("cannot spread {}", other.type_name())),
        };
        let at = self.regs.len();
        let n = items.len();
        self.regs.extend(items);
        Ok((at, n))
    }

    fn method_kind(v: &Value) -> Kind {
        match v {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::Float(_) => Kind::Float,
            Value::Str(_) => Kind::String,
            Value::Bytes(_) => Kind::Bytes,
            Value::List(_) => Kind::List,
            Value::Tuple(_) => Kind::Tuple,
            Value::Map(_) => Kind::Map,
            Value::Set(_) => Kind::Set,
            Value::Record(r) => Kind::Named(r.ty.id),
            Value::Enum(e) if e.ty.id == 0 => Kind::Result,
            Value::Enum(e) => Kind::Named(e.ty.id),
            Value::Range(_) => Kind::Range,
            Value::Func(_) => Kind::Function,
            Value::Handle(h) => match &*h.borrow() {
                crate::value::HandleObj::Instance { id, .. } => Kind::Named(*id),
                _ => Kind::Any,
            },
        }
    }

    /// The method `name` of receivers of `kind`.
    #[inline]
    fn method_of(&self, kind: Kind, name: &str) -> Option<u32> {
        self.methods.get(name)?.iter().find(|(k, _)| *k == kind).map(|(_, f)| *f)
    }

    /// `receiver.name(args)` (LANGUAGE.md 3.5.4).
    fn call_method(&mut self, name: &Value, args_at: usize, argc: usize, ret: usize) -> Step<()> {
        let Value::Str(name) = name else { return Err("bad method name".into()) };
        let receiver = &self.regs[args_at];
        if let Value::Handle(h) = receiver
            && name.as_str() == "next"
            && matches!(&*h.borrow(), crate::value::HandleObj::Generator(_))
        {
            let h = h.clone();
            return self.resume_generator(h, ret, None);
        }
        // 1. A record field holding a function.
        if let Value::Record(r) = receiver
            && let Some(i) = r.ty.fields.iter().position(|f| **f == **name)
        {
            let f = r.fields[i].clone();
            return self.call_value(f, args_at + 1, argc - 1, ret);
        }
        // 2. A method of the receiver's type.
        let kind = Self::method_kind(receiver);
        if let Some(f) = self.method_of(kind, name) {
            return self.push_frame(f, args_at, argc, ret, None, true);
        }
        // 3. Uniform call syntax: a cell or builtin taking the receiver first.
        if let Some(&f) = self.cells.get(name.as_str()) {
            return self.push_frame(f, args_at, argc, ret, None, true);
        }
        if let Some(id) = builtins::lookup(name) {
            let v = self.call_builtin(id, args_at, argc)?;
            self.store(ret, v);
            return Ok(());
        }
        Err(format!("no method `{name}` on {}", self.regs[args_at].type_name()))
    }

    fn record_type(&self, ty: u32) -> Step<Rc<RecordType>> {
        match self.types.get(ty as usize) {
            Some(TypeRt::Record(r)) => Ok(r.clone()),
            _ => Err("bad record type".into()),
        }
    }

    fn enum_type(&self, ty: u32) -> Step<Rc<EnumType>> {
        match self.types.get(ty as usize) {
            Some(TypeRt::Enum(e)) => Ok(e.clone()),
            _ => Err("bad enum type".into()),
        }
    }

    /// Starts unwinding after a fault: the nearest frame (above `depth`) with registered
    /// `defer` blocks runs them; frames without are popped. `Err` when nothing is left to run.
    fn unwind(&mut self, fault: Fault, depth: usize) -> Result<(), Fault> {
        let fault = match self.unwinding.take() {
            // An error in a `defer` run by an abort takes over from the abort.
            Some(Fault::Abort) if fault != Fault::Abort => {
                self.aborts.pop();
                fault
            }
            // A fault raised while unwinding: the first one propagates.
            Some(first) => first,
            None => fault,
        };
        loop {
            if fault == Fault::Abort
                && let Some(abort) = self.aborts.last()
                && abort.stop >= self.frames.len()
            {
                let abort = self.aborts.pop().expect("abort");
                self.store(abort.ret, abort.value);
                return Ok(());
            }
            if self.frames.len() <= depth {
                break;
            }
            let frame = self.frames.last_mut().expect("frame");
            if let Some(extra) = frame.extra.as_mut() {
                extra.after_defer.clear();
            }
            if let Some(pc) = frame.pop_defer() {
                frame.ext().after_defer.push(AfterDefer::Unwind);
                frame.pc = pc as usize;
                self.unwinding = Some(fault);
                return Ok(());
            }
            let frame = self.frames.pop().expect("frame");
            self.regs.truncate(frame.base);
            self.drop_handlers_above(self.frames.len());
        }
        if fault == Fault::Abort {
            return Err(Fault::Error(RuntimeError {
                message: "internal error: an aborted computation unwound past its handler".into(),
                trace: Vec::new(),
            }));
        }
        Err(fault)
    }

    /// Pushes `frames` (suspended, with no pending return) and unwinds them, running their
    /// `defer` blocks; then `value` goes to `ret` and execution continues below them.
    fn abort_frames(&mut self, stop: usize, value: Value, ret: usize) {
        self.aborts.push(AbortStop { stop, value, ret });
        // Cannot fail: the abort stop is reached before the stack runs out.
        let _ = self.unwind(Fault::Abort, 0);
    }

    /// Returns `v` from frame `fi`: the pc of its next pending `defer` block when one must run
    /// first (the return resumes when it ends), otherwise the return completes.
    fn return_through_defers(&mut self, fi: usize, v: Value) -> Option<usize> {
        if let Some(defer_pc) = self.frames[fi].pop_defer() {
            self.frames[fi].ext().after_defer.push(AfterDefer::Return(v));
            return Some(defer_pc as usize);
        }
        self.finish_return(v);
        None
    }

    /// Completes a return from the top frame (its defers have run).
    fn finish_return(&mut self, v: Value) {
        let mut frame = self.frames.pop().expect("frame");
        truncate_regs(&mut self.regs, frame.base);
        self.drop_handlers_above(self.frames.len());
        if let Some(extra) = frame.extra.as_mut() {
            if let Some(k) = extra.continuation.take()
                && k.has_defers()
            {
                // A handler clause returned without resuming: the handled computation is
                // discarded, its `defer` blocks run, then the clause's value is the result.
                let stop = self.frames.len();
                self.push_continuation(*k, usize::MAX, None);
                self.abort_frames(stop, v, frame.ret);
                return;
            }
            if let Some(link) = extra.generator.take() {
                self.generator_returned(*link);
                return;
            }
            if let Some(task) = extra.task.take() {
                self.task_finished(&task, v);
                return;
            }
        }
        if frame.ret != usize::MAX {
            self.regs[frame.ret] = v;
        }
    }

    /// Runs until the frame stack is back at `depth`.
    fn execute(&mut self, depth: usize) -> Result<(), Fault> {
        // The function table never changes while running; borrowing it from a local handle
        // keeps frame switches free of reference counting.
        let funcs = self.funcs.clone();
        if self.frames.len() <= depth {
            // A cancelled task that had nothing to unwind.
            return Ok(());
        }
        let mut fi = self.frames.len() - 1;
        let mut func = self.frames[fi].func;
        let mut code: &[Instr] = &funcs[func].code;
        let mut consts: &[Value] = &funcs[func].consts;
        let mut base = self.frames[fi].base;
        let mut pc = self.frames[fi].pc;

        // Register operands are below the function's `nregs` (checked when the program is
        // loaded, see `verify`), and a running frame's window `base..base + nregs` is inside
        // `self.regs`; so the index needs no bounds check.
        macro_rules! reg {
            ($r:expr) => {
                (*self.regs.as_mut_ptr().add(base + $r as usize))
            };
        }
        // Stores an Int without a call to drop the old value when it is an Int too (the common
        // case in loops), and without building a `Value` on the stack first.
        macro_rules! set_int {
            ($d:expr, $v:expr) => {
                match &mut reg!($d) {
                    Value::Int(slot) => *slot = $v,
                    other => store_fast(other, Value::Int($v)),
                }
            };
        }
        macro_rules! sync_out {
            () => {
                self.frames[fi].pc = pc;
            };
        }
        macro_rules! load_frame {
            () => {{
                fi = self.frames.len() - 1;
                func = self.frames[fi].func;
                code = &funcs[func].code;
                consts = &funcs[func].consts;
                base = self.frames[fi].base;
                pc = self.frames[fi].pc;
            }};
        }
        macro_rules! jump {
            ($off:expr) => {
                pc = (pc as i64 + $off as i64) as usize
            };
        }
        macro_rules! try_op {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(message) => {
                        sync_out!();
                        let fault = Fault::Error(self.error_at(message, depth));
                        self.unwind(fault, depth)?;
                        if self.frames.len() <= depth {
                            return Ok(());
                        }
                        load_frame!();
                        continue;
                    }
                }
            };
        }

        loop {
            debug_assert!(pc < code.len());
            // Every jump target is inside the code and the code ends with a terminator (checked
            // when the program is loaded, see `verify`).
            let instr: &Instr = unsafe { code.get_unchecked(pc) };
            pc += 1;
            // SAFETY: `reg!` reads and writes registers without bounds checks: see the macro.
            unsafe {
                match *instr {
                    Instr::LoadNull(d) => store_fast(&mut reg!(d), Value::Null),
                    Instr::LoadBool(d, b) => store_fast(&mut reg!(d), Value::Bool(b)),
                    Instr::LoadInt(d, i) => set_int!(d, i64::from(i)),
                    Instr::LoadConst(d, c) => {
                        assign_clone(&mut reg!(d), &consts[c as usize]);
                    }
                    Instr::Move(d, s) => {
                        if d != s {
                            assign_clone(&mut reg!(d), &reg!(s));
                        }
                    }
                    Instr::LoadGlobal(d, g) => assign_clone(&mut reg!(d), &self.globals[g as usize]),
                    Instr::StoreGlobal(g, s) => self.globals[g as usize] = clone_fast(&reg!(s)),
                    Instr::LoadFunc(d, f) => {
                        let name = self.funcs[f as usize].name.clone();
                        reg!(d) =
                            Value::Func(Rc::new(FuncObj::Closure { proto: f, name: Some(name), captures: Vec::new() }));
                    }
                    Instr::LoadBuiltin(d, id) => {
                        let name = builtins::get(id).map_or("?", |b| b.names[0]);
                        reg!(d) = Value::Func(Rc::new(FuncObj::Builtin { id, name: Rc::from(name) }));
                    }
                    Instr::LoadSelfFunc(d) => {
                        reg!(d) = match &self.frames[fi].closure {
                            Some(c) => Value::Func(c.clone()),
                            None => Value::Null,
                        };
                    }
                    Instr::LoadCapture(d, i) => {
                        let captured: Option<*const Value> = match self.frames[fi].closure.as_deref() {
                            Some(FuncObj::Closure { captures, .. }) => {
                                captures.get(i as usize).map(|c| c as *const Value)
                            }
                            _ => None,
                        };
                        // The closure (kept alive by the frame) owns the captured value.
                        match captured {
                            Some(c) => assign_clone(&mut reg!(d), c),
                            None => store_fast(&mut reg!(d), Value::Null),
                        }
                    }
                    Instr::LoadVariantFn(d, ty, v) => {
                        let ty = try_op!(self.enum_type(ty));
                        let arity = self.variant_arity(&ty, v);
                        reg!(d) = Value::Func(Rc::new(FuncObj::Variant { ty, variant: u32::from(v), arity }));
                    }
                    Instr::Binary(op, d, a, b) => {
                        if let (Value::Int(x), Value::Int(y)) = (&reg!(a), &reg!(b)) {
                            if let Some(r) = ops::int_fast(op, *x, *y) {
                                set_int!(d, r);
                                continue;
                            }
                            if is_comparison(op) {
                                let holds = ops::int_compare(op, *x, *y);
                                store_fast(&mut reg!(d), Value::Bool(holds));
                                continue;
                            }
                        }
                        if let (Value::Float(x), Value::Float(y)) = (&reg!(a), &reg!(b)) {
                            let r = match op {
                                BinOp::Add => Some(x + y),
                                BinOp::Sub => Some(x - y),
                                BinOp::Mul => Some(x * y),
                                BinOp::Div => Some(x / y),
                                _ => None,
                            };
                            if let Some(r) = r {
                                store_fast(&mut reg!(d), Value::Float(r));
                                continue;
                            }
                        }
                        // Membership in a map or set (word counting, dedup).
                        if op == BinOp::In {
                            let found = match &reg!(b) {
                                Value::Map(m) => Some(m.contains_key(&reg!(a))),
                                Value::Set(set) => Some(set.contains(&reg!(a))),
                                _ => None,
                            };
                            if let Some(found) = found {
                                store_fast(&mut reg!(d), Value::Bool(found));
                                continue;
                            }
                        }
                        let v = match (&reg!(a), &reg!(b)) {
                            (Value::Int(x), Value::Int(y)) => try_op!(ops::int_binary(op, *x, *y)),
                            (x, y) => try_op!(ops::binary(op, x, y)),
                        };
                        reg!(d) = v;
                    }
                    Instr::JumpIfNot(op, a, b, off) => {
                        let holds = match (&reg!(a), &reg!(b)) {
                            (Value::Int(x), Value::Int(y)) => ops::int_compare(op, *x, *y),
                            // Equality never fails (`x == null` tests in particular).
                            (x, y) if op == BinOp::Eq => x == y,
                            (x, y) if op == BinOp::Ne => x != y,
                            (x, y) => matches!(try_op!(ops::binary(op, x, y)), Value::Bool(true)),
                        };
                        if !holds {
                            jump!(off)
                        }
                    }
                    Instr::JumpIfNotImm(op, a, imm, off) => {
                        let holds = match &reg!(a) {
                            Value::Int(x) => ops::int_compare(op, *x, i64::from(imm)),
                            x => matches!(try_op!(ops::binary(op, x, &Value::Int(i64::from(imm)))), Value::Bool(true)),
                        };
                        if !holds {
                            jump!(off)
                        }
                    }
                    Instr::AddImm(d, a, imm) => {
                        if let Value::Int(x) = reg!(a)
                            && let Some(r) = x.checked_add(i64::from(imm))
                        {
                            set_int!(d, r);
                            continue;
                        }
                        let v = match &reg!(a) {
                            Value::Int(x) => try_op!(x.checked_add(i64::from(imm)).map(Value::Int).ok_or_else(|| {
                                if imm >= 0 {
                                    "integer overflow in addition".to_string()
                                } else {
                                    "integer overflow in subtraction".to_string()
                                }
                            })),
                            other => try_op!(ops::binary(
                                lumen_compile::bytecode::BinOp::Add,
                                other,
                                &Value::Int(i64::from(imm))
                            )),
                        };
                        reg!(d) = v;
                    }
                    Instr::BinaryImm(op, d, a, imm) => {
                        if let Value::Int(x) = reg!(a) {
                            if let Some(r) = ops::int_fast(op, x, i64::from(imm)) {
                                set_int!(d, r);
                                continue;
                            }
                            if is_comparison(op) {
                                store_fast(&mut reg!(d), Value::Bool(ops::int_compare(op, x, i64::from(imm))));
                                continue;
                            }
                        }
                        let v = match reg!(a) {
                            Value::Int(x) => try_op!(ops::int_binary(op, x, i64::from(imm))),
                            _ => try_op!(ops::binary(op, &reg!(a), &Value::Int(i64::from(imm)))),
                        };
                        store_fast(&mut reg!(d), v);
                    }
                    Instr::ForLoopInclusive(i, limit, off) => {
                        // Both Ints (converted before the first test); `i < limit` leaves room.
                        if let (Value::Int(x), Value::Int(end)) = (&mut reg!(i), &reg!(limit))
                            && *x < *end
                        {
                            *x += 1;
                            jump!(off);
                        }
                    }
                    Instr::ForLoop(i, limit, off) => {
                        // The loop converted both to Int before its first test, and `i < limit`
                        // held, so `i + 1` cannot overflow.
                        if let (Value::Int(x), Value::Int(end)) = (&mut reg!(i), &reg!(limit)) {
                            *x += 1;
                            if *x < *end {
                                jump!(off);
                            }
                        }
                    }
                    Instr::Unary(op, d, s) => {
                        let v = try_op!(ops::unary(op, &reg!(s)));
                        reg!(d) = v;
                    }
                    Instr::Jump(off) => jump!(off),
                    Instr::JumpIfFalse(r, off) => match &reg!(r) {
                        Value::Bool(false) => jump!(off),
                        Value::Bool(true) => {}
                        other => try_op!(Err(format!("expected Bool, got {}", other.type_name()))),
                    },
                    Instr::JumpIfTrue(r, off) => match &reg!(r) {
                        Value::Bool(true) => jump!(off),
                        Value::Bool(false) => {}
                        other => try_op!(Err(format!("expected Bool, got {}", other.type_name()))),
                    },
                    Instr::JumpIfNull(r, off) => {
                        if reg!(r).is_null() {
                            jump!(off)
                        }
                    }
                    Instr::JumpIfNotNull(r, off) => {
                        if !reg!(r).is_null() {
                            jump!(off)
                        }
                    }
                    Instr::JumpIfNotLess(a, b, off) => {
                        let less = match (&reg!(a), &reg!(b)) {
                            (Value::Int(x), Value::Int(y)) => x < y,
                            (x, y) => {
                                matches!(
                                    try_op!(ops::binary(lumen_compile::bytecode::BinOp::Lt, x, y)),
                                    Value::Bool(true)
                                )
                            }
                        };
                        if !less {
                            jump!(off)
                        }
                    }
                    Instr::JumpIfProvided(p, off) => {
                        if (p as usize) < self.frames[fi].argc {
                            jump!(off)
                        }
                    }
                    Instr::Call { dst, callee, args, argc } => {
                        sync_out!();
                        // A closure with its arguments in place: straight to the inlined frame push.
                        if argc != u16::MAX
                            && let Value::Func(closure) = &reg!(callee)
                            && let FuncObj::Closure { proto, .. } = &**closure
                        {
                            let (proto, closure) = (*proto, closure.clone());
                            let (at, ret) = (base + args as usize, base + dst as usize);
                            try_op!(self.push_frame(proto, at, argc as usize, ret, Some(closure), true));
                            load_frame!();
                            continue;
                        }
                        let f = clone_fast(&reg!(callee));
                        let (at, n) = if argc == u16::MAX {
                            try_op!(self.unpack_spread(base + args as usize))
                        } else {
                            (base + args as usize, argc as usize)
                        };
                        try_op!(self.call_value(f, at, n, base + dst as usize));
                        if argc == u16::MAX && self.frames.len() - 1 == fi {
                            self.regs.truncate(at);
                        }
                        load_frame!();
                    }
                    Instr::CallDirect { dst, func: f, args, argc } => {
                        sync_out!();
                        try_op!(self.push_frame(
                            f,
                            base + args as usize,
                            argc as usize,
                            base + dst as usize,
                            None,
                            false
                        ));
                        load_frame!();
                    }
                    Instr::CallBuiltin { dst, id, args, argc } => {
                        let at = base + args as usize;
                        if Some(id) == self.sleep_id && self.sched_active && self.sched.others_exist() {
                            // Other tasks run while this one sleeps.
                            if let Value::Int(ms) = self.regs[at] {
                                reg!(dst) = Value::Null;
                                sync_out!();
                                self.sleep_task(ms.max(0) as u64);
                                return Ok(());
                            }
                        }
                        let v = try_op!(self.call_builtin(id, at, argc as usize));
                        reg!(dst) = v;
                    }
                    Instr::CallMethod { dst, name, args, argc } => {
                        sync_out!();
                        let cache = &funcs[func].caches[pc - 1];
                        let cached = cache.get();
                        let at = base + args as usize;
                        let type_id = match &self.regs[at] {
                            Value::Record(r) => Some(r.ty.id),
                            Value::Enum(e) => Some(e.ty.id),
                            _ => None,
                        };
                        match type_id {
                            Some(t) if cached >> 32 == u64::from(t) + 1 => {
                                let f = (cached & 0xffff_ffff) as u32;
                                try_op!(self.push_frame(f, at, argc as usize, base + dst as usize, None, true));
                            }
                            Some(t)
                                if let Some(&f) =
                                    self.method_sites.get(&((func as u64) << 32 | (pc - 1) as u64, t)) =>
                            {
                                // A call site that sees several receiver types.
                                try_op!(self.push_frame(f, at, argc as usize, base + dst as usize, None, true));
                            }
                            _ => {
                                let name = &consts[name as usize];
                                let found = match (type_id, name) {
                                    (Some(t), Value::Str(n)) if !matches!(&self.regs[at], Value::Record(r) if r.ty.fields.iter().any(|f| **f == **n)) => {
                                        self.method_of(Kind::Named(t), n).map(|f| (t, f))
                                    }
                                    _ => None,
                                };
                                match found {
                                    Some((t, f)) => {
                                        cache.set(((u64::from(t) + 1) << 32) | u64::from(f));
                                        self.method_sites.insert(((func as u64) << 32 | (pc - 1) as u64, t), f);
                                        try_op!(self.push_frame(f, at, argc as usize, base + dst as usize, None, true));
                                    }
                                    None => try_op!(self.call_method(name, at, argc as usize, base + dst as usize)),
                                }
                            }
                        }
                        load_frame!();
                    }
                    Instr::Return(r) if self.frames[fi].extra.is_none() => {
                        // A plain frame: no defers, task, generator or continuation to attend to.
                        // The result goes straight into the caller's register (below this
                        // frame's window), without a stop on the Rust stack: see `slots::copy_value`.
                        let ret = self.frames[fi].ret;
                        if ret < base {
                            let regs = self.regs.as_mut_ptr();
                            let (src, dst) = (regs.add(base + r as usize), regs.add(ret));
                            if !is_scalar(&*dst) {
                                std::ptr::drop_in_place(dst);
                            }
                            move_value(src, dst);
                        }
                        // Any other receiving register (never seen in practice) is written after
                        // the window is gone, as it may lie inside it.
                        let late = (ret >= base && ret != usize::MAX).then(|| take_value(&mut reg!(r)));
                        let Some(Frame { base: frame_base, closure, extra, .. }) = self.frames.pop() else {
                            return Ok(());
                        };
                        // `extra` is `None` (the arm's guard): nothing to drop, and no call to do it.
                        std::mem::forget(extra);
                        drop(closure);
                        // A discarded result (`ret` is `usize::MAX`) is dropped with the window.
                        truncate_regs(&mut self.regs, frame_base);
                        if !self.handlers.is_empty() {
                            self.drop_handlers_above(self.frames.len());
                        }
                        if let Some(v) = late {
                            self.store(ret, v);
                        }
                        if self.frames.len() <= depth {
                            return Ok(());
                        }
                        load_frame!();
                    }
                    Instr::Return(r) => {
                        // Pending `defer` blocks may still read the returned variable.
                        let v = if self.frames[fi].extra.as_ref().is_some_and(|e| !e.defers.is_empty()) {
                            clone_fast(&reg!(r))
                        } else {
                            std::mem::take(&mut reg!(r))
                        };
                        if let Some(defer_pc) = self.return_through_defers(fi, v) {
                            pc = defer_pc;
                            continue;
                        }
                        if self.frames.len() <= depth {
                            return Ok(());
                        }
                        load_frame!();
                    }
                    Instr::DeferPush(start) => self.frames[fi].ext().defers.push(start),
                    Instr::Exit(r) => {
                        let code = match &reg!(r) {
                            Value::Int(c) => i32::try_from(*c).unwrap_or(1),
                            _ => 1,
                        };
                        sync_out!();
                        self.unwind(Fault::Exit(code), depth)?;
                        if self.frames.len() <= depth {
                            return Ok(());
                        }
                        load_frame!();
                    }
                    Instr::DeferRun => {
                        if let Some(defer_pc) = self.frames[fi].pop_defer() {
                            self.frames[fi].ext().after_defer.push(AfterDefer::Resume(pc));
                            pc = defer_pc as usize;
                        }
                    }
                    Instr::DeferEnd => match self.frames[fi].ext().after_defer.pop() {
                        Some(AfterDefer::Resume(at)) => pc = at,
                        Some(AfterDefer::Return(v)) => {
                            if let Some(defer_pc) = self.return_through_defers(fi, v) {
                                pc = defer_pc;
                                continue;
                            }
                            if self.frames.len() <= depth {
                                return Ok(());
                            }
                            load_frame!();
                        }
                        Some(AfterDefer::Unwind) | None => {
                            sync_out!();
                            let fault = self.unwinding.take().unwrap_or(Fault::Exit(1));
                            self.unwind(fault, depth)?;
                            if self.frames.len() <= depth {
                                return Ok(());
                            }
                            load_frame!();
                        }
                    },
                    Instr::MakeList { dst, start, count } => {
                        let items = take_regs(&mut reg!(start), count as usize);
                        reg!(dst) = Value::list(items);
                    }
                    Instr::MakeTuple { dst, start, count } => {
                        let items = take_regs(&mut reg!(start), count as usize);
                        reg!(dst) = Value::tuple(items);
                    }
                    Instr::MakeSet { dst, start, count } => {
                        let mut set = crate::value::SetObj::default();
                        for i in 0..count {
                            set.insert(std::mem::take(&mut reg!(start + i)));
                        }
                        reg!(dst) = Value::set(set);
                    }
                    Instr::MakeMap { dst, start, count } => {
                        let mut map = crate::value::MapObj::default();
                        for i in 0..count {
                            let k = std::mem::take(&mut reg!(start + 2 * i));
                            let v = std::mem::take(&mut reg!(start + 2 * i + 1));
                            map.insert(k, v);
                        }
                        reg!(dst) = Value::map(map);
                    }
                    Instr::MakeRecord { dst, ty, start } => {
                        let ty = try_op!(self.record_type(ty));
                        // One register per field from `start`: the verifier cannot see the
                        // field count (it comes with the type), so it is checked here.
                        if base + start as usize + ty.fields.len() > self.regs.len() {
                            try_op!(Err::<(), _>("internal error: invalid bytecode".to_string()));
                        }
                        let fields = take_regs(&mut reg!(start), ty.fields.len());
                        reg!(dst) = Value::Record(Rc::new(RecordObj { ty, fields }));
                    }
                    Instr::MakeVariant { dst, ty, variant, start, count } => {
                        let ty = try_op!(self.enum_type(ty));
                        let payload = take_regs(&mut reg!(start), count as usize);
                        reg!(dst) = Value::Enum(Rc::new(EnumObj { ty, variant: u32::from(variant), payload }));
                    }
                    Instr::MakeClosure { dst, func: f, start, count } => {
                        let captures = (0..count).map(|i| clone_fast(&reg!(start + i))).collect();
                        let fr = &self.funcs[f as usize];
                        let name = (!fr.is_lambda).then(|| fr.name.clone());
                        reg!(dst) = Value::Func(Rc::new(FuncObj::Closure { proto: f, name, captures }));
                    }
                    Instr::MakeRange { dst, start, end, step, inclusive, has_step } => {
                        let (Value::Int(s), Value::Int(e), Value::Int(st)) = (&reg!(start), &reg!(end), &reg!(step))
                        else {
                            try_op!(Err::<(), _>("range bounds and step must be Int".to_string()));
                            continue;
                        };
                        if *st == 0 {
                            try_op!(Err::<(), _>("range step must not be zero".to_string()));
                        }
                        reg!(dst) = Value::Range(Rc::new(RangeObj {
                            start: *s,
                            end: *e,
                            inclusive,
                            step: *st,
                            explicit_step: has_step,
                        }));
                    }
                    Instr::Compose(d, f, g) => {
                        let f = clone_fast(&reg!(f));
                        let g = clone_fast(&reg!(g));
                        reg!(d) = Value::Func(Rc::new(FuncObj::Compose(f, g)));
                    }
                    Instr::ListPush(l, v) => {
                        if l != v
                            && let Value::List(items) = &mut reg!(l)
                        {
                            // Unshared after `make_mut`, so the list cannot own `reg!(v)`.
                            push_clone(Rc::make_mut(items), &reg!(v));
                            continue;
                        }
                        let v = clone_fast(&reg!(v));
                        match &mut reg!(l) {
                            Value::List(items) => Rc::make_mut(items).push(v),
                            other => try_op!(Err(format!("append: expected a list, got {}", other.type_name()))),
                        }
                    }
                    Instr::ListExtend(l, v) => {
                        let src = clone_fast(&reg!(v));
                        let items = try_op!(iter::collect(&src));
                        match &mut reg!(l) {
                            Value::List(list) => Rc::make_mut(list).extend(items),
                            Value::Set(set) => Rc::make_mut(set).extend(items),
                            other => try_op!(Err(format!("cannot spread into {}", other.type_name()))),
                        }
                    }
                    Instr::SetAdd(s, v) => {
                        let v = clone_fast(&reg!(v));
                        if let Value::Set(set) = &mut reg!(s) {
                            Rc::make_mut(set).insert(v);
                        }
                    }
                    Instr::MapInsert(m, k, v) => {
                        let k = clone_fast(&reg!(k));
                        let v = clone_fast(&reg!(v));
                        if let Value::Map(map) = &mut reg!(m) {
                            Rc::make_mut(map).insert(k, v);
                        }
                    }
                    Instr::MapMerge(m, other) => {
                        let other = clone_fast(&reg!(other));
                        let Value::Map(src) = other else {
                            try_op!(Err::<(), _>(format!("cannot spread {} into a map", other.type_name())));
                            continue;
                        };
                        if let Value::Map(map) = &mut reg!(m) {
                            let map = Rc::make_mut(map);
                            for (k, v) in src.iter() {
                                map.insert(k.clone(), v.clone());
                            }
                        }
                    }
                    Instr::GetField { dst, obj, name } => {
                        let cache = &funcs[func].caches[pc - 1];
                        let cached = cache.get();
                        let v = match &reg!(obj) {
                            Value::Record(r) if cached >> 32 == u64::from(r.ty.id) + 1 => {
                                let field: *const Value = &r.fields[(cached & 0xffff_ffff) as usize];
                                assign_clone(&mut reg!(dst), field);
                                continue;
                            }
                            Value::Record(r) => {
                                let slot = match &consts[name as usize] {
                                    Value::Str(n) => r.ty.fields.iter().position(|f| **f == **n),
                                    _ => None,
                                };
                                match slot {
                                    Some(i) => {
                                        cache.set(((u64::from(r.ty.id) + 1) << 32) | i as u64);
                                        clone_fast(&r.fields[i])
                                    }
                                    None => {
                                        try_op!(self.get_field(&self.regs[base + obj as usize], &consts[name as usize]))
                                    }
                                }
                            }
                            other => try_op!(self.get_field(other, &consts[name as usize])),
                        };
                        reg!(dst) = v;
                    }
                    Instr::SetField { obj, name, src } => {
                        let v = clone_fast(&reg!(src));
                        let name = consts[name as usize].clone();
                        let validator = try_op!(self.set_field(base + obj as usize, &name, v));
                        if let Some((validator, record)) = validator {
                            sync_out!();
                            let at = self.regs.len();
                            let n = record.fields.len();
                            self.regs.extend(record.fields.iter().cloned());
                            try_op!(self.push_frame(validator, at, n, usize::MAX, None, false));
                            // The arguments were moved into the new frame's window above them.
                            load_frame!();
                        }
                    }
                    Instr::GetIndex { dst, obj, index } => {
                        if let (Value::List(items), Value::Int(i)) = (&reg!(obj), &reg!(index))
                            && let Some(item) = usize::try_from(*i).ok().and_then(|i| items.get(i))
                        {
                            let item: *const Value = item;
                            assign_clone(&mut reg!(dst), item);
                            continue;
                        }
                        if let Value::Map(m) = &reg!(obj) {
                            match m.get(&reg!(index)) {
                                Some(v) => {
                                    let v: *const Value = v;
                                    assign_clone(&mut reg!(dst), v);
                                }
                                None => store_fast(&mut reg!(dst), Value::Null),
                            }
                            continue;
                        }
                        let v = try_op!(ops::get_index(&reg!(obj), &reg!(index)));
                        reg!(dst) = v;
                    }
                    Instr::SetIndex { obj, index, src } => {
                        // An unshared list written in place (the common `xs[i] = v`).
                        if obj != src
                            && let (Value::List(items), Value::Int(i)) = (&mut reg!(obj), &reg!(index))
                            && let Some(items) = Rc::get_mut(items)
                            && let Some(slot) = usize::try_from(*i).ok().and_then(|i| items.get_mut(i))
                        {
                            assign_clone(slot, &reg!(src));
                            continue;
                        }
                        // An unshared map: `counts[k] = v` without copying the map.
                        if obj != src
                            && obj != index
                            && let Value::Map(m) = &mut reg!(obj)
                            && let Some(m) = Rc::get_mut(m)
                        {
                            let v = clone_fast(&reg!(src));
                            match m.get_mut(&reg!(index)) {
                                Some(slot) => *slot = v,
                                None => {
                                    m.insert(clone_fast(&reg!(index)), v);
                                }
                            }
                            continue;
                        }
                        let i = clone_fast(&reg!(index));
                        let v = clone_fast(&reg!(src));
                        try_op!(ops::set_index(&mut reg!(obj), i, v));
                    }
                    Instr::TupleGet { dst, obj, index } => {
                        let v = match &reg!(obj) {
                            Value::Tuple(items) | Value::List(items) => match items.get(index as usize) {
                                Some(v) => clone_fast(v),
                                None => try_op!(Err(format!("index out of range: {index} (length {})", items.len()))),
                            },
                            other => try_op!(Err(format!("cannot take element {index} of {}", other.type_name()))),
                        };
                        reg!(dst) = v;
                    }
                    Instr::IterInit { dst, src } => {
                        let it = try_op!(iter::start(&reg!(src)));
                        reg!(dst) = it;
                    }
                    Instr::CallTool { dst, site, args } => {
                        sync_out!();
                        match try_op!(self.call_tool(site, base + args as usize, base + dst as usize)) {
                            Some(v) => reg!(dst) = v,
                            // A `handle` clause intercepted the call and runs now.
                            None => load_frame!(),
                        }
                    }
                    Instr::ExpectSchema { dst, src, schema } => {
                        let converted = self.expect_schema(&self.regs[base + src as usize], schema);
                        if self.host.tracing() {
                            let name =
                                self.schemas.get(schema as usize).map(|s| self.schema_name(s)).unwrap_or_default();
                            self.trace(
                                "schema_validate",
                                [("schema", serde_json::Value::String(name)), ("valid", converted.is_ok().into())],
                            );
                        }
                        let v = try_op!(converted);
                        reg!(dst) = v;
                    }
                    Instr::MakeBox(d, src) => {
                        let v = clone_fast(&reg!(src));
                        reg!(d) = Value::Handle(Rc::new(std::cell::RefCell::new(crate::value::HandleObj::Cell(v))));
                    }
                    Instr::Unbox(d, src) => {
                        let v = match &reg!(src) {
                            Value::Handle(h) => match &*h.borrow() {
                                crate::value::HandleObj::Cell(v) => v.clone(),
                                _ => Value::Null,
                            },
                            other => other.clone(),
                        };
                        reg!(d) = v;
                    }
                    Instr::BoxSet(b, src) => {
                        let v = clone_fast(&reg!(src));
                        if let Value::Handle(h) = &reg!(b)
                            && let crate::value::HandleObj::Cell(slot) = &mut *h.borrow_mut()
                        {
                            *slot = v;
                        }
                    }
                    Instr::Escape(r) => {
                        let v = std::mem::take(&mut reg!(r));
                        reg!(r) = crate::value::make_escape(v);
                    }
                    Instr::JumpIfNotEscape(r, off) => match &reg!(r) {
                        Value::Enum(e) if e.ty.id == u32::MAX => {
                            let v = e.payload.first().cloned().unwrap_or_default();
                            reg!(r) = v;
                        }
                        _ => jump!(off),
                    },
                    Instr::IterClose(r) => {
                        let it = clone_fast(&reg!(r));
                        sync_out!();
                        self.close_iterator(&it);
                        load_frame!();
                    }
                    Instr::IterNext { dst, iter: it, exit } => {
                        // Lists and ranges, the common loops, without leaving the dispatch loop.
                        // The iterator's borrow ends before the store: dropping the old element
                        // may run arbitrary code.
                        if let Value::Handle(h) = &reg!(it) {
                            let mut state = h.borrow_mut();
                            match &mut *state {
                                crate::value::HandleObj::Iter(IterState::Seq { items, next }) => {
                                    let item = items.get(*next).map(clone_fast);
                                    *next += 1;
                                    drop(state);
                                    match item {
                                        Some(v) => store_fast(&mut reg!(dst), v),
                                        None => jump!(exit),
                                    }
                                    continue;
                                }
                                crate::value::HandleObj::Iter(IterState::Range { next, end, step: 1, inclusive })
                                    if *next != *end || !*inclusive =>
                                {
                                    // `next < end` leaves room for the increment; the last
                                    // element of an inclusive range takes the general path.
                                    if *next < *end {
                                        let v = *next;
                                        *next += 1;
                                        drop(state);
                                        set_int!(dst, v);
                                    } else {
                                        drop(state);
                                        jump!(exit);
                                    }
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        if let Value::Handle(h) = &reg!(it)
                            && matches!(&*h.borrow(), crate::value::HandleObj::Generator(_))
                        {
                            let h = h.clone();
                            sync_out!();
                            let exit_pc = (pc as i64 + exit as i64) as usize;
                            try_op!(self.resume_generator(h, base + dst as usize, Some(exit_pc)));
                            load_frame!();
                            continue;
                        }
                        match try_op!(iter::next(&reg!(it))) {
                            Some(v) => reg!(dst) = v,
                            None => jump!(exit),
                        }
                    }
                    Instr::Perform { dst, effect, op, args, argc } => {
                        sync_out!();
                        let (Value::Str(effect), Value::Str(op)) = (&consts[effect as usize], &consts[op as usize])
                        else {
                            continue;
                        };
                        try_op!(self.perform(effect, op, base + args as usize, argc as usize, base + dst as usize));
                        load_frame!();
                    }
                    Instr::Handle { dst, body, clauses, count } => {
                        sync_out!();
                        let mut list = Vec::with_capacity(count as usize);
                        for i in 0..count {
                            let at = clauses + 4 * i;
                            let (Value::Str(effect), Value::Str(op)) = (&reg!(at), &reg!(at + 1)) else { continue };
                            list.push(Clause {
                                effect: Rc::from(effect.as_str()),
                                op: Rc::from(op.as_str()),
                                func: clone_fast(&reg!(at + 2)),
                                tail: matches!(reg!(at + 3), Value::Bool(true)),
                            });
                        }
                        let body = clone_fast(&reg!(body));
                        try_op!(self.install_handler(body, list, base + dst as usize));
                        load_frame!();
                    }
                    Instr::Resume { dst, src } => {
                        sync_out!();
                        let v = clone_fast(&reg!(src));
                        try_op!(self.resume(v, base + dst as usize));
                        load_frame!();
                    }
                    Instr::Spawn { dst, args, argc } => {
                        sync_out!();
                        let f = clone_fast(&reg!(args));
                        let before = self.frames.len();
                        try_op!(self.call_value(f, base + args as usize + 1, argc as usize - 1, base + dst as usize));
                        if self.frames.len() > before {
                            // A Lumen function started: it becomes a new task.
                            let frame = self.frames.pop().expect("frame");
                            let regs = self.regs.split_off(frame.base);
                            reg!(dst) = self.spawn_task(frame, regs);
                        } else if !matches!(&reg!(dst), Value::Handle(_)) {
                            let v = std::mem::take(&mut reg!(dst));
                            reg!(dst) = scheduler::new_future(scheduler::TaskState::Done(v, 0));
                        }
                    }
                    Instr::Await { dst, src } | Instr::AwaitFirst { dst, src, .. } => {
                        sync_out!();
                        let v = clone_fast(&reg!(src));
                        let awaited = match *instr {
                            Instr::AwaitFirst { non_null, .. } => try_op!(self.await_first(&v, non_null)),
                            _ => try_op!(self.await_value(&v)),
                        };
                        match awaited {
                            scheduler::Awaited::Ready(v) => reg!(dst) = v,
                            scheduler::Awaited::Pending => {
                                if !self.sched_active {
                                    try_op!(Err::<(), String>(
                                        "cannot wait for a task outside the program's run".into()
                                    ));
                                }
                                // Park; the `await` runs again when some task completes.
                                self.frames[fi].pc = pc - 1;
                                self.sched.park = Some(scheduler::Park::Blocked);
                                return Ok(());
                            }
                        }
                    }
                    Instr::MakeInstance { dst, ty, init } => {
                        let Some(TypeRt::Process { kind, name }) = self.types.get(ty as usize) else { continue };
                        let state = match std::mem::take(&mut reg!(init)) {
                            Value::Map(m) => Rc::unwrap_or_clone(m),
                            _ => crate::value::MapObj::default(),
                        };
                        let obj =
                            crate::value::HandleObj::Instance { kind: kind.clone(), name: name.clone(), id: ty, state };
                        reg!(dst) = Value::Handle(Rc::new(std::cell::RefCell::new(obj)));
                    }
                    Instr::Yield(r) => {
                        sync_out!();
                        let v = clone_fast(&reg!(r));
                        try_op!(self.yield_value(v));
                        if self.frames.len() <= depth {
                            return Ok(());
                        }
                        load_frame!();
                    }
                    Instr::IsKind { dst, src, kind } => {
                        let b = is_kind(&reg!(src), kind);
                        reg!(dst) = Value::Bool(b);
                    }
                    Instr::IsVariant { dst, src, ty, variant } => {
                        let b =
                            matches!(&reg!(src), Value::Enum(e) if e.ty.id == ty && e.variant == u32::from(variant));
                        reg!(dst) = Value::Bool(b);
                    }
                    Instr::GetPayload { dst, src, index } => {
                        let v = match &reg!(src) {
                            Value::Enum(e) => e.payload.get(index as usize).cloned().unwrap_or_default(),
                            _ => Value::Null,
                        };
                        reg!(dst) = v;
                    }
                    Instr::TestLen { dst, src, len, at_least } => {
                        let n = match &reg!(src) {
                            Value::List(items) | Value::Tuple(items) => Some(items.len()),
                            _ => None,
                        };
                        let b = n.is_some_and(|n| if at_least { n >= len as usize } else { n == len as usize });
                        reg!(dst) = Value::Bool(b);
                    }
                    Instr::SliceList { dst, src, from, to_end } => {
                        let v = match &reg!(src) {
                            Value::List(items) => {
                                let end = items.len().saturating_sub(to_end as usize);
                                let start = (from as usize).min(end);
                                Value::list(items[start..end].to_vec())
                            }
                            _ => Value::list(Vec::new()),
                        };
                        reg!(dst) = v;
                    }
                    Instr::Unwrap(d, s) => {
                        if reg!(s).is_null() {
                            try_op!(Err::<(), _>("null assertion failed".to_string()));
                        }
                        let v = clone_fast(&reg!(s));
                        reg!(d) = v;
                    }
                    Instr::Convert { dst, src, kind } => {
                        let v = try_op!(convert(&reg!(src), kind));
                        reg!(dst) = v;
                    }
                    Instr::WidenElems { reg: r, only_mixed } => {
                        if let Value::List(items) = &mut reg!(r)
                            && items.iter().any(|v| matches!(v, Value::Int(_)))
                            && (!only_mixed || items.iter().any(|v| matches!(v, Value::Float(_))))
                        {
                            for v in Rc::make_mut(items).iter_mut() {
                                if let Value::Int(i) = *v {
                                    *v = Value::Float(i as f64);
                                }
                            }
                        }
                    }
                    Instr::Cast { dst, src, kind } => {
                        let v = try_op!(self.cast(&self.regs[base + src as usize], kind));
                        reg!(dst) = v;
                    }
                    Instr::Format { dst, src, spec } => {
                        let text = if spec == u32::MAX {
                            display(&reg!(src))
                        } else {
                            let Value::Str(spec) = &consts[spec as usize] else { continue };
                            try_op!(format_spec(&reg!(src), spec))
                        };
                        reg!(dst) = Value::string(text);
                    }
                    Instr::ConcatStrings { dst, start, count } => {
                        // Up to 8 parts, all strings (interpolation formats its values first):
                        // one allocation of the exact size.
                        let n = usize::from(count);
                        let mut parts = [""; 8];
                        let all_strings = n <= parts.len()
                            && (0..n).all(|i| match &*self.regs.as_ptr().add(base + usize::from(start) + i) {
                                Value::Str(part) => {
                                    parts[i] = part.as_str();
                                    true
                                }
                                _ => false,
                            });
                        if all_strings {
                            let joined = crate::value::RcStr::concat(&parts[..n]);
                            store_fast(&mut reg!(dst), Value::Str(joined));
                            continue;
                        }
                        let mut s = String::new();
                        for i in 0..count {
                            match &reg!(start + i) {
                                Value::Str(part) => s.push_str(part),
                                other => s.push_str(&display(other)),
                            }
                        }
                        reg!(dst) = Value::string(s);
                    }
                    Instr::Halt(r) => {
                        let msg = display(&reg!(r));
                        try_op!(Err::<(), _>(msg));
                    }
                    Instr::Fail(c) => {
                        let msg = display(&consts[c as usize]);
                        try_op!(Err::<(), _>(msg));
                    }
                    Instr::Emit(r) => {
                        let text = format!("{}\n", display(&reg!(r)));
                        self.host.write_stdout(&text);
                        if self.host.tracing() {
                            let value = to_json_value(&reg!(r))
                                .unwrap_or_else(|_| serde_json::Value::String(display(&reg!(r))));
                            self.trace("emit", [("value", value)]);
                        }
                    }
                }
            }
        }
    }

    fn variant_arity(&self, ty: &EnumType, variant: u16) -> u32 {
        self.arities.get(ty.id as usize).and_then(|a| a.get(variant as usize)).copied().unwrap_or(0)
    }

    fn get_field(&self, obj: &Value, name: &Value) -> Step<Value> {
        let _ = &self.types;
        let Value::Str(name) = name else { return Err("bad field name".into()) };
        match obj {
            Value::Record(r) => match r.ty.fields.iter().position(|f| **f == **name) {
                Some(i) => Ok(r.fields[i].clone()),
                None => Err(format!("record {} has no field `{name}`", r.ty.name)),
            },
            Value::Map(m) => Ok(m.get(&Value::Str(name.clone())).cloned().unwrap_or(Value::Null)),
            Value::Handle(h) => match &*h.borrow() {
                crate::value::HandleObj::Instance { state, name: type_name, .. } => {
                    match state.get(&Value::Str(name.clone())) {
                        Some(v) => Ok(v.clone()),
                        None => Err(format!("{type_name} has no field `{name}`")),
                    }
                }
                _ => Err(format!("{} has no field `{name}`", obj.type_name())),
            },
            Value::Null => Err(format!("cannot read field `{name}` of null")),
            other => Err(format!("{} has no field `{name}`", other.type_name())),
        }
    }

    /// Sets a field in place; returns the validator to run for constrained records.
    fn set_field(&mut self, slot: usize, name: &Value, v: Value) -> Step<Option<(u32, Rc<RecordObj>)>> {
        let Value::Str(name) = name else { return Err("bad field name".into()) };
        match &mut self.regs[slot] {
            Value::Record(r) => {
                let Some(i) = r.ty.fields.iter().position(|f| **f == **name) else {
                    return Err(format!("record {} has no field `{name}`", r.ty.name));
                };
                Rc::make_mut(r).fields[i] = v;
                Ok(r.ty.validator.map(|f| (f, r.clone())))
            }
            Value::Map(m) => {
                Rc::make_mut(m).insert(Value::Str(name.clone()), v);
                Ok(None)
            }
            other => Err(format!("cannot set field `{name}` on {}", other.type_name())),
        }
    }

    fn cast(&self, v: &Value, kind: Kind) -> Step<Value> {
        match (kind, v) {
            (Kind::String, v) => Ok(Value::string(display(v))),
            (Kind::Float, Value::Int(i)) => Ok(Value::Float(*i as f64)),
            (Kind::Int, Value::Float(f)) => {
                if f.is_finite() && *f >= -9.223_372_036_854_776e18 && *f < 9.223_372_036_854_776e18 {
                    Ok(Value::Int(f.trunc() as i64))
                } else {
                    Err(format!("cannot cast {} to Int", display(v)))
                }
            }
            (Kind::Int, Value::Bool(b)) => Ok(Value::Int(i64::from(*b))),
            (kind, v) if is_kind(v, kind) => Ok(v.clone()),
            (kind, v) => Err(format!("cannot cast {} to {}", v.type_name(), kind_name(kind))),
        }
    }
}

fn kind_name(kind: Kind) -> String {
    format!("{kind:?}")
}

/// `v is kind` at run time.
pub fn is_kind(v: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Any => true,
        Kind::Null => v.is_null(),
        Kind::Bool => matches!(v, Value::Bool(_)),
        Kind::Int => matches!(v, Value::Int(_)),
        Kind::Float => matches!(v, Value::Float(_)),
        Kind::String => matches!(v, Value::Str(_)),
        Kind::Bytes => matches!(v, Value::Bytes(_)),
        Kind::List => matches!(v, Value::List(_)),
        Kind::Tuple => matches!(v, Value::Tuple(_)),
        Kind::Map => matches!(v, Value::Map(_)),
        Kind::Set => matches!(v, Value::Set(_)),
        Kind::Result => matches!(v, Value::Enum(e) if e.ty.id == 0),
        Kind::Range => matches!(v, Value::Range(_)),
        Kind::Function => matches!(v, Value::Func(_)),
        Kind::Future | Kind::Generator => false,
        Kind::Named(ty) => match v {
            Value::Record(r) => r.ty.id == ty,
            Value::Enum(e) => e.ty.id == ty,
            _ => false,
        },
    }
}

/// A stand-in for a function that failed verification (a compiler bug): calling it is a
/// runtime error instead of undefined behaviour in the unchecked interpreter.
fn invalid_function(f: &lumen_compile::bytecode::Function, problem: &str) -> lumen_compile::bytecode::Function {
    let mut consts = f.consts.clone();
    consts.push(Const::Str(format!("internal error: invalid bytecode in `{}`: {problem}", f.name)));
    let message = (consts.len() - 1) as u32;
    lumen_compile::bytecode::Function {
        code: vec![Instr::Fail(message)],
        lines: vec![f.lines.first().copied().unwrap_or(0)],
        consts,
        ..f.clone()
    }
}

/// Conversion at a typed boundary: Int widens to Float; other kinds are checked.
impl Vm<'_> {
    /// Records a trace event through the host.
    fn trace<const N: usize>(&mut self, kind: &str, fields: [(&str, serde_json::Value); N]) {
        let map = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        self.host.trace_event(kind, map);
    }
}

/// Pushes `frame` field by field into its slot: a `push` builds the frame on the stack and copies
/// it with wide loads that wait for the narrower stores just made (a store-forwarding stall on
/// every call).
#[inline(always)]
fn write_frame(frames: &mut Vec<Frame>, frame: Frame) {
    frames.reserve(1);
    let Frame { func, pc, base, ret, argc, closure, extra } = frame;
    // SAFETY: `reserve` made room for one more frame; every field is written before `set_len`.
    unsafe {
        let len = frames.len();
        let slot = frames.as_mut_ptr().add(len);
        (&raw mut (*slot).func).write(func);
        (&raw mut (*slot).pc).write(pc);
        (&raw mut (*slot).base).write(base);
        (&raw mut (*slot).ret).write(ret);
        (&raw mut (*slot).argc).write(argc);
        (&raw mut (*slot).closure).write(closure);
        (&raw mut (*slot).extra).write(extra);
        frames.set_len(len + 1);
    }
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`: on two Ints they never fail.
#[inline(always)]
fn is_comparison(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
}

/// The value of an annotated `let` or parameter: Int widens to Float; a dynamic (`Any`/`Json`)
/// value is checked against the annotation. `null` passes, as lenient lookups produce it
/// (LANGUAGE.md 4.4) and the checker rules out the rest.
fn convert(v: &Value, kind: Kind) -> Step<Value> {
    match (kind, v) {
        (Kind::Float, Value::Int(i)) => Ok(Value::Float(*i as f64)),
        (_, Value::Null)
        | (Kind::Float, Value::Float(_))
        | (Kind::Int, Value::Int(_))
        | (Kind::String, Value::Str(_))
        | (Kind::Bool, Value::Bool(_)) => Ok(v.clone()),
        (kind, v) => Err(format!("expected {}, got {}", kind_name(kind), v.type_name())),
    }
}

/// `{value:spec}` in an interpolation.
fn format_spec(v: &Value, spec: &str) -> Step<String> {
    match crate::format::parse_spec(spec) {
        Some(spec) => crate::format::format_value(v, &spec),
        None => Err(format!("invalid format spec `{spec}`")),
    }
}
