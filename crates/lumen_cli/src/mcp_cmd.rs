//! `lumen mcp list SERVER`: starts an MCP server (a command line, or a server configured under
//! `[providers.mcp.NAME]` in `lumen.toml`) and prints its tools as Lumen-style signatures with their
//! descriptions (LANGUAGE.md 7.1, 7.3).

use std::io::Write;

use clap::{Args, Subcommand};
use lumen_runtime::Config;
use lumen_runtime::providers::mcp::{Connection, is_allowed};

const OK: u8 = 0;
const FAILED: u8 = 1;

#[derive(Args, Debug)]
pub struct McpArgs {
    #[command(subcommand)]
    pub command: McpCommand,
}

#[derive(Subcommand, Debug)]
pub enum McpCommand {
    /// Start an MCP server and print its tools as Lumen signatures
    List(ListArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// A server configured under [providers.mcp.NAME] in lumen.toml, or a command line such as
    /// "mcp-server-time --local-timezone UTC"
    #[arg(value_name = "SERVER")]
    pub server: String,
}

pub fn mcp(args: &McpArgs) -> u8 {
    match &args.command {
        McpCommand::List(list_args) => list(list_args),
    }
}

fn list(args: &ListArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let config = match Config::discover(&cwd) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILED;
        }
    };
    // A configured name lists that server's tools as tool paths `NAME.tool`, filtered by its `tools`.
    let (label, uri, prefix, allowed) = match config.mcp.get(&args.server) {
        Some(server) => {
            (server.name.as_str(), server.uri.as_str(), format!("{}.", server.name), server.tools.as_deref())
        }
        None => (args.server.as_str(), args.server.as_str(), String::new(), None),
    };
    let connection = match Connection::start(label, uri, None) {
        Ok(connection) => connection,
        Err(err) => {
            eprintln!("error: {}", err.message);
            return FAILED;
        }
    };
    let mut out = String::new();
    let mut hidden = 0;
    for tool in connection.tools() {
        if allowed.is_some_and(|allowed| {
            !is_allowed(allowed, label, &tool.name) && !is_allowed(allowed, label, &tool.lumen_name())
        }) {
            hidden += 1;
            continue;
        }
        out.push_str(&format!("{prefix}{}\n", tool.signature()));
        for line in tool.description.as_deref().unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()) {
            out.push_str(&format!("    {line}\n"));
        }
    }
    if connection.tools().is_empty() {
        out.push_str("(the server lists no tools)\n");
    }
    if hidden > 0 {
        out.push_str(&format!("({hidden} more not in the `tools` list of [providers.mcp.{label}])\n"));
    }
    drop(connection);
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return FAILED;
    }
    OK
}
