//! Lowering of Lumen modules to register bytecode (ARCHITECTURE.md: `lumen_compile`).

pub mod bytecode;
mod compiler;
pub mod loader;
pub mod prelude;
pub mod program;

pub use compiler::{CompileInput, compile};
pub use program::Program;
