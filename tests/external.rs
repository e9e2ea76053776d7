//! `ohisama check --external` (issue #19 item 8) against a local server that
//! answers 200, 301 → 200, 404, 500, 405 on HEAD then 200 on GET, and too
//! slowly; the day's cache (a second run asks nothing) and the CSV report.

use crate::sitekit::{TestSite, TreeSnapshot, assert_success, ohisama};
use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A tiny HTTP/1.1 server on 127.0.0.1 that counts the requests per
/// (method, path).
struct Server {
    port: u16,
    requests: Arc<Mutex<BTreeMap<(String, String), usize>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(BTreeMap::new()));
        let counts = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counts = Arc::clone(&counts);
                std::thread::spawn(move || answer(stream, &counts));
            }
        });
        Server { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn count(&self, method: &str, path: &str) -> usize {
        let r = self.requests.lock().expect("lock");
        r.get(&(method.to_string(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.requests.lock().expect("lock").values().sum()
    }
}

type Counts = Mutex<BTreeMap<(String, String), usize>>;

fn answer(stream: std::net::TcpStream, counts: &Counts) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let mut parts = first.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    *counts
        .lock()
        .expect("lock")
        .entry((method.clone(), path.clone()))
        .or_default() += 1;
    let (status, extra) = match (method.as_str(), path.as_str()) {
        (_, "/ok") => ("200 OK", String::new()),
        (_, "/moved") => ("301 Moved Permanently", "Location: /ok\r\n".to_string()),
        (_, "/gone") => ("404 Not Found", String::new()),
        (_, "/broken") => ("500 Internal Server Error", String::new()),
        ("HEAD", "/get-only") => ("405 Method Not Allowed", "Allow: GET\r\n".to_string()),
        ("GET", "/get-only") => ("200 OK", String::new()),
        (_, "/slow") => {
            std::thread::sleep(Duration::from_secs(4));
            ("200 OK", String::new())
        }
        _ => ("404 Not Found", String::new()),
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

const YOKOHAMA: &str = "data/contacts/yokohama.yaml";

/// The mini site with a window per answer, a facility URL and a markdown link.
fn site_with_links(server: &Server) -> TestSite {
    let site = TestSite::mini();
    // The fixture's own example.jp URL would leave this machine: out.
    let mut text = site
        .read(YOKOHAMA)
        .replace("    url: https://example.jp/yokohama\n", "");
    for (name, path) in [
        ("正常な窓口", "/ok"),
        ("移転した窓口", "/moved"),
        ("無い窓口", "/gone"),
        ("壊れた窓口", "/broken"),
        ("GETだけの窓口", "/get-only"),
        ("遅い窓口", "/slow"),
    ] {
        text.push_str(&format!(
            "  - name: {name}\n    field: sodan\n    url: {}\n",
            server.url(path)
        ));
    }
    site.write(YOKOHAMA, &text);
    site.edit(
        "data/facilities/yokohama.yaml",
        "  tel: 045-000-1001\n",
        &format!("  tel: 045-000-1001\n  url: {}\n", server.url("/gone")),
    );
    let page = "content/emergency/index.md";
    let body = site.read(page);
    site.write(
        page,
        &format!(
            "{body}\n市のページ: [リンク]({}#top)\n",
            server.url("/moved")
        ),
    );
    site
}

fn check_external(site: &TestSite, extra: &[&str]) -> std::process::Output {
    ohisama()
        .args(["check", "--external", "--timeout", "1", "--root"])
        .arg(site.root())
        .args(extra)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("run")
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not found"))
        + 1
}

#[test]
fn dead_and_moved_links_are_warnings_at_their_lines_and_in_the_report() {
    let server = Server::start();
    let site = site_with_links(&server);
    let yaml = site.read(YOKOHAMA);

    // Without --external nothing touches the network.
    assert_success(
        &ohisama()
            .args(["check", "--root"])
            .arg(site.root())
            .output()
            .expect("run"),
    );
    assert_eq!(
        server.total(),
        0,
        "check without --external asked the server"
    );

    let out = check_external(&site, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "warnings only: {:?} {stderr}",
        out.status
    );
    let at = |needle: &str| format!("{YOKOHAMA}:{}", line_of(&yaml, needle) + 2);
    for (window, message) in [
        (
            "移転した窓口",
            format!(
                "リンク先が移転しています: {} → {}",
                server.url("/moved"),
                server.url("/ok")
            ),
        ),
        (
            "無い窓口",
            format!(
                "リンク先のページがありません (HTTP 404): {}",
                server.url("/gone")
            ),
        ),
        (
            "壊れた窓口",
            format!(
                "リンク先を確認できません: サーバーのエラー (HTTP 500): {}",
                server.url("/broken")
            ),
        ),
        (
            "遅い窓口",
            format!(
                "リンク先を確認できません: 応答なし (1 秒): {}",
                server.url("/slow")
            ),
        ),
    ] {
        let place = at(window);
        assert!(
            stderr
                .split("\n\n")
                .any(|b| b.starts_with(&format!("警告: {message}\n  --> {place}:"))),
            "no warning {message:?} at {place}:\n{stderr}"
        );
    }
    for fine in ["/ok", "/get-only"] {
        let reported = stderr
            .lines()
            .any(|l| l.starts_with("警告") && l.ends_with(&format!(": {}", server.url(fine))));
        assert!(!reported, "{fine} reported:\n{stderr}");
    }
    // HEAD refused with 405: asked again with GET.
    assert_eq!(server.count("HEAD", "/get-only"), 1);
    assert_eq!(server.count("GET", "/get-only"), 1);
    // The facility and the page link, each at its line.
    assert!(
        stderr.contains("data/facilities/yokohama.yaml:8"),
        "{stderr}"
    );
    assert!(stderr.contains("content/emergency/index.md:"), "{stderr}");

    let report = std::fs::read(site.path(".cache/external/report.csv")).expect("report");
    assert!(report.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(report[3..].to_vec()).expect("utf-8");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "市町村",
            "窓口/施設",
            "URL",
            "結果",
            "移転先",
            "ファイル:行"
        ]
    );
    let rows: Vec<Vec<String>> = rows
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect();
    let row = |path: &str| {
        rows.iter()
            .find(|r| r[2] == server.url(path))
            .unwrap_or_else(|| panic!("no row for {path}: {rows:?}"))
            .clone()
    };
    assert_eq!(
        row("/ok")[..4],
        ["横浜市", "正常な窓口", &server.url("/ok"), "正常"]
    );
    let moved = row("/moved");
    assert_eq!(moved[3], "移転");
    assert_eq!(moved[4], server.url("/ok"));
    assert!(moved[1].contains("移転した窓口"), "{moved:?}");
    let gone = row("/gone");
    assert_eq!(
        gone[1], "無い窓口、ひかり訪問看護ステーション",
        "one row per URL"
    );
    assert_eq!(gone[3], "リンク切れ (HTTP 404)");
    assert!(
        gone[5].contains("data/facilities/yokohama.yaml:8"),
        "{gone:?}"
    );
    assert_eq!(row("/broken")[3], "サーバーのエラー (HTTP 500)");
    assert_eq!(row("/slow")[3], "応答なし (1 秒)");
    assert_eq!(row("/get-only")[3], "正常");
    assert_eq!(rows.len(), 6, "{rows:?}");
}

#[test]
fn a_second_run_within_the_day_asks_only_the_unanswered_and_refresh_asks_again() {
    let server = Server::start();
    let site = site_with_links(&server);
    assert_success(&check_external(&site, &[]));
    let first = server.total();
    assert!(first >= 6, "{first} requests");

    // The second run: the cache answers, and it is the only thing written.
    let before = TreeSnapshot::of(&site.path("data"));
    let out = check_external(&site, &[]);
    assert_success(&out);
    // Only the URL that gave no answer (timeout) is asked again.
    assert_eq!(server.total(), first + 1, "the second run asked the server");
    assert_eq!(server.count("HEAD", "/slow"), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("リンク先のページがありません (HTTP 404)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("今回確かめた 1 件、1日以内の結果を使った 5 件"),
        "{stderr}"
    );
    TreeSnapshot::of(&site.path("data")).assert_same(&before, "data/ after check --external");

    assert_success(&check_external(&site, &["--refresh"]));
    assert_eq!(server.count("HEAD", "/gone"), 2);
}

#[test]
fn options_are_bounded_and_the_report_goes_where_asked() {
    let server = Server::start();
    let site = site_with_links(&server);
    for bad in [
        ["--timeout", "0"],
        ["--timeout", "121"],
        ["--jobs", "0"],
        ["--jobs", "33"],
    ] {
        let out = ohisama()
            .args(["check", "--external", "--root"])
            .arg(site.root())
            .args(bad)
            .output()
            .expect("run");
        assert!(!out.status.success(), "{bad:?} accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("までの整数"));
    }
    // --refresh without --external is refused, not silently ignored.
    let out = ohisama()
        .args(["check", "--refresh", "--root"])
        .arg(site.root())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert_eq!(server.total(), 0);

    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("リンク 確認.csv");
    let out = check_external(
        &site,
        &["--jobs", "1", "--report", report.to_str().expect("utf-8")],
    );
    assert_success(&out);
    assert!(report.is_file());
    // An earlier report is replaced.
    let out = check_external(&site, &["--report", report.to_str().expect("utf-8")]);
    assert_success(&out);
    // A folder, a data file or someone's spreadsheet is not overwritten.
    let data = site.path(YOKOHAMA);
    let sheet = dir.path().join("名簿.csv");
    std::fs::write(&sheet, "氏名,電話\r\n").expect("write");
    let before = (
        TreeSnapshot::of(&site.path("data")),
        TreeSnapshot::of(dir.path()),
    );
    for (target, says) in [
        (dir.path(), "フォルダです"),
        (data.as_path(), "報告ではないファイルです"),
        (sheet.as_path(), "報告ではないファイルです"),
    ] {
        let out = check_external(&site, &["--report", target.to_str().expect("utf-8")]);
        assert!(!out.status.success(), "{target:?} accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    before
        .0
        .assert_same(&TreeSnapshot::of(&site.path("data")), "data/");
    before
        .1
        .assert_same(&TreeSnapshot::of(dir.path()), "the report folder");
}

#[test]
fn report_cells_are_formula_safe() {
    use ohisama::external::{Checked, Outcome, Place, report_bytes};
    let links = [Checked {
        url: "https://example.jp/a".into(),
        places: vec![Place {
            file: "data/contacts/x.yaml".into(),
            line: 3,
            column: 5,
            municipality: "=HYPERLINK(\"http://evil\")".into(),
            what: "@SUM(1)".into(),
        }],
        outcome: Outcome::Moved {
            to: "https://example.jp/b".into(),
        },
        cached: false,
    }];
    let bytes = report_bytes(&links);
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    let row = text.lines().nth(1).expect("row");
    assert!(
        row.starts_with("\"'=HYPERLINK(\"\"http://evil\"\")\",'@SUM(1),"),
        "{row}"
    );
    assert!(text.contains("\r\n"), "CRLF like the export");
}

/// Nothing answers (a closed port, as when the machine is offline): said
/// once, and not kept, so the next run asks again.
#[test]
fn no_answer_at_all_is_said_and_not_cached() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let site = TestSite::mini();
    let mut text = site
        .read(YOKOHAMA)
        .replace("    url: https://example.jp/yokohama\n", "");
    for path in ["/a", "/b"] {
        text.push_str(&format!(
            "  - name: 窓口{path}\n    field: sodan\n    url: http://127.0.0.1:{port}{path}\n"
        ));
    }
    site.write(YOKOHAMA, &text);
    for _ in 0..2 {
        let out = check_external(&site, &[]);
        assert_success(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("今回確かめた 2 件"), "{stderr}");
        assert!(
            stderr.contains("どの URL のサーバーからも答えがありませんでした"),
            "{stderr}"
        );
        assert!(stderr.contains("接続を拒否されました"), "{stderr}");
    }
}
