//! The `Host`: every interaction with the world outside the VM (output, time, randomness,
//! environment, files) goes through it, so a run can be recorded and replayed exactly.

use std::io::{self, BufRead, Read, Write};

pub trait Host {
    fn write_stdout(&mut self, text: &str);
    fn write_stderr(&mut self, text: &str);
    fn flush(&mut self) {}
    /// Seconds since the Unix epoch.
    fn now(&mut self) -> f64;
    /// Monotonic nanoseconds.
    fn hrtime(&mut self) -> i64;
    fn random_u64(&mut self) -> u64;
    fn sleep_ms(&mut self, ms: u64);
    fn get_env(&mut self, name: &str) -> Option<String>;
    fn args(&mut self) -> Vec<String>;
    fn read_file(&mut self, path: &str) -> io::Result<String>;
    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()>;
    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()>;
    fn exists(&mut self, path: &str) -> bool;
    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>>;
    fn mkdir(&mut self, path: &str) -> io::Result<()>;
    fn read_line(&mut self) -> Option<String>;
    fn read_stdin(&mut self) -> String;
    /// A tool call (LANGUAGE.md 5.15): the result, or the complete runtime-error message
    /// (`tool policy violation: ...` or `tool error: <Alias>: <kind>: <message>`). A host
    /// without tool providers finds none.
    fn call_tool(&mut self, req: ToolRequest<'_>) -> Result<serde_json::Value, String> {
        Err(format!("tool error: {}: not_found: no provider is configured for tool `{}`", req.alias, req.path))
    }
    /// Whether the run is traced (the VM builds `trace_event` fields only then).
    fn tracing(&self) -> bool {
        false
    }
    /// A trace event the program caused (LANGUAGE.md 5.15): `emit`, `effect`, `schema_validate`,
    /// `cell_start`, `cell_end`.
    fn trace_event(&mut self, _kind: &str, _fields: serde_json::Map<String, serde_json::Value>) {}
}

/// One constraint of a `grant` (LANGUAGE.md 7.2): its key and literal value.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    pub key: String,
    pub value: serde_json::Value,
}

/// A tool call, its arguments already converted to JSON.
#[derive(Debug)]
pub struct ToolRequest<'a> {
    /// The alias called (`Chat`).
    pub alias: &'a str,
    /// The tool path (`llm.chat`); for an MCP alias `T`, the name in `T.name(...)`.
    pub path: &'a str,
    /// `use tool llm.chat@2`: the pinned schema version.
    pub version: Option<&'a str>,
    /// `use tool ... from "anthropic"`: the provider override.
    pub provider: Option<&'a str>,
    /// `use tool mcp "command" as T`: the server command.
    pub mcp_command: Option<&'a str>,
    /// The named arguments.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Every grant visible for the alias at the call site, in source order.
    pub grants: &'a [Grant],
}

/// The real world: buffered stdout, the system clock, the file system.
pub struct StdHost {
    out: io::BufWriter<io::Stdout>,
    args: Vec<String>,
    rng: u64,
    started: std::time::Instant,
}

impl StdHost {
    pub fn new(args: Vec<String>) -> StdHost {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        StdHost { out: io::BufWriter::new(io::stdout()), args, rng: seed | 1, started: std::time::Instant::now() }
    }
}

impl Host for StdHost {
    fn write_stdout(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }

    fn write_stderr(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = io::stderr().write_all(text.as_bytes());
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }

    fn now(&mut self) -> f64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
    }

    fn hrtime(&mut self) -> i64 {
        self.started.elapsed().as_nanos() as i64
    }

    fn random_u64(&mut self) -> u64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn sleep_ms(&mut self, ms: u64) {
        self.flush();
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn args(&mut self) -> Vec<String> {
        self.args.clone()
    }

    fn read_file(&mut self, path: &str) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        std::fs::write(path, content)
    }

    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
        file.write_all(content)
    }

    fn exists(&mut self, path: &str) -> bool {
        std::path::Path::new(path).exists()
    }

    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }

    fn read_line(&mut self) -> Option<String> {
        self.flush();
        let mut line = String::new();
        match io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Some(line)
            }
        }
    }

    fn read_stdin(&mut self) -> String {
        let mut text = String::new();
        let _ = io::stdin().read_to_string(&mut text);
        text
    }
}

/// A host for tests: captures output, fixed clock, seeded randomness, no files.
#[derive(Default)]
pub struct TestHost {
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
    pub clock: f64,
    pub rng: u64,
}

impl Host for TestHost {
    fn write_stdout(&mut self, text: &str) {
        self.stdout.push_str(text);
    }
    fn write_stderr(&mut self, text: &str) {
        self.stderr.push_str(text);
    }
    fn now(&mut self) -> f64 {
        self.clock
    }
    fn hrtime(&mut self) -> i64 {
        (self.clock * 1e9) as i64
    }
    fn random_u64(&mut self) -> u64 {
        self.rng = self.rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.rng >> 11
    }
    fn sleep_ms(&mut self, ms: u64) {
        self.clock += ms as f64 / 1000.0;
    }
    fn get_env(&mut self, _name: &str) -> Option<String> {
        None
    }
    fn args(&mut self) -> Vec<String> {
        self.args.clone()
    }
    fn read_file(&mut self, path: &str) -> io::Result<String> {
        Err(io::Error::new(io::ErrorKind::NotFound, format!("{path}: no files in the test host")))
    }
    fn write_file(&mut self, _path: &str, _content: &[u8]) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "no files in the test host"))
    }
    fn append_file(&mut self, _path: &str, _content: &[u8]) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "no files in the test host"))
    }
    fn exists(&mut self, _path: &str) -> bool {
        false
    }
    fn read_dir(&mut self, _path: &str) -> io::Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn mkdir(&mut self, _path: &str) -> io::Result<()> {
        Ok(())
    }
    fn read_line(&mut self) -> Option<String> {
        None
    }
    fn read_stdin(&mut self) -> String {
        String::new()
    }
}
