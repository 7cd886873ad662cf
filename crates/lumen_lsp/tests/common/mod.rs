//! An in-memory LSP client driving the server on a thread.

#![allow(dead_code)]

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

pub struct Client {
    pub conn: Connection,
    next_id: i32,
    server: Option<JoinHandle<()>>,
    /// Notifications received while waiting for responses.
    pending: Vec<Notification>,
}

const WAIT: Duration = Duration::from_secs(30);

impl Client {
    /// Starts a server and completes the initialize handshake; returns the server's capabilities.
    pub fn start() -> (Client, Value) {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::Builder::new()
            .stack_size(64 * 1024 * 1024)
            .spawn(move || lumen_lsp::serve(&server_side).expect("server loop"))
            .unwrap();
        let mut client = Client { conn: client_side, next_id: 0, server: Some(server), pending: Vec::new() };
        let init = client.request("initialize", json!({ "capabilities": {} }));
        client.notify("initialized", json!({}));
        (client, init)
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn.sender.send(Message::Request(Request::new(id.clone(), method.to_owned(), params))).unwrap();
        loop {
            match self.conn.receiver.recv_timeout(WAIT).expect("a response") {
                Message::Response(r) if r.id == id => {
                    assert!(r.error.is_none(), "{method} failed: {:?}", r.error);
                    return r.result.unwrap_or(Value::Null);
                }
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.conn.sender.send(Message::Notification(Notification::new(method.to_owned(), params))).unwrap();
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let take = |n: &Notification| {
            (n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
                .then(|| n.params["diagnostics"].as_array().cloned().unwrap_or_default())
        };
        if let Some(i) = self.pending.iter().position(|n| take(n).is_some()) {
            let n = self.pending.remove(i);
            return take(&n).unwrap();
        }
        loop {
            match self.conn.receiver.recv_timeout(WAIT).expect("diagnostics") {
                Message::Notification(n) => match take(&n) {
                    Some(d) => return d,
                    None => self.pending.push(n),
                },
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "lumen", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        self.diagnostics(uri)
    }

    /// A request at the position of the `nth` occurrence of `needle` in `text`, `delta` bytes in.
    pub fn at(&mut self, method: &str, uri: &str, text: &str, needle: &str, nth: usize, delta: usize) -> Value {
        let offset = text.match_indices(needle).nth(nth).expect("needle").0 + delta;
        let (line, character) = position(text, offset);
        self.request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap();
    }
}

/// Line and UTF-16 column of a byte offset.
pub fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].encode_utf16().count() as u32)
}

pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lumen_lsp_{tag}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
