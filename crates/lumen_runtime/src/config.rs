//! `lumen.toml`: which provider serves which tool path, and each provider's settings (LANGUAGE.md 7.3).
//!
//! Secrets never live here: a provider names the environment variable that holds its key
//! (`api_key_env`), and only that name is ever printed.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Map, Value};

/// A parsed configuration; `Config::default()` is the built-in one used when no file exists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The file it came from, if any.
    pub source: Option<PathBuf>,
    /// Tool path (or `prefix.*` pattern) to provider name, in file order.
    pub providers: IndexMap<String, String>,
    /// `[providers.config.NAME]` tables.
    pub settings: IndexMap<String, Map<String, Value>>,
    /// `[providers.mcp.NAME]` servers.
    pub mcp: IndexMap<String, McpServer>,
}

/// An MCP server whose tools become tool paths `NAME.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct McpServer {
    pub name: String,
    /// A command (stdio) or an http(s) URL.
    pub uri: String,
    /// Optional allow-list of tool paths.
    pub tools: Option<Vec<String>>,
}

/// A configuration problem, with the file it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Providers used for tool paths that `[providers]` does not map.
const BUILTIN_DEFAULTS: [(&str, &str); 4] =
    [("http.*", "builtin-http"), ("fs.*", "builtin-fs"), ("env.*", "builtin-env"), ("json.*", "builtin-json")];

impl Config {
    /// The first `lumen.toml` in `cwd`, its ancestors, then `$XDG_CONFIG_HOME/lumen/` (default
    /// `~/.config/lumen/`); the built-in configuration when there is none.
    pub fn discover(cwd: &Path) -> Result<Config, ConfigError> {
        match find_config_file(cwd, std::env::var_os("XDG_CONFIG_HOME"), std::env::var_os("HOME")) {
            Some(path) => Config::load(&path),
            None => Ok(Config::default()),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError { path: path.to_owned(), message: format!("cannot read it: {e}") })?;
        let mut config = Config::parse(&text).map_err(|message| ConfigError { path: path.to_owned(), message })?;
        config.source = Some(path.to_owned());
        Ok(config)
    }

    /// Parses the `[providers]` part of a `lumen.toml`; other sections (packages, 8.4) are ignored.
    pub fn parse(text: &str) -> Result<Config, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_owned())?;
        let mut config = Config::default();
        let Some(providers) = table.get("providers") else { return Ok(config) };
        let toml::Value::Table(providers) = providers else {
            return Err("`providers` must be a table".to_owned());
        };
        for (key, value) in providers {
            match (key.as_str(), value) {
                ("config", toml::Value::Table(configs)) => {
                    for (name, settings) in configs {
                        let toml::Value::Table(settings) = settings else {
                            return Err(format!("`providers.config.{name}` must be a table"));
                        };
                        let Value::Object(map) = toml_to_json(&toml::Value::Table(settings.clone())) else {
                            unreachable!("a table converts to an object")
                        };
                        config.settings.insert(name.clone(), map);
                    }
                }
                ("mcp", toml::Value::Table(servers)) => {
                    for (name, server) in servers {
                        config.mcp.insert(name.clone(), parse_mcp(name, server)?);
                    }
                }
                (path, toml::Value::String(provider)) => {
                    config.providers.insert(path.to_owned(), provider.clone());
                }
                (path, _) => return Err(format!("provider for `{path}` must be a string naming a provider")),
            }
        }
        Ok(config)
    }

    /// The provider name for a tool path: the alias's `from "..."` override, an exact `[providers]`
    /// entry, the longest matching `prefix.*` entry, an MCP server named by the first segment, then
    /// the built-in defaults. `None` means `not_found`.
    pub fn provider_for(&self, path: &str, override_name: Option<&str>) -> Option<String> {
        if let Some(name) = override_name {
            return Some(name.to_owned());
        }
        if let Some(name) = self.providers.get(path) {
            return Some(name.clone());
        }
        let pattern_match = |patterns: &mut dyn Iterator<Item = (&str, &str)>| {
            patterns
                .filter(|(pattern, _)| pattern_covers(pattern, path))
                .max_by_key(|(pattern, _)| pattern.len())
                .map(|(_, provider)| provider.to_owned())
        };
        if let Some(name) = pattern_match(&mut self.providers.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Some(name);
        }
        let first = path.split('.').next().unwrap_or(path);
        if self.mcp.contains_key(first) {
            return Some("mcp".to_owned());
        }
        pattern_match(&mut BUILTIN_DEFAULTS.iter().copied())
    }

    /// `[providers.config.NAME]`, empty when absent.
    pub fn settings_for(&self, name: &str) -> Map<String, Value> {
        self.settings.get(name).cloned().unwrap_or_default()
    }

    /// The implementation a provider name selects: its settings' `kind` key, else the name itself
    /// (so `[providers.config.local] kind = "openai-compatible"` defines a second endpoint).
    pub fn kind_of(&self, name: &str) -> String {
        match self.settings.get(name).and_then(|s| s.get("kind")) {
            Some(Value::String(kind)) => kind.clone(),
            _ => name.to_owned(),
        }
    }
}

/// `llm.*` covers `llm.chat` and `llm.chat.stream`; `*` covers everything.
fn pattern_covers(pattern: &str, path: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    pattern.strip_suffix(".*").is_some_and(|prefix| path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')))
}

fn parse_mcp(name: &str, server: &toml::Value) -> Result<McpServer, String> {
    let toml::Value::Table(table) = server else {
        return Err(format!("`providers.mcp.{name}` must be a table"));
    };
    let uri = match table.get("uri") {
        Some(toml::Value::String(uri)) => uri.clone(),
        _ => return Err(format!("`providers.mcp.{name}` needs `uri` (a command or an http(s) URL)")),
    };
    let tools = match table.get("tools") {
        None => None,
        Some(toml::Value::Array(items)) => Some(
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("`providers.mcp.{name}.tools` must list strings"))?,
        ),
        Some(_) => return Err(format!("`providers.mcp.{name}.tools` must be a list of strings")),
    };
    Ok(McpServer { name: name.to_owned(), uri, tools })
}

/// The configuration file to use, if any.
pub fn find_config_file(
    cwd: &Path,
    xdg_config_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    for dir in cwd.ancestors() {
        let candidate = dir.join("lumen.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    let config_home = match xdg_config_home.filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(home.filter(|v| !v.is_empty())?).join(".config"),
    };
    let candidate = config_home.join("lumen").join("lumen.toml");
    candidate.is_file().then_some(candidate)
}

/// TOML to JSON; datetimes become their RFC 3339 text.
pub fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(table.iter().map(|(k, v)| (k.clone(), toml_to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = r#"
[package]
name = "demo"

[providers]
"llm.chat" = "openai-compatible"
"http.get" = "mock"
"search.*" = "mock"
"tickets.open" = "mcp"

[providers.config.openai-compatible]
base_url = "https://llm.internal.test/v1"
api_key_env = "LLM_API_KEY"
default_model = "small-chat-1"
temperature = 0.25

[providers.config.local]
kind = "openai-compatible"
base_url = "http://127.0.0.1:8080/v1"

[providers.mcp.tickets]
uri = "ticket-mcp-server --stdio"
tools = ["tickets.open", "tickets.close"]
"#;

    #[test]
    fn parses_providers_settings_and_mcp() {
        let config = Config::parse(SAMPLE).unwrap();
        assert_eq!(config.providers["llm.chat"], "openai-compatible");
        let settings = config.settings_for("openai-compatible");
        assert_eq!(settings["api_key_env"], json!("LLM_API_KEY"));
        assert_eq!(settings["temperature"], json!(0.25));
        assert_eq!(config.mcp["tickets"].uri, "ticket-mcp-server --stdio");
        assert_eq!(
            config.mcp["tickets"].tools.as_deref(),
            Some(&["tickets.open".to_owned(), "tickets.close".to_owned()][..])
        );
        assert_eq!(config.kind_of("local"), "openai-compatible");
        assert_eq!(config.kind_of("mock"), "mock");
    }

    #[test]
    fn provider_resolution_order() {
        let config = Config::parse(SAMPLE).unwrap();
        assert_eq!(config.provider_for("llm.chat", None).as_deref(), Some("openai-compatible"));
        assert_eq!(config.provider_for("llm.chat", Some("local")).as_deref(), Some("local"));
        // An exact entry beats the built-in `http.*` default.
        assert_eq!(config.provider_for("http.get", None).as_deref(), Some("mock"));
        assert_eq!(config.provider_for("http.post", None).as_deref(), Some("builtin-http"));
        assert_eq!(config.provider_for("search.web", None).as_deref(), Some("mock"));
        assert_eq!(config.provider_for("tickets.close", None).as_deref(), Some("mcp"));
        assert_eq!(config.provider_for("fs.read", None).as_deref(), Some("builtin-fs"));
        assert_eq!(config.provider_for("llm.embed", None), None);
        assert_eq!(config.provider_for("searchx.web", None), None);
    }

    #[test]
    fn builtin_defaults_without_a_file() {
        let config = Config::default();
        assert_eq!(config.provider_for("http.get", None).as_deref(), Some("builtin-http"));
        assert_eq!(config.provider_for("fs.write", None).as_deref(), Some("builtin-fs"));
        assert_eq!(config.provider_for("llm.chat", None), None);
    }

    #[test]
    fn bad_files_are_reported() {
        assert!(Config::parse("[providers\n").is_err());
        assert_eq!(
            Config::parse("[providers]\n\"a.b\" = 3\n").unwrap_err(),
            "provider for `a.b` must be a string naming a provider"
        );
        assert!(Config::parse("[providers.mcp.x]\ntools = []\n").unwrap_err().contains("needs `uri`"));
        assert!(Config::parse("providers = 1\n").is_err());
    }

    #[test]
    fn discovery_walks_up_then_falls_back_to_xdg() {
        let root = std::env::temp_dir().join(format!("lumen-config-test-{}", std::process::id()));
        let deep = root.join("a").join("b");
        let xdg = root.join("xdg");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(xdg.join("lumen")).unwrap();
        std::fs::write(xdg.join("lumen").join("lumen.toml"), "[providers]\n").unwrap();
        // An ancestor of the temp dir could hold a lumen.toml; otherwise the XDG file is the one found.
        let found = find_config_file(&deep, Some(xdg.clone().into_os_string()), None).unwrap();
        assert!(found == xdg.join("lumen").join("lumen.toml") || !found.starts_with(&root), "{}", found.display());
        std::fs::write(root.join("a").join("lumen.toml"), "[providers]\n").unwrap();
        assert_eq!(
            find_config_file(&deep, Some(xdg.into_os_string()), None).unwrap(),
            root.join("a").join("lumen.toml")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
