//! Request heads, parsed without touching a socket: bytes in, a [`RequestHead`]
//! or a [`HeadError`] out. Pure and panic-free on any input, so a fuzzer can call
//! [`parse_request_head`] directly (it is re-exported as
//! `ohisama::serve::parse_request_head`).
//!
//! The request line and headers are parsed by `httparse` (the parser hyper uses);
//! on top of it this module keeps only what the preview needs and refuses what
//! it does not speak:
//! - anything but HTTP/1.0 and HTTP/1.1: the HTTP/2 preface (`PRI * HTTP/2.0`)
//!   and other versions are [`HeadError::UnsupportedVersion`] (505), a TLS
//!   ClientHello (`https://` typed by mistake) is [`HeadError::Tls`] (400), other
//!   bytes [`HeadError::Malformed`] (400). Errors are found as soon as the bytes
//!   that make them arrive, not when the head is complete;
//! - a head longer than [`MAX_HEAD`] bytes or with more than [`MAX_HEADERS`]
//!   headers is [`HeadError::TooLarge`] (431);
//! - two `Host` headers, or a `Content-Length` that is not one plain number, are
//!   malformed.
//!
//! [`HostPolicy`] decides which `Host` values are answered (against DNS rebinding).

use std::net::IpAddr;

/// Longest request head accepted (request line and headers, in bytes).
pub const MAX_HEAD: usize = 16 * 1024;
/// Most headers in a request (browsers send 10–20).
pub const MAX_HEADERS: usize = 64;

/// The parts of a request head the preview server uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// `GET`, `HEAD`, … as sent (methods are case-sensitive).
    pub method: String,
    /// The request target as sent (checked later by `RequestTarget::parse`).
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// The `Host` header, trimmed; `None` when there is none.
    pub host: Option<String>,
    /// The connection ends after this answer: `Connection: close`, or HTTP/1.0
    /// without `Connection: keep-alive`.
    pub close: bool,
    /// The request announces a body (`Content-Length` above 0 or any
    /// `Transfer-Encoding`). The server reads no bodies: it answers and closes.
    pub has_body: bool,
    /// Bytes the head takes, up to and including the blank line.
    pub len: usize,
}

/// Why a request head is refused. [`HeadError::status`] is the answer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error("HTTP/1.1 のリクエストではありません ({0})")]
    Malformed(&'static str),
    #[error("HTTP/1.0 と HTTP/1.1 にだけ対応しています (HTTP/2 などは使えません)")]
    UnsupportedVersion,
    #[error("https:// ではなく http:// で開いてください")]
    Tls,
    #[error("リクエストのヘッダーが大きすぎます")]
    TooLarge,
}

impl HeadError {
    /// The HTTP status answered for this error.
    pub fn status(&self) -> u16 {
        match self {
            HeadError::Malformed(_) | HeadError::Tls => 400,
            HeadError::UnsupportedVersion => 505,
            HeadError::TooLarge => 431,
        }
    }
}

/// Parses the request head at the start of `buf`.
///
/// `Ok(None)`: the head is not complete yet (read more bytes, unless `buf`
/// already holds [`MAX_HEAD`] bytes, which is [`HeadError::TooLarge`]).
/// Bytes after the head (a pipelined request) are left alone: see
/// [`RequestHead::len`].
///
/// ```
/// use ohisama::serve::{parse_request_head, HeadError};
/// let head = parse_request_head(b"GET / HTTP/1.1\r\nHost: localhost:1111\r\n\r\n")
///     .unwrap()
///     .unwrap();
/// assert_eq!(head.host.as_deref(), Some("localhost:1111"));
/// assert_eq!(parse_request_head(b"GET / HTTP/1.1\r\nHo"), Ok(None));
/// assert_eq!(
///     parse_request_head(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
///     Err(HeadError::UnsupportedVersion)
/// );
/// ```
pub fn parse_request_head(buf: &[u8]) -> Result<Option<RequestHead>, HeadError> {
    // A TLS record of type handshake: someone opened https:// on this port.
    if buf.first() == Some(&0x16) {
        return Err(HeadError::Tls);
    }
    let window = &buf[..buf.len().min(MAX_HEAD)];
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(window) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if window.len() >= MAX_HEAD => {
            return Err(HeadError::TooLarge);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(httparse::Error::Version) if names_a_version(window) => {
            return Err(HeadError::UnsupportedVersion);
        }
        Err(httparse::Error::Version) => {
            return Err(HeadError::Malformed("HTTP バージョンが不正です"));
        }
        Err(httparse::Error::HeaderName | httparse::Error::HeaderValue) => {
            return Err(HeadError::Malformed("ヘッダーが不正です"));
        }
        Err(_) => return Err(HeadError::Malformed("リクエスト行が不正です")),
    };
    // Complete: httparse set all three.
    let (Some(method), Some(target), Some(minor_version)) = (req.method, req.path, req.version)
    else {
        return Err(HeadError::Malformed("リクエスト行が不正です"));
    };

    let mut host = None;
    let mut content_length: Option<u64> = None;
    let mut has_body = false;
    let mut close = minor_version == 0;
    for h in req.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(HeadError::Malformed("Host ヘッダーが 2 つあります"));
            }
            let value = std::str::from_utf8(h.value)
                .map_err(|_| HeadError::Malformed("Host ヘッダーが不正です"))?;
            host = Some(value.trim().to_string());
        } else if name.eq_ignore_ascii_case("content-length") {
            let n =
                plain_number(h.value).ok_or(HeadError::Malformed("Content-Length が不正です"))?;
            if content_length.is_some_and(|m| m != n) {
                return Err(HeadError::Malformed("Content-Length が食い違っています"));
            }
            content_length = Some(n);
            has_body |= n > 0;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        } else if name.eq_ignore_ascii_case("connection") {
            for token in h.value.split(|b| *b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && minor_version == 0 {
                    close = false;
                }
            }
        }
    }
    Ok(Some(RequestHead {
        method: method.to_string(),
        target: target.to_string(),
        minor_version,
        host,
        close,
        has_body,
        len,
    }))
}

/// Whether the request line names an HTTP version (`… HTTP/2.0`), as opposed to
/// bytes that are not HTTP at all.
fn names_a_version(buf: &[u8]) -> bool {
    let line = buf.split(|b| *b == b'\n').next().unwrap_or_default();
    line.windows(6).any(|w| w == b" HTTP/")
}

/// `123` (digits only, no sign or spaces inside, fits in u64).
fn plain_number(value: &[u8]) -> Option<u64> {
    let value = value.trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Which `Host` values the preview answers. A web page the editor visits can
/// point its own domain name at 127.0.0.1 (DNS rebinding) and read the preview
/// from script; its requests then carry that domain name as `Host`, so only
/// `localhost`, `127.0.0.1`, `[::1]` and the bound address are accepted. When the
/// server listens on every address (`--bind 0.0.0.0` or `::`, to look at the
/// preview from a phone), any IP address is accepted, never a domain name other
/// than `localhost`.
///
/// The port, when given, must be the server's. A `Host` without a port is
/// accepted (it is what a client sends for port 80, and a rebinding page cannot
/// choose it: the browser writes `Host` from the page's own address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPolicy {
    bound: IpAddr,
    port: u16,
}

impl HostPolicy {
    pub fn new(bound: IpAddr, port: u16) -> HostPolicy {
        HostPolicy { bound, port }
    }

    /// Whether a request with this `Host` value is answered.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host.trim()) else {
            return false;
        };
        if let Some(port) = port
            && port != self.port
        {
            return false;
        }
        match name {
            HostName::Name(n) => n.eq_ignore_ascii_case("localhost"),
            HostName::Ip(ip) => {
                ip == IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
                    || ip == IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
                    || ip == self.bound
                    || self.bound.is_unspecified()
            }
        }
    }
}

enum HostName<'a> {
    Name(&'a str),
    Ip(IpAddr),
}

/// `name[:port]` or `[v6][:port]`; `None` when it is neither.
fn split_host(host: &str) -> Option<(HostName<'_>, Option<u16>)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let ip: std::net::Ipv6Addr = v6.parse().ok()?;
        (HostName::Ip(IpAddr::V6(ip)), after)
    } else {
        let end = host.find(':').unwrap_or(host.len());
        let name = &host[..end];
        let parsed = match name.parse::<std::net::Ipv4Addr>() {
            Ok(v4) => HostName::Ip(IpAddr::V4(v4)),
            Err(_) => HostName::Name(name),
        };
        (parsed, &host[end..])
    };
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => None,
        None => return None,
        // `localhost:` (an empty port) means the default port, like no port.
        Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(bytes: &[u8]) -> RequestHead {
        parse_request_head(bytes).expect("valid").expect("complete")
    }

    #[test]
    fn parses_a_browser_request() {
        let raw = b"GET /contacts/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:1111\r\n\
User-Agent: test\r\nAccept: */*\r\n\r\nGET /next HTTP/1.1\r\n";
        let h = head(raw);
        assert_eq!(h.method, "GET");
        assert_eq!(h.target, "/contacts/?x=1");
        assert_eq!(h.minor_version, 1);
        assert_eq!(h.host.as_deref(), Some("127.0.0.1:1111"));
        assert!(!h.close);
        assert!(!h.has_body);
        assert_eq!(
            &raw[h.len..],
            b"GET /next HTTP/1.1\r\n",
            "the pipelined rest"
        );
    }

    #[test]
    fn connection_and_body_flags() {
        assert!(head(b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").close);
        assert!(head(b"GET / HTTP/1.0\r\n\r\n").close);
        assert!(!head(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").close);
        assert!(head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").has_body);
        assert!(!head(b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body);
        assert!(head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").has_body);
        assert_eq!(head(b"GET / HTTP/1.0\r\n\r\n").host, None);
    }

    #[test]
    fn incomplete_heads_ask_for_more() {
        for partial in [
            &b""[..],
            b"G",
            b"GET / HTTP/1.1",
            b"GET / HTTP/1.1\r\nHost: localhost\r\n",
            b"GET / HTTP/1.",
        ] {
            assert_eq!(parse_request_head(partial), Ok(None), "{partial:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_http_1() {
        use HeadError::*;
        let cases: &[(&[u8], HeadError)] = &[
            (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", UnsupportedVersion),
            (b"GET / HTTP/1.2\r\n\r\n", UnsupportedVersion),
            (b"GET / HTTP/3\r\n\r\n", UnsupportedVersion),
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", Tls),
            (b"NONSENSE\r\n\r\n", Malformed("リクエスト行が不正です")),
            (b"\x00\x01\x02\x03", Malformed("リクエスト行が不正です")),
            (
                b"SSH-2.0-OpenSSH_9.6\r\n",
                Malformed("リクエスト行が不正です"),
            ),
            (
                b"GET / FOO/1.1\r\n\r\n",
                Malformed("HTTP バージョンが不正です"),
            ),
            (
                b"GET /a\0b HTTP/1.1\r\n\r\n",
                Malformed("リクエスト行が不正です"),
            ),
            (
                b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                Malformed("Host ヘッダーが 2 つあります"),
            ),
            (
                b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                Malformed("Content-Length が不正です"),
            ),
            (
                b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                Malformed("Content-Length が食い違っています"),
            ),
            (
                b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
                Malformed("ヘッダーが不正です"),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                parse_request_head(bytes),
                Err(*want),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(UnsupportedVersion.status(), 505);
        assert_eq!(Tls.status(), 400);
    }

    #[test]
    fn refuses_heads_that_are_too_large() {
        let mut big = b"GET / HTTP/1.1\r\nX-Pad: ".to_vec();
        big.resize(MAX_HEAD + 10, b'a');
        assert_eq!(parse_request_head(&big), Err(HeadError::TooLarge));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend_from_slice(format!("X-{i}: 1\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse_request_head(&many), Err(HeadError::TooLarge));
        assert_eq!(HeadError::TooLarge.status(), 431);
    }

    #[test]
    fn never_panics_on_prefixes_of_odd_input() {
        let samples: &[&[u8]] = &[
            b"GET /\xff\xfe HTTP/1.1\r\nHost: \xff\r\n\r\n",
            b"\r\n\r\n\r\nGET / HTTP/1.1\n\n",
            b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00",
        ];
        for s in samples {
            for end in 0..=s.len() {
                let _ = parse_request_head(&s[..end]);
            }
        }
    }

    #[test]
    fn host_policy_for_loopback() {
        let p = HostPolicy::new("127.0.0.1".parse().unwrap(), 1111);
        for ok in [
            "localhost:1111",
            "LocalHost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
            "localhost",
            "127.0.0.1",
            "localhost:",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example:1111",
            "127.0.0.1.nip.io:1111",
            "localhost:2222",
            "127.0.0.1:80",
            "127.0.0.2:1111",
            "192.168.1.5:1111",
            "::1",
            "[::1",
            "[evil]:1111",
            "localhost:1111:1111",
            "localhost:+1111",
            "localhost:99999",
            "127.0.0.1@evil.example",
            "",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
    }

    #[test]
    fn host_policy_for_other_addresses() {
        let lan = HostPolicy::new("192.168.1.5".parse().unwrap(), 8080);
        assert!(lan.allows("192.168.1.5:8080"));
        assert!(lan.allows("localhost:8080"));
        assert!(!lan.allows("192.168.1.6:8080"));
        assert!(!lan.allows("printer.local:8080"));

        let all = HostPolicy::new("0.0.0.0".parse().unwrap(), 8080);
        assert!(all.allows("10.0.0.7:8080"));
        assert!(all.allows("[fe80::1]:8080"));
        assert!(all.allows("localhost:8080"));
        assert!(!all.allows("evil.example:8080"));
        assert!(!all.allows("10.0.0.7:9090"));

        let v6 = HostPolicy::new("::".parse().unwrap(), 8080);
        assert!(v6.allows("192.168.1.5:8080"));
        assert!(!v6.allows("evil.example:8080"));
    }
}
