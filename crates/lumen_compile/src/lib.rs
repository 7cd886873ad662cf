//! Lowering of Lumen modules to register bytecode (ARCHITECTURE.md: `lumen_compile`).

pub mod bytecode;
pub mod loader;
mod compiler;
pub mod prelude;
pub mod program;

pub use compiler::{CompileInput, compile};
pub use program::Program;
