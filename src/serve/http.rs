//! Answers HTTP requests: the site's files, the live-reload script and event stream.
//!
//! [`respond`] turns a parsed request head into a [`Reply`]; it never touches the
//! socket (the connection loop in [`super::conn`] reads and writes). In order:
//! - `Host` must be one the server answers ([`super::HostPolicy`], against DNS
//!   rebinding), else 403. An HTTP/1.1 request without `Host` is a 400 (RFC 9112
//!   §3.2); an HTTP/1.0 one is answered: rebinding needs a browser, and browsers
//!   always send `Host`.
//! - Only `GET` and `HEAD` (405 with `Allow`).
//! - A request path is checked before it touches the file system: it must start
//!   with `/`; `%XX` escapes are decoded per segment and may not encode `/`, `\` or
//!   NUL; segments may not be `.`/`..` or empty, contain a backslash, control
//!   characters or invalid UTF-8. Anything else is a 400. The resulting path is then
//!   canonicalized (resolving symlinks) and must lie inside the output folder (403).

use super::{BUILD_MARKER, Files, GoodSite, Shared, sse};
use crate::serve::request::RequestHead;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const LIVE_RELOAD_JS: &str = include_str!("live-reload.js");

/// Served as `/sw.js` in serve mode: takes over from a cached worker, then unregisters.
const UNREGISTER_SW: &str = "// ohisama serve: no service worker while previewing.\n\
self.addEventListener(\"install\", () => self.skipWaiting());\n\
self.addEventListener(\"activate\", (event) => {\n\
  event.waitUntil(self.registration.unregister()\n\
    .then(() => self.clients.matchAll({ type: \"window\" }))\n\
    .then((clients) => clients.forEach((c) => c.navigate(c.url))));\n\
});\n";

/// Longest request target accepted.
const MAX_TARGET: usize = 4096;

/// What the connection does with a request.
pub(super) enum Reply {
    /// Write this answer (then keep the connection open unless it must close).
    Send(Response),
    /// Hand the connection over to the live-reload event stream (a slot is taken).
    Events(sse::ClientGuard),
}

/// An answer: status, headers and a body of bytes or an open file.
pub(super) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

pub(super) enum Body {
    Bytes(Vec<u8>),
    /// A file of the output held in memory.
    Shared(Arc<[u8]>),
    File {
        file: File,
        len: u64,
    },
}

impl Response {
    fn new(status: u16, content_type: &str, body: Body) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                ("Cache-Control", "no-store".to_string()),
                ("X-Content-Type-Options", "nosniff".to_string()),
            ],
            body,
        }
    }

    /// A short plain-text answer (the errors, in Japanese).
    pub fn text(status: u16, body: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            Body::Bytes(body.as_bytes().to_vec()),
        )
    }

    fn bytes(status: u16, content_type: &str, body: &[u8]) -> Response {
        Response::new(status, content_type, Body::Bytes(body.to_vec()))
    }

    /// The file at `path`, or None when it cannot be opened.
    fn file(status: u16, path: &Path) -> Option<Response> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        Some(Response::new(
            status,
            content_type(path),
            Body::File { file, len },
        ))
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }

    /// Writes the status line, headers and (unless `head_only`) the body.
    /// `close` adds `Connection: close`.
    pub fn write_to(self, w: &mut impl Write, head_only: bool, close: bool) -> io::Result<()> {
        let len = match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::Shared(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        };
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {len}\r\n"));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        w.write_all(head.as_bytes())?;
        if !head_only {
            match self.body {
                Body::Bytes(b) => w.write_all(&b)?,
                Body::Shared(b) => w.write_all(&b)?,
                Body::File { file, len } => {
                    let sent = io::copy(&mut file.take(len), w)?;
                    if sent != len {
                        // The file shrank while being sent: the length announced is
                        // wrong, so the connection must end here.
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank"));
                    }
                }
            }
        }
        w.flush()
    }
}

/// The reason phrase of the statuses this server sends.
pub(super) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The answer to one request.
pub(super) fn respond(shared: &Arc<Shared>, head: &RequestHead) -> Reply {
    match &head.host {
        Some(host) if !shared.hosts.allows(host) => {
            return Reply::Send(Response::text(
                403,
                &format!(
                    "このアドレスではプレビューを表示できません。{} を開いてください。\n",
                    shared.url
                ),
            ));
        }
        None if head.minor_version >= 1 => {
            return Reply::Send(Response::text(
                400,
                "不正なリクエストです: Host ヘッダーがありません\n",
            ));
        }
        _ => {}
    }
    let is_get = head.method == "GET";
    if !is_get && head.method != "HEAD" {
        return Reply::Send(
            Response::text(405, "許可されていないメソッドです\n").with_header("Allow", "GET, HEAD"),
        );
    }
    let target = match Target::parse(&head.target) {
        Ok(t) => t,
        Err(reason) => {
            return Reply::Send(Response::text(
                400,
                &format!("不正なリクエストです: {reason}\n"),
            ));
        }
    };

    if target.segments.first().map(String::as_str) == Some("__ohisama") {
        let resp = match (
            target.segments.get(1).map(String::as_str),
            target.segments.len(),
        ) {
            (Some("events"), 2) if is_get => match sse::admit(shared) {
                Some(client) => return Reply::Events(client),
                None => Response::text(503, "接続が多すぎます\n"),
            },
            (Some("live-reload.js"), 2) => Response::bytes(
                200,
                "text/javascript; charset=utf-8",
                LIVE_RELOAD_JS.as_bytes(),
            ),
            _ => Response::text(404, "見つかりません\n"),
        };
        return Reply::Send(resp);
    }
    Reply::Send(site_file(shared, &target))
}

/// A file of the site being served, its 404 page, a redirect or an error.
fn site_file(shared: &Shared, target: &Target) -> Response {
    // The site's service worker would answer from its cache and hide edits; pages
    // do not register it in serve mode, and one left from a real build of the same
    // origin is replaced by a worker that removes itself.
    if target.segments == ["sw.js"] {
        return Response::bytes(
            200,
            "text/javascript; charset=utf-8",
            UNREGISTER_SW.as_bytes(),
        );
    }

    let site = shared.lock().good.clone();
    let Some(site) = site else {
        // No build has succeeded yet: a page that shows the errors (through the script).
        return Response::bytes(
            503,
            "text/html; charset=utf-8",
            placeholder_page().as_bytes(),
        );
    };

    match in_memory(&site.files, target) {
        Resolved::File(key) => return memory_file(&site, 200, &key.to_string_lossy()),
        Resolved::Redirect => return redirect(target),
        Resolved::NotFound | Resolved::Forbidden => {}
    }
    match resolve(&site.dir, target) {
        Resolved::File(path) => Response::file(200, &path).unwrap_or_else(|| not_found(&site)),
        Resolved::Redirect => redirect(target),
        Resolved::NotFound => not_found(&site),
        Resolved::Forbidden => Response::text(403, "このファイルは表示できません\n"),
    }
}

/// A folder asked for without its trailing slash: 301 to it with the slash.
fn redirect(target: &Target) -> Response {
    let mut location = format!("{}/", target.raw_path);
    if let Some(q) = &target.query {
        location.push('?');
        location.push_str(q);
    }
    Response::text(301, &format!("{location}\n")).with_header("Location", &location)
}

/// The site's own 404 page, with status 404.
fn not_found(site: &GoodSite) -> Response {
    if site.files.contains_key("404.html") {
        return memory_file(site, 404, "404.html");
    }
    Response::text(404, "ページが見つかりません\n")
}

/// A file of the output in memory; an HTML page says the id of the build it
/// belongs to in place of [`BUILD_MARKER`] (the live-reload script's) and,
/// when it is the page asked for (not the 404 page), its output path
/// (`data-file`: reload events name pages by it).
fn memory_file(site: &GoodSite, status: u16, key: &str) -> Response {
    let Some(bytes) = site.files.get(key) else {
        return Response::text(404, "ページが見つかりません\n");
    };
    let ct = content_type(Path::new(key));
    if ct.starts_with("text/html") {
        let marker = BUILD_MARKER.as_bytes();
        // The script is injected last, before `</body>`: its marker is the last one.
        if let Some(at) = bytes.windows(marker.len()).rposition(|w| w == marker) {
            let mut out = Vec::with_capacity(bytes.len() + site.id.len() + key.len() + 16);
            out.extend_from_slice(&bytes[..at]);
            out.extend_from_slice(site.id.as_bytes());
            if status == 200 {
                // Inside `data-build="…"`: the attribute closed, one more opened.
                out.extend_from_slice(b"\" data-file=\"");
                out.extend_from_slice(crate::charts::escape(key).as_bytes());
            }
            out.extend_from_slice(&bytes[at + marker.len()..]);
            return Response::new(status, ct, Body::Bytes(out));
        }
    }
    Response::new(status, ct, Body::Shared(bytes.clone()))
}

/// Maps a checked target to a path of the output in memory, with the rules
/// of [`resolve`]: `…/` is `…/index.html`, a folder without its slash is
/// redirected, a file with a slash is not found. Never `Forbidden` (nothing
/// in memory is a link); `NotFound` sends the request on to the folder.
fn in_memory(files: &Files, t: &Target) -> Resolved {
    let key = t.segments.join("/");
    let index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if t.trailing_slash || key.is_empty() {
        return if files.contains_key(&index) {
            Resolved::File(PathBuf::from(index))
        } else {
            Resolved::NotFound
        };
    }
    if files.contains_key(&key) {
        return Resolved::File(PathBuf::from(key));
    }
    let folder = format!("{key}/");
    let is_folder = files
        .range(folder.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&folder));
    if is_folder {
        Resolved::Redirect
    } else {
        Resolved::NotFound
    }
}

fn placeholder_page() -> String {
    format!(
        "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>サイトを生成できていません — ohisama serve</title></head>\n\
         <body><main><h1>サイトをまだ生成できていません</h1>\
         <p>入力にエラーがあります。ターミナルか、この画面に表示される内容を見て直し、保存してください。\
         自動で表示が更新されます。</p></main>\n{}</body></html>\n",
        super::dev_script("")
    )
}

/// Content type by file extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// A checked request target (re-exported as `ohisama::serve::RequestTarget`,
/// for fuzzing the path rules).
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// Decoded path segments (no empty, `.` or `..` ones).
    pub segments: Vec<String>,
    /// The path ends with `/` (a folder).
    pub trailing_slash: bool,
    /// The path as sent (checked; used for redirects).
    pub raw_path: String,
    pub query: Option<String>,
}

impl Target {
    pub fn parse(target: &str) -> Result<Target, &'static str> {
        if target.len() > MAX_TARGET {
            return Err("URL が長すぎます");
        }
        if !target.starts_with('/') {
            return Err("パスは / で始まる必要があります");
        }
        if target.bytes().any(|b| b < 0x20 || b == 0x7f || b >= 0x80) {
            return Err("URL に制御文字があります");
        }
        let target = target.split('#').next().unwrap_or_default();
        let (raw_path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (target, None),
        };
        let mut raw_segments: Vec<&str> = raw_path[1..].split('/').collect();
        let trailing_slash = raw_segments.last() == Some(&"");
        if trailing_slash {
            raw_segments.pop();
        }
        let mut segments = Vec::with_capacity(raw_segments.len());
        for raw in raw_segments {
            segments.push(decode_segment(raw)?);
        }
        Ok(Target {
            segments,
            trailing_slash,
            raw_path: raw_path.to_string(),
            query,
        })
    }
}

fn decode_segment(raw: &str) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("パスに空の区切りがあります");
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or("不正な % エスケープです")?;
                let hex = std::str::from_utf8(hex).map_err(|_| "不正な % エスケープです")?;
                let v = u8::from_str_radix(hex, 16).map_err(|_| "不正な % エスケープです")?;
                if matches!(v, b'/' | b'\\' | 0) {
                    return Err("エンコードされた区切り文字は使えません");
                }
                out.push(v);
                i += 3;
            }
            b'\\' => return Err("バックスラッシュは使えません"),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    let s = String::from_utf8(out).map_err(|_| "URL が UTF-8 ではありません")?;
    if s.chars().any(char::is_control) {
        return Err("URL に制御文字があります");
    }
    if s == "." || s == ".." {
        return Err("`.` や `..` は使えません");
    }
    Ok(s)
}

#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(PathBuf),
    /// A folder asked for without the trailing slash.
    Redirect,
    NotFound,
    /// Leads outside the output (a symlink).
    Forbidden,
}

/// Maps a checked target to a file inside `root` (canonical).
fn resolve(root: &Path, t: &Target) -> Resolved {
    let mut path = root.to_path_buf();
    for s in &t.segments {
        path.push(s);
    }
    let inside = |p: &Path| -> Result<PathBuf, Resolved> {
        match std::fs::canonicalize(p) {
            Ok(c) if c.starts_with(root) => Ok(c),
            Ok(_) => Err(Resolved::Forbidden),
            Err(_) => Err(Resolved::NotFound),
        }
    };
    let canon = match inside(&path) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if canon.is_dir() {
        if !t.trailing_slash && !t.segments.is_empty() {
            return Resolved::Redirect;
        }
        match inside(&canon.join("index.html")) {
            Ok(index) if index.is_file() => Resolved::File(index),
            Ok(_) => Resolved::NotFound,
            Err(r) => r,
        }
    } else if canon.is_file() && !t.trailing_slash {
        Resolved::File(canon)
    } else {
        Resolved::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(t: &str) -> Vec<String> {
        Target::parse(t).expect(t).segments
    }

    #[test]
    fn parses_good_targets() {
        assert_eq!(segs("/"), Vec::<String>::new());
        assert!(Target::parse("/").unwrap().trailing_slash);
        assert_eq!(segs("/contacts/"), ["contacts"]);
        assert_eq!(segs("/contacts?x=1"), ["contacts"]);
        assert_eq!(
            Target::parse("/contacts?x=1").unwrap().query.as_deref(),
            Some("x=1")
        );
        assert_eq!(segs("/a%20b/c.css"), ["a b", "c.css"]);
        assert_eq!(segs("/%E6%A8%AA%E6%B5%9C/"), ["横浜"]);
        assert_eq!(segs("/..foo/"), ["..foo"]);
    }

    #[test]
    fn refuses_bad_targets() {
        for t in [
            "",
            "index.html",
            "http://example.org/",
            "/../etc/passwd",
            "/a/../../b",
            "/./a",
            "/%2e%2e/a",
            "/%2E%2E/a",
            "/.%2e/a",
            "/..%2fa",
            "/..%2Fa",
            "/a%5c..%5cb",
            "/a\\..\\b",
            "//etc/passwd",
            "/a//b",
            "/a%00.html",
            "/a\0b",
            "/%zz",
            "/%2",
            "/%c0%ae%c0%ae/a",
            "/a\r\nX: y",
            "/%0d%0a",
        ] {
            assert!(Target::parse(t).is_err(), "{t:?} must be refused");
        }
    }

    #[test]
    fn content_types() {
        for (f, ct) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("a.svg", "image/svg+xml"),
            ("a.pdf", "application/pdf"),
            ("a.woff2", "font/woff2"),
            ("a.xml", "application/xml; charset=utf-8"),
            ("a.png", "image/png"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(f)), ct, "{f}");
        }
    }

    #[test]
    fn resolves_inside_only() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("contacts")).unwrap();
        std::fs::write(root.join("contacts/index.html"), "x").unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("link.txt"))
                .unwrap();
            std::os::unix::fs::symlink(tmp.path(), root.join("up")).unwrap();
        }
        let root = std::fs::canonicalize(&root).unwrap();
        let r = |t: &str| resolve(&root, &Target::parse(t).unwrap());
        assert_eq!(r("/"), Resolved::File(root.join("index.html")));
        assert_eq!(
            r("/contacts/"),
            Resolved::File(root.join("contacts/index.html"))
        );
        assert_eq!(r("/contacts"), Resolved::Redirect);
        assert_eq!(r("/index.html/"), Resolved::NotFound);
        assert_eq!(r("/nope/"), Resolved::NotFound);
        #[cfg(unix)]
        {
            assert_eq!(r("/link.txt"), Resolved::Forbidden);
            assert_eq!(r("/up/secret.txt"), Resolved::Forbidden);
            assert_eq!(r("/up/"), Resolved::Forbidden);
        }
    }
}
