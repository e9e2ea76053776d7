//! The one URL rule: every URL that reaches a page is decided here, with the
//! `url` crate, and nowhere else. It is used for a notice in site.yaml
//! ([`Place::Notice`]), a main menu entry ([`Place::Menu`]), the `url:` of a
//! window or facility ([`Place::DataUrl`], also on CSV import), markdown links
//! and images ([`Place::MarkdownLink`], [`Place::MarkdownImage`]) and
//! `base_url` / `--base-url` ([`base_url`]).
//!
//! What passes:
//! - an absolute `http://` / `https://` URL with a host and no user name or
//!   password, written as the `url` crate serialises it (percent-encoded);
//! - `tel:` and `mailto:` where the place allows them (markdown links);
//! - a path on this site that starts with exactly one `/` (`/contacts/`);
//! - `#id` on the same page (markdown links).
//!
//! Everything else is refused, before anything is written: `//host` (another
//! site), a backslash anywhere (browsers read `/\host` as `//host`), control
//! characters, whitespace and invisible format characters anywhere (browsers
//! drop tabs and newlines, so `java<TAB>script:` is `javascript:`), any other
//! scheme in any case (`javascript:`, `data:`, `vbscript:`, `file:`, `ftp:` …)
//! and relative paths (the link check cannot follow them).
//!
//! The paths the generator writes itself (page paths come from file names,
//! which may hold spaces, `#`, `?`, `%` or Japanese) are percent-encoded by
//! [`encode_path`], the same way in pages, sitemap, feed and service worker.

use crate::diagnostic::Diagnostic;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use std::sync::LazyLock;
use url::{Position, Url};

/// Where a URL was written: each place accepts some kinds of URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `url:` of a window or facility (a page of another site).
    DataUrl,
    /// `url:` of a notice in site.yaml.
    Notice,
    /// The target of a markdown link.
    MarkdownLink,
    /// The source of a markdown image.
    MarkdownImage,
    /// `url:` of a main menu entry in site.yaml: a page of this site only.
    Menu,
}

/// The kinds of URL the rule knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `http://…` or `https://…`.
    Web,
    /// `tel:…` or `mailto:…`.
    Contact,
    /// `/…` on this site.
    SitePath,
    /// `#…` on the same page.
    Fragment,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Web => "外部サイトの URL",
            Kind::Contact => "tel: / mailto: のリンク",
            Kind::SitePath => "サイト内のパス",
            Kind::Fragment => "# で始まるページ内のリンク",
        }
    }
}

impl Place {
    fn accepts(self, kind: Kind) -> bool {
        match self {
            Place::DataUrl => kind == Kind::Web,
            Place::Notice | Place::MarkdownImage => matches!(kind, Kind::Web | Kind::SitePath),
            Place::MarkdownLink => true,
            Place::Menu => kind == Kind::SitePath,
        }
    }

    /// What the place accepts, in Japanese (the `expected` of a diagnostic).
    pub fn expected(self) -> &'static str {
        match self {
            Place::DataUrl => {
                "http:// または https:// で始まる URL (例: https://www.city.example.lg.jp/soudan/)"
            }
            Place::Notice => {
                "https:// で始まる URL、または / で始まるサイト内のパス (例: /contacts/)"
            }
            Place::MarkdownLink => {
                "https:// で始まる URL、tel: / mailto:、/ で始まるサイト内のパス (例: /contacts/)、または #見出しの ID"
            }
            Place::MarkdownImage => {
                "https:// で始まる画像の URL、または / で始まるサイト内のパス (例: /assets/img/map.png)"
            }
            Place::Menu => "/ で始まるサイト内のパス (例: /contacts/)",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Place::DataUrl | Place::Notice => "URL",
            Place::MarkdownLink => "リンクの URL",
            Place::MarkdownImage => "画像の URL",
            Place::Menu => "メニューの URL",
        }
    }
}

/// A URL that passed the rule, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafeUrl {
    /// An absolute http(s), tel: or mailto: URL, percent-encoded.
    External(String),
    /// A path on this site: `path` decoded (what the link check compares with
    /// the pages' paths), `href` the encoded path, query and fragment without
    /// the base path.
    Site { path: String, href: String },
    /// `#id` on the same page, encoded.
    Fragment(String),
}

impl SafeUrl {
    /// The value for `href` / `src`: a site path gets the base path (`/` or `/sub/`).
    pub fn href(&self, base_path: &str) -> String {
        match self {
            SafeUrl::External(u) | SafeUrl::Fragment(u) => u.clone(),
            SafeUrl::Site { href, .. } => format!("{}{href}", base_path.trim_end_matches('/')),
        }
    }
}

/// Why a URL was refused (Japanese, for the editors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error("URL が空です")]
    Empty,
    #[error("{0}が含まれています")]
    HiddenChar(String),
    #[error("バックスラッシュ (\\) が含まれています")]
    Backslash,
    #[error("`//` で始まる URL は別のサイトを指します")]
    OtherSite,
    #[error("`{0}:` の URL は安全のため使えません")]
    Scheme(String),
    #[error("`{0}://` の後にホスト名がありません")]
    NoHost(String),
    #[error("ユーザー名やパスワードを含む URL は使えません")]
    Credentials,
    #[error("{0}")]
    Malformed(&'static str),
    #[error("相対パスは使えません")]
    Relative,
    #[error("tel: の後が電話番号になっていません")]
    Tel,
    #[error("mailto: の後がメールアドレスになっていません")]
    Mail,
    #[error("{}はここでは使えません", .0.label())]
    NotHere(Kind),
    #[error("公開先の URL に ? や # は含められません")]
    BaseWithQuery,
}

impl UrlProblem {
    /// How to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            UrlProblem::Empty => "URL を書くか、url: の行を消してください",
            UrlProblem::HiddenChar(_) => {
                "URL の前後や途中の空白・タブ・改行を消してください。サイト内のファイル名の空白は %20 と書きます"
            }
            UrlProblem::Backslash => "区切りは / (スラッシュ) で書いてください",
            UrlProblem::OtherSite => {
                "外部のサイトは https:// から、サイト内のページは / 1つから (例: /contacts/) 書いてください"
            }
            UrlProblem::Scheme(_) => {
                "javascript: などは利用者を危険なページに導くおそれがあるため出力しません。https:// で始まる URL にしてください"
            }
            UrlProblem::NoHost(_) => "https://www.example.jp/ のようにホスト名まで書いてください",
            UrlProblem::Credentials => {
                "@ より前の部分を消してください (偽のサイトに見せかける書き方に使われます)"
            }
            UrlProblem::Malformed(_) => "ブラウザのアドレス欄から URL をそのまま写してください",
            UrlProblem::Relative => {
                "サイト内のページは / から始まるパス (例: /emergency/cpr/)、外部のサイトは https:// から書いてください"
            }
            UrlProblem::Tel => "tel:045-000-0000 のように半角の数字とハイフンで書いてください",
            UrlProblem::Mail => "mailto:info@example.jp のように書いてください",
            UrlProblem::NotHere(_) => "期待される値のどれかの形で書いてください",
            UrlProblem::BaseWithQuery => {
                "https://example.org/ohisama/ のように ? と # より前だけを書いてください"
            }
        }
    }
}

/// A URL of a markdown page refused by the rule, for the check's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedUrl {
    pub raw: String,
    pub line: u32,
    pub place: Place,
    pub problem: UrlProblem,
}

impl RejectedUrl {
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        diagnostic(file, self.line, 0, &self.raw, self.place, &self.problem)
    }
}

/// The error for a refused URL at `file:line:column`.
pub fn diagnostic(
    file: &str,
    line: u32,
    column: u32,
    raw: &str,
    place: Place,
    problem: &UrlProblem,
) -> Diagnostic {
    Diagnostic::error(
        file,
        line,
        column,
        format!("{} `{}` は使えません: {problem}", place.what(), shown(raw)),
    )
    .expected(place.expected())
    .hint(problem.hint())
}

/// Decides a URL written at `place`.
pub fn check(raw: &str, place: Place) -> Result<SafeUrl, UrlProblem> {
    let (kind, safe) = classify(raw)?;
    if place.accepts(kind) {
        Ok(safe)
    } else {
        Err(UrlProblem::NotHere(kind))
    }
}

/// Where the site is published: `base_url` of site.yaml or `--base-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Absolute URL (or a site path) of the site root, ending with `/`.
    pub url: String,
    /// Its path (`/` or `/sub/`), percent-encoded, ending with `/`: every internal link starts with it.
    pub path: String,
}

impl BaseUrl {
    /// The site served from `/` of whatever host serves it.
    pub fn root() -> BaseUrl {
        BaseUrl {
            url: "/".to_string(),
            path: "/".to_string(),
        }
    }
}

/// Decides `base_url` / `--base-url`: an absolute http(s) URL, or a path
/// starting with a single `/`; no query or fragment (every link is built on it).
pub fn base_url(raw: &str) -> Result<BaseUrl, UrlProblem> {
    match classify(raw)? {
        (Kind::Web, SafeUrl::External(s)) => {
            let mut url = Url::parse(&s).map_err(parse_problem)?;
            if url.query().is_some() || url.fragment().is_some() {
                return Err(UrlProblem::BaseWithQuery);
            }
            let path = with_trailing_slash(url.path());
            url.set_path(&path);
            Ok(BaseUrl {
                url: url.to_string(),
                path,
            })
        }
        (Kind::SitePath, SafeUrl::Site { href, .. }) => {
            if href.contains(['?', '#']) {
                return Err(UrlProblem::BaseWithQuery);
            }
            let path = with_trailing_slash(&href);
            Ok(BaseUrl {
                url: path.clone(),
                path,
            })
        }
        (kind, _) => Err(UrlProblem::NotHere(kind)),
    }
}

/// What `--base-url` (or site.yaml's `base_url`) accepts.
pub const BASE_URL_EXPECTED: &str = "https:// で始まる公開先の URL (例: https://example.org/ohisama/)、または / で始まるパス (例: /ohisama/)";

/// The error for a refused `--base-url`, or `None` when it is absent or good.
pub fn base_url_option_problem(option: Option<&str>) -> Option<Diagnostic> {
    let raw = option?;
    let problem = base_url(raw).err()?;
    Some(
        Diagnostic::error(
            "--base-url",
            0,
            0,
            format!("--base-url `{}` は使えません: {problem}", shown(raw)),
        )
        .expected(BASE_URL_EXPECTED)
        .hint(problem.hint()),
    )
}

/// Bytes of a path segment that are percent-encoded: all but RFC 3986
/// `pchar` (unreserved, sub-delims, `:` and `@`); non-ASCII always is.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Percent-encodes a decoded path of this site (`/news/a b/` → `/news/a%20b/`),
/// segment by segment, keeping the `/`s. Page paths come from file names.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Any URL the generator could write: sorts it into a kind and makes it safe.
fn classify(raw: &str) -> Result<(Kind, SafeUrl), UrlProblem> {
    if raw.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if let Some(c) = raw.chars().find(|&c| is_hidden(c)) {
        return Err(UrlProblem::HiddenChar(name_of(c)));
    }
    if raw.contains('\\') {
        return Err(UrlProblem::Backslash);
    }
    if raw.starts_with("//") {
        return Err(UrlProblem::OtherSite);
    }
    if raw.starts_with('/') {
        return site_path(raw).map(|s| (Kind::SitePath, s));
    }
    if raw.starts_with('#') {
        let url = SITE_ROOT.join(raw).map_err(parse_problem)?;
        let fragment = url.fragment().unwrap_or_default();
        return Ok((Kind::Fragment, SafeUrl::Fragment(format!("#{fragment}"))));
    }
    let Some(scheme) = scheme_of(raw) else {
        return Err(UrlProblem::Relative);
    };
    let rest = &raw[scheme.len() + 1..];
    match scheme.to_ascii_lowercase().as_str() {
        s @ ("http" | "https") => web(raw, s, rest).map(|u| (Kind::Web, u)),
        "tel" => tel(rest).map(|u| (Kind::Contact, u)),
        "mailto" => mailto(rest).map(|u| (Kind::Contact, u)),
        other => Err(UrlProblem::Scheme(other.to_string())),
    }
}

/// The root paths are joined on: only its host is compared, never written.
static SITE_ROOT: LazyLock<Url> =
    LazyLock::new(|| Url::parse("https://site.invalid/").expect("a valid constant URL"));

fn site_path(raw: &str) -> Result<SafeUrl, UrlProblem> {
    let url = SITE_ROOT.join(raw).map_err(parse_problem)?;
    let href = url[Position::BeforePath..].to_string();
    // `/..//evil.example` normalises to the path `//evil.example`, which a
    // browser reads as another host.
    if url.host_str() != SITE_ROOT.host_str() || href.starts_with("//") {
        return Err(UrlProblem::OtherSite);
    }
    let path = percent_decode_str(url.path())
        .decode_utf8_lossy()
        .into_owned();
    Ok(SafeUrl::Site { path, href })
}

fn web(raw: &str, scheme: &str, rest: &str) -> Result<SafeUrl, UrlProblem> {
    // The url crate reads `https:example.jp` and `https:///example.jp` as
    // `https://example.jp/`; the editor must write what is meant.
    let host_part = rest.strip_prefix("//").unwrap_or_default();
    if !rest.starts_with("//") || host_part.is_empty() || host_part.starts_with('/') {
        return Err(UrlProblem::NoHost(scheme.to_string()));
    }
    let url = Url::parse(raw).map_err(parse_problem)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlProblem::NoHost(scheme.to_string()));
    }
    Ok(SafeUrl::External(url.to_string()))
}

/// `tel:` numbers: digits, `+ - ( ) . * #` and `%XX`; `#` is written `%23`.
fn tel(rest: &str) -> Result<SafeUrl, UrlProblem> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' | b'+' | b'-' | b'(' | b')' | b'.' | b'*' | b'#' => i += 1,
            b'%' if bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                i += 3
            }
            _ => return Err(UrlProblem::Tel),
        }
    }
    if !bytes.iter().any(u8::is_ascii_digit) {
        return Err(UrlProblem::Tel);
    }
    Ok(SafeUrl::External(format!(
        "tel:{}",
        rest.replace('#', "%23")
    )))
}

fn mailto(rest: &str) -> Result<SafeUrl, UrlProblem> {
    let address = rest.split('?').next().unwrap_or_default();
    let valid = address
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
    if !valid {
        return Err(UrlProblem::Mail);
    }
    let url = Url::parse(&format!("mailto:{rest}")).map_err(|_| UrlProblem::Mail)?;
    Ok(SafeUrl::External(url.to_string()))
}

/// The scheme of `raw` (`https` of `https://…`), when it starts with one
/// (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`, then `:`).
fn scheme_of(raw: &str) -> Option<&str> {
    let end = raw.find([':', '/', '?', '#'])?;
    let scheme = &raw[..end];
    let valid = raw[end..].starts_with(':')
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

fn parse_problem(e: url::ParseError) -> UrlProblem {
    use url::ParseError as P;
    UrlProblem::Malformed(match e {
        P::EmptyHost => "ホスト名がありません",
        P::IdnaError | P::InvalidDomainCharacter => "ドメイン名に使えない文字があります",
        P::InvalidPort => "ポート番号が正しくありません",
        P::InvalidIpv4Address | P::InvalidIpv6Address => "IP アドレスが正しくありません",
        _ => "URL の形が正しくありません",
    })
}

/// Characters a reader cannot see or a browser silently drops: control
/// characters, whitespace (also the full-width U+3000) and the invisible
/// format characters used to disguise a URL (zero-width, bidi overrides, BOM).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

fn name_of(c: char) -> String {
    let what = match c {
        ' ' => "空白",
        '\u{3000}' => "全角の空白",
        '\t' => "タブ",
        '\n' | '\r' => "改行",
        c if c.is_control() => "制御文字",
        c if c.is_whitespace() => "空白",
        _ => "見えない文字",
    };
    format!("{what} (U+{:04X}) ", c as u32)
}

/// A URL as a message shows it: hidden characters as `<U+0009>`, at most 120 characters.
pub fn shown(raw: &str) -> String {
    const MAX: usize = 120;
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if is_hidden(c) && c != ' ' {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn with_trailing_slash(path: &str) -> String {
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(path: &str, href: &str) -> SafeUrl {
        SafeUrl::Site {
            path: path.into(),
            href: href.into(),
        }
    }

    #[test]
    fn good_urls_pass_as_written() {
        let ok = |raw: &str, place| check(raw, place).expect(raw);
        assert_eq!(
            ok("https://example.jp/yokohama", Place::DataUrl),
            SafeUrl::External("https://example.jp/yokohama".into())
        );
        assert_eq!(
            ok("HTTP://Example.JP", Place::DataUrl),
            SafeUrl::External("http://example.jp/".into())
        );
        assert_eq!(
            ok("/contacts/", Place::Notice),
            site("/contacts/", "/contacts/")
        );
        assert_eq!(
            ok("/search/?q=a#top", Place::MarkdownLink),
            site("/search/", "/search/?q=a#top")
        );
        assert_eq!(
            ok("/news/a%20b/", Place::MarkdownLink),
            site("/news/a b/", "/news/a%20b/")
        );
        assert_eq!(
            ok("/news/お知らせ/", Place::MarkdownLink),
            site(
                "/news/お知らせ/",
                "/news/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B/"
            )
        );
        assert_eq!(
            ok("#h-1", Place::MarkdownLink),
            SafeUrl::Fragment("#h-1".into())
        );
        assert_eq!(
            ok("tel:%237119", Place::MarkdownLink),
            SafeUrl::External("tel:%237119".into())
        );
        assert_eq!(
            ok("tel:#8000", Place::MarkdownLink),
            SafeUrl::External("tel:%238000".into())
        );
        assert_eq!(
            ok("mailto:info@example.jp", Place::MarkdownLink),
            SafeUrl::External("mailto:info@example.jp".into())
        );
    }

    #[test]
    fn hostile_urls_are_refused() {
        let refused =
            |raw: &str, place| check(raw, place).expect_err(&format!("{raw:?} must be refused"));
        for place in [
            Place::DataUrl,
            Place::Notice,
            Place::MarkdownLink,
            Place::MarkdownImage,
        ] {
            assert_eq!(
                refused("//evil.example/phish", place),
                UrlProblem::OtherSite
            );
            assert_eq!(
                refused("/\\evil.example/phish", place),
                UrlProblem::Backslash
            );
            assert_eq!(refused("\\\\evil.example", place), UrlProblem::Backslash);
            assert_eq!(refused("/..//evil.example/x", place), UrlProblem::OtherSite);
            for js in ["javascript:alert(1)", "JaVaScRiPt:alert(1)"] {
                assert_eq!(refused(js, place), UrlProblem::Scheme("javascript".into()));
            }
            assert!(matches!(
                refused("java\tscript:alert(1)", place),
                UrlProblem::HiddenChar(_)
            ));
            assert!(matches!(
                refused("java\nscript:alert(1)", place),
                UrlProblem::HiddenChar(_)
            ));
            assert!(matches!(
                refused(" javascript:alert(1)", place),
                UrlProblem::HiddenChar(_)
            ));
            assert!(matches!(
                refused("https://exam\u{200B}ple.jp/", place),
                UrlProblem::HiddenChar(_)
            ));
            assert!(matches!(
                refused("https://example.jp/\u{3000}", place),
                UrlProblem::HiddenChar(_)
            ));
            assert_eq!(
                refused("data:text/html,<script>", place),
                UrlProblem::Scheme("data".into())
            );
            assert_eq!(
                refused("VBScript:msgbox", place),
                UrlProblem::Scheme("vbscript".into())
            );
            assert_eq!(
                refused("ftp://example.jp/", place),
                UrlProblem::Scheme("ftp".into())
            );
            assert_eq!(
                refused("https:evil.example", place),
                UrlProblem::NoHost("https".into())
            );
            assert_eq!(
                refused("https:///evil.example", place),
                UrlProblem::NoHost("https".into())
            );
            assert_eq!(
                refused("https://", place),
                UrlProblem::NoHost("https".into())
            );
            assert_eq!(
                refused("https://example.jp@evil.example/", place),
                UrlProblem::Credentials
            );
            assert_eq!(refused("www.example.jp", place), UrlProblem::Relative);
            assert_eq!(refused("", place), UrlProblem::Empty);
        }
    }

    #[test]
    fn each_place_takes_its_kinds() {
        assert_eq!(
            check("/contacts/", Place::DataUrl),
            Err(UrlProblem::NotHere(Kind::SitePath))
        );
        assert_eq!(
            check("tel:119", Place::Notice),
            Err(UrlProblem::NotHere(Kind::Contact))
        );
        assert_eq!(
            check("#x", Place::MarkdownImage),
            Err(UrlProblem::NotHere(Kind::Fragment))
        );
        assert!(check("/assets/img/a.png", Place::MarkdownImage).is_ok());
        assert_eq!(check("tel:abc", Place::MarkdownLink), Err(UrlProblem::Tel));
        assert_eq!(
            check("mailto:nobody", Place::MarkdownLink),
            Err(UrlProblem::Mail)
        );
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("https://example.org/sub"),
            Ok(BaseUrl {
                url: "https://example.org/sub/".into(),
                path: "/sub/".into()
            })
        );
        assert_eq!(
            base_url("/ohisama"),
            Ok(BaseUrl {
                url: "/ohisama/".into(),
                path: "/ohisama/".into()
            })
        );
        assert_eq!(base_url("/").map(|b| b.path), Ok("/".into()));
        // What `serve` passes for its preview.
        assert_eq!(
            base_url("http://127.0.0.1:1111/").map(|b| b.url),
            Ok("http://127.0.0.1:1111/".into())
        );
        assert_eq!(
            base_url("http://[::1]:8080/").map(|b| b.path),
            Ok("/".into())
        );
        // A Japanese sub-path is encoded once, in the base path every link starts with.
        assert_eq!(
            base_url("https://example.org/おひさま").map(|b| b.path),
            Ok("/%E3%81%8A%E3%81%B2%E3%81%95%E3%81%BE/".into())
        );
        assert_eq!(
            base_url("javascript:alert(1)//"),
            Err(UrlProblem::Scheme("javascript".into()))
        );
        assert_eq!(base_url("//evil.example/"), Err(UrlProblem::OtherSite));
        assert_eq!(
            base_url("https://example.org/?x"),
            Err(UrlProblem::BaseWithQuery)
        );
        assert_eq!(base_url("/sub/#x"), Err(UrlProblem::BaseWithQuery));
        assert_eq!(base_url("tel:119"), Err(UrlProblem::NotHere(Kind::Contact)));
    }

    #[test]
    fn page_paths_are_percent_encoded() {
        assert_eq!(encode_path("/news/a b/"), "/news/a%20b/");
        assert_eq!(encode_path("/news/a#b?c%d/"), "/news/a%23b%3Fc%25d/");
        assert_eq!(encode_path("/emergency/cpr/"), "/emergency/cpr/");
        assert_eq!(
            encode_path("/お知らせ/"),
            "/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B/"
        );
        // What a link to the encoded path decodes to is the page's path again.
        let encoded = encode_path("/news/a b#?%é/");
        assert_eq!(
            check(&encoded, Place::MarkdownLink),
            Ok(site("/news/a b#?%é/", &encoded))
        );
    }

    #[test]
    fn messages_show_hidden_characters() {
        let d = diagnostic(
            "data/site.yaml",
            3,
            10,
            "java\tscript:x",
            Place::Notice,
            &check("java\tscript:x", Place::Notice).unwrap_err(),
        );
        assert!(
            d.message.contains(
                "URL `java<U+0009>script:x` は使えません: タブ (U+0009) が含まれています"
            ),
            "{}",
            d.message
        );
        assert!(d.expected.is_some() && d.hint.is_some());
    }
}
