//! Where the MCP test peers are: `scripts/setup-peers` installs them under
//! `$LUMEN_PEERS/mcp/` (default `~/.cache/lumen-peers/mcp/`). Shared by the runtime's and the
//! CLI's MCP tests.

use std::path::PathBuf;

/// An installed MCP peer (`venv/bin/mcp-server-time`, ...); a missing one fails the test with
/// the command that installs it.
pub fn installed(relative: &str) -> PathBuf {
    let root = match std::env::var_os("LUMEN_PEERS").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/lumen-peers"),
    };
    let path = root.join("mcp").join(relative);
    assert!(
        path.is_file(),
        "MCP test peer {} is missing: run scripts/setup-peers (it installs into $LUMEN_PEERS, default ~/.cache/lumen-peers)",
        path.display()
    );
    path
}
