//! The VM's view of a tool call (`lumen_vm::host`), re-exported so the rest of the crate names it
//! in one place.

pub use lumen_vm::host::{Grant, ToolRequest};
