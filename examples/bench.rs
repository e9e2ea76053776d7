//! Benchmark: ohisama against Hugo + Pagefind on the same generated corpus.
//!
//! ```sh
//! bash bench/run.sh            # installs Hugo and Pagefind if missing, builds, runs this
//! bash bench/run.sh --quick    # 1,000 pages, 1 run, no scaling series (a smoke test)
//! ```
//!
//! What it does (all tools run as child processes; wall time from spawn to
//! exit, CPU time and peak RSS from `wait4`'s rusage of that child):
//! 1. `ohisama generate` writes the corpus (default 10,000 pages, 1,000
//!    facilities, 33 municipalities × 10 windows) and the same documents as a
//!    Hugo site (`--hugo`).
//! 2. One untimed warm-up, then `--runs` rounds (default 3), each:
//!    `ohisama build --no-pdf` (search on) into a removed `dist/`;
//!    `hugo --minify` into a removed `public/`; `pagefind --site public`.
//! 3. Sizes of the outputs and of the search indexes.
//! 4. Bytes a browser fetches for the first query, for 5 queries, each on a
//!    fresh tab of headless Chromium with `Cache-Control: no-store`: the
//!    resources the page loaded (Resource Timing API) that belong to search
//!    (ohisama: `assets/js/search.js` and `search/**`; Pagefind: `pagefind/**`),
//!    each counted at its gzip size (or raw size when smaller: Pagefind's
//!    files are already gzip-compressed). ohisama: its /search/ page, which
//!    shows 20 results. Pagefind: its JS API (`pagefind.js`, no UI bundle)
//!    searching and loading the data of the first 20 results.
//! 5. Scaling: ohisama (and Hugo) on 1k, 10k and 50k pages, and a
//!    nationwide directory (1,741 municipalities × 10 windows, 50,000
//!    facilities, 2,000 pages); phase timings from `OHISAMA_TIMINGS=1`.
//!
//! Options: `--runs N`, `--pages N`, `--facilities N`, `--quick`,
//! `--no-scale`, `--no-browser`, `--no-hugo`. Work folder: `target/bench`
//! (or `OHISAMA_BENCH_DIR`). Tools: `OHISAMA_BIN`, `HUGO`, `PAGEFIND`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUERIES: [&str; 5] = [
    "訪問看護",
    "人工呼吸器 気管切開",
    "横浜市",
    "短期入所",
    "医療費助成",
];

/// Results shown by ohisama's search page (`PAGE_SIZE` in search.js).
const SHOWN_RESULTS: usize = 20;

#[derive(Clone, Copy, Debug)]
struct Run {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
}

struct Opts {
    runs: usize,
    pages: usize,
    facilities: usize,
    scale: bool,
    browser: bool,
    hugo: bool,
}

struct Tools {
    ohisama: PathBuf,
    hugo: Option<PathBuf>,
    pagefind: Option<PathBuf>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        runs: 3,
        pages: 10_000,
        facilities: 1_000,
        scale: true,
        browser: true,
        hugo: true,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let num = |i: usize| -> usize {
        args.get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{} needs a number", args[i]))
    };
    while i < args.len() {
        match args[i].as_str() {
            "--runs" => {
                o.runs = num(i).max(1);
                i += 1;
            }
            "--pages" => {
                o.pages = num(i);
                i += 1;
            }
            "--facilities" => {
                o.facilities = num(i);
                i += 1;
            }
            "--quick" => {
                o.runs = 1;
                o.pages = 1_000;
                o.facilities = 100;
                o.scale = false;
            }
            "--no-scale" => o.scale = false,
            "--no-browser" => o.browser = false,
            "--no-hugo" => o.hugo = false,
            "-h" | "--help" => {
                println!(
                    "bench [--runs N] [--pages N] [--facilities N] [--quick] [--no-scale] [--no-browser] [--no-hugo]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown option {other} (see --help)"),
        }
        i += 1;
    }
    o
}

fn find_tools(opts: &Opts) -> Tools {
    let ohisama = std::env::var_os("OHISAMA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // target/release/examples/bench → target/release/ohisama
            let exe = std::env::current_exe().expect("current exe");
            exe.parent()
                .and_then(Path::parent)
                .map(|d| d.join("ohisama"))
                .expect("target dir")
        });
    if !ohisama.is_file() {
        eprintln!(
            "ohisama binary not found at {}: run `cargo build --release --bin ohisama` (bash bench/run.sh does it)",
            ohisama.display()
        );
        std::process::exit(2);
    }
    let mut tools = Tools {
        ohisama,
        hugo: None,
        pagefind: None,
    };
    if !opts.hugo {
        return tools;
    }
    let hugo = std::env::var_os("HUGO").map_or_else(|| PathBuf::from("hugo"), PathBuf::from);
    if Command::new(&hugo)
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        tools.hugo = Some(hugo);
    } else {
        eprintln!(
            "Hugo not found: `apt-get install hugo` (bash bench/run.sh does it), or set HUGO=/path/to/hugo"
        );
        std::process::exit(2);
    }
    let bin = repo().join("bench/node_modules/@pagefind/linux-x64/bin");
    let pagefind = std::env::var_os("PAGEFIND").map(PathBuf::from).or_else(|| {
        // `npx pagefind` runs pagefind_extended (Japanese segmentation) when present.
        ["pagefind_extended", "pagefind"]
            .iter()
            .map(|n| bin.join(n))
            .find(|p| p.is_file())
    });
    match pagefind {
        Some(p) => tools.pagefind = Some(p),
        None => {
            eprintln!(
                "Pagefind not found: `npm install --prefix bench` (bash bench/run.sh does it), or set PAGEFIND=/path/to/pagefind"
            );
            std::process::exit(2);
        }
    }
    tools
}

fn version(cmd: &Path, arg: &str) -> String {
    Command::new(cmd)
        .arg(arg)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Runs `cmd` to completion as a child: wall time, CPU time and peak RSS of
/// the child (and of the descendants it waited for). Panics on failure,
/// showing the log.
fn measure(mut cmd: Command, log: &Path) -> Run {
    let log_file = std::fs::File::create(log).expect("log file");
    cmd.stdout(log_file.try_clone().expect("log"))
        .stderr(log_file)
        .stdin(Stdio::null());
    // Start every run with nothing left to write back from the one before
    // (a tool that writes while the kernel flushes the previous output is
    // throttled, and which tool that hits would depend on the order).
    sync_disk();
    let start = Instant::now();
    // Reaped by wait4 below, which also gives its rusage.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI call with valid pointers; the child is ours.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let wall = start.elapsed();
    assert_eq!(r, pid, "wait4 failed");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        panic!("{cmd:?} failed ({status}):\n{text}");
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Run {
        wall,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        rss_kib: ru.ru_maxrss as u64,
    }
}

/// Moves the output of an earlier run out of the way (into `<work>/trash`,
/// emptied when the benchmark ends). Deleting it right before the next run
/// would slow that run down: ext4 skips inodes deleted in the last minute
/// when it allocates new ones, and every tool here creates thousands of files.
fn rm(p: &Path) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if p.exists() {
        let trash = trash_dir();
        std::fs::create_dir_all(&trash).expect("trash dir");
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let to = trash.join(format!("{}-{n}", std::process::id()));
        std::fs::rename(p, &to)
            .unwrap_or_else(|e| panic!("mv {} {}: {e}", p.display(), to.display()));
    }
}

/// Writes every dirty buffer to disk (`sync`).
fn sync_disk() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// Free bytes on the file system of `p`.
fn free_bytes(p: &Path) -> u64 {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: statvfs fills the struct we own; the path is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return 0;
    }
    st.f_bavail as u64 * st.f_frsize as u64
}

/// Keeps what [`rm`] moved aside until the end of the benchmark while the
/// disk has room for the next corpus (the 50k one and its outputs take about
/// 6 GB). Otherwise deletes it now and waits for the disk to settle: ext4
/// without a journal (as here) skips recently deleted inodes when it makes
/// new files, and after deleting ~200,000 files new files were measured to
/// cost 3-6× more for 4-7 minutes (even after `sync`), which would be charged
/// to whichever tool runs next.
fn make_room_for_next_corpus() {
    const ROOM: u64 = 12 << 30;
    if free_bytes(&work_dir()) >= ROOM {
        return;
    }
    let trash = trash_dir();
    if trash.exists() {
        let _ = std::fs::remove_dir_all(&trash);
    }
    sync_disk();
    eprintln!("(low on disk: deleted old outputs, waiting 7 minutes for the disk to settle)");
    std::thread::sleep(Duration::from_secs(420));
}

fn work_dir() -> PathBuf {
    std::env::var_os("OHISAMA_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/bench"))
}

fn trash_dir() -> PathBuf {
    work_dir().join("trash")
}

struct Corpus {
    name: String,
    site: PathBuf,
    hugo: Option<PathBuf>,
    pages: usize,
    facilities: usize,
    municipalities: usize,
    windows: usize,
}

impl Corpus {
    fn docs(&self) -> usize {
        self.pages + self.facilities + self.municipalities * self.windows
    }
}

fn generate(
    tools: &Tools,
    work: &Path,
    name: &str,
    (pages, facilities, municipalities): (usize, usize, usize),
    with_hugo: bool,
) -> Corpus {
    let site = work.join(format!("{name}-site"));
    let hugo = with_hugo.then(|| work.join(format!("{name}-hugo")));
    // A fresh folder: regenerating in place would delete the old files just before the runs.
    rm(&site);
    rm(&work.join(format!("{name}-hugo")));
    let mut cmd = Command::new(&tools.ohisama);
    cmd.arg("generate")
        .args(["--pages", &pages.to_string()])
        .args(["--facilities", &facilities.to_string()])
        .args(["--municipalities", &municipalities.to_string()])
        .args(["--windows-per-municipality", "10"])
        .arg("--out")
        .arg(&site)
        .arg("--source")
        .arg(repo());
    if let Some(h) = &hugo {
        cmd.arg("--hugo").arg(h);
    }
    eprint!(
        "generating {name}: {pages} pages, {facilities} facilities, {municipalities} municipalities … "
    );
    let r = measure(cmd, &work.join(format!("{name}-generate.log")));
    eprintln!("{:.1} s", r.wall.as_secs_f64());
    Corpus {
        name: name.to_string(),
        site,
        hugo,
        pages,
        facilities,
        municipalities,
        windows: 10,
    }
}

fn ohisama_build(tools: &Tools, c: &Corpus, log: &Path, timings: bool) -> Run {
    rm(&c.site.join("dist"));
    rm(&c.site.join(".cache"));
    let mut cmd = Command::new(&tools.ohisama);
    cmd.arg("build").arg("--root").arg(&c.site).arg("--no-pdf");
    if timings {
        cmd.env("OHISAMA_TIMINGS", "1");
    }
    measure(cmd, log)
}

fn hugo_build(tools: &Tools, c: &Corpus, log: &Path) -> Run {
    let dir = c.hugo.as_ref().expect("hugo corpus");
    rm(&dir.join("public"));
    rm(&dir.join("resources"));
    let mut cmd = Command::new(tools.hugo.as_ref().expect("hugo"));
    cmd.arg("--minify").arg("--source").arg(dir).arg("--quiet");
    measure(cmd, log)
}

fn pagefind_run(tools: &Tools, c: &Corpus, log: &Path) -> Run {
    let dir = c.hugo.as_ref().expect("hugo corpus");
    let mut cmd = Command::new(tools.pagefind.as_ref().expect("pagefind"));
    cmd.arg("--site").arg(dir.join("public"));
    measure(cmd, log)
}

fn dir_size(p: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    let Ok(rd) = std::fs::read_dir(p) else {
        return (0, 0);
    };
    for e in rd.flatten() {
        let ft = e.file_type().expect("file type");
        if ft.is_dir() {
            let (b, f) = dir_size(&e.path());
            bytes += b;
            files += f;
        } else if ft.is_file() {
            bytes += e.metadata().map_or(0, |m| m.len());
            files += 1;
        }
    }
    (bytes, files)
}

fn gz_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip").len()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn secs(runs: &[Run], f: impl Fn(&Run) -> Duration) -> Vec<f64> {
    runs.iter().map(|r| f(r).as_secs_f64()).collect()
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn mb(bytes: u64) -> String {
    if bytes >= 10_000_000 {
        format!("{:.0} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1e3)
}

// ------------------------------------------------------------------ browser

struct Server {
    server: Arc<tiny_http::Server>,
    /// Paths requested (decoded, without query), in order.
    log: Arc<std::sync::Mutex<Vec<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    base: String,
}

impl Drop for Server {
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
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A static file server on 127.0.0.1 (no caching, so each tab fetches anew).
fn serve(root: &Path) -> Server {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
    let port = server.server_addr().to_ip().expect("ip").port();
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (s2, log2, root) = (server.clone(), log.clone(), root.to_path_buf());
    let thread = std::thread::spawn(move || {
        for req in s2.incoming_requests() {
            let raw = req
                .url()
                .split(['?', '#'])
                .next()
                .unwrap_or("/")
                .to_string();
            let path = percent_decode(&raw);
            log2.lock().expect("log").push(path.clone());
            let rel = Path::new(path.trim_start_matches('/'));
            let safe = rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            // No service worker: its precaching is not search traffic.
            let safe = safe && path != "/sw.js";
            let mut file = root.join(rel);
            if safe && file.is_dir() {
                file = file.join("index.html");
            }
            let resp = match (safe && file.is_file())
                .then(|| std::fs::read(&file).ok())
                .flatten()
            {
                Some(bytes) => tiny_http::Response::from_data(bytes)
                    .with_header(
                        tiny_http::Header::from_bytes("Content-Type", content_type(&file)).unwrap(),
                    )
                    .with_header(
                        tiny_http::Header::from_bytes("Cache-Control", "no-store").unwrap(),
                    )
                    .boxed(),
                None => tiny_http::Response::from_string("not found")
                    .with_status_code(404)
                    .boxed(),
            };
            let _ = req.respond(resp);
        }
    });
    Server {
        server,
        log,
        thread: Some(thread),
        base: format!("http://127.0.0.1:{port}"),
    }
}

fn browser() -> Option<(headless_chrome::Browser, tempfile::TempDir)> {
    let path = std::env::var_os("OHISAMA_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !path.exists() {
        eprintln!(
            "Chromium not found at {} (apt-get install chromium): search bytes NOT measured",
            path.display()
        );
        return None;
    }
    let profile = tempfile::tempdir().expect("profile");
    let args: Vec<&std::ffi::OsStr> = [
        "--disable-quic",
        "--disable-component-update",
        "--disable-background-networking",
        "--disable-sync",
        "--no-first-run",
        "--lang=ja",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
        .idle_browser_timeout(Duration::from_secs(900))
        .args(args)
        .build()
        .expect("launch options");
    let b = headless_chrome::Browser::new(options).expect("launch Chromium");
    Some((b, profile))
}

fn eval(tab: &headless_chrome::Tab, js: &str) -> serde_json::Value {
    let wrapped = format!(
        "(async () => {{ try {{ return JSON.stringify({{ ok: await ({js}) }}); }} catch (e) {{ return JSON.stringify({{ err: String(e) }}); }} }})()"
    );
    let obj = tab.evaluate(&wrapped, true).expect("evaluate");
    let text = obj
        .value
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or("{}")
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if let Some(e) = v.get("err") {
        panic!("JS error: {e}");
    }
    v["ok"].clone()
}

/// One cold first query: the search resources loaded, at their transfer size.
#[derive(Default, Clone)]
struct QueryBytes {
    files: usize,
    raw: usize,
    transfer: usize,
    results: String,
}

fn first_query(
    browser: &headless_chrome::Browser,
    root: &Path,
    server: &Server,
    url: &str,
    done_js: &str,
    count_js: &str,
    is_search_file: &dyn Fn(&str) -> bool,
) -> QueryBytes {
    for _ in 0..3 {
        if let Some(q) = try_query(
            browser,
            root,
            server,
            url,
            done_js,
            count_js,
            is_search_file,
        ) {
            return q;
        }
    }
    panic!("search did not finish after 3 tries: {url}");
}

fn try_query(
    browser: &headless_chrome::Browser,
    root: &Path,
    server: &Server,
    url: &str,
    done_js: &str,
    count_js: &str,
    is_search_file: &dyn Fn(&str) -> bool,
) -> Option<QueryBytes> {
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(120));
    // A background tab may never get its rendering turn: bring it to the front.
    let _ = tab.activate();
    server.log.lock().expect("log").clear();
    tab.navigate_to(&format!("{}{url}", server.base))
        .and_then(|t| t.wait_until_navigated())
        .expect("navigate");
    let start = Instant::now();
    loop {
        if eval(&tab, &format!("Boolean({done_js})")) == serde_json::Value::Bool(true) {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let state = eval(
                &tab,
                "[document.readyState, document.title, document.body ? document.body.innerText.slice(0, 300) : '']",
            );
            let log = server.log.lock().expect("log").clone();
            let _ = tab.close(true);
            eprintln!(
                "WARNING: search did not finish in 60 s, trying again in a new tab: {url}: {state}\nrequests: {log:?}"
            );
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let results = eval(&tab, count_js);
    // The server's log, not the page's Resource Timing: Pagefind fetches from a web worker.
    let names = server.log.lock().expect("log").clone();
    let _ = tab.close(true);
    let mut q = QueryBytes {
        results: results
            .as_str()
            .map_or_else(|| results.to_string(), str::to_string),
        ..QueryBytes::default()
    };
    let mut seen = std::collections::BTreeSet::new();
    for p in names {
        if !is_search_file(&p) || !seen.insert(p.clone()) {
            continue;
        }
        let bytes = std::fs::read(root.join(p.trim_start_matches('/'))).unwrap_or_default();
        q.files += 1;
        q.raw += bytes.len();
        q.transfer += gz_len(&bytes).min(bytes.len());
    }
    Some(q)
}

const PAGEFIND_PAGE: &str = r#"<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>pagefind bench</title></head>
<body><script type="module">
const q = new URLSearchParams(location.search).get("q");
const pagefind = await import("/pagefind/pagefind.js");
const search = await pagefind.search(q);
await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
window.benchResults = search.results.length;
document.title = "done";
</script></body></html>
"#;

fn search_bytes(c: &Corpus) -> Option<(Vec<QueryBytes>, Vec<QueryBytes>)> {
    let (browser, _profile) = browser()?;
    let dist = c.site.join("dist");
    let server = serve(&dist);
    let ours: Vec<QueryBytes> = QUERIES
        .iter()
        .map(|q| {
            first_query(
                &browser,
                &dist,
                &server,
                &format!("/search/?q={}", percent_encode(q)),
                "document.querySelector('.ohs-status') && document.querySelector('.ohs-status').textContent.length > 0 && !document.getElementById('search-results').hasAttribute('aria-busy')",
                "document.querySelector('.ohs-status').textContent",
                &|p: &str| p.starts_with("/search/") || p.ends_with("/search.js"),
            )
        })
        .collect();
    drop(server);
    let theirs = match &c.hugo {
        Some(h) => {
            let public = h.join("public");
            std::fs::write(
                public.join("pagefind-bench.html"),
                PAGEFIND_PAGE.replace("SHOWN", &SHOWN_RESULTS.to_string()),
            )
            .expect("write bench page");
            let server = serve(&public);
            QUERIES
                .iter()
                .map(|q| {
                    first_query(
                        &browser,
                        &public,
                        &server,
                        &format!("/pagefind-bench.html?q={}", percent_encode(q)),
                        "document.title === 'done'",
                        "String(window.benchResults) + '件'",
                        &|p: &str| p.starts_with("/pagefind/"),
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    Some((ours, theirs))
}

// ------------------------------------------------------------------ report

fn timings_of(log: &Path) -> Vec<(String, f64)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("timing "))
        .filter_map(|l| {
            let l = l
                .split("  (")
                .next()?
                .trim_end()
                .strip_suffix("ms")?
                .trim_end();
            let (name, v) = l.rsplit_once(char::is_whitespace)?;
            v.parse().ok().map(|v| (name.trim().to_string(), v))
        })
        .collect()
}

fn main() {
    let opts = parse_opts();
    let tools = find_tools(&opts);
    let work = work_dir();
    std::fs::create_dir_all(&work).expect("work dir");
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_string()))
        })
        .unwrap_or_default();
    let mut report = String::new();
    let mut out = |s: String| {
        println!("{s}");
        report.push_str(&s);
        report.push('\n');
    };
    out(format!(
        "# ohisama benchmark\n\nmachine: {cores} cores ({cpu}); runs: {} (+1 warm-up)",
        opts.runs
    ));
    out(format!("ohisama: {}", tools.ohisama.display()));
    if let Some(h) = &tools.hugo {
        out(format!("hugo: {}", version(h, "version")));
    }
    if let Some(p) = &tools.pagefind {
        out(format!(
            "pagefind: {} ({})",
            version(p, "--version"),
            p.display()
        ));
    }

    // ---------------------------------------------------------- main corpus
    let main = generate(
        &tools,
        &work,
        &format!("p{}", opts.pages),
        (opts.pages, opts.facilities, 33),
        opts.hugo,
    );
    eprintln!("warm-up …");
    ohisama_build(&tools, &main, &logs.join("ohisama-warmup.log"), false);
    if opts.hugo {
        hugo_build(&tools, &main, &logs.join("hugo-warmup.log"));
        pagefind_run(&tools, &main, &logs.join("pagefind-warmup.log"));
    }
    let (mut ours, mut hugo, mut pf, mut both) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..opts.runs {
        eprint!("round {}/{}: ohisama ", round + 1, opts.runs);
        let o = ohisama_build(
            &tools,
            &main,
            &logs.join(format!("ohisama-{round}.log")),
            false,
        );
        eprint!("{:.2} s", o.wall.as_secs_f64());
        ours.push(o);
        if opts.hugo {
            let h = hugo_build(&tools, &main, &logs.join(format!("hugo-{round}.log")));
            let p = pagefind_run(&tools, &main, &logs.join(format!("pagefind-{round}.log")));
            eprint!(
                ", hugo {:.2} s, pagefind {:.2} s",
                h.wall.as_secs_f64(),
                p.wall.as_secs_f64()
            );
            both.push(Run {
                wall: h.wall + p.wall,
                cpu: h.cpu + p.cpu,
                rss_kib: h.rss_kib.max(p.rss_kib),
            });
            hugo.push(h);
            pf.push(p);
        }
        eprintln!();
    }
    // Phase timings (an extra run; its output is what the sizes and the browser use).
    let timing_log = logs.join("ohisama-timings.log");
    ohisama_build(&tools, &main, &timing_log, true);
    let phases = timings_of(&timing_log);

    let dist = main.site.join("dist");
    let (our_bytes, our_files) = dir_size(&dist);
    let (our_idx, our_idx_files) = dir_size(&dist.join("search"));
    let (their_bytes, their_files, their_idx, their_idx_files) = match &main.hugo {
        Some(h) => {
            let (b, f) = dir_size(&h.join("public"));
            let (ib, if_) = dir_size(&h.join("public/pagefind"));
            (b - ib, f - if_, ib, if_)
        }
        None => (0, 0, 0, 0),
    };
    let bytes = if opts.browser {
        eprintln!("search bytes in headless Chromium …");
        search_bytes(&main)
    } else {
        None
    };

    let row = |runs: &[Run]| -> [String; 4] {
        if runs.is_empty() {
            return ["-".into(), "-".into(), "-".into(), "-".into()];
        }
        let w = secs(runs, |r| r.wall);
        let c = secs(runs, |r| r.cpu);
        [
            format!("{:.2} s", min(&w)),
            format!("{:.2} s", median(w)),
            format!("{:.2} s", median(c)),
            mib(runs.iter().map(|r| r.rss_kib).max().unwrap_or(0)),
        ]
    };
    let (ro, rh, rp, rb) = (row(&ours), row(&hugo), row(&pf), row(&both));
    let q_median = |v: &[QueryBytes]| median(v.iter().map(|q| q.transfer as f64).collect());
    let (qb_ours, qb_theirs) = match &bytes {
        Some((o, t)) => (q_median(o), q_median(t)),
        None => (0.0, 0.0),
    };
    out(format!(
        "\n## {} pages, {} facilities, 33 municipalities × 10 windows ({} documents)\n",
        main.pages,
        main.facilities,
        main.docs()
    ));
    out("| | ohisama build (search on, no PDF) | hugo --minify | pagefind --site | hugo + pagefind |".into());
    out("|---|---|---|---|---|".into());
    for (i, label) in [
        "wall time, min",
        "wall time, median",
        "CPU time (user+sys), median",
        "peak RSS (max of runs)",
    ]
    .iter()
    .enumerate()
    {
        out(format!(
            "| {label} | {} | {} | {} | {} |",
            ro[i], rh[i], rp[i], rb[i]
        ));
    }
    out(format!(
        "| output size (without search) | {} ({} files) | {} ({} files) | | |",
        mb(our_bytes - our_idx),
        our_files - our_idx_files,
        mb(their_bytes),
        their_files
    ));
    out(format!(
        "| search index size | {} ({} files) | | {} ({} files) | |",
        mb(our_idx),
        our_idx_files,
        mb(their_idx),
        their_idx_files
    ));
    if bytes.is_some() {
        out(format!(
            "| search bytes for a first query (median of 5, gzip) | {} | | {} | |",
            kb(qb_ours as usize),
            kb(qb_theirs as usize)
        ));
    }

    if !ours.is_empty() && !both.is_empty() {
        let o = median(secs(&ours, |r| r.wall));
        let b = median(secs(&both, |r| r.wall));
        let h = median(secs(&hugo, |r| r.wall));
        let rss = ours.iter().map(|r| r.rss_kib).max().unwrap_or(0);
        out("\n### Targets (ratios of medians in this run)\n".into());
        let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
        out(format!(
            "- (hugo + pagefind) / ohisama = {:.1}× (target ≥ 5×): {}",
            b / o,
            verdict(b / o >= 5.0)
        ));
        out(format!(
            "- hugo alone / ohisama = {:.2}× (target ≥ 1×): {}",
            h / o,
            verdict(h / o >= 1.0)
        ));
        out(format!(
            "- ohisama peak RSS = {} (target ≤ 512 MiB): {}",
            mib(rss),
            verdict(rss <= 512 * 1024)
        ));
        if bytes.is_some() && qb_ours > 0.0 {
            out(format!(
                "- search bytes pagefind / ohisama = {:.1}× (target ≥ 3×): {}",
                qb_theirs / qb_ours,
                verdict(qb_theirs / qb_ours >= 3.0)
            ));
        }
    }

    if let Some((o, t)) = &bytes {
        out("\n### First query, per query (search files only, fresh tab, gzip sizes)\n".into());
        out("| query | ohisama files | ohisama raw | ohisama gzip | ohisama results | pagefind files | pagefind raw | pagefind transfer | pagefind results |".to_string());
        out("|---|---|---|---|---|---|---|---|---|".into());
        for (i, q) in QUERIES.iter().enumerate() {
            let a = &o[i];
            let b = t.get(i).cloned().unwrap_or_default();
            out(format!(
                "| {q} | {} | {} | {} | {} | {} | {} | {} | {} |",
                a.files,
                kb(a.raw),
                kb(a.transfer),
                a.results,
                b.files,
                kb(b.raw),
                kb(b.transfer),
                b.results
            ));
        }
        out(format!(
            "\nohisama: /search/?q=… (search.js + meta + term/position shards + doc chunks of the {SHOWN_RESULTS} shown results; the service worker's precache is not counted). \
             Pagefind: pagefind.js API, search + data() of the first {SHOWN_RESULTS} results (no UI bundle; Pagefind UI would add pagefind-ui.js/css and show 5 at first)."
        ));
    }

    if !phases.is_empty() {
        out("\n### ohisama phases (OHISAMA_TIMINGS=1, one run)\n".into());
        out("| phase | ms |\n|---|---|".into());
        for (name, ms) in &phases {
            out(format!("| {name} | {ms:.0} |"));
        }
    }

    // ---------------------------------------------------------- scaling
    if opts.scale {
        rm(&main.site.join("dist"));
        if let Some(h) = &main.hugo {
            rm(&h.join("public"));
        }
        make_room_for_next_corpus();
        eprintln!("scaling series …");
        let mut rows = Vec::new();
        let series: Vec<(&str, usize, usize, usize, bool)> = vec![
            ("1k", 1_000, 100, 33, true),
            ("10k", opts.pages, opts.facilities, 33, false),
            ("50k", 50_000, 5_000, 33, true),
            ("nationwide", 2_000, 50_000, 1_741, false),
        ];
        for (name, pages, facilities, munis, hugo_too) in series {
            let c = if name == "10k" {
                Corpus {
                    name: "10k".into(),
                    site: main.site.clone(),
                    hugo: main.hugo.clone(),
                    pages,
                    facilities,
                    municipalities: munis,
                    windows: 10,
                }
            } else {
                generate(
                    &tools,
                    &work,
                    name,
                    (pages, facilities, munis),
                    hugo_too && opts.hugo,
                )
            };
            let (o, phases) = if name == "10k" {
                (
                    ours.iter().min_by_key(|r| r.wall).copied().expect("runs"),
                    phases.clone(),
                )
            } else {
                let log = logs.join(format!("scale-{name}.log"));
                if name == "1k" {
                    ohisama_build(
                        &tools,
                        &c,
                        &logs.join(format!("scale-{name}-warmup.log")),
                        false,
                    );
                }
                (ohisama_build(&tools, &c, &log, true), timings_of(&log))
            };
            let h = if name == "10k" {
                hugo.iter().min_by_key(|r| r.wall).copied()
            } else if c.hugo.is_some() {
                if name == "1k" {
                    hugo_build(
                        &tools,
                        &c,
                        &logs.join(format!("scale-{name}-hugo-warmup.log")),
                    );
                }
                Some(hugo_build(
                    &tools,
                    &c,
                    &logs.join(format!("scale-{name}-hugo.log")),
                ))
            } else {
                None
            };
            let p = if name == "10k" {
                pf.iter().min_by_key(|r| r.wall).copied()
            } else if name == "1k" && c.hugo.is_some() {
                Some(pagefind_run(
                    &tools,
                    &c,
                    &logs.join(format!("scale-{name}-pagefind.log")),
                ))
            } else {
                None
            };
            let slowest: String = {
                let mut ph = phases.clone();
                ph.sort_by(|a, b| b.1.total_cmp(&a.1));
                ph.iter()
                    .take(3)
                    .map(|(n, ms)| format!("{n} {:.1} s", ms / 1e3))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if name != "10k" {
                rm(&c.site);
                if let Some(h) = &c.hugo {
                    rm(h);
                }
                make_room_for_next_corpus();
            }
            rows.push(format!(
                "| {} | {} pages, {} facilities, {} × 10 windows | {} | {:.2} s | {:.2} s | {:.0} µs | {} | {} | {} | {} |",
                c.name,
                c.pages,
                c.facilities,
                c.municipalities,
                c.docs(),
                o.wall.as_secs_f64(),
                o.cpu.as_secs_f64(),
                o.wall.as_secs_f64() * 1e6 / c.docs() as f64,
                mib(o.rss_kib),
                h.map_or_else(|| "-".into(), |h| format!("{:.2} s", h.wall.as_secs_f64())),
                p.map_or_else(|| "-".into(), |p| format!("{:.2} s / {}", p.wall.as_secs_f64(), mib(p.rss_kib))),
                slowest
            ));
        }
        out(
            "\n## Scaling (ohisama: best of the rounds for 10k; 1k after a warm-up; 50k and nationwide one cold run each)\n"
                .into(),
        );
        out("| corpus | content | documents | ohisama wall | ohisama CPU | wall per document | ohisama peak RSS | hugo --minify | pagefind | slowest ohisama phases |".into());
        out("|---|---|---|---|---|---|---|---|---|---|".into());
        for r in rows {
            out(r);
        }
        out("\n(documents = pages + facilities + windows; Pagefind is not run on 50k pages: at 10k it already needs several GiB.)".into());
    }
    let path = work.join("results.md");
    std::fs::write(&path, &report).expect("write results");
    let _ = std::fs::remove_dir_all(trash_dir());
    eprintln!("\nwritten to {}", path.display());
}
