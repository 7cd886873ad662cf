//! `builtin-fs`: `fs.read`, `fs.write`, `fs.list`, `fs.delete`. Confinement comes from the grant's
//! `path_prefix` (checked before dispatch); paths are relative to the working directory.

use serde_json::Value;

use super::{Call, Provider, Reply, kind_of, string_arg};
use crate::error::{ErrorKind, ToolError};

pub struct FsProvider;

impl Provider for FsProvider {
    fn schema_version(&self) -> Option<&'static str> {
        Some("1")
    }

    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let path = string_arg(call, "path")?;
        let io = |e: std::io::Error| io_error(path, &e);
        let value = match call.path {
            "fs.read" => Value::String(std::fs::read_to_string(path).map_err(io)?),
            "fs.write" => {
                let content = match call.args.get("content") {
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => {
                        return Err(ToolError::new(
                            ErrorKind::InvalidArgs,
                            format!("`content` must be a String, got {}", kind_of(other)),
                        ));
                    }
                    None => return Err(ToolError::new(ErrorKind::InvalidArgs, "missing argument `content`")),
                };
                std::fs::write(path, content).map_err(io)?;
                Value::Null
            }
            "fs.list" => {
                let mut names: Vec<String> = std::fs::read_dir(path)
                    .map_err(io)?
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                Value::Array(names.into_iter().map(Value::String).collect())
            }
            "fs.delete" => {
                let meta = std::fs::symlink_metadata(path).map_err(io)?;
                if meta.is_dir() { std::fs::remove_dir(path) } else { std::fs::remove_file(path) }.map_err(io)?;
                Value::Null
            }
            other => return Err(ToolError::new(ErrorKind::NotFound, format!("builtin-fs has no tool `{other}`"))),
        };
        Ok(Reply::value(value))
    }
}

fn io_error(path: &str, err: &std::io::Error) -> ToolError {
    let text = err.to_string();
    let reason = match text.rfind(" (os error ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let kind = match err.kind() {
        std::io::ErrorKind::NotFound => ErrorKind::NotFound,
        std::io::ErrorKind::InvalidData => ErrorKind::OutputInvalid,
        _ => ErrorKind::Failed,
    };
    ToolError::new(kind, format!("{path}: {reason}"))
}
