//! `RcStr`: the string of a `Value`, immutable and reference-counted in one allocation.
//!
//! An `Rc<String>` costs two allocations and two pointer hops to reach the bytes (the counted box,
//! then the `String`'s buffer); `Rc<str>` would make `Value` 24 bytes (a fat pointer). `RcStr` is
//! one thin pointer to a block holding the count, the length and the bytes, so a string is one
//! allocation and map lookups on string keys touch one cache line less.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::borrow::Borrow;
use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;

#[repr(C)]
struct Header {
    count: Cell<usize>,
    len: usize,
}

/// A shared immutable string (see the module docs). Not `Send`: counts are not atomic.
pub struct RcStr(NonNull<Header>);

impl RcStr {
    fn layout(len: usize) -> Layout {
        Layout::new::<Header>().extend(Layout::array::<u8>(len).expect("string too long")).expect("string too long").0
    }

    pub fn new(s: &str) -> RcStr {
        RcStr::concat(&[s])
    }

    /// The parts one after the other, written straight into the new block (no `String` first).
    pub fn concat(parts: &[&str]) -> RcStr {
        let len = parts.iter().fold(0usize, |n, p| n.checked_add(p.len()).expect("string too long"));
        let layout = Self::layout(len);
        // SAFETY: the layout has a non-zero size (the header); the header is written first, then
        // exactly `len` bytes of UTF-8 (whole `str`s) into the space right after it.
        unsafe {
            let block = alloc(layout).cast::<Header>();
            let Some(block) = NonNull::new(block) else { handle_alloc_error(layout) };
            block.as_ptr().write(Header { count: Cell::new(1), len });
            let mut at = Self::bytes(block);
            for part in parts {
                std::ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
                at = at.add(part.len());
            }
            RcStr(block)
        }
    }

    /// The bytes right after the header.
    fn bytes(block: NonNull<Header>) -> *mut u8 {
        // SAFETY: the block is at least a header long; the offset stays inside it or one past it.
        unsafe { block.as_ptr().cast::<u8>().add(std::mem::size_of::<Header>()) }
    }

    fn header(&self) -> &Header {
        // SAFETY: the block lives while any `RcStr` points at it.
        unsafe { self.0.as_ref() }
    }

    pub fn as_str(&self) -> &str {
        let len = self.header().len;
        // SAFETY: `new` copied `len` bytes of a `str` there, and they never change.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(Self::bytes(self.0), len)) }
    }

    pub fn ptr_eq(a: &RcStr, b: &RcStr) -> bool {
        a.0 == b.0
    }
}

impl Clone for RcStr {
    #[inline]
    fn clone(&self) -> RcStr {
        let count = &self.header().count;
        let n = count.get().checked_add(1).unwrap_or_else(|| std::process::abort());
        count.set(n);
        RcStr(self.0)
    }
}

impl Drop for RcStr {
    #[inline]
    fn drop(&mut self) {
        let header = self.header();
        let n = header.count.get() - 1;
        if n > 0 {
            header.count.set(n);
            return;
        }
        let layout = Self::layout(header.len);
        // SAFETY: this was the last owner; the block was allocated with this layout.
        unsafe { dealloc(self.0.as_ptr().cast::<u8>(), layout) }
    }
}

impl std::ops::Deref for RcStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for RcStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for RcStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for RcStr {
    fn from(s: &str) -> RcStr {
        RcStr::new(s)
    }
}

impl From<String> for RcStr {
    fn from(s: String) -> RcStr {
        RcStr::new(&s)
    }
}

impl PartialEq for RcStr {
    fn eq(&self, other: &RcStr) -> bool {
        RcStr::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for RcStr {}

impl PartialOrd for RcStr {
    fn partial_cmp(&self, other: &RcStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RcStr {
    fn cmp(&self, other: &RcStr) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for RcStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for RcStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RcStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_and_shares_text() {
        let a = RcStr::new("héllo");
        let b = a.clone();
        assert_eq!(&*b, "héllo");
        assert_eq!(b.len(), 6);
        assert!(RcStr::ptr_eq(&a, &b));
        drop(a);
        assert_eq!(b.as_str(), "héllo");
        let empty = RcStr::from(String::new());
        assert_eq!(&*empty, "");
        assert_eq!(RcStr::from("x"), RcStr::new("x"));
        assert!(RcStr::new("a") < RcStr::new("b"));
        assert_eq!(&*RcStr::concat(&["ab", "", "ç", "d"]), "abçd");
        assert_eq!(&*RcStr::concat(&[]), "");
    }

    #[test]
    fn is_one_word() {
        assert_eq!(std::mem::size_of::<RcStr>(), 8);
        assert_eq!(std::mem::size_of::<Option<RcStr>>(), 8);
    }
}
