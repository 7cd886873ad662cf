//! The register bytecode (ARCHITECTURE.md "Register bytecode").
//!
//! Each function has its own register window; operands are 16-bit register numbers, so large
//! functions are not limited to 255 registers. Jumps are relative to the next instruction.

pub type Reg = u16;

/// Compile-time constants of a function's pool.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    BitNot,
    Not,
}

/// Runtime kinds tested by type patterns and `is`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    List,
    Tuple,
    Map,
    Set,
    Result,
    Range,
    Function,
    Future,
    Generator,
    /// A record, enum or instance type, by index into `Program::types`.
    Named(u32),
    /// `Any` / `Json`: always matches.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    LoadNull(Reg),
    LoadBool(Reg, bool),
    LoadInt(Reg, i32),
    LoadConst(Reg, u32),
    Move(Reg, Reg),
    /// A module constant or other program-wide value.
    LoadGlobal(Reg, u32),
    StoreGlobal(u32, Reg),
    /// A cell as a function value.
    LoadFunc(Reg, u32),
    LoadBuiltin(Reg, u32),
    /// The closure being executed (local cells calling themselves).
    LoadSelfFunc(Reg),
    /// A value captured by the executing closure.
    LoadCapture(Reg, u16),
    /// A variant constructor as a function value.
    LoadVariantFn(Reg, u32, u16),

    Binary(BinOp, Reg, Reg, Reg),
    /// `dst = a + imm` for Int `a` (falls back to the generic path otherwise).
    AddImm(Reg, Reg, i16),
    /// `dst = a op imm` with an Int constant operand (falls back to the generic path for other kinds).
    BinaryImm(BinOp, Reg, Reg, i32),
    Unary(UnOp, Reg, Reg),

    Jump(i32),
    JumpIfFalse(Reg, i32),
    JumpIfTrue(Reg, i32),
    JumpIfNull(Reg, i32),
    JumpIfNotNull(Reg, i32),
    /// `if a < b` on ints without materializing a Bool (falls back for other kinds).
    JumpIfNotLess(Reg, Reg, i32),
    /// Compare-and-branch: jumps when `a op b` is false (`op` is a comparison).
    JumpIfNot(BinOp, Reg, Reg, i32),
    /// Compare-and-branch against a small Int constant: jumps when `a op imm` is false.
    JumpIfNotImm(BinOp, Reg, i16, i32),
    /// The step of `for i in a..b`: `i += 1`, then jump back by the offset while `i < limit`
    /// (both Ints: the loop converts them before its first test).
    ForLoop(Reg, Reg, i32),
    /// The step of `for i in a..=b`: while `i < limit`, `i += 1` and jump back by the offset
    /// (testing before the increment, so a limit of the largest Int cannot overflow).
    ForLoopInclusive(Reg, Reg, i32),

    /// Calls the function value in `callee` with `argc` arguments in `args..`; result to `dst`.
    Call {
        dst: Reg,
        callee: Reg,
        args: Reg,
        argc: u16,
    },
    /// Calls cell `func` directly with all its parameters (the caller fills in defaults).
    CallDirect {
        dst: Reg,
        func: u32,
        args: Reg,
        argc: u16,
    },
    CallBuiltin {
        dst: Reg,
        id: u32,
        args: Reg,
        argc: u16,
    },
    /// `receiver.name(args)` resolved at run time (3.5.4); `args` holds the receiver first.
    CallMethod {
        dst: Reg,
        name: u32,
        args: Reg,
        argc: u16,
    },
    Return(Reg),
    /// In a prologue: skip the default-value code of parameter `param` when the caller passed
    /// it (dynamic calls pass a prefix of the parameters).
    JumpIfProvided(u16, i32),

    MakeList {
        dst: Reg,
        start: Reg,
        count: u16,
    },
    MakeTuple {
        dst: Reg,
        start: Reg,
        count: u16,
    },
    MakeSet {
        dst: Reg,
        start: Reg,
        count: u16,
    },
    /// `count` key/value pairs in `start..`.
    MakeMap {
        dst: Reg,
        start: Reg,
        count: u16,
    },
    /// Fields in declaration order in `start..`.
    MakeRecord {
        dst: Reg,
        ty: u32,
        start: Reg,
    },
    MakeVariant {
        dst: Reg,
        ty: u32,
        variant: u16,
        start: Reg,
        count: u16,
    },
    MakeClosure {
        dst: Reg,
        func: u32,
        start: Reg,
        count: u16,
    },
    MakeRange {
        dst: Reg,
        start: Reg,
        end: Reg,
        step: Reg,
        inclusive: bool,
        has_step: bool,
    },
    /// `dst = f ~> g`
    Compose(Reg, Reg, Reg),
    /// `list.push(value)` in place (copy-on-write), for comprehensions and `xs = append(xs, v)`.
    ListPush(Reg, Reg),
    /// Appends every element of an iterable (spreads).
    ListExtend(Reg, Reg),
    SetAdd(Reg, Reg),
    MapInsert(Reg, Reg, Reg),
    MapMerge(Reg, Reg),

    /// `dst = obj.name` (record field, map key, or tuple index by constant).
    GetField {
        dst: Reg,
        obj: Reg,
        name: u32,
    },
    SetField {
        obj: Reg,
        name: u32,
        src: Reg,
    },
    GetIndex {
        dst: Reg,
        obj: Reg,
        index: Reg,
    },
    SetIndex {
        obj: Reg,
        index: Reg,
        src: Reg,
    },
    TupleGet {
        dst: Reg,
        obj: Reg,
        index: u16,
    },

    /// Starts iterating `src`; `dst` holds the iterator.
    IterInit {
        dst: Reg,
        src: Reg,
    },
    /// Next element into `dst`, or jump by `exit` when exhausted.
    IterNext {
        dst: Reg,
        iter: Reg,
        exit: i32,
    },

    /// `dst = src is kind`
    IsKind {
        dst: Reg,
        src: Reg,
        kind: Kind,
    },
    /// `dst = src is variant` (enum values and results).
    IsVariant {
        dst: Reg,
        src: Reg,
        ty: u32,
        variant: u16,
    },
    /// Payload element of an enum value.
    GetPayload {
        dst: Reg,
        src: Reg,
        index: u16,
    },
    /// `dst = length(src) == len` (or `>=` when `at_least`), false for non-sequences.
    TestLen {
        dst: Reg,
        src: Reg,
        len: u16,
        at_least: bool,
    },
    /// `dst = src[from .. len - to_end]` as a list (rest patterns).
    SliceList {
        dst: Reg,
        src: Reg,
        from: u16,
        to_end: u16,
    },

    /// `e!`
    Unwrap(Reg, Reg),
    /// Converts `src` to `kind` at a typed boundary (`Int` to `Float` widening, dynamic checks).
    Convert {
        dst: Reg,
        src: Reg,
        kind: Kind,
    },
    /// A call of a tool alias (LANGUAGE.md 5.15): `site` indexes `Program::tool_sites`; the
    /// argument values are in `args..`.
    CallTool {
        dst: Reg,
        site: u32,
        args: Reg,
    },
    /// `src expect schema T`: `schema` indexes `Program::schemas`.
    ExpectSchema {
        dst: Reg,
        src: Reg,
        schema: u32,
    },
    /// `return v` inside a `handle` body: wraps `v` so that the `handle` returns it from the
    /// enclosing cell.
    Escape(Reg),
    /// Unless the register holds an escape, jump; otherwise unwrap it in place.
    JumpIfNotEscape(Reg, i32),
    /// `dst = box(src)`: a variable a `handle` body assigns, shared with the enclosing cell.
    MakeBox(Reg, Reg),
    /// `dst = *src` (the value in a box).
    Unbox(Reg, Reg),
    /// `*dst = src`.
    BoxSet(Reg, Reg),
    /// A loop is left early: if the iterator in the register reads a suspended generator, the
    /// generator is closed (its pending `defer`s run).
    IterClose(Reg),
    /// The Int elements of the list in `reg` become Floats (`let xs: list[Float] = [1, 2]`); with
    /// `only_mixed`, only when it also holds a Float (`[1, 2.5]` is a `list[Float]`).
    WidenElems {
        reg: Reg,
        only_mixed: bool,
    },
    /// `x as T`
    Cast {
        dst: Reg,
        src: Reg,
        kind: Kind,
    },
    /// Interpolation: `dst = display(src)` with format spec constant `spec` (`u32::MAX` = none).
    Format {
        dst: Reg,
        src: Reg,
        spec: u32,
    },
    /// Joins `count` strings in `start..` into `dst`.
    ConcatStrings {
        dst: Reg,
        start: Reg,
        count: u16,
    },
    /// Runtime error with the display of `src` as message (`halt`).
    Halt(Reg),
    /// Runtime error with constant message `msg`.
    Fail(u32),
    Emit(Reg),
    /// Registers the `defer` block starting at `pc` (absolute) with the current frame.
    DeferPush(u32),
    /// Runs the most recently registered `defer` block of the frame, then continues here.
    DeferRun,
    /// Ends a `defer` block.
    DeferEnd,
    /// `exit(code)`: unwinds every frame (running `defer` blocks) and ends the program.
    Exit(Reg),
    /// `perform effect.op(args)`; the effect and operation names are string constants.
    Perform {
        dst: Reg,
        effect: u32,
        op: u32,
        args: Reg,
        argc: u16,
    },
    /// Installs a handler and runs the body closure in `body`; `count` clauses are described
    /// by four registers each from `clauses`: effect name, operation name, clause closure,
    /// and whether the clause is tail-resumptive (a named `handler`'s operation).
    Handle {
        dst: Reg,
        body: Reg,
        clauses: Reg,
        count: u16,
    },
    /// `resume(v)` in a handler clause.
    Resume {
        dst: Reg,
        src: Reg,
    },
    /// `yield v` in a generator.
    Yield(Reg),
    /// `spawn(f, args...)`: the callee is in `args`, its arguments follow.
    Spawn {
        dst: Reg,
        args: Reg,
        argc: u16,
    },
    /// `await v`: waits for every future in `v` (re-executed until all are done).
    Await {
        dst: Reg,
        src: Reg,
    },
    /// `await race` / `await select` over the tuple of branch values in `src`: the first to
    /// complete (with a non-null value for `select`); the others are cancelled.
    AwaitFirst {
        dst: Reg,
        src: Reg,
        non_null: bool,
    },
    /// A new process or agent instance of type `ty` whose state map is in `init`.
    MakeInstance {
        dst: Reg,
        ty: u32,
        init: Reg,
    },
}

/// Debug information for one instruction: the source line.
pub type Line = u32;

#[derive(Clone, Debug, Default)]
pub struct Function {
    pub name: String,
    /// Index into `Program::files`.
    pub file: u32,
    pub params: Vec<String>,
    /// Parameters a caller must pass (those before the first default).
    pub required: u16,
    /// Index of the variadic parameter, if any.
    pub variadic: Option<u16>,
    pub ncaptures: u16,
    pub nregs: u16,
    pub code: Vec<Instr>,
    pub lines: Vec<Line>,
    pub consts: Vec<Const>,
    /// Named function values display as `<fn name>`; lambdas as `<fn>`.
    pub is_lambda: bool,
    /// A `-> yield T` cell: calling it makes a generator.
    pub is_generator: bool,
    /// An `async` cell: calling it starts a task and returns its future.
    pub is_async: bool,
}

impl Function {
    pub fn line_at(&self, pc: usize) -> Line {
        self.lines.get(pc).copied().unwrap_or(0)
    }
}
