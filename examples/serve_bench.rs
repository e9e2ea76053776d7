//! How long an editor waits (issue #20): from a file write to the live-reload
//! event, p50 / p90 / max, for a page edit, a contacts edit and a stylesheet
//! edit, on the sample site and on generated sites (5,000 and 10,000 pages),
//! with `hugo server` on the Hugo twin of each generated site (`generate
//! --hugo`) when `hugo` is installed, side by side in one run. ohisama's
//! moment is the `reload` / `css` event of `/__ohisama/events` of a build that
//! includes the edit; Hugo's is the livereload `reload` command on its
//! WebSocket (`/livereload`, after the protocol's `hello`). Also a broken
//! contacts edit (→ `error`) and its fix (→ `reload`) for ohisama.
//!
//! Both servers run as child processes, as an editor runs them: the ohisama
//! under test is a binary (`--bin`, default `target/release/ohisama`; several,
//! comma-separated, are measured one after the other on the same corpora:
//! before and after in one run), so this
//! client itself can be built in any profile (a release build of an example
//! recompiles the dependencies with the dev-dependencies' features):
//!
//! ```sh
//! cargo build --release                  # the binary under test
//! cargo run --example serve_bench        # all corpora, 20 edits each
//! cargo run --example serve_bench -- --corpus sample --edits 10
//! cargo run --example serve_bench -- --corpus 5k,10k --no-hugo --bin /tmp/ohisama-before
//! ```
//! Figures go to stdout and `target/bench/serve.md`; each server's phase log
//! (`OHISAMA_TIMINGS=1`) to `target/bench/serve-<corpus>-<i>.log`. `ohisama
//! serve` builds the search export in the background after each reload event,
//! as it always does, so that work competes for the cores as it does for an
//! editor.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Args {
    corpora: Vec<String>,
    edits: usize,
    hugo: bool,
    bins: Vec<PathBuf>,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Args {
        corpora: value("--corpus")
            .unwrap_or_else(|| "sample,5k,10k".into())
            .split(',')
            .map(str::to_string)
            .collect(),
        edits: value("--edits").and_then(|n| n.parse().ok()).unwrap_or(20),
        hugo: !args.iter().any(|a| a == "--no-hugo"),
        bins: value("--bin").map_or_else(
            || vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/ohisama")],
            |list| list.split(',').map(PathBuf::from).collect(),
        ),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let dest = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// One corpus: the ohisama site and, for generated ones, its Hugo twin.
struct Corpus {
    name: String,
    site: PathBuf,
    hugo: Option<PathBuf>,
}

fn make_corpus(bin: &Path, name: &str, tmp: &Path) -> Corpus {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = tmp.join(name).join("site");
    if name == "sample" {
        for sub in ["content", "data", "themes"] {
            copy_dir(&repo.join(sub), &site.join(sub));
        }
        return Corpus {
            name: name.into(),
            site,
            hugo: None,
        };
    }
    let pages: usize = match name {
        "5k" => 5_000,
        "10k" => 10_000,
        other => other
            .parse()
            .expect("--corpus: sample, 5k, 10k or a page count"),
    };
    let hugo = tmp.join(name).join("hugo");
    let status = Command::new(bin)
        .args(["generate", "--facilities", "1000", "--pages"])
        .arg(pages.to_string())
        .arg("--out")
        .arg(&site)
        .arg("--hugo")
        .arg(&hugo)
        .arg("--source")
        .arg(&repo)
        .stdout(Stdio::null())
        .status()
        .expect("ohisama generate");
    assert!(status.success(), "ohisama generate failed");
    Corpus {
        name: format!("generated {name}"),
        site,
        hugo: Some(hugo),
    }
}

/// An edit: the file, its original text, and the text of edit `i`.
struct Edit {
    label: &'static str,
    path: PathBuf,
    original: String,
    change: fn(&str, usize) -> String,
}

impl Edit {
    fn new(label: &'static str, path: PathBuf, change: fn(&str, usize) -> String) -> Edit {
        let original = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        Edit {
            label,
            path,
            original,
            change,
        }
    }

    fn write(&self, i: usize) {
        std::fs::write(&self.path, (self.change)(&self.original, i)).expect("write");
    }
}

fn append_line(text: &str, i: usize) -> String {
    format!("{text}\n編集 {i} の段落です。\n")
}

fn append_css(text: &str, i: usize) -> String {
    format!("{text}\n.bench-{i} {{ color: #123456; }}\n")
}

fn contacts_detail(text: &str, i: usize) -> String {
    text.replacen("detail: ", &format!("detail: 編集{i} "), 1)
}

/// The first markdown page of `content/` that is not a section's index
/// (`index.md`, Hugo's `_index.md`), relative to `content/`.
fn a_page(site: &Path) -> PathBuf {
    let content = site.join("content");
    walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "md")
                && !p.ends_with("index.md")
                && !p.ends_with("_index.md")
        })
        .expect("a page")
        .strip_prefix(&content)
        .expect("inside")
        .to_path_buf()
}

/// The first municipality with a contacts file.
fn a_municipality(site: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(site.join("data/contacts"))
        .expect("data/contacts")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files[0]
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned()
}

/// Events of ohisama's live-reload stream (name, data), with their time.
fn listen(port: u16) -> std::io::Result<mpsc::Receiver<(String, String, Instant)>> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "GET /__ohisama/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && tx
                    .send((std::mem::take(&mut name), data.to_string(), Instant::now()))
                    .is_err()
            {
                return;
            }
        }
    });
    Ok(rx)
}

/// The build number of an event (`{"build": "<session>-<n>"}`, or
/// `<session>-<n>-early` for the page edited, served before its build ends:
/// the same build).
fn build_number(data: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(data).expect("JSON");
    v["build"]
        .as_str()
        .and_then(|b| b.trim_end_matches("-early").rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// One row of the table.
struct Row {
    corpus: String,
    server: String,
    edit: &'static str,
    times: Vec<Duration>,
    /// ohisama: each measured save's whole rebuild, as its log line says
    /// (the reload event of a page's text edit comes before the rebuild ends:
    /// the page edited is rendered first).
    rebuilds: Vec<Duration>,
}

impl Row {
    fn line(&self) -> String {
        let mut v = self.times.clone();
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct = |v: &[Duration], p: f64| ms(v[((v.len() - 1) as f64 * p).round() as usize]);
        let mut r = self.rebuilds.clone();
        r.sort();
        let rebuild = if r.is_empty() {
            "—".to_string()
        } else {
            format!("{:.0} / {:.0}", pct(&r, 0.5), pct(&r, 0.9))
        };
        format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {} | {rebuild} |",
            self.corpus,
            self.server,
            self.edit,
            pct(&v, 0.5),
            pct(&v, 0.9),
            ms(*v.last().expect("times")),
            v.len()
        )
    }
}

/// The durations of the good rebuilds the server's log tells so far
/// (`✔ 再ビルド完了 (0.189 秒…`).
fn rebuild_times(log: &Path) -> Vec<Duration> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let rest = line.split_once("再ビルド完了 (")?.1;
            let secs: f64 = rest.split_once(" 秒")?.0.parse().ok()?;
            Some(Duration::from_secs_f64(secs))
        })
        .collect()
}

/// Write → event, for `edits` edits after 2 warm-ups; `wait` blocks until
/// the event of the edit written at the given moment and returns its time.
fn measure(
    edit: &Edit,
    edits: usize,
    pid: u32,
    mut wait: impl FnMut(Instant) -> Instant,
) -> Vec<Duration> {
    let mut times = Vec::new();
    for i in 0..edits + 2 {
        let written = Instant::now();
        edit.write(i);
        let at = wait(written);
        if i >= 2 {
            times.push(at - written);
        }
        wait_idle(pid);
    }
    // The restore is waited for too: it must not fold into the next edit.
    let restored = Instant::now();
    std::fs::write(&edit.path, &edit.original).expect("restore");
    wait(restored);
    wait_idle(pid);
    times
}

/// `ohisama serve` of the binary under test, as an editor runs it.
struct OhisamaServer {
    /// The binary's file name, the table's "server" column.
    label: String,
    child: Child,
    port: u16,
    /// The newest build number seen on the event stream.
    last_build: u64,
    events: mpsc::Receiver<(String, String, Instant)>,
}

impl OhisamaServer {
    /// Starts the server and waits for its first build (the `hello` of a
    /// finished build, or the `reload` that follows a `hello` without one).
    fn start(bin: &Path, c: &Corpus, log: &Path) -> OhisamaServer {
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .arg("--root")
            .arg(&c.site)
            .arg("--port")
            .arg(port.to_string())
            .env("OHISAMA_TIMINGS", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log file"));
        let child = cmd.spawn().expect("ohisama serve");
        let deadline = Instant::now() + Duration::from_secs(900);
        let events = loop {
            if let Ok(rx) = listen(port) {
                break rx;
            }
            assert!(Instant::now() < deadline, "ohisama serve did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut s = OhisamaServer {
            label: bin
                .file_name()
                .map_or_else(|| "ohisama".into(), |n| n.to_string_lossy().into_owned()),
            child,
            port,
            last_build: 0,
            events,
        };
        let (hello, data, _) = s.recv();
        assert_eq!(hello, "hello");
        s.last_build = build_number(&data);
        if s.last_build == 0 {
            s.next_event("reload", Instant::now());
        }
        s
    }

    fn recv(&self) -> (String, String, Instant) {
        self.events
            .recv_timeout(Duration::from_secs(300))
            .expect("an event from ohisama serve")
    }

    /// The moment of the first `want` event of a build newer than every
    /// build seen so far, received after `written` (an event that was
    /// already on its way, e.g. of a second build for one save, is skipped).
    fn next_event(&mut self, want: &str, written: Instant) -> Instant {
        let before = self.last_build;
        loop {
            let (name, data, at) = self.recv();
            let n = build_number(&data);
            if std::env::var_os("SERVE_BENCH_VERBOSE").is_some() {
                eprintln!("event {name} {data} (waiting for {want} after build {before})");
            }
            self.last_build = self.last_build.max(n);
            if name == want && n > before && at > written {
                return at;
            }
            assert!(
                name != "error" || at < written,
                "the edit broke the build: {data}"
            );
        }
    }

    /// The next event named `want` received after `written`, whatever its build.
    fn next_named(&mut self, want: &str, written: Instant) -> Instant {
        loop {
            let (name, data, at) = self.recv();
            self.last_build = self.last_build.max(build_number(&data));
            if name == want && at > written {
                return at;
            }
        }
    }

    /// Peak RSS of the server process, then stops it.
    fn stop(mut self) -> u64 {
        let rss = peak_rss_kib(&self.child.id().to_string());
        let _ = self.child.kill();
        let _ = self.child.wait();
        rss
    }
}

fn bench_ohisama(bin: &Path, c: &Corpus, a: &Args, log: &Path, rows: &mut Vec<Row>) -> u64 {
    let started = Instant::now();
    let mut server = OhisamaServer::start(bin, c, log);
    println!(
        "{}: ohisama serve ready in {:.0} ms (port {}, phases in {})",
        c.name,
        started.elapsed().as_secs_f64() * 1000.0,
        server.port,
        log.display()
    );
    let muni = a_municipality(&c.site);
    let edits = [
        Edit::new(
            "page",
            c.site.join("content").join(a_page(&c.site)),
            append_line,
        ),
        Edit::new(
            "contacts",
            c.site.join(format!("data/contacts/{muni}.yaml")),
            contacts_detail,
        ),
        Edit::new(
            "CSS",
            c.site.join("themes/default/static/css/site.css"),
            append_css,
        ),
    ];
    for edit in &edits {
        let want = if edit.label == "CSS" { "css" } else { "reload" };
        let logged = rebuild_times(log).len();
        let times = measure(edit, a.edits, server.child.id(), |written| {
            server.next_event(want, written)
        });
        // The 2 warm-ups are not counted (nor the restore, after the edits).
        let rebuilds = rebuild_times(log)
            .into_iter()
            .skip(logged + 2)
            .take(a.edits)
            .collect();
        rows.push(Row {
            corpus: c.name.clone(),
            server: server.label.clone(),
            edit: edit.label,
            times,
            rebuilds,
        });
    }
    error_and_fix(&mut server, &edits[1], a.edits, c, rows);
    server.stop()
}

/// A broken contacts edit (unknown field) → `error`, its fix → `reload`.
fn error_and_fix(
    server: &mut OhisamaServer,
    contacts: &Edit,
    edits: usize,
    c: &Corpus,
    rows: &mut Vec<Row>,
) {
    let (mut broken, mut fixed) = (Vec::new(), Vec::new());
    for _ in 0..edits.div_ceil(2) {
        let written = Instant::now();
        std::fs::write(
            &contacts.path,
            contacts.original.replacen("field: ", "field: no-such-", 1),
        )
        .expect("write");
        broken.push(server.next_named("error", written) - written);
        wait_idle(server.child.id());
        let written = Instant::now();
        std::fs::write(&contacts.path, &contacts.original).expect("write");
        fixed.push(server.next_event("reload", written) - written);
        wait_idle(server.child.id());
    }
    for (edit, times) in [
        ("contacts broken → error", broken),
        ("its fix → reload", fixed),
    ] {
        rows.push(Row {
            corpus: c.name.clone(),
            server: server.label.clone(),
            edit,
            times,
            rebuilds: Vec::new(),
        });
    }
}

/// CPU time used so far by a process, in clock ticks (`utime + stime` of
/// `/proc/<pid>/stat`, the fields after the parenthesised command name).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    tick(11) + tick(12)
}

/// Waits until the server has used no CPU for 300 ms (a busy thread on a
/// shared core can go 100 ms without a tick): the pause of an editor
/// between two saves, long enough for the work a save starts after its
/// reload event (the search export) to finish, so that each save is measured
/// alone, as an editor who saves every few seconds meets it.
fn wait_idle(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_millis(300));
        if cpu_ticks(pid) == before || Instant::now() > deadline {
            return;
        }
    }
}

/// `VmHWM` of a process (`self` or a pid), in KiB.
fn peak_rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The 1, 5 and 15 minute load averages (the machine may be shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `hugo server` on the twin: in memory, fast render (its defaults in 0.111).
fn start_hugo(dir: &Path, port: u16) -> Child {
    let mut child = Command::new("hugo")
        .args(["server", "--bind", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .arg("--source")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("hugo server");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("Web Server is available"));
    assert!(ready, "hugo server did not start (its errors are above)");
    std::thread::spawn(move || for _ in lines {});
    child
}

/// Hugo's livereload messages (`reload` commands), with their time.
fn hugo_listen(port: u16) -> mpsc::Receiver<Instant> {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (mut ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}/livereload"), stream)
        .expect("websocket");
    ws.send(tungstenite::Message::text(
        r#"{"command":"hello","protocols":["http://livereload.com/protocols/official-7"]}"#,
    ))
    .expect("hello");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(msg) = ws.read() {
            if let tungstenite::Message::Text(t) = msg
                && t.contains("\"reload\"")
                && tx.send(Instant::now()).is_err()
            {
                return;
            }
        }
    });
    rx
}

fn bench_hugo(c: &Corpus, dir: &Path, a: &Args, rows: &mut Vec<Row>) -> u64 {
    let port = free_port();
    let started = Instant::now();
    let mut child = start_hugo(dir, port);
    println!(
        "{}: hugo server ready in {:.0} ms",
        c.name,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let events = hugo_listen(port);
    let page = a_page(dir);
    let muni = a_municipality(&c.site);
    let edits = [
        Edit::new("page", dir.join("content").join(&page), append_line),
        Edit::new(
            "contacts",
            dir.join(format!("content/contacts/{muni}.md")),
            append_line,
        ),
        Edit::new("CSS", dir.join("static/css/site.css"), append_css),
    ];
    // Fast render re-renders the pages a browser has open: open the edited ones.
    let url = |rel: &Path| {
        let stem = rel.with_extension("");
        format!("/{}/", stem.to_string_lossy())
    };
    for path in [url(&page), format!("/contacts/{muni}/")] {
        let _ = http_get(port, &path);
    }
    for edit in &edits {
        let times = measure(edit, a.edits, child.id(), |written| {
            loop {
                let at = events
                    .recv_timeout(Duration::from_secs(120))
                    .expect("hugo reload");
                if at > written {
                    return at;
                }
            }
        });
        rows.push(Row {
            corpus: c.name.clone(),
            server: "hugo server".into(),
            edit: edit.label,
            times,
            rebuilds: Vec::new(),
        });
    }
    let rss = peak_rss_kib(&child.id().to_string());
    let _ = child.kill();
    let _ = child.wait();
    rss
}

fn http_get(port: u16, path: &str) -> std::io::Result<()> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    std::io::copy(&mut s, &mut std::io::sink())?;
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn main() {
    let a = args();
    for bin in &a.bins {
        assert!(
            bin.is_file(),
            "{}: no such binary (build it: cargo build --release, or pass --bin)",
            bin.display()
        );
    }
    let has_hugo = a.hugo
        && Command::new("hugo")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut rows = Vec::new();
    let mut notes = vec![format!(
        "{cores} cores; {} edits each after 2 warm-ups; ohisama {}; hugo {}",
        a.edits,
        a.bins
            .iter()
            .map(|b| b.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        if has_hugo { "on" } else { "not run" }
    )];
    let bench_started = Instant::now();
    for name in &a.corpora {
        let c = make_corpus(&a.bins[0], name, tmp.path());
        for (i, bin) in a.bins.iter().enumerate() {
            let log = out.join(format!("serve-{name}-{i}.log"));
            let rss = bench_ohisama(bin, &c, &a, &log, &mut rows);
            notes.push(format!(
                "{}: {} serve peak RSS {} MiB",
                c.name,
                bin.display(),
                rss / 1024
            ));
        }
        if let (true, Some(dir)) = (has_hugo, &c.hugo) {
            let rss = bench_hugo(&c, dir, &a, &mut rows);
            notes.push(format!(
                "{}: hugo server peak RSS {} MiB",
                c.name,
                rss / 1024
            ));
        }
    }
    notes.push(format!(
        "load average at the end {}; bench took {:.0} s",
        load_average(),
        bench_started.elapsed().as_secs_f64()
    ));
    let mut table = String::from(
        "| corpus | server | edit | p50 ms | p90 ms | max ms | n | whole rebuild p50 / p90 ms |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table.push_str(&r.line());
        table.push('\n');
    }
    for n in &notes {
        table.push_str(&format!("\n{n}"));
    }
    println!("\n{table}");
    let _ = std::fs::write(out.join("serve.md"), format!("{table}\n"));
}
