//! The Lumen language server (`lumen lsp`): diagnostics, hover, go to definition, document
//! symbols, completion and formatting over the Language Server Protocol.

mod analysis;
mod complete;
mod decls;
mod navigate;
mod server;
mod text;

pub use server::{capabilities, serve};

/// Serves LSP on stdin/stdout until the client exits; the exit status for the command line.
pub fn serve_stdio() -> u8 {
    let (conn, io) = lsp_server::Connection::stdio();
    let result = serve(&conn);
    drop(conn);
    let joined = io.join();
    match (result, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            eprintln!("error: lumen lsp: {e}");
            1
        }
        (_, Err(e)) => {
            eprintln!("error: lumen lsp: {e}");
            1
        }
    }
}
