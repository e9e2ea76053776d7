//! `ohisama serve`: a local preview server for the editors.
//!
//! - Builds the site in memory ([`session`]; never `dist/`), with the base URL
//!   rewritten to the local address and a small live-reload script injected
//!   before `</body>` ([`BuildOptions::dev_script`], empty in real builds). A
//!   rebuild re-renders only the pages whose inputs moved; the search export
//!   (and the PDFs with `--pdf`) follow after the reload event ([`background`])
//!   into `<root>/.cache/serve/<port>/files-<N>/`.
//! - Serves it over HTTP/1.1 ([`conn`], [`request`], [`http`]): content types,
//!   `index.html` for directories, the site's 404 page, and nothing outside the
//!   output. Hardened for a machine where any web page the editor visits
//!   may try it: a cap on open connections (503 past it, no thread started), a
//!   deadline for request heads (408), idle connections closed, `Host` checked
//!   against DNS rebinding (403), and whatever is not HTTP/1 (the HTTP/2
//!   preface, TLS) answered and closed at once. Requests are parsed by
//!   [`parse_request_head`], a pure function (for fuzzing).
//! - Watches `content/`, `data/` and `themes/` (notify, debounced) and rebuilds on
//!   a change. The server switches to a new output (one `Arc` swap) only when the
//!   build succeeded, so a broken edit keeps the last good site on screen, and no
//!   request ever sees a half-built site.
//! - Open pages follow through Server-Sent Events on `/__ohisama/events` ([`sse`]):
//!   `reload`, `css` (stylesheets only) or `error` with every diagnostic, which the
//!   page shows as an overlay until the next good build.
//!
//! ```no_run
//! let mut opts = ohisama::serve::ServeOptions::new(".");
//! opts.port = 0; // any free port
//! let server = ohisama::serve::Server::start(opts).unwrap();
//! println!("{}", server.url());
//! server.shutdown();
//! ```

mod background;
mod conn;
mod http;
mod request;
mod session;
mod sse;

pub use http::Target as RequestTarget;
pub use request::{HeadError, HostPolicy, MAX_HEAD, MAX_HEADERS, RequestHead, parse_request_head};
pub use session::{Built, Files, Session};

use crate::config::BuildOptions;
use crate::diagnostic::Diagnostics;
use crate::routes::Route;
use notify::EventKind;
use notify::event::{MetadataKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, RecommendedCache, new_debouncer};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Name of the thread that accepts connections ([`conn::accept_loop`]).
const ACCEPT_THREAD: &str = "ohisama-accept";

/// The folders whose changes trigger a rebuild.
/// `templates/` (the site's overrides) is watched when it exists at start.
pub const WATCHED: [&str; 4] = ["content", "data", "themes", "templates"];

/// How `ohisama serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder (with content/, data/, themes/).
    pub root: PathBuf,
    /// Address to listen on; loopback by default.
    pub bind: IpAddr,
    /// Port; 0 picks a free one (tests).
    pub port: u16,
    /// Generate the PDFs too (slow; off by default).
    pub pdf: bool,
    /// Build the search index.
    pub search: bool,
    /// Overrides `theme:` of site.yaml (`None`: site.yaml's).
    pub theme: Option<String>,
    /// Include `draft: true` pages (`serve --drafts`).
    pub drafts: bool,
    /// Where the preview builds go (default `<root>/.cache/serve`); a folder per port.
    pub work_dir: Option<PathBuf>,
    /// Quiet time after the last file event before a rebuild (15 ms: editors
    /// write a save in one burst; the budget from save to reload is 100 ms;
    /// a save in steps further apart builds twice, the last build wins).
    pub debounce: Duration,
    /// Interval of SSE heartbeats (comments); dead clients are dropped when a write fails.
    pub heartbeat: Duration,
    /// Most open connections at once, live-reload streams aside (each holds a
    /// thread); more get 503 from the accepting thread.
    pub max_connections: usize,
    /// A connection must deliver a whole request head within this time (of being
    /// accepted, or of the first byte of a later request); else 408 and closed.
    pub header_timeout: Duration,
    /// An idle kept-alive connection is closed after this time.
    pub keep_alive: Duration,
    /// Most live-reload connections at once (each holds a thread); more get 503.
    pub max_sse_clients: usize,
    /// Print nothing on the terminal (tests, benchmarks).
    pub quiet: bool,
}

impl ServeOptions {
    pub fn new(root: impl AsRef<Path>) -> ServeOptions {
        ServeOptions {
            root: root.as_ref().to_path_buf(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            pdf: false,
            search: true,
            theme: None,
            drafts: false,
            work_dir: None,
            debounce: Duration::from_millis(15),
            heartbeat: Duration::from_secs(15),
            max_connections: 64,
            header_timeout: Duration::from_secs(3),
            keep_alive: Duration::from_secs(5),
            max_sse_clients: 1000,
            quiet: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{addr} で待ち受けできません: {source} (--port で別のポートを指定してください)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{path} を監視できません: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// What a finished build left for the pages and the event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutcome {
    /// A good build, pages must reload.
    Reload,
    /// A good build that changed only stylesheets.
    Css,
    /// A failed build; the previous site is still served.
    Error,
}

/// The last build, for tests and benchmarks.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    /// Build number, counting the first build as 1 (failed builds count too).
    pub number: u64,
    pub outcome: BuildOutcome,
    pub duration: Duration,
    /// Pages of a good build.
    pub pages: usize,
    /// Output paths a good build changed (see [`Built::changed`]).
    pub changed: Vec<String>,
    /// Pages a good build rendered (the others kept their bytes).
    pub rendered: usize,
    /// Problems (errors of a failed build, warnings of a good one).
    pub diagnostics: Diagnostics,
}

/// The site currently served.
#[derive(Debug, Clone)]
pub(crate) struct GoodSite {
    /// `<session>-<n>` (`<session>-<n>-early` for an early page's output, see
    /// [`Session::early_page`]), put into every HTML page served (`data-build`, in
    /// place of [`BUILD_MARKER`]).
    pub id: String,
    /// The output in memory.
    pub files: Arc<Files>,
    /// Canonical path of the folder of what is built after the reload
    /// event (`search/`): asked for when `files` has no such path.
    pub dir: PathBuf,
}

/// Rendered into every preview page as its build id; each response says the
/// id of the build it belongs to instead, so a page that did not change keeps
/// its bytes (and is not rendered again) from one build to the next.
pub(crate) const BUILD_MARKER: &str = "__OHISAMA_BUILD__";

/// Shared between the HTTP workers, the SSE clients and the build loop.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Bumped after every build (good or failed); SSE clients wait for it to move.
    pub seq: u64,
    /// `seq` of the last build that needs a full page reload.
    pub reload_seq: u64,
    /// Which pages each reload was for.
    pub reloads: sse::ReloadLog,
    pub good: Option<GoodSite>,
    /// JSON of the failed build (`{"build", "summary", "diagnostics"}`) while the site is broken.
    pub error: Option<String>,
    pub last: Option<BuildInfo>,
}

pub(crate) struct Shared {
    pub opts: ServeOptions,
    pub state: Mutex<State>,
    pub changed: Condvar,
    pub stop: AtomicBool,
    pub sse_clients: AtomicUsize,
    /// Open connections, live-reload streams aside ([`conn`]).
    pub conns: Mutex<conn::Connections>,
    /// Which `Host` values are answered.
    pub hosts: HostPolicy,
    /// `http://127.0.0.1:<port>/`, named in refusals.
    pub url: String,
    /// Distinguishes builds of this server from a previous run on the same port.
    pub session: String,
    /// Work not yet done (background jobs, messages to the rebuild loop).
    pub(crate) pending: background::Pending,
}

impl Shared {
    fn new(opts: ServeOptions, addr: SocketAddr, url: String) -> Shared {
        let session = format!(
            "{:x}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as u64)
                ^ u64::from(std::process::id())
        );
        Shared {
            opts,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
            sse_clients: AtomicUsize::new(0),
            conns: Mutex::new(conn::Connections::default()),
            hosts: HostPolicy::new(addr.ip(), addr.port()),
            url,
            session,
            pending: background::Pending::default(),
        }
    }

    /// Where to look, what is watched, where the builds go; a warning when
    /// the preview is visible from the network.
    fn log_start(&self, addr: SocketAddr, work: &Path) {
        self.log(&format!(
            "ohisama serve: {} で表示しています (Ctrl+C で終了)\n  監視: {}\n  出力: {} (dist/ は変更しません)",
            self.url,
            WATCHED
                .iter()
                .map(|w| format!("{w}/"))
                .collect::<Vec<_>>()
                .join(" "),
            work.display()
        ));
        if !addr.ip().is_loopback() {
            self.log(
                "警告: ループバック以外のアドレスで待ち受けています。同じネットワークの誰からもプレビューが見えます。",
            );
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn log(&self, text: &str) {
        if !self.opts.quiet {
            eprintln!("{text}");
        }
    }
}

pub(crate) enum Msg {
    Changed(Vec<PathBuf>),
    /// PDFs made in the background (`--pdf`): the pages that link them change.
    Pdfs(session::PdfSet),
    Stop,
}

/// A running preview server. Dropping it shuts it down.
pub struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    work: PathBuf,
    tx: mpsc::Sender<Msg>,
    threads: Vec<JoinHandle<()>>,
    watcher: Option<notify_debouncer_full::Debouncer<notify::RecommendedWatcher, RecommendedCache>>,
    stopped: bool,
}

impl Server {
    /// Binds, builds the site once (a failed first build still starts the server,
    /// which then shows the errors), starts watching and serving.
    pub fn start(mut opts: ServeOptions) -> Result<Server, ServeError> {
        // Absolute, so watcher events and messages name files relative to it.
        opts.root = std::fs::canonicalize(&opts.root).map_err(|source| ServeError::Io {
            path: opts.root.clone(),
            source,
        })?;
        let (listener, addr) = bind(SocketAddr::new(opts.bind, opts.port))?;
        let url = local_url(addr);
        let work = opts
            .work_dir
            .clone()
            .unwrap_or_else(|| opts.root.join(".cache").join("serve"))
            .join(addr.port().to_string());
        // One left by a killed preview is replaced; a running one's is refused.
        crate::output::claim_work_dir(&work)?;

        let shared = Arc::new(Shared::new(opts, addr, url.clone()));
        shared.log_start(addr, &work);
        // Watch before the first build: an edit saved while it runs is not lost.
        let (tx, rx) = mpsc::channel();
        let watcher = start_watcher(&shared.opts, tx.clone())?;
        // The first build, before the first request.
        let (bg_tx, bg_rx) = mpsc::channel();
        let mut builder = Builder::new(shared.clone(), url.clone(), work.clone(), bg_tx);
        builder.rebuild(true);

        let accepting = shared.clone();
        let (background, bg_work, msgs) = (shared.clone(), work.clone(), tx.clone());
        let threads = vec![
            spawn_thread(ACCEPT_THREAD, move || {
                conn::accept_loop(listener, accepting)
            })?,
            spawn_thread("ohisama-rebuild", move || builder.run(rx))?,
            spawn_thread("ohisama-background", move || {
                background::run(background, bg_work, bg_rx, msgs)
            })?,
        ];
        Ok(Server {
            shared,
            addr,
            url,
            work,
            tx,
            threads,
            watcher: Some(watcher),
            stopped: false,
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>/`, also the base URL of the preview builds.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folder of the files served from disk: what is built after the
    /// reload event (`search/`); None while no build has succeeded.
    pub fn site_dir(&self) -> Option<PathBuf> {
        self.shared.lock().good.as_ref().map(|g| g.dir.clone())
    }

    /// The output of the site being served, held in memory (pages with the
    /// build marker, not the id they are served with); None while no build
    /// has succeeded.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.shared.lock().good.as_ref().map(|g| g.files.clone())
    }

    /// Waits until the work after the last reload event is done (the search
    /// export, PDFs and the rebuild they cause), at most `timeout`; whether it is.
    /// File changes not yet reported by the watcher are not waited for.
    pub fn settle(&self, timeout: Duration) -> bool {
        self.shared.pending.wait_idle(timeout)
    }

    /// Where the preview builds of this server go (`<root>/.cache/serve/<port>`).
    pub fn work_dir(&self) -> &Path {
        &self.work
    }

    /// Live-reload connections currently open.
    pub fn sse_clients(&self) -> usize {
        self.shared.sse_clients.load(Ordering::SeqCst)
    }

    /// Other connections currently open (at most [`ServeOptions::max_connections`]).
    pub fn connections(&self) -> usize {
        self.shared
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// The last finished build.
    pub fn last_build(&self) -> Option<BuildInfo> {
        self.shared.lock().last.clone()
    }

    /// Blocks until the server is shut down from another thread (the CLI runs until Ctrl+C).
    pub fn wait(&self) {
        let mut st = self.shared.lock();
        while !self.shared.stopping() {
            st = self
                .shared
                .changed
                .wait(st)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A handle that makes [`Server::wait`] return, from any thread (the
    /// CLI's Ctrl+C handler); the server itself is stopped when dropped.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.shared.clone())
    }

    /// Stops watching and serving, ends the event streams and removes the preview builds.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        self.shared.stop.store(true, Ordering::SeqCst);
        {
            let _st = self.shared.lock();
            self.shared.changed.notify_all();
        }
        if let Some(w) = self.watcher.take() {
            w.stop();
        }
        let _ = self.tx.send(Msg::Stop);
        // The accepting thread sees the stop flag after its next accept: make one.
        // If that fails it is left to end on its own, not waited for.
        let woken = TcpStream::connect_timeout(&reachable_addr(self.addr), Duration::from_secs(1));
        let (accepting, others): (Vec<_>, Vec<_>) = self
            .threads
            .drain(..)
            .partition(|t| t.thread().name() == Some(ACCEPT_THREAD));
        if woken.is_ok() {
            for t in accepting {
                let _ = t.join();
            }
        }
        // No connection is admitted any more: end those still open.
        self.shared
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .close_all();
        for t in others {
            let _ = t.join();
        }
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// See [`Server::stop_handle`].
#[derive(Clone)]
pub struct StopHandle(Arc<Shared>);

impl StopHandle {
    /// Asks the server to stop: [`Server::wait`] returns.
    pub fn request(&self) {
        self.0.stop.store(true, Ordering::SeqCst);
        let _st = self.0.lock();
        self.0.changed.notify_all();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `http://127.0.0.1:1111/` (IPv6 in brackets; an unspecified bind address is shown as loopback).
fn local_url(addr: SocketAddr) -> String {
    format!("http://{}/", reachable_addr(addr))
}

/// An address that reaches a server bound to `addr` (loopback for an unspecified one).
fn reachable_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// The listener on `addr`, and the address it got (the port, when `addr`'s is 0).
fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServeError> {
    let listener = TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    Ok((listener, addr))
}

fn spawn_thread(
    name: &str,
    body: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, ServeError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(body)
        .map_err(|source| ServeError::Io {
            path: PathBuf::from("thread"),
            source,
        })
}

/// Opens `url` in the default browser (`--open`); a failure is only reported.
pub fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = cmd.spawn() {
        eprintln!("ブラウザを開けませんでした ({e})。{url} を開いてください。");
    }
}

/// The script tag injected into every page of a preview build.
fn dev_script(build_id: &str) -> String {
    format!("<script src=\"/__ohisama/live-reload.js\" data-build=\"{build_id}\" defer></script>\n")
}

/// Files editors leave beside the real ones while saving: never a reason to rebuild.
pub fn is_editor_temp(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.starts_with('.') // .foo.swp (vim), .#foo (emacs lock), .DS_Store
        || name.ends_with('~') // foo~ (vim, emacs backups)
        || name == "4913" // vim's probe for a writable folder
        || (name.starts_with('#') && name.ends_with('#')) // #foo# (emacs autosave)
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
}

/// Whether `path` is, or lies inside, an editor's temporary file or a hidden
/// folder (only the part below the site root counts: a temp dir may be hidden).
fn in_editor_temp(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .any(|c| is_editor_temp(Path::new(c.as_os_str())))
}

/// Whether a notify event is a change worth a rebuild (reads are not: the build
/// itself opens every file, and inotify reports that).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Any
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Other => true,
    }
}

fn start_watcher(
    opts: &ServeOptions,
    tx: mpsc::Sender<Msg>,
) -> Result<
    notify_debouncer_full::Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    ServeError,
> {
    let root = opts.root.clone();
    let mut debouncer =
        new_debouncer(
            opts.debounce,
            None,
            move |result: DebounceEventResult| match result {
                Ok(events) => {
                    let mut paths = Vec::new();
                    for e in events {
                        if e.need_rescan() {
                            // Events were lost: rebuild everything.
                            paths.push(root.clone());
                            continue;
                        }
                        if !is_change(&e.kind) {
                            continue;
                        }
                        paths.extend(
                            e.paths
                                .iter()
                                .filter(|p| !in_editor_temp(&root, p))
                                .cloned(),
                        );
                    }
                    if !paths.is_empty() {
                        let _ = tx.send(Msg::Changed(paths));
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("監視エラー: {e}");
                    }
                }
            },
        )
        .map_err(|source| ServeError::Watch {
            path: opts.root.clone(),
            source,
        })?;
    for dir in WATCHED {
        let path = opts.root.join(dir);
        if path.is_dir() {
            debouncer
                .watch(&path, notify::RecursiveMode::Recursive)
                .map_err(|source| ServeError::Watch { path, source })?;
        }
    }
    Ok(debouncer)
}

/// One finished preview build, for its log line and the shared state.
struct BuildRun {
    number: u64,
    /// `<session>-<number>` (see [`GoodSite::id`]).
    id: String,
    /// The build at start (its log line names no change and asks no reload).
    first: bool,
    elapsed: Duration,
    /// The changed files, as [`Builder::describe_changes`] puts them.
    changes: String,
}

impl BuildRun {
    fn label(&self) -> &'static str {
        if self.first {
            "ビルド"
        } else {
            "再ビルド"
        }
    }
}

/// The rebuild loop: one build at a time, changes that arrive meanwhile are
/// folded into the next build.
struct Builder {
    shared: Arc<Shared>,
    session: Session,
    /// Where the search export of each good build goes (`files-<N>/`).
    work: PathBuf,
    background: mpsc::Sender<background::Job>,
    n: u64,
    /// Paths changed since the last good build (relative to root).
    pending: BTreeSet<String>,
    /// A build failed since the last good build: the next good one reloads
    /// (pages missed whatever changed meanwhile).
    failed_since: bool,
    /// The edited page served before the rebuild in progress ended.
    early: Option<EarlyRun>,
}

/// An edited page served first ([`Session::early_page`]), until the rebuild
/// that follows it ends.
struct EarlyRun {
    /// Its output path.
    path: String,
    /// From the start of the rebuild to its reload event.
    elapsed: Duration,
    /// What was served before: served again if the rebuild fails.
    before: Option<GoodSite>,
}

impl Builder {
    fn run(mut self, rx: mpsc::Receiver<Msg>) {
        while let Ok(msg) = rx.recv() {
            let mut handled = 0;
            let mut stop = false;
            let mut take = |msg: Msg, this: &mut Builder| match msg {
                Msg::Changed(p) => this.note_changes(&p),
                Msg::Pdfs(pdfs) => {
                    handled += 1;
                    this.session.set_pdfs(pdfs);
                    this.pending.insert("PDF".into());
                }
                Msg::Stop => stop = true,
            };
            take(msg, &mut self);
            // Fold in whatever else arrived.
            while let Ok(msg) = rx.try_recv() {
                take(msg, &mut self);
            }
            if stop || self.shared.stopping() {
                return;
            }
            self.rebuild(false);
            for _ in 0..handled {
                self.shared.pending.done();
            }
        }
    }

    fn note_changes(&mut self, changed: &[PathBuf]) {
        let root = &self.shared.opts.root;
        for p in changed {
            self.pending.insert(crate::diagnostic::rel_path(root, p));
        }
    }

    fn new(
        shared: Arc<Shared>,
        url: String,
        work: PathBuf,
        background: mpsc::Sender<background::Job>,
    ) -> Builder {
        let session = Session::new(preview_options(&shared.opts, &url));
        Builder {
            shared,
            session,
            work,
            background,
            n: 0,
            pending: BTreeSet::new(),
            failed_since: false,
            early: None,
        }
    }

    fn rebuild(&mut self, first: bool) {
        self.n += 1;
        let n = self.n;
        let id = format!("{}-{n}", self.shared.session);
        let started = Instant::now();
        let result = if first {
            self.session.rebuild()
        } else {
            let changed: Vec<String> = self.pending.iter().cloned().collect();
            if !self.failed_since {
                self.serve_early_page(&changed, &id, started);
            }
            self.session.rebuild_changed(&changed)
        };
        let run = BuildRun {
            number: n,
            id,
            first,
            elapsed: started.elapsed(),
            changes: self.describe_changes(),
        };
        match result {
            Ok(built) => self.on_success(run, built),
            Err(diags) => self.on_failure(run, diags),
        }
    }

    /// When `changed` is a page whose text alone moved, serves its new
    /// bytes at once and tells that page to reload; the rebuild that follows
    /// brings the rest of the site (and ends the early run).
    fn serve_early_page(&mut self, changed: &[String], id: &str, started: Instant) {
        let Some(early) = self.session.early_page(changed) else {
            return;
        };
        if !early.changed {
            return;
        }
        // `Server::settle` waits for the rebuild that follows too.
        self.shared.pending.add();
        let mut st = self.shared.lock();
        let before = st.good.clone();
        let dir = match &before {
            Some(good) => good.dir.clone(),
            None => self.empty_files_dir(),
        };
        // An id of its own: a page served meanwhile (another page, as the
        // last build had it) is not taken for one of the rebuild's.
        st.good = Some(GoodSite {
            id: format!("{id}-early"),
            files: early.files,
            dir,
        });
        st.seq += 1;
        st.reload_seq = st.seq;
        let seq = st.seq;
        st.reloads.push(seq, Some(vec![early.path.clone()]));
        self.shared.changed.notify_all();
        drop(st);
        self.early = Some(EarlyRun {
            path: early.path,
            elapsed: started.elapsed(),
            before,
        });
    }

    /// The pages a reload event names: the changed ones when they are all
    /// pages (other pages need not reload) or files no page shows (the
    /// feeds), else none (every page reloads).
    fn reload_paths(&self, run: &BuildRun, changed: &[String]) -> Option<Vec<String>> {
        let unseen = [Route::Atom, Route::Sitemap, Route::Robots].map(|r| r.file());
        let pages: Vec<String> = changed
            .iter()
            .filter(|p| !unseen.contains(p))
            .cloned()
            .collect();
        let pages_only = pages.iter().all(|p| p.ends_with(".html"));
        (!run.first && !self.failed_since && pages_only && pages.len() <= MAX_RELOAD_PATHS)
            .then_some(pages)
    }

    /// Serves the new build from now on and tells the pages to reload (or
    /// only restyle, when nothing but stylesheets changed), then asks for
    /// the search export (and PDFs) in the background. After an early page,
    /// only what else changed is reloaded (nothing, often: the event then
    /// names no page, and the pages only take the new build's id).
    fn on_success(&mut self, run: BuildRun, mut built: Built) {
        let early = self.early.take();
        let css_only =
            !built.changed.is_empty() && built.changed.iter().all(|p| p.ends_with(".css"));
        let outcome = if !run.first && !self.failed_since && css_only {
            BuildOutcome::Css
        } else {
            BuildOutcome::Reload
        };
        let paths = self.reload_paths(&run, &built.changed);
        if let Some(early) = &early
            && let Err(at) = built.changed.binary_search(&early.path)
        {
            // What this build changed, the early page included.
            built.changed.insert(at, early.path.clone());
        }
        let then = match (&outcome, run.first, paths.as_deref()) {
            (_, true, _) => "",
            (BuildOutcome::Css, _, _) => " → スタイルを更新",
            (_, _, Some([])) => " → ほかに変わったページはありません",
            _ => " → ページを再読み込み",
        };
        self.log_success(&run, &built, then, early.as_ref());
        // Counted before the pages hear of the build: `Server::settle` right
        // after the reload event must wait for this build's search export.
        let opts = self.session.options();
        let background = opts.search || opts.pdf;
        if background {
            self.shared.pending.add();
        }
        let dir = if run.first {
            Some(self.empty_files_dir())
        } else {
            None
        };
        {
            let mut st = self.shared.lock();
            st.seq += 1;
            let seq = st.seq;
            if outcome == BuildOutcome::Reload {
                st.reload_seq = seq;
                st.reloads.push(seq, paths);
            } else {
                // A stream that tells this build within a later reload
                // reloads every page (the stylesheets moved).
                st.reloads.push(seq, None);
            }
            let dir = dir
                .or_else(|| st.good.as_ref().map(|g| g.dir.clone()))
                .unwrap_or_else(|| self.empty_files_dir());
            st.good = Some(GoodSite {
                id: run.id,
                files: built.files.clone(),
                dir,
            });
            st.error = None;
            st.last = Some(BuildInfo {
                number: run.number,
                outcome,
                duration: run.elapsed,
                pages: built.pages,
                changed: built.changed.clone(),
                rendered: built.rendered,
                diagnostics: built.diagnostics,
            });
            self.shared.changed.notify_all();
        }
        self.pending.clear();
        self.failed_since = false;
        if background {
            let job = background::Job {
                number: run.number,
                site: built.site,
                opts: self.session.options().clone(),
            };
            if self.background.send(job).is_err() {
                self.shared.pending.done();
            }
        }
        if early.is_some() {
            self.shared.pending.done();
        }
    }

    /// `files-0/`, empty: what is served from disk before the first search export.
    fn empty_files_dir(&self) -> PathBuf {
        let dir = self.work.join("files-0");
        let _ = std::fs::create_dir_all(&dir);
        std::fs::canonicalize(&dir).unwrap_or(dir)
    }

    fn log_success(&self, run: &BuildRun, built: &Built, then: &str, early: Option<&EarlyRun>) {
        if !built.diagnostics.is_empty() {
            self.log(&built.diagnostics.render_text());
        }
        self.log(&format!(
            "✔ {}完了 ({:.3} 秒{}): {} ページ (描画 {})、{} ファイル{}{}{}",
            run.label(),
            run.elapsed.as_secs_f64(),
            match early {
                Some(e) => format!(
                    "、編集したページは {:.3} 秒で先に表示",
                    e.elapsed.as_secs_f64()
                ),
                None => String::new(),
            },
            built.pages,
            built.rendered,
            built.files.len(),
            if built.diagnostics.is_empty() {
                String::new()
            } else {
                format!("、{}", built.diagnostics.summary())
            },
            run.changes,
            then
        ));
    }

    /// Keeps serving the last good build and sends the errors to the pages.
    fn on_failure(&mut self, run: BuildRun, diags: Diagnostics) {
        self.log(&diags.render_text());
        self.log(&format!(
            "✘ {}失敗 ({:.3} 秒): {}{} — {}",
            run.label(),
            run.elapsed.as_secs_f64(),
            diags.summary(),
            run.changes,
            if run.first {
                "エラーを直して保存すると表示されます"
            } else {
                "前回の正しいサイトを表示し続けます"
            }
        ));
        self.failed_since = true;
        let early = self.early.take();
        let mut st = self.shared.lock();
        if let Some(early) = &early {
            // Back to the last good build (the session is back to it too),
            // with the newest search export (it may have come meanwhile).
            let dir = st.good.as_ref().map(|g| g.dir.clone());
            st.good = early.before.clone().map(|before| GoodSite {
                dir: dir.unwrap_or(before.dir.clone()),
                ..before
            });
        }
        let payload = serde_json::json!({
            "build": st.good.as_ref().map(|g| g.id.clone()),
            "summary": diags.summary(),
            "diagnostics": &diags,
        });
        st.seq += 1;
        st.error = Some(payload.to_string());
        st.last = Some(BuildInfo {
            number: run.number,
            outcome: BuildOutcome::Error,
            duration: run.elapsed,
            pages: 0,
            changed: Vec::new(),
            rendered: 0,
            diagnostics: diags,
        });
        self.shared.changed.notify_all();
        drop(st);
        if early.is_some() {
            self.shared.pending.done();
        }
    }

    /// ` — data/contacts/yokohama.yaml ほか 2 件` (empty for the first build).
    fn describe_changes(&self) -> String {
        let mut it = self.pending.iter();
        match (it.next(), self.pending.len()) {
            (None, _) => String::new(),
            (Some(first), 1) => format!(" — {first}"),
            (Some(first), n) => format!(" — {first} ほか {} 件", n - 1),
        }
    }

    fn log(&self, text: &str) {
        self.shared.log(text.trim_end());
    }
}

/// Pages a reload event names at most (past it, every page reloads).
const MAX_RELOAD_PATHS: usize = 200;

/// The build options of the preview: the local base URL and the live-reload
/// script (with [`BUILD_MARKER`] for its build id). `ohisama build` with the
/// same options writes the same bytes as the preview holds.
pub fn preview_options(o: &ServeOptions, url: &str) -> BuildOptions {
    let mut opts = BuildOptions::new(&o.root);
    opts.base_url = Some(url.to_string());
    opts.theme = o.theme.clone();
    opts.drafts = o.drafts;
    opts.pdf = o.pdf;
    opts.search = o.search;
    opts.dev_script = dev_script(BUILD_MARKER);
    opts
}

/// Removes the folders of all but the last two search exports (a request
/// may still be reading from the previous one), on a thread of its own:
/// removing a folder can take long on a busy disk.
pub(crate) fn prune_dirs(dirs: &mut Vec<PathBuf>) {
    if dirs.len() > 2 {
        let old: Vec<PathBuf> = dirs.drain(..dirs.len() - 2).collect();
        let _ = std::thread::Builder::new()
            .name("ohisama-cleanup".into())
            .spawn(move || {
                for dir in old {
                    let _ = std::fs::remove_dir_all(dir);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_temp_files() {
        for name in [
            "content/.index.md.swp",
            "content/.index.md.swx",
            "content/index.md~",
            "content/4913",
            "data/.#yokohama.yaml",
            "data/#yokohama.yaml#",
            "data/yokohama.yaml.tmp",
            "data/yokohama.yaml___jb_tmp___",
        ] {
            assert!(is_editor_temp(Path::new(name)), "{name}");
        }
        for name in ["content/index.md", "data/contacts/yokohama.yaml", "a/4913b"] {
            assert!(!is_editor_temp(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, CreateKind, DataChange};
        assert!(!is_change(&EventKind::Access(AccessKind::Any)));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn urls() {
        assert_eq!(
            local_url("127.0.0.1:1111".parse().unwrap()),
            "http://127.0.0.1:1111/"
        );
        assert_eq!(local_url("[::1]:80".parse().unwrap()), "http://[::1]:80/");
        assert_eq!(
            local_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/"
        );
    }
}
