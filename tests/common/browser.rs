//! Headless Chromium for tests.
//!
//! ```ignore
//! mod common;
//! use common::browser::{serve_dir, Browser};
//! let (base, _server) = serve_dir(&site_dir);          // http://127.0.0.1:PORT
//! let Some(browser) = Browser::new() else { return };  // skipped without Chromium (fails under CI)
//! let page = browser.new_page();
//! page.goto(&format!("{base}/search/?q=訪問看護"));
//! let v = page.eval_json("document.title");
//! let png = page.screenshot_png(1280, 800);
//! ```
//! Chromium is Debian's `/usr/bin/chromium` (override with `OHISAMA_CHROMIUM`).
//! When it is missing the test is skipped with a loud message, except when
//! the environment variable `CI` is set: then it fails.
//!
//! [`pdf_to_text`] and [`pdf_to_png`] use poppler-utils (`pdftotext`,
//! `pdftoppm`) with the same rule: skipped locally when missing, a failure in CI.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use headless_chrome::protocol::cdp::{Emulation, Page as Cdp};
use headless_chrome::{LaunchOptions, Tab};

/// Path of the Chromium binary.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("OHISAMA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// A running static file server; stops when dropped.
pub struct ServerGuard {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerGuard {
    /// Paths requested so far (URL-decoded, without query), in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Forget the requests logged so far.
    pub fn clear_requests(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Serves `root` over HTTP on 127.0.0.1 (a free port) from a thread.
/// Returns the base URL (`http://127.0.0.1:PORT`, no trailing slash) and a
/// guard that stops the server when dropped. A directory serves its
/// `index.html`; paths outside `root` are refused.
pub fn serve_dir(root: &Path) -> (String, ServerGuard) {
    // One thread per connection and `Connection: close` on every answer:
    // a single-threaded keep-alive server (tiny_http) can stall for minutes
    // when Chromium parks a request on a connection it preopened.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let port = listener.local_addr().expect("local addr").port();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let (stop2, log2, root) = (stop.clone(), log.clone(), root.to_path_buf());
    let thread = std::thread::spawn(move || {
        while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let (root, log) = (root.clone(), log2.clone());
                    std::thread::spawn(move || serve_connection(stream, &root, &log));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        drop(listener);
    });
    (
        format!("http://127.0.0.1:{port}"),
        ServerGuard {
            stop,
            thread: Some(thread),
            log,
        },
    )
}

/// Answers one request on `stream` from the files under `root`, then closes.
fn serve_connection(mut stream: std::net::TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    use std::io::{BufRead, BufReader, Write};
    let _ = stream.set_nonblocking(false);
    // A socket opened ahead and never used ends here.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("");
    let raw = parts.next().unwrap_or("/");
    let path = percent_decode(raw.split(['?', '#']).next().unwrap_or("/"));
    log.lock().unwrap().push(path.clone());
    let rel = Path::new(path.trim_start_matches('/'));
    let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
    let mut file = root.join(rel);
    if safe && file.is_dir() {
        file = file.join("index.html");
    }
    let found = (safe && (method == "GET" || method == "HEAD") && file.is_file())
        .then(|| std::fs::read(&file).ok())
        .flatten();
    let (status, ctype, body) = match found {
        Some(bytes) => ("200 OK", content_type(&file), bytes),
        None => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found".to_vec(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A static file server whose network can be cut, as a phone loses its
/// signal: [`SwitchableServer::go_offline`] closes the listening socket, so
/// every new request fails at the connection (`fetch` rejects, a navigation
/// gets `ERR_CONNECTION_REFUSED`). Every response is `Connection: close`, so
/// no kept-alive socket outlives the switch.
pub struct SwitchableServer {
    /// The server while online; dropping it closes the listening socket.
    online: Option<ServerGuard>,
    log: Arc<Mutex<Vec<String>>>,
}

impl SwitchableServer {
    /// Cuts the network: returns once the port refuses connections.
    pub fn go_offline(&mut self) {
        self.online.take();
    }

    /// Paths requested so far (URL-decoded, without query), in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// Serves `root` like [`serve_dir`], with a network switch.
pub fn serve_dir_switchable(root: &Path) -> (String, SwitchableServer) {
    let (url, server) = serve_dir(root);
    let log = server.log.clone();
    (
        url,
        SwitchableServer {
            online: Some(server),
            log,
        },
    )
}

struct AtExit {
    registered: bool,
    pids: Vec<u32>,
    dirs: Vec<PathBuf>,
}

static AT_EXIT: Mutex<AtExit> = Mutex::new(AtExit {
    registered: false,
    pids: Vec::new(),
    dirs: Vec::new(),
});

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// Ends the shared Chromium (see [`Browser::shared`]) when the process exits.
extern "C" fn shut_down_shared() {
    let Ok(exit) = AT_EXIT.lock() else { return };
    for pid in &exit.pids {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    for pid in &exit.pids {
        // Chromium writes into its profile until it is gone.
        for _ in 0..50 {
            // Gone, or a zombie (it is our child, nobody reaps it).
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat.rsplit(") ").next().unwrap_or("");
            if stat.is_empty() || state.starts_with('Z') {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    for dir in &exit.dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A headless Chromium with its own temporary profile.
pub struct Browser {
    inner: headless_chrome::Browser,
    _profile: tempfile::TempDir,
}

/// One tab.
pub struct Page {
    tab: Arc<Tab>,
}

impl Browser {
    /// Launches Chromium. Returns `None` (after a loud message) when it is not
    /// installed, unless `CI` is set, in which case it panics.
    pub fn new() -> Option<Browser> {
        let path = chromium_path();
        if !path.exists() {
            let msg = format!(
                "Chromium not found at {} (apt-get install chromium): browser test SKIPPED",
                path.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{msg} — but CI is set, so this is a failure");
            }
            eprintln!("\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
            return None;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args: Vec<&std::ffi::OsStr> = [
            "--disable-quic",
            "--disable-component-update",
            "--disable-background-networking",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--lang=ja",
        ]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path))
            .headless(true)
            .sandbox(false)
            .enable_gpu(false)
            .user_data_dir(Some(profile.path().to_path_buf()))
            .window_size(Some((1280, 800)))
            .idle_browser_timeout(Duration::from_secs(900))
            .args(args)
            .build()
            .expect("launch options");
        let inner = headless_chrome::Browser::new(options).expect("launch Chromium");
        Some(Browser {
            inner,
            _profile: profile,
        })
    }

    /// One Chromium shared by every test of a test file (tests run side by
    /// side, each in its own tab), started on first use. A `static` is never
    /// dropped, so the browser is shut down and its profile removed when the
    /// test process exits (else each run would leave a Chromium behind).
    /// `None` as for [`Browser::new`].
    pub fn shared() -> Option<&'static Browser> {
        static SHARED: std::sync::OnceLock<Option<Browser>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| {
                let b = Browser::new()?;
                let mut exit = AT_EXIT.lock().unwrap();
                exit.pids.extend(b.inner.get_process_id());
                exit.dirs.push(b._profile.path().to_path_buf());
                if !exit.registered {
                    exit.registered = true;
                    // SAFETY: `atexit` of the C library the test binary is linked
                    // with; the callback only reads a mutex, signals and removes
                    // files.
                    unsafe { atexit(shut_down_shared) };
                }
                Some(b)
            })
            .as_ref()
    }

    /// A new tab, in a window of its own: tests running side by side each
    /// have a visible page (a background tab draws no frames, so a
    /// screenshot of it would wait forever).
    pub fn new_page(&self) -> Page {
        let tab = self
            .inner
            .new_tab_with_options(headless_chrome::protocol::cdp::Target::CreateTarget {
                url: "about:blank".to_string(),
                left: None,
                top: None,
                width: Some(1280),
                height: Some(800),
                window_state: None,
                browser_context_id: None,
                enable_begin_frame_control: None,
                new_window: Some(true),
                background: None,
                for_tab: None,
                hidden: None,
            })
            .expect("new tab");
        tab.set_default_timeout(Duration::from_secs(60));
        Page { tab }
    }
}

impl Page {
    /// Navigates and waits for the load to finish.
    pub fn goto(&self, url: &str) -> &Page {
        self.tab
            .navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
        self
    }

    /// Navigates and returns once the new document has loaded (its `load`
    /// event has fired). Quicker than [`Page::goto`], which also waits until
    /// the network has been almost idle for half a second.
    pub fn open(&self, url: &str) -> &Page {
        // A mark on the old document tells it apart from the new one.
        let _ = self.try_eval_json("window.__ohisamaOldDocument = true");
        self.tab
            .navigate_to(url)
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        let loaded = self.wait_for(
            "!window.__ohisamaOldDocument && document.readyState === 'complete'",
            Duration::from_secs(60),
        );
        assert!(loaded, "open {url}: not loaded within 60 s");
        self
    }

    /// Evaluates a JS expression (a promise is awaited) and returns its value
    /// as JSON. A thrown exception becomes `Err(message with stack)`.
    pub fn try_eval_json(&self, js: &str) -> Result<serde_json::Value, String> {
        let wrapped = format!(
            "(async () => {{ try {{ const __v = await ({js}\n); \
             return JSON.stringify({{ ok: __v === undefined ? null : __v }}); }} \
             catch (e) {{ return JSON.stringify({{ err: String((e && e.stack) || e) }}); }} }})()"
        );
        let obj = self
            .tab
            .evaluate(&wrapped, true)
            .map_err(|e| format!("evaluate: {e}"))?;
        let text = obj
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("no value: {:?}", obj.description))?;
        let mut v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
        if let Some(err) = v.get("err") {
            return Err(err.as_str().unwrap_or("error").to_string());
        }
        Ok(v["ok"].take())
    }

    /// [`Page::try_eval_json`], panicking on a JS error.
    pub fn eval_json(&self, js: &str) -> serde_json::Value {
        self.try_eval_json(js)
            .unwrap_or_else(|e| panic!("JS error: {e}\nin: {js}"))
    }

    /// Waits (up to `timeout`) until the JS expression is truthy.
    pub fn wait_for(&self, js: &str, timeout: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < timeout {
            if let Ok(v) = self.try_eval_json(&format!("Boolean({js})"))
                && v == serde_json::Value::Bool(true)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// A PNG of the viewport at `width`×`height` CSS pixels.
    pub fn screenshot_png(&self, width: u32, height: u32) -> Vec<u8> {
        self.set_viewport(width, height)
            .tab
            .capture_screenshot(Cdp::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot")
    }

    /// Sets the layout viewport to `width`×`height` CSS pixels (desktop
    /// emulation: `innerWidth` is exactly `width`, the page is never zoomed
    /// out to fit, so an overflow shows as `scrollWidth > innerWidth`).
    pub fn set_viewport(&self, width: u32, height: u32) -> &Page {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile: false,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("set device metrics");
        self
    }

    /// A PNG of the whole page (beyond the viewport) at the current viewport width.
    pub fn full_page_png(&self) -> Vec<u8> {
        let size = self.eval_json(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
        );
        let (w, h) = (
            size[0].as_f64().unwrap_or(800.0),
            size[1].as_f64().unwrap_or(800.0),
        );
        self.tab
            .capture_screenshot(
                Cdp::CaptureScreenshotFormatOption::Png,
                None,
                Some(Cdp::Viewport {
                    x: 0.0,
                    y: 0.0,
                    width: w,
                    height: h,
                    scale: 1.0,
                }),
                true,
            )
            .expect("screenshot")
    }

    /// Chromium's print to PDF (what 「印刷」 gives), on A4 unless the page's
    /// `@page` rule says otherwise, with backgrounds as the print CSS allows.
    pub fn print_pdf(&self) -> Vec<u8> {
        self.tab
            .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
                paper_width: Some(8.27),
                paper_height: Some(11.69),
                prefer_css_page_size: Some(true),
                print_background: Some(true),
                ..Default::default()
            }))
            .expect("print to PDF")
    }

    /// Runs a script file (e.g. a vendored library) in the page.
    pub fn inject_script(&self, path: &Path) {
        let src = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        self.tab
            .evaluate(&src, false)
            .unwrap_or_else(|e| panic!("inject {}: {e}", path.display()));
    }

    /// Presses a key (e.g. `"Tab"`) as the keyboard would.
    pub fn press_key(&self, key: &str) -> &Page {
        self.tab
            .press_key(key)
            .unwrap_or_else(|e| panic!("press {key}: {e}"));
        self
    }

    /// The underlying headless_chrome tab, for anything else.
    pub fn tab(&self) -> &Arc<Tab> {
        &self.tab
    }
}

/// `None` (after a loud message) when a poppler tool is missing, unless `CI`
/// is set: then it panics.
fn poppler(tool: &str) -> Option<std::process::Command> {
    let found = std::process::Command::new(tool).arg("-v").output().is_ok();
    if !found {
        let msg = format!("{tool} not found (apt-get install poppler-utils): check SKIPPED");
        if std::env::var_os("CI").is_some() {
            panic!("{msg} — but CI is set, so this is a failure");
        }
        eprintln!("\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
        return None;
    }
    Some(std::process::Command::new(tool))
}

/// The text of a PDF in content order (`pdftotext -raw`: a value wrapped in
/// its column stays in one piece), or `None` when poppler is missing locally.
pub fn pdf_to_text(pdf: &[u8]) -> Option<String> {
    let mut cmd = poppler("pdftotext")?;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("in.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let out = cmd
        .arg("-raw")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Number of pages of a PDF, from its page tree (`/Type /Page` objects).
pub fn pdf_page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// Each page of a PDF as a PNG (`pdftoppm -r dpi`), or `None` when poppler is missing locally.
pub fn pdf_to_png(pdf: &[u8], dpi: u32) -> Option<Vec<Vec<u8>>> {
    let mut cmd = poppler("pdftoppm")?;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("in.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let status = cmd
        .arg("-png")
        .arg("-r")
        .arg(dpi.to_string())
        .arg(&file)
        .arg(dir.path().join("page"))
        .status()
        .expect("run pdftoppm");
    assert!(status.success(), "pdftoppm failed");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    Some(
        pages
            .iter()
            .map(|p| std::fs::read(p).expect("read png"))
            .collect(),
    )
}
