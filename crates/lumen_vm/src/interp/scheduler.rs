//! Tasks and their cooperative scheduler (LANGUAGE.md 5.13).
//!
//! Every task owns a whole frame stack (frames, registers, installed handlers). The running
//! task's stack lives in the `Vm` fields the interpreter loop uses; a suspended task's stack is
//! moved into a [`TaskSlot`]. A task runs until it finishes, fails, or parks: `await` on a
//! pending future blocks it, `sleep` puts it to sleep on the scheduler's clock. Ready tasks run
//! in FIFO order; when none is ready the clock advances to the earliest sleeper (sleeping for
//! real through the host), so runs are deterministic.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::control::HandlerRec;
use super::{AbortStop, Fault, Frame, RuntimeError, Step, Vm};
use crate::value::{HandleObj, Opaque, Value};

pub(super) type FutureRef = Rc<RefCell<HandleObj>>;

/// A future's task.
pub(super) enum TaskState {
    /// Not started: its first frame, suspended.
    Pending {
        frame: Frame,
        regs: Vec<Value>,
    },
    /// Started; its stack is running or parked. `cancel`: unwind it when it next runs.
    Running {
        cancel: bool,
    },
    /// Finished with a value, as the `seq`-th task to complete.
    Done(Value, u64),
    /// Failed; `observed` once some `await` has raised the error.
    Failed {
        error: RuntimeError,
        observed: bool,
    },
    Cancelled,
}

/// A task's frame stack while it is not running.
#[derive(Default)]
pub(super) struct Stack {
    frames: Vec<Frame>,
    regs: Vec<Value>,
    handlers: Vec<HandlerRec>,
    aborts: Vec<AbortStop>,
    unwinding: Option<Fault>,
}

/// A task waiting for its turn. `stack: None` means not started yet (the future holds its
/// first frame); `future: None` is the program's main task.
pub(super) struct TaskSlot {
    stack: Option<Stack>,
    future: Option<FutureRef>,
}

/// Why the running task stopped without finishing.
pub(super) enum Park {
    /// `await` on a future that has not completed; the instruction runs again when woken.
    Blocked,
    /// `sleep(ms)`.
    Sleep(u64),
}

/// The scheduler's queues.
#[derive(Default)]
pub(super) struct Scheduler {
    ready: VecDeque<TaskSlot>,
    blocked: Vec<TaskSlot>,
    /// `(wake time, order of sleeping, task)`.
    sleeping: Vec<(u64, u64, TaskSlot)>,
    /// The running task's future (`None`: main).
    pub current: Option<FutureRef>,
    /// Set by the interpreter when the running task parks.
    pub park: Option<Park>,
    /// Milliseconds since the program started, as far as sleeping tasks are concerned.
    clock_ms: u64,
    completed: u64,
    sleeps: u64,
    /// Futures of tasks that failed, to report if never awaited.
    failures: Vec<FutureRef>,
}

impl Scheduler {
    /// Whether tasks other than the running one exist (then `sleep` yields to them).
    pub fn others_exist(&self) -> bool {
        !self.ready.is_empty() || !self.blocked.is_empty() || !self.sleeping.is_empty()
    }
}

pub(super) fn new_future(state: TaskState) -> Value {
    Value::Handle(Rc::new(RefCell::new(HandleObj::Future(Opaque(Box::new(state))))))
}

fn task_state(handle: &FutureRef) -> Option<std::cell::RefMut<'_, TaskState>> {
    std::cell::RefMut::filter_map(handle.borrow_mut(), |h| match h {
        HandleObj::Future(Opaque(any)) => any.downcast_mut::<TaskState>(),
        _ => None,
    })
    .ok()
}

fn as_future(v: &Value) -> Option<&FutureRef> {
    match v {
        Value::Handle(h) if matches!(&*h.borrow(), HandleObj::Future(_)) => Some(h),
        _ => None,
    }
}

/// Whether `v` is a future whose task has finished (`None`: not a future).
pub(crate) fn future_is_done(v: &Value) -> Option<bool> {
    let h = as_future(v)?;
    let state = task_state(h)?;
    Some(!matches!(&*state, TaskState::Pending { .. } | TaskState::Running { .. }))
}

/// What `await` found.
pub(super) enum Awaited {
    Ready(Value),
    /// Some future is still running: the task must wait.
    Pending,
}

/// How one element of a `race`/`select` stands.
enum Outcome {
    Value(Value, u64),
    Failed(String),
    Running,
}

impl<'h> Vm<'h> {
    /// A new task for `frame`: its future, queued to run after the tasks already ready.
    pub(super) fn spawn_task(&mut self, frame: Frame, regs: Vec<Value>) -> Value {
        let future = new_future(TaskState::Pending { frame, regs });
        if let Some(h) = as_future(&future) {
            self.sched.ready.push_back(TaskSlot { stack: None, future: Some(h.clone()) });
        }
        future
    }

    /// Waits for the futures inside `v` (LANGUAGE.md 5.13): the same structure with values,
    /// or `Pending`.
    pub(super) fn await_value(&mut self, v: &Value) -> Step<Awaited> {
        if let Some(h) = as_future(v) {
            return match self.outcome(h) {
                Outcome::Value(v, _) => Ok(Awaited::Ready(v)),
                Outcome::Failed(message) => Err(message),
                Outcome::Running => Ok(Awaited::Pending),
            };
        }
        let collect = |vm: &mut Self, items: &[Value]| -> Step<Option<Vec<Value>>> {
            let mut out = Vec::with_capacity(items.len());
            let mut pending = false;
            for item in items {
                match vm.await_value(item)? {
                    Awaited::Ready(v) => out.push(v),
                    Awaited::Pending => pending = true,
                }
            }
            Ok(if pending { None } else { Some(out) })
        };
        match v {
            Value::List(items) | Value::Tuple(items) => Ok(match collect(self, items)? {
                Some(out) if matches!(v, Value::Tuple(_)) => Awaited::Ready(Value::tuple(out)),
                Some(out) => Awaited::Ready(Value::list(out)),
                None => Awaited::Pending,
            }),
            Value::Map(map) => {
                let values: Vec<Value> = map.iter().map(|(_, v)| v.clone()).collect();
                let Some(done) = collect(self, &values)? else { return Ok(Awaited::Pending) };
                let mut out = crate::value::MapObj::default();
                for ((k, _), v) in map.iter().zip(done) {
                    out.insert(k.clone(), v);
                }
                Ok(Awaited::Ready(Value::map(out)))
            }
            other => Ok(Awaited::Ready(other.clone())),
        }
    }

    /// `await race` (`select` with `non_null`): the value of the first branch to complete
    /// (with a non-`null` value); the other branches are cancelled.
    pub(super) fn await_first(&mut self, v: &Value, non_null: bool) -> Step<Awaited> {
        let items: Vec<Value> = match v {
            Value::List(items) | Value::Tuple(items) => items.to_vec(),
            other => vec![other.clone()],
        };
        let mut best: Option<(u64, usize, Value)> = None;
        let mut running = false;
        let mut last_error = None;
        for (i, item) in items.iter().enumerate() {
            let outcome = match as_future(item) {
                Some(h) => self.outcome(h),
                None => Outcome::Value(item.clone(), 0),
            };
            match outcome {
                Outcome::Value(v, seq) => {
                    let counts = !(non_null && v == Value::Null);
                    if counts && best.as_ref().is_none_or(|(s, _, _)| seq < *s) {
                        best = Some((seq, i, v));
                    }
                }
                Outcome::Failed(message) => last_error = Some(message),
                Outcome::Running => running = true,
            }
        }
        if let Some((_, winner, v)) = best {
            for (i, item) in items.iter().enumerate() {
                if i != winner
                    && let Some(h) = as_future(item)
                {
                    self.cancel(h);
                }
            }
            return Ok(Awaited::Ready(v));
        }
        if running {
            return Ok(Awaited::Pending);
        }
        match last_error {
            Some(message) if !non_null || items.iter().all(|i| as_future(i).is_some_and(|h| self.failed(h))) => {
                Err(message)
            }
            _ => Ok(Awaited::Ready(Value::Null)),
        }
    }

    fn failed(&self, h: &FutureRef) -> bool {
        task_state(h).is_some_and(|s| matches!(&*s, TaskState::Failed { .. }))
    }

    fn outcome(&self, h: &FutureRef) -> Outcome {
        let Some(mut state) = task_state(h) else { return Outcome::Failed("not a future".into()) };
        match &mut *state {
            TaskState::Done(v, seq) => Outcome::Value(v.clone(), *seq),
            TaskState::Failed { error, observed } => {
                *observed = true;
                Outcome::Failed(error.message.clone())
            }
            TaskState::Cancelled => Outcome::Failed("the awaited task was cancelled".into()),
            TaskState::Pending { .. } | TaskState::Running { .. } => Outcome::Running,
        }
    }

    /// Cancels a task that has not completed: one not started never runs; a started one
    /// unwinds (running its `defer` blocks) when it next gets its turn.
    fn cancel(&mut self, h: &FutureRef) {
        let Some(mut state) = task_state(h) else { return };
        match &mut *state {
            TaskState::Pending { .. } => *state = TaskState::Cancelled,
            TaskState::Running { cancel } => {
                *cancel = true;
                drop(state);
                // Move it to the ready queue so that its unwinding happens soon.
                let is_it = |slot: &TaskSlot| slot.future.as_ref().is_some_and(|f| Rc::ptr_eq(f, h));
                if let Some(i) = self.sched.blocked.iter().position(is_it) {
                    let slot = self.sched.blocked.remove(i);
                    self.sched.ready.push_back(slot);
                } else if let Some(i) = self.sched.sleeping.iter().position(|(_, _, s)| is_it(s)) {
                    let (_, _, slot) = self.sched.sleeping.remove(i);
                    self.sched.ready.push_back(slot);
                }
            }
            _ => {}
        }
    }

    /// `sleep(ms)` in a program with other tasks: the running task parks until the clock
    /// reaches its wake time.
    pub(super) fn sleep_task(&mut self, ms: u64) {
        self.sched.park = Some(Park::Sleep(ms));
    }

    /// Runs the entry cell as the main task, then every task left, and returns main's value.
    pub(super) fn run_tasks(&mut self, slot: usize) -> Result<Value, Fault> {
        let mut main_value = None;
        loop {
            let outcome = self.execute(0);
            match (outcome, self.sched.park.take()) {
                (Ok(()), Some(park)) => {
                    let slot = TaskSlot { stack: Some(self.take_stack()), future: self.sched.current.take() };
                    match park {
                        Park::Blocked => self.sched.blocked.push(slot),
                        Park::Sleep(ms) => {
                            self.sched.sleeps += 1;
                            let wake = self.sched.clock_ms.saturating_add(ms);
                            self.sched.sleeping.push((wake, self.sched.sleeps, slot));
                        }
                    }
                }
                (Ok(()), None) => match self.sched.current.take() {
                    None => main_value = Some(std::mem::take(&mut self.regs[slot])),
                    Some(h) => {
                        if let Some(mut state) = task_state(&h)
                            && matches!(&*state, TaskState::Running { .. })
                        {
                            // Unwound after a cancellation.
                            *state = TaskState::Cancelled;
                        }
                        self.wake_blocked();
                    }
                },
                (Err(Fault::Error(error)), _) => match self.sched.current.take() {
                    None => return Err(Fault::Error(error)),
                    Some(h) => {
                        if let Some(mut state) = task_state(&h) {
                            *state = TaskState::Failed { error, observed: false };
                        }
                        self.sched.failures.push(h);
                        self.take_stack();
                        self.wake_blocked();
                    }
                },
                (Err(fault), _) => return Err(fault),
            }
            if !self.switch_to_next()? {
                break;
            }
        }
        for h in std::mem::take(&mut self.sched.failures) {
            if let Some(state) = task_state(&h)
                && let TaskState::Failed { error, observed: false } = &*state
            {
                let mut error = error.clone();
                error.message = format!("in spawned task: {}", error.message);
                return Err(Fault::Error(error));
            }
        }
        Ok(main_value.unwrap_or_default())
    }

    /// A task completed: tasks blocked on futures check again.
    fn wake_blocked(&mut self) {
        self.sched.completed += 1;
        let blocked = std::mem::take(&mut self.sched.blocked);
        self.sched.ready.extend(blocked);
    }

    /// Makes the next task current; `false` when no task is left.
    fn switch_to_next(&mut self) -> Result<bool, Fault> {
        loop {
            if let Some(slot) = self.sched.ready.pop_front() {
                if self.resume_task(slot) {
                    return Ok(true);
                }
                continue;
            }
            if !self.sched.sleeping.is_empty() {
                let i = (0..self.sched.sleeping.len())
                    .min_by_key(|&i| (self.sched.sleeping[i].0, self.sched.sleeping[i].1))
                    .unwrap_or(0);
                let (wake, _, slot) = self.sched.sleeping.remove(i);
                if wake > self.sched.clock_ms {
                    self.host.sleep_ms(wake - self.sched.clock_ms);
                    self.sched.clock_ms = wake;
                }
                self.sched.ready.push_back(slot);
                continue;
            }
            if !self.sched.blocked.is_empty() {
                // Every task waits for another: nothing can ever run again.
                let main_waits = self.sched.blocked.iter().any(|s| s.future.is_none());
                self.sched.blocked.clear();
                if main_waits {
                    return Err(Fault::Error(RuntimeError {
                        message: "deadlock: every task is waiting for another".into(),
                        trace: Vec::new(),
                    }));
                }
            }
            return Ok(false);
        }
    }

    /// Installs `slot` as the running task; `false` if it has nothing to run.
    fn resume_task(&mut self, slot: TaskSlot) -> bool {
        let TaskSlot { stack, future } = slot;
        match stack {
            Some(stack) => {
                let cancel = future
                    .as_ref()
                    .and_then(task_state)
                    .is_some_and(|s| matches!(&*s, TaskState::Running { cancel: true }));
                self.put_stack(stack);
                self.sched.current = future;
                if cancel {
                    self.abort_frames(0, Value::Null, usize::MAX);
                }
                true
            }
            None => {
                let Some(h) = future else { return false };
                let started = {
                    let Some(mut state) = task_state(&h) else { return false };
                    match std::mem::replace(&mut *state, TaskState::Running { cancel: false }) {
                        TaskState::Pending { frame, regs } => Some((frame, regs)),
                        other => {
                            *state = other;
                            None
                        }
                    }
                };
                let Some((mut frame, regs)) = started else { return false };
                frame.base = 0;
                frame.ret = usize::MAX;
                frame.ext().task = Some(h.clone());
                self.put_stack(Stack { frames: vec![frame], regs, ..Stack::default() });
                self.sched.current = Some(h);
                true
            }
        }
    }

    fn take_stack(&mut self) -> Stack {
        Stack {
            frames: std::mem::take(&mut self.frames),
            regs: std::mem::take(&mut self.regs),
            handlers: std::mem::take(&mut self.handlers),
            aborts: std::mem::take(&mut self.aborts),
            unwinding: self.unwinding.take(),
        }
    }

    fn put_stack(&mut self, stack: Stack) {
        self.frames = stack.frames;
        self.regs = stack.regs;
        self.handlers = stack.handlers;
        self.aborts = stack.aborts;
        self.unwinding = stack.unwinding;
    }

    /// A task's first frame returned `v`.
    pub(super) fn task_finished(&mut self, handle: &FutureRef, v: Value) {
        self.sched.completed += 1;
        let seq = self.sched.completed;
        if let Some(mut state) = task_state(handle) {
            *state = TaskState::Done(v, seq);
        }
    }
}
