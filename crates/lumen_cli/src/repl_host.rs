//! The repl's host. Each input re-runs the session's earlier statements before the new ones (see
//! `repl_session`); while it does, this host *replays*: output is swallowed, writes to files are
//! not repeated, and clock, randomness, environment and reads return what they returned the first
//! time, from a log. A marker line printed by the session program between the earlier statements
//! and the new input switches it to live mode, where it acts as the real host and logs again.

use std::io;

use lumen_vm::host::{Host, StdHost};

/// One answer the world gave the program.
#[derive(Clone, Debug)]
pub enum Event {
    Now(f64),
    Hrtime(i64),
    Random(u64),
    Env(Option<String>),
    Args(Vec<String>),
    Read(Result<String, (io::ErrorKind, String)>),
    /// The result of a write, append or mkdir.
    Wrote(Result<(), (io::ErrorKind, String)>),
    Exists(bool),
    Dir(Result<Vec<String>, (io::ErrorKind, String)>),
    Line(Option<String>),
    Stdin(String),
}

pub struct ReplayHost<'a> {
    inner: &'a mut StdHost,
    old: Vec<Event>,
    cursor: usize,
    /// Everything answered in this run: the session's log if the input is kept.
    pub log: Vec<Event>,
    /// The text whose printing marks the start of the new input.
    marker: String,
    /// Whether the marker has been printed (the new input is running).
    pub live: bool,
}

impl<'a> ReplayHost<'a> {
    pub fn new(inner: &'a mut StdHost, old: Vec<Event>, marker: String) -> ReplayHost<'a> {
        ReplayHost { inner, old, cursor: 0, log: Vec::new(), marker, live: false }
    }

    /// The recorded answer when replaying and the next entry has the expected kind; otherwise
    /// `live()` (an earlier statement now takes another path, e.g. after a redeclaration).
    fn answer(&mut self, matches: fn(&Event) -> bool, live: impl FnOnce(&mut StdHost) -> Event) -> Event {
        let event = match self.old.get(self.cursor) {
            Some(e) if !self.live && matches(e) => {
                self.cursor += 1;
                e.clone()
            }
            _ => live(self.inner),
        };
        self.log.push(event.clone());
        event
    }

    /// A write: performed only when live; replayed ones return their first result.
    fn write(&mut self, op: impl FnOnce(&mut StdHost) -> io::Result<()>) -> io::Result<()> {
        let live = self.live;
        let event = self.answer(
            |e| matches!(e, Event::Wrote(_)),
            |h| Event::Wrote(if live { op(h).map_err(keep) } else { Ok(()) }),
        );
        match event {
            Event::Wrote(r) => r.map_err(restore),
            _ => Ok(()),
        }
    }
}

fn keep(e: io::Error) -> (io::ErrorKind, String) {
    (e.kind(), e.to_string())
}

fn restore((kind, text): (io::ErrorKind, String)) -> io::Error {
    io::Error::new(kind, text)
}

impl Host for ReplayHost<'_> {
    fn write_stdout(&mut self, text: &str) {
        if self.live {
            self.inner.write_stdout(text);
        } else if text.strip_suffix('\n') == Some(self.marker.as_str()) {
            self.live = true;
        }
    }

    fn write_stderr(&mut self, text: &str) {
        if self.live {
            self.inner.write_stderr(text);
        }
    }

    fn flush(&mut self) {
        self.inner.flush();
    }

    fn now(&mut self) -> f64 {
        match self.answer(|e| matches!(e, Event::Now(_)), |h| Event::Now(h.now())) {
            Event::Now(t) => t,
            _ => 0.0,
        }
    }

    fn hrtime(&mut self) -> i64 {
        match self.answer(|e| matches!(e, Event::Hrtime(_)), |h| Event::Hrtime(h.hrtime())) {
            Event::Hrtime(t) => t,
            _ => 0,
        }
    }

    fn random_u64(&mut self) -> u64 {
        match self.answer(|e| matches!(e, Event::Random(_)), |h| Event::Random(h.random_u64())) {
            Event::Random(r) => r,
            _ => 0,
        }
    }

    fn sleep_ms(&mut self, ms: u64) {
        if self.live {
            self.inner.sleep_ms(ms);
        }
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.answer(|e| matches!(e, Event::Env(_)), |h| Event::Env(h.get_env(name))) {
            Event::Env(v) => v,
            _ => None,
        }
    }

    fn args(&mut self) -> Vec<String> {
        match self.answer(|e| matches!(e, Event::Args(_)), |h| Event::Args(h.args())) {
            Event::Args(v) => v,
            _ => Vec::new(),
        }
    }

    fn read_file(&mut self, path: &str) -> io::Result<String> {
        match self.answer(|e| matches!(e, Event::Read(_)), |h| Event::Read(h.read_file(path).map_err(keep))) {
            Event::Read(r) => r.map_err(restore),
            _ => Err(io::Error::other("replay mismatch")),
        }
    }

    fn write_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.write(|h| h.write_file(path, content))
    }

    fn append_file(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.write(|h| h.append_file(path, content))
    }

    fn exists(&mut self, path: &str) -> bool {
        match self.answer(|e| matches!(e, Event::Exists(_)), |h| Event::Exists(h.exists(path))) {
            Event::Exists(b) => b,
            _ => false,
        }
    }

    fn read_dir(&mut self, path: &str) -> io::Result<Vec<String>> {
        match self.answer(|e| matches!(e, Event::Dir(_)), |h| Event::Dir(h.read_dir(path).map_err(keep))) {
            Event::Dir(r) => r.map_err(restore),
            _ => Err(io::Error::other("replay mismatch")),
        }
    }

    fn mkdir(&mut self, path: &str) -> io::Result<()> {
        self.write(|h| h.mkdir(path))
    }

    fn read_line(&mut self) -> Option<String> {
        match self.answer(|e| matches!(e, Event::Line(_)), |h| Event::Line(h.read_line())) {
            Event::Line(l) => l,
            _ => None,
        }
    }

    fn read_stdin(&mut self) -> String {
        match self.answer(|e| matches!(e, Event::Stdin(_)), |h| Event::Stdin(h.read_stdin())) {
            Event::Stdin(s) => s,
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_until_the_marker_then_goes_live() {
        let mut inner = StdHost::new(Vec::new());
        let old = vec![Event::Random(7), Event::Wrote(Ok(())), Event::Env(Some("x".into()))];
        let mut host = ReplayHost::new(&mut inner, old, "MARK".into());
        assert_eq!(host.random_u64(), 7);
        // Not live: nothing is written, the recorded result is returned.
        assert!(host.write_file("/nonexistent-dir/never-written", b"x").is_ok());
        assert_eq!(host.get_env("ANYTHING"), Some("x".into()));
        host.write_stdout("MARK\n");
        assert!(host.live);
        assert!(host.write_file("/nonexistent-dir/never-written", b"x").is_err());
        assert_eq!(host.log.len(), 4);
    }
}
