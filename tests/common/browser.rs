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
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
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

    /// A new tab.
    pub fn new_page(&self) -> Page {
        let tab = self.inner.new_tab().expect("new tab");
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
            if let Ok(v) = self.try_eval_json(&format!("Boolean({js})")) {
                if v == serde_json::Value::Bool(true) {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// A PNG of the viewport at `width`×`height` CSS pixels.
    pub fn screenshot_png(&self, width: u32, height: u32) -> Vec<u8> {
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
        self.tab
            .capture_screenshot(Cdp::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot")
    }

    /// The underlying headless_chrome tab, for anything else.
    pub fn tab(&self) -> &Arc<Tab> {
        &self.tab
    }
}
