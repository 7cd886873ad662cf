//! Grants merged into an effective policy and checked on every call (LANGUAGE.md 7.2, 5.15 step 2).
//!
//! A failed check yields a [`Violation`]; the caller reports it as
//! `tool policy violation: <Alias>: <key>: <detail>` and sends nothing.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Number, Value};

use crate::canon::{canonical_json, sha256_hex};
use crate::request::Grant;

/// A failed constraint: the grant key and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub key: String,
    pub detail: String,
}

impl Violation {
    fn new(key: &str, detail: impl Into<String>) -> Violation {
        Violation { key: key.to_owned(), detail: detail.into() }
    }

    /// The complete runtime-error message for the VM.
    pub fn render(&self, alias: &str) -> String {
        format!("tool policy violation: {alias}: {}: {}", self.key, self.detail)
    }
}

/// The merge of every grant visible for one alias.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// Host patterns; `None` when no grant names a domain (any URL, or none, is fine).
    pub domains: Option<Vec<String>>,
    pub timeout_ms: Option<u64>,
    pub max_calls: Option<u64>,
    pub max_retries: Option<u32>,
    /// Upper-case HTTP methods.
    pub methods: Option<Vec<String>>,
    /// Normalized path prefixes.
    pub path_prefixes: Option<Vec<String>>,
    /// `max_<name>` bounds (`max_tokens` included), keyed by the argument they bound.
    pub upper: Vec<(String, Number)>,
    /// `min_<name>` bounds.
    pub lower: Vec<(String, Number)>,
    /// Keys whose argument must equal the value, or default to it.
    pub exact: Vec<(String, Value)>,
    /// SHA-256 of the grants' canonical JSON, recorded in traces.
    pub hash: String,
}

/// The outcome of a successful check: the arguments with defaults filled in, and the limits the
/// provider call runs under.
#[derive(Clone, Debug, PartialEq)]
pub struct Approved {
    pub args: Map<String, Value>,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
}

impl Policy {
    /// Merges grants in order (LANGUAGE.md 7.2): domains, methods and path prefixes accumulate, numeric
    /// bounds take the most restrictive value, exact keys must agree. No constraints at all is a bare
    /// `grant Alias`: unrestricted use (the compiler rejects calls of aliases that have no grant line).
    pub fn merge(grants: &[Grant]) -> Result<Policy, Violation> {
        let mut policy = Policy::default();
        for grant in grants {
            policy.add(grant)?;
        }
        let listed: Vec<Value> =
            grants.iter().map(|g| Value::Array(vec![g.key.clone().into(), g.value.clone()])).collect();
        policy.hash = sha256_hex(canonical_json(&Value::Array(listed)).as_bytes());
        Ok(policy)
    }

    fn add(&mut self, grant: &Grant) -> Result<(), Violation> {
        let key = grant.key.as_str();
        let value = &grant.value;
        match key {
            // Checked by the compiler (LANGUAGE.md 7.2); nothing to enforce per call.
            "effect" | "effects" => {}
            "domain" => {
                let patterns = strings(key, value)?;
                self.domains.get_or_insert_with(Vec::new).extend(patterns.into_iter().map(|p| p.to_ascii_lowercase()));
            }
            "methods" => {
                let methods = strings(key, value)?;
                let list = self.methods.get_or_insert_with(Vec::new);
                for method in methods {
                    let method = method.to_ascii_uppercase();
                    if !list.contains(&method) {
                        list.push(method);
                    }
                }
            }
            "path_prefix" => {
                let prefixes = strings(key, value)?;
                self.path_prefixes.get_or_insert_with(Vec::new).extend(prefixes.iter().map(|p| normalize_path(p)));
            }
            "timeout_ms" => {
                let ms = positive_int(key, value)?;
                self.timeout_ms = Some(self.timeout_ms.map_or(ms, |old| old.min(ms)));
            }
            "max_calls" => {
                let n = non_negative_int(key, value)?;
                self.max_calls = Some(self.max_calls.map_or(n, |old| old.min(n)));
            }
            "max_retries" => {
                let n = u32::try_from(non_negative_int(key, value)?).unwrap_or(u32::MAX);
                self.max_retries = Some(self.max_retries.map_or(n, |old| old.min(n)));
            }
            _ if bound_name(key, "max_").is_some() => {
                let n = number(key, value)?;
                merge_bound(&mut self.upper, key, n, Ordering::Less);
            }
            _ if bound_name(key, "min_").is_some() => {
                let n = number(key, value)?;
                merge_bound(&mut self.lower, key, n, Ordering::Greater);
            }
            _ => match self.exact.iter().find(|(k, _)| k == key) {
                Some((_, old)) if !same_value(old, value) => {
                    return Err(Violation::new(
                        key,
                        format!("conflicting grants: {} and {}", compact(old), compact(value)),
                    ));
                }
                Some(_) => {}
                None => self.exact.push((key.to_owned(), value.clone())),
            },
        }
        Ok(())
    }

    /// Checks one call whose alias has already been called `calls_made` times in this run.
    pub fn check(&self, path: &str, args: &Map<String, Value>, calls_made: u64) -> Result<Approved, Violation> {
        let mut args = args.clone();
        if let Some(limit) = self.max_calls
            && calls_made >= limit
        {
            return Err(Violation::new("max_calls", format!("limit of {limit} call(s) per run reached")));
        }
        if let Some(patterns) = &self.domains {
            self.check_domain(patterns, &args)?;
        }
        if let Some(methods) = &self.methods {
            let method = match args.get("method") {
                Some(Value::String(m)) => m.to_ascii_uppercase(),
                Some(other) => {
                    return Err(Violation::new("methods", format!("method must be a String, got {}", compact(other))));
                }
                None => match default_method(path) {
                    Some(m) => m.to_owned(),
                    None => return Err(Violation::new("methods", "the call has no method argument")),
                },
            };
            if !methods.contains(&method) {
                return Err(Violation::new(
                    "methods",
                    format!("method {method} is not granted (granted: {})", methods.join(", ")),
                ));
            }
        }
        if let Some(prefixes) = &self.path_prefixes {
            let path_arg = match args.get("path") {
                Some(Value::String(p)) => p,
                Some(other) => {
                    return Err(Violation::new(
                        "path_prefix",
                        format!("path must be a String, got {}", compact(other)),
                    ));
                }
                None => return Err(Violation::new("path_prefix", "the call has no path argument")),
            };
            let normalized = normalize_path(path_arg);
            if !prefixes.iter().any(|prefix| has_path_prefix(&normalized, prefix)) {
                return Err(Violation::new(
                    "path_prefix",
                    format!("path {} is outside the granted prefixes ({})", quoted(path_arg), prefixes.join(", ")),
                ));
            }
        }
        let timeout_ms = match (args.get("timeout_ms"), self.timeout_ms) {
            (Some(value), granted) => {
                let Some(requested) = value.as_u64().filter(|&ms| ms > 0) else {
                    return Err(Violation::new(
                        "timeout_ms",
                        format!("expected a positive Int, got {}", compact(value)),
                    ));
                };
                if let Some(granted) = granted
                    && requested > granted
                {
                    return Err(Violation::new(
                        "timeout_ms",
                        format!("requested {requested} ms exceeds the granted {granted} ms"),
                    ));
                }
                Some(requested)
            }
            (None, Some(granted)) => {
                args.insert("timeout_ms".to_owned(), Value::from(granted));
                Some(granted)
            }
            (None, None) => None,
        };
        for (key, bound) in &self.upper {
            check_bound(&mut args, key, bound, Ordering::Greater, true)?;
        }
        for (key, bound) in &self.lower {
            check_bound(&mut args, key, bound, Ordering::Less, false)?;
        }
        for (key, expected) in &self.exact {
            match args.get(key) {
                Some(given) if !same_value(given, expected) => {
                    return Err(Violation::new(
                        key,
                        format!("{} is not the granted value {}", compact(given), compact(expected)),
                    ));
                }
                Some(_) => {}
                None => {
                    args.insert(key.clone(), expected.clone());
                }
            }
        }
        Ok(Approved { args, timeout: timeout_ms.map(Duration::from_millis), max_retries: self.max_retries })
    }

    fn check_domain(&self, patterns: &[String], args: &Map<String, Value>) -> Result<(), Violation> {
        let url = match args.get("url") {
            Some(Value::String(url)) => url,
            Some(other) => {
                return Err(Violation::new("domain", format!("url must be a String, got {}", compact(other))));
            }
            None => return Err(Violation::new("domain", "the call has no url argument")),
        };
        let Some(host) = url_host(url) else {
            return Err(Violation::new("domain", format!("cannot find a host in url {}", quoted(url))));
        };
        if patterns.iter().any(|pattern| host_matches(pattern, &host)) {
            Ok(())
        } else {
            Err(Violation::new(
                "domain",
                format!("host {} is not granted (granted: {})", quoted(&host), patterns.join(", ")),
            ))
        }
    }
}

/// `max_` or `min_` followed by a non-empty name.
fn bound_name<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    key.strip_prefix(prefix).filter(|name| !name.is_empty())
}

fn merge_bound(bounds: &mut Vec<(String, Number)>, key: &str, n: Number, keep_when: Ordering) {
    match bounds.iter_mut().find(|(k, _)| k == key) {
        Some((_, old)) => {
            if compare_numbers(&n, old) == keep_when {
                *old = n;
            }
        }
        None => bounds.push((key.to_owned(), n)),
    }
}

/// Checks argument `key` against `bound`: fails when the argument compares as `fails_when`; fills the
/// bound in when the argument is absent and `default` is set.
fn check_bound(
    args: &mut Map<String, Value>,
    key: &str,
    bound: &Number,
    fails_when: Ordering,
    default: bool,
) -> Result<(), Violation> {
    match args.get(key) {
        Some(Value::Number(given)) if compare_numbers(given, bound) == fails_when => {
            let relation = if fails_when == Ordering::Greater {
                "exceeds the granted maximum"
            } else {
                "is below the granted minimum"
            };
            return Err(Violation::new(key, format!("{given} {relation} {bound}")));
        }
        Some(Value::Number(_)) => {}
        Some(other) => return Err(Violation::new(key, format!("expected a number, got {}", compact(other)))),
        None if default => {
            args.insert(key.to_owned(), Value::Number(bound.clone()));
        }
        None => {}
    }
    Ok(())
}

/// Numbers compare exactly when both are integers, as floats otherwise.
fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let (x, y) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

/// JSON equality where `1` equals `1.0`.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y) == Ordering::Equal,
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(k, x)| ys.get(k).is_some_and(|y| same_value(x, y)))
        }
        _ => a == b,
    }
}

fn strings(key: &str, value: &Value) -> Result<Vec<String>, Violation> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(Violation::new(key, format!("grant value must be a String, got {}", compact(other)))),
            })
            .collect(),
        other => Err(Violation::new(
            key,
            format!("grant value must be a String or a list of Strings, got {}", compact(other)),
        )),
    }
}

fn number(key: &str, value: &Value) -> Result<Number, Violation> {
    match value {
        Value::Number(n) => Ok(n.clone()),
        other => Err(Violation::new(key, format!("grant value must be a number, got {}", compact(other)))),
    }
}

fn non_negative_int(key: &str, value: &Value) -> Result<u64, Violation> {
    value
        .as_u64()
        .ok_or_else(|| Violation::new(key, format!("grant value must be an Int >= 0, got {}", compact(value))))
}

fn positive_int(key: &str, value: &Value) -> Result<u64, Violation> {
    value
        .as_u64()
        .filter(|&n| n > 0)
        .ok_or_else(|| Violation::new(key, format!("grant value must be an Int > 0, got {}", compact(value))))
}

/// The method an HTTP tool uses when the call names none.
pub fn default_method(path: &str) -> Option<&'static str> {
    match path {
        "http.get" | "http.request" => Some("GET"),
        "http.post" => Some("POST"),
        "http.put" => Some("PUT"),
        "http.delete" => Some("DELETE"),
        "http.patch" => Some("PATCH"),
        "http.head" => Some("HEAD"),
        _ => None,
    }
}

/// The host of a URL: after the scheme, before any port, path, query or fragment, without user info;
/// lower-cased, a trailing dot dropped, IPv6 brackets removed.
pub fn url_host(url: &str) -> Option<String> {
    let rest = match url.find("://") {
        Some(at) => &url[at + 3..],
        None => url,
    };
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = match authority.rfind('@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        &bracketed[..bracketed.find(']')?]
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() { None } else { Some(host.to_ascii_lowercase()) }
}

/// `*` any host; `*.example.com` that domain or any subdomain; otherwise ASCII case-insensitive equality.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(domain) => host == domain || host.strip_suffix(domain).is_some_and(|head| head.ends_with('.')),
        None => host == pattern,
    }
}

/// Lexical normalization: drops `.` and empty components, resolves `..` against earlier components
/// (a leading `..` of a relative path stays; at the root it is dropped).
pub fn normalize_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Whether normalized `path` lies at or under normalized `prefix`, comparing whole components.
pub fn has_path_prefix(path: &str, prefix: &str) -> bool {
    if path.starts_with('/') != prefix.starts_with('/') {
        return false;
    }
    if prefix == "." {
        return path != ".." && !path.starts_with("../");
    }
    if prefix == "/" {
        return true;
    }
    path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

/// The file-system half of `path_prefix`: `path` (already lexically inside a prefix) must still be
/// inside one after symbolic links are resolved. A path that does not exist yet is resolved through
/// its longest existing ancestor.
pub fn check_real_path(path: &str, prefixes: &[String]) -> Result<(), Violation> {
    let target = resolve_existing(Path::new(&normalize_path(path)));
    let inside = prefixes.iter().any(|prefix| {
        let prefix = resolve_existing(Path::new(prefix));
        target.starts_with(&prefix)
    });
    if inside {
        Ok(())
    } else {
        Err(Violation::new(
            "path_prefix",
            format!("path {} leads outside the granted prefixes through a symbolic link", quoted(path)),
        ))
    }
}

/// `path` made absolute with its longest existing ancestor canonicalized (links resolved) and the
/// rest appended; lexically normalized input has no `..` left in that rest.
fn resolve_existing(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")).join(path)
    };
    let mut rest = Vec::new();
    let mut current = absolute.as_path();
    loop {
        if let Ok(real) = current.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (current.parent(), current.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                current = parent;
            }
            _ => return absolute,
        }
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 { format!("{}...", text.chars().take(77).collect::<String>()) } else { text }
}

fn quoted(text: &str) -> String {
    compact(&Value::String(text.to_owned()))
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
