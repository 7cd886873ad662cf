//! Lumen's AI-native runtime (LANGUAGE.md 5.15, 7.1–7.3, 9.6): tool calls checked against grants,
//! dispatched to providers configured in `lumen.toml`, recorded to hash-chained traces, and
//! answered from a trace on replay. [`RuntimeHost`] is the VM's `Host` that ties these together.

pub mod canon;
pub mod config;
pub mod error;
pub mod host;
pub mod policy;
pub mod providers;
pub mod replay;
pub mod request;
pub mod tools;
pub mod trace;

pub use config::Config;
pub use error::{ErrorKind, ToolError};
pub use host::{Finished, RunEnd, RuntimeHost};
pub use policy::{Policy, Violation};
pub use replay::Replay;
pub use tools::{Outcome, Status, Tools};
pub use trace::TraceWriter;
