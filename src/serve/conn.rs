//! Connections: the accept loop, the connection cap and the deadlines.
//!
//! One thread accepts; each admitted connection gets a thread of its own
//! (plain blocking I/O, like the rest of the crate). What keeps that bounded:
//! - **A cap on open connections** ([`super::ServeOptions::max_connections`]). Past it
//!   the accepting thread itself writes a `503` with a short Japanese body and
//!   closes: no thread is started for a connection that is refused. A
//!   connection that becomes a live-reload stream leaves this count for the
//!   streams' own cap ([`super::ServeOptions::max_sse_clients`]).
//! - **Deadlines, not per-read timeouts.** A new connection must deliver a whole
//!   request head within [`super::ServeOptions::header_timeout`] of being accepted (a
//!   client sending one byte a second is cut off as surely as a silent one); a
//!   kept-alive connection may stay idle for [`super::ServeOptions::keep_alive`], then
//!   has `header_timeout` again from its next first byte. A half-sent request is
//!   answered `408` and closed; an idle connection is closed without a word.
//!   Writes time out after [`WRITE_TIMEOUT`] (a client that stops reading).
//! - **What is not HTTP/1** (the HTTP/2 preface, TLS, garbage) is answered
//!   `505`/`400` as soon as the bytes show it ([`parse_request_head`]) and closed.
//!   Requests with a body are answered, then the connection is closed (the
//!   server reads no bodies, so none can be mistaken for the next request).
//! - **An accept error** (out of file handles, …) is reported at most once every
//!   10 s; the loop waits a little and goes on, it never ends before shutdown.
//!
//! Every open connection is registered (a clone of its socket), so shutdown can
//! close them all at once instead of waiting for their deadlines.

use super::Shared;
use super::http::{self, Reply, Response};
use super::request::{HeadError, RequestHead, parse_request_head};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

/// A write that makes no progress for this long ends the connection.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// After the last answer on a connection, how long its unread input is drained
/// before closing (closing with unread input resets the connection, and the
/// client could lose the answer).
const LINGER: Duration = Duration::from_millis(500);
/// Stack of a connection thread (file serving and event streams need little).
const STACK: usize = 512 * 1024;
/// The open connections (not counting event streams), by id.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    next_id: u64,
    open: HashMap<u64, TcpStream>,
}

impl Connections {
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Closes every open connection (shutdown): their threads see the end of
    /// input or a failed write and return.
    pub fn close_all(&mut self) {
        for s in self.open.values() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Holds a connection's place in [`Connections`]; dropping it frees the place.
struct Slot {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        connections(&self.shared).open.remove(&self.id);
    }
}

fn connections(shared: &Shared) -> MutexGuard<'_, Connections> {
    shared.conns.lock().unwrap_or_else(|e| e.into_inner())
}

/// Accepts connections until the server stops (see the module doc).
pub(super) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut last_warning: Option<Instant> = None;
    loop {
        let accepted = listener.accept();
        if shared.stopping() {
            return;
        }
        match accepted {
            Ok((stream, _)) => admit(&shared, stream),
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                    last_warning = Some(Instant::now());
                    eprintln!("接続を受け付けられません ({e})。少し待って続けます。");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Errors of one connection (it is gone before being accepted), not of the listener.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// Gives `stream` a place and a thread, or answers 503 right here.
fn admit(shared: &Arc<Shared>, stream: TcpStream) {
    let slot = {
        let mut conns = connections(shared);
        let full = conns.len() >= shared.opts.max_connections;
        // The clone lets shutdown close the connection (none when out of file handles).
        let clone = if full { None } else { stream.try_clone().ok() };
        let Some(clone) = clone else {
            drop(conns);
            refuse_busy(stream);
            return;
        };
        let id = conns.next_id;
        conns.next_id += 1;
        conns.open.insert(id, clone);
        Slot {
            shared: shared.clone(),
            id,
        }
    };
    // If no thread can start, the closure is dropped: the connection closes
    // and its place is freed.
    let _ = std::thread::Builder::new()
        .name("ohisama-conn".into())
        .stack_size(STACK)
        .spawn(move || serve_connection(stream, slot));
}

/// The answer when [`super::ServeOptions::max_connections`] are open.
fn busy() -> Vec<u8> {
    let mut bytes = Vec::new();
    let resp = Response::text(
        503,
        "接続が多すぎます。少し待ってから開き直してください。\n",
    )
    .with_header("Retry-After", "1");
    // Writing to a Vec cannot fail.
    let _ = resp.write_to(&mut bytes, false, true);
    bytes
}

/// Writes [`busy`] and closes, without blocking the accepting thread: the
/// answer fits in the empty send buffer of a new socket, and whatever the client
/// sent already is drained so the close does not reset the connection.
fn refuse_busy(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(&busy());
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match (&stream).read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// Answers requests on one connection until it closes, idles out or becomes a
/// live-reload stream.
fn serve_connection(mut stream: TcpStream, slot: Slot) {
    let shared = slot.shared.clone();
    let opts = &shared.opts;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = HeadReader::default();
    // The first request must be complete within the header timeout of the accept.
    let mut wait = Wait {
        first_byte: opts.header_timeout,
        restart_on_first_byte: false,
    };
    loop {
        let head = match reader.next_head(&mut stream, &wait, opts.header_timeout) {
            Ok(head) => head,
            Err(End::Closed) => return,
            Err(End::TimedOut) => {
                let resp = Response::text(408, "リクエストが時間内に届きませんでした\n");
                finish(stream, resp, false);
                return;
            }
            Err(End::Refused(e)) => {
                finish(stream, Response::text(e.status(), &format!("{e}\n")), false);
                return;
            }
        };
        let reply = std::panic::catch_unwind(AssertUnwindSafe(|| http::respond(&shared, &head)))
            .unwrap_or_else(|_| {
                Reply::Send(Response::text(
                    500,
                    "サーバー内部のエラーです (ohisama の不具合)\n",
                ))
            });
        let head_only = head.method == "HEAD";
        match reply {
            Reply::Events(client) => {
                // An open page holds its stream: it counts as a stream, not a connection.
                drop(slot);
                super::sse::serve(&shared, stream, client);
                return;
            }
            Reply::Send(resp) if must_close(&head, &shared) => {
                finish(stream, resp, head_only);
                return;
            }
            Reply::Send(resp) => {
                if resp.write_to(&mut stream, head_only, false).is_err() {
                    return;
                }
            }
        }
        // Kept alive: idle for a while, then a whole head within the header timeout.
        wait = Wait {
            first_byte: opts.keep_alive,
            restart_on_first_byte: true,
        };
    }
}

/// Whether the connection ends after this answer.
fn must_close(head: &RequestHead, shared: &Shared) -> bool {
    head.close || head.has_body || shared.stopping()
}

/// Writes the last answer of a connection (with `Connection: close`), then closes
/// it gracefully.
fn finish(mut stream: TcpStream, resp: Response, head_only: bool) {
    if resp.write_to(&mut stream, head_only, true).is_ok() {
        linger_close(stream);
    }
}

/// Half-closes, then reads and drops what the client still sends for at most
/// [`LINGER`] (and 64 KiB), so the answer is not lost to a connection reset.
fn linger_close(stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let end = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&stream).read(&mut sink) {
            Ok(0) => return,
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// How long [`HeadReader::next_head`] waits.
struct Wait {
    /// From now until the first byte of the request.
    first_byte: Duration,
    /// The first byte starts a new deadline, the header timeout, for the whole
    /// head; otherwise the first-byte deadline holds for the whole head too (the
    /// first request of a connection).
    restart_on_first_byte: bool,
}

/// Why no request head came.
enum End {
    /// The client closed, the connection failed, or it stayed idle (nothing sent).
    Closed,
    /// Part of a head came, not all of it, in time.
    TimedOut,
    /// The bytes are not a request this server answers.
    Refused(HeadError),
}

/// Reads request heads off a connection, keeping bytes that came after one
/// (a pipelined request) for the next.
#[derive(Default)]
struct HeadReader {
    buf: Vec<u8>,
}

impl HeadReader {
    fn next_head(
        &mut self,
        stream: &mut TcpStream,
        wait: &Wait,
        header_timeout: Duration,
    ) -> Result<RequestHead, End> {
        let mut deadline = Instant::now() + wait.first_byte;
        let mut started = false;
        let mut chunk = [0u8; 4096];
        loop {
            if !self.buf.is_empty() {
                match parse_request_head(&self.buf) {
                    Ok(Some(head)) => {
                        self.buf.drain(..head.len);
                        return Ok(head);
                    }
                    Ok(None) => {}
                    Err(e) => return Err(End::Refused(e)),
                }
                if !started {
                    started = true;
                    if wait.restart_on_first_byte {
                        deadline = Instant::now() + header_timeout;
                    }
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(if started { End::TimedOut } else { End::Closed });
            }
            if stream.set_read_timeout(Some(left)).is_err() {
                return Err(End::Closed);
            }
            match stream.read(&mut chunk) {
                Ok(0) => return Err(End::Closed),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => return Err(End::Closed),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_is_a_whole_503_that_closes() {
        let bytes = busy();
        let text = std::str::from_utf8(&bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let head = format!("{head}\r\n");
        assert!(
            head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("Content-Length: {}\r\n", body.len())),
            "{head}"
        );
        assert!(head.contains("Connection: close\r\n"), "{head}");
        assert!(head.contains("Retry-After: 1\r\n"), "{head}");
        assert!(body.contains("接続が多すぎます"), "{body}");
    }
}
