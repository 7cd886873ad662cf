//! `lumen lsp` as an editor runs it: JSON-RPC framed with Content-Length headers over the
//! process's stdin and stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads one framed message.
fn read_message(reader: &mut impl BufRead) -> Value {
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the server closed its output");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn the_binary_serves_diagnostics_over_stdio() {
    // A server that stops answering must fail the test, not hang it.
    std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_secs(60));
        eprintln!("lumen lsp did not answer within 60 s");
        std::process::exit(1);
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_lumen"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("lumen lsp starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());

    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}});
    stdin.write_all(&frame(&init)).unwrap();
    let reply = read_message(&mut stdout);
    assert_eq!(reply["id"], json!(1));
    assert!(
        reply["result"]["capabilities"]["hoverProvider"].is_object()
            || reply["result"]["capabilities"]["hoverProvider"] == json!(true)
    );
    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))).unwrap();

    let text = "cell main()\n  let x: Int = \"no\"\nend\n";
    let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///tmp/lsp_cli_test.lm", "languageId": "lumen", "version": 1, "text": text}}});
    stdin.write_all(&frame(&open)).unwrap();
    let diags = loop {
        let message = read_message(&mut stdout);
        if message["method"] == json!("textDocument/publishDiagnostics") {
            break message;
        }
    };
    let list = diags["params"]["diagnostics"].as_array().unwrap();
    assert!(!list.is_empty(), "{diags}");
    assert_eq!(list[0]["range"]["start"]["line"], json!(1), "{diags}");

    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))).unwrap();
    let reply = read_message(&mut stdout);
    assert_eq!(reply["id"], json!(2));
    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "method": "exit"}))).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
