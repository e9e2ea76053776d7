//! How long an editor waits: the time from a file write to the live-reload
//! event (`reload`) of `ohisama serve`, for the sample site (the repository
//! root, copied to a temp dir), over 50 edits alternating a markdown page and a
//! YAML data file. Each edit is a full rebuild.
//!
//! ```sh
//! cargo run --release --example serve_bench            # 50 edits, no PDFs (like `ohisama serve`)
//! cargo run --release --example serve_bench -- --edits 20 --pdf   # or --no-search
//! ```

use ohisama::serve::{BuildOutcome, ServeOptions, Server};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// Events of a live-reload stream (name, data), with the time each arrived.
fn listen(port: u16) -> mpsc::Receiver<(String, String, Instant)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET /__ohisama/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
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
    rx
}

/// The build number of an event (`{"build": "<session>-<n>"}`).
fn build_number(data: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(data).expect("JSON");
    v["build"]
        .as_str()
        .and_then(|b| b.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn stats(label: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    println!(
        "{label:<28} median {:7.1} ms   p90 {:7.1} ms   max {:7.1} ms   min {:7.1} ms   (n = {})",
        ms(pct(0.5)),
        ms(pct(0.9)),
        ms(*v.last().unwrap()),
        ms(v[0]),
        v.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pdf = args.iter().any(|a| a == "--pdf");
    let no_search = args.iter().any(|a| a == "--no-search");
    let edits: usize = args
        .iter()
        .position(|a| a == "--edits")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);

    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    for sub in ["content", "data", "themes"] {
        copy_dir(&repo.join(sub), &tmp.path().join(sub));
    }
    let mut opts = ServeOptions::new(tmp.path());
    opts.port = 0;
    opts.quiet = true;
    opts.pdf = pdf;
    opts.search = !no_search;
    let debounce = opts.debounce;
    let search = opts.search;

    let started = Instant::now();
    let server = Server::start(opts).expect("start");
    let first = server.last_build().expect("first build");
    assert_eq!(
        first.outcome,
        BuildOutcome::Reload,
        "{}",
        first.diagnostics.render_text()
    );
    println!(
        "sample site: {} pages; start (first build) {:.0} ms; debounce {} ms; pdf {pdf}; search {search}",
        first.pages,
        started.elapsed().as_secs_f64() * 1000.0,
        debounce.as_millis()
    );

    let events = listen(server.port());
    let (hello, _, _) = events.recv_timeout(Duration::from_secs(30)).expect("hello");
    assert_eq!(hello, "hello");

    let page = tmp.path().join("content/about/index.md");
    let data = tmp.path().join("data/contacts/chigasaki.yaml");
    let page_text = std::fs::read_to_string(&page).unwrap();
    let data_text = std::fs::read_to_string(&data).unwrap();
    assert!(page_text.contains("## 運営者") && data_text.contains("各種相談"));

    let mut latency = Vec::new();
    let mut builds = Vec::new();
    let warmup = 2;
    let mut stale = 0;
    for i in 0..edits + warmup {
        let (path, text) = if i % 2 == 0 {
            (
                &page,
                page_text.replace("## 運営者", &format!("## 運営者 {i}")),
            )
        } else {
            (
                &data,
                data_text.replace("各種相談", &format!("各種相談 {i}")),
            )
        };
        let before = server.last_build().unwrap().number;
        let written = Instant::now();
        std::fs::write(path, text).unwrap();
        loop {
            let (name, data, at) = events
                .recv_timeout(Duration::from_secs(60))
                .expect("an event after an edit");
            match name.as_str() {
                // Only the build that includes this edit counts.
                "reload" if build_number(&data) > before => {
                    if i >= warmup {
                        let b = server.last_build().unwrap();
                        if std::env::var_os("SERVE_BENCH_VERBOSE").is_some() {
                            eprintln!(
                                "edit {i}: event {:?}, build #{} {:?}",
                                at - written,
                                b.number,
                                b.duration
                            );
                        }
                        latency.push(at - written);
                        builds.push(b.duration);
                    }
                    break;
                }
                "error" => panic!("the edit broke the build: {data}"),
                _ => stale += 1,
            }
        }
        // Let the debouncer forget this save before the next one.
        std::thread::sleep(debounce * 2);
    }
    let n = server.last_build().unwrap().number;
    println!(
        "builds: {n} for {} edits (+ the first build); events of earlier builds skipped: {stale}",
        edits + warmup
    );
    stats("write → reload event", latency);
    stats("full rebuild (in server)", builds);
    server.shutdown();
}
