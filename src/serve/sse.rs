//! Server-Sent Events on `/__ohisama/events`, one thread per open page.
//!
//! tiny_http buffers a `Response` body, so the stream takes the raw connection
//! (`Request::into_writer`), writes the status line and headers itself and
//! flushes after every event. Each client thread sleeps on the shared state's
//! condition variable and wakes for a finished build, for shutdown, or to send a
//! heartbeat comment: a write to a page that is gone fails, and the thread ends.
//!
//! Events (data is one line of JSON):
//! - `hello` on connect: `{"build": id|null, "error": bool}`, followed by the
//!   current `error` if the site is broken (so a page opened meanwhile shows it);
//! - `reload`: `{"build": id}` after a good build;
//! - `css`: `{"build": id}` after a good build that changed only stylesheets;
//! - `error`: `{"build": id|null, "summary": "…", "diagnostics": [...]}`.

use super::{Shared, State};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tiny_http::Request;

const HEADERS: &[u8] = b"HTTP/1.1 200 OK\r\n\
Content-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Accel-Buffering: no\r\n\
\r\n";

pub(super) fn serve(shared: &Arc<Shared>, rq: Request) {
    let before = shared.sse_clients.fetch_add(1, Ordering::SeqCst);
    if before >= shared.opts.max_sse_clients {
        shared.sse_clients.fetch_sub(1, Ordering::SeqCst);
        let resp = tiny_http::Response::from_string("接続が多すぎます\n").with_status_code(503);
        let _ = rq.respond(resp);
        return;
    }
    let guard = ClientGuard(shared.clone());
    let spawned = std::thread::Builder::new()
        .name("ohisama-sse".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            let shared = guard.0.clone();
            let writer = rq.into_writer();
            let _ = stream(&shared, writer);
            drop(guard);
        });
    // If the thread cannot start, the closure (request and guard) is dropped:
    // tiny_http answers 500 and the count goes back down.
    let _ = spawned;
}

/// Counts open streams (for `Server::sse_clients` and the connection limit).
struct ClientGuard(Arc<Shared>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.sse_clients.fetch_sub(1, Ordering::SeqCst);
    }
}

fn event(w: &mut dyn Write, name: &str, data: &str) -> io::Result<()> {
    debug_assert!(!data.contains('\n'));
    write!(w, "event: {name}\ndata: {data}\n\n")
}

fn build_json(st: &State) -> serde_json::Value {
    serde_json::json!({ "build": st.good.as_ref().map(|g| g.id.clone()) })
}

fn stream(shared: &Shared, mut w: Box<dyn Write + Send>) -> io::Result<()> {
    w.write_all(HEADERS)?;
    let mut seen = {
        let st = shared.lock();
        let hello = serde_json::json!({
            "build": st.good.as_ref().map(|g| g.id.clone()),
            "error": st.error.is_some(),
        });
        // Reconnect quickly when the server restarts.
        w.write_all(b"retry: 1000\n\n")?;
        event(&mut w, "hello", &hello.to_string())?;
        if let Some(e) = &st.error {
            event(&mut w, "error", e)?;
        }
        st.seq
    };
    w.flush()?;

    loop {
        let next = {
            let mut st = shared.lock();
            let deadline = Instant::now() + shared.opts.heartbeat;
            loop {
                if shared.stopping() {
                    return Ok(());
                }
                if st.seq != seen {
                    break;
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                st = shared
                    .changed
                    .wait_timeout(st, deadline - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            if st.seq == seen {
                None
            } else {
                // Several builds may have finished since the last event: tell the
                // latest state, and reload if any of them needed it.
                let ev = if let Some(e) = &st.error {
                    ("error", e.clone())
                } else if st.reload_seq > seen {
                    ("reload", build_json(&st).to_string())
                } else {
                    ("css", build_json(&st).to_string())
                };
                seen = st.seq;
                Some(ev)
            }
        };
        match next {
            Some((name, data)) => event(&mut w, name, &data)?,
            None => w.write_all(b": ping\n\n")?,
        }
        w.flush()?;
    }
}
