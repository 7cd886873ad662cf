//! Byte spans into the original source file.

use serde::Serialize;

/// A half-open byte range `start..end` into the *original* file text.
///
/// Markdown files are lexed from a copy in which prose is blanked out byte for byte,
/// so offsets in that copy are offsets in the original file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const DUMMY: Span = Span { start: 0, end: 0 };

    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// An empty span at the end of this one.
    pub fn end_point(self) -> Span {
        Span { start: self.end, end: self.end }
    }
}

impl Span {
    /// This span, extended to end no earlier than `other`.
    pub fn max_end(self, other: Span) -> Span {
        Span { start: self.start, end: self.end.max(other.end) }
    }
}
