//! The preview server against hostile clients (issue #13, item 8): a cap on
//! open connections, deadlines for request heads and idle connections, `Host`
//! checked against DNS rebinding, and bytes that are not HTTP/1 answered and
//! closed. Loopback only; every test ends by checking that a normal request is
//! still served (the server survived).

use crate::serve_support;
use crate::sitekit;

use ohisama::serve::{ServeOptions, Server};
use serve_support::*;
use sitekit::TestSite;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Threads of this test process (the server runs in it).
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

/// Threads that may come and go meanwhile without the server: the test
/// harness's, and those of the previous test's server still winding down.
const SLACK: usize = 8;

/// What came back on one connection, and when the server closed it.
struct Exchange {
    bytes: Vec<u8>,
    /// From the request's last byte to the end of the answer (the server's close).
    closed_after: Duration,
    /// The server closed the connection (false: `limit` passed first).
    closed: bool,
}

impl Exchange {
    fn status(&self) -> Option<u16> {
        let line = self.bytes.split(|b| *b == b'\n').next()?;
        std::str::from_utf8(line)
            .ok()?
            .split(' ')
            .nth(1)?
            .parse()
            .ok()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Sends `request` (which may stop half-way) and reads until the server closes
/// the connection, or for at most `limit`.
fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> Exchange {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request).expect("send");
    read_until_closed(&mut s, Instant::now(), limit)
}

fn read_until_closed(s: &mut TcpStream, since: Instant, limit: Duration) -> Exchange {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(since.elapsed());
        if left.is_zero() {
            return Exchange {
                bytes,
                closed_after: since.elapsed(),
                closed: false,
            };
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut chunk) {
            Ok(0) | Err(_) if since.elapsed() < limit => {
                return Exchange {
                    bytes,
                    closed_after: since.elapsed(),
                    closed: true,
                };
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
    }
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn half_request(port: u16) -> String {
    format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */")
}

/// One keep-alive exchange on `s`: the status and body of the answer, read by
/// its Content-Length (the connection stays open).
fn keep_alive_get(s: &mut TcpStream, port: u16, path: &str) -> (u16, Vec<u8>) {
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).expect("answer head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("Content-Length")
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("answer body");
    (status, body)
}

fn assert_still_serving(port: u16) {
    let home = get(port, "/");
    assert_eq!(home.status, 200, "the server survived: {}", home.text());
    assert!(home.text().contains("</html>"));
}

#[test]
fn connections_past_the_cap_get_503_and_no_thread_each() {
    let _serial = serial();
    let site = TestSite::sample();
    let mut opts = options(site.root());
    // The held connections must outlast this test's checks.
    opts.header_timeout = Duration::from_secs(60);
    let cap = opts.max_connections;
    assert_eq!(
        cap,
        ServeOptions::new(".").max_connections,
        "the default cap"
    );
    assert!((16..=256).contains(&cap), "{cap}");
    let server = Server::start(opts).unwrap();
    let port = server.port();
    let before = threads();

    // `cap` clients that send half a request and wait: each holds a place.
    let half = half_request(port);
    let held: Vec<TcpStream> = (0..cap)
        .map(|_| {
            let mut s = TcpStream::connect(local(port)).unwrap();
            s.write_all(half.as_bytes()).unwrap();
            s
        })
        .collect();
    assert!(
        eventually(Duration::from_secs(20), || server.connections() == cap),
        "{} of {cap} connections registered",
        server.connections()
    );
    let full = threads();

    // 100 more: each is told 503, at once, and starts no thread.
    const EXTRA: usize = 100;
    let mut most = full;
    for i in 0..EXTRA {
        let r = exchange(local(port), half.as_bytes(), Duration::from_secs(10));
        most = most.max(threads());
        assert!(r.closed, "extra connection {i} left open: {:?}", r.text());
        assert_eq!(
            r.status(),
            Some(503),
            "extra connection {i}: {:?}",
            r.text()
        );
        assert!(r.text().contains("接続が多すぎます"), "{}", r.text());
        assert!(
            r.closed_after < Duration::from_secs(2),
            "{:?}",
            r.closed_after
        );
    }
    eprintln!(
        "threads: {before} before, {full} with {cap} held connections, at most {most} with {EXTRA} more refused"
    );
    assert!(
        full <= before + cap + SLACK,
        "{full} threads for {cap} connections (from {before})"
    );
    assert!(
        most <= full + SLACK,
        "refused connections started threads: {most} > {full}"
    );
    assert_eq!(server.connections(), cap);

    // The held ones go away; their places and threads are freed.
    drop(held);
    assert!(
        eventually(Duration::from_secs(20), || server.connections() == 0),
        "{} connections still registered",
        server.connections()
    );
    assert!(
        eventually(Duration::from_secs(20), || threads() <= before + SLACK),
        "{} threads, {before} before",
        threads()
    );
    assert_still_serving(port);
}

#[test]
fn a_half_sent_request_is_answered_408_and_closed_at_the_header_timeout() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = options(site.root());
    let timeout = opts.header_timeout;
    assert!(
        (Duration::from_secs(2)..=Duration::from_secs(5)).contains(&timeout),
        "{timeout:?}"
    );
    let server = Server::start(opts).unwrap();
    let port = server.port();
    let limit = timeout * 4;

    // Three clients at once: half a head and silence; a head trickled one byte
    // every 200 ms (each byte must not extend the deadline); nothing at all.
    let half =
        std::thread::spawn(move || exchange(local(port), half_request(port).as_bytes(), limit));
    let silent = std::thread::spawn(move || exchange(local(port), b"", limit));
    let trickled = std::thread::spawn(move || {
        let mut s = TcpStream::connect(local(port)).unwrap();
        let mut writer = s.try_clone().unwrap();
        let started = Instant::now();
        std::thread::spawn(move || {
            let line = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ");
            for b in line.bytes().chain(std::iter::repeat(b'a')) {
                if writer.write_all(&[b]).is_err() || started.elapsed() > limit {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        read_until_closed(&mut s, started, limit)
    });

    let window =
        timeout.saturating_sub(Duration::from_millis(100))..timeout + Duration::from_millis(1500);
    for (what, r) in [
        ("half a request", half.join().unwrap()),
        ("a trickled request", trickled.join().unwrap()),
    ] {
        eprintln!("{what}: closed after {:?}", r.closed_after);
        assert!(r.closed, "{what}: still open after {limit:?}");
        assert_eq!(r.status(), Some(408), "{what}: {:?}", r.text());
        assert!(
            r.text().contains("リクエストが時間内に届きませんでした"),
            "{}",
            r.text()
        );
        assert!(
            window.contains(&r.closed_after),
            "{what}: closed after {:?}, header timeout {timeout:?}",
            r.closed_after
        );
    }
    let r = silent.join().unwrap();
    eprintln!("nothing sent: closed after {:?}", r.closed_after);
    assert!(r.closed, "a silent connection stays open");
    assert!(r.bytes.is_empty(), "{:?}", r.text());
    assert!(window.contains(&r.closed_after), "{:?}", r.closed_after);
    // Their places are freed (after a short drain of what the trickler still sends).
    assert!(eventually(Duration::from_secs(5), || server.connections() == 0));
    assert_still_serving(port);
}

#[test]
fn a_kept_alive_connection_serves_requests_then_closes_when_idle() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = options(site.root());
    let idle = opts.keep_alive;
    assert!(idle <= Duration::from_secs(30), "{idle:?}");
    let server = Server::start(opts).unwrap();
    let port = server.port();

    let mut s = TcpStream::connect(local(port)).unwrap();
    let (status, home) = keep_alive_get(&mut s, port, "/");
    assert_eq!(status, 200);
    assert_eq!(home, get(port, "/").body);
    let (status, about) = keep_alive_get(&mut s, port, "/about/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&about).contains("運営者"));

    let idle_since = Instant::now();
    let r = read_until_closed(&mut s, idle_since, idle * 4);
    eprintln!("idle connection closed after {:?}", r.closed_after);
    assert!(r.closed, "an idle connection stays open");
    assert!(r.bytes.is_empty(), "{:?}", r.text());
    assert!(
        (idle.saturating_sub(Duration::from_millis(100))..idle + Duration::from_millis(1500))
            .contains(&r.closed_after),
        "closed after {:?}, keep-alive {idle:?}",
        r.closed_after
    );
    assert_still_serving(port);
}

/// `GET {target}` with the given `Host` line (or none) to `addr`.
fn with_host(addr: SocketAddr, target: &str, host: Option<&str>, version: &str) -> Exchange {
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    let req = format!("GET {target} HTTP/{version}\r\n{host}Connection: close\r\n\r\n");
    exchange(addr, req.as_bytes(), Duration::from_secs(20))
}

#[test]
fn requests_for_other_hosts_are_refused_and_local_names_served() {
    let _serial = serial();
    let site = TestSite::sample();
    let server = start(site.root());
    let port = server.port();
    let addr = local(port);
    let home = get(port, "/").body;
    let other = if port == 65535 { port - 1 } else { port + 1 };

    // A page on another site that points its name at 127.0.0.1 (DNS rebinding)
    // sends its own name as Host.
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("localhost:{other}"),
        format!("127.0.0.2:{port}"),
        String::new(),
    ] {
        for target in ["/", "/__ohisama/events", "/__ohisama/live-reload.js"] {
            let r = with_host(addr, target, Some(&host), "1.1");
            assert_eq!(
                r.status(),
                Some(403),
                "Host {host:?} {target}: {:?}",
                r.text()
            );
            assert!(
                r.text().contains(&format!(
                    "プレビューを表示できません。{} を開いてください",
                    server.url()
                )),
                "{}",
                r.text()
            );
            assert!(!r.text().contains("event:"), "{}", r.text());
        }
    }
    assert_eq!(server.sse_clients(), 0);

    for host in [
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_string(),
    ] {
        let r = with_host(addr, "/", Some(&host), "1.1");
        assert_eq!(r.status(), Some(200), "Host {host:?}: {:?}", r.text());
        assert!(r.bytes.ends_with(&home), "Host {host:?}: the home page");
    }

    // HTTP/1.1 requires Host; HTTP/1.0 predates it (and browsers always send it).
    let r = with_host(addr, "/", None, "1.1");
    assert_eq!(r.status(), Some(400), "{}", r.text());
    assert!(
        r.text().contains("Host ヘッダーがありません"),
        "{}",
        r.text()
    );
    let r = with_host(addr, "/", None, "1.0");
    assert_eq!(r.status(), Some(200), "{}", r.text());
    let two = format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example\r\n\r\n");
    let r = exchange(addr, two.as_bytes(), Duration::from_secs(20));
    assert_eq!(r.status(), Some(400), "{}", r.text());
    assert!(
        r.text().contains("Host ヘッダーが 2 つあります"),
        "{}",
        r.text()
    );
    assert_still_serving(port);
}

#[test]
fn a_server_bound_with_bind_answers_that_address_too() {
    let _serial = serial();
    let site = TestSite::sample();
    let mut opts = options(site.root());
    // Another loopback address (all of 127/8 is loopback on Linux), standing
    // for a LAN address given with `--bind`.
    opts.bind = "127.0.0.2".parse().unwrap();
    let server = Server::start(opts).expect("bind 127.0.0.2");
    let port = server.port();
    assert_eq!(server.url(), format!("http://127.0.0.2:{port}/"));
    let addr = SocketAddr::from(([127, 0, 0, 2], port));
    for (host, status) in [
        (format!("127.0.0.2:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("127.0.0.3:{port}"), 403),
        (format!("evil.example:{port}"), 403),
    ] {
        let r = with_host(addr, "/", Some(&host), "1.1");
        assert_eq!(r.status(), Some(status), "Host {host:?}: {:?}", r.text());
    }
}

#[test]
fn what_is_not_http_1_is_answered_and_closed_at_once() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = options(site.root());
    let timeout = opts.header_timeout;
    let server = Server::start(opts).unwrap();
    let port = server.port();

    // What `curl --http2-prior-knowledge` sends first: the preface and a SETTINGS frame.
    let mut h2 = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    h2.extend_from_slice(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
    // The start of a TLS 1.2 ClientHello (https:// opened on this port).
    let tls: &[u8] = &[
        0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x5b, 0x90, 0x9d, 0x9b,
        0x72, 0x0b, 0xbc, 0x0c, 0xbc, 0x2b, 0x92, 0xa8, 0x48, 0x97, 0xcf, 0xbd,
    ];
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let endless_line = format!("GET /{}", "a".repeat(20_000));
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "HTTP/2 preface + SETTINGS",
            h2,
            505,
            "HTTP/1.0 と HTTP/1.1 にだけ対応",
        ),
        (
            "HTTP/2 preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            505,
            "HTTP/1.0 と HTTP/1.1 にだけ対応",
        ),
        (
            "HTTP/1.2",
            b"GET / HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
            505,
            "HTTP/1.0 と HTTP/1.1 にだけ対応",
        ),
        (
            "TLS ClientHello",
            tls.to_vec(),
            400,
            "http:// で開いてください",
        ),
        (
            "binary garbage",
            (0u8..=255).rev().collect(),
            400,
            "HTTP/1.1 のリクエストではありません",
        ),
        (
            "NUL first",
            vec![0, 1, 2, 3],
            400,
            "HTTP/1.1 のリクエストではありません",
        ),
        (
            "SSH banner",
            b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(),
            400,
            "HTTP/1.1 のリクエストではありません",
        ),
        (
            "a 20 KB header",
            big_header.into_bytes(),
            431,
            "ヘッダーが大きすぎます",
        ),
        (
            "a 20 KB request line",
            endless_line.into_bytes(),
            431,
            "ヘッダーが大きすぎます",
        ),
        (
            "a request with a body",
            format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 5\r\n\r\nhello")
                .into_bytes(),
            405,
            "許可されていないメソッドです",
        ),
    ];
    for (what, bytes, status, message) in cases {
        let r = exchange(local(port), &bytes, timeout * 4);
        eprintln!("{what}: {:?} after {:?}", r.status(), r.closed_after);
        assert!(r.closed, "{what}: left open");
        assert_eq!(r.status(), Some(status), "{what}: {:?}", r.text());
        assert!(r.text().contains(message), "{what}: {:?}", r.text());
        assert!(
            r.text().contains("Connection: close"),
            "{what}: {:?}",
            r.text()
        );
        // Answered at once, not when the header timeout ran out.
        assert!(
            r.closed_after < Duration::from_millis(1500).min(timeout),
            "{what}: closed after {:?}",
            r.closed_after
        );
    }
    assert_still_serving(port);
}
