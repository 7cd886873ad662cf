//! Moving, cloning and dropping values in register slots without store-forwarding stalls.
//!
//! One 16-byte load of a value written a moment ago by narrower stores (an Int result writes only
//! its payload word, a Float its tag byte and payload) waits until those stores retire, a dozen
//! cycles each time. The interpreter therefore moves values as tag byte + payload word
//! (`Value` is `repr(C, u8)`), writes clones straight into their destination, and never lets a
//! fresh value wait on the Rust stack across a call.

use std::rc::Rc;

use crate::value::Value;

/// Drops the registers above `len`, without a drop call for scalars.
#[inline(always)]
pub(super) fn truncate_regs(regs: &mut Vec<Value>, len: usize) {
    let end = regs.len();
    if len >= end {
        return;
    }
    // SAFETY: the length is cut first, so the tail is owned here and dropped exactly once;
    // scalars own nothing and are skipped without a call into `drop_in_place`.
    unsafe {
        regs.set_len(len);
        let tail = regs.as_mut_ptr().add(len);
        for i in 0..end - len {
            let slot = tail.add(i);
            if !matches!(*slot, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null) {
                std::ptr::drop_in_place(slot);
            }
        }
    }
}

/// Copies the value at `src` to `dst` bit for bit, as its tag byte and its payload word.
///
/// One 16-byte copy of a value written a moment ago by narrower stores (an Int result writes
/// only its payload, a Float its tag and payload) waits until those stores retire: a
/// store-forwarding stall of a dozen cycles on every call and return. Two loads each matching an
/// earlier store forward at once. `Value` is `repr(C, u8)`: tag at 0, payload word at 8.
///
/// # Safety
/// Both point at values; `dst` owns nothing that needs dropping, and the caller makes sure the
/// value at `src` ends up owned once (moved out, or a scalar).
#[inline(always)]
pub(super) unsafe fn copy_value(src: *const Value, dst: *mut Value) {
    use std::mem::MaybeUninit;
    unsafe {
        let (s, d) = (src.cast::<u8>(), dst.cast::<u8>());
        d.write(s.read());
        d.add(8).cast::<MaybeUninit<u64>>().write(s.add(8).cast::<MaybeUninit<u64>>().read());
    }
}

/// Moves the value at `src` to `dst`, leaving `Null` at `src` (see [`copy_value`]).
///
/// # Safety
/// Both point at values (`dst` possibly uninitialised); `dst` owns nothing that needs dropping.
#[inline(always)]
pub(super) unsafe fn move_value(src: *mut Value, dst: *mut Value) {
    unsafe {
        copy_value(src, dst);
        src.cast::<u8>().write(NULL_TAG);
    }
}

/// Moves the value out of `src`, leaving `Null` there (`std::mem::take` without the wide load).
///
/// # Safety
/// `src` points at a value.
#[inline(always)]
pub(super) unsafe fn take_value(src: *mut Value) -> Value {
    let mut out = std::mem::MaybeUninit::<Value>::uninit();
    unsafe {
        move_value(src, out.as_mut_ptr());
        out.assume_init()
    }
}

/// The tag byte of `Value::Null` (the first variant of a `repr(C, u8)` enum).
const NULL_TAG: u8 = 0;

/// Replaces the value at `dst` with a clone of the value at `src`, writing the clone straight
/// into `dst`: a clone made first and stored after the old value's drop call would wait on the
/// Rust stack across the call and be read back with a wide load (see [`copy_value`]). `src` may
/// be owned by the old value (`x = xs[i]` into `xs`'s register): it is counted first and the old
/// value dropped last.
///
/// # Safety
/// Both point at live values.
#[inline(always)]
pub(super) unsafe fn assign_clone(dst: *mut Value, src: *const Value) {
    unsafe {
        if !is_scalar(&*src) {
            clone_count(&*src);
        }
        if is_scalar(&*dst) {
            copy_value(src, dst);
        } else {
            let old = std::ptr::read(dst);
            copy_value(src, dst);
            drop(old);
        }
    }
}

/// Appends a clone of the value at `src` to `items`, written in place (see [`assign_clone`]).
///
/// # Safety
/// `src` points at a live value that `items` does not own.
#[inline(always)]
pub(super) unsafe fn push_clone(items: &mut Vec<Value>, src: *const Value) {
    items.reserve(1);
    unsafe {
        if !is_scalar(&*src) {
            clone_count(&*src);
        }
        let len = items.len();
        copy_value(src, items.as_mut_ptr().add(len));
        items.set_len(len + 1);
    }
}

/// Moves the `n` values from `at` on into a new vector, leaving `Null`s behind.
///
/// # Safety
/// `at..at + n` are live values.
#[inline(always)]
pub(super) unsafe fn take_regs(at: *mut Value, n: usize) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(n);
    unsafe {
        for i in 0..n {
            move_value(at.add(i), out.as_mut_ptr().add(i));
        }
        out.set_len(n);
    }
    out
}

/// Whether `v` owns nothing (dropping it is a no-op).
#[inline(always)]
pub(super) fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null)
}

/// Clones a value inline: no call into `Clone::clone` (whose result comes back through memory
/// and is then read with a wide load, see [`copy_value`]).
#[inline(always)]
pub(super) fn clone_fast(v: &Value) -> Value {
    // Every variant that owns something is one `Rc`: count the new owner, then copy the bits.
    // Scalars (the common case) take one comparison, not the jump through `clone_count`'s table.
    if !is_scalar(v) {
        clone_count(v);
    }
    let mut out = std::mem::MaybeUninit::<Value>::uninit();
    // SAFETY: the new owner was counted above (or the value owns nothing), so the bit copy is a
    // clone.
    unsafe {
        copy_value(v, out.as_mut_ptr());
        out.assume_init()
    }
}

/// Counts one more owner of the `Rc` inside `v` (nothing for scalars). A variant of another
/// shape than one `Rc` must be handled here: the match is exhaustive.
#[inline(always)]
fn clone_count(v: &Value) {
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        Value::Str(r) => std::mem::forget(r.clone()),
        Value::Bytes(r) => std::mem::forget(Rc::clone(r)),
        Value::List(r) | Value::Tuple(r) => std::mem::forget(Rc::clone(r)),
        Value::Map(r) => std::mem::forget(Rc::clone(r)),
        Value::Set(r) => std::mem::forget(Rc::clone(r)),
        Value::Record(r) => std::mem::forget(Rc::clone(r)),
        Value::Enum(r) => std::mem::forget(Rc::clone(r)),
        Value::Range(r) => std::mem::forget(Rc::clone(r)),
        Value::Func(r) => std::mem::forget(Rc::clone(r)),
        Value::Handle(r) => std::mem::forget(Rc::clone(r)),
    }
}

/// Stores into a register, skipping the drop call when the old value is a scalar.
#[inline(always)]
pub(super) fn store_fast(slot: &mut Value, v: Value) {
    match slot {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null => {
            // The old value owns nothing.
            std::mem::forget(std::mem::replace(slot, v));
        }
        _ => *slot = v,
    }
}
