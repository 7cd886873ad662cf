//! The message loop: documents kept in memory, analysed on every open and change, and the
//! requests answered from the latest analysis.

use std::collections::HashMap;
use std::error::Error;

use lsp_server::{Connection, ExtractError, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents,
    HoverProviderCapability, Location, MarkupContent, MarkupKind, OneOf, Position, PositionEncodingKind,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextEdit, Uri,
};
use lumen_syntax::source::{SourceFile, SourceKind};

use crate::analysis::{Analysis, analyse};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// An open document, keyed by its URI's text (`Uri` hashes through interior mutability).
struct Document {
    text: String,
    analysis: Analysis,
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned()]),
            ..Default::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// Runs the server on `conn` until the client asks it to exit (after `shutdown`).
pub fn serve(conn: &Connection) -> Result<()> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "lumen".to_owned(), version: Some(env!("CARGO_PKG_VERSION").to_owned()) },
    });
    let (id, _params) = conn.initialize_start()?;
    conn.initialize_finish(id, init)?;
    let mut docs: HashMap<String, Document> = HashMap::new();
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req)? {
                    return Ok(());
                }
                let id = req.id.clone();
                // A bug in one feature must not take the whole server down.
                let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(&docs, req)))
                    .unwrap_or_else(|_| {
                        Response::new_err(id, lsp_server::ErrorCode::InternalError as i32, "internal error".to_owned())
                    });
                conn.sender.send(Message::Response(resp))?;
            }
            Message::Notification(note) if note.method == "exit" => return Ok(()),
            Message::Notification(note) => notify(conn, &mut docs, note)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn notify(conn: &Connection, docs: &mut HashMap<String, Document>, note: Notification) -> Result<()> {
    let (uri, text) = match note.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(note.params)?;
            (p.text_document.uri, p.text_document.text)
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(note.params)?;
            // Full sync: the last change holds the whole text.
            let Some(change) = p.content_changes.into_iter().last() else { return Ok(()) };
            (p.text_document.uri, change.text)
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(note.params)?;
            docs.remove(p.text_document.uri.as_str());
            return publish(conn, p.text_document.uri, Vec::new());
        }
        _ => return Ok(()),
    };
    let analysis = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyse(&uri, &text))) {
        Ok(analysis) => analysis,
        // Keep the previous analysis; the panic hook has reported the bug.
        Err(_) => return Ok(()),
    };
    let diagnostics = analysis.diagnostics.clone();
    docs.insert(uri.as_str().to_owned(), Document { text, analysis });
    publish(conn, uri, diagnostics)
}

fn publish(conn: &Connection, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Result<()> {
    let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
    conn.sender.send(Message::Notification(Notification::new(PublishDiagnostics::METHOD.to_owned(), params)))?;
    Ok(())
}

fn answer(docs: &HashMap<String, Document>, req: Request) -> Response {
    let id = req.id.clone();
    let result = match req.method.as_str() {
        HoverRequest::METHOD => handle::<HoverRequest>(req, |p| {
            let pp = p.text_document_position_params;
            Ok(at(docs, &pp.text_document.uri, pp.position, |a, off| {
                let t = crate::navigate::resolve(a, off)?;
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: crate::navigate::hover_text(&t),
                    }),
                    range: None,
                })
            }))
        }),
        GotoDefinition::METHOD => handle::<GotoDefinition>(req, |p| {
            let pp = p.text_document_position_params;
            Ok(at(docs, &pp.text_document.uri, pp.position, |a, off| {
                let t = crate::navigate::resolve(a, off)?;
                let uri = t.module.uri.clone()?;
                Some(GotoDefinitionResponse::Scalar(Location { uri, range: t.module.range(t.name_span) }))
            }))
        }),
        DocumentSymbolRequest::METHOD => handle::<DocumentSymbolRequest>(req, |p| {
            Ok(docs
                .get(p.text_document.uri.as_str())
                .map(|d| DocumentSymbolResponse::Nested(crate::navigate::symbols(d.analysis.doc()))))
        }),
        Completion::METHOD => handle::<Completion>(req, |p| {
            let pp = p.text_document_position;
            Ok(at(docs, &pp.text_document.uri, pp.position, |a, off| {
                Some(CompletionResponse::Array(crate::complete::complete(a, off)))
            }))
        }),
        Formatting::METHOD => handle::<Formatting>(req, |p| {
            let Some(doc) = docs.get(p.text_document.uri.as_str()) else { return Ok(None) };
            Ok(format_edits(p.text_document.uri.as_str(), &doc.text))
        }),
        _ => Err((lsp_server::ErrorCode::MethodNotFound as i32, format!("unhandled request {}", req.method))),
    };
    match result {
        Ok(value) => Response::new_ok(id, value),
        Err((code, message)) => Response::new_err(id, code, message),
    }
}

/// Decodes the parameters of request `R` and runs `f` on them.
fn handle<R: lsp_types::request::Request>(
    req: Request,
    f: impl FnOnce(R::Params) -> std::result::Result<R::Result, (i32, String)>,
) -> std::result::Result<serde_json::Value, (i32, String)> {
    let (_id, params): (RequestId, R::Params) = req.extract(R::METHOD).map_err(|e| match e {
        ExtractError::JsonError { error, .. } => (lsp_server::ErrorCode::InvalidParams as i32, error.to_string()),
        ExtractError::MethodMismatch(r) => (lsp_server::ErrorCode::MethodNotFound as i32, r.method),
    })?;
    let result = f(params)?;
    serde_json::to_value(result).map_err(|e| (lsp_server::ErrorCode::InternalError as i32, e.to_string()))
}

/// Runs `f` on the analysis of an open document at the byte offset of `pos`.
fn at<T>(
    docs: &HashMap<String, Document>,
    uri: &Uri,
    pos: Position,
    f: impl FnOnce(&Analysis, usize) -> Option<T>,
) -> Option<T> {
    let doc = docs.get(uri.as_str())?;
    let parsed = doc.analysis.doc();
    let offset = parsed.lines.offset(&parsed.file.text, pos);
    f(&doc.analysis, offset)
}

/// One edit replacing the whole document with its formatted text; none when it is already
/// formatted or does not parse.
fn format_edits(path: &str, text: &str) -> Option<Vec<TextEdit>> {
    let kind = SourceFile::kind_for_path(path).unwrap_or(SourceKind::Raw);
    let formatted = lumen_fmt::format_source(text, kind).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let lines = crate::text::LineIndex::new(text);
    let range = lsp_types::Range { start: Position::new(0, 0), end: lines.position(text, text.len()) };
    Some(vec![TextEdit { range, new_text: formatted }])
}
