//! `lumen lsp`: the language server, speaking LSP over stdin and stdout.

use clap::Args;

#[derive(Args, Debug)]
pub struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    pub stdio: bool,
}

pub fn lsp(_args: &LspArgs) -> u8 {
    lumen_lsp::serve_stdio()
}
