//! Server-Sent Events on `/__ohisama/events`, one thread per open page.
//!
//! The connection's own thread becomes the stream: it writes the status line and
//! headers itself and flushes after every event. Streams count against their own
//! cap ([`super::ServeOptions::max_sse_clients`], past it 503), not against the
//! connection cap: an open page holds its stream for as long as it is open. Each
//! stream sleeps on the shared state's condition variable and wakes for a
//! finished build, for shutdown, or to send a heartbeat comment: a write to a page
//! that is gone fails (or times out, for a client that stops reading), and the
//! thread ends.
//!
//! Events (data is one line of JSON):
//! - `hello` on connect: `{"build": id|null, "error": bool}`, followed by the
//!   current `error` if the site is broken (so a page opened meanwhile shows it);
//! - `reload`: `{"build": id, "paths": [...]}` after a good build; `paths`
//!   (output paths, `news/x/index.html`) when only those pages changed: a page
//!   not among them stays as it is (the editor's other tabs, and the page being
//!   edited when its early render was already right, [`super::Session::early_page`]);
//!   without `paths`, every page reloads;
//! - `css`: `{"build": id}` after a good build that changed only stylesheets;
//! - `error`: `{"build": id|null, "summary": "…", "diagnostics": [...]}`.

use super::{Shared, State};
use std::io::{self, BufWriter, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

const HEADERS: &[u8] = b"HTTP/1.1 200 OK\r\n\
Content-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Accel-Buffering: no\r\n\
\r\n";

/// Takes a stream slot, or None when [`super::ServeOptions::max_sse_clients`]
/// streams are open already.
pub(super) fn admit(shared: &Arc<Shared>) -> Option<ClientGuard> {
    let before = shared.sse_clients.fetch_add(1, Ordering::SeqCst);
    let guard = ClientGuard(shared.clone());
    (before < shared.opts.max_sse_clients).then_some(guard)
}

/// Runs the event stream on `stream` until the page goes away or the server stops.
pub(super) fn serve(shared: &Shared, stream: TcpStream, client: ClientGuard) {
    let _ = run_stream(shared, BufWriter::new(stream));
    drop(client);
}

/// Counts open streams (for `Server::sse_clients` and the stream cap).
pub(super) struct ClientGuard(Arc<Shared>);

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

/// The pages each recent reload was for (`None`: every page), by the `seq`
/// it was sent at: a stream that missed several builds tells the pages of
/// all of them.
#[derive(Debug, Default)]
pub(crate) struct ReloadLog {
    recent: std::collections::VecDeque<(u64, Option<Vec<String>>)>,
    /// The newest `seq` no longer in `recent`.
    forgotten: u64,
}

/// Reloads remembered (a stream further behind reloads every page).
const RELOADS_KEPT: usize = 32;

impl ReloadLog {
    pub fn push(&mut self, seq: u64, paths: Option<Vec<String>>) {
        if self.recent.len() == RELOADS_KEPT
            && let Some((old, _)) = self.recent.pop_front()
        {
            self.forgotten = old;
        }
        self.recent.push_back((seq, paths));
    }

    /// The pages the reloads after `seen` were for; `None` when one was for
    /// every page or is forgotten.
    pub fn since(&self, seen: u64) -> Option<Vec<String>> {
        if self.forgotten > seen {
            return None;
        }
        let mut all = std::collections::BTreeSet::new();
        for (_, paths) in self.recent.iter().filter(|(seq, _)| *seq > seen) {
            all.extend(paths.as_ref()?.iter().cloned());
        }
        Some(all.into_iter().collect())
    }
}

fn reload_json(st: &State, seen: u64) -> serde_json::Value {
    let mut data = build_json(st);
    if let Some(paths) = st.reloads.since(seen) {
        data["paths"] = serde_json::json!(paths);
    }
    data
}

fn run_stream(shared: &Shared, mut w: impl Write) -> io::Result<()> {
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
                    ("reload", reload_json(&st, seen).to_string())
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

#[cfg(test)]
mod tests {
    use super::ReloadLog;

    fn paths(p: &[&str]) -> Option<Vec<String>> {
        Some(p.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn a_stream_behind_hears_the_pages_of_every_build_it_missed() {
        let mut log = ReloadLog::default();
        log.push(1, paths(&["a/index.html"]));
        log.push(2, paths(&["b/index.html", "a/index.html"]));
        assert_eq!(log.since(0), paths(&["a/index.html", "b/index.html"]));
        assert_eq!(log.since(1), paths(&["a/index.html", "b/index.html"]));
        assert_eq!(log.since(2), paths(&[]));
        // A build for every page (a stylesheet, a script) among them: all.
        log.push(3, None);
        log.push(4, paths(&["c/index.html"]));
        assert_eq!(log.since(2), None);
        assert_eq!(log.since(3), paths(&["c/index.html"]));
    }

    #[test]
    fn a_stream_further_behind_than_the_log_reloads_every_page() {
        let mut log = ReloadLog::default();
        for seq in 1..=40 {
            log.push(seq, paths(&["a/index.html"]));
        }
        assert_eq!(log.since(40), paths(&[]));
        assert_eq!(log.since(39), paths(&["a/index.html"]));
        assert_eq!(log.since(3), None, "forgotten builds");
    }
}
