//! Lumen values, builtins and the bytecode interpreter (ARCHITECTURE.md: `lumen_vm`).

pub mod builtins;
pub mod display;
pub mod format;
pub mod host;
pub mod interp;
pub mod rcstr;
pub mod value;
