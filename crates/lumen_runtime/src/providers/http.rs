//! `builtin-http` (`http.get`, `http.post`, `http.put`, `http.delete`, `http.request`) and the HTTP
//! exchange the API providers share.

use std::io::Read;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{Map, Value};
use ureq::http;

use super::{Call, Provider, Reply, kind_of, setting_u64, string_arg};
use crate::error::{ErrorKind, ToolError};
use crate::policy::default_method;

/// Response bodies larger than this fail the call unless `max_body_bytes` says otherwise.
const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;

/// A request to send.
pub struct Exchange<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
    pub max_body: u64,
}

/// A response of any status.
#[derive(Debug)]
pub struct Received {
    pub status: u16,
    /// Lower-case names; repeated headers joined with `, `.
    pub headers: Map<String, Value>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(Value::as_str)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request; only transport failures are errors.
pub fn exchange(request: &Exchange<'_>) -> Result<Received, ToolError> {
    exchange_timed(request, None)
}

/// [`exchange`], with a limit on the wait for the response head (`first_byte`), counted from
/// when the request has been sent.
pub fn exchange_timed(request: &Exchange<'_>, first_byte: Option<Duration>) -> Result<Received, ToolError> {
    let mut response = send(request, first_byte)?;
    let (status, headers) = head(&response);
    let body = response.body_mut().with_config().limit(request.max_body).read_to_vec().map_err(transport_error)?;
    Ok(Received { status, headers, body })
}

/// One piece of a streamed response, in the order they arrive: the head, the body in pieces as
/// the transport delivers them, then `End` or `Failed`.
#[derive(Debug)]
pub enum Piece {
    Head { status: u16, headers: Map<String, Value> },
    Data(Vec<u8>),
    End,
    Failed(ToolError),
}

/// Sends `request` on a thread of its own and delivers the response in pieces as they arrive, so
/// the caller can wait for them under deadlines of its own (`recv_timeout`). `first_byte` limits
/// the wait for the response head. Dropping the receiver stops the thread at its next piece,
/// which closes the connection; `request.timeout` bounds the whole exchange in any case.
pub fn stream(request: &Exchange<'_>, first_byte: Option<Duration>) -> Receiver<Piece> {
    let (tx, rx) = mpsc::channel();
    let (method, url) = (request.method.to_owned(), request.url.to_owned());
    let (headers, body, timeout, max_body) =
        (request.headers.clone(), request.body.clone(), request.timeout, request.max_body);
    std::thread::spawn(move || {
        let request = Exchange { method: &method, url: &url, headers, body, timeout, max_body };
        let response = match send(&request, first_byte) {
            Ok(response) => response,
            Err(err) => {
                let _ = tx.send(Piece::Failed(err));
                return;
            }
        };
        let (status, headers) = head(&response);
        if tx.send(Piece::Head { status, headers }).is_err() {
            return;
        }
        let mut reader = response.into_body().into_with_config().limit(max_body).reader();
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let piece = match reader.read(&mut buffer) {
                Ok(0) => Piece::End,
                Ok(n) => Piece::Data(buffer[..n].to_vec()),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => Piece::Failed(io_error(&err)),
            };
            let last = !matches!(piece, Piece::Data(_));
            if tx.send(piece).is_err() || last {
                return;
            }
        }
    });
    rx
}

/// Checks the scheme and sends the request; the response's body is still to be read.
fn send(request: &Exchange<'_>, first_byte: Option<Duration>) -> Result<http::Response<ureq::Body>, ToolError> {
    let scheme_end = request.url.find("://").map(|at| request.url[..at].to_ascii_lowercase());
    match scheme_end.as_deref() {
        Some("http") => {}
        Some("https") if cfg!(feature = "tls") => {}
        Some("https") => {
            return Err(ToolError::new(
                ErrorKind::Unavailable,
                "https needs lumen built with the `tls` feature (cargo build --features lumen_runtime/tls)",
            ));
        }
        _ => {
            return Err(ToolError::new(
                ErrorKind::InvalidArgs,
                format!("url must start with http:// or https://: {}", request.url),
            ));
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(request.timeout)
        .timeout_recv_response(first_byte)
        // Redirects are results, not followed: following one could reach a host the grant's
        // `domain` does not allow. A program follows `location` with another (checked) call.
        .max_redirects(0)
        .user_agent(concat!("lumen/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut builder = http::Request::builder().method(request.method).uri(request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let sent = match &request.body {
        Some(body) => builder.body(body.clone()).map(|r| agent.run(r)),
        None => builder.body(()).map(|r| agent.run(r)),
    };
    match sent {
        Ok(result) => result.map_err(transport_error),
        Err(err) => Err(ToolError::new(ErrorKind::InvalidArgs, format!("bad request: {err}"))),
    }
}

/// The status and the headers (lower-case names; repeated headers joined with `, `).
fn head(response: &http::Response<ureq::Body>) -> (u16, Map<String, Value>) {
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    (response.status().as_u16(), headers)
}

/// A failure while reading a streamed body (ureq's errors arrive wrapped in `io::Error`).
fn io_error(err: &std::io::Error) -> ToolError {
    match err.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            ToolError::new(ErrorKind::Timeout, "the response did not finish in time")
        }
        _ => ToolError::new(ErrorKind::Unavailable, format!("connection error while reading the response: {err}")),
    }
}

fn transport_error(err: ureq::Error) -> ToolError {
    match err {
        ureq::Error::Timeout(what) => ToolError::new(ErrorKind::Timeout, format!("no response in time ({what})")),
        ureq::Error::HostNotFound => ToolError::new(ErrorKind::Unavailable, "cannot resolve the host"),
        ureq::Error::ConnectionFailed => ToolError::new(ErrorKind::Unavailable, "connection failed"),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                ToolError::new(ErrorKind::Timeout, "no response in time")
            }
            std::io::ErrorKind::ConnectionRefused => ToolError::new(ErrorKind::Unavailable, "connection refused"),
            _ => ToolError::new(ErrorKind::Unavailable, format!("connection error: {io}")),
        },
        ureq::Error::BadUri(text) => ToolError::new(ErrorKind::InvalidArgs, format!("bad url: {text}")),
        ureq::Error::Http(e) => ToolError::new(ErrorKind::InvalidArgs, format!("bad request: {e}")),
        ureq::Error::BodyExceedsLimit(limit) => {
            ToolError::new(ErrorKind::Failed, format!("response body exceeds {limit} bytes (max_body_bytes)"))
        }
        ureq::Error::Tls(text) => ToolError::new(ErrorKind::Unavailable, format!("tls: {text}")),
        other => ToolError::new(ErrorKind::Failed, other.to_string()),
    }
}

/// `builtin-http`: non-2xx statuses are results, not errors.
pub struct HttpProvider;

impl Provider for HttpProvider {
    fn schema_version(&self) -> Option<&'static str> {
        Some("1")
    }

    fn call(&mut self, call: &Call<'_>) -> Result<Reply, ToolError> {
        let method = match call.path {
            "http.request" => match call.args.get("method") {
                Some(Value::String(m)) => m.to_ascii_uppercase(),
                Some(other) => {
                    return Err(ToolError::new(
                        ErrorKind::InvalidArgs,
                        format!("`method` must be a String, got {}", kind_of(other)),
                    ));
                }
                None => "GET".to_owned(),
            },
            path => match default_method(path) {
                Some(m) => m.to_owned(),
                None => return Err(ToolError::new(ErrorKind::NotFound, format!("builtin-http has no tool `{path}`"))),
            },
        };
        let url = string_arg(call, "url")?;
        let mut headers = Vec::new();
        match call.args.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    headers.push((name.clone(), text));
                }
            }
            Some(other) => {
                return Err(ToolError::new(
                    ErrorKind::InvalidArgs,
                    format!("`headers` must be a map, got {}", kind_of(other)),
                ));
            }
        }
        let has_header =
            |headers: &[(String, String)], name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let body = match call.args.get("body") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone().into_bytes()),
            Some(json) => {
                if !has_header(&headers, "content-type") {
                    headers.push(("content-type".to_owned(), "application/json".to_owned()));
                }
                Some(json.to_string().into_bytes())
            }
        };
        let max_body = setting_u64(call.settings, "max_body_bytes").unwrap_or(DEFAULT_MAX_BODY);
        let received = exchange(&Exchange { method: &method, url, headers, body, timeout: call.timeout, max_body })?;
        let mut result = Map::new();
        result.insert("status".to_owned(), Value::from(received.status));
        result.insert("body".to_owned(), Value::String(received.text()));
        result.insert("headers".to_owned(), Value::Object(received.headers));
        let mut attributes = Map::new();
        attributes.insert("http.request.method".to_owned(), Value::String(method));
        attributes.insert("http.response.status_code".to_owned(), Value::from(received.status));
        Ok(Reply { value: Value::Object(result), attributes })
    }
}
