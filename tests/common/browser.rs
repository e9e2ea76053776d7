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
    server: Arc<tiny_http::Server>,
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
        self.server.unblock();
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
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
    let port = server.server_addr().to_ip().expect("ip listener").port();
    let root = root.to_path_buf();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (s2, log2) = (server.clone(), log.clone());
    let thread = std::thread::spawn(move || {
        for req in s2.incoming_requests() {
            let raw = req
                .url()
                .split(['?', '#'])
                .next()
                .unwrap_or("/")
                .to_string();
            let path = percent_decode(&raw);
            log2.lock().unwrap().push(path.clone());
            let rel = Path::new(path.trim_start_matches('/'));
            let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
            let mut file = root.join(rel);
            if safe && file.is_dir() {
                file = file.join("index.html");
            }
            let resp = if safe && file.is_file() {
                match std::fs::read(&file) {
                    Ok(bytes) => tiny_http::Response::from_data(bytes)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", content_type(&file))
                                .unwrap(),
                        )
                        .with_header(
                            tiny_http::Header::from_bytes("Cache-Control", "no-store").unwrap(),
                        )
                        .boxed(),
                    Err(_) => tiny_http::Response::from_string("error")
                        .with_status_code(500)
                        .boxed(),
                }
            } else {
                tiny_http::Response::from_string("not found")
                    .with_status_code(404)
                    .boxed()
            };
            let _ = req.respond(resp);
        }
    });
    (
        format!("http://127.0.0.1:{port}"),
        ServerGuard {
            server,
            thread: Some(thread),
            log,
        },
    )
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
