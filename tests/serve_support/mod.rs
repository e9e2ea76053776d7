//! Helpers of the `serve` tests: a raw HTTP client (it must send what real
//! clients would normalise away, like `/../`), a Server-Sent Events client and a
//! server on a free port over a copy of the sample site.

#![allow(dead_code)]

use ohisama::serve::{ServeOptions, Server};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The one deadline the tests assert: an edit reaches open pages within 2 s.
pub const EVENT_DEADLINE: Duration = Duration::from_secs(2);

/// Options for a test server: any free port, quiet, no PDFs and no search index
/// (other tests cover those; the preview server does not depend on them).
pub fn options(root: &Path) -> ServeOptions {
    let mut o = ServeOptions::new(root);
    o.port = 0;
    o.quiet = true;
    o.search = false;
    o
}

/// One preview server at a time: each builds the sample site on every change,
/// and builds running side by side on 2 cores would eat into the 2 s deadline.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn start(root: &Path) -> Server {
    Server::start(options(root)).expect("start server")
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> &str {
        self.header("Content-Type").unwrap_or("")
    }
}

/// Sends `request` as is and reads the whole answer (the request should close the connection).
pub fn raw(port: u16, request: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).expect("send");
    let mut buf = Vec::new();
    // A server that closes early may reset the connection: keep what was read.
    let _ = s.read_to_end(&mut buf);
    parse(&buf).unwrap_or_else(|| {
        panic!(
            "no HTTP response to {:?}: {:?}",
            String::from_utf8_lossy(request),
            String::from_utf8_lossy(&buf)
        )
    })
}

fn parse(buf: &[u8]) -> Option<Resp> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Resp {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    })
}

pub fn request(port: u16, method: &str, target: &str) -> Resp {
    raw(
        port,
        format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
}

pub fn get(port: u16, target: &str) -> Resp {
    request(port, "GET", target)
}

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).expect("event data is JSON")
    }
}

/// A live-reload connection, as an open page holds it.
pub struct SseClient {
    stream: TcpStream,
    rx: mpsc::Receiver<SseEvent>,
    /// Events skipped by `wait_for` (for failure messages).
    pub seen: Vec<SseEvent>,
}

impl SseClient {
    /// Connects and waits for the headers and the `hello` event.
    pub fn connect(port: u16) -> SseClient {
        let mut c = Self::connect_no_wait(port);
        let hello = c
            .next(Duration::from_secs(30))
            .expect("hello event after connecting");
        assert_eq!(hello.name, "hello", "first event: {hello:?}");
        c.seen.push(hello);
        c
    }

    pub fn connect_no_wait(port: u16) -> SseClient {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            stream,
            "GET /__ohisama/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send");
        let reader = stream.try_clone().expect("clone");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_events(reader, tx));
        SseClient {
            stream,
            rx,
            seen: Vec::new(),
        }
    }

    pub fn next(&self, timeout: Duration) -> Option<SseEvent> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// The first event named `name` before `deadline`, or the events seen instead.
    pub fn wait_for(&mut self, name: &str, deadline: Instant) -> Result<SseEvent, String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(e) if e.name == name => return Ok(e),
                Ok(e) => self.seen.push(e),
                Err(_) => {
                    return Err(format!(
                        "no `{name}` event in time; events so far: {:?}",
                        self.seen
                    ));
                }
            }
        }
    }
}

impl Drop for SseClient {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

fn read_events(stream: TcpStream, tx: mpsc::Sender<SseEvent>) {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    // Status line and headers.
    let mut status_ok = false;
    let mut event_stream = false;
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let l = line.trim_end();
        if l.starts_with("HTTP/1.1 200") {
            status_ok = true;
        }
        if l.to_ascii_lowercase()
            .starts_with("content-type: text/event-stream")
        {
            event_stream = true;
        }
        if l.is_empty() {
            break;
        }
    }
    if !status_ok || !event_stream {
        let _ = tx.send(SseEvent {
            name: "bad-response".into(),
            data: String::new(),
        });
        return;
    }
    let (mut name, mut data) = (String::new(), String::new());
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if !data.is_empty() || !name.is_empty() {
                let ev = SseEvent {
                    name: if name.is_empty() {
                        "message".into()
                    } else {
                        std::mem::take(&mut name)
                    },
                    data: std::mem::take(&mut data),
                };
                if tx.send(ev).is_err() {
                    return;
                }
            }
        } else if let Some(v) = l.strip_prefix("event:") {
            name = v.trim_start().to_string();
        } else if let Some(v) = l.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
        // `:` comments (heartbeats) and `retry:` are skipped.
    }
}

/// Polls `f` until it returns true or `timeout` passes (for conditions without
/// an event, e.g. a dropped connection being noticed).
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    f()
}

/// The 1-based line of the first line of `text` containing `needle`.
pub fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not found")) as u32
        + 1
}
