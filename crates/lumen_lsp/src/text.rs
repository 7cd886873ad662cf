//! Text plumbing: byte offsets to LSP positions (UTF-16 columns), identifiers at a position, and
//! `file:` URIs to paths and back.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use lumen_syntax::Span;

/// Line starts of a text, for converting between byte offsets and LSP positions.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The position of a byte offset; offsets past the end or inside a character are clamped.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let col: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position { line: line as u32, character: col as u32 }
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range { start: self.position(text, span.start as usize), end: self.position(text, span.end as usize) }
    }

    /// The byte offset of a position; a column past the end of its line means the line's end.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&e| e - 1);
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

pub fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier touching `offset` (the cursor may sit just after it), with its span.
pub fn word_at(text: &str, offset: usize) -> Option<(String, Span)> {
    let offset = floor_boundary(text, offset.min(text.len()));
    let start =
        text[..offset].char_indices().rev().take_while(|&(_, c)| is_ident_char(c)).last().map_or(offset, |(i, _)| i);
    let end = offset + text[offset..].chars().take_while(|&c| is_ident_char(c)).map(char::len_utf8).sum::<usize>();
    let word = &text[start..end];
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((word.to_owned(), Span::new(start, end)))
}

/// The identifier written just before `.` when `start` (the beginning of a word) follows one:
/// the receiver of a member access such as `Color.Red` or `user.name`.
pub fn receiver_before(text: &str, start: usize) -> Option<String> {
    let before = text[..start].trim_end_matches([' ', '\t']);
    let before = before.strip_suffix('.')?.trim_end_matches([' ', '\t']);
    let ident: String =
        before.chars().rev().take_while(|&c| is_ident_char(c)).collect::<Vec<_>>().into_iter().rev().collect();
    (!ident.is_empty()).then_some(ident)
}

/// The path of a `file:` URI (percent-decoded); `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out).into_owned()))
}

/// The `file:` URI of an absolute path, percent-encoding everything but unreserved bytes and `/`.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let path = std::path::absolute(path).ok()?;
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_round_trip() {
        let text = "let é = \"😀x\"\nnext";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let pos = idx.position(text, x);
        // `let é = "` is 9 UTF-16 units, the emoji 2 more.
        assert_eq!(pos, Position { line: 0, character: 11 });
        assert_eq!(idx.offset(text, pos), x);
        assert_eq!(idx.position(text, text.find("next").unwrap()), Position { line: 1, character: 0 });
    }

    #[test]
    fn words_and_receivers() {
        let text = "x = Color.Red";
        let at = text.find("Red").unwrap() + 1;
        let (word, span) = word_at(text, at).unwrap();
        assert_eq!(word, "Red");
        assert_eq!(receiver_before(text, span.start as usize).as_deref(), Some("Color"));
        assert_eq!(receiver_before(text, 0), None);
    }

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a b/c.lm");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/c.lm");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
    }
}
