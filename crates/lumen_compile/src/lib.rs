//! Lowering of Lumen modules to register bytecode (ARCHITECTURE.md: `lumen_compile`).

pub mod bytecode;
mod compiler;
pub mod loader;
pub mod prelude;
pub mod program;
pub mod verify;

/// The effect name of tool-interception clauses in `handle` (`Tool(args) => ...`).
pub use compiler::expr::TOOL_EFFECT;
pub use compiler::{CompileInput, compile};
pub use program::Program;
