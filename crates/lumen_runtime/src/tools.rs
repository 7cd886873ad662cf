//! Dispatch of one tool call (LANGUAGE.md 5.15): policy, provider resolution, the provider call with
//! retries under the deadline, and the record of what happened for the trace.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::error::{ErrorKind, ToolError};
use crate::policy::{Policy, check_real_path};
use crate::providers::{self, Call, Provider};
use crate::request::ToolRequest;

/// Backoff before the first retry unless a provider's `retry_base_ms` says otherwise; it doubles per retry.
const DEFAULT_RETRY_BASE: Duration = Duration::from_millis(500);
/// The longest wait between two attempts unless `retry_max_ms` says otherwise.
const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(30);

/// Reads a secret (an API key) by environment-variable name.
pub type SecretEnv = Box<dyn Fn(&str) -> Option<String>>;

/// How a call ended, as recorded in `tool_call` trace events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Error,
    Denied,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Denied => "denied",
        }
    }
}

/// Everything known about one finished call.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The arguments sent (defaults filled in); the call's own arguments when it was denied.
    pub input: Map<String, Value>,
    /// The result, or the complete runtime-error message.
    pub result: Result<Value, String>,
    pub status: Status,
    pub error_kind: Option<ErrorKind>,
    pub provider: Option<String>,
    pub policy_hash: Option<String>,
    pub attributes: Map<String, Value>,
    pub retries: u32,
    pub duration: Duration,
}

/// The policy verdict for a call: the arguments to send and the limits, or the denial message.
pub struct Admitted {
    pub args: Map<String, Value>,
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    pub policy_hash: String,
}

/// Tool state of one run: configuration, provider instances (a mock's position persists across
/// calls), and per-alias call counts for `max_calls`.
pub struct Tools {
    config: Config,
    providers: HashMap<String, Box<dyn Provider>>,
    calls: HashMap<String, u64>,
    /// Waits between retries; tests replace it.
    pub sleep: fn(Duration),
    /// Reads secrets (API keys) from the environment.
    pub secret_env: SecretEnv,
}

impl Tools {
    pub fn new(config: Config) -> Tools {
        Tools {
            config,
            providers: HashMap::new(),
            calls: HashMap::new(),
            sleep: std::thread::sleep,
            secret_env: Box::new(|name| std::env::var(name).ok()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Step 2 of LANGUAGE.md 5.15. A successful check counts as a call for `max_calls`. With
    /// `live`, file tools' paths are also resolved on disk, so a symbolic link inside a granted
    /// prefix cannot lead outside it (not on replay, where the disk is not consulted).
    pub fn admit(&mut self, req: &ToolRequest<'_>, live: bool) -> Result<Admitted, String> {
        let policy = Policy::merge(req.grants).map_err(|v| v.render(req.alias))?;
        let made = self.calls.get(req.alias).copied().unwrap_or(0);
        let approved = policy.check(req.path, &req.args, made).map_err(|v| v.render(req.alias))?;
        if live
            && req.path.starts_with("fs.")
            && let (Some(prefixes), Some(Value::String(path))) = (&policy.path_prefixes, approved.args.get("path"))
        {
            check_real_path(path, prefixes).map_err(|v| v.render(req.alias))?;
        }
        *self.calls.entry(req.alias.to_owned()).or_insert(0) += 1;
        Ok(Admitted {
            args: approved.args,
            timeout: approved.timeout,
            max_retries: approved.max_retries,
            policy_hash: policy.hash,
        })
    }

    /// The provider name for a request, if one is configured.
    pub fn provider_name(&self, req: &ToolRequest<'_>) -> Option<String> {
        if req.mcp_command.is_some() {
            return Some("mcp".to_owned());
        }
        self.config.provider_for(req.path, req.provider)
    }

    /// The whole call: admission, then the provider.
    pub fn call(&mut self, req: &ToolRequest<'_>) -> Outcome {
        let started = Instant::now();
        let admitted = match self.admit(req, true) {
            Ok(admitted) => admitted,
            Err(message) => {
                return Outcome {
                    input: req.args.clone(),
                    result: Err(message),
                    status: Status::Denied,
                    error_kind: None,
                    provider: None,
                    policy_hash: None,
                    attributes: Map::new(),
                    retries: 0,
                    duration: started.elapsed(),
                };
            }
        };
        let provider = self.provider_name(req);
        let (result, attributes, retries) = match &provider {
            Some(name) => self.dispatch(req, name, &admitted, started),
            None => (
                Err(ToolError::new(
                    ErrorKind::NotFound,
                    format!("no provider for tool path `{}` (map it under [providers] in lumen.toml)", req.path),
                )),
                Map::new(),
                0,
            ),
        };
        let (result, status, error_kind) = match result {
            Ok(value) => (Ok(value), Status::Ok, None),
            Err(err) => (Err(err.render(req.alias)), Status::Error, Some(err.kind)),
        };
        Outcome {
            input: admitted.args,
            result,
            status,
            error_kind,
            provider,
            policy_hash: Some(admitted.policy_hash),
            attributes,
            retries,
            duration: started.elapsed(),
        }
    }

    /// Calls provider `name`, retrying transient failures within `max_retries` and the deadline.
    fn dispatch(
        &mut self,
        req: &ToolRequest<'_>,
        name: &str,
        admitted: &Admitted,
        started: Instant,
    ) -> (Result<Value, ToolError>, Map<String, Value>, u32) {
        let settings = self.config.settings_for(name);
        let kind = self.config.kind_of(name);
        if !self.providers.contains_key(name) {
            match providers::instantiate(&kind) {
                Ok(provider) => {
                    self.providers.insert(name.to_owned(), provider);
                }
                Err(err) => return (Err(err), Map::new(), 0),
            }
        }
        let provider = self.providers.get_mut(name).expect("inserted above");
        if let (Some(pinned), Some(implemented)) = (req.version, provider.schema_version())
            && pinned != implemented
        {
            let message = format!("{name} implements {}@{implemented}, not @{pinned}", req.path);
            return (Err(ToolError::new(ErrorKind::InvalidArgs, message)), Map::new(), 0);
        }
        let retries_allowed = match (admitted.max_retries, settings.get("max_retries").and_then(Value::as_u64)) {
            (Some(granted), Some(configured)) => granted.min(u32::try_from(configured).unwrap_or(u32::MAX)),
            (Some(granted), None) => granted,
            (None, Some(configured)) => u32::try_from(configured).unwrap_or(u32::MAX),
            (None, None) => 0,
        };
        let base =
            settings.get("retry_base_ms").and_then(Value::as_u64).map_or(DEFAULT_RETRY_BASE, Duration::from_millis);
        let cap = settings.get("retry_max_ms").and_then(Value::as_u64).map_or(DEFAULT_RETRY_MAX, Duration::from_millis);
        let deadline = admitted.timeout.map(|t| started + t);
        let mut retries = 0;
        loop {
            let timeout = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return (Err(deadline_error(admitted)), Map::new(), retries),
                },
                None => None,
            };
            let call = Call {
                alias: req.alias,
                path: req.path,
                version: req.version,
                args: &admitted.args,
                timeout,
                provider: name,
                settings: &settings,
                secret_env: &*self.secret_env,
                mcp: mcp_target(req, &self.config),
            };
            match provider.call(&call) {
                Ok(reply) => return (Ok(reply.value), reply.attributes, retries),
                Err(err) if err.kind.is_transient() && retries < retries_allowed => {
                    let backoff = base.saturating_mul(1 << retries.min(16)).min(cap);
                    let wait = err.retry_after.map_or(backoff, |hint| hint.min(cap));
                    if deadline.is_some_and(|d| Instant::now() + wait >= d) {
                        return (Err(err), Map::new(), retries);
                    }
                    (self.sleep)(wait);
                    retries += 1;
                }
                Err(err) => return (Err(err), Map::new(), retries),
            }
        }
    }
}

/// Where a call of the `mcp` provider goes: the alias's server command, else the configured server
/// named by the path's first segment.
fn mcp_target<'a>(req: &ToolRequest<'a>, config: &'a Config) -> Option<providers::McpTarget<'a>> {
    if let Some(command) = req.mcp_command {
        return Some(providers::McpTarget { server: command, uri: command, tool: req.path, allowed: None });
    }
    let (name, tool) = req.path.split_once('.')?;
    let server = config.mcp.get(name)?;
    Some(providers::McpTarget { server: &server.name, uri: &server.uri, tool, allowed: server.tools.as_deref() })
}

fn deadline_error(admitted: &Admitted) -> ToolError {
    let ms = admitted.timeout.map_or(0, |t| t.as_millis());
    ToolError::new(ErrorKind::Timeout, format!("deadline of {ms} ms exceeded"))
}
