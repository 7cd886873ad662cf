//! Regular expressions (LANGUAGE.md 6.11), with the syntax of the `regex` crate.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Captures, Regex};

use super::super::{BuiltinError, BuiltinResult, Ctx};
use super::text_arg;
use crate::value::Value;

/// How many compiled patterns each thread keeps.
pub(super) const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// The compiled `pattern` (cached; `Regex` clones share the compiled program).
fn compile(pattern: &str) -> Result<Regex, BuiltinError> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Regex::new(pattern).map_err(|e| BuiltinError::new(format!("invalid regex: {e}")))?;
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// `regex_match(s, pattern)`: `[whole, group1, ...]` for the first match (`""` for groups that
/// did not take part), or `null`.
pub(super) fn regex_match(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text_arg("regex_match", &args[0])?;
    let re = compile(text_arg("regex_match", &args[1])?)?;
    Ok(match re.captures(s) {
        Some(caps) => Value::list(caps.iter().map(|m| Value::str(m.map_or("", |m| m.as_str()))).collect()),
        None => Value::Null,
    })
}

/// `regex_find_all(s, pattern)`: every non-overlapping whole match.
pub(super) fn regex_find_all(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text_arg("regex_find_all", &args[0])?;
    let re = compile(text_arg("regex_find_all", &args[1])?)?;
    Ok(Value::list(re.find_iter(s).map(|m| Value::str(m.as_str())).collect()))
}

/// `regex_replace(s, pattern, replacement)`: replaces every match. In the replacement, `$1` or
/// `${1}` is a numbered group, `$name` or `${name}` a named one (a group that did not match, or
/// does not exist, is empty) and `$$` is a dollar sign. Unlike the `regex` crate's own syntax,
/// `$1a` is group 1 followed by `a`.
pub(super) fn regex_replace(_ctx: &mut Ctx<'_>, args: &[Value]) -> BuiltinResult {
    let s = text_arg("regex_replace", &args[0])?;
    let re = compile(text_arg("regex_replace", &args[1])?)?;
    let replacement = text_arg("regex_replace", &args[2])?;
    let out = re.replace_all(s, |caps: &Captures<'_>| {
        let mut out = String::new();
        expand(caps, replacement, &mut out);
        out
    });
    Ok(Value::string(out.into_owned()))
}

fn group_text<'h>(caps: &Captures<'h>, name: &str) -> &'h str {
    let m = match name.parse::<usize>() {
        Ok(i) if name.bytes().all(|b| b.is_ascii_digit()) => caps.get(i),
        _ => caps.name(name),
    };
    m.map_or("", |m| m.as_str())
}

fn expand(caps: &Captures<'_>, replacement: &str, out: &mut String) {
    let mut rest = replacement;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{')
            && let Some(close) = braced.find('}')
        {
            out.push_str(group_text(caps, &braced[..close]));
            rest = &braced[close + 1..];
        } else if after.starts_with(|c: char| c.is_ascii_digit()) {
            let end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
            out.push_str(group_text(caps, &after[..end]));
            rest = &after[end..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            let end = after.find(|c: char| !is_word(c)).unwrap_or(after.len());
            out.push_str(group_text(caps, &after[..end]));
            rest = &after[end..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
}
